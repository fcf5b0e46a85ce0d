// The CA store on a simulated board (product bundle, board mock): build from Debian's Mozilla
// set, write into Storage, open, look up every root by subject and by key identifier. Lookups
// read the store through the flash-backed string only (no copies: proven by counting every
// copying access of the mock's FlashString), and damaged stores are refused with distinct codes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { createBoard } from "../../tools/mock/board.mjs";
import { FlashString } from "../../tools/mock/storage.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";
import { pemBlocks, derTlv } from "../../tools/castore/der.mjs";
import { buildImage, readImage, anchorFromCertDer } from "../../tools/castore/format.mjs";
import { MOZILLA_BUNDLE } from "../../tools/castore/anchors.mjs";

const BOARD = "esp32"; // 896 KB Storage: the bundle and two stores fit; budget 64 KB
const have = existsSync(MOZILLA_BUNDLE);
const mozilla = have ? pemBlocks(readFileSync(MOZILLA_BUNDLE, "latin1")).map((b) => anchorFromCertDer(b.der)) : [];
const IMAGE = have ? buildImage(mozilla, { version: 42, created: 1763700000 }).image : null;
const bin = (b) => Buffer.from(b).toString("latin1");

// Every FlashString method that makes a RAM copy (or hands out the bytes) is counted.
const COPYING = ["toString", "valueOf", "substr", "substring", "slice", "indexOf", "split", "bytes"];
const counts = { copies: 0, reads: 0 };
const saved = {};
before(() => {
  for (const m of COPYING) {
    saved[m] = FlashString.prototype[m];
    FlashString.prototype[m] = function (...a) { counts.copies++; return saved[m].apply(this, a); };
  }
  saved.charCodeAt = FlashString.prototype.charCodeAt;
  FlashString.prototype.charCodeAt = function (i) { counts.reads++; return saved.charCodeAt.call(this, i); };
});
after(() => { for (const [m, f] of Object.entries(saved)) FlashString.prototype[m] = f; });

function boardWithStore(image = IMAGE, name = "etls.ca") {
  const b = createBoard({ board: BOARD });
  const lib = b.loadLibrary(bundlePath(BOARD));
  if (image) b.install(name, bin(image));
  return { b, lib };
}

const codeOf = (f) => { try { f(); return "OK"; } catch (e) { return e.code || String(e); } };

test("every Mozilla root is found by subject, in place, with nothing copied into RAM", { skip: !have && "no " + MOZILLA_BUNDLE }, () => {
  const { b, lib } = boardWithStore();
  try {
    const st = lib.castore.open();
    assert.equal(st.count, mozilla.length);
    assert.equal(st.version, 42);
    assert.equal(st.created, 1763700000);
    assert.equal(st.info().bytes, IMAGE.length);
    assert.ok(IMAGE.length <= 65536);
    // The lazy layers the lookups use are evaluated first: reading a layer's section from flash
    // (its header compared, its text evaluated) is not a lookup's copy.
    st.findByIssuer(b.realm.u8(mozilla[0].subject));
    st.findByKeyId(b.realm.u8(mozilla.find((x) => x.ski).ski));
    st.get(0);
    counts.copies = 0;
    counts.reads = 0;
    const results = [];
    for (const a of mozilla) {
      const issuer = b.realm.u8(a.subject);
      const r = st.findByIssuer(issuer);
      assert.ok(r.length >= 1, "not found: " + a.subject.toString("hex"));
      for (const x of r) assert.equal(x.subject, issuer, "the anchor's subject is the caller's issuer bytes, not a copy");
      results.push([a, r]);
    }
    assert.equal(counts.copies, 0, "no FlashString copy during lookups");
    const perLookup = counts.reads / mozilla.length;
    assert.ok(perLookup > 20 && perLookup < 400, `flash reads per lookup: ${perLookup}`);
    // the keys (rebuilt on use), dates and key identifiers are the certificates'
    for (const [a, r] of results) {
      const m = r.find((x) => Buffer.from(x.spki).equals(a.spki) && x.notAfter === a.notAfter);
      assert.ok(m, "key/notAfter of " + a.subject.toString("hex"));
      assert.equal(m.cert, undefined);
    }
    assert.equal(counts.copies, 0, "keys are rebuilt with charCodeAt reads too");
    let byKid = 0;
    for (const a of mozilla.filter((x) => x.ski)) {
      const r = lib.castore.open().findByKeyId(b.realm.u8(a.ski));
      assert.ok(r.some((x) => Buffer.from(x.subject).equals(a.subject) && Buffer.from(x.spki).equals(a.spki)));
      byKid++;
    }
    assert.ok(byKid >= 140);
    const subjects = new Set();
    for (let i = 0; i < st.count; i++) subjects.add(Buffer.from(st.get(i).subject).toString("hex"));
    assert.equal(subjects.size, new Set(mozilla.map((a) => a.subject.toString("hex"))).size);
    assert.equal(counts.copies, 0);
  } finally { b.close(); }
});

test("lookups are byte-exact: a different or non-minimal issuer finds nothing", { skip: !have && "no " + MOZILLA_BUNDLE }, () => {
  const { b, lib } = boardWithStore();
  try {
    const st = lib.castore.open();
    const a = mozilla[0].subject;
    const changed = Buffer.from(a); changed[changed.length - 1] ^= 1;
    assert.equal(st.findByIssuer(b.realm.u8(changed)).length, 0);
    // the same Name with a long-form outer length: equal content, different bytes
    const inner = a.subarray(a[1] & 0x80 ? 2 + (a[1] & 0x7f) : 2);
    const long = Buffer.concat([Buffer.from([0x30, 0x82, inner.length >> 8, inner.length & 255]), inner]);
    assert.equal(st.findByIssuer(b.realm.u8(long)).length, 0);
    assert.equal(st.findByIssuer(b.realm.u8(Buffer.from("3000", "hex"))).length, 0);
    assert.equal(st.findByKeyId(b.realm.u8(Buffer.alloc(20, 7))).length, 0);
    assert.equal(codeOf(() => st.get(st.count)), "CASTORE_RANGE");
  } finally { b.close(); }
});

test("anchors sharing a subject are all returned; name constraints and distrust dates come back", async () => {
  const { generateKeyPairSync } = await import("node:crypto");
  const k = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" });
  const cn = (s) => derTlv(0x30, derTlv(0x31, derTlv(0x30, Buffer.concat([Buffer.from("0603550403", "hex"), derTlv(0x0c, Buffer.from(s))]))));
  const nc = Buffer.from("3012a010300e820c6578616d706c652e636f6d", "hex"); // permitted dNSName example.com
  const anchors = [
    { subject: cn("Twin Root"), spki: k(), notAfter: 2000000000 },
    { subject: cn("Twin Root"), spki: k(), distrustAfter: 1800000000, nameConstraints: nc, ski: Buffer.alloc(20, 3) },
    { subject: cn("Other Root"), spki: k() },
  ];
  const { b, lib } = boardWithStore(buildImage(anchors, { version: 1, created: 1 }).image);
  try {
    const st = lib.castore.open();
    const r = st.findByIssuer(b.realm.u8(cn("Twin Root")));
    assert.equal(r.length, 2);
    const withNc = r.find((x) => x.nameConstraints);
    assert.deepEqual(Buffer.from(withNc.nameConstraints), nc);
    assert.equal(withNc.distrustAfter, 1800000000);
    assert.equal(withNc.notAfter, undefined);
    assert.equal(r.find((x) => !x.nameConstraints).notAfter, 2000000000);
    const byKid = st.findByKeyId(b.realm.u8(Buffer.alloc(20, 3)));
    assert.equal(byKid.length, 1);
    assert.deepEqual(Buffer.from(byKid[0].subject), cn("Twin Root"));
    assert.equal(st.findByIssuer(b.realm.u8(cn("Third Root"))).length, 0);
  } finally { b.close(); }
});

test("corrupt, truncated, unfinished, wrong-version, oversized and foreign stores are refused with distinct codes", { skip: !have && "no " + MOZILLA_BUNDLE }, () => {
  const { b, lib } = boardWithStore(null);
  try {
    const S = b.require("Storage");
    const flip = Buffer.from(IMAGE); flip[30000] ^= 0x10;
    const v2 = Buffer.from(IMAGE); v2[4] = 2;
    const big = buildImage(mozilla.concat(mozilla), { version: 1, created: 1 }).image;
    assert.ok(big.length > 65536);
    const files = {
      "ca.flip": flip, "ca.trunc": IMAGE.subarray(0, IMAGE.length - 100), "ca.short": IMAGE.subarray(0, 40),
      "ca.v2": v2, "ca.big": big, "ca.text": Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB..."),
    };
    for (const [n, d] of Object.entries(files)) b.install(n, bin(d));
    // an unfinished incremental write: the first half written into a file of the full size
    S.write("ca.half", bin(IMAGE.subarray(0, 30000)), 0, IMAGE.length);
    const expect = {
      "ca.flip": "CASTORE_CORRUPT", "ca.trunc": "CASTORE_TRUNCATED", "ca.short": "CASTORE_TRUNCATED",
      "ca.half": "CASTORE_TRUNCATED", "ca.v2": "CASTORE_VERSION", "ca.big": "CASTORE_TOO_LARGE",
      "ca.text": "CASTORE_NOT_A_STORE", "ca.none": "CASTORE_NOT_FOUND",
    };
    for (const [n, code] of Object.entries(expect)) {
      let err = null;
      try { lib.castore.open(n); } catch (e) { err = e; }
      assert.ok(err, n + " was accepted");
      assert.equal(err.code, code, `${n}: ${err.message}`);
      assert.ok(err.message.includes(n), "the message names the file");
      // the host reader agrees
      if (n !== "ca.none") {
        const bytes = n === "ca.half" ? Buffer.concat([IMAGE.subarray(0, 30000), Buffer.alloc(IMAGE.length - 30000, 0xff)]) : files[n];
        assert.equal(codeOf(() => readImage(bytes, { maxBytes: 65536 })), code, "host reader on " + n);
      }
    }
    assert.equal(new Set(["CASTORE_CORRUPT", "CASTORE_TRUNCATED", "CASTORE_VERSION", "CASTORE_TOO_LARGE", "CASTORE_NOT_A_STORE", "CASTORE_NOT_FOUND"]).size, 6);
    // names: 28 characters are fine, 29 are refused (never truncated onto another file)
    const n28 = "c".repeat(28);
    b.install(n28, bin(IMAGE));
    assert.equal(lib.castore.open(n28).count, mozilla.length);
    assert.equal(codeOf(() => lib.castore.open(n28 + "x")), "CASTORE_BAD_NAME");
    assert.equal(codeOf(() => lib.castore.open("")), "CASTORE_BAD_NAME");
  } finally { b.close(); }
});

test("a store replaced, erased or moved under an open store is re-read, never read stale", { skip: !have && "no " + MOZILLA_BUNDLE }, () => {
  const { b, lib } = boardWithStore();
  try {
    const S = b.require("Storage");
    const st = lib.castore.open();
    assert.equal(lib.castore.open(), st, "the open store is kept");
    const a = b.realm.u8(mozilla[5].subject);
    const held = st.findByIssuer(a);
    assert.equal(held.length >= 1, true);
    // OTA-like replacement: a smaller store with a new version
    const small = buildImage(mozilla.slice(0, 3), { version: 43, created: 1763800000 }).image;
    b.install("etls.ca", bin(small));
    assert.equal(st.findByIssuer(a).length, 0);
    // an anchor found before the replacement never reads the new file at its old offset
    assert.equal(codeOf(() => held[0].spki), "CASTORE_CHANGED");
    assert.equal(st.version, 43);
    assert.equal(st.findByIssuer(b.realm.u8(mozilla[1].subject)).length, 1);
    S.compact(); // files move: every flash view dies
    assert.equal(st.findByIssuer(b.realm.u8(mozilla[1].subject)).length, 1);
    S.erase("etls.ca");
    assert.equal(codeOf(() => st.findByIssuer(a)), "CASTORE_NOT_FOUND");
    // a corrupted replacement is refused at the next lookup
    const bad = Buffer.from(small); bad[200] ^= 1;
    b.install("etls.ca", bin(bad));
    assert.equal(codeOf(() => st.findByIssuer(a)), "CASTORE_CORRUPT");
    assert.equal(codeOf(() => lib.castore.open()), "CASTORE_CORRUPT");
  } finally { b.close(); }
});
