// Every refusal of a CA list update: a clear error code, and the old store intact (the same
// bytes in its slot, still the active store, and still the one a reboot opens).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Pki } from "../../tools/lib/pki.mjs";
import { loadBoard } from "../../tools/lib/boards.mjs";
import { otaFixture, runOn, CHECK, BOOT, SLOT0, SLOT1, STATE_FILES } from "../helpers/ota-dev.mjs";

let fx, img1;
const now = () => Math.floor(Date.now() / 1000);
const sha = (b) => createHash("sha256").update(b).digest("hex");

before(async () => {
  fx = await otaFixture();
  img1 = fx.image(1);
});

/** One update check against a server with `files` on a board holding `store` (default img1). */
async function attempt(files, o = {}) {
  const srv = await fx.server(files, o.server || {});
  try {
    const b = o.boardOf ? o.boardOf() : fx.board({ store: o.store || img1 });
    if (o.prepare) o.prepare(b);
    const before = Buffer.from(b.flash.files.get(SLOT0).bytes);
    const cfg = { url: srv.url("/manifest.json"), ...(o.cfg || {}) };
    const r = (await runOn(b, CHECK, { CFG: cfg })).result;
    return { r, b, srv, before };
  } finally { await srv.close(); }
}

/** The old store is untouched, active, and what the next boot opens. */
async function intact(x, version = 1) {
  const { r, b, before } = x;
  assert.equal(r.status.version, version, "the active version is unchanged");
  assert.equal(r.store.version, version);
  assert.equal(r.store.name, SLOT0);
  assert.deepEqual(Buffer.from(b.flash.files.get(SLOT0).bytes), before, "slot 0 holds the same bytes");
  assert.equal(b.flash.files.has(SLOT1), false, "no half-written slot left behind");
  const again = (await runOn(fx.board({ flash: b.flash.reboot() }), BOOT)).result;
  assert.equal(again.error, undefined, again.error);
  assert.equal(again.version, version);
  assert.equal(again.verified, true);
}

const files = (img, manifest, name = "/castore-2.bin") => ({ "/manifest.json": manifest, [name]: img });

test("the happy path: a newer signed store is installed, verified and confirmed", async () => {
  const img2 = fx.image(2, { pad: 10 });
  const x = await attempt(files(img2, fx.manifest(img2)));
  assert.equal(x.r.err, null, x.r.err && x.r.err.message);
  assert.deepEqual(x.r.res, { status: "updated", version: 2 });
  assert.equal(x.r.status.store, SLOT1);
  assert.equal(x.r.status.trial, false);
  assert.equal(x.r.store.count, 11);
  assert.deepEqual(x.srv.requests, ["/manifest.json", "/castore-2.bin", "/manifest.json"], "manifest, image, health check");
  const boot = (await runOn(fx.board({ flash: x.b.flash.reboot() }), BOOT)).result;
  assert.equal(boot.version, 2);
  assert.equal(boot.status.floor, 2);
});

test("wrong key: a manifest signed by a key that is not compiled in", async () => {
  const img2 = fx.image(2);
  const x = await attempt(files(img2, fx.manifest(img2, { signers: [2] })));
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE");
  assert.match(x.r.err.message, /not signed by 1 key\(s\) of key set 1 \(0 valid\)/);
  assert.deepEqual(x.srv.requests, ["/manifest.json"], "the image is never fetched");
  await intact(x);
});

test("modified manifest: one field changed after signing", async () => {
  const img2 = fx.image(2);
  const doc = JSON.parse(fx.manifest(img2));
  doc.payload = doc.payload.replace(/"expires":(\d+)/, (m, t) => `"expires":${Number(t) + 86400 * 365}`);
  const x = await attempt(files(img2, JSON.stringify(doc)));
  assert.equal(x.r.err.code, "OTA_BAD_SIGNATURE");
  await intact(x);
});

test("modified image: the served image differs from the signed SHA-256 (same size)", async () => {
  const img2 = fx.image(2);
  const bad = Buffer.from(img2);
  bad[bad.length - 1] ^= 1;
  const x = await attempt(files(bad, fx.manifest(img2)));
  assert.equal(x.r.err.code, "OTA_HASH_MISMATCH");
  assert.match(x.r.err.message, /as written to flash does not match the manifest/);
  assert.equal(x.r.err.detail.sha256, sha(bad), "the hash of what reached flash");
  await intact(x);
});

test("older version: a manifest below the installed store version", async () => {
  const img3 = fx.image(3), img2 = fx.image(2);
  const x = await attempt(files(img2, fx.manifest(img2)), { store: img3 });
  assert.equal(x.r.err.code, "OTA_ROLLBACK");
  assert.match(x.r.err.message, /store 2 is older than store 3/);
  await intact(x, 3);
});

test("replayed manifest: the installed one is 'current' (no write); one already accepted then rolled back is refused", async () => {
  // v2 lacks the update server's root: its health check fails and the board rolls back to v1.
  const img2 = fx.image(2, { without: true });
  const m2 = fx.manifest(img2);
  const srv = await fx.server(files(img2, m2));
  try {
    const b = fx.board({ store: img1 });
    const cfg = { CFG: { url: srv.url("/manifest.json") } };
    const first = (await runOn(b, CHECK, cfg)).result;
    assert.equal(first.err.code, "OTA_HEALTH_FAILED", first.err.message);
    assert.equal(first.status.version, 1);
    assert.equal(first.status.rejected, 2);
    assert.equal(first.status.floor, 2, "the highest accepted version stays accepted");
    const writes = b.flash.writes;
    const b2 = fx.board({ flash: b.flash.reboot() }); // the floor survives a reboot
    const replay = (await runOn(b2, CHECK, cfg)).result;
    assert.equal(replay.err.code, "OTA_REPLAYED");
    assert.match(replay.err.message, /already accepted and rolled back/);
    assert.equal(replay.store.version, 1);
    assert.ok(b2.flash.writes <= writes + 2, "at most the entropy seed file was written");
  } finally { await srv.close(); }
  // The installed manifest served again: "current", and Storage is not written.
  const img3 = fx.image(3);
  const m3 = fx.manifest(img3);
  const srv3 = await fx.server(files(img3, m3, "/castore-3.bin"));
  try {
    const b = fx.board({ store: img1 });
    const cfg = { CFG: { url: srv3.url("/manifest.json") } };
    assert.equal((await runOn(b, CHECK, cfg)).result.res.status, "updated");
    const b2 = fx.board({ flash: b.flash.reboot() });
    const otaFiles = () => JSON.stringify([SLOT0, SLOT1, ...STATE_FILES].map((n) => b2.flash.files.has(n) ? Buffer.from(b2.flash.files.get(n).bytes).toString("hex") : null));
    const files0 = otaFiles();
    const again = (await runOn(b2, CHECK, cfg)).result;
    assert.deepEqual(again.res, { status: "current", version: 3 });
    assert.equal(otaFiles(), files0, "no slot or state record was written");
  } finally { await srv3.close(); }
});

test("expired manifest: refused even with a higher version and a valid signature", async () => {
  const img2 = fx.image(2);
  const x = await attempt(files(img2, fx.manifest(img2, { created: now() - 10 * 86400, expires: now() - 60 })));
  assert.equal(x.r.err.code, "OTA_EXPIRED");
  assert.deepEqual(x.srv.requests, ["/manifest.json"]);
  await intact(x);
});

test("image larger than the slot: refused from the manifest, before any download", async () => {
  const slot = loadBoard("linux").budgets.caStoreBytes;
  const big = Buffer.alloc(slot + 1, 7);
  const x = await attempt(files(big, fx.manifest(big, { version: 2 })));
  assert.equal(x.r.err.code, "OTA_TOO_LARGE");
  assert.match(x.r.err.message, new RegExp(`${slot + 1} bytes; this board's CA store slot holds ${slot}`));
  assert.deepEqual(x.srv.requests, ["/manifest.json"]);
  await intact(x);
});

test("image larger than its manifest says: the download stops at the signed size", async () => {
  const img2 = fx.image(2);
  const x = await attempt(files(Buffer.concat([img2, Buffer.alloc(100)]), fx.manifest(img2)));
  assert.equal(x.r.err.code, "OTA_SIZE_MISMATCH");
  await intact(x);
});

test("truncated download: the connection drops inside the image", async () => {
  // 22 roots (9,466 B): fits the Linux slot (10 KB) next to the layered bundle; cut at 5,000 bytes
  const img2 = fx.image(2, { pad: 22 });
  const x = await attempt(files(img2, fx.manifest(img2)), { server: { truncate: { "/castore-2.bin": 5000 } } });
  assert.equal(x.r.err.code, "OTA_TRUNCATED", x.r.err.message);
  await intact(x);
});

test("update server with an untrusted certificate: the manifest is never read", async () => {
  const otherPki = new Pki();
  const chain = otherPki.chain({ label: "untrusted" });
  const img2 = fx.image(2);
  const x = await attempt(files(img2, fx.manifest(img2)), { server: { chain } });
  assert.equal(x.r.err.code, "OTA_FETCH_FAILED");
  assert.ok(x.r.err.detail.cause, "the TLS/X.509 reason is kept");
  assert.match(x.r.err.message, /fetching the manifest .* failed/);
  assert.deepEqual(x.srv.requests, [], "no HTTP request was sent");
  await intact(x);
});

test("Storage full: the image does not fit next to the active store", async () => {
  const img2 = fx.image(2, { pad: 20 }); // within the Linux slot (10 KB)
  const x = await attempt(files(img2, fx.manifest(img2)), {
    prepare: (b) => {
      const S = b.require("Storage");
      // Fill Storage until the image cannot fit (a large bundle may already leave too little).
      const fill = S.getFree() - img2.length + 2000;
      if (fill > 0) assert.equal(S.write("filler", "x".repeat(fill)), true);
      assert.ok(S.getFree() < img2.length, "the image does not fit");
    },
  });
  assert.equal(x.r.err.code, "OTA_STORAGE_FULL");
  assert.match(x.r.err.message, /needs \d+ bytes of Storage, \d+ are free/);
  await intact(x);
});

test("library too old: the manifest's minimum library version is above this bundle's", async () => {
  const img2 = fx.image(2);
  const x = await attempt(files(img2, fx.manifest(img2, { minLibrary: "99.0.0" })));
  assert.equal(x.r.err.code, "OTA_LIBRARY_TOO_OLD");
  await intact(x);
});

test("a store whose header version differs from the manifest's is not switched to", async () => {
  const img5 = fx.image(5);
  const x = await attempt(files(img5, fx.manifest(img5, { version: 2, allowVersionMismatch: true })));
  assert.equal(x.r.err.code, "OTA_STORE_INVALID");
  await intact(x);
});

test("a manifest that is not JSON, or not a CA manifest", async () => {
  const img2 = fx.image(2);
  let x = await attempt(files(img2, "<html>not here</html>"));
  assert.equal(x.r.err.code, "OTA_BAD_MANIFEST");
  await intact(x);
  const doc = JSON.parse(fx.manifest(img2, { payloadExtra: { type: "something-else" } }));
  x = await attempt(files(img2, JSON.stringify(doc)));
  assert.equal(x.r.err.code, "OTA_BAD_MANIFEST");
  await intact(x);
});

test("HTTP error for the manifest: reported, nothing changes", async () => {
  const img2 = fx.image(2);
  const x = await attempt({ "/castore-2.bin": img2 });
  assert.equal(x.r.err.code, "OTA_FETCH_FAILED");
  assert.equal(x.r.err.detail.cause, "HTTP_STATUS");
  await intact(x);
});

test("HTTP 404 for the image: OTA_DOWNLOAD_FAILED with the status, nothing changes", async () => {
  const img2 = fx.image(2);
  const x = await attempt({ "/manifest.json": fx.manifest(img2) });
  assert.equal(x.r.err.code, "OTA_DOWNLOAD_FAILED", x.r.err.message);
  assert.equal(x.r.err.detail.status, 404);
  assert.deepEqual(x.srv.requests, ["/manifest.json", "/castore-2.bin"]);
  await intact(x);
});

test("an image URL where nothing listens: OTA_DOWNLOAD_FAILED, the connection error kept as its cause", async () => {
  const img2 = fx.image(2);
  const x = await attempt(files(img2, fx.manifest(img2, { imageUrl: "https://127.0.0.1:1/castore-2.bin" })));
  assert.equal(x.r.err.code, "OTA_DOWNLOAD_FAILED", x.r.err.message);
  assert.equal(x.r.err.detail.cause, "CONNECT_FAILED");
  await intact(x);
});

/** Makes the board's Storage.write throw (a flash error, not a full Storage) for files `which` names. */
function failingWrites(b, which) {
  const S = b.require("Storage"), write = S.write;
  S.write = function (name, ...rest) {
    if (which(name)) throw new Error("flash write error (test)");
    return write.call(this, name, ...rest);
  };
}

test("a Storage write that fails while the image is written: OTA_WRITE_FAILED, nothing changes", async () => {
  const img2 = fx.image(2);
  const x = await attempt(files(img2, fx.manifest(img2)), { prepare: (b) => failingWrites(b, (n) => n === SLOT1) });
  assert.equal(x.r.err.code, "OTA_WRITE_FAILED", x.r.err.message);
  assert.match(x.r.err.message, /writing etls\.ca\.b failed/);
  await intact(x);
});

test("the OTA state record cannot be written: OTA_WRITE_FAILED, the downloaded store is not switched to", async () => {
  const img2 = fx.image(2);
  const x = await attempt(files(img2, fx.manifest(img2)), { prepare: (b) => failingWrites(b, (n) => STATE_FILES.includes(n)) });
  assert.equal(x.r.err.code, "OTA_WRITE_FAILED", x.r.err.message);
  assert.match(x.r.err.message, /OTA state record/);
  assert.deepEqual(x.srv.requests, ["/manifest.json", "/castore-2.bin"], "downloaded, then refused before the switch");
  await intact(x);
});

test("no usable CA store in either slot: ota.store() throws CASTORE_NONE", async () => {
  const blank = (await runOn(fx.board({}), BOOT)).result;
  assert.match(blank.error, /^CASTORE_NONE: /);
  // the only store present is damaged
  const b = fx.board({ store: img1 });
  b.flash.files.get(SLOT0).bytes[100] ^= 0x40;
  const damaged = (await runOn(b, BOOT)).result;
  assert.match(damaged.error, /^CASTORE_NONE: /);
  assert.equal(damaged.status.store, "");
});
