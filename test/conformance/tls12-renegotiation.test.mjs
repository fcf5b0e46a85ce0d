// HelloRequest (a server asking to renegotiate) in TLS 1.2. The client never renegotiates:
//  - during a handshake, including before the ServerHello, it is ignored (RFC 5246 §7.4.1.1: "This
//    message will be ignored by the client if the client is currently negotiating a session"),
//    and it is not part of the transcript (both Finished messages still verify);
//  - after the handshake it is answered with a no_renegotiation warning (RFC 5746 §4.2, RFC 5246
//    §7.2.2) and the connection goes on;
//  - one with a body is a decode_error; before a TLS 1.3 ServerHello (a message TLS 1.3 does not
//    have) an unexpected_message.
// Servers: the scripted TLS 1.2 server (test/helpers/tls12-script.mjs), and Node's TLS 1.2 / 1.3
// servers with a proxy that puts a HelloRequest in front of their ServerHello.
import { test } from "node:test";
import assert from "node:assert/strict";
import { plainRecord, handshake, reply } from "../helpers/tls12-script.mjs";
import { connectApp } from "../helpers/tls-connect-app.mjs";
import { observedTlsServer, mitmProxy } from "../helpers/tls-observe.mjs";
import { conformance, completed } from "../helpers/tls12-conformance.mjs";

const { chain, once, closeAfter } = conformance("tls12 renegotiation");

const HELLO_REQUEST = handshake(0, Buffer.alloc(0));

test("HelloRequest after the handshake: no_renegotiation warning (encrypted), the connection goes on", { timeout: 60000 }, async () => {
  const x = await once({
    onAppData: (ctx) => {
      ctx.send(22, HELLO_REQUEST);
      // the answer goes out after the warning has arrived
      setTimeout(() => reply(ctx), 300);
    },
  });
  completed(x);
  assert.equal(x.r.ended, true, "close_notify seen");
  assert.deepEqual(x.out.alerts.slice(0, 1), [{ level: 1, desc: 100, encrypted: true }]);
  assert.deepEqual(x.out.alerts.filter((a) => a.level === 2), [], "no fatal alert");
});

test("HelloRequest and the response in one record after the handshake: warning, response delivered", { timeout: 60000 }, async () => {
  const x = await once({
    onAppData: (ctx) => {
      ctx.send(22, Buffer.concat([HELLO_REQUEST, HELLO_REQUEST]));
      reply(ctx);
    },
  });
  completed(x);
  assert.deepEqual(x.out.alerts.filter((a) => a.desc === 100), [{ level: 1, desc: 100, encrypted: true }, { level: 1, desc: 100, encrypted: true }]);
});

test("HelloRequest with a body after the handshake -> TLS_DECODE, decode_error (50), nothing delivered after it", { timeout: 60000 }, async () => {
  const x = await once({ onAppData: (ctx) => { ctx.send(22, handshake(0, Buffer.from([1]))); reply(ctx); } });
  assert.equal(x.r.connected, true);
  assert.equal(x.r.error, "TLS_DECODE", x.r.message);
  assert.equal(x.r.data, "");
  assert.deepEqual(x.out.alerts, [{ level: 2, desc: 50, encrypted: true }]);
});

test("half a HelloRequest after the handshake, then application data -> TLS_UNEXPECTED_MESSAGE, 10, nothing delivered", { timeout: 60000 }, async () => {
  // the record layer may split a handshake message, but no data may come before its rest
  const x = await once({ onAppData: (ctx) => { ctx.send(22, HELLO_REQUEST.subarray(0, 2)); reply(ctx); } });
  assert.equal(x.r.connected, true);
  assert.equal(x.r.error, "TLS_UNEXPECTED_MESSAGE", x.r.message);
  assert.equal(x.r.data, "");
  assert.deepEqual(x.out.alerts, [{ level: 2, desc: 10, encrypted: true }]);
});

for (const [where, flight1, flight2] of [
  ["between ServerHello and Certificate", ["SH", "HelloRequest", "Cert", "SKE", "SHD"], null],
  ["between Certificate and ServerKeyExchange", ["SH", "Cert", "HelloRequest", "SKE", "SHD"], null],
  ["after ServerHelloDone", ["SH", "Cert", "SKE", "SHD", "HelloRequest"], null],
  ["between NewSessionTicket and ChangeCipherSpec", null, ["NST", "HelloRequest", "CCS", "Fin"]],
  ["before NewSessionTicket", null, ["HelloRequest", "NST", "CCS", "Fin"]],
  ["between ChangeCipherSpec and Finished (encrypted)", null, ["NST", "CCS", "HelloRequest", "Fin"]],
]) {
  test(`HelloRequest during the handshake, ${where}: ignored, not in the transcript, no alert`, { timeout: 60000 }, async () => {
    const x = await once({ flight1: flight1 || undefined, flight2: flight2 || undefined });
    completed(x);
    assert.deepEqual(x.out.alerts, [{ level: 1, desc: 0, encrypted: true }], "only the close_notify");
  });
}

test("HelloRequest before the ServerHello: ignored (TLS 1.2 chosen), handshake completes", { timeout: 60000 }, async () => {
  const x = await once({ flight1: [() => plainRecord(22, HELLO_REQUEST), "SH", "Cert", "SKE", "SHD"] });
  completed(x);
  assert.deepEqual(x.out.alerts, [{ level: 1, desc: 0, encrypted: true }]);
});

test("HelloRequest with a body before the ServerHello -> TLS_DECODE, decode_error (50)", { timeout: 60000 }, async () => {
  const x = await once({ flight1: [() => plainRecord(22, handshake(0, Buffer.from([0]))), "SH", "Cert", "SKE", "SHD"] });
  assert.equal(x.r.error, "TLS_DECODE", x.r.message);
  assert.equal(x.r.connected, false);
  assert.deepEqual(x.out.alerts, [{ level: 2, desc: 50, encrypted: false }]);
});

/** A Node TLS server behind a proxy that sends a HelloRequest record before the first record. */
async function nodeWithHelloRequest(tls) {
  const srv = await observedTlsServer(chain, { tls });
  const px = await mitmProxy(srv.port, (rec, i) => (i === 0 ? [plainRecord(22, HELLO_REQUEST), rec] : rec));
  closeAfter(px, srv);
  return { srv, px };
}

test("HelloRequest before a real TLS 1.2 ServerHello (Node): ignored, data flows", { timeout: 60000 }, async () => {
  const { srv, px } = await nodeWithHelloRequest({ minVersion: "TLSv1.2", maxVersion: "TLSv1.2" });
  const r = await connectApp(px.port, { ca: chain.root.pem, send: "ping" });
  assert.equal(r.errors.length, 0, r.message);
  assert.equal(r.data, "ping");
  assert.deepEqual(srv.alerts, []);
});

test("HelloRequest before a TLS 1.3 ServerHello (Node) -> TLS_UNEXPECTED_MESSAGE, unexpected_message (10)", { timeout: 60000 }, async () => {
  const { srv, px } = await nodeWithHelloRequest({ minVersion: "TLSv1.3" });
  const r = await connectApp(px.port, { ca: chain.root.pem, send: "ping" });
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(r.error, "TLS_UNEXPECTED_MESSAGE", r.message);
  assert.equal(r.connected, false);
  assert.deepEqual(srv.alerts, [10]);
});
