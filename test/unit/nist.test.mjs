// NIST curves (firmware/crypto/ecfield.ts, ecurve.ts, ecdh.ts, ecdsa.ts): randomized
// cross-checks against BigInt arithmetic and node:crypto (ECDH shared secrets, public keys,
// ECDSA signatures in DER and P1363 form), plus the error paths.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { loadFirmware } from "../helpers/firmware.mjs";

const { T } = await loadFirmware();
const N = T.nist;

const CURVES = [
  {
    C: N.P256, F: N.FP256, name: "prime256v1", hash: "sha256", limbs: 11, size: 32, bound: 2n ** 257n,
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  {
    C: N.P384, F: N.FP384, name: "secp384r1", hash: "sha384", limbs: 16, size: 48, bound: 2n ** 384n,
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
];

const toL = (x, L) => { const a = new Int32Array(L); for (let i = 0; i < L; i++) { a[i] = Number(x & 0xffffffn); x >>= 24n; } return a; };
const fromL = (a) => { let x = 0n; for (let i = a.length - 1; i >= 0; i--) x = (x << 24n) + BigInt(a[i]); return x; };
const modp = (x, m) => ((x % m) + m) % m;
const powm = (b, e, m) => { let r = 1n; b = modp(b, m); while (e) { if (e & 1n) r = r * b % m; b = b * b % m; e >>= 1n; } return r; };
const rndBig = (bytes) => BigInt("0x" + crypto.randomBytes(bytes).toString("hex"));
const hex = (x, len) => x.toString(16).padStart(2 * len, "0");
const bytes = (x, len) => new Uint8Array(Buffer.from(hex(x, len), "hex"));

/** Values exercising the representation's edges: 0, 1, p-1, p, p+1, 2p-1, just under the
 *  loose bound, powers of two at limb edges, and random ones. */
function edgeValues(c) {
  const v = [0n, 1n, 2n, c.p - 1n, c.p, c.p + 1n, c.bound - 1n, c.bound - 2n, 2n ** BigInt(24 * (c.limbs - 1)), 2n ** 255n, c.p - 2n ** 200n];
  if (2n * c.p < c.bound) v.push(2n * c.p - 1n, 2n * c.p);
  return v;
}

for (const c of CURVES) {
  const L = c.limbs, F = c.F, R = 2n ** BigInt(24 * L), Ri = powm(R, c.p - 2n, c.p);
  const loose = (a) => { // every limb but the top in [0, 2^24), value below the loose bound
    for (let i = 0; i < a.length - 1; i++) if (a[i] < 0 || a[i] > 0xffffff) return false;
    return a[a.length - 1] >= 0 && fromL(a) < c.bound;
  };

  test(`${c.C.name} field: mul/sqr/add/sub/muls agree with BigInt on edge and random values`, () => {
    const vals = edgeValues(c);
    for (let i = 0; i < 300; i++) vals.push(rndBig(64) % c.bound);
    const r = new Int32Array(L);
    for (let i = 0; i < vals.length; i++) {
      const x = vals[i], y = vals[(i * 7 + 3) % vals.length];
      F.mul(r, toL(x, L), toL(y, L));
      assert.ok(loose(r), "mul loose");
      assert.equal(modp(fromL(r), c.p), modp(x * y * Ri, c.p), "mul");
      F.sqr(r, toL(x, L));
      assert.ok(loose(r), "sqr loose");
      assert.equal(modp(fromL(r), c.p), modp(x * x * Ri, c.p), "sqr");
      F.add(r, toL(x, L), toL(y, L));
      assert.ok(loose(r), "add loose");
      assert.equal(modp(fromL(r), c.p), modp(x + y, c.p), "add");
      F.sub(r, toL(x, L), toL(y, L));
      assert.ok(loose(r), "sub loose");
      assert.equal(modp(fromL(r), c.p), modp(x - y, c.p), "sub");
      const k = i % 13;
      F.muls(r, toL(x, L), k);
      assert.ok(loose(r), "muls loose");
      assert.equal(modp(fromL(r), c.p), modp(x * BigInt(k), c.p), "muls");
      // in place (r aliases an input)
      const a = toL(x, L);
      F.mul(a, a, a);
      assert.equal(modp(fromL(a), c.p), modp(x * x * Ri, c.p), "mul in place");
    }
  });

  test(`${c.C.name} field: canon, isZero, eq, Montgomery conversions, inversion`, () => {
    for (const x of edgeValues(c).concat([rndBig(48) % c.bound, rndBig(48) % c.bound])) {
      const a = toL(x, L);
      N.feCanon(F, a);
      assert.equal(fromL(a), modp(x, c.p));
      assert.equal(N.feIsZero(F, toL(x, L)), modp(x, c.p) === 0n);
      assert.equal(N.feEq(F, toL(x, L), toL(modp(x, c.p), L)), true);
      const m = new Int32Array(L), b = new Int32Array(L);
      N.feToMont(F, m, toL(x, L));
      N.feFromMont(F, b, m);
      assert.equal(fromL(b), modp(x, c.p), "to/from Montgomery");
      if (modp(x, c.p) !== 0n) {
        N.feInv(F, b, m); // Montgomery in, Montgomery out
        N.feFromMont(F, b, b);
        assert.equal(fromL(b), powm(x, c.p - 2n, c.p), "inverse");
      }
    }
  });

  test(`${c.C.name} scalars: DivN (c/a mod n) and montN agree with BigInt`, () => {
    const X = N.ctx(c.C), Rn = R % c.n;
    const as = [1n, 2n, 3n, c.n - 1n, c.n - 2n, 2n ** 128n, (c.n + 1n) / 2n];
    for (let i = 0; i < 40; i++) as.push(1n + rndBig(64) % (c.n - 1n));
    for (const a of as) {
      const cc = rndBig(64) % c.n;
      const q = N.runSync(new N.DivN(X, toL(cc, L), toL(a, L)));
      assert.equal(fromL(q), cc * powm(a, c.n - 2n, c.n) % c.n, "division");
      const e = rndBig(c.size), r = new Int32Array(L);
      N.montN(X, r, toL(e, L), toL(cc, L));
      assert.equal(fromL(r), e * cc * powm(Rn, c.n - 2n, c.n) % c.n, "montN");
    }
  });

  test(`${c.C.name} public keys and ECDH agree with node:crypto`, () => {
    // random keys, and scalars at the edges (tiny, n-1, n-2, and n - 2d, for which the last
    // window addition of the odd-digit ladder meets the doubling case)
    const ks = [1n, 2n, 3n, 15n, 16n, 17n, c.n - 1n, c.n - 2n, c.n - 3n, c.n - 30n, c.n - 16n, 2n ** BigInt(8 * c.size - 1)];
    for (let i = 0; i < 6; i++) ks.push(1n + rndBig(c.size + 8) % (c.n - 1n));
    const peer = crypto.createECDH(c.name);
    peer.generateKeys();
    for (const k of ks) {
      const me = crypto.createECDH(c.name);
      me.setPrivateKey(Buffer.from(hex(k, c.size), "hex"));
      const pub = N.ecPublicKey(c.C, bytes(k, c.size));
      assert.equal(Buffer.from(pub).toString("hex"), me.getPublicKey("hex"), "public key for k=" + k.toString(16));
      const s = N.runSync(N.ecdhJob(c.C, bytes(k, c.size), new Uint8Array(peer.getPublicKey())));
      assert.equal(Buffer.from(s).toString("hex"), me.computeSecret(peer.getPublicKey(), null, "hex"), "shared secret");
    }
    // the synchronous wrappers, and a private key given with a leading zero byte / shorter
    const me = crypto.createECDH(c.name);
    me.generateKeys();
    const f = c.size === 32 ? N.ecdhP256 : N.ecdhP384;
    const want = me.computeSecret(peer.getPublicKey(), null, "hex");
    const priv = new Uint8Array(me.getPrivateKey());
    const padded = new Uint8Array(priv.length + 1);
    padded.set(priv, 1);
    assert.equal(Buffer.from(f(padded, new Uint8Array(peer.getPublicKey()))).toString("hex"), want);
    const small = new Uint8Array([5]);
    const me5 = crypto.createECDH(c.name);
    me5.setPrivateKey(Buffer.from(hex(5n, c.size), "hex"));
    assert.equal(Buffer.from(f(small, new Uint8Array(peer.getPublicKey()))).toString("hex"), me5.computeSecret(peer.getPublicKey(), null, "hex"));
  });

  test(`${c.C.name} ECDH and public keys reject bad inputs with our error codes`, () => {
    const peer = crypto.createECDH(c.name);
    peer.generateKeys();
    const good = new Uint8Array(peer.getPublicKey());
    const priv = bytes(7n, c.size);
    const code = (f) => { try { f(); } catch (e) { return e && e.code; } return "no error"; };
    const ecdh = (k, pt) => N.runSync(N.ecdhJob(c.C, k, pt));
    assert.equal(code(() => ecdh(priv, good.subarray(1))), "CRYPTO_BAD_POINT");
    assert.equal(code(() => ecdh(priv, new Uint8Array(0))), "CRYPTO_BAD_POINT");
    assert.equal(code(() => ecdh(priv, new Uint8Array([0]))), "CRYPTO_BAD_POINT");
    const comp = new Uint8Array(peer.getPublicKey(null, "compressed"));
    assert.equal(code(() => ecdh(priv, comp)), "CRYPTO_BAD_POINT", "compressed points are refused");
    const off = new Uint8Array(good);
    off[off.length - 1] ^= 1;
    assert.equal(code(() => ecdh(priv, off)), "CRYPTO_BAD_POINT", "not on the curve");
    const big = new Uint8Array(good);
    big.set(bytes(c.p, c.size), 1); // x = p
    assert.equal(code(() => ecdh(priv, big)), "CRYPTO_BAD_POINT", "x >= p");
    assert.equal(code(() => ecdh(bytes(0n, c.size), good)), "CRYPTO_BAD_SCALAR");
    assert.equal(code(() => ecdh(bytes(c.n, c.size), good)), "CRYPTO_BAD_SCALAR");
    assert.equal(code(() => ecdh(new Uint8Array(0), good)), "CRYPTO_BAD_SCALAR");
    assert.equal(code(() => N.ecPublicKey(c.C, bytes(c.n + 1n, c.size))), "CRYPTO_BAD_SCALAR");
    // SPKI: the DER from node works; anything else is refused
    const kp = crypto.generateKeyPairSync("ec", { namedCurve: c.name });
    const spki = new Uint8Array(kp.publicKey.export({ format: "der", type: "spki" }));
    const pt = N.ecPointFromSpki(c.C, spki);
    assert.equal(pt.length, 2 * c.size + 1);
    const withTail = new Uint8Array(spki.length + 1);
    withTail.set(spki);
    assert.equal(code(() => N.ecPointFromSpki(c.C, withTail)), "CRYPTO_BAD_POINT");
    const other = c.size === 32 ? N.P384 : N.P256;
    assert.equal(code(() => N.ecPointFromSpki(other, spki)), "CRYPTO_BAD_POINT");
  });

  test(`${c.C.name} ECDSA: node:crypto signatures verify (DER, P1363, Job); modified ones do not`, () => {
    const kp = crypto.generateKeyPairSync("ec", { namedCurve: c.name });
    const spki = new Uint8Array(kp.publicKey.export({ format: "der", type: "spki" }));
    const pt = N.ecPointFromSpki(c.C, spki);
    for (let i = 0; i < 8; i++) {
      const msg = crypto.randomBytes(1 + i * 13);
      const der = new Uint8Array(crypto.sign(c.hash, msg, kp.privateKey));
      const p1363 = new Uint8Array(crypto.sign(c.hash, msg, { key: kp.privateKey, dsaEncoding: "ieee-p1363" }));
      const dg = new Uint8Array(crypto.createHash(c.hash).update(msg).digest());
      assert.equal(N.ecdsaVerify(c.C, pt, dg, der), true, "DER");
      assert.equal(N.ecdsaVerifyP1363(c.C, pt, dg, p1363), true, "P1363");
      const job = N.ecdsaVerifyJob(c.C, pt, dg, der);
      let steps = 0;
      while (!job.step()) steps++;
      assert.equal(job.result(), true);
      assert.ok(steps > 100, "the Job runs in many steps");
      // modified digest, signature bits, public key
      const dg2 = new Uint8Array(dg);
      dg2[i % dg2.length] ^= 1 << (i % 8);
      assert.equal(N.ecdsaVerify(c.C, pt, dg2, der), false, "modified digest");
      const s2 = new Uint8Array(p1363);
      s2[(i * 5) % s2.length] ^= 0x10;
      assert.equal(N.ecdsaVerifyP1363(c.C, pt, dg, s2), false, "modified P1363 signature");
      const d2 = new Uint8Array(der);
      d2[d2.length - 1 - i] ^= 0x01;
      assert.equal(N.ecdsaVerify(c.C, pt, dg, d2), false, "modified DER signature");
      // (r, n - s) is the other valid signature of the same message: ECDSA has no malleability
      // check, so it verifies as well
      const s = BigInt("0x" + Buffer.from(p1363.subarray(c.size)).toString("hex"));
      const flipped = new Uint8Array(p1363);
      flipped.set(bytes(c.n - s, c.size), c.size);
      assert.equal(N.ecdsaVerifyP1363(c.C, pt, dg, flipped), true, "(r, n-s)");
      // DER deviations: trailing byte, long-form length, extra leading zero in r
      const tail = new Uint8Array(der.length + 1);
      tail.set(der);
      assert.equal(N.ecdsaVerify(c.C, pt, dg, tail), false, "trailing byte");
      const longLen = new Uint8Array(der.length + 1);
      longLen.set([0x30, 0x81, der[1]]);
      longLen.set(der.subarray(2), 3);
      assert.equal(N.ecdsaVerify(c.C, pt, dg, longLen), false, "non-minimal length");
      const rl = der[3], pad = new Uint8Array(der.length + 1);
      pad.set([0x30, der[1] + 1, 0x02, rl + 1, 0x00]);
      pad.set(der.subarray(4), 5);
      assert.equal(N.ecdsaVerify(c.C, pt, dg, pad), false, "non-minimal INTEGER");
    }
    // a digest longer than n is truncated to its leftmost bytes (FIPS 186-4 §6.4)
    const msg = crypto.randomBytes(20);
    const longHash = c.size === 32 ? "sha384" : "sha512";
    const full = new Uint8Array(crypto.createHash(longHash).update(msg).digest());
    const sig = new Uint8Array(crypto.sign(longHash, msg, kp.privateKey));
    assert.equal(N.ecdsaVerify(c.C, pt, full, sig), true, "truncated digest");
    // r or s out of range
    const dg = new Uint8Array(32);
    const rs = new Uint8Array(2 * c.size);
    assert.equal(N.ecdsaVerifyP1363(c.C, pt, dg, rs), false, "r = s = 0");
    rs.set(bytes(c.n, c.size), 0);
    rs.set(bytes(1n, c.size), c.size);
    assert.equal(N.ecdsaVerifyP1363(c.C, pt, dg, rs), false, "r = n");
    assert.equal(N.ecdsaVerifyP1363(c.C, pt, dg, rs.subarray(1)), false, "short P1363");
    // a bad public key is an error, not a false
    const bad = new Uint8Array(pt);
    bad[5] ^= 1;
    assert.throws(() => N.ecdsaVerify(c.C, bad, dg, sig), (e) => e.code === "CRYPTO_BAD_POINT");
  });
}

test("Jobs give the same results as the synchronous forms and steps are bounded", () => {
  const peer = crypto.createECDH("prime256v1");
  peer.generateKeys();
  const me = crypto.createECDH("prime256v1");
  me.generateKeys();
  N.ecReleaseCaches(); // the public-key job then also builds the G table
  const job = N.ecPublicKeyJob(N.P256, new Uint8Array(me.getPrivateKey()));
  let steps = 1;
  while (!job.step()) steps++;
  assert.equal(Buffer.from(job.result()).toString("hex"), me.getPublicKey("hex"));
  assert.ok(steps > 300 && steps < 500, "steps: " + steps);
  const j2 = N.ecdhJob(N.P256, new Uint8Array(me.getPrivateKey()), new Uint8Array(peer.getPublicKey()));
  assert.equal(Buffer.from(N.runSync(j2)).toString("hex"), me.computeSecret(peer.getPublicKey(), null, "hex"));
});
