// Parts of the entropy module on the built test bundle in the board mock: HMAC-DRBG against NIST
// CAVP known answers and an independent node:crypto implementation, the fixed-seed generator
// detector, and the health-test cut-offs at their boundaries.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { createBoard, flashFor } from "../../tools/mock/board.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";
import { buildBoard } from "../../tools/build.mjs";
import KAT from "./hmac-drbg-kat.mjs";

const bundle = (board, t) => bundlePath(board, t);
for (const b of ["linux", "espruino-wifi"]) if (!existsSync(bundle(b, true))) await buildBoard(b, { test: true, quiet: true });

function withTest(board, fn) {
  return () => {
    const b = createBoard({ board, flash: flashFor(board, bundle(board, true)) });
    try {
      b.loadLibrary(bundle(board, true), "espruino-tls-test");
      fn(b.require("espruino-tls-test").entropy, b);
    } finally { b.close(); }
  };
}
const hex = (u) => Buffer.from(u).toString("hex");
const u8 = (b, h) => b.realm.u8(Buffer.from(h || "", "hex"));

// Independent HMAC_DRBG (SP 800-90A 10.1.2) on node:crypto's HMAC.
class RefDrbg {
  constructor(e, n, p) { this.K = Buffer.alloc(32); this.V = Buffer.alloc(32, 1); this.update(Buffer.concat([e, n, p])); this.counter = 1; }
  mac(...d) { const h = crypto.createHmac("sha256", this.K); for (const x of d) h.update(x); return h.digest(); }
  update(d) {
    this.K = this.mac(this.V, Buffer.of(0), d); this.V = this.mac(this.V);
    if (d.length) { this.K = this.mac(this.V, Buffer.of(1), d); this.V = this.mac(this.V); }
  }
  reseed(e, a) { this.update(Buffer.concat([e, a])); this.counter = 1; }
  generate(n, a) {
    if (this.counter > 1024) return null;
    if (a.length) this.update(a);
    const out = [];
    let len = 0;
    while (len < n) { this.V = this.mac(this.V); out.push(this.V); len += 32; }
    this.update(a);
    this.counter++;
    return Buffer.concat(out).subarray(0, n);
  }
}

for (const board of ["linux", "espruino-wifi"]) {
  test(`${board}: HMAC-DRBG SHA-256 matches ${KAT.length} NIST CAVP known answers (outputs and internal states)`, withTest(board, (E, b) => {
    let states = 0;
    for (const c of KAT) {
      const d = E.drbg(u8(b, c.entropy), u8(b, c.nonce), c.pers ? u8(b, c.pers) : null);
      const st = (name) => {
        if (!c.states || !c.states[name]) return;
        assert.equal(hex(d.V), c.states[name][0], `${c.id} V after ${name}`);
        assert.equal(hex(d.K), c.states[name][1], `${c.id} Key after ${name}`);
        states++;
      };
      st("instantiate");
      let out;
      if (c.pr) { // prediction resistance: reseed before each generate (SP 800-90A 9.3.1)
        d.reseed(u8(b, c.pr[0][0]), u8(b, c.pr[0][1])); d.generate(128, null); st("gen1");
        d.reseed(u8(b, c.pr[1][0]), u8(b, c.pr[1][1])); out = d.generate(128, null); st("gen2");
      } else if (c.reseed !== undefined) {
        d.reseed(u8(b, c.reseed), u8(b, c.addReseed)); st("reseed");
        d.generate(128, u8(b, c.add1)); st("gen1");
        out = d.generate(128, u8(b, c.add2)); st("gen2");
      } else {
        d.generate(128, null);
        out = d.generate(128, null);
      }
      assert.equal(hex(out), c.expect, c.id);
    }
    assert.ok(states >= 50, "internal states checked too");
  }));
}

test("HMAC-DRBG: random inputs and request sizes agree with node:crypto, reseed counter enforced", withTest("linux", (E, b) => {
  let seed = 7;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const bytes = (n) => crypto.randomBytes(n);
  for (let k = 0; k < 40; k++) {
    const e = bytes(16 + rnd(80)), n = bytes(rnd(33)), p = bytes(rnd(3) ? rnd(100) : 0);
    const d = E.drbg(b.realm.u8(e), b.realm.u8(n), p.length ? b.realm.u8(p) : null);
    const r = new RefDrbg(e, n, p);
    for (let j = 0; j < 6; j++) {
      const len = [0, 1, 31, 32, 33, 64, 100, 1000][rnd(8)];
      const add = rnd(2) ? bytes(rnd(70)) : Buffer.alloc(0);
      if (rnd(4) === 0) { const re = bytes(32), ra = bytes(rnd(40)); d.reseed(b.realm.u8(re), b.realm.u8(ra)); r.reseed(re, ra); }
      assert.equal(hex(d.generate(len, add.length ? b.realm.u8(add) : null)), hex(r.generate(len, add)), `case ${k}.${j}`);
    }
  }
  // Reseed interval: generate refuses (null) once 1024 requests ran since the last (re)seed.
  const d = E.drbg(b.realm.u8(bytes(32)), b.realm.u8(bytes(16)), null);
  assert.equal(E.RESEED_INTERVAL, 1024);
  for (let i = 0; i < 1024; i++) assert.ok(d.generate(1, null), `request ${i + 1}`);
  assert.equal(d.generate(1, null), null);
  d.reseed(b.realm.u8(bytes(32)), null);
  assert.equal(d.generate(1, null).length, 1);
  assert.equal(d.generate(E.MAX_REQUEST + 1, null), null, "more than 2^19 bits per request refused");
}));

/** The interpreter's rand() (FACTS §4), independently of the mock's. */
function rand(skip) {
  let w = 0xdeadbeef, z = 0xcafebabe;
  const next = () => {
    z = (36969 * (z & 65535) + (z >>> 16)) >>> 0;
    w = (18000 * (w & 65535) + (w >>> 16)) >>> 0;
    return ((((z << 16) >>> 0) + w) >>> 0) & 0x7fffffff;
  };
  for (let i = 0; i < skip; i++) next();
  return next;
}

test("fixed-seed detector: finds the generator anywhere in its sequence, nothing else", withTest("linux", (E, b) => {
  const U32 = b.run("Uint32Array");
  const words = (f, n) => { const s = new U32(n); for (let i = 0; i < n; i++) s[i] = f(); return s; };
  const first = words(rand(0), 8);
  assert.equal(first[0], 2002641757);
  assert.equal(first[1], 1519824769);
  assert.equal(E.isFixedSeedStream(first, 0, 8), true);
  for (const skip of [1, 2, 1000, 123456, 9999999]) assert.equal(E.isFixedSeedStream(words(rand(skip), 8), 0, 8), true, `after ${skip} outputs`);
  // Any 3 consecutive outputs suffice for the recurrence; offsets inside a longer buffer work.
  const long = words(rand(77), 40);
  assert.equal(E.isFixedSeedStream(long, 13, 3), true);
  assert.equal(E.isFixedSeedStream(long, 30, 10), true);
  // Not the generator: random words, the generator with one bit flipped, outputs out of order,
  // every other output (a stream another reader interleaves with), 32-bit words.
  let fp = 0;
  for (let i = 0; i < 2000; i++) {
    const s = words(() => crypto.randomBytes(4).readUInt32LE(0) & 0x7fffffff, 8);
    if (E.isFixedSeedStream(s, 0, 8)) fp++;
  }
  assert.equal(fp, 0);
  for (let bit = 0; bit < 31; bit++) {
    const s = words(rand(5), 8);
    s[4 + (bit % 4)] ^= 1 << bit;
    assert.equal(E.isFixedSeedStream(s, 0, 8), false, `bit ${bit} flipped`);
  }
  const g = rand(3), swapped = words(g, 8);
  const t = swapped[2]; swapped[2] = swapped[3]; swapped[3] = t;
  assert.equal(E.isFixedSeedStream(swapped, 0, 8), false);
  const g2 = rand(0);
  assert.equal(E.isFixedSeedStream(words(() => { g2(); return g2(); }, 8), 0, 8), false);
  assert.equal(E.isFixedSeedStream(words(() => 0x80000000 + crypto.randomBytes(2).readUInt16LE(0), 8), 0, 8), false);
}));

test("health tests: each cut-off fails exactly at its boundary (H = 8 and H = 4)", withTest("linux", (E, b) => {
  const U32 = b.run("Uint32Array");
  let seq = 1;
  const fresh = () => (seq = (seq * 69069 + 1) % 4294967296) ^ 0x5bd1e995; // distinct, bit-balanced enough
  const run = (H, fill) => { const h = new E.Health(H); const s = new U32(1024); fill(s); return { r: h.check(s, 1024), h }; };
  const RCT = { 8: 4, 4: 6, 1: 21 }, APT = { 8: 13, 4: 62, 1: 311 };
  for (const H of [8, 4, 1]) {
    // Repetition count: C-1 identical samples in a row pass, C fail.
    for (const [reps, want] of [[RCT[H] - 1, 0], [RCT[H], 1]]) {
      const { r, h } = run(H, (s) => { for (let i = 0; i < 1024; i++) s[i] = fresh() >>> 0; for (let i = 0; i < reps; i++) s[100 + i] = 0xabcdef01; });
      assert.equal(r, want, `H=${H} RCT with ${reps} repeats: ${h.why}`);
    }
    // Adaptive proportion: the window's first value C-1 times passes, C times fails (spread out).
    for (const [count, want] of [[APT[H] - 1, 0], [APT[H], 2]]) {
      const { r, h } = run(H, (s) => {
        for (let i = 0; i < 1024; i++) s[i] = fresh() >>> 0;
        // window 0 starts with it; runs of at most 2 (below every RCT cut-off)
        for (let i = 0, k = 0; k < count; i++) if (i % 3 !== 2) { s[i] = 0x11223344; k++; }
      });
      assert.equal(r, want, `H=${H} APT with ${count} occurrences: ${h.why}`);
    }
  }
  // Bit proportion: 792 equal bits in a 1024-bit window pass, 793 fail. 24 all-ones words at the
  // positions i % 4 != 3 (never 4 equal words in a row), and 8 small words carrying the rest.
  for (const [ones, want] of [[792, 0], [793, 3]]) {
    const s = new U32(32);
    let extra = ones - 768;
    for (let i = 0; i < 32; i++) {
      if (i % 4 !== 3) { s[i] = 0xffffffff; continue; }
      const k = i === 31 ? extra : 3;
      s[i] = (2 ** k - 1) >>> 0;
      extra -= k;
    }
    const h = new E.Health(1); // H = 1: RCT and APT cut-offs out of reach, only the bit test matters
    assert.equal(h.check(s, 32), want, `${ones} ones: ${h.why}`);
  }
}));
