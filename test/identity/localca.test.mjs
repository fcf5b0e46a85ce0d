// `espruino-tls csr` and `espruino-tls localca init|sign|issue`, checked with OpenSSL as the
// independent judge: `openssl req -verify` on the CSRs, `openssl verify -purpose` on what the CA
// issues, the EKU and basic constraints as `openssl x509 -ext` prints them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../tools/cli.mjs", import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "etls-localca-test-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const f = (n) => path.join(dir, n);

function cli(...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const openssl = (...args) => spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
/** openssl req -verify's verdict. OpenSSL 3.0.19 exits 0 even when the signature fails (it only
 *  prints "verify failure"), so the verdict is read from its output. */
function reqVerify(file, inform = "PEM") {
  const r = openssl("req", "-in", file, "-inform", inform, "-noout", "-verify");
  const text = r.stdout + r.stderr;
  if (/self-signature verify OK/.test(text) && r.status === 0) return true;
  if (/verify failure/.test(text) || r.status !== 0) return false;
  throw new Error("unexpected openssl req -verify output: " + text);
}
const ext = (cert, name) => execFileSync("openssl", ["x509", "-in", cert, "-noout", "-ext", name], { encoding: "utf8" });

/** A CSR made by openssl: keyType "ec" | "rsa" | "ed25519", extra -addext values. */
function opensslCsr(name, keyType, subj, addext = []) {
  const key = f(name + ".key");
  const alg = keyType === "rsa" ? ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    : keyType === "ed25519" ? ["-algorithm", "ED25519"] : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
  execFileSync("openssl", ["genpkey", ...alg, "-out", key]);
  execFileSync("openssl", ["req", "-new", "-key", key, "-subj", subj, ...addext.flatMap((a) => ["-addext", a]), "-out", f(name + ".csr")]);
  return f(name + ".csr");
}

test("localca init: P-256 root, CA:TRUE pathlen 0, key mode 0600, name constraints as given", () => {
  const r = cli("localca", "init", "--dir", "ca", "--name", "lab root", "--name-constraint", "DNS:.local", "--name-constraint", "IP:127.0.0.0/8");
  assert.equal(r.code, 0, r.err);
  const text = execFileSync("openssl", ["x509", "-in", f("ca/ca.pem"), "-noout", "-text"], { encoding: "utf8" });
  assert.match(text, /Subject: CN = lab root/);
  assert.match(text, /ASN1 OID: prime256v1/);
  assert.match(text, /CA:TRUE, pathlen:0/);
  assert.match(text, /Permitted:\s+DNS:\.local\s+IP:127\.0\.0\.0\/255\.0\.0\.0/);
  assert.equal(statSync(f("ca/ca.key")).mode & 0o777, 0o600);
  assert.equal(openssl("verify", "-CAfile", f("ca/ca.pem"), f("ca/ca.pem")).status, 0);
  // a second init does not overwrite the CA
  const again = cli("localca", "init", "--dir", "ca");
  assert.equal(again.code, 1);
  assert.match(again.err, /already holds a CA/);
  assert.equal(cli("localca", "init", "--dir", "x", "--name-constraint", "DNS:a b").code, 1);
});

test("csr: subject, SANs, key, signature of openssl-made CSRs agree with openssl req -verify; a flipped bit is INVALID for both", () => {
  for (const [kind, keyText] of [["ec", "EC P-256"], ["rsa", "RSA-2048"], ["ed25519", "ed25519"]]) {
    const csr = opensslCsr("c-" + kind, kind, "/CN=dev-" + kind + ".local/O=lab", ["subjectAltName=DNS:dev-" + kind + ".local,IP:127.0.0.9"]);
    const r = cli("csr", csr, "--json");
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.subject, `O=lab, CN=dev-${kind}.local`);
    assert.deepEqual(j.sans, [`DNS:dev-${kind}.local`, "IP:127.0.0.9"]);
    assert.equal(j.key, keyText);
    assert.equal(j.signature, "valid");
    assert.equal(reqVerify(csr), true);
    // flip one bit of the signature (the last byte of the DER)
    const der = execFileSync("openssl", ["req", "-in", csr, "-outform", "DER"]);
    der[der.length - 1] ^= 1;
    writeFileSync(f("bad-" + kind + ".der"), der);
    const bad = cli("csr", f("bad-" + kind + ".der"));
    assert.equal(bad.code, 1);
    assert.match(bad.out, /: INVALID/);
    assert.equal(reqVerify(f("bad-" + kind + ".der"), "DER"), false);
  }
  const notCsr = cli("csr", f("ca/ca.pem"));
  assert.equal(notCsr.code, 1);
  assert.match(notCsr.err, /no PEM "CERTIFICATE REQUEST" block \(found: CERTIFICATE\)/);
});

test("localca sign: --client gives clientAuth only, --server serverAuth only; openssl verify agrees per purpose", () => {
  const csr = opensslCsr("dev", "ec", "/CN=dev1.local/O=lab", ["subjectAltName=DNS:dev1.local"]);
  const r = cli("localca", "sign", csr, "--dir", "ca", "--client", "--out", f("dev-client.pem"));
  assert.equal(r.code, 0, r.err);
  assert.match(ext(f("dev-client.pem"), "extendedKeyUsage"), /TLS Web Client Authentication\s*$/);
  assert.doesNotMatch(ext(f("dev-client.pem"), "extendedKeyUsage"), /Server/);
  assert.equal(openssl("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", f("ca/ca.pem"), f("dev-client.pem")).status, 0);
  assert.notEqual(openssl("verify", "-purpose", "sslserver", "-CAfile", f("ca/ca.pem"), f("dev-client.pem")).status, 0);
  // the subject is the CSR's, the key is the CSR's
  const subj = execFileSync("openssl", ["x509", "-in", f("dev-client.pem"), "-noout", "-subject"], { encoding: "utf8" });
  assert.match(subj, /subject=CN = dev1.local, O = lab/);
  const pub = (args) => execFileSync("openssl", args, { encoding: "utf8" });
  assert.equal(pub(["x509", "-in", f("dev-client.pem"), "-noout", "-pubkey"]), pub(["req", "-in", csr, "-noout", "-pubkey"]));

  const s = cli("localca", "sign", csr, "--dir", "ca", "--server", "--out", f("dev-server.pem"));
  assert.equal(s.code, 0, s.err);
  assert.match(ext(f("dev-server.pem"), "extendedKeyUsage"), /TLS Web Server Authentication\s*$/);
  assert.equal(openssl("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", f("ca/ca.pem"), f("dev-server.pem")).status, 0);
  assert.notEqual(openssl("verify", "-purpose", "sslclient", "-CAfile", f("ca/ca.pem"), f("dev-server.pem")).status, 0);
  // default is --client
  assert.equal(cli("localca", "sign", csr, "--dir", "ca", "--out", f("dev-default.pem")).code, 0);
  assert.match(ext(f("dev-default.pem"), "extendedKeyUsage"), /Client/);
  // server certificates: at most 397 days
  const long = cli("localca", "sign", csr, "--dir", "ca", "--server", "--days", "398", "--out", f("x.pem"));
  assert.equal(long.code, 1);
  assert.match(long.err, /at most 397 days/);
});

test("localca sign refuses a CSR whose signature fails, and does not honour a CSR asking to be a CA", () => {
  const csr = opensslCsr("sneaky", "ec", "/CN=sneaky.local", ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign", "subjectAltName=DNS:sneaky.local"]);
  const r = cli("localca", "sign", csr, "--dir", "ca", "--out", f("sneaky.pem"));
  assert.equal(r.code, 0, r.err);
  assert.match(ext(f("sneaky.pem"), "basicConstraints"), /CA:FALSE/);
  assert.doesNotMatch(ext(f("sneaky.pem"), "keyUsage"), /Certificate Sign/);
  const der = execFileSync("openssl", ["req", "-in", csr, "-outform", "DER"]);
  der[der.length - 2] ^= 0x10;
  writeFileSync(f("sneaky-bad.der"), der);
  const bad = cli("localca", "sign", f("sneaky-bad.der"), "--dir", "ca", "--out", f("never.pem"));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /signature does not verify/);
  assert.throws(() => readFileSync(f("never.pem")));
});

test("localca: names outside the root's name constraints are refused, nothing is written", () => {
  const csr = opensslCsr("outside", "ec", "/CN=example.com", ["subjectAltName=DNS:example.com"]);
  const r = cli("localca", "sign", csr, "--dir", "ca", "--out", f("outside.pem"));
  assert.equal(r.code, 1);
  assert.match(r.err, /permitted subtree violation/);
  assert.throws(() => readFileSync(f("outside.pem")));
  const ip = cli("localca", "issue", "--dir", "ca", "--name", "b.local", "--ip", "10.1.2.3");
  assert.equal(ip.code, 1);
  assert.match(ip.err, /permitted subtree violation/);
});

test("localca issue: server certificate for a .local name and an address, key 0600, verifies for sslserver with the host name", () => {
  const r = cli("localca", "issue", "--dir", "ca", "--name", "board.local", "--ip", "127.0.0.1");
  assert.equal(r.code, 0, r.err);
  assert.match(ext(f("ca/board.local.pem"), "subjectAltName"), /DNS:board\.local, IP Address:127\.0\.0\.1/);
  assert.equal(statSync(f("ca/board.local.key")).mode & 0o777, 0o600);
  assert.equal(openssl("verify", "-purpose", "sslserver", "-verify_hostname", "board.local", "-CAfile", f("ca/ca.pem"), f("ca/board.local.pem")).status, 0);
  assert.notEqual(openssl("verify", "-purpose", "sslserver", "-verify_hostname", "other.local", "-CAfile", f("ca/ca.pem"), f("ca/board.local.pem")).status, 0);
  // the key belongs to the certificate
  const a = execFileSync("openssl", ["pkey", "-in", f("ca/board.local.key"), "-pubout"], { encoding: "utf8" });
  const b = execFileSync("openssl", ["x509", "-in", f("ca/board.local.pem"), "-noout", "-pubkey"], { encoding: "utf8" });
  assert.equal(a, b);
});
