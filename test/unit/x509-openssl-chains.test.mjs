// Chains as OpenSSL's tooling writes them (issue 18, "tried as a new user would"): a
// leading-period dNSName constraint, certificates without authorityKeyIdentifier, and
// intermediates that are not CAs. Certificates come from the openssl CLI (tools/lib/pki.mjs);
// every verdict is compared with `openssl verify` on the same files, and the CA flag with
// Node's X509Certificate. The validator is the built test bundle in the board mock.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { Pki } from "../../tools/lib/pki.mjs";
import { loadFirmware } from "../helpers/firmware.mjs";
import { buildImage, anchorFromCertDer } from "../../tools/castore/format.mjs";

let T, board, close;
before(async () => {
  ({ T, board, close } = await loadFirmware());
});
after(() => close());

const pki = new Pki();
const root = pki.cert("root", { ca: true, cn: "issue18 root", days: 3650 });
const NOW = () => Date.now() / 1000;

/** Our verdict: "OK" or the error code (with the depth it blames). */
function ours(chain, host, o = {}) {
  try {
    T.x509t.x509.validate(chain.map((c) => c.der), { time: NOW(), host, anchors: [root.der], ...o });
    return "OK";
  } catch (e) {
    if (!e.code) throw e;
    return `${e.code}@${e.detail.depth}`;
  }
}

/** OpenSSL's verdict on the same files: "OK" or its error text. */
function openssl(leaf, inters, host, extra = []) {
  const args = ["verify", ...extra, "-CAfile", root.certFile];
  for (const i of inters) args.push("-untrusted", i.certFile);
  if (host) args.push("-verify_hostname", host);
  try {
    execFileSync("openssl", [...args, leaf.certFile], { stdio: ["ignore", "pipe", "pipe"] });
    return "OK";
  } catch (e) {
    return String(e.stdout) + String(e.stderr);
  }
}

// ---- leading-period dNSName constraints -------------------------------------------------------

test("'.example.com' permitted: subdomains only, as openssl verify decides; a violation is NAME_CONSTRAINT_VIOLATION", () => {
  const ica = pki.cert("nc-permit", { ca: true, cn: "issue18 nc permit", issuer: root, nameConstraints: "critical,permitted;DNS:.example.com" });
  const cases = { "www.example.com": "OK", "a.b.example.com": "OK", "WWW.Example.COM": "OK", "example.com": "NAME_CONSTRAINT_VIOLATION@0", "www.example.org": "NAME_CONSTRAINT_VIOLATION@0", "wwwexample.com": "NAME_CONSTRAINT_VIOLATION@0" };
  for (const [name, want] of Object.entries(cases)) {
    const leaf = pki.cert("nc-permit-" + name, { issuer: ica, cn: name.toLowerCase(), san: ["DNS:" + name] });
    assert.equal(ours([leaf, ica], name.toLowerCase()), want, name);
    const ref = openssl(leaf, [ica], name.toLowerCase());
    assert.equal(ref === "OK", want === "OK", `openssl verify on ${name}: ${ref}`);
    if (want !== "OK") assert.match(ref, /permitted subtree violation/);
  }
  // a wildcard SAN: "*.example.com" only ever matches subdomains, so it is inside
  const wild = pki.cert("nc-permit-wild", { issuer: ica, cn: "w.example.com", san: ["DNS:*.example.com"] });
  assert.equal(ours([wild, ica], "w.example.com"), "OK");
  assert.equal(openssl(wild, [ica], "w.example.com"), "OK");
});

test("'.internal.example.com' excluded: its subdomains refused, the domain itself and siblings allowed (as openssl verify)", () => {
  const ica = pki.cert("nc-excl", { ca: true, cn: "issue18 nc exclude", issuer: root, nameConstraints: "critical,excluded;DNS:.internal.example.com" });
  const cases = { "db.internal.example.com": "NAME_CONSTRAINT_VIOLATION@0", "internal.example.com": "OK", "www.example.com": "OK" };
  for (const [name, want] of Object.entries(cases)) {
    const leaf = pki.cert("nc-excl-" + name, { issuer: ica, cn: name, san: ["DNS:" + name] });
    assert.equal(ours([leaf, ica], name), want, name);
    const ref = openssl(leaf, [ica], name);
    assert.equal(ref === "OK", want === "OK", `openssl verify on ${name}: ${ref}`);
  }
  // "*.example.com" could be "x.internal.example.com"? No: one label only, so it stays allowed...
  const wild = pki.cert("nc-excl-wild", { issuer: ica, cn: "w.example.com", san: ["DNS:*.example.com"] });
  assert.equal(ours([wild, ica], "w.example.com"), "OK");
  // ...but "*.internal.example.com" names only excluded names
  const wildIn = pki.cert("nc-excl-wild-in", { issuer: ica, cn: "w.internal.example.com", san: ["DNS:*.internal.example.com"] });
  assert.equal(ours([wildIn, ica], "w.internal.example.com"), "NAME_CONSTRAINT_VIOLATION@0");
});

test("the same constraint on a trust anchor (CA store form: constraints kept beside name and key)", () => {
  const r2 = pki.cert("nc-root", { ca: true, cn: "issue18 nc root", days: 3650, nameConstraints: "critical,permitted;DNS:.example.com" });
  const ica = pki.cert("nc-root-ica", { ca: true, cn: "issue18 nc root ica", issuer: r2 });
  const good = pki.cert("nc-root-good", { issuer: ica, cn: "api.example.com", san: ["DNS:api.example.com"] });
  const bad = pki.cert("nc-root-bad", { issuer: ica, cn: "example.com", san: ["DNS:example.com"] });
  const keyOnly = T.x509t.anchorFromCert(r2.der, true);
  assert.equal(ours([good, ica], "api.example.com", { anchors: [keyOnly] }), "OK");
  assert.equal(ours([bad, ica], "example.com", { anchors: [keyOnly] }), "NAME_CONSTRAINT_VIOLATION@0");
  assert.equal(ours([bad, ica], "example.com", { anchors: [r2.der] }), "NAME_CONSTRAINT_VIOLATION@0");
});

// ---- no authorityKeyIdentifier ----------------------------------------------------------------

const noAkiIca = pki.cert("noaki-ica", { ca: true, cn: "issue18 no-AKI intermediate", issuer: root, aki: false });
const noAkiLeaf = pki.cert("noaki-leaf", { issuer: noAkiIca, cn: "localhost", san: ["DNS:localhost"], aki: false });

test("no AKI in leaf and intermediate: the path is built by name (as openssl verify and Node's checkIssued)", () => {
  assert.doesNotMatch(execFileSync("openssl", ["x509", "-in", noAkiLeaf.certFile, "-noout", "-text"]).toString(), /Authority Key Identifier/);
  assert.equal(openssl(noAkiLeaf, [noAkiIca], "localhost"), "OK");
  assert.ok(new X509Certificate(noAkiLeaf.pem).checkIssued(new X509Certificate(noAkiIca.pem)));
  assert.equal(ours([noAkiLeaf, noAkiIca], "localhost"), "OK");
  assert.equal(ours([noAkiLeaf, noAkiIca], "localhost", { anchors: [T.x509t.anchorFromCert(root.der, true)] }), "OK");
  assert.equal(ours([noAkiLeaf, noAkiIca], "localhost", { anchors: root.pem }), "OK");
  // RFC 5280's rule is still there for whoever wants it (openssl verify -x509_strict agrees)
  assert.equal(ours([noAkiLeaf, noAkiIca], "localhost", { requireAki: true }), "BAD_CERT@0");
  assert.match(openssl(noAkiLeaf, [noAkiIca], "localhost", ["-x509_strict"]), /Missing Authority Key Identifier/);
  // and a wrong issuer is still wrong: same name, other key
  const impostor = pki.cert("noaki-impostor", { ca: true, cn: "issue18 no-AKI intermediate", issuer: root, aki: false });
  assert.equal(ours([noAkiLeaf, impostor], "localhost"), "BAD_SIGNATURE@0");
});

test("no AKI: the anchor is found in the CA store (by subject) as well", () => {
  const img = buildImage([anchorFromCertDer(root.der)], { version: 7, created: 1763700000 }).image;
  board.install("i18.ca", Buffer.from(img).toString("latin1"));
  const store = T.castore.open("i18.ca");
  assert.equal(store.count, 1);
  assert.equal(ours([noAkiLeaf, noAkiIca], "localhost", { anchors: store }), "OK");
  const other = new Pki().cert("root", { ca: true, cn: "issue18 root", days: 3650 }); // same name, other key
  const img2 = buildImage([anchorFromCertDer(other.der)], { version: 8, created: 1763700000 }).image;
  board.install("i18.ca2", Buffer.from(img2).toString("latin1"));
  assert.equal(ours([noAkiLeaf, noAkiIca], "localhost", { anchors: T.castore.open("i18.ca2") }), "BAD_SIGNATURE@1");
});

test("AKI, when present, orders same-name anchors: the matching key is tried first", () => {
  // two anchors with the same subject and different keys; the wrong one is listed first
  const sameName = { ca: true, cn: "issue18 twin root", days: 3650 };
  const wrong = new Pki().cert("twin", sameName);
  const right = pki.cert("twin", sameName);
  const ica = pki.cert("twin-ica", { ca: true, cn: "issue18 twin ica", issuer: right });
  const ica2 = pki.cert("twin-ica-noaki", { ca: true, cn: "issue18 twin ica", issuer: right, aki: false });
  const leaf = pki.cert("twin-leaf", { issuer: ica, cn: "localhost", san: ["DNS:localhost"] });
  const anchors = [wrong.der, right.der];
  // one signature check allowed per level and a bit: the AKI picks the right anchor at once
  assert.equal(ours([leaf, ica], "localhost", { anchors, sigBudget: 2 }), "OK");
  // without AKI the wrong twin costs a signature check first
  const leaf2 = pki.cert("twin-leaf2", { issuer: ica2, cn: "localhost", san: ["DNS:localhost"] });
  assert.equal(ours([leaf2, ica2], "localhost", { anchors, sigBudget: 2 }), "BUDGET_EXCEEDED@-1");
  assert.equal(ours([leaf2, ica2], "localhost", { anchors }), "OK");
});

// ---- intermediates that are not CAs -----------------------------------------------------------

test("intermediate with CA:FALSE or without basicConstraints: NOT_A_CA (openssl: invalid CA certificate)", () => {
  const kinds = {
    "CA:FALSE, keyCertSign": { keyUsage: "keyCertSign,digitalSignature", eku: null },
    "CA:FALSE, digitalSignature": { keyUsage: "digitalSignature", eku: null },
    "no basicConstraints, keyCertSign": { ca: true, basicConstraints: false },
    "no basicConstraints, digitalSignature": { keyUsage: "digitalSignature", eku: null, basicConstraints: false },
  };
  let n = 0;
  for (const [what, o] of Object.entries(kinds)) {
    const ica = pki.cert("notca" + n, { cn: "issue18 not a CA " + n, issuer: root, ...o });
    const leaf = pki.cert("notca-leaf" + n++, { issuer: ica, cn: "localhost", san: ["DNS:localhost"] });
    assert.equal(new X509Certificate(ica.pem).ca, false, what);
    assert.match(openssl(leaf, [ica], "localhost"), /invalid CA certificate/, what);
    assert.equal(ours([leaf, ica], "localhost"), "NOT_A_CA@1", what);
  }
});

test("a root without basicConstraints used as an anchor with its certificate: NOT_A_CA; a leaf with keyCertSign but not cA: BAD_CERT", () => {
  const r3 = pki.cert("nobc-root", { ca: true, cn: "issue18 root without bc", days: 3650, basicConstraints: false });
  const leaf = pki.cert("nobc-root-leaf", { issuer: r3, cn: "localhost", san: ["DNS:localhost"] });
  assert.equal(ours([leaf], "localhost", { anchors: [r3.der] }), "NOT_A_CA@1");
  const ksLeaf = pki.cert("keycertsign-leaf", { issuer: noAkiIca, cn: "localhost", san: ["DNS:localhost"], keyUsage: "digitalSignature,keyCertSign" });
  assert.equal(ours([ksLeaf, noAkiIca], "localhost"), "BAD_CERT@0");
  assert.notEqual(openssl(ksLeaf, [noAkiIca], "localhost", ["-x509_strict"]), "OK");
});
