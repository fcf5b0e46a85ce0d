// A TLS 1.3 server whose encrypted flight (EncryptedExtensions, Certificate, CertificateVerify,
// Finished; RFC 8446 §4.3-4.4) or its framing into records (§5.1) is wrong. After the ServerHello
// the client writes with its handshake key, so every alert here must arrive encrypted.
// Framing that RFC 8446 allows (a message split over records, several messages in one record)
// must work.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { talk, assertRefused, chain, rsaChain } from "../helpers/tls13-peer.mjs";
import { extension, handshake, seal, u16, u8, vec } from "../helpers/tls13-script.mjs";

const T = { timeout: 60000 };
const EMPTY_EXTS = vec(2, Buffer.alloc(0));
/** The Certificate message with `context` and the chain's certificates. */
function certificate(context, ders) {
  return handshake(11, Buffer.concat([vec(1, context), vec(3, Buffer.concat(ders.map((d) => Buffer.concat([vec(3, d), u16(0)]))))]));
}
const CHAIN = [chain.leaf.der, chain.inter.der];

// ---- framing ---------------------------------------------------------------------------------

test("works: every handshake message split over records of 7 bytes (ServerHello included)", T, async () => {
  const { r, out } = await talk({ fragment: 7 }, { send: "ping" });
  assert.equal(r.connected, true, r.message);
  assert.equal(out.finished, true);
  assert.deepEqual(out.appData.map(String), ["ping"]);
});

test("works: the whole encrypted flight (EE, Certificate, CertificateVerify, Finished) in one record", T, async () => {
  const { r, out } = await talk({ coalesce: true }, { send: "ping" });
  assert.equal(r.connected, true, r.message);
  assert.deepEqual(out.appData.map(String), ["ping"]);
});

test("ServerHello and the start of another message in one record (spans the key change) -> TLS_UNEXPECTED_MESSAGE, 10", T, async () => {
  // The ServerHello's record carries 4 more bytes: a handshake header whose body would come
  // encrypted. The client fails when it installs the handshake keys, before it has any to write
  // with: the alert goes in plaintext.
  const res = await talk({ shRecordExtra: handshake(8, Buffer.alloc(2)).subarray(0, 4) });
  assertRefused(res, "TLS_UNEXPECTED_MESSAGE", 10, false);
});

test("Finished and the start of a NewSessionTicket in one record (spans the key change) -> TLS_UNEXPECTED_MESSAGE, 10", T, async () => {
  assertRefused(await talk({
    flight: ["EE", "Cert", "CV", (ctx) => {
      const fin = ctx.build("Fin");
      return seal(ctx.keys.sHs, 22, Buffer.concat([fin, handshake(4, Buffer.alloc(20)).subarray(0, 6)]));
    }],
  }), "TLS_UNEXPECTED_MESSAGE", 10, true);
});

test("an alert record in the middle of a handshake message (Certificate split) -> TLS_UNEXPECTED_MESSAGE, 10", T, async () => {
  const res = await talk({
    flight: ["EE", (ctx) => {
      const m = ctx.build("Cert");
      return Buffer.concat([seal(ctx.keys.sHs, 22, m.subarray(0, 100)), seal(ctx.keys.sHs, 21, Buffer.from([1, 90])), seal(ctx.keys.sHs, 22, m.subarray(100))]);
    }, "CV", "Fin"],
  });
  assertRefused(res, "TLS_UNEXPECTED_MESSAGE", 10, true);
});

test("a zero-length handshake record (encrypted) -> TLS_EMPTY_RECORD, unexpected_message (10)", T, async () => {
  assertRefused(await talk({ flight: ["EE", (ctx) => seal(ctx.keys.sHs, 22, Buffer.alloc(0)), "Cert", "CV", "Fin"] }), "TLS_EMPTY_RECORD", 10, true);
});

test("a zero-length alert record (encrypted) -> TLS_EMPTY_RECORD, unexpected_message (10)", T, async () => {
  assertRefused(await talk({ flight: ["EE", (ctx) => seal(ctx.keys.sHs, 21, Buffer.alloc(0)), "Cert", "CV", "Fin"] }), "TLS_EMPTY_RECORD", 10, true);
});

test("a zero-length handshake record in plaintext before the ServerHello -> TLS_EMPTY_RECORD, 10", T, async () => {
  assertRefused(await talk({ beforeServerHello: Buffer.from([22, 3, 3, 0, 0]) }), "TLS_EMPTY_RECORD", 10, false);
});

test("a handshake message announcing 65537 bytes (over the 64 KB limit) -> TLS_MESSAGE_TOO_LARGE, 10, before it arrives", T, async () => {
  assertRefused(await talk({ flight: ["EE", (ctx) => seal(ctx.keys.sHs, 22, Buffer.from([11, 1, 0, 1, 0]))] }), "TLS_MESSAGE_TOO_LARGE", 10, true);
});

// ---- EncryptedExtensions ---------------------------------------------------------------------

test("EncryptedExtensions with an extension twice (ALPN) -> TLS_DUPLICATE_EXTENSION, 47", T, async () => {
  const alpn = extension(16, vec(2, vec(1, Buffer.from("h2"))));
  assertRefused(await talk({ ee: [alpn, alpn] }, { opts: { alpn: ["h2"] } }), "TLS_DUPLICATE_EXTENSION", 47, true);
});

test("EncryptedExtensions with a ServerHello-only extension (key_share) -> TLS_UNSUPPORTED_EXTENSION, 110", T, async () => {
  assertRefused(await talk({ ee: [extension(51, Buffer.alloc(4))] }), "TLS_UNSUPPORTED_EXTENSION", 110, true);
});

test("EncryptedExtensions with a protocol not offered -> TLS_BAD_ALPN, 47", T, async () => {
  assertRefused(await talk({ ee: [extension(16, vec(2, vec(1, Buffer.from("spdy/1"))))] }, { opts: { alpn: ["h2"] } }), "TLS_BAD_ALPN", 47, true);
});

test("EncryptedExtensions with a trailing byte -> TLS_DECODE, decode_error (50)", T, async () => {
  assertRefused(await talk({ flight: [(ctx) => ctx.hs(handshake(8, Buffer.concat([EMPTY_EXTS, u8(0)]))), "Cert", "CV", "Fin"] }), "TLS_DECODE", 50, true);
});

// ---- Certificate, CertificateVerify, Finished -------------------------------------------------

test("server Certificate with a non-empty certificate_request_context -> TLS_BAD_CERTIFICATE_CONTEXT, 47", T, async () => {
  assertRefused(await talk({ flight: ["EE", (ctx) => ctx.hs(certificate(u8(1), CHAIN)), "CV", "Fin"] }), "TLS_BAD_CERTIFICATE_CONTEXT", 47, true);
});

test("empty Certificate -> TLS_NO_CERTIFICATE, decode_error (50, RFC 8446 §4.4.2.4)", T, async () => {
  assertRefused(await talk({ flight: ["EE", (ctx) => ctx.hs(certificate(Buffer.alloc(0), [])), "CV", "Fin"] }), "TLS_NO_CERTIFICATE", 50, true);
});

test("Certificate with a trailing byte -> TLS_DECODE, 50", T, async () => {
  const body = certificate(Buffer.alloc(0), CHAIN).subarray(4);
  assertRefused(await talk({ flight: ["EE", (ctx) => ctx.hs(handshake(11, Buffer.concat([body, u8(0)]))), "CV", "Fin"] }), "TLS_DECODE", 50, true);
});

test("CertificateVerify with a signature scheme not offered (ecdsa_sha1) -> TLS_BAD_SIGNATURE_SCHEME, 47", T, async () => {
  const x = await talk({
    flight: ["EE", "Cert", (ctx) => { const m = ctx.build("CV"); m.writeUInt16BE(0x0203, 4); return ctx.hs(m); }, "Fin"],
  });
  assertRefused(x, "TLS_BAD_SIGNATURE_SCHEME", 47, true);
  // said as such: the key check that follows would blame the server's key (same code and alert)
  assert.match(x.r.message, /was not offered/);
});

/** A CertificateVerify with `scheme`, signed by `sign(content)` over the transcript so far. */
function certificateVerify(scheme, sign) {
  return (ctx) => {
    const content = Buffer.concat([Buffer.alloc(64, 32), Buffer.from("TLS 1.3, server CertificateVerify\0"), ctx.digest()]);
    return ctx.hs(handshake(15, Buffer.concat([u16(scheme), vec(2, sign(content, ctx.key))])));
  };
}
const PSS = (content, key) => crypto.sign("sha256", content, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });

test("control: an RSA leaf and a CertificateVerify with rsa_pss_rsae_sha256 connects", T, async () => {
  const { r } = await talk({ chain: rsaChain(), flight: ["EE", "Cert", certificateVerify(0x0804, PSS), "Fin"] });
  assert.equal(r.connected, true, r.message);
});

test("CertificateVerify with rsa_pkcs1_sha256 (valid PKCS#1 signature; certificates only in TLS 1.3, §4.4.3) -> TLS_BAD_SIGNATURE_SCHEME, 47", T, async () => {
  assertRefused(await talk({ chain: rsaChain(), flight: ["EE", "Cert", certificateVerify(0x0401, (c, k) => crypto.sign("sha256", c, k)), "Fin"] }),
    "TLS_BAD_SIGNATURE_SCHEME", 47, true);
});

test("CertificateVerify with ecdsa_secp384r1_sha384 for a P-256 key (TLS 1.3 binds the curve) -> TLS_BAD_SIGNATURE_SCHEME, 47", T, async () => {
  assertRefused(await talk({ flight: ["EE", "Cert", certificateVerify(0x0503, (c, k) => crypto.sign("sha384", c, k)), "Fin"] }), "TLS_BAD_SIGNATURE_SCHEME", 47, true);
});

test("CertificateVerify with rsa_pss_rsae_sha256 for an EC key -> TLS_BAD_SIGNATURE_SCHEME, 47", T, async () => {
  assertRefused(await talk({ flight: ["EE", "Cert", certificateVerify(0x0804, (c, k) => crypto.sign("sha256", c, k)), "Fin"] }), "TLS_BAD_SIGNATURE_SCHEME", 47, true);
});

test("CertificateVerify with a trailing byte -> TLS_DECODE, 50", T, async () => {
  assertRefused(await talk({
    flight: ["EE", "Cert", (ctx) => { const m = ctx.build("CV"); return ctx.hs(handshake(15, Buffer.concat([m.subarray(4), u8(0)]))); }, "Fin"],
  }), "TLS_DECODE", 50, true);
});

test("Finished with a trailing byte -> TLS_BAD_FINISHED, decrypt_error (51)", T, async () => {
  assertRefused(await talk({
    flight: ["EE", "Cert", "CV", (ctx) => { const m = ctx.build("Fin"); return ctx.hs(handshake(20, Buffer.concat([m.subarray(4), u8(0)]))); }],
  }), "TLS_BAD_FINISHED", 51, true);
});

// ---- extensions the client did not ask for ---------------------------------

test("a CertificateEntry extension the client never requested (SCT, 18) -> TLS_UNSUPPORTED_EXTENSION, 110 (RFC 8446 §4.4.2, §4.2)", T, async () => {
  const entries = Buffer.concat([vec(3, chain.leaf.der), vec(2, extension(18, vec(2, Buffer.from("sct")))), vec(3, chain.inter.der), u16(0)]);
  const cert = handshake(11, Buffer.concat([vec(1, Buffer.alloc(0)), vec(3, entries)]));
  assertRefused(await talk({ flight: ["EE", (ctx) => ctx.hs(cert), "CV", "Fin"] }), "TLS_UNSUPPORTED_EXTENSION", 110, true);
});

// ---- record size with padding (RFC 8446 §5.4: TLSInnerPlaintext <= 2^14 + 1 bytes) -------------

/** Application data `n` bytes long followed by `pad` zero bytes of padding, in one record (seal's
 *  type byte 0 is padding too: the real type, 23, goes before the zeros). */
const padded = (n, pad) => (ctx) => ctx.send(0, Buffer.concat([Buffer.alloc(n, 0x41), u8(23), Buffer.alloc(pad - 1)]));

test("works: 8192 bytes of data with 8192 bytes of padding (16385 bytes of inner plaintext)", T, async () => {
  const { r } = await talk({ afterFinished: padded(8192, 8192) }, { send: "ping" });
  assert.equal(r.connected, true, r.message);
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.data.length, 8192);
});

test("8192 bytes of data with 8193 bytes of padding -> TLS_RECORD_OVERFLOW, record_overflow (22)", T, async () => {
  const { r, out } = await talk({ afterFinished: padded(8192, 8193) }, { send: "ping" });
  assert.equal(r.error, "TLS_RECORD_OVERFLOW", r.message);
  assert.equal(r.data, "");
  assert.deepEqual(out.alerts, [{ level: 2, desc: 22, encrypted: true }]);
});
