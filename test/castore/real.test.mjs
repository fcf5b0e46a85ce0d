// The CA store on the real Linux interpreter ($ESPRUINO_BIN; skipped without it): real
// flash-backed strings from Storage.read, the native SHA-256 over them, every root of a store of
// Mozilla roots found, and damaged stores refused with the same codes as in the mock. The store
// holds as many Mozilla roots as fit the Linux profile's CA store budget (boards/linux.json: the
// layered bundle leaves 10 KB of its 256 KB Storage); the whole Mozilla store is refused as too large.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runInterpreter, cleanOutput, hostModule } from "../../tools/espruino-run.mjs";
import { testBundlePath } from "../helpers/firmware.mjs";
import { buildImage } from "../../tools/castore/format.mjs";
import { mozillaAnchors } from "../../tools/bench-castore.mjs";
import { MOZILLA_BUNDLE } from "../../tools/castore/anchors.mjs";
import { loadBoard } from "../../tools/lib/boards.mjs";

const BIN = process.env.ESPRUINO_BIN;
const skip = !BIN ? "ESPRUINO_BIN not set" : !existsSync(MOZILLA_BUNDLE) ? "no " + MOZILLA_BUNDLE : false;

/** The first n Mozilla roots, n as large as the board's CA store budget allows. */
function storeWithinBudget(all, budget) {
  const build = (n) => buildImage(all.slice(0, n), { version: 9, created: 1763700000 }).image;
  let n = all.length;
  while (n > 1 && build(n).length > budget) n--;
  return { anchors: all.slice(0, n), image: build(n) };
}

test("real interpreter: open, every root of a Mozilla store within the Linux budget by subject and key id, refusals", { skip }, async () => {
  const all = mozillaAnchors();
  const { anchors, image } = storeWithinBudget(all, loadBoard("linux").budgets.caStoreBytes);
  assert.ok(anchors.length >= 15 && anchors.length < all.length, `${anchors.length} of ${all.length} roots`);
  console.log(`# ${anchors.length} of ${all.length} Mozilla roots: ${image.length} bytes (budget ${loadBoard("linux").budgets.caStoreBytes})`);
  const whole = buildImage(all, { version: 9, created: 1763700000 }).image;
  const flip = Buffer.from(image); flip[image.length >> 1] ^= 4;
  const v2 = Buffer.from(image); v2[4] = 2;
  const subj = Buffer.concat(anchors.map((a) => Buffer.concat([Buffer.from([a.subject.length >> 8, a.subject.length & 255]), a.subject])));
  const kids = Buffer.concat(anchors.filter((a) => a.ski).map((a) => Buffer.concat([Buffer.from([a.ski.length]), a.ski])));
  const dir = mkdtempSync(path.join(tmpdir(), "etls-castore-real-"));
  try {
    // The store and the lookup lists go into Storage first; the three damaged stores are put in
    // one at a time by the test script (four copies of the store do not fit the 256 KB Linux
    // Storage together: "Unable to find or create file").
    const files = [["etls.ca", image], ["t.subj", subj], ["t.kid", kids], ["ca.flip", flip], ["ca.v2", v2], ["ca.trunc", image.subarray(0, image.length - 7)], ["ca.big", whole]];
    files.forEach(([n, d], i) => writeFileSync(path.join(dir, `f${i}.bin`), d));
    const put = `function put(x) {
  var f = E.openFile(x[1], "r"), S = require("Storage"), o = 0, d;
  while ((d = f.read(2048)) !== undefined && d.length) { S.write(x[0], d, o, x[2]); o += d.length; }
  f.close();
  if (o !== x[2]) throw new Error("put " + o + " of " + x[2] + " bytes of " + x[0]);
}
var FILES = ${JSON.stringify(files.map(([n, d], i) => [n, `f${i}.bin`, d.length]))};`;
    writeFileSync(path.join(dir, "install.js"), `${put}
FILES.slice(0, 3).forEach(put);
setTimeout(quit, 0);`);
    const inst = await runInterpreter(BIN, dir, "install.js", { timeoutMs: 120000 });
    assert.doesNotMatch(inst.out, /Uncaught|Error/, cleanOutput(inst.out));
    // the test bundle's code from RAM (a bundle and the stores together do not fit the 256 KB
    // Linux Storage; the layered product bundle reads its code from Storage, the test bundle is
    // one chunk: the same CA store code)
    const load = hostModule(await testBundlePath());
    writeFileSync(path.join(dir, "t.js"), `${put}
var lib = ${load}, S = require("Storage"), r = {};
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
S.erase("t.subj"); S.erase("t.kid");
["ca.flip", "ca.v2", "ca.trunc", "ca.big", "ca.missing", "abcdefghijklmnopqrstuvwxyz012"].forEach(function (nm, i) {
  var x = FILES[3 + i];
  if (x) { S.compact(); put(x); }
  try { lib.castore.open(nm); r.codes[nm] = "OK"; } catch (e) { r.codes[nm] = e.code; }
  if (x) S.erase(nm);
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
      "ca.flip": "CASTORE_CORRUPT", "ca.v2": "CASTORE_VERSION", "ca.trunc": "CASTORE_TRUNCATED", "ca.big": "CASTORE_TOO_LARGE",
      "ca.missing": "CASTORE_NOT_FOUND", "abcdefghijklmnopqrstuvwxyz012": "CASTORE_BAD_NAME",
    });
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
