// Measures X.509 validation on the real interpreter (until `npm run bench -- x509` exists):
//   ESPRUINO_BIN=/opt/espruino/bin/espruino node test/helpers/x509-real-bench.mjs [--ram]
// Builds the X.509 test exports (firmware/testing/x509t.ts) with the firmware's rollup plugins
// (minified, board "linux"), then times a 3-certificate RSA-2048 chain and an ECDSA P-256
// chain: whole validation, the longest Job step, leaf parsing, and JsVars (peak above idle
// during the Job, sampled after each step without GC; size of a parsed leaf).
// Default: the bundle runs from Storage (the Linux build reads "flash" from a file, which makes
// code from Storage 5-10x slower than on memory-mapped flash); --ram evaluates it from RAM.
import { rollup } from "rollup";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { boardConstants, firmwareTs, minify } from "../../tools/lib/rollup-plugins.mjs";
import { loadBoard, boardConstants as constantsOf } from "../../tools/lib/boards.mjs";
import * as H from "./x509-dev.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = process.env.ESPRUINO_BIN;
if (!BIN || !existsSync(BIN)) { console.log("ESPRUINO_BIN not set: skipped"); process.exit(0); }
const ram = process.argv.includes("--ram");
const dir = mkdtempSync(path.join(os.tmpdir(), "x509-bench-"));

// crypto modules not written yet are stubbed (their signatures then fail; reported below)
const missing = ["ed25519"].filter((m) => !existsSync(path.join(ROOT, "firmware/crypto", m + ".ts")));
const stub = { name: "stub", resolveId: (s) => (missing.some((m) => s.endsWith("crypto/" + m)) ? "\0stub" : null), load: (id) => (id === "\0stub" ? "export function ed25519Verify(){return false}" : null) };
writeFileSync(path.join(dir, "entry.ts"), `export { x509t } from ${JSON.stringify(path.join(ROOT, "firmware/testing/x509t.ts"))};\n`);
const b = await rollup({ input: path.join(dir, "entry.ts"), plugins: [stub, boardConstants(constantsOf(loadBoard("linux"), "0.0.0", 0)), firmwareTs(), minify()], treeshake: { moduleSideEffects: false, propertyReadSideEffects: false, unknownGlobalSideEffects: false } });
const { output } = await b.generate({ format: "cjs", exports: "named", esModule: false, strict: false, freeze: false });
const bundle = path.join(dir, "x509t.js");
writeFileSync(bundle, output[0].code);
console.log(`bundle (x509 test exports + crypto): ${output[0].code.length} bytes${missing.length ? "; stubbed: " + missing : ""}`);

const b64 = (c) => Buffer.from(c.der).toString("base64");
const rr = H.root("Bench RSA Root", { keyKind: "rsa2048" }), ri = H.inter("Bench RSA ICA", rr, { keyKind: "rsa2048" }), rl = H.leaf("rsa.example.com", ri, { keyKind: "rsa2048" });
const er = H.root("Bench EC Root", { keyKind: "p256" }), ei = H.inter("Bench EC ICA", er, { keyKind: "p256" }), el = H.leaf("ec.example.com", ei, { keyKind: "p256" });
writeFileSync(path.join(dir, "bench.js"), `
var X;
if (${ram ? 1 : 0}) { var f = E.openFile(${JSON.stringify(bundle)}, "r"), src = f.read(300000); f.close(); var mod = { exports: {} }; eval("(function(module, exports){" + src + String.fromCharCode(10) + "})")(mod, mod.exports); X = mod.exports.x509t; src = undefined; }
else {
  var f = E.openFile(${JSON.stringify(bundle)}, "r"), S = require("Storage"), o = 0, d;
  while ((d = f.read(2048)) !== undefined && d.length) { S.write("x509t", d, o, ${output[0].code.length}); o += d.length; }
  f.close(); X = require("x509t").x509t;
}
function d64(b) { return E.toUint8Array(atob(b)); }
function measure(name, chain, root, host) {
  var o = { time: 1893456000, host: host, anchors: root };
  var t0 = getTime(); X.x509.validate(chain, o); var t1 = getTime();
  var job = X.x509.validateJob(chain, o), n = 0, max = 0;
  for (;;) { var s = getTime(); var done = job.step(); var e = getTime() - s; n++; if (e > max) max = e; if (done) break; }
  var t2 = getTime(); for (var i = 0; i < 5; i++) X.parseCert(chain[0]); var t3 = getTime();
  var base = process.memory().usage, peak = 0; job = X.x509.validateJob(chain, o);
  for (;;) { var dn = job.step(); var u = process.memory(false).usage - base; if (u > peak) peak = u; if (dn) break; }
  print("RESULT " + name + ": validate " + ((t1 - t0) * 1000).toFixed(1) + " ms; Job " + n + " steps, longest " + (max * 1000).toFixed(1) + " ms; parse leaf " + ((t3 - t2) * 200).toFixed(2) + " ms; peak " + peak + " JsVars; parsed leaf " + E.getSizeOf(X.parseCert(chain[0])) + " JsVars");
}
try {
  measure("RSA-2048 chain", [d64("${b64(rl)}"), d64("${b64(ri)}")], [d64("${b64(rr)}")], "rsa.example.com");
  measure("ECDSA P-256 chain", [d64("${b64(el)}"), d64("${b64(ei)}")], [d64("${b64(er)}")], "ec.example.com");
} catch (e) { print("RESULT ERROR " + (e.code || "") + " " + (e.message || e)); }
setTimeout(quit, 0);
`);
const r = spawnSync(BIN, ["bench.js"], { cwd: dir, encoding: "latin1", timeout: 900000 });
console.log((ram ? "[code in RAM] " : "[code in Storage] ") + "\n" + r.stdout.split("\n").filter((l) => l.startsWith("RESULT")).map((l) => l.slice(7)).join("\n"));
