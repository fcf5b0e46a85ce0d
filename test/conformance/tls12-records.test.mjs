// TLS 1.2 records from a server that frames them oddly or wrongly (test/helpers/tls12-script.mjs):
// messages split across records and several in one record (fine, RFC 5246 §6.2.1), zero-length
// application data (fine), empty handshake/alert records, records after close_notify (ignored),
// ChangeCipherSpec in the wrong place, a message spanning the ChangeCipherSpec, an alert inside a
// handshake message, a record over 2^14 bytes, an unknown record type. Each bad case must end with
// a coded error, the alert the server then receives (plaintext before the client's own
// ChangeCipherSpec, encrypted after it), no "connect" before the handshake is over and no data
// delivered after the error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { plainRecord, handshake, reply, splitRecords } from "../helpers/tls12-script.mjs";
import { connectApp } from "../helpers/tls-connect-app.mjs";
import { observedTlsServer, mitmProxy } from "../helpers/tls-observe.mjs";
import { conformance, refused, completed as handshakeDone, RESPONSE } from "../helpers/tls12-conformance.mjs";

const { chain, once, closeAfter } = conformance("tls12 records");

const CCS = plainRecord(20, Buffer.from([1]));
const CLOSE_NOTIFY = { level: 1, desc: 0, encrypted: true };

/** Completed, and the client closed with close_notify. */
function completed(x) {
  handshakeDone(x);
  assert.deepEqual(x.out.alerts, [CLOSE_NOTIFY]);
}

/** Refused after the handshake: the request went out, nothing of the answer came in. */
function refusedAfter({ r, out }, code, alert) {
  assert.equal(r.connected, true);
  assert.equal(r.error, code, r.message);
  assert.equal(r.data, "", "data delivered");
  assert.deepEqual(out.alerts, [{ level: 2, desc: alert, encrypted: true }]);
}

// ---- framing that is allowed ---------------------------------------------------------------

test("the whole first flight (ServerHello .. ServerHelloDone) in one record", { timeout: 60000 }, async () => {
  completed(await once({ frame1: (bytes) => plainRecord(22, bytes) }));
});

test("the first flight in records of 7 bytes (every message split, headers too)", { timeout: 60000 }, async () => {
  completed(await once({ frame1: (bytes) => splitRecords(bytes, 7) }));
});

test("the server Finished split across two protected records", { timeout: 60000 }, async () => {
  completed(await once({
    flight2: ["NST", "CCS", (ctx) => { const m = ctx.finished(); return { hs: m, raw: Buffer.concat([ctx.seal(22, m.subarray(0, 5)), ctx.seal(22, m.subarray(5))]) }; }],
  }));
});

test("zero-length application data records after the handshake are allowed (RFC 5246 §6.2.1)", { timeout: 60000 }, async () => {
  completed(await once({ onAppData: (ctx) => { ctx.send(23, Buffer.alloc(0)); ctx.send(23, Buffer.alloc(0)); reply(ctx); } }));
});

test("records after close_notify (same TCP write) are ignored", { timeout: 60000 }, async () => {
  const x = await once({
    onAppData: (ctx) => {
      ctx.sock.write(Buffer.concat([ctx.seal(23, Buffer.from(RESPONSE)), ctx.seal(21, Buffer.from([1, 0])), ctx.seal(23, Buffer.from("after close_notify")), ctx.seal(21, Buffer.from([2, 10]))]));
    },
  });
  completed(x);
  assert.equal(x.r.ended, true);
});

test("records after close_notify (a later TCP write) are ignored", { timeout: 60000 }, async () => {
  const x = await once({
    onAppData: (ctx) => {
      reply(ctx);
      setTimeout(() => { if (!ctx.sock.destroyed) ctx.sock.write(ctx.seal(23, Buffer.from("after close_notify"))); }, 50);
    },
  });
  completed(x);
  assert.equal(x.r.ended, true);
});

test("a warning alert between two fragments of Certificate is ignored (TLS 1.2 allows warnings)", { timeout: 60000 }, async () => {
  const x = await once({
    frame1: (bytes) => {
      // ServerHello is the first message: split the flight 100 bytes into the Certificate.
      const at = 4 + bytes.readUIntBE(1, 3) + 100;
      return Buffer.concat([plainRecord(22, bytes.subarray(0, at)), plainRecord(21, Buffer.from([1, 112])), plainRecord(22, bytes.subarray(at))]);
    },
  });
  completed(x);
});

// ---- framing that is not -------------------------------------------------------------------

test("a fatal alert between two fragments of Certificate -> TLS_ALERT_RECEIVED, no alert sent back", { timeout: 60000 }, async () => {
  const { r, out } = await once({
    frame1: (bytes) => {
      const at = 4 + bytes.readUIntBE(1, 3) + 100;
      return Buffer.concat([plainRecord(22, bytes.subarray(0, at)), plainRecord(21, Buffer.from([2, 40])), plainRecord(22, bytes.subarray(at))]);
    },
  });
  assert.equal(r.error, "TLS_ALERT_RECEIVED", r.message);
  assert.equal(r.connected, false);
  assert.deepEqual(out.alerts, []);
});

test("an empty handshake record (plaintext) -> TLS_EMPTY_RECORD, unexpected_message (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", () => plainRecord(22, Buffer.alloc(0)), "Cert", "SKE", "SHD"] }), "TLS_EMPTY_RECORD", 10, false);
});

test("an empty protected handshake record before the server Finished -> TLS_EMPTY_RECORD (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight2: ["NST", "CCS", (ctx) => ctx.seal(22, Buffer.alloc(0)), "Fin"] }), "TLS_EMPTY_RECORD", 10, true);
});

test("an empty protected alert record after the handshake -> TLS_EMPTY_RECORD (10)", { timeout: 60000 }, async () => {
  refusedAfter(await once({ onAppData: (ctx) => { ctx.send(21, Buffer.alloc(0)); reply(ctx); } }), "TLS_EMPTY_RECORD", 10);
});

test("zero-length application data before the handshake is over -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", () => plainRecord(23, Buffer.alloc(0)), "Cert", "SKE", "SHD"] }), "TLS_UNEXPECTED_MESSAGE", 10, false);
});

test("application data between the server's ChangeCipherSpec and Finished -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight2: ["NST", "CCS", (ctx) => ctx.seal(23, Buffer.from("early")), "Fin"] }), "TLS_UNEXPECTED_MESSAGE", 10, true);
});

test("a protected record with 2^14 + 1 bytes of plaintext -> TLS_RECORD_OVERFLOW, record_overflow (22)", { timeout: 60000 }, async () => {
  refusedAfter(await once({ onAppData: (ctx) => { ctx.send(23, Buffer.alloc(16385, 0x41)); reply(ctx); } }), "TLS_RECORD_OVERFLOW", 22);
});

test("a record of unknown type (24) after the handshake -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refusedAfter(await once({ onAppData: (ctx) => { ctx.send(24, Buffer.from([1, 0, 0])); reply(ctx); } }), "TLS_UNEXPECTED_MESSAGE", 10);
});

// ---- ChangeCipherSpec in the wrong place -------------------------------------------------------

test("ChangeCipherSpec before ServerHelloDone -> TLS_UNEXPECTED_CCS (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", "Cert", "SKE", () => CCS, "SHD"] }), "TLS_UNEXPECTED_CCS", 10, false);
});

test("ChangeCipherSpec twice -> TLS_UNEXPECTED_CCS (10, encrypted)", { timeout: 60000 }, async () => {
  refused(await once({ flight2: ["NST", "CCS", () => CCS, "Fin"] }), "TLS_UNEXPECTED_CCS", 10, true);
});

test("ChangeCipherSpec with the value 2 -> TLS_UNEXPECTED_CCS (10)", { timeout: 60000 }, async () => {
  // in place of the right one: taken for a ChangeCipherSpec, the Finished after it would verify
  refused(await once({ flight2: ["NST", (ctx) => { ctx.startEncrypting(); return plainRecord(20, Buffer.from([2])); }, "Fin"] }), "TLS_UNEXPECTED_CCS", 10, true);
});

test("ChangeCipherSpec of two bytes -> TLS_UNEXPECTED_CCS (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight2: ["NST", (ctx) => { ctx.startEncrypting(); return plainRecord(20, Buffer.from([1, 1])); }, "Fin"] }), "TLS_UNEXPECTED_CCS", 10, true);
});

test("the server Finished without a ChangeCipherSpec before it -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight2: ["NST", (ctx) => { const m = ctx.finished(); return { hs: m, raw: ctx.seal(22, m) }; }] }), "TLS_UNEXPECTED_MESSAGE", 10, true);
});

test("a handshake message begun before the ChangeCipherSpec (bytes after NewSessionTicket) -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  // The record holds NewSessionTicket and the first two bytes of another message: the keys would
  // change in the middle of it.
  const nst = handshake(4, Buffer.concat([Buffer.from([0, 0, 0x1c, 0x20, 0, 4]), Buffer.alloc(4, 9)]));
  const x = await once({ flight2: [() => ({ hs: nst, raw: plainRecord(22, Buffer.concat([nst, Buffer.from([20, 0])])) }), "CCS", "Fin"] });
  refused(x, "TLS_UNEXPECTED_MESSAGE", 10, true);
  assert.match(x.r.message, /spans ChangeCipherSpec/);
});

test("ChangeCipherSpec after the handshake -> TLS_UNEXPECTED_CCS (10), nothing delivered after it", { timeout: 60000 }, async () => {
  refusedAfter(await once({ onAppData: (ctx) => { ctx.sock.write(CCS); reply(ctx); } }), "TLS_UNEXPECTED_CCS", 10);
});

test("ChangeCipherSpec before a real TLS 1.2 ServerHello (Node, through a proxy) -> TLS_UNEXPECTED_CCS (10)", { timeout: 60000 }, async () => {
  const srv = await observedTlsServer(chain, { tls: { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" } });
  const px = await mitmProxy(srv.port, (rec, i) => (i === 0 ? [CCS, rec] : rec));
  closeAfter(px, srv);
  const r = await connectApp(px.port, { ca: chain.root.pem, send: "ping" });
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(r.error, "TLS_UNEXPECTED_CCS", r.message);
  assert.equal(r.connected, false);
  assert.equal(r.data, "");
  assert.deepEqual(srv.alerts, [10]);
});
