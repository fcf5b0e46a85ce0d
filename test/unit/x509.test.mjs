// X.509 path validation: every error code, with certificates generated at test time
// (test/helpers/x509-certs.mjs: DER writer + node:crypto keys and signatures; one chain made
// with the openssl CLI), plus real chains against Debian's Mozilla roots.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import * as H from "../helpers/x509-certs.mjs";
import { VECTORS } from "../../tools/lib/paths.mjs";
const { cert, root, inter, leaf, key, freshKey, bc, ku, KU, eku, EKU, san, ski, aki, nc, ext, seq, oid, bool, T2030 } = H;

let X;
before(async () => {
  X = await H.loadX509();
});

const validate = (chain, o) => X.x509.validate(chain.map((c) => (c.der ? c.der : c)), { time: T2030, ...o, anchors: (o.anchors || []).map((a) => (a.der ? a.der : a)) });
function rejects(chain, o, code, depth) {
  assert.throws(() => validate(chain, o), (e) => {
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (depth !== undefined) assert.equal(e.detail.depth, depth, `depth of: ${e.message}`);
    assert.equal(typeof e.detail.subject, "string");
    return true;
  });
}

// One PKI shared by most tests: root -> ica -> leaf, all P-256.
let R, I, L;
before(() => {
  R = root("Test Root");
  I = inter("Test ICA", R);
  L = leaf("www.example.com", I);
});

test("accepts a valid chain and reports the path", () => {
  const r = validate([L, I], { host: "www.example.com", anchors: [R] });
  assert.equal(r.path.length, 2);
  assert.equal(X.subjectText(r.path[0]), "CN=www.example.com");
  assert.equal(X.subjectText(r.path[1]), "CN=Test ICA");
});

test("intermediates in any order, with extras and duplicates; root included in the chain", () => {
  const other = root("Other Root");
  const decoy = inter("Decoy ICA", other);
  validate([L, decoy, R, I, I], { host: "www.example.com", anchors: [other, R] });
});

test("key-only anchors (as the CA store keeps them) and a custom AnchorSource", () => {
  const a = X.anchorFromCert(R.der, true);
  validate([L, I], { host: "www.example.com", anchors: [a] });
  let asked = 0;
  const src = { findByIssuer: (der) => { asked++; return X.nameEquals(der, a.subject) ? [a] : []; } };
  X.x509.validate([L.der, I.der], { time: T2030, host: "www.example.com", anchors: src });
  assert.ok(asked >= 1);
});

test("anchors and chain given as PEM text and byte strings", () => {
  X.x509.validate([L.der, I.der], { time: T2030, host: "www.example.com", anchors: H.pem(H.root("Noise").der) + H.pem(R.der) });
  const str = (d) => Buffer.from(d).toString("latin1");
  X.x509.validate([str(L.der), str(I.der)], { time: T2030, host: "www.example.com", anchors: [str(R.der)] });
  assert.equal(X.x509.matchesHost(X.parseCert(H.leaf("::1", I).der), "[::1]"), true);
});

test("TIME_UNKNOWN without a time", () => {
  assert.throws(() => X.x509.validate([L.der, I.der], { host: "www.example.com", anchors: [R.der] }), (e) => e.code === "TIME_UNKNOWN");
  assert.throws(() => X.x509.validate([L.der, I.der], { time: NaN, anchors: [R.der] }), (e) => e.code === "TIME_UNKNOWN");
});

test("CERT_EXPIRED / CERT_NOT_YET_VALID at the right depth (bounds inclusive)", () => {
  const nb = 1700000000, na = 1800000000;
  const i2 = inter("Short ICA", R, { notBefore: nb, notAfter: na });
  const l2 = leaf("www.example.com", i2);
  validate([l2, i2], { host: "www.example.com", anchors: [R], time: na });
  validate([l2, i2], { host: "www.example.com", anchors: [R], time: nb });
  rejects([l2, i2], { host: "www.example.com", anchors: [R], time: na + 1 }, "CERT_EXPIRED", 1);
  rejects([l2, i2], { host: "www.example.com", anchors: [R], time: nb - 1 }, "CERT_NOT_YET_VALID", 1);
  const l3 = leaf("www.example.com", I, { notAfter: 1900000000 });
  rejects([l3, I], { host: "www.example.com", anchors: [R], time: 1900000001 }, "CERT_EXPIRED", 0);
  const r3 = root("Old Root", { notAfter: 1800000000 });
  const l4 = leaf("www.example.com", r3);
  rejects([l4], { host: "www.example.com", anchors: [r3] }, "CERT_EXPIRED", 1);
  // key-only anchor with a notAfter
  rejects([l4], { host: "www.example.com", anchors: [X.anchorFromCert(r3.der, true)] }, "CERT_EXPIRED", 1);
});

test("UNKNOWN_ISSUER: missing intermediate, untrusted root, self-signed leaf", () => {
  rejects([L], { host: "www.example.com", anchors: [R] }, "UNKNOWN_ISSUER", 0);
  rejects([L, I, R], { host: "www.example.com", anchors: [root("Unrelated")] }, "UNKNOWN_ISSUER");
  const k = key("p256");
  const self = cert({ subject: "self.example.com", key: k, exts: [san([{ dns: "self.example.com" }])] });
  rejects([self], { host: "self.example.com", anchors: [R] }, "UNKNOWN_ISSUER", 0);
});

test("BAD_SIGNATURE: tampered signature, wrong key with the right name", () => {
  const bad = leaf("www.example.com", I, { tamper: true });
  rejects([bad, I], { host: "www.example.com", anchors: [R] }, "BAD_SIGNATURE", 0);
  const impostor = inter("Test ICA", R, { signer: freshKey() }); // same name, signed by another key
  const l = leaf("www.example.com", impostor);
  rejects([l, impostor], { host: "www.example.com", anchors: [R] }, "BAD_SIGNATURE", 1);
});

test("NAME_MISMATCH", () => {
  rejects([L, I], { host: "example.com", anchors: [R] }, "NAME_MISMATCH", 0);
  rejects([L, I], { host: "192.0.2.1", anchors: [R] }, "NAME_MISMATCH", 0);
  const ipLeaf = leaf("192.0.2.1", I);
  validate([ipLeaf, I], { host: "192.0.2.1", anchors: [R] });
  // no host: name not checked
  validate([L, I], { anchors: [R] });
});

test("NOT_A_CA: issuer without cA, without keyCertSign; CA as leaf refused (BAD_CERT)", () => {
  const k = freshKey();
  const notCa = inter("Not CA", R, { key: k, exts: [bc(false), ku([KU.digitalSignature]), ski(k.id), aki(R.ski)] });
  rejects([leaf("www.example.com", notCa), notCa], { host: "www.example.com", anchors: [R] }, "NOT_A_CA", 1);
  const k2 = freshKey();
  const noCertSign = inter("No certsign", R, { key: k2, exts: [bc(true), ku([KU.cRLSign]), ski(k2.id), aki(R.ski)] });
  rejects([leaf("www.example.com", noCertSign), noCertSign], { host: "www.example.com", anchors: [R] }, "NOT_A_CA", 1);
  const k3 = freshKey();
  const caLeaf = cert({ subject: "ca.example.com", issuer: I, signer: I.key, key: k3, exts: [bc(true), san([{ dns: "ca.example.com" }]), ski(k3.id), aki(I.ski)] });
  rejects([caLeaf, I], { host: "ca.example.com", anchors: [R] }, "BAD_CERT", 0);
  validate([caLeaf, I], { host: "ca.example.com", anchors: [R], allowCaLeaf: true });
});

test("PATH_TOO_LONG: pathLenConstraint, maxIntermediates, maxChainDepth", () => {
  const i0 = inter("ICA pathlen 0", R, { pathLen: 0 });
  const i1 = inter("ICA below", i0);
  rejects([leaf("www.example.com", i1), i1, i0], { host: "www.example.com", anchors: [R] }, "PATH_TOO_LONG", 2);
  validate([leaf("www.example.com", i0), i0], { host: "www.example.com", anchors: [R] });
  let parent = R;
  const chain = [];
  for (let n = 0; n < 8; n++) { parent = inter("Deep " + n, parent); chain.unshift(parent); }
  rejects([leaf("www.example.com", parent), ...chain], { host: "www.example.com", anchors: [R] }, "PATH_TOO_LONG");
  validate([leaf("www.example.com", parent), ...chain], { host: "www.example.com", anchors: [R], maxIntermediates: 8 });
  rejects([L, I], { host: "www.example.com", anchors: [R], maxChainDepth: 0 }, "PATH_TOO_LONG", 1);
});

test("EKU_MISMATCH: leaf clientAuth only; intermediate EKU without serverAuth; keyUsage", () => {
  const l = leaf("www.example.com", I, { exts: [eku([EKU.clientAuth]), san([{ dns: "www.example.com" }]), aki(I.ski)] });
  rejects([l, I], { host: "www.example.com", anchors: [R] }, "EKU_MISMATCH", 0);
  const k = freshKey();
  const ci = inter("Client ICA", R, { key: k, exts: [bc(true), ku([KU.keyCertSign]), eku([EKU.clientAuth]), ski(k.id), aki(R.ski)] });
  rejects([leaf("www.example.com", ci), ci], { host: "www.example.com", anchors: [R] }, "EKU_MISMATCH", 1);
  const l2 = leaf("www.example.com", I, { exts: [ku([KU.keyEncipherment]), san([{ dns: "www.example.com" }]), aki(I.ski)] });
  validate([l2, I], { host: "www.example.com", anchors: [R] });
  rejects([l2, I], { host: "www.example.com", anchors: [R], keyUsage: X.x509.KU_DIGITAL_SIGNATURE }, "EKU_MISMATCH", 0);
  // no EKU in the leaf is fine (RFC 5280)
  validate([leaf("www.example.com", I, { exts: [san([{ dns: "www.example.com" }]), aki(I.ski)] }), I], { host: "www.example.com", anchors: [R] });
});

test("NAME_CONSTRAINT_VIOLATION: DNS, IP and directoryName subtrees, from intermediates and anchors", () => {
  const k = freshKey();
  const ncI = inter("NC ICA", R, { key: k, exts: [bc(true), ku([KU.keyCertSign]), ski(k.id), aki(R.ski), nc({ permitted: [{ dns: "example.com" }, { ip: "192.0.2.0/24" }], excluded: [{ dns: "bad.example.com" }] })] });
  validate([leaf("a.b.example.com", ncI), ncI], { host: "a.b.example.com", anchors: [R] });
  validate([leaf("192.0.2.7", ncI), ncI], { host: "192.0.2.7", anchors: [R] });
  rejects([leaf("example.org", ncI), ncI], { host: "example.org", anchors: [R] }, "NAME_CONSTRAINT_VIOLATION", 0);
  rejects([leaf("x.bad.example.com", ncI), ncI], { host: "x.bad.example.com", anchors: [R] }, "NAME_CONSTRAINT_VIOLATION", 0);
  rejects([leaf("198.51.100.1", ncI), ncI], { host: "198.51.100.1", anchors: [R] }, "NAME_CONSTRAINT_VIOLATION", 0);
  // wildcard SAN that could match an excluded name (CVE-2025-61727)
  rejects([leaf("q.example.com", ncI, { sans: [{ dns: "*.example.com" }] }), ncI], { host: "q.example.com", anchors: [R] }, "NAME_CONSTRAINT_VIOLATION", 0);
  // directoryName: subject must start with O=Good
  const k2 = freshKey();
  const dnI = inter("DN ICA", R, { key: k2, exts: [bc(true), ku([KU.keyCertSign]), ski(k2.id), aki(R.ski), nc({ permitted: [{ dn: [["O", "Good"]] }] })] });
  validate([leaf("www.example.com", dnI, { subject: [["O", "Good"], ["CN", "www.example.com"]] }), dnI], { host: "www.example.com", anchors: [R] });
  rejects([leaf("www.example.com", dnI, { subject: [["O", "Evil"], ["CN", "www.example.com"]] }), dnI], { host: "www.example.com", anchors: [R] }, "NAME_CONSTRAINT_VIOLATION", 0);
  // constraints carried by a key-only anchor (as the CA store keeps them)
  const a = X.anchorFromCert(R.der, true);
  a.nameConstraints = nc({ permitted: [{ dns: "example.net" }] }).value;
  rejects([L, I], { host: "www.example.com", anchors: [a] }, "NAME_CONSTRAINT_VIOLATION");
});

test("WEAK_KEY: RSA-1024 anywhere; UNSUPPORTED_ALGORITHM: P-192 and DSA keys", () => {
  const r = root("Weak Root", { keyKind: "rsa1024" });
  rejects([leaf("www.example.com", r)], { host: "www.example.com", anchors: [r] }, "WEAK_KEY", 1);
  rejects([leaf("www.example.com", I, { keyKind: "rsa1024" }), I], { host: "www.example.com", anchors: [R] }, "WEAK_KEY", 0);
  validate([leaf("www.example.com", r)], { host: "www.example.com", anchors: [r], minRsaBits: 1024 });
  rejects([leaf("www.example.com", I, { keyKind: "p192" }), I], { host: "www.example.com", anchors: [R] }, "UNSUPPORTED_ALGORITHM", 0);
  const d = freshKey("dsa");
  const dsaLeaf = cert({ subject: "www.example.com", issuer: I, signer: I.key, key: d, exts: [san([{ dns: "www.example.com" }]), aki(I.ski)] });
  rejects([dsaLeaf, I], { host: "www.example.com", anchors: [R] }, "UNSUPPORTED_ALGORITHM", 0);
});

test("WEAK_ALGORITHM: SHA-1 signatures are refused", () => {
  const r = root("RSA Root", { keyKind: "rsa2048" });
  const l = leaf("www.example.com", r, { alg: "rsa-sha1" });
  rejects([l], { host: "www.example.com", anchors: [r] }, "WEAK_ALGORITHM", 0);
  const l2 = leaf("www.example.com", I, { alg: "ecdsa-sha1" });
  rejects([l2, I], { host: "www.example.com", anchors: [R] }, "WEAK_ALGORITHM", 0);
});

test("BAD_DER: garbage, trailing bytes, non-minimal length, indefinite length", () => {
  rejects([new Uint8Array([1, 2, 3])], { anchors: [R] }, "BAD_DER", 0);
  const withTrailer = new Uint8Array([...L.der, 0]);
  rejects([withTrailer, I], { anchors: [R] }, "BAD_DER", 0);
  // re-encode the outer length in a non-minimal long form (0x83 00 xx xx)
  const d = L.der;
  const n = (d[2] << 8) | d[3];
  assert.equal(d[1], 0x82);
  const longer = new Uint8Array([0x30, 0x83, 0, d[2], d[3], ...d.subarray(4)]);
  assert.equal(longer.length, n + 5);
  rejects([longer, I], { anchors: [R] }, "BAD_DER", 0);
  const indefinite = new Uint8Array([0x30, 0x80, ...d.subarray(4), 0, 0]);
  rejects([indefinite, I], { anchors: [R] }, "BAD_DER", 0);
});

test("BAD_CERT: duplicate extension, mismatched signature algorithms, serial rules, critical AKI; no AKI only with requireAki", () => {
  const dup = leaf("www.example.com", I, { exts: [san([{ dns: "www.example.com" }]), san([{ dns: "www.example.com" }]), aki(I.ski)] });
  rejects([dup, I], { host: "www.example.com", anchors: [R] }, "BAD_CERT", 0);
  const mism = leaf("www.example.com", I, { innerAlg: seq(oid("1.2.840.10045.4.3.3")) });
  rejects([mism, I], { host: "www.example.com", anchors: [R] }, "BAD_CERT", 0);
  rejects([leaf("www.example.com", I, { serial: 0 }), I], { host: "www.example.com", anchors: [R] }, "BAD_CERT", 0);
  rejects([leaf("www.example.com", I, { serial: -5 }), I], { host: "www.example.com", anchors: [R] }, "BAD_CERT", 0);
  rejects([leaf("www.example.com", I, { serial: 2n ** 168n }), I], { host: "www.example.com", anchors: [R] }, "BAD_CERT", 0);
  const critAki = leaf("www.example.com", I, { exts: [san([{ dns: "www.example.com" }]), ext("2.5.29.35", true, seq(H.ctx(0, false, I.ski)))] });
  rejects([critAki, I], { host: "www.example.com", anchors: [R] }, "BAD_CERT", 0);
  const noAki = leaf("www.example.com", I, { exts: [san([{ dns: "www.example.com" }])] });
  validate([noAki, I], { host: "www.example.com", anchors: [R] });
  rejects([noAki, I], { host: "www.example.com", anchors: [R], requireAki: true }, "BAD_CERT", 0);
});

test("UNKNOWN_CRITICAL_EXTENSION in leaf and intermediate; unknown non-critical ignored; unrelated broken anchor ignored", () => {
  const unk = ext("1.3.6.1.4.1.55738.666.1", true, Buffer.from([5, 0]));
  rejects([leaf("www.example.com", I, { extra: [unk] }), I], { host: "www.example.com", anchors: [R] }, "UNKNOWN_CRITICAL_EXTENSION", 0);
  const k = freshKey();
  const bi = inter("Odd ICA", R, { key: k, extra: [unk] });
  rejects([leaf("www.example.com", bi), bi], { host: "www.example.com", anchors: [R] }, "UNKNOWN_CRITICAL_EXTENSION", 1);
  validate([leaf("www.example.com", I, { extra: [ext("1.3.6.1.4.1.55738.666.1", false, Buffer.from([5, 0]))] }), I], { host: "www.example.com", anchors: [R] });
  const other = root("Unrelated Root", { extra: [unk] });
  validate([L, I], { host: "www.example.com", anchors: [other, R] });
});

test("BUDGET_EXCEEDED: signature budget against many same-name candidates", () => {
  const decoys = [];
  // same name and (lying) SKI as the real ICA, other keys: each costs a signature check
  for (let n = 0; n < 6; n++) decoys.push(inter("Test ICA", R, { exts: [bc(true), ku([KU.keyCertSign]), ski(I.ski), aki(R.ski)] }));
  rejects([L, ...decoys, I], { host: "www.example.com", anchors: [R], sigBudget: 3 }, "BUDGET_EXCEEDED");
  validate([L, ...decoys, I], { host: "www.example.com", anchors: [R] });
});

test("ANCHOR_DISTRUSTED: distrustAfter on the anchor", () => {
  const a = X.anchorFromCert(R.der, true);
  a.distrustAfter = 1500000000;
  rejects([L, I], { host: "www.example.com", anchors: [a] }, "ANCHOR_DISTRUSTED", 2);
});

test("Job form: bounded steps, and x509.verify runs it in slices", async () => {
  const job = X.x509.validateJob([L.der, I.der], { time: T2030, host: "www.example.com", anchors: [R.der] });
  let steps = 0;
  while (!job.step()) steps++;
  assert.ok(steps >= 5, "several steps (parse, checks, two signatures)");
  assert.equal(job.result().path.length, 2);
  const r = await new Promise((res, rej) => X.x509.verify([L.der, I.der], { time: T2030, host: "www.example.com", anchors: [R.der] }, (err, v) => (err ? rej(err) : res(v))));
  assert.equal(r.path.length, 2);
  const e = await new Promise((res) => X.x509.verify([L.der, I.der], { time: T2030, host: "nope.example.com", anchors: [R.der] }, (err) => res(err)));
  assert.equal(e.code, "NAME_MISMATCH");
});

test("a chain made with the openssl CLI validates", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "x509-"));
  const run = (...a) => execFileSync("openssl", a, { cwd: dir, stdio: "pipe" });
  writeFileSync(path.join(dir, "ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
  writeFileSync(path.join(dir, "leaf.ext"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:device.local,IP:10.0.0.7\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/O=Home/CN=Home CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=device.local");
  run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "365", "-extfile", "leaf.ext");
  const ca = X.pemCerts(readFileSync(path.join(dir, "ca.pem"), "latin1"))[0];
  const lf = X.pemCerts(readFileSync(path.join(dir, "leaf.pem"), "latin1"))[0];
  const now = Date.now() / 1000;
  X.x509.validate([lf], { time: now, host: "device.local", anchors: [ca] });
  X.x509.validate([lf], { time: now, host: "10.0.0.7", anchors: [ca] });
  assert.throws(() => X.x509.validate([lf], { time: now, host: "other.local", anchors: [ca] }), (e) => e.code === "NAME_MISMATCH");
});

const DEBIAN = "/etc/ssl/certs/ca-certificates.crt";
test("Debian's Mozilla roots: all parse, all usable as anchors; real chains from x509-limbo validate against them", { skip: !existsSync(DEBIAN) && "no " + DEBIAN }, () => {
  const roots = X.pemCerts(readFileSync(DEBIAN, "latin1"));
  assert.ok(roots.length > 100);
  const anchors = roots.map((d) => X.anchorFromCert(d, true));
  let strict = 0;
  for (const d of roots) {
    const c = X.parseCert(d);
    assert.equal(c.problem, null, X.subjectText(c));
    assert.notEqual(c.spki.kind, 0, X.subjectText(c) + " has a supported key");
    if (c.bcCritical && c.ski) strict++;
  }
  const limbo = JSON.parse(readFileSync(path.join(VECTORS, "x509-limbo/limbo.json"), "utf8"));
  let checked = 0;
  for (const tc of limbo.testcases.filter((t) => t.id.startsWith("online::"))) {
    const der = (p) => X.pemCerts(p)[0];
    const chain = [der(tc.peer_certificate), ...tc.untrusted_intermediates.map(der)];
    const o = { time: Date.parse(tc.validation_time) / 1000, host: tc.expected_peer_name.value, anchors: X.memoryAnchors(anchors) };
    try {
      X.x509.validate(chain, o);
      checked++;
    } catch (e) {
      // only acceptable failure: the chain's root is not in this Debian snapshot
      assert.equal(e.code, "UNKNOWN_ISSUER", tc.id + ": " + e.message);
    }
  }
  assert.ok(checked >= 10, `${checked} real chains validated against Debian's roots`);
  assert.ok(strict > 100);
});

test("algorithms: P-384, RSA-2048 PKCS#1, RSA-PSS, RSA-4096, Ed25519, mixed chains", () => {
  for (const [rk, ik, lk, alg] of [["p384", "p384", "p384"], ["rsa2048", "rsa2048", "rsa2048"], ["rsa4096", "rsa2048", "p256"], ["p256", "rsa2048", "ed25519"], ["ed25519", "ed25519", "p256"], ["rsa2048", "rsa2048", "p256", "rsa-pss-sha256"]]) {
    const r = root("Root " + rk, { keyKind: rk });
    const i = inter("ICA " + ik, r, { keyKind: ik, alg });
    const l = leaf("a.example.com", i, { keyKind: lk, alg });
    validate([l, i], { host: "a.example.com", anchors: [r] });
  }
});
