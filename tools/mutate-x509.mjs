#!/usr/bin/env node
// Removes (or weakens) each security check of firmware/x509 in turn, rebuilds the linux test
// bundle and runs the X.509 tests (unit tests, x509-limbo, the openssl-made chains): a check is
// covered when a test fails. Runs in a scratch copy of the tree (tools/lib/mutate.mjs), so the
// working tree is not touched. Local only, not in CI (about 15-30 s per mutant on 2 cores):
//   nice -n 10 node tools/mutate-x509.mjs [regexp over "file name"]   results: .tmp/mutate-x509.json
import { pathToFileURL } from "node:url";
import { rollup } from "rollup";
import { runMutants } from "./lib/mutate.mjs";

/** The X.509 tests: the refusal tests first (quick, one per check), then the other files in one
 *  process (the firmware and the test keys load once). */
const TESTS = ["test/unit/x509-refusals.test.mjs", "test/unit/x509-suite.mjs"];
const P = "firmware/x509/path.ts", C = "firmware/x509/cert.ts", N = "firmware/x509/constraints.ts", D = "firmware/x509/der.ts",
  HN = "firmware/x509/hostname.ts", NM = "firmware/x509/name.ts", SV = "firmware/x509/sigverify.ts", A = "firmware/x509/anchor.ts";
/** [find, replacement] that turns `if (cond) <refusal>` into `if (false) <refusal>`. */
const OFF = (cond, tail) => [`if (${cond}) ${tail}`, `if (false) ${tail}`];

// [name, file, find (exactly once), replacement]; in order of importance (path checks first)
const M = [
  // ---- path.ts: signatures and algorithms
  ["signature verifies", P, "if (!ok) {\n      const by", "if (false) {\n      const by"],
  ["memoised signature result is per key", P, "if (m.c === C && (m.k === key || sameBytes(m.k.der, key.der)))", "if (m.c === C)"],
  ["signature algorithm fits the issuer key", P, "return fits ? null :", "return true ? null :"],
  ["SHA-1 refused", P, "if (a.hash === H_SHA1) return", "if (false) return"],
  ["unsupported signature algorithm", P, "if (a.kind === SIG_UNSUPPORTED) return", "if (false) return"],
  ["sigAlgIssue applied", P, "if (si !== null) failC(si[0], si[1], j - 1, C);", ""],
  ["unsupported key", P, "if (k.kind === KEY_UNSUPPORTED) return", "if (false) return"],
  ["RSA minimum bits", P, ...OFF("k.bits < minRsa", "return")],
  ["RSA bits multiple of 8", P, ...OFF("k.bits % 8 !== 0", "return")],
  ["RSA maximum bits", P, ...OFF("k.bits > MAX_RSA_BITS", "return")],
  ["leaf key", P, "if (ki !== null) failC(ki[0], ki[1], 0, L);", ""],
  ["CA key", P, "if (ki !== null) failC(ki[0], ki[1], j, I);", ""],
  ["anchor key", P, "if (ki !== null) fail(ki[0], ki[1], j, anchorName(A));", ""],
  // ---- validity times
  ["time given", P, "if (typeof o.time !== \"number\" || o.time !== o.time || o.time - o.time !== 0) fail(", "if (false) fail("],
  ["time finite", P, "|| o.time !== o.time || o.time - o.time !== 0) fail(", ") fail("],
  ["notBefore", P, ...OFF("this.t < c.notBefore", "failC")],
  ["notAfter", P, ...OFF("this.t > c.notAfter", "failC")],
  ["notAfter inclusive bound", P, "this.t > c.notAfter", "this.t >= c.notAfter"],
  ["leaf time checked", P, "this.checkTime(L, 0);", ""],
  ["CA time checked", P, "this.checkTime(I, j);", ""],
  ["anchor notAfter (key-only anchor)", P, ...OFF("A.notAfter !== undefined && this.t > A.notAfter", "fail")],
  ["anchor distrustAfter", P, ...OFF("A.distrustAfter !== undefined && (this.leaf as Certificate).notBefore > A.distrustAfter", "fail")],
  // ---- leaf profile
  ["leaf problem", P, "if (L.problem !== null) failC(", "if (false) failC("],
  ["leaf serial rules", P, "if (si) failC(X.BAD_CERT, si, 0, L);", ""],
  ["negative serial", P, ...OFF("s[0] >= 0x80", "return")],
  ["serial zero", P, ...OFF("s.length === 1 && s[0] === 0", "return")],
  ["serial over 20 octets", P, ...OFF("s.length > 21 || (s.length === 21 && s[0] !== 0)", "return")],
  ["leaf version 3", P, "if (L.version !== 3) failC(", "if (false) failC("],
  ["leaf unknown critical extension", P, "if (L.unknownCritical) failC(", "if (false) failC("],
  ["CA as leaf", P, "if (L.bc === 1 && !o.allowCaLeaf) failC(", "if (false) failC("],
  ["nameConstraints in a leaf", P, "if (L.nc !== null) failC(", "if (false) failC("],
  ["leaf keyCertSign without cA", P, "if (L.ku >= 0 && (L.ku & KU_KEY_CERT_SIGN) !== 0 && L.bc !== 1) failC(", "if (false) failC("],
  ["leaf requireAki", P, "if (o.requireAki === true && !L.selfIssued && L.akiKeyId === null) failC(", "if (false) failC("],
  ["leaf EKU serverAuth", P, "if (eku && L.eku !== null && L.eku.indexOf(eku) < 0) failC(", "if (false) failC("],
  ["leaf keyUsage option", P, "if (ku && L.ku >= 0 && (L.ku & ku) !== ku) failC(", "if (false) failC("],
  ["critical SAN with a subject", P, "if (L.san !== null && L.sanCritical && !L.subjectEmpty) failC(", "if (false) failC("],
  ["checkCommonName", P, "if (ci) failC(", "if (false) failC("],
  ["CN must be a SAN entry", P, "if (names.indexOf(s) < 0) return", "if (false) return"],
  ["host name checked", P, "!sanMatchesHost(L.san, o.host)) failC(", "false) failC("],
  // ---- issuers
  ["CA problem", P, "if (I.problem !== null) failC(", "if (false) failC("],
  ["CA serial rules", P, "if (si) failC(X.BAD_CERT, si, j, I);", ""],
  ["CA version 3", P, "if (I.version !== 3) failC(", "if (false) failC("],
  ["CA unknown critical extension", P, "if (I.unknownCritical) failC(", "if (false) failC("],
  ["issuer is a CA (cA)", P, "if (I.bc !== 1) failC(", "if (false) failC("],
  ["basicConstraints critical", P, "if (!I.bcCritical) failC(", "if (false) failC("],
  ["issuer keyCertSign", P, "if (I.ku >= 0 && (I.ku & KU_KEY_CERT_SIGN) === 0) failC(", "if (false) failC("],
  ["CA SKI required", P, "if (I.ski === null && o.requireSki !== false) failC(", "if (false) failC("],
  ["CA requireAki", P, "if (o.requireAki === true && !anchor && !I.selfIssued && I.akiKeyId === null) failC(", "if (false) failC("],
  ["root AKI keyIdentifier only", P, "if (I.akiKeyId === null || I.akiIssuerSerial) failC(", "if (false) failC("],
  ["root AKI equals SKI", P, "if (I.ski !== null && !sameBytes(I.akiKeyId, I.ski)) failC(", "if (false) failC("],
  ["CA EKU", P, "if (eku && I.eku.indexOf(eku) < 0 && I.eku.indexOf(EKU_ANY) < 0) failC(", "if (false) failC("],
  ["pathLenConstraint", P, "if (n > I.pathLen) failC(", "if (false) failC("],
  ["pathLenConstraint off by one", P, "if (n > I.pathLen) failC(", "if (n > I.pathLen + 1) failC("],
  ["pathLen counts intermediates (not only self-issued exempt)", P, "for (let x = 1; x < j; x++) if (!this.chain[x].selfIssued) n++;\n      if (n > I.pathLen)", "for (let x = 2; x < j; x++) if (!this.chain[x].selfIssued) n++;\n      if (n > I.pathLen)"],
  ["maxIntermediates", P, "if (j > (o.maxIntermediates === undefined ? 6 : o.maxIntermediates)) failC(", "if (false) failC("],
  ["maxChainDepth", P, "if (n > mcd) failC(", "if (false) failC("],
  ["intermediate checked as CA", P, "this.checkCa(I, j, false);", ""],
  ["anchor certificate checked as CA", P, "if (A.cert) this.checkCa(A.cert, j, true);", ""],
  // ---- name constraints in the path
  ["intermediate name constraints applied", P, "if (I.nc !== null) this.checkNc(I.nc, j, I, null);", ""],
  ["anchor name constraints applied", P, "this.checkNc(nc, j, null, A);", ""],
  ["anchor name constraints well formed", P, "checkNameConstraintsDer(nc, 0, nc.length);\n        } catch", "} catch"],
  ["a violation fails", P, "if (r !== null) failC(X.NAME_CONSTRAINT_VIOLATION", "if (false) failC(X.NAME_CONSTRAINT_VIOLATION"],
  ["self-issued leaf is constrained", P, "if (x > 0 && c.selfIssued) continue;", "if (c.selfIssued) continue;"],
  // ---- path search and budgets
  ["node budget", P, "if (++this.nodes > nb) fail(", "if (false) fail("],
  ["signature budget", P, "if (++this.sigs > sb) fail(", "if (false) fail("],
  ["budget errors end the search", P, "if (!c || c === X.BUDGET_EXCEEDED) throw e;", "if (!c) throw e;"],
  ["an issuer must have the child's issuer name", P, "if (!sameBytes(I.subject, C.issuer)) continue;", ""],
  // ---- constraints.ts
  ["dNSName constraint boundary", N, "n.charCodeAt(n.length - c.length - 1) === 46 && ", ""],
  ["leading-period constraint excludes the domain", N, "if (n === c) return !sub;", "if (n === c) return true;"],
  ["a wildcard SAN counts as every name it matches", N, "if (nameText.charCodeAt(0) === 42) {", "if (false) {"],
  ["wildcard SAN against an excluded name", N, "return excluded && !sub && c.length", "return false && !sub && c.length"],
  ["iPAddress families kept apart", N, "if (st.len() !== 2 * n) return false;", ""],
  ["iPAddress mask comparison", N, "if ((nd.b(nd.vs + i) & m) !== (st.b(st.vs + i) & m)) return false;", ""],
  ["directoryName prefix", NM, "if (!bytesEqual(prefix, a.hs, a.ve, name, b.hs, b.ve)) return false;", ""],
  ["directoryName shorter than the constraint", NM, "if (!b.more()) return false;\n    b.next(T_SET);", "if (!b.more()) return true;\n    b.next(T_SET);"],
  ["excluded subtrees", N, "if (matches(t, nd as Der, text, st, true, subject)) return", "if (false) return"],
  ["permitted subtrees", N, "return label + \" is outside the permitted subtrees\";", "return null;"],
  ["types not evaluated refuse", N, "if (t !== GN_DNS && t !== GN_IP && t !== GN_DIRECTORY) return", "if (false) return"],
  ["malformed SAN dNSName under DNS constraints", N, "if (!isDnsName(text, true)) return", "if (false) return"],
  ["emailAddress in the subject under rfc822Name constraints", N, "if (all & (1 << (GN_RFC822 & 31)) && findAttrs(cert.subject, AT_EMAIL).length > 0) return", "if (false) return"],
  ["subject checked as directoryName", N, "r = one(GN_DIRECTORY, null, cert.subject);\n    if (r !== null) return r;", ""],
  ["SAN entries checked", N, "r = one(d.tag, d, null);\n      if (r !== null) return r;", ""],
  ["comparison budget", N, "if (--budget.n < 0) throw new EtError(\"BUDGET_EXCEEDED\", \"name-constraint comparison budget exhausted\", { depth: -1, subject: \"\" });\n        if (matches(t, nd as Der, text, st, false", "if (matches(t, nd as Der, text, st, false"],
  ["empty GeneralSubtrees", N, `if (!d.more()) badDer("empty GeneralSubtrees");`, ""],
  ["malformed dNSName constraint", N, "if (s.length > 0 && !isDnsName(body, false)) badDer(", "if (false) badDer("],
  ["iPAddress constraint length", N, `if (n !== 8 && n !== 32) badDer(`, `if (false) badDer(`],
  ["iPAddress constraint mask contiguous", N, "if (!validMask(st, st.vs + n / 2, n / 2)) badDer(", "if (false) badDer("],
  ["minimum/maximum in GeneralSubtree", N, `if (st.more()) badDer("minimum/maximum in GeneralSubtree");`, ""],
  ["NameConstraints with no subtrees", N, `if (!any) badDer("NameConstraints with no subtrees");`, ""],
  // ---- hostname.ts
  ["SAN is the only identity", HN, "if (san === null) return false;", "if (san === null) return true;"],
  ["IP host only against iPAddress of its length", HN, "if (tag !== GN_IP || d.len() !== ip.length) return false;", "if (tag !== GN_IP) return false;"],
  ["IP bytes compared", HN, "for (let i = 0; i < ip.length; i++) if (d.b(d.vs + i) !== ip[i]) return false;", ""],
  ["host must be a DNS name", HN, "if (!isDnsName(h, false) || isNumericLabel(h.substring(h.lastIndexOf(\".\") + 1))) return false;", ""],
  ["numeric top label", HN, "|| isNumericLabel(h.substring(h.lastIndexOf(\".\") + 1))) return false;", ") return false;"],
  ["exact match", HN, "if (pat.charCodeAt(0) !== 42) return pat === host;", "if (pat.charCodeAt(0) !== 42) return host.indexOf(pat) >= 0;"],
  ["wildcard needs two labels after it", HN, "if (suffix.indexOf(\".\", 1) < 0) return false;", ""],
  ["wildcard matches one label", HN, "return host.substring(host.indexOf(\".\")) === suffix;", "return host.substring(host.length - suffix.length) === suffix;"],
  ["wildcard only as the whole first label", HN, "if (wildcard && L > 2 && s.charCodeAt(0) === 42 && s.charCodeAt(1) === 46) start = 2;", "if (wildcard && s.charCodeAt(0) === 42) start = 1;"],
  ["DNS label characters", HN, "if (!ok || (lab === 0 && c === 45) || ++lab > 63) return false;", "if (++lab > 63) return false;"],
  ["DNS label length", HN, "|| ++lab > 63) return false;", "|| ++lab > 999) return false;"],
  ["empty DNS label", HN, "if (lab === 0 || prev === 45) return false;", "if (prev === 45) return false;"],
  ["IPv4 leading zero", HN, "if (digits > 0 && v === 0) return null; // leading zero", ""],
  ["IPv4 range", HN, "if (v > 255) return null;", ""],
  ["IPv4 four parts", HN, "return part === 4 ? out : null;", "return part >= 1 ? out : null;"],
  // ---- sigverify.ts, anchor.ts
  ["Ed25519 signature needs an Ed25519 key", SV, "return spki.kind === KEY_ED25519 ? ed25519VerifyJob(", "return true ? ed25519VerifyJob("],
  ["no hash: no verification", SV, "if (h === null) return doneJob(false);", "if (h === null) return doneJob(true);"],
  ["signature kind fits the key", SV, "if (rsa ? spki.kind !== KEY_RSA : k !== SIG_ECDSA || spki.kind !== KEY_EC) return doneJob(false);", ""],
  ["key-only anchors keep their name constraints", A, "return { subject: cert.subject, spki: cert.spki, nameConstraints: cert.nc, notAfter: cert.notAfter, cert: null };", "return { subject: cert.subject, spki: cert.spki, nameConstraints: null, notAfter: cert.notAfter, cert: null };"],
  ["anchors found by their subject", A, "if (bytesEqual(s, 0, s.length, issuerDer, 0, issuerDer.length)) out.push(list[i]);", "out.push(list[i]);"],
  // ---- cert.ts: structure and extensions
  ["RSA modulus odd and long enough", C, `if ((n[n.length - 1] & 1) === 0 || n.length < 64) badDer("bad RSA modulus");`, ""],
  ["RSA exponent", C, `if ((e[e.length - 1] & 1) === 0 || e.length > 4 || (e.length === 1 && e[0] < 3)) badDer("bad RSA exponent");`, ""],
  ["EC explicit curve parameters", C, "if (alg.peek() !== T_OID) {", "if (false) {"],
  ["EC point uncompressed and sized", C, "if (first !== 4 || len !== want) {", "if (false) {"],
  ["EC other curves unsupported", C, "} else k.why = \"EC curve \" + O.oidText(c);", "} else { k.kind = KEY_EC; k.curve = \"P256\"; k.bits = 256; k.point = bytesOf(src, ks, ke); }"],
  ["Ed25519 key length", C, `if (ke - ks !== 32) badDer("bad Ed25519 key");`, ""],
  ["Ed25519 key parameters absent", C, "alg.done();\n    if (ke - ks !== 32)", "if (ke - ks !== 32)"],
  ["RSA signature NULL parameters", C, "a.nul(); // RFC 4055: parameters MUST be NULL\n    a.done();", ""],
  ["ECDSA signature parameters absent", C, "a.done(); // RFC 5758: parameters absent", ""],
  ["PSS hash, MGF and salt agree", C, "if (h === H_NONE || h === H_SHA1 || mh !== h || salt !== (h === H_SHA256 ? 32 : h === H_SHA384 ? 48 : 64)) return r;", ""],
  ["PSS parameters end after the salt (trailerField)", C, "p.done(); // a trailerField", "// a trailerField"],
  ["PSS MGF1", C, "if (m.oid() !== O.OID_MGF1) return r;", "m.oid();"],
  ["time tag", C, "if (!utc && d.tag !== T_GENTIME) badDer(", "if (false) badDer("],
  ["time length and Z", C, "if (n !== (utc ? 13 : 15) || d.b(d.ve - 1) !== 0x5a) badDer(", "if (false) badDer("],
  ["time digits", C, "if (a < 0 || a > 9 || b < 0 || b > 9) badDer(", "if (false) badDer("],
  ["time field ranges", C, "if (mo < 1 || mo > 12 || da < 1 || da > MONTH_DAYS[mo - 1] + (mo === 2 && leap ? 1 : 0) || hh > 23 || mi > 59 || ss > 59) badDer(", "if (false) badDer("],
  ["UTCTime 2050 rule", C, "y += y < 50 ? 2000 : 1900;", "y += 2000;"],
  ["version 1 encoded explicitly", C, `if (n === 0) badDer("version 1 encoded explicitly");`, ""],
  ["unknown version", C, `if (n > 2) badDer("unknown version");`, ""],
  ["serial INTEGER minimal", C, "t.checkInt(); // sign", "// sign"],
  ["unique identifiers only from v2", C, "if ((uid1 || uid2) && version < 2) badDer(", "if (false) badDer("],
  ["extensions only in v3", C, "if (version < 3) badDer(\"extensions in a pre-v3 certificate\");", ""],
  ["malformed key is a problem", C, `problem(c, "BAD_DER", "public key: "`, `(c, "BAD_DER", "public key: "`],
  ["the two signature algorithms agree", C, "if (!bytesEqual(der, innerAlgS, innerAlgE, der, outerAlgS, outerAlgE)) problem(", "if (false) problem("],
  ["empty issuer", C, "if (issuerRdns === 0) problem(", "if (false) problem("],
  ["empty extensions", C, "if (!exts.more()) problem(", "if (false) problem("],
  ["extension critical FALSE encoded", C, `if (!crit) badDer("extension critical FALSE encoded");`, ""],
  ["duplicate extension", C, "if (seen.indexOf(oid) >= 0) problem(", "if (false) problem("],
  ["extension errors recorded", C, `problem(c, (err as EtError).code ? (err as EtError).code : "BAD_DER"`, `((err as EtError).code ? (err as EtError).code : "BAD_DER"`],
  ["CA with an empty subject", C, `if (c.bc === 1) problem(c, "BAD_CERT", "CA certificate with an empty subject");`, ""],
  ["empty subject needs a critical SAN", C, "if (c.san === null || !c.sanCritical) problem(", "if (false) problem("],
  ["basicConstraints cA FALSE encoded", C, `if (!ca) badDer("basicConstraints cA FALSE encoded");`, ""],
  ["pathLen without cA", C, `if (!ca) problem(c, "BAD_CERT", "pathLenConstraint without cA");`, ""],
  ["basicConstraints cA value", C, "c.bc = ca ? 1 : 0;", "c.bc = 1;"],
  ["basicConstraints critical flag", C, "c.bcCritical = crit;", "c.bcCritical = true;"],
  ["keyUsage with no bit", C, `if (c.ku === 0) problem(`, `if (false) problem(`],
  ["empty extKeyUsage", C, `if (list.length === 0) problem(`, `if (false) problem(`],
  ["AKI critical", C, `if (crit) problem(c, "BAD_CERT", "authorityKeyIdentifier marked critical");`, ""],
  ["AKI issuer and serial together", C, `if (n === 1) badDer(`, `if (false) badDer(`],
  ["SKI critical", C, `if (crit) problem(c, "BAD_CERT", "subjectKeyIdentifier marked critical");`, ""],
  ["AIA critical", C, `if (crit) problem(c, "BAD_CERT", "information access extension marked critical");`, ""],
  ["empty AccessDescriptions", C, `if (!s.more()) badDer("empty AccessDescriptions");`, ""],
  ["empty certificatePolicies", C, `if (!s.more()) badDer("empty certificatePolicies");`, ""],
  ["unknown critical extension recorded", C, `if (c.unknownCritical === "") c.unknownCritical = O.oidText(oid);`, ""],
  ["empty GeneralNames", C, `if (!d.more()) badDer("empty GeneralNames");`, ""],
  ["IA5 names ASCII", C, "if (d.maxByte() > 127) badDer(", "if (false) badDer("],
  ["SAN iPAddress length", C, `if (d.len() !== 4 && d.len() !== 16) badDer("iPAddress of "`, `if (false) badDer("iPAddress of "`],
  ["GeneralName tag", C, `} else if (t < 0x80 || (t & 0x1f) > 8) badDer("bad GeneralName tag");`, "}"],
  ["PEM END line", C, `if (j < 0) badDer("PEM block without END line");`, "if (j < 0) break;"],
  ["base64 garbage", C, `else badDer("bad base64");`, "else continue;"],
  ["base64 data after padding", C, `if (pad > 0) badDer("base64 data after padding");`, ""],
  ["base64 padding", C, "if (pad > 2 || (chars & 3) !== 0 || (acc & ((1 << bits) - 1)) !== 0) badDer(", "if (false) badDer("],
  // ---- der.ts
  ["high tag number", D, `if ((t & 0x1f) === 0x1f) badDer("high tag number");`, ""],
  ["expected tag", D, "if (want >= 0 && t !== want) badDer(", "if (false) badDer("],
  ["indefinite length", D, `if (n === 0) badDer("indefinite length");`, ""],
  ["length of at most 3 octets", D, `if (n > 3) badDer("length too large");`, ""],
  ["minimal length", D, "if (l < 128 || l < (n === 3 ? 65536 : n === 2 ? 256 : 0)) badDer(", "if (false) badDer("],
  ["element inside its container", D, "if (l > end - q) badDer(", "if (false) badDer("],
  ["truncated header", D, "if (p + 2 > end) badDer(", "if (false) badDer("],
  ["trailing bytes", D, `if (this.p !== this.end) badDer("trailing bytes");`, ""],
  ["empty INTEGER", D, `if (n === 0) badDer("empty INTEGER");`, ""],
  ["minimal INTEGER", D, "if ((b0 === 0 && b1 < 0x80) || (b0 === 0xff && b1 >= 0x80)) badDer(", "if (false) badDer("],
  ["negative small INTEGER", D, `if (this.checkInt()) badDer("negative INTEGER");\n    if (this.ve`, "this.checkInt();\n    if (this.ve"],
  ["small INTEGER size", D, `if (this.ve - this.vs > 4) badDer("INTEGER too large");`, ""],
  ["BOOLEAN length", D, `if (this.ve - this.vs !== 1) badDer("bad BOOLEAN");`, ""],
  ["BOOLEAN DER value", D, "if (v !== 0 && v !== 0xff) badDer(", "if (false) badDer("],
  ["NULL empty", D, `if (this.ve !== this.vs) badDer("bad NULL");`, ""],
  ["empty OID", D, `if (ve === vs) badDer("empty OID");`, ""],
  ["truncated OID", D, `if ((this.b(ve - 1) & 0x80) !== 0) badDer("truncated OID");`, ""],
  ["minimal OID", D, `if (first && c === 0x80) badDer("non-minimal OID");`, ""],
  ["BIT STRING unused bits (keys, signatures)", D, `if (this.b(this.vs) !== 0) badDer("BIT STRING with unused bits");`, ""],
  ["named-bit list unused bits zero", D, `if (n > 1 && (this.b(this.ve - 1) & ((1 << unused) - 1)) !== 0) badDer(`, "if (false) badDer("],
  ["named-bit list shape", D, `if (unused > 7 || (n === 1 && unused !== 0)) badDer("bad BIT STRING");`, ""],
];

// The linux test bundle (what the X.509 tests load), built in this process with rollup's cache:
// only the mutated module is compiled again.
let cache;
async function buildTestBundle(W) {
  const { configFor } = await import(pathToFileURL(W + "/rollup.config.mjs").href);
  const cfg = configFor("linux", { test: true });
  const bundle = await rollup({ ...cfg, cache });
  cache = bundle.cache;
  await bundle.write(cfg.output);
  await bundle.close();
}

runMutants({
  label: "x509", mutants: M.map((m) => [...m, TESTS, null]), baseline: TESTS, copy: true, bail: true, timeout: 600000,
  build: buildTestBundle,
  only: process.argv[2] ? new RegExp(process.argv[2]) : null,
});
