// Curve25519 on the host: the firmware's field arithmetic against BigInt, X25519 against
// node:crypto and RFC 7748, Ed25519 verification against node:crypto signatures and RFC 8032.
// The firmware is the built test bundle in the board mock (test/helpers/firmware.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { loadFirmware } from "../helpers/firmware.mjs";

const { T } = await loadFirmware();
const C = T.c25519;
const hex = (u8) => Buffer.from(u8).toString("hex");
const bytes = (h) => new Uint8Array(Buffer.from(h, "hex"));

// ---- BigInt reference ----
const P = 2n ** 255n - 19n;
const mod = (x) => ((x % P) + P) % P;
const toBig = (a) => { let v = 0n; for (let i = 10; i >= 0; i--) v = v * 16777216n + BigInt(a[i]); return v; };
const leBig = (b) => { let v = 0n; for (let i = b.length - 1; i >= 0; i--) v = v * 256n + BigInt(b[i]); return v; };
const bigLe = (v) => { const o = new Uint8Array(32); for (let i = 0; i < 32; i++) { o[i] = Number(v & 255n); v >>= 8n; } return o; };
const powP = (b, e) => { let r = 1n; b = mod(b); while (e > 0n) { if (e & 1n) r = r * b % P; b = b * b % P; e >>= 1n; } return r; };

// A pseudo-random generator we can seed (reproducible failures).
let seed = 0x12345678;
const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 4294967296; };
const R = 2 ** 23 + 2 ** 19; // the "reduced" limb bound of field25519.ts
/** A field element whose limbs are all at most `bound` in absolute value; `edge` pushes them to ±bound. */
function randFe(bound, edge) {
  const a = C.fe();
  for (let i = 0; i < 11; i++) {
    const m = edge ? (rnd() < 0.5 ? -1 : 1) * Math.floor(bound) : Math.round((rnd() * 2 - 1) * bound);
    a[i] = m;
  }
  return a;
}
const maxLimb = (a) => Math.max(...Array.from(a, Math.abs));

// ---- node:crypto helpers ----
const X_PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const X_SPKI = Buffer.from("302a300506032b656e032100", "hex");
const E_PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
const xPriv = (k) => crypto.createPrivateKey({ key: Buffer.concat([X_PKCS8, Buffer.from(k)]), format: "der", type: "pkcs8" });
const xPub = (u) => crypto.createPublicKey({ key: Buffer.concat([X_SPKI, Buffer.from(u)]), format: "der", type: "spki" });
const nodeX25519 = (k, u) => new Uint8Array(crypto.diffieHellman({ privateKey: xPriv(k), publicKey: xPub(u) }));
const nodeX25519Pub = (k) => new Uint8Array(crypto.createPublicKey(xPriv(k)).export({ format: "der", type: "spki" }).subarray(12));

test("field: products, squares and feMulPM match BigInt at the limb bounds", () => {
  // The bound rule: max|a| * max|b| <= 10 R^2. Exercise it at the edges.
  const shapes = [[R, R], [2 * R, 2 * R], [2 * R, 5 * R], [Math.sqrt(10) * R, Math.sqrt(10) * R], [R, 10 * R], [3 * R, 3 * R]];
  for (const [ba, bb] of shapes) {
    for (let it = 0; it < 300; it++) {
      const edge = it % 3 === 0;
      const a = randFe(ba, edge), b = randFe(bb, edge), o = C.fe();
      C.feMul(o, a, b);
      assert.equal(mod(toBig(o)), mod(toBig(a) * toBig(b)), `feMul ${ba / R}R x ${bb / R}R`);
      assert.ok(maxLimb(o) <= R, "feMul output reduced");
      if (ba === bb) {
        C.feSqr(o, a);
        assert.equal(mod(toBig(o)), mod(toBig(a) * toBig(a)), `feSqr ${ba / R}R`);
        assert.ok(maxLimb(o) <= R, "feSqr output reduced");
      }
    }
  }
  for (let it = 0; it < 500; it++) {
    const edge = it % 2 === 0;
    const a = randFe(R, edge), b = randFe(R, edge), o = C.fe();
    const x = randFe(R, edge), n = C.fe();
    C.feMulPM(o, n, a, b, x);
    assert.equal(mod(toBig(o)), mod(toBig(x) + toBig(a) * toBig(b)), "feMulPM +");
    assert.equal(mod(toBig(n)), mod(toBig(x) - toBig(a) * toBig(b)), "feMulPM -");
    assert.ok(maxLimb(o) <= 2 * R && maxLimb(n) <= 2 * R);
    // Outputs aliasing the inputs (the ladder writes over its operands).
    const a3 = Float64Array.from(a), x3 = Float64Array.from(x);
    C.feMulPM(a3, x3, a3, b, x3);
    assert.equal(mod(toBig(a3)), mod(toBig(x) + toBig(a) * toBig(b)), "feMulPM aliased +");
    assert.equal(mod(toBig(x3)), mod(toBig(x) - toBig(a) * toBig(b)), "feMulPM aliased -");
    const e = C.fe(), f = C.fe();
    C.feA24(e, f, a, b);
    assert.equal(toBig(e), toBig(a) - toBig(b), "feA24 e");
    assert.equal(mod(toBig(f)), mod(toBig(a) + 121665n * (toBig(a) - toBig(b))), "feA24 f");
    assert.ok(maxLimb(f) <= R);
    // Aliasing: output = input.
    const a2 = Float64Array.from(a);
    C.feMul(a2, a2, a2);
    assert.equal(mod(toBig(a2)), mod(toBig(a) * toBig(a)), "feMul aliased");
    const b2 = Float64Array.from(b);
    C.feMul(b2, a, b2);
    assert.equal(mod(toBig(b2)), mod(toBig(a) * toBig(b)), "feMul aliased b");
  }
});

test("field: carry, encoding (canonical, edge values), inverse and pow22523", () => {
  const edges = [0n, 1n, 18n, 19n, P - 1n, P, P + 1n, P + 18n, 2n ** 255n - 1n, 2n ** 254n, 2n ** 24n - 1n, 2n ** 24n];
  for (const v of edges) {
    const b = bigLe(v);
    const a = C.fe();
    C.feFromBytes(a, b, 0);
    assert.ok(maxLimb(a) <= R);
    assert.equal(hex(C.feBytes(a)), hex(bigLe(mod(v))), "feFromBytes/feBytes " + v);
  }
  // bit 255 is ignored on input
  const hi = bigLe(5n); hi[31] |= 128;
  const a5 = C.fe(); C.feFromBytes(a5, hi, 0);
  assert.equal(hex(C.feBytes(a5)), hex(bigLe(5n)));
  for (let it = 0; it < 400; it++) {
    // feBytes takes any limbs below 2^30 (negative values, sums of several reduced values)
    const a = randFe(it % 2 ? 2 ** 29 : R, it % 4 === 0);
    assert.equal(hex(C.feBytes(a)), hex(bigLe(mod(toBig(a)))), "feBytes");
    const c = C.fe(); C.feCarry(c, randFe(2 ** 50, false));
    assert.ok(maxLimb(c) <= R, "feCarry reduces");
    const z = randFe(R, false), o = C.fe();
    C.feInvert(o, z);
    assert.equal(mod(toBig(o) * toBig(z)), 1n, "feInvert");
    if (it < 50) {
      C.fePow22523(o, z);
      assert.equal(mod(toBig(o)), powP(toBig(z), (P - 5n) / 8n), "fePow22523");
    }
  }
  const z0 = C.fe(), o0 = C.feInt(7);
  C.feInvert(o0, z0);
  assert.equal(mod(toBig(o0)), 0n, "1/0 = 0");
  // A few sums of limbs crossing every carry boundary: all ones (2^24 - 1) in every limb.
  const ones = C.fe(); ones.fill(16777215);
  assert.equal(hex(C.feBytes(ones)), hex(bigLe(mod(toBig(ones)))));
  const mones = C.fe(); mones.fill(-16777215);
  assert.equal(hex(C.feBytes(mones)), hex(bigLe(mod(toBig(mones)))));
});

test("X25519: RFC 7748 §5.2 and §6.1 vectors", () => {
  const v = [
    ["a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"],
    ["4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d", "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493", "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"],
  ];
  for (const [k, u, out] of v) {
    assert.equal(hex(C.x25519(bytes(k), bytes(u))), out);
    assert.equal(hex(nodeX25519(bytes(k), bytes(u))), out, "the vector itself (node:crypto)");
  }
  // §6.1 Diffie-Hellman
  const aPriv = bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const bPriv = bytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  const aPub = C.x25519Base(aPriv), bPub = C.x25519Base(bPriv);
  assert.equal(hex(aPub), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  assert.equal(hex(bPub), "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const k1 = C.x25519(aPriv, bPub), k2 = C.x25519(bPriv, aPub);
  assert.equal(hex(k1), "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  assert.equal(hex(k2), hex(k1));
});

test("X25519: RFC 7748 §5.2 iterated, 1 and 1,000 iterations", () => {
  // k = u = 9; then (k, u) = (X25519(k, u), k). The 1,000,000-iteration value is out of reach
  // here (about an hour in the vm); 1,000 iterations run every ladder path ~255,000 times.
  let k = new Uint8Array(32), u = new Uint8Array(32);
  k[0] = 9; u[0] = 9;
  for (let i = 1; i <= 1000; i++) {
    const r = C.x25519(k, u);
    u = k; k = r;
    if (i === 1) assert.equal(hex(k), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
  }
  assert.equal(hex(k), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
});

test("X25519: random keys agree with node:crypto (diffieHellman on KeyObjects)", () => {
  for (let it = 0; it < 64; it++) {
    const k = new Uint8Array(crypto.randomBytes(32)), k2 = new Uint8Array(crypto.randomBytes(32));
    const pub2 = nodeX25519Pub(k2);
    assert.equal(hex(C.x25519Base(k2)), hex(pub2), "public key");
    assert.equal(hex(C.x25519(k, pub2)), hex(nodeX25519(k, pub2)), "shared secret");
    // Small u, then arbitrary 32-byte u (on the curve or its twist, bit 255 set or not): RFC 7748
    // semantics.
    const us = new Uint8Array(32); us[0] = 2 + Math.floor(rnd() * 254); us[1] = Math.floor(rnd() * 256); us[2] = Math.floor(rnd() * 128);
    assert.equal(hex(C.x25519(k, us)), hex(nodeX25519(k, us)), "small u");
    const u = new Uint8Array(crypto.randomBytes(32));
    assert.equal(hex(C.x25519(k, u)), hex(nodeX25519(k, u)), "random u");
  }
});

test("X25519: non-canonical u, and all-zero results throw CRYPTO_ZERO_SHARED_SECRET", () => {
  const k = new Uint8Array(crypto.randomBytes(32));
  // u + p (for u < 19) is the same point: non-canonical inputs are reduced (RFC 7748 §5).
  for (const v of [9n, 10n, 18n]) {
    assert.equal(hex(C.x25519(k, bigLe(v + P))), hex(C.x25519(k, bigLe(v))));
  }
  // Small-order u: 0, 1, p-1 (order 2), p, p+1 and the order-8 points.
  const small = [0n, 1n, P - 1n, P, P + 1n,
    leBig(bytes("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")),
    leBig(bytes("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"))];
  for (const v of small) {
    assert.throws(() => C.x25519(k, bigLe(v)), (e) => e && e.code === "CRYPTO_ZERO_SHARED_SECRET", "u = " + v);
  }
  assert.throws(() => C.x25519(new Uint8Array(31), new Uint8Array(32)), (e) => e && e.code === "CRYPTO_BAD_KEY");
});

test("X25519 Job: bounded steps, same result as the synchronous call", () => {
  const k = new Uint8Array(crypto.randomBytes(32)), u = nodeX25519Pub(new Uint8Array(crypto.randomBytes(32)));
  const job = C.x25519Job(k, u);
  let steps = 0;
  while (!job.step()) steps++;
  // 255 ladder bits in slices of 4, then 254 squarings + 11 multiplications in slices of 40.
  assert.ok(steps >= 64 + 6 && steps <= 80, "steps " + steps);
  assert.equal(hex(job.result()), hex(nodeX25519(k, u)));
  assert.equal(job.step(), true, "step after done");
  // x25519BaseJob: the comb, 2 columns per step, then the inversion.
  const bj = C.x25519BaseJob(k);
  steps = 0;
  while (!bj.step()) steps++;
  assert.ok(steps >= 32 + 6 && steps <= 45, "base steps " + steps);
  assert.equal(hex(bj.result()), hex(nodeX25519Pub(k)));
});

test("Edwards constants and tables match a BigInt derivation", () => {
  const inv = (x) => powP(x, P - 2n);
  const d = mod(-121665n * inv(121666n));
  const sqrtm1 = powP(2n, (P - 1n) / 4n);
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const k = C.edConstantsHex();
  assert.equal(k.d, hex(bigLe(d)));
  assert.equal(k.d2, hex(bigLe(mod(2n * d))));
  assert.equal(k.sqrtm1, hex(bigLe(sqrtm1)));
  assert.equal(mod(sqrtm1 * sqrtm1), P - 1n);
  assert.equal(k.L, hex(bigLe(L)));
  // Base point: y = 4/5, x even (RFC 8032 §5.1).
  const By = mod(4n * inv(5n));
  const u = mod(By * By - 1n), v = mod(d * By * By + 1n);
  let Bx = mod(u * powP(v, 3n) * powP(u * powP(v, 7n), (P - 5n) / 8n));
  if (mod(v * Bx * Bx) !== u) Bx = mod(Bx * sqrtm1);
  if (Bx & 1n) Bx = P - Bx;
  const add = ([x1, y1], [x2, y2]) => {
    const t = mod(d * x1 * x2 * y1 * y2);
    return [mod((x1 * y2 + y1 * x2) * inv(1n + t)), mod((y1 * y2 + x1 * x2) * inv(1n - t))];
  };
  const mulPt = (n, pt) => { let r = [0n, 1n], q = pt; while (n > 0n) { if (n & 1n) r = add(r, q); q = add(q, q); n >>= 1n; } return r; };
  const cachedHex = ([x, y]) => hex(bigLe(mod(y + x))) + hex(bigLe(mod(y - x))) + hex(bigLe(mod(2n * d * x * y)));
  const B = [Bx, By];
  let odd = "";
  for (let i = 1n; i <= 15n; i += 2n) odd += cachedHex(mulPt(i, B));
  assert.equal(hex(C.oddBTable()), odd, "odd multiples of B");
  let comb = "";
  for (let j = 1; j <= 15; j++) {
    let r = [0n, 1n];
    for (let i = 0; i < 4; i++) if ((j >> i) & 1) r = add(r, mulPt(2n ** BigInt(64 * i), B));
    comb += cachedHex(r);
  }
  assert.equal(hex(C.combTable()), comb, "comb table");
  // The JS base64 decoder (hosts without atob) on all lengths and paddings.
  for (let n = 0; n < 40; n++) {
    const b = crypto.randomBytes(n);
    assert.equal(hex(C.b64(b.toString("base64"))), b.toString("hex"));
  }
});

test("Ed25519: RFC 8032 §7.1 vectors", () => {
  const v = [
    ["d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "", "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
    ["3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72", "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"],
    ["fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82", "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"],
  ];
  for (const [pk, m, sig] of v) {
    assert.equal(C.ed25519Verify(bytes(pk), bytes(m), bytes(sig)), true);
    assert.equal(crypto.verify(null, Buffer.from(m, "hex"), crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(pk, "hex")]), format: "der", type: "spki" }), Buffer.from(sig, "hex")), true, "the vector itself");
    const bad = bytes(sig); bad[0] ^= 1;
    assert.equal(C.ed25519Verify(bytes(pk), bytes(m), bad), false);
  }
});

test("Ed25519: random keys and messages signed by node:crypto", () => {
  for (let it = 0; it < 40; it++) {
    const seedBytes = crypto.randomBytes(32);
    const key = crypto.createPrivateKey({ key: Buffer.concat([E_PKCS8, seedBytes]), format: "der", type: "pkcs8" });
    const pk = new Uint8Array(crypto.createPublicKey(key).export({ format: "der", type: "spki" }).subarray(12));
    const msg = new Uint8Array(crypto.randomBytes(Math.floor(rnd() * 300)));
    const sig = new Uint8Array(crypto.sign(null, msg, key));
    assert.equal(C.ed25519Verify(pk, msg, sig), true);
    // Any single-bit change of the message, R, S or the key must fail.
    const which = it % 4;
    const m2 = Uint8Array.from(msg), s2 = Uint8Array.from(sig), p2 = Uint8Array.from(pk);
    if (which === 0 && m2.length) m2[Math.floor(rnd() * m2.length)] ^= 1 << Math.floor(rnd() * 8);
    else if (which === 1) s2[Math.floor(rnd() * 32)] ^= 1 << Math.floor(rnd() * 8);
    else if (which === 2) s2[32 + Math.floor(rnd() * 31)] ^= 1 << Math.floor(rnd() * 8);
    else p2[Math.floor(rnd() * 32)] ^= 1 << Math.floor(rnd() * 8);
    if (which !== 0 || m2.length) assert.equal(C.ed25519Verify(p2, m2, s2), false, "tampered " + which);
    // S + L (same value mod L) must be refused: malleability.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const sPlusL = bigLe(leBig(sig.subarray(32)) + L);
    const s3 = Uint8Array.from(sig); s3.set(sPlusL, 32);
    assert.equal(C.ed25519Verify(pk, msg, s3), false, "S + L");
  }
  // Wrong lengths are a plain false.
  assert.equal(C.ed25519Verify(new Uint8Array(32), new Uint8Array(0), new Uint8Array(63)), false);
  assert.equal(C.ed25519Verify(new Uint8Array(31), new Uint8Array(0), new Uint8Array(64)), false);
});

test("Ed25519 Job: bounded steps", () => {
  const key = crypto.generateKeyPairSync("ed25519");
  const pk = new Uint8Array(key.publicKey.export({ format: "der", type: "spki" }).subarray(12));
  const msg = new Uint8Array(crypto.randomBytes(100));
  const sig = new Uint8Array(crypto.sign(null, msg, key.privateKey));
  const job = C.ed25519VerifyJob(pk, msg, sig);
  let steps = 0;
  while (!job.step()) steps++;
  assert.equal(job.result(), true);
  assert.ok(steps > 60, "sliced: " + steps + " steps");
});
