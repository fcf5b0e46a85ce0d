// Strict DER reader, time parsing, certificate parsing details (firmware/x509/der.ts, cert.ts).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as H from "../helpers/x509-certs.mjs";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadFirmware, testBundlePath } from "../helpers/firmware.mjs";
import { runInterpreter, cleanOutput } from "../../tools/espruino-run.mjs";

let X;
before(async () => {
  X = await H.loadX509();
});

const u8 = (a) => new Uint8Array(a);
const bad = (f) => assert.throws(f, (e) => e.code === "BAD_DER", "expected BAD_DER");
/** BAD_DER from the check named by `msg`: where another check would refuse the input too. */
const badAs = (f, msg) => assert.throws(f, (e) => e.code === "BAD_DER" && msg.test(e.message), "expected BAD_DER " + msg);

test("headers: minimal definite lengths, no high tags, within the parent", () => {
  const d = new X.Der(u8([0x04, 0x81, 0x80, ...new Array(128).fill(7)]));
  d.next(0x04);
  assert.equal(d.len(), 128);
  d.done();
  bad(() => new X.Der(u8([0x04, 0x81, 0x05, 1, 2, 3, 4, 5])).next(4)); // long form for < 128
  bad(() => new X.Der(u8([0x04, 0x82, 0x00, 0x80, ...new Array(128).fill(0)])).next(4)); // leading zero octet
  badAs(() => new X.Der(u8([0x30, 0x80, 0, 0])).next(0x30), /indefinite length/); // else "non-minimal length"
  bad(() => new X.Der(u8([0x04, 0x84, 0, 0, 0, 1, 0])).next(4)); // 4 length octets
  // 65536 in 4 length octets (minimal: 3) passes the minimal-length rule, which knows up to 3
  badAs(() => new X.Der(u8([0x04, 0x84, 0x00, 0x01, 0x00, 0x00, ...new Array(65536).fill(0)])).next(4), /length too large/);
  bad(() => new X.Der(u8([0x1f, 0x81, 0x01, 0x00])).next(-1)); // high tag number
  badAs(() => new X.Der(u8([0x1f, 0x01, 0x00])).next(-1), /high tag number/); // a well-formed length after it
  bad(() => new X.Der(u8([0x04, 0x05, 1, 2])).next(4)); // beyond the end
  bad(() => new X.Der(u8([0x04])).next(4));
  const t = new X.Der(u8([0x04, 0x00, 0x05, 0x00]));
  t.next(4);
  bad(() => t.done()); // trailing bytes
  bad(() => new X.Der(u8([0x04, 0x00])).next(0x05)); // wrong tag
});

test("the same reader works over byte strings (flash-backed Storage reads)", () => {
  const s = String.fromCharCode(0x30, 0x06, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff);
  const d = new X.Der(s);
  const q = d.seq(0x30);
  d.done();
  assert.equal(q.smallInt(), 5);
  assert.equal(q.bool(), true);
  q.done();
  // a whole certificate read from a byte string: its key parses the same as from bytes
  const R = H.root("String Root", { keyKind: "rsa2048" });
  const c = X.parseCert(R.der);
  const str = Buffer.from(R.der).toString("latin1");
  const off = Buffer.from(R.der).indexOf(Buffer.from(c.spki.der));
  const k = X.parseSpki(str, off, off + c.spki.der.length);
  assert.equal(k.bits, 2048);
  assert.deepEqual(Buffer.from(k.n), Buffer.from(c.spki.n));
  bad(() => X.parseSpki(str, off, off + c.spki.der.length - 1));
});

test("INTEGER, BOOLEAN, OID, BIT STRING strictness", () => {
  const int = (b) => new X.Der(u8([0x02, b.length, ...b]));
  assert.equal(int([0x00, 0x80]).smallInt(), 128);
  bad(() => int([0x00, 0x7f]).smallInt());
  bad(() => int([0xff, 0x80]).smallInt());
  bad(() => int([]).smallInt());
  bad(() => int([0x80]).smallInt()); // negative
  assert.equal(int([0x7f, 0xff, 0xff, 0xff]).smallInt(), 2 ** 31 - 1);
  badAs(() => int([0x00, 0x80, 0, 0, 0]).smallInt(), /INTEGER too large/); // 2^31: over 4 octets
  assert.equal(new X.Der(u8([1, 1, 0])).bool(), false);
  bad(() => new X.Der(u8([1, 1, 1])).bool());
  bad(() => new X.Der(u8([1, 2, 0, 0])).bool());
  new X.Der(u8([5, 0])).nul();
  badAs(() => new X.Der(u8([5, 1, 0])).nul(), /bad NULL/);
  assert.equal(new X.Der(u8([6, 3, 0x55, 0x1d, 0x13])).oid(), "\x55\x1d\x13");
  bad(() => new X.Der(u8([6, 2, 0x80, 0x01])).oid()); // non-minimal sub-identifier
  bad(() => new X.Der(u8([6, 1, 0x81])).oid()); // truncated
  bad(() => new X.Der(u8([6, 0])).oid());
  assert.equal(new X.Der(u8([3, 2, 1, 0x84])).bitList(), 33); // bits 0 and 5
  bad(() => new X.Der(u8([3, 2, 1, 0x87])).bitList()); // unused bit set
  bad(() => new X.Der(u8([3, 1, 1])).bitList());
  bad(() => new X.Der(u8([3, 2, 8, 0])).bitList());
  // keys and signatures: whole octets only (the unused-bits octet 0)
  assert.equal(new X.Der(u8([3, 2, 0, 0xaa])).bitsWhole(), 3);
  badAs(() => new X.Der(u8([3, 2, 1, 0xaa])).bitsWhole(), /unused bits/);
});

test("days-from-civil matches the host calendar", () => {
  for (let n = 0; n < 2000; n++) {
    const y = 1950 + Math.floor(Math.random() * 8000), m = 1 + Math.floor(Math.random() * 12), d = 1 + Math.floor(Math.random() * 28);
    assert.equal(X.daysFromCivil(y, m, d) * 86400, Date.UTC(y, m - 1, d) / 1000, `${y}-${m}-${d}`);
  }
  assert.equal(X.daysFromCivil(2000, 2, 29), Date.UTC(2000, 1, 29) / 86400000);
});


test("validity: UTCTime 2050 rule, GeneralizedTime, strict formats", () => {
  const utc = (s) => H.tlv(0x17, Buffer.from(s));
  const gen = (s) => H.tlv(0x18, Buffer.from(s));
  const certWith = (nb, na) => {
    // build the TBS by hand around the given validity
    const k = H.key("p256");
    const name = H.name("x");
    const tbs = H.seq(H.ctx(0, true, H.int(2)), H.int(7), H.seq(H.oid("1.2.840.10045.4.3.2")), name, H.seq(nb, na), name, k.spki);
    return new Uint8Array(H.seq(tbs, H.seq(H.oid("1.2.840.10045.4.3.2")), H.bits([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])));
  };
  const p = (nb, na) => X.parseCert(certWith(nb, na));
  assert.equal(p(utc("491231235959Z"), gen("20991231235959Z")).notBefore, Date.UTC(2049, 11, 31, 23, 59, 59) / 1000);
  assert.equal(p(utc("500101000000Z"), gen("20991231235959Z")).notBefore, Date.UTC(1950, 0, 1) / 1000);
  assert.equal(p(utc("700101000001Z"), gen("29690503000001Z")).notAfter, Date.UTC(2969, 4, 3, 0, 0, 1) / 1000);
  assert.equal(p(utc("000229000000Z"), gen("99991231235959Z")).notBefore, Date.UTC(2000, 1, 29) / 1000);
  for (const [nb, na] of [
    [utc("2001010000Z"), gen("20991231235959Z")], // no seconds
    [utc("200101000000"), gen("20991231235959Z")], // no Z
    [utc("200101000000+0000"), gen("20991231235959Z")], // offset
    [utc("200230000000Z"), gen("20991231235959Z")], // 30 February
    [utc("210229000000Z"), gen("20991231235959Z")], // 29 February, not leap
    [utc("200101240000Z"), gen("20991231235959Z")], // hour 24
    [utc("200101000060Z"), gen("20991231235959Z")], // second 60
    [utc("200101000000Z"), gen("20991231235959.5Z")], // fraction
    [utc("200101000000Z"), gen("2099123123595Z")],
    [utc("2001a1000000Z"), gen("20991231235959Z")],
    [H.tlv(0x04, Buffer.from("200101000000Z")), gen("20991231235959Z")],
  ]) bad(() => p(nb, na));
});

test("certificate fields: version, serial, names, keys, extensions", () => {
  const R = H.root("Field Root", { keyKind: "rsa2048" });
  const c = X.parseCert(R.der);
  assert.equal(c.version, 3);
  assert.equal(c.spki.kind, 1);
  assert.equal(c.spki.bits, 2048);
  assert.equal(c.bc, 1);
  assert.equal(c.bcCritical, true);
  assert.equal(c.ku & 32, 32);
  assert.equal(c.selfIssued, true);
  assert.equal(X.subjectText(c), "CN=Field Root");
  const L = H.leaf("w.example.com", R, { subject: [["C", "DE"], ["O", "A, B"], ["CN", "w.example.com"]] });
  const l = X.parseCert(L.der);
  assert.equal(X.subjectText(l), "C=DE, O=A\\, B, CN=w.example.com");
  assert.equal(l.bc, -1);
  assert.equal(l.pathLen, -1);
  assert.deepEqual([...l.eku], ["\x2b\x06\x01\x05\x05\x07\x03\x01"]);
  assert.equal(l.spki.curve, "P256");
  assert.equal(l.spki.point.length, 65);
  const e = X.parseCert(H.leaf("e.example.com", R, { keyKind: "ed25519" }).der);
  assert.equal(e.spki.kind, 3);
  // v1: explicit version 0 is not DER
  const k = H.key("p256");
  const v1 = H.cert({ subject: "v1", key: k, version: 1 });
  assert.equal(X.parseCert(v1.der).version, 1);
  bad(() => X.parseCert(H.cert({ subject: "v1x", key: k, mutateTbs: (tbs) => {
    const b = Buffer.from(tbs);
    // replace [0] { INTEGER 2 } by [0] { INTEGER 0 }
    const i = b.indexOf(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]));
    b[i + 4] = 0;
    return b;
  } }).der));
  // extensions in a v1 certificate
  bad(() => X.parseCert(H.cert({ subject: "v1e", key: k, version: 1, exts: [H.bc(true)] }).der));
  // critical FALSE encoded explicitly is not DER
  bad(() => X.parseCert(H.cert({ subject: "c0", key: k, exts: [H.ext("2.5.29.19", "explicit-false", H.seq())] }).der));
});

test("problems are recorded, not thrown: the certificate can still be named", () => {
  const R = H.root("P Root");
  const dup = X.parseCert(H.leaf("d.example.com", R, { exts: [H.san([{ dns: "d.example.com" }]), H.san([{ dns: "d.example.com" }])] }).der);
  assert.equal(dup.problem.code, "BAD_CERT");
  assert.equal(X.subjectText(dup), "CN=d.example.com");
  const badSan = X.parseCert(H.leaf("b.example.com", R, { exts: [H.ext("2.5.29.17", false, Buffer.from("b.example.com"))] }).der);
  assert.equal(badSan.problem.code, "BAD_DER");
  const emptyEku = X.parseCert(H.leaf("b.example.com", R, { exts: [H.ext("2.5.29.37", false, H.seq())] }).der);
  assert.equal(emptyEku.problem.code, "BAD_CERT");
  const unk = X.parseCert(H.leaf("u.example.com", R, { extra: [H.ext("1.2.3.4", true, Buffer.from([5, 0]))] }).der);
  assert.equal(unk.problem, null);
  assert.equal(unk.unknownCritical, "1.2.3.4");
});

test("PEM and base64", () => {
  const R = H.root("PEM Root");
  const two = H.pem(R.der) + "junk between\n" + H.pem(R.der);
  const ders = X.pemCerts(two);
  assert.equal(ders.length, 2);
  assert.deepEqual(Buffer.from(ders[1]), Buffer.from(R.der));
  bad(() => X.base64Decode("abc"));
  bad(() => X.base64Decode("ab=c"));
  bad(() => X.base64Decode("a!bc"));
  badAs(() => X.base64Decode("aGVs!bG8="), /bad base64/); // valid base64 without the "!"
  // a BEGIN line without its END: refused, not the blocks before it returned
  badAs(() => X.pemCerts(H.pem(R.der) + "-----BEGIN CERTIFICATE-----\nMIIB\n"), /without END line/);
  assert.deepEqual(Buffer.from(X.base64Decode("aGVsbG8=")), Buffer.from("hello"));
});

// base64Decode has two paths: the interpreter's native atob checked by a btoa round trip (the
// mock has a lenient atob too) and the loop (hosts without atob). Both must accept exactly canonical
// base64 (whitespace aside) and agree with Node's decoder. ("=" and "==" hung the interpreter's
// atob: the real-interpreter test below would time out if they reached it.)
const B64_GOOD = ["", "aGVsbG8=", "aGVs bG8=\r\n", "aGVs\tbG8=\n", "aGVsbA==", "AAAA", "+/+/", Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 255)).toString("base64").replace(/(.{64})/g, "$1\n")];
const B64_BAD = ["=", "==", " =\n", "A", "AB=", "abc", "ab=c", "a!bc", "aGVsbG9=", "aGVsbB==", "aGVsbA=", "aGVsbA===", "====", "=", "aGVsbG8", "a-_b", "AA==AA==", "ab\u00ffc", "aGVsbG8=aGVs", "aGVs\u0000bG8="];
function checkB64(decode, where) {
  for (const g of B64_GOOD) assert.deepEqual(Buffer.from(decode(g)), Buffer.from(g.replace(/\s/g, ""), "base64"), `${where}: ${JSON.stringify(g)}`);
  for (const b of B64_BAD) assert.throws(() => decode(b), (e) => e.code === "BAD_DER", `${where}: ${JSON.stringify(b)} must be refused`);
}

test("base64Decode: the atob path (round-trip checked) and the loop accept exactly canonical base64", async () => {
  checkB64((s) => X.base64Decode(s), "atob path (the mock's lenient atob, as the board's)");
  const loop = await loadFirmware({ globals: { atob: undefined, btoa: undefined } });
  try { checkB64((s) => loop.T.x509t.base64Decode(s), "loop (no atob)"); } finally { loop.close(); }
});

test("base64Decode on the real interpreter (native atob): same answers", { skip: !process.env.ESPRUINO_BIN && "ESPRUINO_BIN not set", timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "etls-b64-"));
  try {
    writeFileSync(path.join(dir, "b64.js"), `var f = E.openFile(${JSON.stringify(await testBundlePath())}, "r"), s = "", d, m = { exports: {} };
while ((d = f.read(4096)) !== undefined && d.length) s += d;
f.close();
(new Function("exports", "module", s))(m.exports, m);
var X = m.exports.x509t, out = [];
${JSON.stringify([...B64_GOOD, ...B64_BAD])}.forEach(function (c) {
  try { var u = X.base64Decode(c), h = ""; for (var i = 0; i < u.length; i++) h += (u[i] < 16 ? "0" : "") + u[i].toString(16); out.push(h); } catch (e) { out.push(e.code || String(e)); }
});
print("RESULT " + JSON.stringify(out));
setTimeout(quit, 0);`);
    const r = await runInterpreter(process.env.ESPRUINO_BIN, dir, "b64.js", { timeoutMs: 50000 });
    const m = /RESULT (.*)/.exec(cleanOutput(r.out));
    assert.ok(m, cleanOutput(r.out));
    const got = JSON.parse(m[1]);
    B64_GOOD.forEach((g, i) => assert.equal(got[i], Buffer.from(g.replace(/\s/g, ""), "base64").toString("hex"), JSON.stringify(g)));
    B64_BAD.forEach((b, i) => assert.equal(got[B64_GOOD.length + i], "BAD_DER", JSON.stringify(b)));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
