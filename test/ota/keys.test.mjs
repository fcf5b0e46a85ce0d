// Who may sign updates: a threshold of compiled keys, each signature counted once, key
// rotations in sequence signed by the current set and kept across reboots, and no signature
// standing for another kind of statement.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { otaFixture, runOn, CHECK, BOOT } from "../helpers/ota-dev.mjs";

let fx, img1;
before(async () => {
  // keys[0] and keys[1] compiled in, 2 of them needed.
  fx = await otaFixture({ compiled: 2, threshold: 2 });
  img1 = fx.image(1);
});

async function check(doc, img, o = {}) {
  const name = `/castore-${JSON.parse(JSON.parse(doc).payload).version}.bin`;
  const srv = await fx.server({ "/manifest.json": doc, [name]: img });
  try {
    const b = o.board || fx.board({ store: img1 });
    const r = (await runOn(b, CHECK, { CFG: { url: srv.url("/manifest.json") } })).result;
    return { r, b, srv };
  } finally { await srv.close(); }
}

test("threshold 2: one signature is not enough, the same signature twice is still one", async () => {
  const img2 = fx.image(2);
  let x = await check(fx.manifest(img2, { signers: [0] }), img2);
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE");
  assert.match(x.r.err.message, /not signed by 2 key\(s\) of key set 1 \(1 valid\)/);
  const doc = JSON.parse(fx.manifest(img2, { signers: [0] }));
  doc.signatures = [doc.signatures[0], doc.signatures[0], { ...doc.signatures[0] }];
  x = await check(JSON.stringify(doc), img2);
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE", "a key's signature counts once however often it is listed");
  assert.equal(x.r.err.detail.valid, 1);
  // Two signatures by the same key (Ed25519 is deterministic, so the same bytes): still one.
  const two = JSON.parse(fx.manifest(img2, { signers: [0, 0] }));
  x = await check(JSON.stringify(two), img2);
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE");
  // A signature by a key outside the set does not count either.
  x = await check(fx.manifest(img2, { signers: [0, 2] }), img2);
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE");
  x = await check(fx.manifest(img2, { signers: [1, 0] }), img2);
  assert.equal(x.r.err, null, x.r.err && x.r.err.message);
  assert.equal(x.r.res.version, 2);
});

test("a key-set signature never counts for a manifest (each kind signs its own context)", async () => {
  const rot = fx.rotation(2, [2], [0, 1]);
  const img2 = fx.image(2);
  const doc = JSON.parse(fx.manifest(img2, { signers: [0, 1] }));
  doc.payload = rot.payload;
  doc.signatures = rot.signatures;
  const x = await check(JSON.stringify(doc), img2);
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE");
});

test("rotation: the current set signs key set 2; the new key signs from then on, across reboots; the old set is refused", async () => {
  const rot = fx.rotation(2, [2], [0, 1]);
  const img2 = fx.image(2);
  const x = await check(fx.manifest(img2, { signers: [2], rotations: [rot] }), img2);
  assert.equal(x.r.err, null, x.r.err && x.r.err.message);
  assert.equal(x.r.status.keysVersion, 2);
  // After a reboot the rotated set is still the one that counts: the old keys are refused even
  // without the rotation in the document.
  const b2 = fx.board({ flash: x.b.flash.reboot() });
  const img3 = fx.image(3);
  const y = await check(fx.manifest(img3, { signers: [0, 1] }), img3, { board: b2 });
  assert.equal(y.r.err.code, "OTA_BAD_SIGNATURE");
  assert.match(y.r.err.message, /key set 2/);
  // The rotation served again is not applied (nor counted) again; key 2 signs v3.
  const b3 = fx.board({ flash: y.b.flash.reboot() });
  const z = await check(fx.manifest(img3, { signers: [2], rotations: [rot] }), img3, { board: b3 });
  assert.equal(z.r.err, null, z.r.err && z.r.err.message);
  assert.equal(z.r.res.version, 3);
  assert.equal(z.r.status.keysVersion, 2);
});

test("rotation refusals: below the threshold, a gap in the sequence, a tampered key list", async () => {
  const img2 = fx.image(2);
  let x = await check(fx.manifest(img2, { signers: [2], rotations: [fx.rotation(2, [2], [0])] }), img2);
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE");
  assert.match(x.r.err.message, /key rotation 2/);
  assert.equal(x.r.status.keysVersion, 1);
  x = await check(fx.manifest(img2, { signers: [2], rotations: [fx.rotation(3, [2], [0, 1])] }), img2);
  assert.equal(x.r.err.code, "OTA_KEY_ROTATION_GAP");
  const rot = fx.rotation(2, [2], [0, 1]);
  rot.payload = rot.payload.replace(fx.keys[2].publicKey, fx.keys[3].publicKey);
  x = await check(fx.manifest(img2, { signers: [3], rotations: [rot] }), img2);
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE");
  assert.equal(x.r.status.keysVersion, 1);
  const boot = (await runOn(fx.board({ flash: x.b.flash.reboot() }), BOOT)).result;
  assert.equal(boot.version, 1);
  assert.equal(boot.status.keysVersion, 1);
});

test("a chain of rotations is applied in order in one check (1 -> 2 -> 3)", async () => {
  const r2 = fx.rotation(2, [2], [0, 1]);
  const r3 = fx.rotation(3, [3, 0], [2], { threshold: 1 });
  const img2 = fx.image(2);
  const x = await check(fx.manifest(img2, { signers: [3], rotations: [r3, r2] }), img2);
  // r3 listed first: it needs set 2, which is not there yet -> gap.
  assert.equal(x.r.err.code, "OTA_KEY_ROTATION_GAP");
  const y = await check(fx.manifest(img2, { signers: [3], rotations: [r2, r3] }), img2);
  assert.equal(y.r.err, null, y.r.err && y.r.err.message);
  assert.equal(y.r.status.keysVersion, 3);
});

test("a bundle built without OTA keys refuses every update", async () => {
  const none = await otaFixture({ compiled: 0 });
  const img2 = none.image(2);
  const srv = await none.server({ "/manifest.json": none.manifest(img2), "/castore-2.bin": img2 });
  try {
    const r = (await runOn(none.board({ store: none.image(1) }), CHECK, { CFG: { url: srv.url("/manifest.json") } })).result;
    assert.equal(r.err.code, "OTA_NO_KEYS");
    assert.equal(r.store.version, 1);
  } finally { await srv.close(); }
});
