// Power-fail safety of a CA list update on the board mock: the power is cut after every single
// Storage write of an update (each cut point in turn), the board boots again, and it must come
// up with a complete, verified store, old or new, never none; then a new check completes the
// update. Real Storage does not replace a file atomically (src/jsflash.c jsfWriteFile erases the
// old copy first, then writes the new one): the torn states a cut can leave in the file being
// written are emulated too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { otaFixture, runOn, CHECK, BOOT, SLOT0, SLOT1 } from "../helpers/ota-dev.mjs";

const BOARD = "esp32"; // 4 KB TLS records: the image arrives in many writes
let fx, srv, baseFlash, cfg, img2;

/** Logs every Storage write/erase of board b: [{ op, name, n }] with n = flash write count after it. */
function logWrites(b) {
  const S = b.require("Storage");
  const log = [];
  for (const op of ["write", "erase", "compact"]) {
    const orig = S[op];
    S[op] = (...a) => { const r = orig(...a); log.push({ op, name: a[0], offset: a[2], n: b.flash.writes }); return r; };
  }
  return log;
}

let srv3, cfg3, flashV2;

before(async () => {
  fx = await otaFixture({ boards: [BOARD] });
  const img1 = fx.image(1, { pad: 5 });
  img2 = fx.image(2, { pad: 60 });
  srv = await fx.server({ "/manifest.json": fx.manifest(img2), "/castore-2.bin": img2 }, { chunk: 2048 });
  cfg = { CFG: { url: srv.url("/manifest.json") } };
  const b = fx.board({ board: BOARD, store: img1 });
  b.close();
  baseFlash = b.flash.reboot();
  // The second update: v2 is active in slot 1, v3 goes into slot 0 (erasing v1), with a key
  // rotation (one more state record) and signed by the new key.
  const img3 = fx.image(3, { pad: 50 });
  const rot = fx.rotation(2, [1], [0]);
  srv3 = await fx.server({ "/manifest.json": fx.manifest(img3, { signers: [1], rotations: [rot] }), "/castore-3.bin": img3 }, { chunk: 1536 });
  cfg3 = { CFG: { url: srv3.url("/manifest.json") } };
  const f = baseFlash.reboot();
  const r = (await runOn(fx.board({ board: BOARD, flash: f }), CHECK, cfg)).result;
  assert.equal(r.res.status, "updated");
  flashV2 = f.reboot();
});
after(async () => { if (srv) await srv.close(); if (srv3) await srv3.close(); });

async function bootAndCheck(flash, label, versions = [1, 2]) {
  const b = fx.board({ board: BOARD, flash });
  const r = (await runOn(b, BOOT)).result;
  assert.equal(r.error, undefined, `${label}: the board booted without a usable store: ${r.error}`);
  assert.ok(versions.includes(r.version), `${label}: version ${r.version}`);
  assert.equal(r.verified, true, `${label}: the store re-opens with its SHA-256 checked`);
  assert.equal(r.status.fallback, false, `${label}: no fallback needed`);
  return { b, r };
}

/** Cuts the power after write 0, 1, 2, ... of the update from `base` until one run completes. */
async function everyCutPoint(base, c, from, to) {
  // Reference run: the writes of one whole update.
  const ref = base.reboot();
  const rb = fx.board({ board: BOARD, flash: ref });
  const w0 = ref.writes;
  const log = logWrites(rb);
  const done = (await runOn(rb, CHECK, c)).result;
  assert.equal(done.err, null, done.err && done.err.message);
  assert.equal(done.res.status, "updated");
  const total = ref.writes - w0;
  const imageWrites = log.filter((l) => l.name === done.status.store && l.op === "write").length;
  assert.ok(imageWrites >= 10, `the image arrived in ${imageWrites} writes`);
  assert.ok(log.filter((l) => l.name.startsWith("ota.state.")).length >= 2, "switch and confirm records");
  // The number of writes varies a little from run to run (how the image's TLS records arrive):
  // cut after write 0, 1, 2, ... until an update runs to its end before the cut.
  const seen = [];
  let completed = false;
  for (let n = 0; !completed; n++) {
    assert.ok(n < total + 20, "the update never completed");
    const f = base.reboot();
    const b = fx.board({ board: BOARD, flash: f });
    f.cutPowerAfter(n);
    const r = await runOn(b, CHECK, c);
    if (!r.cut) {
      completed = true;
      assert.equal(r.result.err, null);
      assert.ok(n >= 10, `only ${n} writes`);
    }
    const { b: b2, r: boot } = await bootAndCheck(f.reboot(), `cut after write ${n}`, [from, to]);
    const state = boot.version + (boot.status.trial ? "t" : "");
    const changed = seen.length && seen[seen.length - 1] !== state;
    seen.push(state);
    // The next check finishes the job (a trial store is health-checked and kept). Checked after
    // the first cut, every third, and wherever the booted state changed (the rest boot alike).
    if (!(n === 0 || n % 3 === 0 || changed || completed)) { b2.close(); continue; }
    const again = (await runOn(b2, CHECK, c)).result;
    assert.equal(again.err, null, `after the cut at ${n}: ${again.err && again.err.message}`);
    assert.ok(["updated", "current"].includes(again.res.status), again.res.status);
    assert.equal(again.status.version, to);
    assert.equal(again.status.trial, false);
    assert.equal(again.store.name, again.status.store);
  }
  // Old store until the switch record, then the new one (on trial until confirmed).
  const firstNew = seen.findIndex((v) => v !== String(from));
  assert.ok(firstNew > imageWrites, `switched only after the image was written: ${seen.join(" ")}`);
  assert.ok(seen.slice(firstNew).every((v) => v.startsWith(String(to))), seen.join(" "));
  assert.ok(seen.includes(to + "t") && seen[seen.length - 1] === String(to), seen.join(" "));
  console.log(`# ${from} -> ${to}: ${seen.length} cut points (reference run: ${total} writes, ${imageWrites} image chunks); boots saw: ${seen.join(" ")}`);
  return log;
}

test("a power cut after every single Storage write of an update: always a complete, verified store; the update then completes", async () => {
  await everyCutPoint(baseFlash, cfg, 1, 2);
});

test("the same for a second update: the old slot erased and rewritten, a key rotation, both state records in use", async () => {
  const log = await everyCutPoint(flashV2, cfg3, 2, 3);
  assert.ok(log.some((l) => l.op === "erase" && l.name === SLOT0), "slot 0 (v1) was erased first");
  assert.ok(log.filter((l) => l.name.startsWith("ota.state.")).length >= 3, "rotation, switch and confirm records");
});

test("torn writes as real Storage leaves them (old copy erased, new one unwritten): still a complete, verified store", async () => {
  const ref = baseFlash.reboot();
  const rb = fx.board({ board: BOARD, flash: ref });
  const w0 = ref.writes;
  const log = logWrites(rb);
  assert.equal((await runOn(rb, CHECK, cfg)).result.res.status, "updated");
  const tears = [
    ["erased, new copy not started", (fl, name) => { fl.files.delete(name); }],
    ["header written, data still 0xFF", (fl, name) => { const r = fl.files.get(name); if (r) r.bytes.fill(0xff, Math.min(4, r.bytes.length)); }],
  ];
  let cases = 0;
  for (const l of log) {
    if (l.op !== "write" || (l.offset && l.offset > 0)) continue; // only writes that (re)create a file
    const n = l.n - w0 - 1; // the cut leaves the flash as after n writes, this one torn
    for (const [what, tear] of tears) {
      const f = baseFlash.reboot();
      const b = fx.board({ board: BOARD, flash: f });
      f.cutPowerAfter(n);
      await runOn(b, CHECK, cfg);
      const g = f.reboot();
      tear(g, l.name);
      const { b: b2, r } = await bootAndCheck(g, `${l.name} ${what}`);
      b2.close();
      if (l.name === SLOT1) assert.equal(r.version, 1, "a torn image is never used");
      cases++;
    }
  }
  assert.ok(cases >= 6, `${cases} torn states`);
});

test("both state records lost (Storage erased but the stores kept): the board still opens a store", async () => {
  const ref = baseFlash.reboot();
  const rb = fx.board({ board: BOARD, flash: ref });
  assert.equal((await runOn(rb, CHECK, cfg)).result.res.status, "updated");
  const g = ref.reboot();
  g.files.delete("ota.state.0");
  g.files.delete("ota.state.1");
  const { r } = await bootAndCheck(g, "no state record");
  assert.equal(r.name, SLOT0, "slot 0 is the store the board was flashed with");
});
