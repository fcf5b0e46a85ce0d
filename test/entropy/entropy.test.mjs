// The entropy module of the built product bundle, booted in the board mock of every board type:
// good sources work; stuck, biased, repeating and fixed-seed sources are refused with an error
// naming the source and the test; the ESP32 radio condition; the seed file (mixed in, rewritten
// at once, survives a power cut during the rewrite); random() argument handling.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { createBoard, Flash } from "../../tools/mock/board.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";
import { loadBoard, boardNames } from "../../tools/lib/boards.mjs";
import { buildBoard } from "../../tools/build.mjs";

const bundle = (board, t) => bundlePath(board, t);
const BOARDS = boardNames();
for (const b of BOARDS) if (!existsSync(bundle(b, false))) await buildBoard(b, { quiet: true });

const SEEDS = [".etls-seed0", ".etls-seed1"];
const isPeek = (board) => loadBoard(board).entropy.source === "peek32";

/** A deterministic source that passes the health tests: SHA-256 in counter mode from `seed`. */
function streamSource(seed) {
  let ctr = 0, buf = Buffer.alloc(0);
  return () => {
    if (buf.length < 4) buf = createHash("sha256").update(seed).update(String(ctr++)).digest();
    const v = buf.readUInt32LE(0);
    buf = buf.subarray(4);
    return v;
  };
}

/**
 * Boots a board on `flash` with the product bundle loaded.
 * opts: entropy (mock source), wifi ("on" | "off" | "none": the Wifi module of peek32 boards),
 * time (pin getTime() so that only the source and Storage differ between boots).
 */
function boot(board, opts = {}) {
  const b = createBoard({ board, entropy: opts.entropy || "good", flash: opts.flash, wifi: opts.wifi || "on" });
  if (opts.time !== undefined) b.define("getTime", () => opts.time);
  const lib = b.loadLibrary(bundle(board, false));
  return { b, lib, flash: b.flash };
}

const hex = (u) => Buffer.from(u).toString("hex");
const slots = (flash) => SEEDS.map((n) => (flash.files.has(n) ? Buffer.from(flash.files.get(n).bytes).toString("hex") : null));
function refused(lib, pattern) {
  let err = null;
  try { lib.random(16); } catch (e) { err = e; }
  assert.ok(err, "random() must throw");
  assert.equal(err.code, "ENTROPY_FAILED", String(err && err.message));
  if (pattern) assert.match(err.message, pattern);
  return err;
}

for (const board of BOARDS) {
  test(`${board}: a good source passes the start-up test and gives distinct bytes`, () => {
    const { b, lib, flash } = boot(board);
    try {
      const before = lib.entropyStatus();
      assert.equal(before.health, "untested");
      assert.equal(before.samples, 0);
      const r1 = lib.random(32), r2 = lib.random(32);
      assert.equal(r1.length, 32);
      assert.notEqual(hex(r1), hex(r2));
      const s = lib.entropyStatus();
      assert.equal(s.health, "ok");
      assert.equal(s.source, b.require("espruino-tls").entropyStatus().source);
      assert.ok(s.samples >= 1024, "start-up test over at least 1024 samples");
      assert.equal(s.bytes, 64);
      assert.equal(s.seedFile, "rewritten");
      assert.equal(s.error, undefined);
      assert.equal(s.minEntropyBitsPerSample, loadBoard(board).entropy.minEntropyBitsPerSample);
      const src = loadBoard(board).entropy.source;
      assert.ok(s.source.startsWith(src), s.source);
      assert.equal(slots(flash).filter((x) => x).length, 1, "one seed slot written at boot");
    } finally { b.close(); }
  });

  const bad = [
    ["stuck", /repetition count test/],
    ["biased", /bit proportion test/],
    ["repeating", /adaptive proportion test/],
    ["fixed-seed", /fixed-seed generator test.*first output after boot/],
  ];
  for (const [kind, why] of bad) {
    test(`${board}: a ${kind} source is refused, for good, with the source and the test named`, () => {
      const { b, lib, flash } = boot(board, { entropy: kind });
      try {
        const label = lib.entropyStatus().source;
        const e = refused(lib, why);
        assert.ok(e.message.includes(label), e.message);
        assert.match(e.message, /start-up test/);
        assert.match(e.message, /no random output until reboot/);
        assert.equal(e.detail.phase, "start-up");
        const s = lib.entropyStatus();
        assert.equal(s.health, "failed");
        assert.equal(s.error, e.message);
        refused(lib, why); // and again: no silent recovery, no fallback
        assert.throws(() => lib.random(0), (x) => x.code === "ENTROPY_FAILED");
        assert.deepEqual(slots(flash), [null, null], "no seed file written from a failed source");
      } finally { b.close(); }
    });
  }

  test(`${board}: the fixed-seed generator is recognised at any point of its sequence`, () => {
    // The generator after 12345 outputs (e.g. something called Math.random before us).
    const gen = streamOfRand(12345);
    const { b, lib } = boot(board, { entropy: gen });
    try {
      const e = refused(lib, /fixed-seed generator test/);
      assert.doesNotMatch(e.message, /first output after boot/);
    } finally { b.close(); }
  });

  test(`${board}: a source that fails after start-up stops all output at the next reseed`, () => {
    let n = 0;
    const good = streamSource("late failure " + board);
    const { b, lib } = boot(board, { entropy: () => (++n > 1030 ? 0x01020304 : good()) });
    try {
      lib.random(16);
      let err = null, calls = 0;
      try { for (; calls < 5000; calls++) lib.random(1); } catch (e) { err = e; }
      assert.ok(err, "a reseed must have drawn the stuck samples");
      assert.equal(err.code, "ENTROPY_FAILED");
      assert.match(err.message, /repetition count test.*during the reseed test/);
      assert.ok(calls > 1000 && calls < 1024, `the reseed comes after RESEED_INTERVAL (1024) requests, not after ${calls}`);
      assert.equal(lib.entropyStatus().health, "failed");
      refused(lib, /repetition count test/);
    } finally { b.close(); }
  });
}

test("esp32/esp32c3: the RNG register is read only while the radio is on", () => {
  for (const board of BOARDS.filter(isPeek)) {
    const off = boot(board, { wifi: "off" });
    try {
      const e = refused(off.lib, /WiFi is off.*only random while the radio is on/);
      assert.equal(e.detail.test, "precondition");
      assert.equal(off.lib.entropyStatus().health, "unavailable");
    } finally { off.b.close(); }
    const none = boot(board, { wifi: "none" });
    try { refused(none.lib, /radio state is unknown/); } finally { none.b.close(); }
    // Not a permanent failure: the same boot retries once WiFi is up.
    let radio = false;
    const b = createBoard({ board, wifi: () => radio });
    try {
      const lib = b.loadLibrary(bundle(board, false));
      refused(lib, /WiFi is off/);
      radio = true;
      assert.equal(lib.random(8).length, 8);
      assert.equal(lib.entropyStatus().health, "ok");
    } finally { b.close(); }
  }
});

test("random(n): lengths 0, 1, 31, 33, 65537 (more than one DRBG request); bad n refused", () => {
  const { b, lib } = boot("linux");
  try {
    assert.equal(lib.random(0).length, 0);
    assert.equal(lib.random(1).length, 1);
    assert.equal(lib.random(31).length, 31);
    assert.equal(lib.random(33).length, 33);
    const big = lib.random(65537);
    assert.equal(big.length, 65537);
    assert.notEqual(hex(big.subarray(0, 32)), hex(big.subarray(65504, 65536)));
    for (const n of [-1, 1.5, NaN, "8"]) assert.throws(() => lib.random(n), (e) => e.code === "ENTROPY_BAD_LENGTH");
    assert.equal(lib.entropyStatus().health, "ok", "a bad argument is not a source failure");
  } finally { b.close(); }
});

test("seed file: rewritten at every boot into the older slot, generation counting up", () => {
  let flash = new Flash(loadBoard("esp32").storage.bytes);
  const gens = [];
  for (let i = 0; i < 4; i++) {
    const { b, lib } = boot("esp32", { flash });
    try {
      const before = slots(flash);
      lib.random(4);
      const after = slots(flash);
      assert.notDeepEqual(after, before, "rewritten before the first output");
      const newest = after.map((h) => (h ? Buffer.from(h, "hex").readUInt32LE(0) : -1));
      gens.push(Math.max(...newest));
      if (i > 0) assert.equal(after.filter((h, k) => h !== before[k]).length, 1, "only one slot changes per boot");
      lib.random(4);
      assert.deepEqual(slots(flash), after, "written once per boot");
    } finally { b.close(); }
    flash = flash.reboot();
  }
  assert.deepEqual(gens, [1, 2, 3, 4]);
});

test("two boots with the same source and clock but different seed files give different streams", () => {
  const empty = new Flash(loadBoard("linux").storage.bytes);
  const run = (flash) => {
    const { b, lib } = boot("linux", { flash, entropy: streamSource("same physical source"), time: 1700000000 });
    try { return hex(lib.random(64)); } finally { b.close(); }
  };
  const first = run(empty.reboot());
  assert.equal(run(empty.reboot()), first, "same source, clock and Storage give the same stream: the seed file is the only difference below");
  const other = empty.reboot();
  const o = boot("linux", { flash: other }); // an earlier boot left a seed file
  try { o.lib.random(1); } finally { o.b.close(); }
  assert.notEqual(run(other.reboot()), first);
  // A chain of boots on one flash, deterministic source, stopped clock: every stream is new.
  let f = new Flash(loadBoard("linux").storage.bytes);
  const seen = new Set();
  for (let i = 0; i < 6; i++) {
    const s = run(f);
    assert.ok(!seen.has(s), `boot ${i} repeats a stream`);
    seen.add(s);
    f = f.reboot();
  }
});

test("a power cut during the seed-file rewrite: no output from that boot, the next boot works and differs", () => {
  const src = () => streamSource("weak source at boot");
  let flash = new Flash(loadBoard("esp32").storage.bytes);
  const streams = new Set();
  const run = (fl, expectCut) => {
    const { b, lib } = boot("esp32", { flash: fl, entropy: src(), time: 42 });
    try {
      if (expectCut) {
        fl.cutPowerAfter(0);
        const e = refused(lib, /seed file .* could not be rewritten/);
        assert.equal(e.detail.test, "seed file");
        assert.equal(lib.entropyStatus().seedFile, "write-failed");
        return null;
      }
      const s = hex(lib.random(64));
      assert.ok(!streams.has(s), "a stream repeated");
      streams.add(s);
      return s;
    } finally { b.close(); }
  };
  run(flash, false);
  flash = flash.reboot();
  run(flash, true); // power lost while rewriting the seed file: that boot returned nothing
  flash = flash.reboot();
  run(flash, false);
  flash = flash.reboot();
  // Espruino's Storage.write erases the old file first, then writes the new one (src/jsflash.c
  // jsfWriteFile), which the mock does atomically: emulate the two torn states a cut can leave in
  // the slot a boot rewrites (the older one), then boot on them.
  const torn = [
    ["erased, new copy not started", (f, slot) => f.files.delete(slot)],
    ["header written, data not (0xFF tail)", (f, slot) => f.files.get(slot).bytes.fill(0xff, 4)],
  ];
  for (const [what, tear] of torn) {
    assert.ok(SEEDS.every((n) => flash.files.has(n)), "both slots in use");
    tear(flash, olderSlot(flash));
    assert.ok(run(flash, false), what);
    flash = flash.reboot();
  }
  assert.equal(streams.size, 4);
});

function olderSlot(flash) {
  const g = SEEDS.map((n) => (flash.files.has(n) ? Buffer.from(flash.files.get(n).bytes).readUInt32LE(0) : -1));
  return g[0] <= g[1] ? SEEDS[0] : SEEDS[1];
}

/** The interpreter's rand() after `skip` outputs. */
function streamOfRand(skip) {
  let w = 0xdeadbeef, z = 0xcafebabe;
  const next = () => {
    z = (36969 * (z & 65535) + (z >>> 16)) >>> 0;
    w = (18000 * (w & 65535) + (w >>> 16)) >>> 0;
    return ((((z << 16) >>> 0) + w) >>> 0) & 0x7fffffff;
  };
  for (let i = 0; i < skip; i++) next();
  return next;
}

test("status after a good boot is what npm start prints", () => {
  const { b, lib } = boot("esp32", { entropy: () => randomBytes(4).readUInt32LE(0) });
  try {
    lib.random(16);
    const s = lib.entropyStatus();
    assert.deepEqual(Object.keys(s).sort(), ["bytes", "health", "minEntropyBitsPerSample", "reseeds", "samples", "seedFile", "source"]);
    assert.match(s.source, /^peek32 RNG register 0x3ff75144$/);
  } finally { b.close(); }
});

test("board profiles: the stated min-entropy per sample must be a tabulated integer (1..8 bits)", async () => {
  const { validateProfile } = await import("../../tools/lib/boards.mjs");
  for (const h of [0, 0.5, 9, 32]) {
    const p = structuredClone(loadBoard("esp32"));
    p.entropy.minEntropyBitsPerSample = h;
    assert.throws(() => validateProfile(p), /minEntropyBitsPerSample: must be an integer from 1 to 8/, String(h));
  }
});
