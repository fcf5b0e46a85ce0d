// Host cross-checks of the SHA-2 family, HMAC, HKDF (+ TLS 1.3 labels) and the TLS 1.2 PRF,
// for both the portable and the native-wrapper implementations.
import { test } from "node:test";
import assert from "node:assert/strict";
import nodeCrypto from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadFirmware } from "../helpers/firmware.mjs";
import { VECTORS } from "../../tools/lib/paths.mjs";

const { T } = await loadFirmware();
const H = T.hashes;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

// Deterministic PRNG so failures reproduce.
let seed = 0x12345678;
function rnd(n) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return Math.floor((seed / 4294967296) * n); }
function bytes(n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = rnd(256); return b; }
const hex = (u) => Buffer.from(u).toString("hex");
const nodeName = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
const algs = ["portableSha256", "portableSha384", "portableSha512", "nativeSha256", "nativeSha384", "nativeSha512"];

test("known answers (FIPS 180-4 examples)", () => {
  const abc = new Uint8Array([97, 98, 99]);
  assert.equal(hex(H.portableSha256.hash(abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(hex(H.portableSha384.hash(abc)), "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  assert.equal(hex(H.portableSha512.hash(abc)), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  assert.equal(hex(H.portableSha256.hash(new Uint8Array(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

for (const name of algs) {
  test(name + ": one-shot and incremental with random splits and clones vs node:crypto", () => {
    const alg = H[name];
    const nn = nodeName[alg.name];
    // Every length around block boundaries, then random ones.
    const lens = [];
    for (let i = 0; i <= 300; i++) lens.push(i);
    for (let i = 0; i < 60; i++) lens.push(rnd(3000));
    for (const n of lens) {
      const m = bytes(n);
      const want = nodeCrypto.createHash(nn).update(m).digest("hex");
      assert.equal(hex(alg.hash(m)), want, name + " one-shot len " + n);
      // Random split into up to 5 pieces, with a clone taken at a random cut.
      const h = alg.create();
      let p = 0, cloneAt = rnd(n + 1), cl = null, pieces = 1 + rnd(5);
      const cuts = [];
      for (let k = 0; k < pieces - 1; k++) cuts.push(rnd(n + 1));
      cuts.push(cloneAt);
      cuts.push(n);
      cuts.sort((a, b) => a - b);
      for (const c of cuts) {
        h.update(m.subarray(p, c));
        p = c;
        if (c === cloneAt && cl === null) {
          cl = h.clone();
          // Intermediate digest does not disturb either object.
          assert.equal(hex(cl.digest()), nodeCrypto.createHash(nn).update(m.subarray(0, c)).digest("hex"));
        }
      }
      assert.equal(hex(h.digest()), want, name + " incremental len " + n);
      assert.equal(hex(h.digest()), want, name + " second digest");
      cl.update(m.subarray(cloneAt));
      assert.equal(hex(cl.digest()), want, name + " clone continued len " + n);
      assert.equal(h.outputLen, alg.outputLen);
    }
  });
}

test("selected SHA256/SHA384/SHA512 are the board's choice and correct", () => {
  for (const k of ["SHA256", "SHA384", "SHA512"]) {
    const m = bytes(777);
    assert.equal(hex(H[k].hash(m)), nodeCrypto.createHash(k.toLowerCase()).update(m).digest("hex"));
  }
});

for (const name of algs) {
  test("HMAC over " + name + " vs node:crypto (short, block-size and long keys)", () => {
    const alg = H[name];
    const nn = nodeName[alg.name];
    for (let i = 0; i < 60; i++) {
      const kl = [0, 1, 20, 32, alg.blockLen - 1, alg.blockLen, alg.blockLen + 1, 200][i % 8];
      const key = bytes(kl), msg = bytes(rnd(400));
      const want = nodeCrypto.createHmac(nn, key).update(msg).digest("hex");
      assert.equal(hex(H.hmac(alg, key, msg)), want);
      const k = new H.Hmac(alg, key);
      const c = rnd(msg.length + 1);
      const m1 = k.clone().update(msg.subarray(0, c));
      assert.equal(hex(m1.digest()), nodeCrypto.createHmac(nn, key).update(msg.subarray(0, c)).digest("hex"));
      assert.equal(hex(m1.update(msg.subarray(c)).digest()), want);
      assert.equal(hex(k.digest()), nodeCrypto.createHmac(nn, key).digest("hex"));
    }
  });

  test("HKDF over " + name + " vs node:crypto hkdfSync", () => {
    const alg = H[name];
    const nn = nodeName[alg.name];
    for (let i = 0; i < 40; i++) {
      const ikm = bytes(rnd(80)), salt = bytes(rnd(3) === 0 ? 0 : rnd(100)), info = bytes(rnd(60));
      const len = [1, alg.outputLen, alg.outputLen + 1, rnd(255 * alg.outputLen) + 1][i % 4];
      const want = Buffer.from(nodeCrypto.hkdfSync(nn, ikm, salt, info, len)).toString("hex");
      assert.equal(hex(H.hkdf(alg, ikm, salt, info, len)), want);
      const prk = H.hkdfExtract(alg, salt, ikm);
      assert.equal(hex(prk), nodeCrypto.createHmac(nn, salt).update(ikm).digest("hex"));
      assert.equal(hex(H.hkdfExpand(alg, prk, info, len)), want);
    }
    assert.equal(H.hkdfExpand(alg, new Uint8Array(alg.outputLen), new Uint8Array(0), 255 * alg.outputLen).length, 255 * alg.outputLen);
    assert.throws(() => H.hkdfExpand(alg, new Uint8Array(alg.outputLen), new Uint8Array(0), 255 * alg.outputLen + 1), (e) => e.code === "HKDF_LENGTH");
  });
}

test("TLS 1.3 key schedule: RFC 8448 §3 (simple 1-RTT) values", () => {
  for (const name of ["portableSha256", "nativeSha256"]) {
    const alg = H[name];
    const z = new Uint8Array(32);
    const early = H.hkdfExtract(alg, new Uint8Array(0), z);
    assert.equal(hex(early), "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");
    const derived = H.deriveSecret(alg, early, "derived", alg.hash(new Uint8Array(0)));
    assert.equal(hex(derived), "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba");
    const ecdhe = Buffer.from("8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d", "hex");
    const hs = H.hkdfExtract(alg, derived, new Uint8Array(ecdhe));
    assert.equal(hex(hs), "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac");
    const th = new Uint8Array(Buffer.from("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8", "hex"));
    const chs = H.deriveSecret(alg, hs, "c hs traffic", th);
    assert.equal(hex(chs), "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21");
    const shs = H.deriveSecret(alg, hs, "s hs traffic", th);
    assert.equal(hex(shs), "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38");
    assert.equal(hex(H.hkdfExpandLabel(alg, shs, "key", new Uint8Array(0), 16)), "3fce516009c21727d0f2e4e86ee403bc");
    assert.equal(hex(H.hkdfExpandLabel(alg, shs, "iv", new Uint8Array(0), 12)), "5d313eb2671276ee13000b30");
  }
});

test("HKDF-Expand-Label vs a hand-built HkdfLabel over node:crypto (SHA-384)", () => {
  for (const name of ["portableSha384", "nativeSha384"]) {
    for (let i = 0; i < 20; i++) {
      const secret = bytes(48), ctx = bytes(rnd(64)), len = 1 + rnd(100);
      const label = ["key", "iv", "finished", "c ap traffic", "derived"][i % 5];
      const info = Buffer.concat([Buffer.from([len >> 8, len & 255, 6 + label.length]), Buffer.from("tls13 " + label), Buffer.from([ctx.length]), ctx]);
      // node's hkdfSync always extracts first: build the Expand-only reference by hand.
      let t = Buffer.alloc(0), okm = Buffer.alloc(0);
      for (let c = 1; okm.length < len; c++) {
        t = nodeCrypto.createHmac("sha384", secret).update(Buffer.concat([t, info, Buffer.from([c])])).digest();
        okm = Buffer.concat([okm, t]);
      }
      assert.equal(hex(H.hkdfExpandLabel(H[name], secret, label, ctx, len)), okm.subarray(0, len).toString("hex"));
    }
  }
});

function refPrf12(nn, secret, label, seed, len) {
  const s = Buffer.concat([Buffer.from(label, "latin1"), seed]);
  let a = s, out = Buffer.alloc(0);
  while (out.length < len) {
    a = nodeCrypto.createHmac(nn, secret).update(a).digest();
    out = Buffer.concat([out, nodeCrypto.createHmac(nn, secret).update(Buffer.concat([a, s])).digest()]);
  }
  return out.subarray(0, len).toString("hex");
}

test("TLS 1.2 PRF vs a P_hash reference on node:crypto HMAC", () => {
  for (const name of ["portableSha256", "portableSha384", "nativeSha256", "nativeSha384"]) {
    const alg = H[name];
    for (let i = 0; i < 25; i++) {
      const secret = bytes([48, 32, 0, 100][i % 4]), seed = bytes(64), len = [12, 48, 104, 1 + rnd(200)][i % 4];
      const label = ["master secret", "key expansion", "client finished", "extended master secret"][rnd(4)];
      assert.equal(hex(H.prf12(alg, secret, label, seed, len)), refPrf12(nodeName[alg.name], secret, label, seed, len));
    }
  }
  // Published TLS 1.2 PRF-SHA256 test vector (IETF TLS WG mailing list, "PRF Testvector for the SHA-256").
  const secret = new Uint8Array(Buffer.from("9bbe436ba940f017b17652849a71db35", "hex"));
  const seed = new Uint8Array(Buffer.from("a0ba9f936cda311827a6f796ffd5198c", "hex"));
  const out = H.prf12(H.portableSha256, secret, "test label", seed, 100);
  assert.equal(hex(out), refPrf12("sha256", secret, "test label", seed, 100));
  assert.equal(hex(out).slice(0, 32), "e3f229ba727be17b8d122620557cd453");
});

// The Wycheproof families again, with the portable implementations swapped in for the
// selected ones (the families themselves run with whatever the board selects).
for (const fam of ["hmac", "hkdf"]) {
  test("vector family " + fam + " with portable SHA-2", async () => {
    const F = (await import(path.join(root, "test/vectors", fam + ".mjs"))).default;
    const hp = Object.assign({}, H, { SHA256: H.portableSha256, SHA384: H.portableSha384, SHA512: H.portableSha512 });
    const T2 = { hashes: hp, util: T.util };
    let n = 0;
    for (const file of F.files) {
      const json = JSON.parse(readFileSync(path.join(VECTORS, "wycheproof", file), "utf8"));
      for (const c of F.cases(json, file)) {
        assert.ok(F.check(T2, c), c.id);
        n++;
      }
    }
    assert.ok(n > 100);
  });
}
