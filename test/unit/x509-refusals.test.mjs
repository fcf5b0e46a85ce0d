// X.509 refusals that tools/mutate-x509.mjs found untested (a check could be removed with every
// test passing): each test below fails when the check it names is removed from firmware/x509.
// Certificates are made at test time (test/helpers/x509-certs.mjs); where the refusal is in
// the parser, the certificate is the leaf and no host is given, so that nothing else refuses it.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import nodeCrypto from "node:crypto";
import * as H from "../helpers/x509-certs.mjs";
const { cert, root, inter, leaf, key, freshKey, bc, ku, KU, eku, EKU, san, ski, aki, nc, ext, seq, oid, bool, int, oct, nul, bits, ctx, tlv, name, T2030 } = H;

let X, R, I;
before(async () => {
  X = await H.loadX509();
  R = root("Refusals Root");
  I = inter("Refusals ICA", R);
});

const HOST = "www.example.com";
const validate = (chain, o) => X.x509.validate(chain.map((c) => (c.der ? c.der : c)), { time: T2030, ...o, anchors: (o.anchors || []).map((a) => (a.der ? a.der : a)) });
function rejects(chain, o, code, depth, msg) {
  assert.throws(() => validate(chain, o), (e) => {
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (depth !== undefined) assert.equal(e.detail.depth, depth, `depth of: ${e.message}`);
    if (msg) assert.match(e.message, msg);
    return true;
  });
}
/** The usual leaf extensions under I, plus `extra`. */
const leafExts = (...extra) => [ku([KU.digitalSignature]), eku([EKU.serverAuth]), san([{ dns: HOST }]), aki(I.ski), ...extra];
/** A leaf under I with options o (exts, subject, spki, alg...). */
const leafOf = (o) => cert({ subject: HOST, issuer: I, signer: I.key, key: key("p256"), exts: leafExts(), ...o });
/** A leaf under I checked without a host (so a missing or broken SAN does not decide). */
const refusedLeaf = (o, code, msg, opts = {}) => rejects([leafOf(o), I], { anchors: [R], ...opts }, code, 0, msg);
/** A CA certificate under R with extensions `exts` (default: the usual ones). */
function caUnder(cn, o = {}) {
  const k = freshKey();
  return cert({ subject: cn, issuer: R, signer: R.key, key: k, exts: o.exts ? o.exts(k) : [bc(true), ku([KU.keyCertSign, KU.cRLSign]), ski(k.id), aki(R.ski)], ...o.cert });
}
/** A chain leaf -> ca -> R checked for HOST. */
const viaCa = (ca, o = {}) => [leaf(HOST, ca, o), ca];

test("the PKI of these tests validates (each refusal below starts from a chain that works)", () => {
  validate([leafOf({}), I], { host: HOST, anchors: [R] });
  validate(viaCa(caUnder("Plain ICA")), { host: HOST, anchors: [R] });
});

// ---- path.ts --------------------------------------------------------------------------------

test("a signature algorithm that does not fit the issuer's key is BAD_SIGNATURE before any verification", () => {
  const rsaCa = inter("RSA ICA", R, { keyKind: "rsa2048" });
  // ecdsa-with-SHA256 in both algorithm fields, an RSA signature (node signs with the RSA key)
  const l = leaf(HOST, rsaCa, { alg: "ecdsa-sha256" });
  rejects([l, rsaCa], { host: HOST, anchors: [R] }, "BAD_SIGNATURE", 0, /does not match the issuer's key type/);
});

test("the validation time must be a finite number (TIME_UNKNOWN)", () => {
  for (const time of [Infinity, -Infinity, "1893456000", null]) {
    assert.throws(() => X.x509.validate([leafOf({}).der, I.der], { time, anchors: [R.der] }), (e) => e.code === "TIME_UNKNOWN", String(time));
  }
});

test("RSA keys: over 4096 bits UNSUPPORTED_ALGORITHM, not whole bytes WEAK_KEY", () => {
  const rsaSpki = (n) => seq(seq(oid("1.2.840.113549.1.1.1"), nul()), bits(seq(int(n), int(65537))));
  const odd = (bytes, top) => { const n = nodeCrypto.randomBytes(bytes); n[0] = top; n[bytes - 1] |= 1; return top >= 0x80 ? Buffer.concat([Buffer.from([0]), n]) : n; };
  refusedLeaf({ spki: rsaSpki(odd(513, 0x80)) }, "UNSUPPORTED_ALGORITHM", /4104 bits \(maximum 4096\)/);
  refusedLeaf({ spki: rsaSpki(odd(257, 0x0f)) }, "WEAK_KEY", /2052 bits is not a multiple of 8/);
  validate([leafOf({ spki: rsaSpki(odd(256, 0x80)) }), I], { anchors: [R] });
});

test("key strength at every level: an intermediate's key, and a key-only anchor's key (no certificate rules to catch it)", () => {
  const weakCa = inter("Weak ICA", R, { keyKind: "rsa1024" });
  rejects([leaf(HOST, weakCa), weakCa], { host: HOST, anchors: [R] }, "WEAK_KEY", 1, /RSA key of 1024 bits/);
  validate([leaf(HOST, weakCa), weakCa], { host: HOST, anchors: [R], minRsaBits: 1024 });
  const weakRoot = root("Weak Root", { keyKind: "rsa1024" });
  const keyOnly = X.anchorFromCert(weakRoot.der, true);
  rejects([leaf(HOST, weakRoot)], { host: HOST, anchors: [keyOnly] }, "WEAK_KEY", 1, /RSA key of 1024 bits/);
  validate([leaf(HOST, weakRoot)], { host: HOST, anchors: [keyOnly], minRsaBits: 1024 });
});

test("leaf profile: version 1, nameConstraints, critical SAN beside a subject", () => {
  refusedLeaf({ version: 1, exts: [] }, "BAD_CERT", /not a version 3/);
  refusedLeaf({ exts: leafExts(nc({ permitted: [{ dns: "example.com" }] })) }, "BAD_CERT", /nameConstraints in an end-entity/);
  refusedLeaf({ exts: [ku([KU.digitalSignature]), san([{ dns: HOST }], true), aki(I.ski)] }, "BAD_CERT", /subjectAltName is critical/);
  // with an empty subject a critical SAN is right
  validate([leafOf({ subject: name([]), exts: [ku([KU.digitalSignature]), san([{ dns: HOST }], true), aki(I.ski)] }), I], { host: HOST, anchors: [R] });
});

test("checkCommonName: every subject CN must be one of the SAN entries (DNS name or address text)", () => {
  const o = { anchors: [R], checkCommonName: true };
  validate([leafOf({}), I], o);
  validate([leaf("192.0.2.1", I), I], o);
  const other = leafOf({ subject: "other.example.com" });
  validate([other, I], { anchors: [R] });
  rejects([other, I], o, "BAD_CERT", 0, /subject CN 'other.example.com' is not one of the subjectAltName/);
});

test("issuers: version 1, serial rules, basicConstraints not critical, no SKI, no AKI with requireAki", () => {
  const o = { host: HOST, anchors: [R] };
  const dup = caUnder("Dup ICA", { exts: (k) => [bc(true), ku([KU.keyCertSign]), ski(k.id), ski(k.id), aki(R.ski)] });
  rejects(viaCa(dup), o, "BAD_CERT", 1, /duplicate extension/);
  const v1 = caUnder("V1 ICA", { exts: () => [], cert: { version: 1 } });
  rejects(viaCa(v1), o, "BAD_CERT", 1, /not a version 3/);
  rejects(viaCa(caUnder("Zero ICA", { cert: { serial: 0 } })), o, "BAD_CERT", 1, /serial number zero/);
  rejects(viaCa(caUnder("Negative ICA", { cert: { serial: -7 } })), o, "BAD_CERT", 1, /negative serial/);
  const soft = caUnder("Soft BC ICA", { exts: (k) => [bc(true, undefined, false), ku([KU.keyCertSign]), ski(k.id), aki(R.ski)] });
  rejects(viaCa(soft), o, "BAD_CERT", 1, /not marked critical/);
  const noSki = caUnder("No SKI ICA", { exts: () => [bc(true), ku([KU.keyCertSign]), aki(R.ski)] });
  rejects(viaCa(noSki), o, "BAD_CERT", 1, /without subjectKeyIdentifier/);
  validate(viaCa(noSki), { ...o, requireSki: false });
  const noAki = caUnder("No AKI ICA", { exts: (k) => [bc(true), ku([KU.keyCertSign]), ski(k.id)] });
  validate(viaCa(noAki), o);
  rejects(viaCa(noAki), { ...o, requireAki: true }, "BAD_CERT", 1, /no authorityKeyIdentifier/);
});

test("an anchor's own certificate: its AKI must hold only a keyIdentifier, equal to its SKI", () => {
  const rootWith = (akiValue) => {
    const k = freshKey();
    return cert({ subject: "AKI Root", key: k, exts: [bc(true), ku([KU.keyCertSign]), ski(k.id), ext("2.5.29.35", false, akiValue(k))] });
  };
  const issuerSerial = [ctx(1, true, ctx(4, true, name("AKI Root"))), ctx(2, false, Buffer.from([1]))];
  for (const [what, value, msg] of [
    ["keyIdentifier and issuer/serial", (k) => seq(ctx(0, false, k.id), ...issuerSerial), /must hold only a keyIdentifier/],
    ["issuer/serial only", () => seq(...issuerSerial), /must hold only a keyIdentifier/],
    ["another key's identifier", () => seq(ctx(0, false, Buffer.alloc(20, 7))), /differs from its subjectKeyIdentifier/],
  ]) {
    const r = rootWith(value);
    rejects([leaf(HOST, r)], { host: HOST, anchors: [r] }, "BAD_CERT", 1, msg);
    validate([leaf(HOST, r)], { host: HOST, anchors: [X.anchorFromCert(r.der, true)] }, what + ": a key-only anchor has no certificate rules");
  }
  const good = rootWith((k) => seq(ctx(0, false, k.id)));
  validate([leaf(HOST, good)], { host: HOST, anchors: [good] });
});

test("a self-issued leaf is checked against its issuer's name constraints (only self-issued intermediates are exempt)", () => {
  const k = freshKey();
  const ca = cert({ subject: "NC Self ICA", issuer: R, signer: R.key, key: k, exts: [bc(true), ku([KU.keyCertSign]), ski(k.id), aki(R.ski), nc({ permitted: [{ dns: "example.com" }] })] });
  const self = cert({ subject: "NC Self ICA", issuer: ca, signer: k, key: key("p256"), exts: [ku([KU.digitalSignature]), san([{ dns: "evil.example.org" }]), aki(k.id)] });
  rejects([self, ca], { host: "evil.example.org", anchors: [R] }, "NAME_CONSTRAINT_VIOLATION", 0);
  const fine = cert({ subject: "NC Self ICA", issuer: ca, signer: k, key: key("p256"), exts: [ku([KU.digitalSignature]), san([{ dns: "a.example.com" }]), aki(k.id)] });
  validate([fine, ca], { host: "a.example.com", anchors: [R] });
});

test("budgets: the candidate budget; an exhausted name-constraint budget ends the search even where another issuer would do", () => {
  rejects([leafOf({}), I], { host: HOST, anchors: [R], nodeBudget: 1 }, "BUDGET_EXCEEDED", undefined, /path search budget/);
  validate([leafOf({}), I], { host: HOST, anchors: [R], nodeBudget: 2 });
  // same name and (lying) SKI as I, so it is tried first; its constraints cost 3 comparisons
  const k = freshKey();
  const decoy = cert({ subject: "Refusals ICA", issuer: R, signer: R.key, key: k, exts: [bc(true), ku([KU.keyCertSign]), ski(I.ski), aki(R.ski), nc({ permitted: [{ dns: "a.test" }, { dns: "b.test" }, { dns: "c.test" }] })] });
  rejects([leafOf({}), decoy, I], { host: HOST, anchors: [R], ncBudget: 2 }, "BUDGET_EXCEEDED", undefined, /name-constraint comparison budget/);
  validate([leafOf({}), I], { host: HOST, anchors: [R], ncBudget: 2 });
});

test("an issuer is found by name: the right key under another issuer name is UNKNOWN_ISSUER (intermediates and anchors)", () => {
  const elsewhere = { subject: name("Someone Else") };
  const l = cert({ subject: HOST, issuer: elsewhere, signer: I.key, key: key("p256"), exts: leafExts() });
  rejects([l, I], { host: HOST, anchors: [R] }, "UNKNOWN_ISSUER", 0);
  const direct = cert({ subject: HOST, issuer: elsewhere, signer: R.key, key: key("p256"), exts: [san([{ dns: HOST }]), aki(R.ski)] });
  rejects([direct], { host: HOST, anchors: [R] }, "UNKNOWN_ISSUER", 0);
});

test("a signature checked with one key is not taken as checked with another of the same name (memo per key)", () => {
  // A really signed the leaf but leads nowhere; B (same name, other key) chains to R but did not
  // sign the leaf. A is tried first (its SKI is the leaf's AKI).
  const ka = freshKey(), kb = freshKey();
  const ghost = root("Ghost Root");
  const A = cert({ subject: "Memo ICA", issuer: ghost, signer: ghost.key, key: ka, exts: [bc(true), ku([KU.keyCertSign]), ski(ka.id), aki(ghost.ski)] });
  const B = cert({ subject: "Memo ICA", issuer: R, signer: R.key, key: kb, exts: [bc(true), ku([KU.keyCertSign]), ski(kb.id), aki(R.ski)] });
  const l = cert({ subject: HOST, issuer: A, signer: ka, key: key("p256"), exts: [san([{ dns: HOST }]), aki(ka.id)] });
  rejects([l, A, B], { host: HOST, anchors: [R] }, "BAD_SIGNATURE", 0);
  validate([leaf(HOST, B), B], { host: HOST, anchors: [R] });
});

// ---- anchor.ts ------------------------------------------------------------------------------

test("anchors: a key-only anchor keeps its certificate's name constraints; malformed anchor constraints are BAD_DER", () => {
  const k = freshKey();
  const ncRoot = cert({ subject: "NC Root", key: k, exts: [bc(true), ku([KU.keyCertSign]), ski(k.id), nc({ permitted: [{ dns: "example.net" }] })] });
  const a = X.anchorFromCert(ncRoot.der, true);
  rejects([leaf(HOST, ncRoot)], { host: HOST, anchors: [a] }, "NAME_CONSTRAINT_VIOLATION", 0);
  validate([leaf("www.example.net", ncRoot)], { host: "www.example.net", anchors: [a] });
  const broken = X.anchorFromCert(R.der, true);
  broken.nameConstraints = new Uint8Array([0x30, 0x00]);
  rejects([leafOf({}), I], { host: HOST, anchors: [broken] }, "BAD_DER", 2, /trust anchor name constraints/);
});

// ---- cert.ts: keys and signature algorithms --------------------------------------------------

test("public keys the parser refuses: RSA modulus even or short, RSA exponent, EC explicit curve or compressed point, Ed25519 shape", () => {
  const rsaSpki = (n, e) => seq(seq(oid("1.2.840.113549.1.1.1"), nul()), bits(seq(int(n), int(e))));
  const modulus = (bytes) => { const n = nodeCrypto.randomBytes(bytes); n[0] |= 0x80; n[bytes - 1] |= 1; return Buffer.concat([Buffer.from([0]), n]); };
  const even = modulus(256); even[256] &= 0xfe;
  refusedLeaf({ spki: rsaSpki(even, 65537) }, "BAD_DER", /bad RSA modulus/);
  refusedLeaf({ spki: rsaSpki(modulus(63), 65537) }, "BAD_DER", /bad RSA modulus/);
  for (const e of [1, 65536, 2 ** 40 + 1]) refusedLeaf({ spki: rsaSpki(modulus(256), e) }, "BAD_DER", /bad RSA exponent/);
  const explicit = nodeCrypto.generateKeyPairSync("ec", { namedCurve: "P-256", paramEncoding: "explicit" }).publicKey.export({ type: "spki", format: "der" });
  refusedLeaf({ spki: explicit }, "UNSUPPORTED_ALGORITHM", /explicit curve parameters/);
  const raw = key("p256").spki.subarray(-65);
  const ecSpki = (point) => seq(seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")), bits(point));
  const compressed = Buffer.concat([Buffer.from([2 + (raw[64] & 1)]), raw.subarray(1, 33)]);
  refusedLeaf({ spki: ecSpki(compressed) }, "UNSUPPORTED_ALGORITHM", /not in uncompressed form/);
  validate([leafOf({ spki: ecSpki(raw) }), I], { anchors: [R] });
  const ed = key("ed25519").spki.subarray(-32);
  refusedLeaf({ spki: seq(seq(oid("1.3.101.112")), bits(ed.subarray(1))) }, "BAD_DER", /bad Ed25519 key/);
  refusedLeaf({ spki: seq(seq(oid("1.3.101.112"), nul()), bits(ed)) }, "BAD_DER");
  validate([leafOf({ spki: seq(seq(oid("1.3.101.112")), bits(ed)) }), I], { anchors: [R] });
});

test("signature AlgorithmIdentifiers: RSA needs NULL parameters, ECDSA none; RSASSA-PSS only with MGF1 over the same hash, hash-sized salt, no trailerField", () => {
  const rsaCa = inter("RSA PSS ICA", R, { keyKind: "rsa2048" });
  const under = (o) => [leaf(HOST, rsaCa, o), rsaCa];
  const o = { host: HOST, anchors: [R] };
  validate(under({ alg: "rsa-sha256" }), o);
  rejects(under({ alg: "rsa-sha256", algDer: seq(oid("1.2.840.113549.1.1.11")) }), o, "BAD_DER", 0);
  rejects([leafOf({ algDer: seq(oid("1.2.840.10045.4.3.2"), nul()) }), I], o, "BAD_DER", 0);
  const h = seq(oid("2.16.840.1.101.3.4.2.1"), nul());
  const pss = (...p) => seq(oid("1.2.840.113549.1.1.10"), seq(...p));
  validate(under({ alg: "rsa-pss-sha256", algDer: pss(ctx(0, true, h), ctx(1, true, seq(oid("1.2.840.113549.1.1.8"), h)), ctx(2, true, int(32))) }), o);
  rejects(under({ alg: "rsa-pss-sha256-salt20" }), o, "UNSUPPORTED_ALGORITHM", 0);
  rejects(under({ alg: "rsa-pss-sha256", algDer: pss(ctx(0, true, h), ctx(1, true, seq(oid("1.2.840.113549.1.1.9"), h)), ctx(2, true, int(32))) }), o, "UNSUPPORTED_ALGORITHM", 0);
  rejects(under({ alg: "rsa-pss-sha256", algDer: pss(ctx(0, true, h), ctx(1, true, seq(oid("1.2.840.113549.1.1.8"), h)), ctx(2, true, int(32)), ctx(3, true, int(1))) }), o, "BAD_DER", 0);
});

// ---- cert.ts: structure and extensions ------------------------------------------------------

/** TBS with `extra` appended inside its SEQUENCE. */
function appendToTbs(extra) {
  return (tbs) => {
    const head = tbs[1] < 128 ? 2 : 2 + (tbs[1] & 127);
    return seq(tbs.subarray(head), extra);
  };
}

test("certificate structure: unique identifiers in v1, extensions in v2, version 4, a non-minimal serial, empty issuer, empty extensions, critical FALSE encoded", () => {
  refusedLeaf({ version: 1, exts: [], mutateTbs: appendToTbs(tlv(0x81, [0, 0xaa])) }, "BAD_DER", /unique identifiers in a v1/);
  refusedLeaf({ version: 2 }, "BAD_DER", /extensions in a pre-v3/);
  refusedLeaf({ version: 4 }, "BAD_DER", /unknown version/); // without it the path rules say BAD_CERT "not a version 3"
  // a serial 00 01 passes the path's serial rules (positive, not zero, short): only DER refuses it
  refusedLeaf({ serial: Buffer.from([0, 1]) }, "BAD_DER", /non-minimal INTEGER/);
  refusedLeaf({ issuer: { subject: name([]) } }, "BAD_CERT", /empty issuer name/);
  refusedLeaf({ exts: [], emptyExts: true }, "BAD_DER", /empty extensions/);
  refusedLeaf({ exts: [...leafExts(), ext("2.5.29.32", "explicit-false", seq(seq(oid("2.23.140.1.2.1"))))] }, "BAD_DER", /critical FALSE/);
});

test("a validity time whose tag is neither UTCTime nor GeneralizedTime, or with a character that is not a digit, is BAD_DER", () => {
  const Y2050 = 2524608000; // written as GeneralizedTime "20500101000000Z"
  const retag = (tbs) => {
    const at = tbs.indexOf(Buffer.from([0x18, 0x0f, 0x32, 0x30, 0x35, 0x30]));
    assert.ok(at > 0);
    const out = Buffer.from(tbs);
    out[at] = 0x0c; // UTF8String
    return out;
  };
  validate([leafOf({ notAfter: Y2050 }), I], { anchors: [R] });
  refusedLeaf({ notAfter: Y2050, mutateTbs: retag }, "BAD_DER", /bad time tag/);
  // seconds "0/": read as digits ("/" is "0" - 1) they make -1 s, which no range check catches
  const slash = (tbs) => {
    const at = tbs.indexOf(Buffer.from("20500101000000Z"));
    assert.ok(at > 0);
    const out = Buffer.from(tbs);
    out[at + 13] = 0x2f;
    return out;
  };
  refusedLeaf({ notAfter: Y2050, mutateTbs: slash }, "BAD_DER", /bad time digit/);
});

test("empty subjects: never in a CA certificate, and only with a critical subjectAltName", () => {
  const empty = name([]);
  refusedLeaf({ subject: empty, exts: [bc(true), san([{ dns: HOST }], true), aki(I.ski)] }, "BAD_CERT", /CA certificate with an empty subject/, { allowCaLeaf: true });
  refusedLeaf({ subject: empty, exts: [ku([KU.digitalSignature]), san([{ dns: HOST }]), aki(I.ski)] }, "BAD_CERT", /empty subject needs a critical subjectAltName/);
});

test("extension contents: basicConstraints, keyUsage, extKeyUsage, AKI, SKI, AIA, certificatePolicies, subjectAltName", () => {
  const cases = [
    [ext("2.5.29.19", true, seq(bool(false))), "BAD_DER", /cA FALSE encoded/],
    [ext("2.5.29.19", true, seq(int(0))), "BAD_CERT", /pathLenConstraint without cA/],
    [ext("2.5.29.15", true, bits([0])), "BAD_CERT", /keyUsage with no bit set/],
    [eku([]), "BAD_CERT", /empty extKeyUsage/],
    [ext("2.5.29.14", true, oct(Buffer.alloc(20, 1))), "BAD_CERT", /subjectKeyIdentifier marked critical/],
    [ext("1.3.6.1.5.5.7.1.1", true, seq(seq(oid("1.3.6.1.5.5.7.48.1"), tlv(0x86, Buffer.from("http://ocsp.test"))))), "BAD_CERT", /information access extension marked critical/],
    [ext("1.3.6.1.5.5.7.1.1", false, seq()), "BAD_DER", /empty AccessDescriptions/],
    [ext("2.5.29.32", false, seq()), "BAD_DER", /empty certificatePolicies/],
  ];
  for (const [e, code, msg] of cases) refusedLeaf({ exts: [san([{ dns: HOST }]), aki(I.ski), e] }, code, msg);
  const akiWith = (...p) => ext("2.5.29.35", false, seq(...p));
  refusedLeaf({ exts: [ku([KU.digitalSignature]), san([{ dns: HOST }]), akiWith(ctx(0, false, I.ski), ctx(1, true, ctx(4, true, name("Refusals Root"))))] }, "BAD_DER", /must come together/);
  const sanOnly = (...g) => [ku([KU.digitalSignature]), ext("2.5.29.17", false, seq(...g)), aki(I.ski)];
  refusedLeaf({ exts: sanOnly() }, "BAD_DER", /empty GeneralNames/);
  refusedLeaf({ exts: sanOnly(tlv(0x82, Buffer.from("caf\xe9.example.com", "latin1"))) }, "BAD_DER", /non-ASCII/);
  refusedLeaf({ exts: sanOnly(tlv(0x87, [192, 0, 2, 1, 0])) }, "BAD_DER", /iPAddress of 5 octets/);
  refusedLeaf({ exts: sanOnly(tlv(0x89, [1])) }, "BAD_DER", /bad GeneralName tag/);
});

// ---- constraints.ts -------------------------------------------------------------------------

test("name constraints: emailAddress in the subject, a subject shorter than a directoryName constraint, a malformed SAN dNSName", () => {
  const ncCa = (cn, cons) => caUnder(cn, { exts: (k) => [bc(true), ku([KU.keyCertSign]), ski(k.id), aki(R.ski), nc(cons)] });
  const o = { host: HOST, anchors: [R] };
  const mail = ncCa("Mail NC ICA", { permitted: [{ email: "example.com" }] });
  rejects(viaCa(mail, { subject: [["CN", HOST], ["emailAddress", "a@example.org"]] }), o, "NAME_CONSTRAINT_VIOLATION", 0, /emailAddress in the subject/);
  validate(viaCa(mail), o);
  const dn = ncCa("DN NC ICA", { permitted: [{ dn: [["O", "Good"], ["OU", "Unit"]] }] });
  rejects(viaCa(dn, { subject: [["O", "Good"]] }), o, "NAME_CONSTRAINT_VIOLATION", 0, /directoryName is outside/);
  validate(viaCa(dn, { subject: [["O", "Good"], ["OU", "Unit"], ["CN", HOST]] }), o);
  const dns = ncCa("DNS NC ICA", { permitted: [{ dns: "example.com" }] });
  rejects(viaCa(dns, { sans: [{ dns: HOST }, { dns: "a..example.com" }] }), o, "NAME_CONSTRAINT_VIOLATION", 0, /malformed dNSName/);
});

// ---- hostname.ts ----------------------------------------------------------------------------

test("an IPv4 host never matches an IPv6 SAN entry that starts with the same bytes", () => {
  const sanDer = (list) => new Uint8Array(san(list).value);
  assert.equal(X.sanMatchesHost(sanDer([{ ip: "c000:201::" }]), "192.0.2.1"), false);
  assert.equal(X.sanMatchesHost(sanDer([{ ip: "192.0.2.1" }]), "c000:201::"), false);
  assert.equal(X.sanMatchesHost(sanDer([{ ip: "c000:201::" }, { ip: "192.0.2.1" }]), "192.0.2.1"), true);
});

// ---- sigverify.ts (also used by TLS CertificateVerify and ServerKeyExchange) ----------------

test("verifySignature is false, not a throw or a pass, for an algorithm that does not fit the key or has no hash here", () => {
  const SIG_ECDSA = 3, SIG_ED25519 = 4, H_SHA1 = 1, H_SHA256 = 2;
  const spkiOf = (k) => X.parseSpki(new Uint8Array(k.spki), 0, k.spki.length);
  const tbs = new Uint8Array(Buffer.from("to be signed"));
  const rsa = key("rsa2048"), ec = key("p256");
  const rsaSig = new Uint8Array(nodeCrypto.sign("sha256", tbs, rsa.privateKey));
  const ecSig = (hash) => new Uint8Array(nodeCrypto.sign(hash, tbs, ec.privateKey));
  const alg = (kind, hash) => ({ kind, hash, saltLen: 0, oid: "" });
  assert.equal(X.verifySignature(alg(SIG_ECDSA, H_SHA256), spkiOf(ec), tbs, ecSig("sha256")), true, "the control verifies");
  assert.equal(X.verifySignature(alg(SIG_ECDSA, H_SHA256), spkiOf(rsa), tbs, rsaSig), false, "ECDSA with an RSA key");
  assert.equal(X.verifySignature(alg(SIG_ED25519, 0), spkiOf(rsa), tbs, new Uint8Array(64)), false, "Ed25519 with an RSA key");
  assert.equal(X.verifySignature(alg(SIG_ECDSA, H_SHA1), spkiOf(ec), tbs, ecSig("sha1")), false, "SHA-1: no hash here");
});
