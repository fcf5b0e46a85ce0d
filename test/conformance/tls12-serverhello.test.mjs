// TLS 1.2 ServerHello, ServerKeyExchange and ServerHelloDone fields a server must not send
// (test/helpers/tls12-script.mjs changes them), each refused with its coded error and alert
// (RFC 5246, 7627, 5746, 8422, 7301, 8449, 6066), plus handshake messages and records that do not
// belong after the handshake. The alert reaches the server in plaintext before the client's
// ChangeCipherSpec and encrypted after it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { handshake, plainRecord, reply } from "../helpers/tls12-script.mjs";
import { conformance, refused } from "../helpers/tls12-conformance.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";

const { chain, server, once } = conformance("tls12 serverhello");

/** A ServerHello hook setting extension `type` to `body` (null: removing it). */
const ext = (type, body) => (sh) => {
  sh.exts = sh.exts.filter(([t]) => t !== type);
  if (body) sh.exts.push([type, body]);
};

const HELLO_CASES = [
  ["extended_master_secret with a body", ext(23, Buffer.from([0])), "TLS_DECODE", 50],
  ["session_ticket with a body", ext(35, Buffer.from([1, 2])), "TLS_DECODE", 50],
  ["ec_point_formats without uncompressed", ext(11, Buffer.from([1, 1])), "TLS_BAD_POINT_FORMAT", 47],
  ["ec_point_formats malformed", ext(11, Buffer.from([5, 0])), "TLS_DECODE", 50],
  ["application_layer_protocol_negotiation not offered", ext(16, Buffer.from([0, 3, 2, 0x68, 0x32])), "TLS_UNSUPPORTED_EXTENSION", 110],
  ["an extension repeated", (sh) => { sh.exts.push([0xff01, Buffer.from([0])]); }, "TLS_DUPLICATE_EXTENSION", 47],
  ["record_size_limit below 64", ext(28, Buffer.from([0, 63])), "TLS_BAD_RECORD_LIMIT", 47],
  ["max_fragment_length not offered", ext(1, Buffer.from([2])), "TLS_UNSUPPORTED_EXTENSION", 110],
  ["version 0x0302 (TLS 1.1)", (sh) => { sh.version = 0x0302; }, "TLS_VERSION", 70],
  // A suite the client implements but offers only with rsaKeyExchange: true.
  ["TLS_RSA_WITH_AES_128_GCM_SHA256, not offered", (sh) => { sh.suite = 0x009c; }, "TLS_BAD_SUITE", 47],
];

for (const [what, hello, code, alert] of HELLO_CASES) {
  test(`ServerHello: ${what} -> ${code} (${alert})`, { timeout: 60000 }, async () => {
    refused(await once({ hello }), code, alert);
  });
}

test("ServerHello: ALPN answer that was not offered (h2 for http/1.1) -> TLS_BAD_ALPN (47)", { timeout: 60000 }, async () => {
  const s = await server({ hello: ext(16, Buffer.from([0, 3, 2, 0x68, 0x32])) });
  const r = await runPlan([{ opts: { alpn: ["http/1.1"] } }], { port: s.port, ca: chain.root.pem });
  assert.equal(r.results[0].err, "TLS_BAD_ALPN", r.results[0].msg);
  assert.equal(r.results[0].version, 0);
  assert.deepEqual((await s.next()).alerts, [{ level: 2, desc: 47, encrypted: false }]);
});

test("control: ALPN http/1.1 offered and chosen", { timeout: 60000 }, async () => {
  const s = await server({ hello: ext(16, Buffer.from([0, 9, 8, ...Buffer.from("http/1.1")])) });
  const r = await runPlan([{ opts: { alpn: ["http/1.1"] } }], { port: s.port, ca: chain.root.pem });
  assert.equal(r.results[0].err, null, r.results[0].msg);
  assert.equal(r.results[0].alpn, "http/1.1");
});

const SKE_CASES = [
  ["explicit curve parameters (curve type 1)", { curveType: 1 }, "TLS_BAD_GROUP", 47],
  ["a signature scheme not offered (ecdsa_sha1)", { scheme: 0x0203 }, "TLS_BAD_SIGNATURE_SCHEME", 47, /was not offered/],
  ["an RSA signature scheme with an ECDSA key", { scheme: 0x0804 }, "TLS_BAD_SIGNATURE_SCHEME", 47],
  ["an empty signature", { sig: Buffer.alloc(0) }, "TLS_BAD_SERVER_KEY_EXCHANGE", 51],
  ["a signature that is not DER", { sig: Buffer.alloc(70, 0x30) }, "TLS_BAD_SERVER_KEY_EXCHANGE", 51],
];

for (const [what, o, code, alert, message] of SKE_CASES) {
  test(`ServerKeyExchange: ${what} -> ${code} (${alert})`, { timeout: 60000 }, async () => {
    const x = await once({ flight1: ["SH", "Cert", (ctx) => ({ hs: ctx.ske(o) }), "SHD"] });
    refused(x, code, alert);
    if (message) assert.match(x.r.message, message);
  });
}

test("ServerKeyExchange with trailing bytes -> TLS_DECODE (50)", { timeout: 60000 }, async () => {
  const x = await once({ flight1: ["SH", "Cert", (ctx) => { const m = ctx.ske({}); return { hs: handshake(12, Buffer.concat([m.subarray(4), Buffer.from([0])])) }; }, "SHD"] });
  refused(x, "TLS_DECODE", 50);
});

test("ServerHelloDone with a body -> TLS_DECODE (50)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", "Cert", "SKE", () => ({ hs: handshake(14, Buffer.from([0])) })] }), "TLS_DECODE", 50);
});

test("ServerKeyExchange missing (ECDHE suite) -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", "Cert", "SHD"] }), "TLS_UNEXPECTED_MESSAGE", 10);
});

test("ServerHelloDone where NewSessionTicket was promised -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight2: [() => ({ hs: handshake(14, Buffer.alloc(0)) }), "CCS", "Fin"] }), "TLS_UNEXPECTED_MESSAGE", 10, true);
});

test("NewSessionTicket and ServerHelloDone in one record (a message where ChangeCipherSpec belongs) -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  const x = await once({ flight2: [(ctx) => { const nst = handshake(4, Buffer.concat([Buffer.from([0, 0, 0x1c, 0x20, 0, 4]), Buffer.alloc(4, 9)])); return { hs: nst, raw: plainRecord(22, Buffer.concat([nst, handshake(14, Buffer.alloc(0))])) }; }, "CCS", "Fin"] });
  refused(x, "TLS_UNEXPECTED_MESSAGE", 10, true);
  assert.match(x.r.message, /expected ChangeCipherSpec/);
});

test("ServerHelloDone where the server Finished belongs (after ChangeCipherSpec) -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight2: ["NST", "CCS", () => ({ hs: handshake(14, Buffer.alloc(0)) })] }), "TLS_UNEXPECTED_MESSAGE", 10, true);
});

test("a record whose version is not 3.x -> TLS_BAD_RECORD, decode_error (50)", { timeout: 60000 }, async () => {
  const { r, out } = await once({ onAppData: (ctx) => { const rec = ctx.seal(23, Buffer.from("x")); rec[1] = 2; ctx.sock.write(rec); reply(ctx); } });
  assert.equal(r.error, "TLS_BAD_RECORD", r.message);
  assert.equal(r.data, "");
  assert.deepEqual(out.alerts, [{ level: 2, desc: 50, encrypted: true }]);
});

test("ServerHelloDone missing (NewSessionTicket instead) -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", "Cert", "SKE", "NST"] }), "TLS_UNEXPECTED_MESSAGE", 10);
});

test("a handshake message (Finished) after the handshake -> TLS_UNEXPECTED_MESSAGE (10), nothing delivered", { timeout: 60000 }, async () => {
  const { r, out } = await once({ onAppData: (ctx) => { ctx.send(22, handshake(20, Buffer.alloc(12))); reply(ctx); } });
  assert.equal(r.connected, true);
  assert.equal(r.error, "TLS_UNEXPECTED_MESSAGE", r.message);
  assert.equal(r.data, "");
  assert.deepEqual(out.alerts, [{ level: 2, desc: 10, encrypted: true }]);
});

for (const n of [20, 4]) {
  test(`a protected record of ${n} bytes (shorter than its explicit nonce and tag) -> TLS_BAD_RECORD_MAC (20)`, { timeout: 60000 }, async () => {
    const { r, out } = await once({ onAppData: (ctx) => { ctx.sock.write(Buffer.from([23, 3, 3, 0, n, ...Buffer.alloc(n, 1)])); reply(ctx); } });
    assert.equal(r.connected, true);
    assert.equal(r.error, "TLS_BAD_RECORD_MAC", r.message);
    assert.match(r.message, /too short/);
    assert.equal(r.data, "");
    assert.deepEqual(out.alerts, [{ level: 2, desc: 20, encrypted: true }]);
  });
}

test("ServerHello: max_fragment_length answer other than the offer (2048 for 1024) -> TLS_BAD_FRAGMENT_LENGTH (47)", { timeout: 60000 }, async () => {
  const s = await server({ hello: ext(1, Buffer.from([3])) });
  const r = await runPlan([{ opts: { maxFragmentLength: 1024 } }], { port: s.port, ca: chain.root.pem });
  assert.equal(r.results[0].err, "TLS_BAD_FRAGMENT_LENGTH", r.results[0].msg);
  assert.equal(r.results[0].version, 0);
  assert.deepEqual((await s.next()).alerts, [{ level: 2, desc: 47, encrypted: false }]);
});
