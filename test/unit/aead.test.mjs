// Host cross-checks of the AEADs against node:crypto (and @noble/ciphers for bare Poly1305):
// AES-GCM over the native-ECB wrapper (imitated with node:crypto) and over the portable AES,
// ChaCha20-Poly1305, ChaCha20 and Poly1305, plus the RFC 8439 examples.
import { test } from "node:test";
import assert from "node:assert/strict";
import nodeCrypto from "node:crypto";
import { poly1305 as noblePoly } from "@noble/ciphers/_poly1305.js";
import { loadFirmware } from "../helpers/firmware.mjs";

const { T, crypto } = await loadFirmware();
const A = T.aead;
// Native AES calls: calls.ecb counts them; calls.fail = true makes the next one fail as the board's do.
const calls = { ecb: 0, fail: false };
const nativeEncrypt = crypto.AES.encrypt;
crypto.AES.encrypt = (d, k, o) => { calls.ecb++; if (calls.fail) { calls.fail = false; return undefined; } return nativeEncrypt(d, k, o); };

// Deterministic PRNG so failures reproduce.
let seed = 0x2545f491;
function rnd(n) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return Math.floor((seed / 4294967296) * n); }
function bytes(n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = rnd(256); return b; }
const hex = (u) => Buffer.from(u.buffer, u.byteOffset, u.length).toString("hex");
const unhex = (h) => new Uint8Array(Buffer.from(h.replace(/[\s:]/g, ""), "hex"));
/** The same bytes at an odd offset of a bigger buffer. */
function odd(u) { const b = new Uint8Array(u.length + 3); b.set(u, 3); return b.subarray(3); }

const LENGTHS = [0, 1, 3, 15, 16, 17, 31, 63, 64, 65, 255, 1023, 1024, 1025, 1500, 2100];
const AAD_LENGTHS = [0, 1, 5, 13, 16, 17, 40];

function nodeSeal(alg, key, iv, aad, pt) {
  const c = nodeCrypto.createCipheriv(alg, key, iv, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]).toString("hex");
}

const gcmMakers = { native: A.aesGcm, portable: A.aesGcmPortable, "native, small GHASH tables": A.aesGcmSmall, "native, write key (small tables, then big)": (k) => A.aesGcm(k, true) };

for (const [path, make] of Object.entries(gcmMakers)) {
  for (const keyLen of [16, 24, 32]) {
    test(`AES-${keyLen * 8}-GCM (${path} AES) matches node:crypto`, () => {
      for (const n of LENGTHS) {
        const key = bytes(keyLen), iv = bytes(12), aad = bytes(AAD_LENGTHS[rnd(AAD_LENGTHS.length)]), pt = bytes(n);
        const g = make(key);
        const want = nodeSeal(`aes-${keyLen * 8}-gcm`, key, iv, aad, pt);
        const ct = g.seal(iv, aad, pt);
        assert.equal(hex(ct), want, `seal n=${n}`);
        assert.equal(hex(g.open(iv, aad, ct)), hex(pt), `open n=${n}`);
        assert.equal(hex(g.open(odd(iv), odd(aad), odd(ct))), hex(pt), `open at odd offsets n=${n}`);
        assert.equal(hex(g.seal(odd(iv), odd(aad), odd(pt))), want, `seal at odd offsets n=${n}`);
        // any flipped bit (tag, ciphertext, aad) is rejected with null
        const bad = new Uint8Array(ct); bad[rnd(bad.length)] ^= 1 << rnd(8);
        assert.equal(g.open(iv, aad, bad), null, `tampered n=${n}`);
        if (aad.length) { const a2 = new Uint8Array(aad); a2[0] ^= 0x80; assert.equal(g.open(iv, a2, ct), null); }
        assert.equal(g.open(iv, aad, ct.subarray(0, 15)), null, "shorter than a tag");
      }
    });
  }
  test(`AES-GCM (${path} AES) with IVs other than 96 bits matches node:crypto`, () => {
    // node takes IVs up to 128 bytes; Wycheproof covers up to 257
    for (const ivLen of [1, 8, 11, 13, 16, 17, 32, 64, 128]) {
      const key = bytes(16), iv = bytes(ivLen), aad = bytes(rnd(30)), pt = bytes(rnd(100));
      assert.equal(hex(make(key).seal(iv, aad, pt)), nodeSeal("aes-128-gcm", key, iv, aad, pt), `iv ${ivLen}`);
    }
    assert.throws(() => make(bytes(16)).seal(new Uint8Array(0), new Uint8Array(0), new Uint8Array(1)), (e) => e.code === "BAD_NONCE");
  });
}

test("AES-GCM write key: one key across its switch from small to big GHASH tables (after 512 bytes) stays right", () => {
  const key = bytes(16), g = A.aesGcm(key, true);
  for (const n of [100, 200, 150, 40, 10, 700, 30, 1500, 5]) {
    const iv = bytes(12), aad = bytes(13), pt = bytes(n);
    const ct = g.seal(iv, aad, pt);
    assert.equal(hex(ct), nodeSeal("aes-128-gcm", key, iv, aad, pt), `seal n=${n}`);
    assert.equal(hex(g.open(iv, aad, ct)), hex(pt), `open n=${n}`);
  }
});

test("AES-GCM counter wraps modulo 2^32 in the last word (native and portable)", () => {
  // Look for an IV whose J0 has a counter close to 2^32 - 1 is slow; instead check ctrKeystream directly.
  for (const make of [A.aesBlock, A.aesBlockPortable]) {
    const key = bytes(16);
    const ctr = bytes(16); ctr[12] = 0xff; ctr[13] = 0xff; ctr[14] = 0xff; ctr[15] = 0xfd;
    const start = new Uint8Array(ctr);
    const out = new Uint8Array(5 * 16);
    make(key).ctrKeystream(ctr, out, 5);
    // expected: E(start), E(start+1), ... with inc32 (the first 12 bytes never change)
    const blocks = [];
    for (let i = 0; i < 5; i++) {
      const b = Buffer.from(start);
      b.writeUInt32BE((start[12] * 2 ** 24 + start[13] * 65536 + start[14] * 256 + start[15] + i) % 2 ** 32, 12);
      blocks.push(b);
    }
    const c = nodeCrypto.createCipheriv("aes-128-ecb", key, null).setAutoPadding(false);
    assert.equal(hex(out), Buffer.concat([c.update(Buffer.concat(blocks)), c.final()]).toString("hex"));
    assert.equal(hex(ctr.subarray(12)), "00000002");
    assert.equal(hex(ctr.subarray(0, 12)), hex(start.subarray(0, 12)));
  }
});

test("AES block: portable and native wrapper match node:crypto (128/192/256)", () => {
  for (const keyLen of [16, 24, 32]) {
    for (let i = 0; i < 20; i++) {
      const key = bytes(keyLen), blk = bytes(16);
      const c = nodeCrypto.createCipheriv(`aes-${keyLen * 8}-ecb`, key, null).setAutoPadding(false);
      const want = Buffer.concat([c.update(blk), c.final()]).toString("hex");
      for (const make of [A.aesBlock, A.aesBlockPortable]) {
        const out = new Uint8Array(20);
        make(key).encrypt(odd(blk), 0, out, 3);
        assert.equal(hex(out.subarray(3, 19)), want);
      }
    }
  }
  // FIPS 197 Appendix C.1 example
  const out = new Uint8Array(16);
  A.aesBlockPortable(unhex("000102030405060708090a0b0c0d0e0f")).encrypt(unhex("00112233445566778899aabbccddeeff"), 0, out, 0);
  assert.equal(hex(out), "69c4e0d86a7b0430d8cdb78070b4c55a");
  for (const make of [A.aesBlock, A.aesBlockPortable]) assert.throws(() => make(new Uint8Array(20)), (e) => e.code === "BAD_KEY");
});

test("native AES: one ECB call per keystream chunk, a bad result is an EtError", () => {
  const g = A.aesGcm(bytes(16));
  const before = calls.ecb;
  g.seal(bytes(12), bytes(13), bytes(1000));
  assert.equal(calls.ecb - before, 5, "E(J0) and one keystream call per 256 bytes (a small contiguous result)");
  calls.fail = true;
  assert.throws(() => g.seal(bytes(12), bytes(13), bytes(100)), (e) => e.code === "AES_FAILED");
});

test("a board whose require('crypto') has no AES: NO_NATIVE_AES on first use, not a TypeError", async () => {
  const fw = await loadFirmware();
  try {
    delete fw.crypto.AES;
    assert.throws(() => fw.T.aead.aesGcm(bytes(16)).seal(bytes(12), bytes(13), bytes(100)), (e) => e.code === "NO_NATIVE_AES");
  } finally { fw.close(); }
});

test("ChaCha20-Poly1305 matches node:crypto", () => {
  for (const n of LENGTHS) {
    for (const aadLen of [0, 13, AAD_LENGTHS[rnd(AAD_LENGTHS.length)]]) {
      const key = bytes(32), iv = bytes(12), aad = bytes(aadLen), pt = bytes(n);
      const g = A.chacha20Poly1305(key);
      const want = nodeSeal("chacha20-poly1305", key, iv, aad, pt);
      const ct = g.seal(iv, aad, pt);
      assert.equal(hex(ct), want, `seal n=${n} aad=${aadLen}`);
      assert.equal(hex(g.open(iv, aad, ct)), hex(pt), `open n=${n}`);
      assert.equal(hex(g.open(odd(iv), odd(aad), odd(ct))), hex(pt), `open at odd offsets n=${n}`);
      assert.equal(hex(g.seal(odd(iv), odd(aad), odd(pt))), want, `seal at odd offsets n=${n}`);
      const bad = new Uint8Array(ct); bad[rnd(bad.length)] ^= 1 << rnd(8);
      assert.equal(g.open(iv, aad, bad), null, `tampered n=${n}`);
      assert.equal(g.open(iv, aad, ct.subarray(0, 15)), null);
    }
  }
  for (const len of [0, 8, 11, 13, 16, 24]) {
    assert.throws(() => A.chacha20Poly1305(bytes(32)).seal(new Uint8Array(len), new Uint8Array(0), new Uint8Array(1)), (e) => e.code === "BAD_NONCE");
    assert.throws(() => A.chacha20Poly1305(bytes(32)).open(new Uint8Array(len), new Uint8Array(0), new Uint8Array(17)), (e) => e.code === "BAD_NONCE");
  }
  assert.throws(() => A.chacha20Poly1305(bytes(16)), (e) => e.code === "BAD_KEY");
});

test("RFC 8439 §2.8.2 AEAD example", () => {
  const pt = new TextEncoder().encode("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  const aad = unhex("50515253c0c1c2c3c4c5c6c7");
  const key = unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  const iv = unhex("070000004041424344454647");
  const ct = unhex(`d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116`);
  const tag = "1ae10b594f09e26a7e902ecbd0600691";
  const g = A.chacha20Poly1305(key);
  assert.equal(hex(g.seal(iv, aad, pt)), hex(ct) + tag);
  assert.equal(Buffer.from(g.open(iv, aad, unhex(hex(ct) + tag))).toString("latin1"), Buffer.from(pt).toString("latin1"));
});

test("RFC 8439 §2.4.2 ChaCha20 and §2.5.2 Poly1305 examples", () => {
  const key = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const nonce = unhex("000000000000004a00000000");
  const pt = new TextEncoder().encode("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  assert.equal(hex(A.chacha20(key, nonce, 1, pt)), "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0bf91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d807ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab77937365af90bbf74a35be6b40b8eedf2785e42874d");
  const pkey = unhex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
  assert.equal(hex(A.poly1305(pkey, new TextEncoder().encode("Cryptographic Forum Research Group"))), "a8061dc1305136c6c22b8baf0c0127a9");
});

test("ChaCha20 and Poly1305 match node:crypto / @noble/ciphers on random inputs", () => {
  for (const n of LENGTHS) {
    const key = bytes(32), nonce = bytes(12), data = bytes(n);
    const counter = rnd(1000);
    const iv = Buffer.concat([Buffer.from(new Uint32Array([counter]).buffer), nonce]);
    const c = nodeCrypto.createCipheriv("chacha20", key, iv);
    assert.equal(hex(A.chacha20(key, nonce, counter, data)), Buffer.concat([c.update(data), c.final()]).toString("hex"), `chacha20 n=${n}`);
    assert.equal(hex(A.poly1305(key, data)), hex(noblePoly(data, key)), `poly1305 n=${n}`);
  }
  // limbs near their bounds: all-ones message blocks and an r with every clamped bit set
  const key = new Uint8Array(32).fill(0xff);
  for (const n of [16, 64, 1024]) {
    const data = new Uint8Array(n).fill(0xff);
    assert.equal(hex(A.poly1305(key, data)), hex(noblePoly(data, key)), `poly1305 all-ones n=${n}`);
  }
  // h + s wrapping 2^128 and h >= p at the end
  for (let i = 0; i < 200; i++) {
    const k = bytes(32);
    if (i & 1) k.fill(0xff, 16);
    const d = i & 2 ? new Uint8Array(rnd(50)).fill(0xff) : bytes(rnd(50));
    assert.equal(hex(A.poly1305(k, d)), hex(noblePoly(d, k)), `poly1305 edge ${i}`);
  }
});

test("openInPlace decrypts where the data is (4-byte aligned), leaves it untouched when the tag fails", () => {
  for (const [name, make, keyLen] of [["AES-128-GCM", A.aesGcm, 16], ["AES-256-GCM portable", A.aesGcmPortable, 32], ["ChaCha20-Poly1305", A.chacha20Poly1305, 32]]) {
    for (const n of [0, 5, 16, 100, 1025]) {
      const g = make(bytes(keyLen)), iv = bytes(12), aad = bytes(5), pt = bytes(n);
      const ct = g.seal(iv, aad, pt);
      const buf = new Uint8Array(ct.length + 8);
      buf.set(ct, 8);
      const view = buf.subarray(8);
      assert.equal(g.openInPlace(iv, aad, view), true, `${name} n=${n}`);
      assert.equal(hex(view.subarray(0, n)), hex(pt), `${name} n=${n}: plaintext in place`);
      const bad = new Uint8Array(ct.length + 8);
      bad.set(ct, 8);
      bad[8 + rnd(ct.length)] ^= 1;
      const before = hex(bad);
      assert.equal(g.openInPlace(iv, aad, bad.subarray(8)), false, `${name} n=${n}: tampered`);
      assert.equal(hex(bad), before, `${name} n=${n}: nothing decrypted when the tag fails`);
      if (n >= 4) {
        const un = new Uint8Array(ct.length + 3);
        un.set(ct, 3);
        assert.throws(() => g.openInPlace(iv, aad, un.subarray(3)), (e) => e.code === "UNALIGNED", `${name} n=${n}: unaligned`);
      }
    }
  }
});
