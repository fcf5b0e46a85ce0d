// Signing on the board (firmware/crypto/ecdsa-sign.ts, rsa-sign.ts, ed25519-sign.ts and the one
// interface firmware/identity/sign.ts): RFC 6979 A.2.5 / A.2.6 vectors with empty extra
// entropy, and every signature made here verified by Node's crypto.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { loadFirmware } from "../helpers/firmware.mjs";

const { T } = await loadFirmware();
const S = T.sign;

const u8 = (b) => new Uint8Array(b);
const hex = (h) => u8(Buffer.from(h, "hex"));
const ascii = (s) => u8(Buffer.from(s, "latin1"));
const rnd = (n) => u8(crypto.randomBytes(n));

/** [r, s] hex (upper case, curve size) of a DER Ecdsa-Sig-Value, via Node's own decoder. */
function rsOf(der, size) {
  // parse by hand: SEQUENCE { INTEGER r, INTEGER s }, short lengths
  const b = Buffer.from(der);
  assert.equal(b[0], 0x30);
  assert.equal(b[1], b.length - 2);
  let i = 2;
  const out = [];
  for (let k = 0; k < 2; k++) {
    assert.equal(b[i], 2);
    const len = b[i + 1];
    let v = b.subarray(i + 2, i + 2 + len);
    assert.ok(!(v[0] & 0x80), "positive INTEGER");
    if (v.length > 1) assert.ok(v[0] !== 0 || (v[1] & 0x80), "minimal INTEGER");
    if (v[0] === 0) v = v.subarray(1);
    out.push(v.toString("hex").toUpperCase().padStart(2 * size, "0"));
    i += 2 + len;
  }
  assert.equal(i, b.length);
  return out;
}

// RFC 6979 A.2.5 (P-256) and A.2.6 (P-384): the hashes the firmware has (SHA-256/384/512).
const A25 = {
  C: "P256", size: 32, x: "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
  Ux: "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
  Uy: "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
  sigs: [
    ["sample", "SHA256", "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60",
      "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716", "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"],
    ["sample", "SHA384", "09F634B188CEFD98E7EC88B1AA9852D734D0BC272F7D2A47DECC6EBEB375AAD4",
      "0EAFEA039B20E9B42309FB1D89E213057CBF973DC0CFC8F129EDDDC800EF7719", "4861F0491E6998B9455193E34E7B0D284DDD7149A74B95B9261F13ABDE940954"],
    ["sample", "SHA512", "5FA81C63109BADB88C1F367B47DA606DA28CAD69AA22C4FE6AD7DF73A7173AA5",
      "8496A60B5E9B47C825488827E0495B0E3FA109EC4568FD3F8D1097678EB97F00", "2362AB1ADBE2B8ADF9CB9EDAB740EA6049C028114F2460F96554F61FAE3302FE"],
    ["test", "SHA256", "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0",
      "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367", "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"],
    ["test", "SHA384", "16AEFFA357260B04B1DD199693960740066C1A8F3E8EDD79070AA914D361B3B8",
      "83910E8B48BB0C74244EBDF7F07A1C5413D61472BD941EF3920E623FBCCEBEB6", "8DDBEC54CF8CD5874883841D712142A56A8D0F218F5003CB0296B6B509619F2C"],
    ["test", "SHA512", "6915D11632ACA3C40D5D51C08DAF9C555933819548784480E93499000D9F0B7F",
      "461D93F31B6540894788FD206C07CFA0CC35F46FA3C91816FFF1040AD1581A04", "39AF9F15DE0DB8D97E72719C74820D304CE5226E32DEDAE67519E840D1194E55"],
  ],
};
const A26 = {
  C: "P384", size: 48, x: "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
  Ux: "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13",
  Uy: "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
  sigs: [
    ["sample", "SHA256", "180AE9F9AEC5438A44BC159A1FCB277C7BE54FA20E7CF404B490650A8ACC414E375572342863C899F9F2EDF9747A9B60",
      "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD",
      "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0"],
    ["sample", "SHA384", "94ED910D1A099DAD3254E9242AE85ABDE4BA15168EAF0CA87A555FD56D10FBCA2907E3E83BA95368623B8C4686915CF9",
      "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
      "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8"],
    ["sample", "SHA512", "92FC3C7183A883E24216D1141F1A8976C5B0DD797DFA597E3D7B32198BD35331A4E966532593A52980D0E3AAA5E10EC3",
      "ED0959D5880AB2D869AE7F6C2915C6D60F96507F9CB3E047C0046861DA4A799CFE30F35CC900056D7C99CD7882433709",
      "512C8CCEEE3890A84058CE1E22DBC2198F42323CE8ACA9135329F03C068E5112DC7CC3EF3446DEFCEB01A45C2667FDD5"],
    ["test", "SHA256", "0CFAC37587532347DC3389FDC98286BBA8C73807285B184C83E62E26C401C0FAA48DD070BA79921A3457ABFF2D630AD7",
      "6D6DEFAC9AB64DABAFE36C6BF510352A4CC27001263638E5B16D9BB51D451559F918EEDAF2293BE5B475CC8F0188636B",
      "2D46F3BECBCC523D5F1A1256BF0C9B024D879BA9E838144C8BA6BAEB4B53B47D51AB373F9845C0514EEFB14024787265"],
    ["test", "SHA384", "015EE46A5BF88773ED9123A5AB0807962D193719503C527B031B4C2D225092ADA71F4A459BC0DA98ADB95837DB8312EA",
      "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB",
      "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5"],
    ["test", "SHA512", "3780C4F67CB15518B6ACAE34C9F83568D2E12E47DEAB6C50A4E4EE5319D1E8CE0E2CC8A136036DC4B9C00E6888F66B6C",
      "A0D5D090C9980FAF3C2CE57B7AE951D31977DD11C775D314AF55F76C676447D06FB6495CD21B4B6E340FC236584FB277",
      "976984E59B4C77B0E8E4460DCA3D9F20E07B9BB1F63BEEFAF576F6B2E8B224634A2092CD3792E0159AD9CEE37659C736"],
  ],
};

/** A Node public KeyObject for an uncompressed point on the named curve. */
function ecPub(curve, point) {
  const crv = curve === "P256" ? "P-256" : "P-384", L = curve === "P256" ? 32 : 48, p = Buffer.from(point);
  return crypto.createPublicKey({ key: { kty: "EC", crv, x: p.subarray(1, 1 + L).toString("base64url"), y: p.subarray(1 + L).toString("base64url") }, format: "jwk" });
}

for (const V of [A25, A26]) {
  test(`RFC 6979 ${V.C === "P256" ? "A.2.5 (P-256)" : "A.2.6 (P-384)"}: nonces and signatures with empty extra entropy`, () => {
    const C = S[V.C], d = hex(V.x);
    for (const [msg, h, k, r, s] of V.sigs) {
      const H = S[h], digest = H.hash(ascii(msg));
      const X = T.nist.ctx(C), gen = new S.Rfc6979(X, H, d, digest, u8(0));
      const kb = new Uint8Array(V.size);
      T.nist.limbsToBytes(gen.next(), kb, 0, V.size);
      assert.equal(Buffer.from(kb).toString("hex").toUpperCase(), k, `k for ${msg}/${h}`);
      const der = S.runSync(new S.EcdsaSignJob(C, H, d, digest, u8(0), rnd));
      assert.deepEqual(rsOf(der, V.size), [r, s], `${msg}/${h}`);
      // and Node accepts it under the RFC's public key
      const pub = ecPub(V.C, hex("04" + V.Ux + V.Uy));
      assert.ok(crypto.verify(h.replace("SHA", "sha"), ascii(msg), pub, Buffer.from(der)), "Node verifies");
    }
  });
}

test("hedged ECDSA: fresh extra entropy changes the nonce; every signature verifies in Node", () => {
  const C = S.P256, H = S.SHA256, d = hex(A25.x), digest = H.hash(ascii("sample"));
  const X = T.nist.ctx(C), kb = new Uint8Array(32);
  T.nist.limbsToBytes(new S.Rfc6979(X, H, d, digest, rnd(32)).next(), kb, 0, 32);
  assert.notEqual(Buffer.from(kb).toString("hex").toUpperCase(), A25.sigs[0][2]);
  const pub = ecPub("P256", hex("04" + A25.Ux + A25.Uy));
  const a = S.runSync(new S.EcdsaSignJob(C, H, d, digest, rnd(32), rnd));
  const b = S.runSync(new S.EcdsaSignJob(C, H, d, digest, rnd(32), rnd));
  assert.notDeepEqual(Buffer.from(a), Buffer.from(b));
  for (const sig of [a, b]) assert.ok(crypto.verify("sha256", ascii("sample"), pub, Buffer.from(sig)));
});

test("ECDSA private keys out of range are refused", () => {
  const n = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
  for (const bad of ["00".repeat(32), n]) {
    assert.throws(() => new S.EcdsaSignJob(S.P256, S.SHA256, hex(bad), rnd(32), u8(0), rnd), (e) => e.code === "CRYPTO_BAD_SCALAR");
  }
});

for (const [curve, crv, hash, scheme] of [["P256", "P-256", "sha256", 0x0403], ["P384", "P-384", "sha384", 0x0503]]) {
  test(`signJob with a Node-made ${crv} key: scheme list, random keys and messages verified by Node`, () => {
    for (let i = 0; i < 3; i++) {
      const kp = crypto.generateKeyPairSync("ec", { namedCurve: crv });
      const key = S.parsePrivateKey(kp.privateKey.export({ type: "pkcs8", format: "pem" }));
      assert.deepEqual(Array.from(S.signatureSchemes(key)), [scheme]);
      const msg = rnd(1 + i * 700);
      const sig = S.runSync(S.signJob(key, scheme, msg, rnd));
      assert.ok(crypto.verify(hash, msg, kp.publicKey, Buffer.from(sig)), "Node verifies");
      assert.ok(!crypto.verify(hash, rnd(20), kp.publicKey, Buffer.from(sig)), "another message does not");
      assert.throws(() => S.signJob(key, 0x0804, msg, rnd), (e) => e.code === "CRYPTO_UNSUPPORTED");
    }
  });
}

test("signJob runs sliced (runSliced) and gives a signature Node verifies", async () => {
  const kp = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const key = S.parsePrivateKey(u8(kp.privateKey.export({ type: "sec1", format: "der" })));
  const msg = ascii("sliced");
  const sig = await new Promise((res, rej) => S.runSliced(S.signJob(key, 0x0403, msg, rnd), (err, v) => (err ? rej(err) : res(v))));
  assert.ok(crypto.verify("sha256", msg, kp.publicKey, Buffer.from(sig)));
});

test("Ed25519: keys from Node and openssl (PKCS#8 PEM/DER), public key derived from the seed, signatures byte-equal to Node's", () => {
  for (let i = 0; i < 4; i++) {
    const kp = crypto.generateKeyPairSync("ed25519");
    const input = i % 2 ? u8(kp.privateKey.export({ type: "pkcs8", format: "der" })) : kp.privateKey.export({ type: "pkcs8", format: "pem" });
    const key = S.parsePrivateKey(input);
    assert.equal(key.kind, 3);
    assert.deepEqual(Buffer.from(key.spki.der), kp.publicKey.export({ type: "spki", format: "der" }), "derived public key");
    assert.deepEqual(Array.from(S.signatureSchemes(key)), [0x0807]);
    for (const msg of [u8(0), rnd(1), rnd(300)]) {
      const sig = S.runSync(S.signJob(key, 0x0807, msg, rnd));
      assert.deepEqual(Buffer.from(sig), crypto.sign(null, msg, kp.privateKey), "same bytes as Node (deterministic)");
      assert.ok(crypto.verify(null, msg, kp.publicKey, Buffer.from(sig)));
    }
  }
  const pem = execFileSync("openssl", ["genpkey", "-algorithm", "ed25519"]).toString();
  const spki = execFileSync("openssl", ["pkey", "-pubout", "-outform", "DER"], { input: pem });
  const key = S.parsePrivateKey(pem), msg = ascii("openssl");
  assert.deepEqual(Buffer.from(key.spki.der), spki);
  assert.ok(crypto.verify(null, msg, crypto.createPublicKey({ key: spki, format: "der", type: "spki" }), Buffer.from(S.runSync(S.signJob(key, 0x0807, msg, rnd)))));
});

test("Ed25519: RFC 8032 §7.1 TEST 1 and TEST 3", () => {
  const cases = [
    ["9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
    ["c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"],
  ];
  for (const [seed, pub, msg, sig] of cases) {
    assert.equal(Buffer.from(S.ed25519PublicKey(hex(seed))).toString("hex"), pub);
    assert.equal(Buffer.from(S.runSync(S.ed25519SignJob(hex(seed), hex(pub), hex(msg)))).toString("hex"), sig);
  }
});

test("the comb (BaseMulJob) gives the same k*G as the windowed MulJob, edge and random scalars", () => {
  const N = T.nist;
  for (const [C, nHex] of [[S.P256, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"],
    [S.P384, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973"]]) {
    const n = BigInt("0x" + nHex), size = nHex.length / 2, X = N.ctx(C);
    const ks = [1n, 2n, 3n, 15n, 16n, 17n, n - 1n, n - 2n, n - 3n, n >> 1n, (n >> 1n) + 1n, 1n << BigInt(8 * size - 2)];
    for (let i = 0; i < 6; i++) ks.push(BigInt("0x" + crypto.randomBytes(size).toString("hex")) % (n - 1n) + 1n);
    for (const k of ks) {
      const kb = hex(k.toString(16).padStart(2 * size, "0")), kl = N.scalarFromBytes(X, kb);
      const affine = (p) => { const a = S.runSync(new N.ToAffine(X, p)); return Buffer.from(N.encodePoint(C, a[0], a[1])).toString("hex"); };
      const want = affine(S.runSync(new N.MulJob(C, kl, null, null)));
      assert.equal(affine(S.runSync(new S.BaseMulJob(C, kl))), want, `k = ${k.toString(16)}`);
    }
  }
});
