// The CA store on the real Linux interpreter ($ESPRUINO_BIN; skipped without it): real
// flash-backed strings from Storage.read, the native SHA-256 over them, every Mozilla root
// found, and damaged stores refused with the same codes as in the mock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundlePath } from "../../tools/lib/paths.mjs";
import { buildBoard } from "../../tools/build.mjs";
import { runInterpreter, cleanOutput } from "../../tools/espruino-run.mjs";
import { buildImage } from "../../tools/castore/format.mjs";
import { mozillaAnchors } from "../../tools/bench-castore.mjs";
import { MOZILLA_BUNDLE } from "../../tools/castore/anchors.mjs";

const BIN = process.env.ESPRUINO_BIN;
const skip = !BIN ? "ESPRUINO_BIN not set" : !existsSync(MOZILLA_BUNDLE) ? "no " + MOZILLA_BUNDLE : false;

test("real interpreter: open, every Mozilla root by subject and key id, refusals", { skip }, async () => {
  const file = bundlePath("linux", false);
  if (!existsSync(file)) await buildBoard("linux", { quiet: true });
  const anchors = mozillaAnchors();
  const image = buildImage(anchors, { version: 9, created: 1763700000 }).image;
  const flip = Buffer.from(image); flip[20000] ^= 4;
  const v2 = Buffer.from(image); v2[4] = 2;
  const subj = Buffer.concat(anchors.map((a) => Buffer.concat([Buffer.from([a.subject.length >> 8, a.subject.length & 255]), a.subject])));
  const kids = Buffer.concat(anchors.filter((a) => a.ski).map((a) => Buffer.concat([Buffer.from([a.ski.length]), a.ski])));
  const dir = mkdtempSync(path.join(tmpdir(), "etls-castore-real-"));
  try {
    const files = [["etls.ca", image], ["ca.flip", flip], ["ca.v2", v2], ["ca.trunc", image.subarray(0, image.length - 7)], ["t.subj", subj], ["t.kid", kids]];
    files.forEach(([n, d], i) => writeFileSync(path.join(dir, `f${i}.bin`), d));
    writeFileSync(path.join(dir, "install.js"), `(function(){
  ${JSON.stringify(files.map(([n, d], i) => [n, `f${i}.bin`, d.length]))}.forEach(function (x) {
    var f = E.openFile(x[1], "r"), S = require("Storage"), o = 0, d;
    while ((d = f.read(2048)) !== undefined && d.length) { S.write(x[0], d, o, x[2]); o += d.length; }
    f.close();
  });
})();
setTimeout(quit, 0);`);
    const inst = await runInterpreter(BIN, dir, "install.js", { timeoutMs: 120000 });
    assert.doesNotMatch(inst.out, /Uncaught|Error/, cleanOutput(inst.out));
    // the bundle's code from RAM (bundle and stores together do not fit the 256 KB Linux Storage)
    const load = `(function(){ var m = { exports: {} }; (new Function("exports", "module", E.openFile(${JSON.stringify(file)}, "r").read(${statSync(file).size})))(m.exports, m); return m.exports; })()`;
    writeFileSync(path.join(dir, "t.js"), `var lib = ${load}, S = require("Storage"), r = {};
var st = lib.castore.open();
r.count = st.count; r.version = st.version; r.info = st.info();
var sb = S.read("t.subj"), o = 0, n = 0, found = 0, keys = 0;
while (o < sb.length) {
  var l = sb.charCodeAt(o) * 256 + sb.charCodeAt(o + 1), iss = E.toUint8Array(S.read("t.subj", o + 2, l));
  var a = st.findByIssuer(iss);
  if (a.length && a[0].subject === iss) found++;
  if (a.length && a[0].spki.length > 60) keys++;
  o += 2 + l; n++;
}
r.n = n; r.found = found; r.keys = keys;
var kb = S.read("t.kid"), kfound = 0; o = 0;
while (o < kb.length) { var kl = kb.charCodeAt(o); if (st.findByKeyId(E.toUint8Array(S.read("t.kid", o + 1, kl))).length) kfound++; o += 1 + kl; }
r.kidFound = kfound;
r.none = st.findByIssuer(new Uint8Array([0x30, 0])).length;
r.codes = {};
["ca.flip", "ca.v2", "ca.trunc", "ca.missing", "abcdefghijklmnopqrstuvwxyz012"].forEach(function (nm) {
  try { lib.castore.open(nm); r.codes[nm] = "OK"; } catch (e) { r.codes[nm] = e.code; }
});
print("RESULT " + JSON.stringify(r));`);
    const r = await runInterpreter(BIN, dir, "t.js", { timeoutMs: 300000 });
    const out = cleanOutput(r.out);
    assert.doesNotMatch(out, /Uncaught/, out);
    const m = /RESULT (.*)/.exec(out);
    assert.ok(m, out);
    const res = JSON.parse(m[1]);
    assert.equal(res.count, anchors.length);
    assert.equal(res.version, 9);
    assert.equal(res.info.bytes, image.length);
    assert.equal(res.n, anchors.length);
    assert.equal(res.found, anchors.length);
    assert.equal(res.keys, anchors.length);
    assert.equal(res.kidFound, anchors.filter((a) => a.ski).length);
    assert.equal(res.none, 0);
    assert.deepEqual(res.codes, {
      "ca.flip": "CASTORE_CORRUPT", "ca.v2": "CASTORE_VERSION", "ca.trunc": "CASTORE_TRUNCATED",
      "ca.missing": "CASTORE_NOT_FOUND", "abcdefghijklmnopqrstuvwxyz012": "CASTORE_BAD_NAME",
    });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
