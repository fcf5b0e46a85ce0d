// identity.generate on the built test bundle in the board mock: the CSR it returns is judged by
// OpenSSL (`openssl req -verify`, `openssl x509 -req`) and by our local CA, the key file it leaves
// in Storage parses (Node, OpenSSL, the firmware's parsePrivateKey) and is the CSR's key; the
// private key appears nowhere else; bad options give coded errors and store nothing.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadFirmware } from "../helpers/firmware.mjs";
import { inspectCsr } from "../../tools/localca/csr.mjs";
import { initCa, signCsr } from "../../tools/localca/ca.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "etls-identity-test-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const f = (n) => path.join(dir, n);
const fw = await loadFirmware({ board: "linux" });
after(() => fw.close());
const { T, board } = fw;
const Storage = board.require("Storage");

function generate(opts) {
  return new Promise((resolve) => {
    T.identity.generate(opts, (err, r) => resolve(err ? { err: { code: err.code, message: err.message, detail: err.detail } } : { r }));
  });
}

function reqVerify(file) {
  const r = spawnSync("openssl", ["req", "-in", file, "-noout", "-verify"], { encoding: "utf8" });
  const text = r.stdout + r.stderr; // OpenSSL 3.0 exits 0 on a failed verification: read the verdict
  return r.status === 0 && /self-signature verify OK/.test(text) && !/verify failure/.test(text);
}

const stored = (name) => { const s = Storage.read(name); return s === undefined ? undefined : Buffer.from(String(s), "latin1"); };

test("generate: a CSR that OpenSSL verifies and signs, with the subject and SANs given; the key in Storage is the CSR's", { timeout: 120000 }, async () => {
  const { r, err } = await generate({ curve: "P-256", name: "etls.key", subject: { CN: "dev-01", O: "Example Lab", C: "DE" }, dns: ["dev-01.local"], ip: ["192.168.1.7"] });
  assert.equal(err, undefined, JSON.stringify(err));
  assert.equal(r.name, "etls.key");
  assert.equal(r.curve, "P-256");
  assert.match(r.csr, /^-----BEGIN CERTIFICATE REQUEST-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE REQUEST-----\n$/);
  writeFileSync(f("dev.csr"), r.csr);
  assert.equal(reqVerify(f("dev.csr")), true, "openssl req -verify");
  const subj = execFileSync("openssl", ["req", "-in", f("dev.csr"), "-noout", "-subject", "-nameopt", "RFC2253"], { encoding: "utf8" });
  assert.equal(subj.trim(), "subject=CN=dev-01,O=Example Lab,C=DE");
  const text = execFileSync("openssl", ["req", "-in", f("dev.csr"), "-noout", "-text"], { encoding: "utf8" });
  assert.match(text, /X509v3 Subject Alternative Name:\s*\n\s*DNS:dev-01\.local, IP Address:192\.168\.1\.7/);
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
  assert.match(text, /NIST CURVE: P-256/);
  // Node's verification of the same CSR (tools/localca/csr.mjs), independent of OpenSSL
  const info = inspectCsr(Buffer.from(r.csr));
  assert.equal(info.signatureValid, true);
  assert.deepEqual(info.sans, ["DNS:dev-01.local", "IP:192.168.1.7"]);

  // openssl x509 -req signs it with a throwaway CA
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("x.key"), "-out", f("x.pem"), "-subj", "/CN=x509 req CA", "-days", "2"], { stdio: "ignore" });
  execFileSync("openssl", ["x509", "-req", "-in", f("dev.csr"), "-CA", f("x.pem"), "-CAkey", f("x.key"), "-set_serial", "7", "-days", "1", "-out", f("dev-x.pem")], { stdio: "ignore" });
  assert.equal(spawnSync("openssl", ["verify", "-CAfile", f("x.pem"), f("dev-x.pem")]).status, 0);
  // and our local CA issues a client certificate for it
  initCa(f("ca"), {});
  const issued = signCsr(f("ca"), Buffer.from(r.csr), { client: true });
  writeFileSync(f("dev-ca.pem"), issued.pem);
  assert.equal(spawnSync("openssl", ["verify", "-purpose", "sslclient", "-CAfile", f("ca/ca.pem"), f("dev-ca.pem")]).status, 0);

  // the key file: PKCS#8 DER that Node, OpenSSL and the firmware read, and whose public half is the CSR's
  const der = stored("etls.key");
  const priv = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  assert.equal(priv.asymmetricKeyDetails.namedCurve, "prime256v1");
  const pubFromKey = createPublicKey(priv).export({ format: "der", type: "spki" });
  assert.deepEqual(pubFromKey, info.spki);
  assert.deepEqual(Buffer.from(r.publicKey.replace(/-----[^-]+-----|\s/g, ""), "base64"), info.spki);
  writeFileSync(f("stored.der"), der);
  assert.equal(spawnSync("openssl", ["pkey", "-inform", "DER", "-in", f("stored.der"), "-noout", "-check"]).status, 0);
  const msg = Buffer.from("proof of possession");
  assert.equal(nodeVerify("sha256", msg, info.publicKey, nodeSign("sha256", msg, priv)), true);
  const k = T.sign.parsePrivateKey(String(Storage.read("etls.key")));
  assert.equal(k.curve, "P256");
  assert.deepEqual(Buffer.from(k.spki.point), info.spki.subarray(info.spki.length - 65));

  // the private scalar is nowhere but in Storage: not in the result, not printed
  const d = priv.export({ format: "jwk" }).d;
  const scalarHex = Buffer.from(d, "base64url").toString("hex");
  const everything = JSON.stringify(r) + board.printed.join("\n");
  assert.ok(!everything.includes(scalarHex) && !everything.includes(d) && !everything.includes(Buffer.from(d, "base64url").toString("base64")));
  assert.ok(!Buffer.from(r.csr.replace(/-----[^-]+-----|\s/g, ""), "base64").includes(Buffer.from(d, "base64url")));
});

test("generate refuses to replace a key unless overwrite: true; a new key is a different key", { timeout: 120000 }, async () => {
  const before = stored("etls.key");
  assert.ok(before, "the first test stored etls.key");
  const { err } = await generate({ subject: { CN: "dev-01" } });
  assert.equal(err.code, "IDENTITY_KEY_EXISTS");
  assert.deepEqual(stored("etls.key"), before);
  const again = await generate({ subject: { CN: "dev-01" }, overwrite: true });
  assert.equal(again.err, undefined);
  assert.notDeepEqual(stored("etls.key"), before);
  const info = inspectCsr(Buffer.from(again.r.csr));
  assert.equal(info.signatureValid, true);
  assert.deepEqual(info.sans, []);
  assert.equal(info.subject, "CN=dev-01");
});

test("generate: bad options give coded errors and store nothing", { timeout: 60000 }, async () => {
  const cases = [
    [{ curve: "P-384", name: "k1" }, "IDENTITY_BAD_CURVE"],
    [{ curve: "secp256k1", name: "k1" }, "IDENTITY_BAD_CURVE"],
    [{ name: "a-name-longer-than-28-chars.key", subject: { CN: "x" } }, "IDENTITY_BAD_NAME"],
    [{ name: "", subject: { CN: "x" } }, "IDENTITY_BAD_NAME"],
    [{ name: 7, subject: { CN: "x" } }, "IDENTITY_BAD_NAME"],
    [{ name: "k1", subject: { CN: "" } }, "IDENTITY_BAD_SUBJECT"],
    [{ name: "k1", subject: { CN: "x".repeat(65) } }, "IDENTITY_BAD_SUBJECT"],
    [{ name: "k1", subject: { CN: "caf\u00e9" } }, "IDENTITY_BAD_SUBJECT"],
    [{ name: "k1", subject: { C: "Germany" } }, "IDENTITY_BAD_SUBJECT"],
    [{ name: "k1", subject: { serialNumber: "a_b" } }, "IDENTITY_BAD_SUBJECT"],
    [{ name: "k1", subject: { emailAddress: "a@b" } }, "IDENTITY_BAD_SUBJECT"],
    [{ name: "k1", subject: {} }, "IDENTITY_BAD_SUBJECT"],
    [{ name: "k1", subject: { CN: "x" }, dns: ["bad name.local"] }, "IDENTITY_BAD_SAN"],
    [{ name: "k1", subject: { CN: "x" }, dns: ["-x.local"] }, "IDENTITY_BAD_SAN"],
    [{ name: "k1", subject: { CN: "x" }, ip: ["256.1.1.1"] }, "IDENTITY_BAD_SAN"],
    [{ name: "k1", subject: { CN: "x" }, ip: ["01.2.3.4"] }, "IDENTITY_BAD_SAN"],
    [{ name: "k1", subject: { CN: "x" }, ip: ["::1"] }, "IDENTITY_BAD_SAN"],
    [{ name: "k1", subject: { CN: "x" }, dns: 5 }, "IDENTITY_BAD_SAN"],
  ];
  for (const [opts, code] of cases) {
    const { err } = await generate(opts);
    assert.equal(err && err.code, code, JSON.stringify(opts));
    assert.equal(stored("k1"), undefined, "nothing stored for " + JSON.stringify(opts));
  }
});

test("generate: a string dns / ip is one entry; the CSR carries them in order", { timeout: 60000 }, async () => {
  const { r, err } = await generate({ name: "k2", subject: { CN: "one", OU: "unit", L: "Town", ST: "State", serialNumber: "SN-0042" }, dns: "one.example", ip: "10.0.0.1" });
  assert.equal(err, undefined, JSON.stringify(err));
  writeFileSync(f("k2.csr"), r.csr);
  assert.equal(reqVerify(f("k2.csr")), true);
  const subj = execFileSync("openssl", ["req", "-in", f("k2.csr"), "-noout", "-subject", "-nameopt", "RFC2253"], { encoding: "utf8" });
  assert.equal(subj.trim(), "subject=serialNumber=SN-0042,CN=one,OU=unit,L=Town,ST=State");
  assert.deepEqual(inspectCsr(Buffer.from(r.csr)).sans, ["DNS:one.example", "IP:10.0.0.1"]);
});

test("generate with a full Storage: IDENTITY_STORAGE_FULL, no key file and no CSR", { timeout: 60000 }, async () => {
  // leave less room than the key file (about 140 bytes plus a file header) needs; trash from
  // the earlier tests would be compacted away to make room, so compact first
  Storage.compact();
  const fill = Storage.getFree() - 120;
  assert.equal(Storage.write("filler", "x", 0, fill), true);
  try {
    assert.ok(Storage.getFree() < 150, "Storage is (nearly) full");
    const { r, err } = await generate({ name: "k3", subject: { CN: "full" } });
    assert.equal(r, undefined);
    assert.equal(err && err.code, "IDENTITY_STORAGE_FULL", JSON.stringify(err));
    assert.equal(err.detail.name, "k3");
    assert.equal(stored("k3"), undefined, "nothing left in Storage");
  } finally { Storage.erase("filler"); }
});
