// RSA signing (firmware/crypto/rsa-sign.ts, modpow.ts): the big-exponent modular power and the
// long division against BigInt, PKCS#1 v1.5 signatures byte-equal to Node's crypto.sign, PSS
// signatures verified by Node, the blinding pair across signatures, and a forced CRT fault.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { loadFirmware } from "../helpers/firmware.mjs";

const { T } = await loadFirmware();
const S = T.sign;
const u8 = (b) => new Uint8Array(b);
const rnd = (n) => u8(crypto.randomBytes(n));
const big = (b) => BigInt("0x" + (Buffer.from(b).toString("hex") || "0"));
const bytesOf = (x, len) => u8(Buffer.from(x.toString(16).padStart(2 * len, "0"), "hex"));
const powm = (b, e, m) => { let r = 1n; b %= m; while (e) { if (e & 1n) r = r * b % m; b = b * b % m; e >>= 1n; } return r; };
const bitsOf = (x) => x.toString(2).length;

test("ModPowJob and the long division agree with BigInt (512..2048-bit odd moduli, random exponents)", () => {
  for (const bits of [512, 700, 1024, 1536, 2048]) {
    for (let i = 0; i < 2; i++) {
      let N = big(rnd(bits / 8 | 0)) | (1n << BigInt(bits - 1)) | 1n;
      N &= (1n << BigInt(bits)) - 1n;
      const len = Math.ceil(bitsOf(N) / 8), C = S.montCtx(bytesOf(N, len));
      const x = big(rnd(2 * len)), xl = S.limbsFromBytes(bytesOf(x, 2 * len), Math.ceil(16 * len / 22) + 1);
      const d = S.longDivStart(C, xl, xl.length);
      while (!S.longDivStep(C, d)) { /* */ }
      assert.equal(big(S.limbsToBytes(S.longDivResult(C, d), len)), x % N, "x mod N");
      const base = big(rnd(len)) % N, e = big(rnd(i === 0 ? 1 : len)) | 1n;
      const job = new S.ModPowJob(C, S.limbsFromBytes(bytesOf(base, len), C.n), bytesOf(e, len), null);
      const r = S.runSync(job);
      assert.equal(big(S.limbsToBytes(r, len)), powm(base, e, N), `${bits} bits`);
      // again with the R^2 of the first job, and an even exponent
      const r2 = S.runSync(new S.ModPowJob(C, S.limbsFromBytes(bytesOf(base, len), C.n), bytesOf(e + 1n, len), job.r2()));
      assert.equal(big(S.limbsToBytes(r2, len)), powm(base, e + 1n, N));
    }
  }
});

test("mulBytes (the RSA key check n = p*q, Ed25519's k*a) agrees with BigInt: lengths 0..513 bytes, leading zeros, all-ones, with and without E.convolve", async () => {
  const cases = [[0, 0], [1, 1], [1, 32], [3, 5], [32, 32], [33, 64], [64, 64], [128, 128], [129, 127], [192, 192], [256, 256], [300, 1], [513, 200]];
  const portable = (await loadFirmware({ convolve: false })).T.sign;
  for (const [la, lb] of cases) {
    for (const fill of ["random", "ones", "zeros-first"]) {
      const a = fill === "ones" ? u8(la).fill(255) : rnd(la), b = fill === "ones" ? u8(lb).fill(255) : rnd(lb);
      if (fill === "zeros-first") { if (la) a[0] = 0; if (lb > 1) { b[0] = 0; b[1] = 0; } }
      for (const M of [S, portable]) {
        const p = M.mulBytes(a, b);
        assert.equal(p.length, la + lb, `${la}x${lb} length`);
        assert.equal(big(p), big(a) * big(b), `${la}x${lb} ${fill}`);
      }
    }
  }
  assert.throws(() => S.mulBytes(u8(1200), u8(2)), (e) => e.code === "CRYPTO_RANGE");
});

const HASHES = [["sha256", 0x0401, 0x0804, 32], ["sha384", 0x0501, 0x0805, 48], ["sha512", 0x0601, 0x0806, 64]];

// 1033 bits: emBits = 1032, so the PSS encoding is one byte shorter than the modulus.
const SIZES = [[2048, [0, 1, 2]], [3072, [0, 2]], [4096, [2]], [1033, [0, 1]]];

for (const [bits, hashes] of SIZES) {
  test(`RSA-${bits}: PKCS#1 v1.5 byte-equal to Node's crypto.sign, PSS verified by Node, several signatures per key`, () => {
    const kp = crypto.generateKeyPairSync("rsa", { modulusLength: bits });
    const key = S.parsePrivateKey(kp.privateKey.export({ type: "pkcs1", format: "pem" }));
    assert.equal(key.bits, bits);
    assert.deepEqual(Array.from(S.signatureSchemes(key)), [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601]);
    for (const [h, pkcs1, pss, hl] of hashes.map((i) => HASHES[i])) {
      const msg = rnd(50 + hl);
      const a = S.runSync(S.signJob(key, pkcs1, msg, rnd));
      assert.deepEqual(Buffer.from(a), crypto.sign(h, msg, kp.privateKey), `PKCS#1 ${h}`);
      const b = S.runSync(S.signJob(key, pss, msg, rnd));
      assert.equal(b.length, Math.ceil(bits / 8));
      const opts = { key: kp.publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: hl };
      assert.ok(crypto.verify(h, msg, opts, Buffer.from(b)), `PSS ${h}`);
      assert.ok(!crypto.verify(h, rnd(10), opts, Buffer.from(b)));
    }
    assert.ok(key.blind, "the blinding pair is kept on the key");
  });
}

test("a CRT fault (one half altered) is caught: CRYPTO_SIGN_FAULT, no signature; the next signature is good", () => {
  const kp = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = S.parsePrivateKey(kp.privateKey.export({ type: "pkcs8", format: "pem" }));
  const msg = rnd(40);
  for (const half of ["s1", "s2"]) {
    const job = S.signJob(key, 0x0401, msg, rnd);
    let faulted = false, err = null;
    try {
      while (!job.step()) {
        const c = job.crt;
        if (!faulted && c && c.ph === 4 && c.s1 && c.s2) {
          c[half][3] ^= 1; // a flipped bit in one CRT half, as a glitch would
          faulted = true;
        }
      }
    } catch (e) {
      err = e;
    }
    assert.ok(faulted, "the fault was injected");
    assert.equal(err && err.code, "CRYPTO_SIGN_FAULT", "fault detected");
    assert.throws(() => job.result(), (e) => e.code === "JOB_NOT_DONE");
  }
  const good = S.runSync(S.signJob(key, 0x0401, msg, rnd));
  assert.deepEqual(Buffer.from(good), crypto.sign("sha256", msg, kp.privateKey));
});

test("blinding: the key keeps a Kocher pair (vi = r^e, vf = 1/r mod n) that changes with every signature", () => {
  const kp = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = S.parsePrivateKey(kp.privateKey.export({ type: "pkcs1", format: "pem" }));
  const jwk = kp.publicKey.export({ format: "jwk" });
  const n = big(Buffer.from(jwk.n, "base64url")), e = big(Buffer.from(jwk.e, "base64url"));
  const L = S.montCtx(bytesOf(n, 256)).n, R = 1n << BigInt(22 * L);
  const limbs = (a) => { let x = 0n; for (let i = a.length - 1; i >= 0; i--) x = (x << 22n) + BigInt(a[i]); return x; };
  const seen = new Set();
  for (let i = 0; i < 3; i++) {
    const msg = rnd(20);
    assert.deepEqual(Buffer.from(S.runSync(S.signJob(key, 0x0401, msg, rnd))), crypto.sign("sha256", msg, kp.privateKey));
    const vi = limbs(key.blind.vi) % n, vf = limbs(key.blind.vf) % n; // r^e R and r^-1 R (Montgomery form)
    // (r^e R) (r^-1 R)^e = R^(e+1): the pair is consistent whatever r is
    assert.equal(vi * powm(vf, e, n) % n, powm(R % n, e + 1n, n), "vi = r^e and vf = 1/r");
    assert.ok(!seen.has(vi), "a new pair for each signature");
    seen.add(vi);
  }
});

test("blinding pair inverses: 1/r mod n for 30-bit r by one division and a small Euclid, against BigInt", () => {
  for (const bits of [1024, 2048, 3072, 4096]) {
    const n = big(rnd(bits / 8)) | (1n << BigInt(bits - 1)) | 1n;
    const C = S.montCtx(bytesOf(n, bits / 8));
    const limbs = (a) => { let x = 0n; for (let i = a.length - 1; i >= 0; i--) x = (x << 22n) + BigInt(a[i]); return x; };
    for (let i = 0; i < 20; i++) {
      const r = (crypto.randomBytes(4).readUInt32BE(0) & 0x1fffffff) | 0x20000001;
      if (n % BigInt(r) === 0n) continue;
      let g = n % BigInt(r), a = BigInt(r);
      while (g) [a, g] = [g, a % g];
      if (a !== 1n) {
        assert.throws(() => S.smallInverse(C, r), (e) => e.code === "CRYPTO_BAD_KEY");
        continue;
      }
      const v = limbs(S.smallInverse(C, r));
      assert.ok(v < n, "reduced");
      assert.equal(v * BigInt(r) % n, 1n, `${bits} bits, r = ${r}`);
    }
  }
  // a modulus with the factor r itself: refused, not a wrong inverse
  const r = 0x20000001 + 2 * 12345, n = BigInt(r) * (big(rnd(100)) | 1n);
  assert.throws(() => S.smallInverse(S.montCtx(bytesOf(n, Math.ceil(n.toString(16).length / 2))), r), (e) => e.code === "CRYPTO_BAD_KEY");
});

test("the first signature of a key (which makes the blinding pair) costs at most 15% more steps than the next (a step: ~one 2048-bit or four 1024-bit products)", () => {
  const kp = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = S.parsePrivateKey(kp.privateKey.export({ type: "pkcs1", format: "pem" }));
  const steps = [];
  for (let i = 0; i < 2; i++) {
    const msg = rnd(32), job = S.signJob(key, 0x0401, msg, rnd);
    let k = 1;
    while (!job.step()) k++;
    assert.deepEqual(Buffer.from(job.result()), crypto.sign("sha256", msg, kp.privateKey));
    steps.push(k);
  }
  assert.ok(steps[0] <= 1.15 * steps[1], `first ${steps[0]} steps, second ${steps[1]}`);
});
