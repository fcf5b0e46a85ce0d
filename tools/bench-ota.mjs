// `npm run bench -- ota [--real]`: signed CA list updates.
//
//   ed25519:  verification of one manifest signature (the message a manifest signs: context line
//             + payload, ~300 bytes): synchronous best of 3, and as the sliced Job the updater
//             runs (steps, longest step, peak JsVars between steps).
//   update:   a full-Mozilla-set update end to end: HTTPS manifest fetch, signature, download of
//             the store image (Debian's Mozilla set + the test server's root, ~59 KB) into the
//             inactive slot, SHA-256 from flash, store open, switch, health-check handshake,
//             confirm. Time per phase (from the updater's progress events), Storage writes, and
//             on the interpreter the peak JsVars above the baseline (process.memory(false) sampled
//             every 5 ms, at every progress event and every downloaded chunk).
// Mock: the board mock (Node speed; its JsVars are not counted). Real: $ESPRUINO_BIN with the
// bundle's code evaluated from RAM (bundle + two 59 KB slots do not fit the Linux build's 256 KB
// Storage; devices run code from memory-mapped flash at about RAM speed), the slots in Storage.
import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import path from "node:path";
import { buildBoard } from "./build.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { Pki } from "./lib/pki.mjs";
import { createBoard } from "./mock/board.mjs";
import { runInterpreter, cleanOutput, espruinoBin } from "./espruino-run.mjs";
import { buildImage, anchorFromCertDer } from "./castore/format.mjs";
import { mozillaAnchors } from "./bench-castore.mjs";
import { generateKey, signManifest, MANIFEST_CONTEXT } from "./ota/sign.mjs";
import { serveOta } from "./ota/serve.mjs";

const LOAD = (file) => `(function () {
  var f = E.openFile(${JSON.stringify(file)}, "r"), s = "", d;
  while ((d = f.read(4096)) !== undefined && d.length) s += d;
  f.close();
  var module = { exports: {} }, exports = module.exports;
  eval(s); s = undefined;
  return module.exports;
})()`;

const ED_PROBE = `var c = LIB.c25519;
function hx(h) { var o = new Uint8Array(h.length >> 1); for (var i = 0; i < o.length; i++) o[i] = parseInt(h.substr(i * 2, 2), 16); return o; }
var pub = hx(PUB), sig = hx(SIG), msg = E.toUint8Array(MSG), r = { bytes: msg.length }, t, d, i;
var best = 1e9;
for (i = 0; i < 3; i++) { t = getTime(); r.ok = c.ed25519Verify(pub, msg, sig); d = getTime() - t; if (d < best) best = d; }
r.syncMs = Math.round(best * 1000);
var bad = new Uint8Array(sig); bad[5] ^= 1; r.badRefused = !c.ed25519Verify(pub, msg, bad);
process.memory();
var base = process.memory(false).usage, peak = base, steps = 0, maxStep = 0;
var job = c.ed25519VerifyJob(pub, msg, sig), fin = false;
t = getTime();
while (!fin) { var s0 = getTime(); fin = job.step(); d = getTime() - s0; if (d > maxStep) maxStep = d; steps++; var u = process.memory(false).usage; if (u > peak) peak = u; }
r.jobMs = Math.round((getTime() - t) * 1000); r.steps = steps; r.maxStepMs = Math.round(maxStep * 10000) / 10; r.jobOk = job.result();
r.peakJsVars = peak - base; r.bytesPerJsVar = process.memory().blocksize;
print("RESULT " + JSON.stringify(r));
setTimeout(quit, 0);`;

const UPDATE_PROBE = `var ota = LIB.ota, chunks = 0, t0;
process.memory();
var base = process.memory(false).usage, peak = base;
// Two figures: the live set (process.memory() collects cyclic garbage first, as the interpreter
// does by itself when it runs short) and the usage without collection (an upper bound).
var phasePeak = base, cur = "start", peaks = {}, raw = base;
var sample = function () {
  var r = process.memory(false).usage; if (r > raw) raw = r;
  var u = process.memory().usage; if (u > peak) peak = u; if (u > phasePeak) phasePeak = u;
};
var iv = setInterval(sample, 20);
ota.on("progress", function (p) { sample(); peaks[cur] = phasePeak - base; cur = p; phasePeak = process.memory().usage; });
var S = require("Storage"), w = S.write;
S.write = function (a, b, c, d) { chunks++; sample(); return w.call(S, a, b, c, d); };
ota.configure({ url: URL });
t0 = getTime();
ota.check(function (err, res) {
  var ms = Math.round((getTime() - t0) * 1000);
  clearInterval(iv);
  S.write = w;
  peaks[cur] = phasePeak - base;
  var st = ota.status();
  print("RESULT " + JSON.stringify({ ms: ms, writes: chunks, base: base, peakJsVars: peak - base, peakJsVarsByPhase: peaks, peakJsVarsWithoutGc: raw - base, bytesPerJsVar: process.memory().blocksize,
    res: res || null, err: err ? err.code + ": " + err.message : null, version: st.version, store: st.store, count: ota.store().count, phaseMs: st.lastPhases }));
  setTimeout(quit, 50);
});`;

/** Keys, bundles, PKI, images and the signed manifest for both runs. */
async function fixture() {
  const dir = mkdtempSync(path.join(tmpdir(), "etls-bench-ota-"));
  const key = generateKey();
  const keysFile = path.join(dir, "ota-keys.json");
  writeFileSync(keysFile, JSON.stringify({ keys: [key.publicKey] }));
  const saved = process.env.ESPRUINO_TLS_OTA_KEYS;
  process.env.ESPRUINO_TLS_OTA_KEYS = keysFile;
  const bundles = {};
  try {
    for (const b of ["linux", "esp32"]) bundles[b] = await buildBoard(b, { quiet: true, file: path.join(dir, `${b}.js`) });
  } finally { if (saved === undefined) delete process.env.ESPRUINO_TLS_OTA_KEYS; else process.env.ESPRUINO_TLS_OTA_KEYS = saved; }
  const chain = new Pki().chain({ label: "bench ota" });
  const root = anchorFromCertDer(chain.root.der);
  const moz = mozillaAnchors();
  const created = Math.floor(Date.now() / 1000) - 60;
  const img1 = buildImage([root], { version: 1, created }).image;
  const img2 = buildImage([root, ...moz], { version: 2, created }).image;
  const doc = signManifest({ image: img2, minLibrary: "0.0.1", keys: [key.privatePem] });
  return { dir, key, bundles, chain, img1, img2, anchors: moz.length + 1, doc, manifest: JSON.stringify(doc) };
}

async function mockUpdate(fx, url) {
  const b = createBoard({ board: "esp32" });
  try {
    b.loadLibrary(fx.bundles.esp32);
    b.install("etls.ca", fx.img1.toString("latin1"));
    const w0 = b.flash.writes;
    const r = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("mock update timed out")), 120000);
      b.define("URL", url);
      b.define("report", (x) => { clearTimeout(timer); resolve(JSON.parse(JSON.stringify(x))); });
      b.run(`var ota = require("espruino-tls").ota, t0 = Date.now();
        ota.configure({ url: URL });
        ota.check(function (err, res) { report({ ms: Date.now() - t0, phaseMs: ota.status().lastPhases, res: res || null, err: err ? err.code + ": " + err.message : null, count: ota.store().count }); });`, "bench-ota.js");
    });
    r.writes = b.flash.writes - w0;
    return r;
  } finally { b.close(); }
}

async function realRuns(bin, fx, srv) {
  const out = {};
  // Ed25519 with the test bundle (which exports the verifier), code in RAM.
  const testBundle = await buildBoard("linux", { test: true, quiet: true, file: path.join(fx.dir, "linux-test.js") });
  const sig = fx.doc.signatures[0].sig;
  let dir = mkdtempSync(path.join(tmpdir(), "etls-bench-ota-ed-"));
  try {
    writeFileSync(path.join(dir, "lib.js"), readFileSync(testBundle));
    writeFileSync(path.join(dir, "ed.js"), `var LIB = ${LOAD("lib.js")};\nvar PUB = ${JSON.stringify(fx.key.publicKey)}, SIG = ${JSON.stringify(sig)}, MSG = ${JSON.stringify(MANIFEST_CONTEXT + fx.doc.payload)};\n${ED_PROBE}\n`);
    const r = await runInterpreter(bin, dir, "ed.js", { timeoutMs: 300000 });
    const m = /RESULT (.*)/.exec(cleanOutput(r.out));
    out.ed25519 = m ? JSON.parse(m[1]) : { error: cleanOutput(r.out).slice(-2000) };
  } finally { rmSync(dir, { recursive: true, force: true }); }
  // The update: slot 0 holds store 1 in Storage; the product bundle (with the bench key) in RAM.
  dir = mkdtempSync(path.join(tmpdir(), "etls-bench-ota-up-"));
  try {
    writeFileSync(path.join(dir, "lib.js"), readFileSync(fx.bundles.linux));
    writeFileSync(path.join(dir, "s1.bin"), fx.img1);
    writeFileSync(path.join(dir, "install.js"), `var f = E.openFile("s1.bin", "r"), d = f.read(${fx.img1.length}); f.close(); require("Storage").write("etls.ca", d); setTimeout(quit, 0);`);
    const inst = await runInterpreter(bin, dir, "install.js", { timeoutMs: 60000 });
    if (/Uncaught|Error/.test(inst.out)) throw new Error(`installing store 1 failed:\n${cleanOutput(inst.out)}`);
    writeFileSync(path.join(dir, "up.js"), `var LIB = ${LOAD("lib.js")};\nvar URL = ${JSON.stringify(srv.url("/manifest.json"))};\n${UPDATE_PROBE}\n`);
    const t = process.cpuUsage();
    const r = await runInterpreter(bin, dir, "up.js", { timeoutMs: 600000 });
    const m = /RESULT (.*)/.exec(cleanOutput(r.out));
    out.update = m ? JSON.parse(m[1]) : { error: cleanOutput(r.out).slice(-3000) };
    out.update.hostCpuMsDuringRun = Math.round((process.cpuUsage(t).user + process.cpuUsage(t).system) / 1000);
  } finally { rmSync(dir, { recursive: true, force: true }); }
  return out;
}

export async function benchOta({ real = false } = {}) {
  const fx = await fixture();
  const srv = await serveOta({
    files: { "/manifest.json": fx.manifest, "/castore-2.bin": fx.img2 },
    cert: fx.chain.leaf.pem + fx.chain.inter.pem, key: readFileSync(fx.chain.leaf.keyFile, "utf8"),
  });
  const result = {
    image: { anchors: fx.anchors, bytes: fx.img2.length, manifestBytes: fx.manifest.length },
    bundleBytes: { linux: statSync(fx.bundles.linux).size, esp32: statSync(fx.bundles.esp32).size },
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  try {
    result.mock = { board: "esp32", note: "Node speed; JsVars not counted", update: await mockUpdate(fx, srv.url("/manifest.json")) };
    const bin = real ? espruinoBin() : null;
    if (bin) {
      result.real = { interpreter: bin, code: "RAM (eval of the bundle)", ...(await realRuns(bin, fx, srv)) };
    } else result.real = "skipped (no --real or no ESPRUINO_BIN)";
  } finally {
    await srv.close();
    rmSync(fx.dir, { recursive: true, force: true });
  }
  return result;
}
