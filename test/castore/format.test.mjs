// The CA store image on the host: compact names and keys rebuild exactly, the writer's output
// reads back, and the reader refuses damaged images with distinct codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { pemBlocks, derTlv } from "../../tools/castore/der.mjs";
import {
  encodeName, decodeName, encodeKey, decodeKey, buildImage, readImage, anchorFromCertDer,
  K_RSA, K_P256, K_P384, K_ED25519, K_SPKI, HEADER_BYTES,
} from "../../tools/castore/format.mjs";
import { MOZILLA_BUNDLE } from "../../tools/castore/anchors.mjs";

const have = existsSync(MOZILLA_BUNDLE);
const mozilla = have ? pemBlocks(readFileSync(MOZILLA_BUNDLE, "latin1")).map((b) => anchorFromCertDer(b.der)) : [];

const str = (tag, s) => derTlv(tag, Buffer.from(s, "latin1"));
const oid = (hex) => derTlv(0x06, Buffer.from(hex, "hex"));
const atv = (o, v) => derTlv(0x30, Buffer.concat([o, v]));
const rdn = (...a) => derTlv(0x31, Buffer.concat(a));
const name = (...r) => derTlv(0x30, Buffer.concat(r));
const CN = "550403", O = "55040a", C = "550406", EMAIL = "2a864886f70d010901";

test("every Mozilla subject has a compact form that rebuilds it exactly", { skip: !have && "no " + MOZILLA_BUNDLE }, () => {
  assert.ok(mozilla.length >= 100);
  let raw = 0, der = 0, enc = 0;
  for (const a of mozilla) {
    const e = encodeName(a.subject);
    if (!e) { raw++; continue; }
    assert.deepEqual(decodeName(e), a.subject);
    der += a.subject.length;
    enc += e.length;
  }
  assert.equal(raw, 0);
  assert.ok(enc < der * 0.8, `compact names ${enc} bytes vs DER ${der}`);
});

test("names: multi-valued RDNs, long values, other OIDs, empty name", () => {
  const cases = [
    name(),
    name(rdn(atv(oid(C), str(0x13, "DE"))), rdn(atv(oid(O), str(0x0c, "x".repeat(300))))),
    name(rdn(atv(oid(CN), str(0x13, "a")), atv(oid(O), str(0x13, "b")))), // multi-valued
    name(rdn(atv(oid(EMAIL), str(0x16, "ca@example.org")))),
    name(rdn(atv(oid("2b0601040182373c020101"), str(0x13, "x")))), // generic OID (0xFF)
    name(rdn(atv(oid("550461"), str(0x0c, "VATDE-123")))), // organizationIdentifier 2.5.4.97
  ];
  for (const n of cases) {
    const e = encodeName(n);
    assert.ok(e, n.toString("hex"));
    assert.deepEqual(decodeName(e), n);
  }
  // not compactable: stored raw
  const longForm = Buffer.from("3081" + "0d" + "310b300906035504061302" + "4445", "hex"); // non-minimal length
  assert.equal(encodeName(longForm), null);
  assert.equal(encodeName(name(rdn(atv(oid(CN), derTlv(0x30, Buffer.alloc(0)))))), null); // constructed value
  assert.equal(encodeName(name(rdn())), null); // empty RDN
});

test("keys: RSA, P-256, P-384, Ed25519 rebuild exactly; anything else is kept verbatim", () => {
  const spki = (type, opts) => generateKeyPairSync(type, opts).publicKey.export({ format: "der", type: "spki" });
  const kinds = [
    [spki("rsa", { modulusLength: 2048 }), K_RSA],
    [spki("rsa", { modulusLength: 1024, publicExponent: 3 }), K_RSA],
    [spki("ec", { namedCurve: "P-256" }), K_P256],
    [spki("ec", { namedCurve: "P-384" }), K_P384],
    [spki("ed25519"), K_ED25519],
    [spki("ec", { namedCurve: "P-521" }), K_SPKI],
    [spki("rsa-pss", { modulusLength: 2048 }), K_SPKI],
  ];
  for (const [s, type] of kinds) {
    const k = encodeKey(s);
    assert.equal(k.type, type);
    assert.deepEqual(decodeKey(k.type, k.data), s);
  }
  const rsa = encodeKey(kinds[0][0]);
  assert.equal(rsa.data.length, 2 + 256 + 1, "RSA-2048 with e = 65537 takes 259 bytes");
});

test("the Mozilla set fits 64 KB and reads back", { skip: !have && "no " + MOZILLA_BUNDLE }, () => {
  const { image, sizes } = buildImage(mozilla, { version: 3, created: 1700000000 });
  assert.ok(image.length <= 65536, `${image.length} bytes`);
  assert.equal(sizes.reduce((a, b) => a + b, 0) + HEADER_BYTES, image.length);
  const back = readImage(image, { maxBytes: 65536 });
  assert.equal(back.header.count, mozilla.length);
  assert.equal(back.header.version, 3);
  // (one Mozilla root appears twice with the same name and key and different dates)
  const key = (a) => [a.subject.toString("hex"), a.spki.toString("hex"), a.notAfter, a.ski ? a.ski.toString("hex") : ""].join("/");
  assert.deepEqual(back.anchors.map(key).sort(), mozilla.map(key).sort());
});

test("the reader refuses damaged images with distinct codes", () => {
  const k = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" });
  const { image } = buildImage([{ subject: name(rdn(atv(oid(CN), str(0x13, "root")))), spki: k, notAfter: 2000000000 }], { version: 1, created: 1 });
  assert.equal(readImage(image).anchors.length, 1);
  const codeOf = (img, opts) => { try { readImage(img, opts); return "OK"; } catch (e) { return e.code; } };
  const flip = Buffer.from(image); flip[flip.length - 5] ^= 1;
  const version = Buffer.from(image); version[4] = 2;
  const ff = Buffer.concat([image.subarray(0, image.length - 20), Buffer.alloc(20, 0xff)]);
  const longer = Buffer.concat([image, Buffer.from([0])]);
  const notStore = Buffer.from(image); notStore[0] = 0x30;
  assert.equal(codeOf(flip), "CASTORE_CORRUPT");
  assert.equal(codeOf(version), "CASTORE_VERSION");
  assert.equal(codeOf(image.subarray(0, image.length - 1)), "CASTORE_TRUNCATED");
  assert.equal(codeOf(image.subarray(0, 30)), "CASTORE_TRUNCATED");
  assert.equal(codeOf(ff), "CASTORE_TRUNCATED");
  assert.equal(codeOf(longer), "CASTORE_CORRUPT");
  assert.equal(codeOf(notStore), "CASTORE_NOT_A_STORE");
  assert.equal(codeOf(image, { maxBytes: image.length - 1 }), "CASTORE_TOO_LARGE");
});

test("the writer refuses what the format cannot hold", () => {
  const k = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" });
  const a = { subject: name(), spki: k };
  assert.throws(() => buildImage([], { version: 1, created: 1 }), /no anchors/);
  assert.throws(() => buildImage([a], { version: 0, created: 1 }), /version/);
  assert.throws(() => buildImage([a], { version: 2 ** 32, created: 1 }), /version/);
});
