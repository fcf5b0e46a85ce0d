// Private key parsing (firmware/identity/key.ts, key-der.ts): keys made by Node and by the
// openssl CLI in every form (PKCS#8, SEC1 with and without the public key, PKCS#1; PEM, DER
// bytes, DER byte strings), encrypted keys, garbage, keyMatchesSpki.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadFirmware } from "../helpers/firmware.mjs";

const { T } = await loadFirmware();
const S = T.sign;
const u8 = (b) => new Uint8Array(b);
const latin1 = (b) => Buffer.from(b).toString("latin1");
const dir = mkdtempSync(path.join(tmpdir(), "etls-keys-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function openssl(args, input) {
  return execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"] });
}
function file(name) {
  return path.join(dir, name);
}
/** The SubjectPublicKeyInfo DER of a Node key. */
function spkiDer(k) {
  return Buffer.from((k.type === "public" ? k : crypto.createPublicKey(k)).export({ type: "spki", format: "der" }));
}
function expectKey(key, kind, curve, bits, spki) {
  assert.equal(key.kind, kind);
  assert.equal(key.curve, curve);
  assert.equal(key.bits, bits);
  assert.deepEqual(Buffer.from(key.spki.der), spki, "public key equals Node's SPKI");
}
const KEY_RSA = 1, KEY_EC = 2, KEY_ED25519 = 3;

for (const [crv, curve, bits] of [["P-256", "P256", 256], ["P-384", "P384", 384]]) {
  test(`EC ${crv} keys from Node: PKCS#8 and SEC1, PEM, DER bytes and DER byte string`, () => {
    const kp = crypto.generateKeyPairSync("ec", { namedCurve: crv }), spki = spkiDer(kp.publicKey);
    for (const type of ["pkcs8", "sec1"]) {
      const pem = kp.privateKey.export({ type, format: "pem" }), der = kp.privateKey.export({ type, format: "der" });
      for (const input of [pem, u8(der), latin1(der), u8(Buffer.from(pem))]) {
        const key = S.parsePrivateKey(input);
        expectKey(key, KEY_EC, curve, bits, spki);
        assert.ok(S.keyMatchesSpki(key, key.spki));
      }
    }
  });

  test(`EC ${crv} keys from openssl: ecparam -genkey (with EC PARAMETERS), -no_public, pkcs8 without public key`, () => {
    const keyPem = openssl(["ecparam", "-name", crv === "P-256" ? "prime256v1" : "secp384r1", "-genkey"]).toString();
    assert.ok(keyPem.includes("EC PARAMETERS") && keyPem.includes("EC PRIVATE KEY"));
    const spki = openssl(["pkey", "-pubout", "-outform", "DER"], keyPem);
    const noPub = openssl(["ec", "-no_public"], keyPem).toString();
    const noPubDer = openssl(["ec", "-no_public", "-outform", "DER"], keyPem);
    const p8 = openssl(["pkcs8", "-topk8", "-nocrypt"], noPub).toString();
    for (const input of [keyPem, noPub, u8(noPubDer), p8]) expectKey(S.parsePrivateKey(input), KEY_EC, curve, bits, spki);
    // the computed public key (no public key in the file) is the real one: Node verifies
    const key = S.parsePrivateKey(noPub), msg = u8(Buffer.from("no public key in the file"));
    const sig = S.runSync(S.signJob(key, S.signatureSchemes(key)[0], msg, (n) => u8(crypto.randomBytes(n))));
    assert.ok(crypto.verify(curve === "P256" ? "sha256" : "sha384", msg, crypto.createPublicKey({ key: spki, format: "der", type: "spki" }), Buffer.from(sig)));
  });
}

test("RSA keys: PKCS#1 and PKCS#8 from Node and openssl, PEM and DER", () => {
  for (const bits of [2048, 3072]) {
    const kp = crypto.generateKeyPairSync("rsa", { modulusLength: bits }), spki = spkiDer(kp.publicKey);
    for (const type of ["pkcs1", "pkcs8"]) {
      for (const format of ["pem", "der"]) {
        const x = kp.privateKey.export({ type, format });
        expectKey(S.parsePrivateKey(format === "pem" ? x : u8(x)), KEY_RSA, "", bits, spki);
      }
    }
  }
  openssl(["genrsa", "-out", file("rsa.pem"), "2048"]);
  const pem = readFileSync(file("rsa.pem"), "utf8"), spki = openssl(["pkey", "-in", file("rsa.pem"), "-pubout", "-outform", "DER"]);
  const trad = openssl(["rsa", "-in", file("rsa.pem"), "-traditional"]).toString();
  assert.ok(trad.includes("RSA PRIVATE KEY"));
  for (const input of [pem, trad]) expectKey(S.parsePrivateKey(input), KEY_RSA, "", 2048, spki);
});

test("encrypted keys give KEY_ENCRYPTED (PKCS#8 PEM and DER, traditional Proc-Type PEM)", () => {
  const kp = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const p8 = kp.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" });
  const p8der = kp.privateKey.export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: "pw" });
  const sec1 = kp.privateKey.export({ type: "sec1", format: "pem", cipher: "aes-128-cbc", passphrase: "pw" });
  const rsa = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem", cipher: "aes-128-cbc", passphrase: "pw" });
  assert.ok(p8.includes("ENCRYPTED PRIVATE KEY") && sec1.includes("Proc-Type: 4,ENCRYPTED") && rsa.includes("Proc-Type: 4,ENCRYPTED"));
  for (const input of [p8, u8(p8der), latin1(p8der), sec1, rsa]) {
    assert.throws(() => S.parsePrivateKey(input), (e) => e.code === "KEY_ENCRYPTED" && typeof e.message === "string");
  }
});

test("garbage, truncated and wrong-type inputs give BAD_KEY, and no error carries key bytes", () => {
  const kp = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const der = kp.privateKey.export({ type: "sec1", format: "der" });
  const secretHex = Buffer.from(kp.privateKey.export({ format: "jwk" }).d, "base64url").toString("hex");
  const pubPem = kp.publicKey.export({ type: "spki", format: "pem" });
  const cert = openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file("c.key"), "-subj", "/CN=x", "-days", "1"]).toString();
  const flipped = Buffer.from(der);
  flipped[8] ^= 0xff; // inside the private key: out of range or not: either way the length of OCTET STRING stays
  const wrongCurve = crypto.generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey.export({ type: "pkcs8", format: "pem" });
  const inputs = [
    "", "hello", u8(crypto.randomBytes(100)), u8(der.subarray(0, der.length - 1)), u8(Buffer.concat([der, Buffer.from([0])])),
    pubPem, cert, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\nMIIB\n", wrongCurve, u8(0), latin1(crypto.randomBytes(64)),
    crypto.generateKeyPairSync("ed448").privateKey.export({ type: "pkcs8", format: "pem" }),
  ];
  for (const input of inputs) {
    assert.throws(() => S.parsePrivateKey(input), (e) => {
      assert.equal(e.code, "BAD_KEY", String(e.message));
      const text = JSON.stringify([e.message, e.detail]).toLowerCase();
      assert.ok(!text.includes(secretHex.slice(0, 16)), "no key bytes in the error");
      return true;
    });
  }
  // a private key out of range (all zero) in a valid SEC1 structure
  const zero = Buffer.from(der);
  zero.fill(0, 7, 7 + 32);
  assert.throws(() => S.parsePrivateKey(u8(zero)), (e) => e.code === "BAD_KEY");
  // RSA with n != p*q
  const rsaDer = Buffer.from(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "der" }));
  rsaDer[20] ^= 1; // a bit of n
  assert.throws(() => S.parsePrivateKey(u8(rsaDer)), (e) => e.code === "BAD_KEY" && /p\*q/.test(e.message));
});

test("keyMatchesSpki: true for the key's own certificate, false for another key, curve or type", () => {
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file("m.key"), "-out", file("m.crt"), "-subj", "/CN=m", "-days", "1"]);
  const cert = T.x509.parse(u8(openssl(["x509", "-in", file("m.crt"), "-outform", "DER"])));
  const key = S.parsePrivateKey(readFileSync(file("m.key"), "utf8"));
  assert.equal(S.keyMatchesSpki(key, cert.spki), true);
  const other = S.parsePrivateKey(crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }));
  const p384 = S.parsePrivateKey(crypto.generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ type: "pkcs8", format: "pem" }));
  const rsa = S.parsePrivateKey(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }));
  assert.equal(S.keyMatchesSpki(other, cert.spki), false);
  assert.equal(S.keyMatchesSpki(p384, cert.spki), false);
  assert.equal(S.keyMatchesSpki(rsa, cert.spki), false);
  assert.equal(S.keyMatchesSpki(rsa, rsa.spki), true);
  const rsa2 = S.parsePrivateKey(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }));
  assert.equal(S.keyMatchesSpki(rsa, rsa2.spki), false);
});
