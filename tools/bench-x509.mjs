// `npm run bench -- x509 [--real]`: X.509 validation of a 3-certificate RSA-2048 chain and an
// ECDSA P-256 chain (root as anchor, intermediate, leaf): whole validation, Job steps and the
// longest one, leaf parsing, and peak JsVars above idle during the Job (sampled after each step,
// without GC). On the board mock always; on the interpreter with --real, code from RAM (the
// speed of a board's memory-mapped flash) and from Storage (JsVars as on a board; slow on Linux).
import { writeFileSync, copyFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import * as H from "../test/helpers/x509-certs.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { createBoard, flashFor } from "./mock/board.mjs";
import { espruinoBin, prepareFlash, runInterpreter, cleanOutput } from "./espruino-run.mjs";

function chains() {
  const b64 = (c) => Buffer.from(c.der).toString("base64");
  const rr = H.root("Bench RSA Root", { keyKind: "rsa2048" }), ri = H.inter("Bench RSA ICA", rr, { keyKind: "rsa2048" });
  const rl = H.leaf("rsa.example.com", ri, { keyKind: "rsa2048" });
  const er = H.root("Bench EC Root", { keyKind: "p256" }), ei = H.inter("Bench EC ICA", er, { keyKind: "p256" });
  const el = H.leaf("ec.example.com", ei, { keyKind: "p256" });
  return [["rsa2048", [b64(rl), b64(ri)], b64(rr), "rsa.example.com"], ["ecdsaP256", [b64(el), b64(ei)], b64(er), "ec.example.com"]];
}

// Runs on the board: X is the test bundle; CASES as built above.
const PROBE = `function d64(b) { return E.toUint8Array(atob(b)); }
function measure(c) {
  var chain = c[1].map(d64), o = { time: 1893456000, host: c[3], anchors: [d64(c[2])] };
  var t0 = getTime(); X.x509.validate(chain, o); var t1 = getTime();
  var job = X.x509.validateJob(chain, o), n = 0, max = 0, s, done, e;
  for (;;) { s = getTime(); done = job.step(); e = getTime() - s; n++; if (e > max) max = e; if (done) break; }
  var t2 = getTime(); for (var i = 0; i < 5; i++) X.x509.parse(chain[0]); var t3 = getTime();
  var base = process.memory().usage, peak = 0, u;
  job = X.x509.validateJob(chain, o);
  for (;;) { done = job.step(); u = process.memory(false).usage - base; if (u > peak) peak = u; if (done) break; }
  return { validateMs: +((t1 - t0) * 1000).toFixed(1), steps: n, longestStepMs: +(max * 1000).toFixed(1),
    parseLeafMs: +((t3 - t2) * 200).toFixed(2), peakJsVars: peak, parsedLeafJsVars: E.getSizeOf(X.x509.parse(chain[0])) };
}
var R = {};
try { CASES.forEach(function (c) { R[c[0]] = measure(c); }); } catch (err) { R.error = (err.code || "") + " " + (err.message || err); }`;

async function onInterpreter(bin, cases, mode) {
  // The test bundle (it has the x509 internals) is larger than the Linux build's 256 KB Storage
  // since the lazy layers: from Storage it cannot run there any more.
  if (mode !== "ram") return { skipped: "the test bundle does not fit the Linux build's 256 KB Storage (lazy-layers build); code from Storage is not measured" };
  const dir = await prepareFlash(bin);
  copyFileSync(bundlePath("linux", true), path.join(dir, "lib.js"));
  const load = `var f = E.openFile("lib.js", "r"), src = "", d; while ((d = f.read(4096)) !== undefined && d.length) src += d; f.close();
var module = { exports: {} }, exports = module.exports; eval(src); src = undefined; var X = module.exports;`;
  writeFileSync(path.join(dir, "run.js"), `${load}\nvar CASES = ${JSON.stringify(cases)};\n${PROBE}\nprint("RESULT " + JSON.stringify(R));\nsetTimeout(quit, 0);\n`);
  const r = await runInterpreter(bin, dir, "run.js", { timeoutMs: 900000 });
  const m = /RESULT (.*)/.exec(cleanOutput(r.out));
  return m ? JSON.parse(m[1]) : { error: cleanOutput(r.out).slice(-300) };
}

export async function benchX509({ real = false } = {}) {
  await buildBoard("linux", { test: true, quiet: true });
  const cases = chains();
  const out = { loadavg: loadavg().map((x) => +x.toFixed(2)) };
  // a flash with room for the test bundle (larger than the Linux board's 256 KB Storage)
  const b = createBoard({ board: "linux", flash: flashFor("linux", bundlePath("linux", true)) });
  try {
    b.define("X", b.loadLibrary(bundlePath("linux", true), "espruino-tls-test"));
    b.define("CASES", b.realm.parseJSON(JSON.stringify(cases)));
    out.mock = JSON.parse(JSON.stringify(b.run(`${PROBE}\nR`, "bench-x509.js")));
    out.mock.note = "board mock in Node: times are not the board's; JsVars are not measured there";
  } finally { b.close(); }
  const bin = real ? espruinoBin() : null;
  if (bin) out.interpreter = { ram: await onInterpreter(bin, cases, "ram"), storage: await onInterpreter(bin, cases, "storage") };
  return out;
}
