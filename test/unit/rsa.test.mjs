// Host cross-checks of the bignum (22-bit limbs, Montgomery products over E.convolve) and of
// RSA PKCS#1 v1.5 / PSS verification against node:crypto and BigInt.
// Keys are generated here at test time; messages, bases and exponents come from a seeded PRNG
// so a failure names what it ran on.
import { test } from "node:test";
import assert from "node:assert/strict";
import nodeCrypto from "node:crypto";
import { loadFirmware } from "../helpers/firmware.mjs";

const { T } = await loadFirmware(); // E.convolve as the interpreter has it
const { T: Tjs } = await loadFirmware({ convolve: false }); // the portable fallback
const R = T.rsa;

let seed = 0x2468ace1;
function rnd(n) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return Math.floor((seed / 4294967296) * n); }
function bytes(n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = rnd(256); return b; }
const hex = (u) => Buffer.from(u).toString("hex");
const big = (u) => (u.length ? BigInt("0x" + hex(u)) : 0n);
const toBytes = (v, len) => Uint8Array.from(Buffer.from(v.toString(16).padStart(len * 2, "0"), "hex"));
function powmod(b, e, m) { let r = 1n; b %= m; while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; } return r; }
const u8 = (b) => new Uint8Array(b);
const code = (f) => { try { f(); } catch (e) { return e && e.code; } return null; };

/** A random odd modulus of exactly `bits` bits. */
function randomModulus(bits) {
  const len = (bits + 7) >> 3;
  const b = bytes(len);
  const top = bits - 8 * (len - 1); // bits used in the first byte (1..8)
  b[0] &= (1 << top) - 1;
  b[0] |= 1 << (top - 1);
  b[len - 1] |= 1;
  return b;
}

const keys = {};
function key(bits) {
  if (!keys[bits]) {
    const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync("rsa", { modulusLength: bits });
    const jwk = publicKey.export({ format: "jwk" });
    keys[bits] = { privateKey, n: u8(Buffer.from(jwk.n, "base64url")), e: u8(Buffer.from(jwk.e, "base64url")) };
  }
  return keys[bits];
}
const HASHES = [["sha256", "SHA256"], ["sha384", "SHA384"], ["sha512", "SHA512"]];

test("limbs <-> bytes round trip and comparison", () => {
  for (let i = 0; i < 200; i++) {
    const len = 1 + rnd(520);
    const b = bytes(len);
    const n = Math.ceil((len * 8) / 22) + rnd(3);
    const L = R.limbsFromBytes(b, n);
    for (let j = 0; j < n; j++) assert.ok(L[j] >= 0 && L[j] < 4194304);
    let v = 0n;
    for (let j = n - 1; j >= 0; j--) v = (v << 22n) + BigInt(L[j]);
    assert.equal(v, big(b));
    assert.equal(hex(R.limbsToBytes(L, len)), hex(b));
    const c = bytes(len);
    const want = big(b) < big(c) ? -1 : big(b) > big(c) ? 1 : 0;
    assert.equal(R.cmpBytes(b, c), want);
    assert.equal(R.cmpBytes(Uint8Array.of(0, 0, ...b), b), 0);
    assert.equal(R.bitLength(b), big(b).toString(2).length - (big(b) === 0n ? 1 : 0));
  }
  assert.equal(code(() => R.limbsFromBytes(bytes(12).fill(255), 4)), "CRYPTO_RANGE");
  assert.equal(code(() => R.limbsToBytes(R.limbsFromBytes(Uint8Array.of(1, 0, 0), 2), 2)), "CRYPTO_RANGE");
});

test("Montgomery product X*Y*R^-1 mod N' (N' = qN = -1 mod 2^22) for random moduli and inputs below 2N'", () => {
  for (const bits of [512, 1024, 1025, 1031, 1032, 2047, 2048, 2049, 3072, 4095, 4096]) {
    const N = randomModulus(bits);
    const Nb = big(N);
    const C = R.montCtx(N);
    assert.equal(C.n % 8, 0);
    const Np = BigInt(C.q) * Nb;
    assert.equal(Np % (1n << 22n), (1n << 22n) - 1n, "N' = -1 mod 2^22");
    assert.ok(1n << BigInt(22 * C.n) >= 4n * Np, "R >= 4N'");
    assert.ok(C.n <= 255, "column sums stay below 2^53");
    const Rm = 1n << BigInt(22 * C.n);
    // R^-1 mod N by the extended Euclidean algorithm
    let [a0, a1, s0, s1] = [Rm % Nb, Nb, 1n, 0n];
    while (a1) { const q = a0 / a1; [a0, a1] = [a1, a0 - q * a1]; [s0, s1] = [s1, s0 - q * s1]; }
    const Rinv = ((s0 % Nb) + Nb) % Nb;
    for (let i = 0; i < 12; i++) {
      // Inputs anywhere in [0, 2N'), including the ends.
      const pick = (k) => (k === 0 ? 0n : k === 1 ? 2n * Np - 1n : k === 2 ? Nb : k === 3 ? 2n * Nb - 1n : big(bytes(N.length + 4)) % (2n * Np));
      const a = pick(i < 4 ? i : 9), b = pick(i < 4 ? (i + 1) % 4 : 9);
      const len = N.length + 4;
      R.loadX(C, R.limbsFromBytes(toBytes(a, len), C.n));
      R.loadY(C, R.limbsFromBytes(toBytes(b, len), C.n));
      R.montMul(C);
      let got = 0n;
      const X = R.readX(C);
      for (let j = C.n - 1; j >= 0; j--) got = (got << 22n) + BigInt(X[j]);
      assert.ok(got < 2n * Np, "result below 2N'");
      assert.equal(got % Nb, (a * b * Rinv) % Nb, bits + "-bit product " + i);
    }
  }
});

test("modExp vs BigInt: sizes 512..4096, exponents 3, 17, 65537 and random odd < 2^33", () => {
  const sizes = [512, 1024, 1031, 1536, 2048, 2049, 2056, 3072, 4096];
  for (const bits of sizes) {
    const N = randomModulus(bits);
    const Nb = big(N);
    for (const e of [3, 17, 65537, 2 * rnd(2 ** 31) + 3, 8589934591]) {
      for (const base of [0n, 1n, 2n, Nb - 1n, big(bytes(N.length)) % Nb]) {
        const want = hex(toBytes(powmod(base, BigInt(e), Nb), N.length));
        const b = toBytes(base, N.length);
        assert.equal(hex(R.modExp(N, b, e)), want, `${bits} bits e=${e} base=${base.toString(16).slice(0, 16)}`);
      }
    }
  }
  // Moduli whose top limb is 1 bit, full, all ones, or a lone top bit: the long division's
  // quotient estimates and the R^2 chain at their edges.
  const special = [];
  for (const bits of [1035, 1056, 2069, 2090, 2112, 4093]) special.push(randomModulus(bits));
  for (const bits of [1024, 2048, 2069, 4096]) {
    const ones = toBytes((1n << BigInt(bits)) - 1n, (bits + 7) >> 3);
    const lone = toBytes((1n << BigInt(bits - 1)) + 1n, (bits + 7) >> 3);
    special.push(ones, lone);
  }
  for (const N of special) {
    const Nb = big(N);
    for (const base of [2n, Nb - 1n, Nb - 2n, big(bytes(N.length)) % Nb]) {
      assert.equal(hex(R.modExp(N, toBytes(base, N.length), 65537)), hex(toBytes(powmod(base, 65537n, Nb), N.length)), "special modulus " + hex(N).slice(0, 16));
    }
  }
  // R^2 is kept for the last modulus: moduli differing only in their last byte, alternated,
  // must each get their own.
  const A = randomModulus(2048), B = Uint8Array.from(A);
  B[B.length - 1] ^= 2;
  const x = bytes(256);
  x[0] = 0;
  for (const M of [A, B, A, B, B, A]) assert.equal(hex(R.modExp(M, x, 65537)), hex(toBytes(powmod(big(x), 65537n, big(M)), 256)), "alternating moduli");
  // Portable fallback (no E.convolve) gives the same answers.
  const N = randomModulus(2048), b = bytes(256);
  b[0] = 0;
  assert.equal(hex(Tjs.rsa.modExp(N, b, 65537)), hex(R.modExp(N, b, 65537)));
  // Leading zero bytes on the modulus and a short base are fine.
  assert.equal(hex(R.modExp(Uint8Array.of(0, 0, ...N), Uint8Array.of(7), 3)), hex(toBytes(343n % big(N), 256)));
});

test("modExpJob: bounded steps, same result", () => {
  for (const bits of [2048, 4096]) {
    const N = randomModulus(bits), b = bytes(N.length);
    b[0] = 0;
    const job = R.modExpJob(N, b, 65537);
    let steps = 1;
    while (!job.step()) steps++;
    // Context, setup, long-division passes in groups of 4, normalization, then 21 products
    // (3 squarings for R^2, entry into Montgomery form, 16 squarings, 1 multiply) of
    // 2 * ceil(n/128) chunks each, then 2 finishing steps.
    const C = R.montCtx(N);
    const passes = C.n + C.n / 8 - C.h;
    assert.equal(steps, 2 + Math.ceil(passes / 4) + 1 + 21 * 2 * Math.ceil(C.n / 128) + 2, bits + "-bit steps");
    assert.equal(hex(job.result()), hex(R.modExp(N, b, 65537)));
    assert.equal(job.step(), true, "step after the end stays done");
  }
  assert.equal(code(() => R.modExpJob(randomModulus(2048), Uint8Array.of(1), 4)), "CRYPTO_BAD_KEY");
  const N = randomModulus(2048);
  assert.equal(code(() => R.modExp(N, N, 3)), "CRYPTO_RANGE");
});

for (const bits of [2048, 3072]) {
  test(`RSA-${bits}: random PKCS#1 v1.5 signatures from node:crypto verify; tampering fails`, () => {
    const k = key(bits);
    for (let i = 0; i < 6; i++) {
      const [nh, hn] = HASHES[i % 3];
      const H = R[hn];
      const msg = bytes(rnd(300));
      const sig = u8(nodeCrypto.sign(nh, msg, k.privateKey));
      const digest = H.hash(msg);
      assert.equal(R.verifyPkcs1(k.n, k.e, H, digest, sig), true, "valid " + i);
      const bad = sig.slice();
      const bit = rnd(bad.length * 8);
      bad[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(R.verifyPkcs1(k.n, k.e, H, digest, bad), false, "flipped signature bit " + bit);
      const d2 = digest.slice();
      d2[rnd(d2.length)] ^= 1 << rnd(8);
      assert.equal(R.verifyPkcs1(k.n, k.e, H, d2, sig), false, "flipped digest bit");
      const other = R[HASHES[(i + 1) % 3][1]];
      assert.equal(R.verifyPkcs1(k.n, k.e, other, other.hash(msg), sig), false, "other hash");
      // Job form agrees.
      const job = R.verifyPkcs1Job(k.n, k.e, H, digest, sig);
      while (!job.step()) { /* step */ }
      assert.equal(job.result(), true);
    }
  });

  test(`RSA-${bits}: random PSS signatures (MGF1, several salt lengths) verify; tampering fails`, () => {
    const k = key(bits);
    for (let i = 0; i < 6; i++) {
      const [nh, hn] = HASHES[i % 3];
      const H = R[hn];
      const saltLen = [H.outputLen, 0, 20][Math.floor(i / 3) % 3];
      const msg = bytes(rnd(300));
      const sig = u8(nodeCrypto.sign(nh, msg, { key: k.privateKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLen }));
      const digest = H.hash(msg);
      assert.equal(R.verifyPss(k.n, k.e, H, digest, sig, saltLen), true, "valid " + i);
      assert.equal(R.verifyPss(k.n, k.e, H, digest, sig, saltLen + 1), false, "wrong salt length");
      const bad = sig.slice();
      const bit = rnd(bad.length * 8);
      bad[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(R.verifyPss(k.n, k.e, H, digest, bad, saltLen), false, "flipped signature bit " + bit);
      const d2 = digest.slice();
      d2[rnd(d2.length)] ^= 1 << rnd(8);
      assert.equal(R.verifyPss(k.n, k.e, H, d2, sig, saltLen), false, "flipped digest bit");
      // A PSS signature is not a PKCS#1 v1.5 one and vice versa.
      assert.equal(R.verifyPkcs1(k.n, k.e, H, digest, sig), false, "PSS as PKCS#1");
      const p1 = u8(nodeCrypto.sign(nh, msg, k.privateKey));
      assert.equal(R.verifyPss(k.n, k.e, H, digest, p1, saltLen), false, "PKCS#1 as PSS");
    }
  });
}

/** An RSA key whose modulus has exactly `bits` bits (any size), built from node:crypto primes. */
function exactKey(bits) {
  const b64 = (v) => Buffer.from(v.toString(16).padStart(Math.ceil(v.toString(16).length / 2) * 2, "0"), "hex").toString("base64url");
  const inv = (a, m) => { let [r0, r1, s0, s1] = [a % m, m, 1n, 0n]; while (r1) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [s0, s1] = [s1, s0 - q * s1]; } return ((s0 % m) + m) % m; };
  const e = 65537n;
  for (;;) {
    const p = nodeCrypto.generatePrimeSync(bits - (bits >> 1), { bigint: true });
    const q = nodeCrypto.generatePrimeSync(bits >> 1, { bigint: true });
    const n = p * q;
    if (n.toString(2).length !== bits || p === q || (p - 1n) % e === 0n || (q - 1n) % e === 0n) continue;
    const d = inv(e, (p - 1n) * (q - 1n));
    const jwk = { kty: "RSA", n: b64(n), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(inv(q, p)) };
    return { privateKey: nodeCrypto.createPrivateKey({ key: jwk, format: "jwk" }), n: u8(Buffer.from(jwk.n, "base64url")), e: Uint8Array.of(1, 0, 1) };
  }
}

test("odd modulus sizes: 1024, 1025, 2049, 2055 bits (PSS with emLen = k - 1 when bits = 8m + 1)", () => {
  for (const bits of [1024, 1025, 2049, 2055]) {
    const k = exactKey(bits);
    assert.equal(R.modulusBits(k.n), bits);
    for (const [nh, hn] of HASHES) {
      const msg = bytes(50), H = R[hn];
      // Salt as long as the hash when it fits (emLen >= hLen + sLen + 2), else as long as fits.
      const sLen = Math.min(H.outputLen, ((bits + 6) >> 3) - H.outputLen - 2);
      const pss = u8(nodeCrypto.sign(nh, msg, { key: k.privateKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: sLen }));
      assert.equal(R.verifyPss(k.n, k.e, H, H.hash(msg), pss, sLen), true, bits + " PSS " + hn);
      const p1 = u8(nodeCrypto.sign(nh, msg, k.privateKey));
      assert.equal(R.verifyPkcs1(k.n, k.e, H, H.hash(msg), p1), true, bits + " PKCS#1 " + hn);
      pss[5] ^= 4;
      assert.equal(R.verifyPss(k.n, k.e, H, H.hash(msg), pss, sLen), false, bits + " PSS tampered " + hn);
    }
  }
});

test("bad signatures return false, bad keys throw CRYPTO_BAD_KEY", () => {
  const k = key(2048), H = R.SHA256;
  const msg = bytes(40), d = H.hash(msg);
  const sig = u8(nodeCrypto.sign("sha256", msg, k.privateKey));
  assert.equal(R.verifyPkcs1(k.n, k.e, H, d, sig), true);
  assert.equal(R.verifyPkcs1(k.n, k.e, H, d, sig.subarray(1)), false, "short signature");
  assert.equal(R.verifyPkcs1(k.n, k.e, H, d, Uint8Array.of(0, ...sig)), false, "long signature (leading zero)");
  assert.equal(R.verifyPkcs1(k.n, k.e, H, d, k.n), false, "signature = n");
  assert.equal(R.verifyPkcs1(k.n, k.e, H, d, new Uint8Array(256).fill(255)), false, "signature > n");
  assert.equal(R.verifyPkcs1(k.n, k.e, H, d, new Uint8Array(256)), false, "signature 0");
  assert.equal(R.verifyPkcs1(k.n, k.e, H, d.subarray(1), sig), false, "digest of the wrong length");
  assert.equal(R.verifyPss(k.n, k.e, H, d, sig, -1), false, "negative salt length");
  assert.equal(R.verifyPss(k.n, k.e, H, d, sig, 300), false, "salt longer than the block");
  // Leading zero on the modulus (DER INTEGER form) is accepted.
  assert.equal(R.verifyPkcs1(Uint8Array.of(0, ...k.n), k.e, H, d, sig), true);
  const even = k.n.slice();
  even[255] &= 0xfe;
  assert.equal(code(() => R.verifyPkcs1(even, k.e, H, d, sig)), "CRYPTO_BAD_KEY", "even modulus");
  assert.equal(code(() => R.verifyPkcs1(randomModulus(1023), k.e, H, d, sig)), "CRYPTO_BAD_KEY", "1023 bits");
  assert.equal(code(() => R.verifyPkcs1(randomModulus(4097), k.e, H, d, sig)), "CRYPTO_BAD_KEY", "4097 bits");
  for (const e of [[], [1], [2], [0, 1, 0, 0], [2, 0, 0, 0, 1], [1, 0, 0, 0, 0, 1]]) {
    assert.equal(code(() => R.verifyPkcs1(k.n, Uint8Array.from(e), H, d, sig)), "CRYPTO_BAD_KEY", "exponent " + e);
    assert.equal(code(() => R.verifyPss(k.n, Uint8Array.from(e), H, d, sig, 32)), "CRYPTO_BAD_KEY", "exponent " + e);
  }
  // Largest exponent allowed: 2^33 - 1 (33 bits), with leading zeros.
  assert.equal(R.verifyPkcs1(k.n, Uint8Array.of(0, 1, 255, 255, 255, 255), H, d, sig), false);
  assert.equal(R.modulusBits(Uint8Array.of(0, 1, 0)), 9);
});
