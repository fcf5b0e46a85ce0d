// The entropy module on the real Linux interpreter ($ESPRUINO_BIN; skipped without it): the os-file
// source reads /dev/urandom through E.openFile, the start-up test passes, two boots differ, the seed
// slots are written, and the fixed-seed detector recognises the interpreter's own E.hwRand().
// The start-up test runs the product bundle from Storage (as installed on a board); the internals
// (entropy, util) are the test bundle's, read into RAM from its host file: it no longer fits the
// Linux build's 256 KB Storage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runInterpreter, cleanOutput, prepareFlash, hostModule } from "../../tools/espruino-run.mjs";
import { testBundlePath } from "../helpers/firmware.mjs";
import KAT from "./hmac-drbg-kat.mjs";

const BIN = process.env.ESPRUINO_BIN;
/** A fresh directory (empty flash) and the test bundle's exports as an interpreter expression. */
async function internalsDir() {
  return { dir: mkdtempSync(path.join(tmpdir(), "etls-entropy-real-")), lib: hostModule(await testBundlePath()) };
}

async function run(dir, code) {
  writeFileSync(path.join(dir, "s.js"), code + "\nsetTimeout(quit, 0);\n");
  const r = await runInterpreter(BIN, dir, "s.js", { timeoutMs: 120000 });
  const out = cleanOutput(r.out);
  assert.doesNotMatch(out, /Uncaught/, out);
  return out;
}

test("real interpreter: /dev/urandom source, start-up test, seed slots, two boots differ", { skip: !BIN && "ESPRUINO_BIN not set" }, async () => {
  const dir = await prepareFlash(BIN);
  try {
    const boot = `var lib = require("espruino-tls"), t0 = getTime(), r = lib.random(32), ms = (getTime() - t0) * 1000, h = "";
for (var i = 0; i < r.length; i++) h += (r[i] < 16 ? "0" : "") + r[i].toString(16);
print("OUT " + h);
print("STATUS " + JSON.stringify(lib.entropyStatus()));
print("MS " + ms.toFixed(1));
print("SLOTS " + require("Storage").list(/^\\.etls-seed/).join(","));`;
    const a = await run(dir, boot), b = await run(dir, boot);
    const out = (s) => /OUT ([0-9a-f]{64})/.exec(s)[1];
    const status = JSON.parse(/STATUS (.*)/.exec(a)[1]);
    assert.equal(status.source, "os-file /dev/urandom");
    assert.equal(status.health, "ok");
    assert.equal(status.samples, 1024);
    assert.equal(status.seedFile, "rewritten");
    assert.notEqual(out(a), out(b));
    assert.match(a, /SLOTS \.etls-seed0$/m);
    assert.match(b, /SLOTS \.etls-seed0,\.etls-seed1/);
    console.log(`# start-up (first random(32), bundle run from Storage): ${/MS (\S+)/.exec(a)[1]} ms, ${/MS (\S+)/.exec(b)[1]} ms`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("real interpreter: E.hwRand() is the fixed-seed generator and the detector says so", { skip: !BIN && "ESPRUINO_BIN not set" }, async () => {
  const { dir, lib } = await internalsDir();
  try {
    const out = await run(dir, `var X = ${lib}.entropy, s = new Uint32Array(16), u = new Uint32Array(16);
for (var i = 0; i < 16; i++) s[i] = E.hwRand() >>> 0;
X.readSamples(u, 16, new Uint16Array(16));
print("HWRAND " + s[0] + " " + X.isFixedSeedStream(s, 0, 16));
print("URANDOM " + X.isFixedSeedStream(u, 0, 16));`);
    assert.match(out, /HWRAND 2002641757 true/);
    assert.match(out, /URANDOM false/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("real interpreter: HMAC-DRBG known answers", { skip: !BIN && "ESPRUINO_BIN not set" }, async () => {
  const { dir, lib } = await internalsDir();
  try {
    writeFileSync(path.join(dir, "kat.jsonl"), KAT.map((c) => JSON.stringify(c)).join("\n") + "\n");
    const out = await run(dir, `var L = ${lib}, X = L.entropy, T = L.util;
function u(h) { return T.fromHex(h || ""); }
var f = E.openFile("kat.jsonl", "r"), buf = "", d, i, c, pass = 0, fail = 0;
while (true) {
  i = buf.indexOf("\\n");
  if (i < 0) { d = f.read(1024); if (d === undefined || !d.length) break; buf += d; continue; }
  c = JSON.parse(buf.substr(0, i)); buf = buf.substr(i + 1);
  var g = X.drbg(u(c.entropy), u(c.nonce), c.pers ? u(c.pers) : null), o;
  if (c.pr) { g.reseed(u(c.pr[0][0]), u(c.pr[0][1])); g.generate(128, null); g.reseed(u(c.pr[1][0]), u(c.pr[1][1])); o = g.generate(128, null); }
  else if (c.reseed !== undefined) { g.reseed(u(c.reseed), u(c.addReseed)); g.generate(128, u(c.add1)); o = g.generate(128, u(c.add2)); }
  else { g.generate(128, null); o = g.generate(128, null); }
  if (T.toHex(o) === c.expect) pass++; else { fail++; print("FAIL " + c.id); }
}
f.close();
print("KAT " + pass + " " + fail);`);
    assert.match(out, new RegExp(`KAT ${KAT.length} 0`), out);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
