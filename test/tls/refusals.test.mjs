// Refusals: the product bundle on the board mock must refuse every bad server with the right error
// code AND send the right alert, and never report a connection. The alert is seen where it is
// decrypted: by a Node TLS 1.3 server ("SSL alert number N" in OpenSSL's error), or by the scripted
// server of test/helpers/tls13-script.mjs, which decrypts it itself and also says whether it was
// encrypted (after ServerHello every record the client sends must be).
//
// Expected alerts (RFC 8446 §6.2 and the mapping in firmware/tls/alerts.ts); the certificate
// cases and their alerts are in test/helpers/refusal-cases.mjs (shared with TLS 1.2):
//   bad_record_mac (20)        a flipped byte in a protected record
//   record_overflow (22)       a record longer than the limits of RFC 8446 §5.2
//   unexpected_message (10)    handshake messages out of order, plaintext after the keys changed
//   decrypt_error (51)         a Finished or CertificateVerify that does not verify
//   none                       a stream cut mid-record: the TCP connection is gone, nothing can be sent
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { runApp } from "../helpers/board-app.mjs";
import { observedTlsServer, mitmProxy } from "../helpers/tls-observe.mjs";
import { scriptedServer, plainRecord, handshake, seal } from "../helpers/tls13-script.mjs";
import { root, inter, good, CERT_CASES, connect, until } from "../helpers/refusal-cases.mjs";

const toClose = [];
after(async () => { for (const c of toClose) await c.close(); });

// ---- certificates ------------------------------------------------------------------------------

for (const c of CERT_CASES) {
  test(`refused: ${c.name} -> ${c.code}, alert ${c.alert}`, { timeout: 60000 }, async () => {
    const srv = await observedTlsServer({ leaf: c.leaf, inter }, { certPem: c.certPem, tls: c.tls });
    toClose.push(srv);
    const r = await connect(srv.port, { servername: c.servername, send: "must not be sent" });
    await until(() => srv.alerts.length > 0);
    assert.equal(r.error, c.code, r.message);
    assert.equal(r.connected, false, "the app saw a connection");
    assert.deepEqual(srv.alerts, [c.alert], `alerts the server received (errors: ${srv.state.errors.join(" | ")})`);
    assert.equal(srv.state.handshakes, 0, "the server completed a handshake");
  });
}

test("control: the same server setup with the good chain connects (so refusals are not artefacts)", { timeout: 60000 }, async () => {
  const srv = await observedTlsServer(good);
  toClose.push(srv);
  const r = await connect(srv.port, { send: "ping" });
  assert.equal(r.errors.length, 0, r.message);
  assert.equal(r.connected, true);
  assert.equal(srv.state.handshakes, 1);
});

test("refused over HTTPS too: https.get to an expired certificate gives CERT_EXPIRED and no response", { timeout: 60000 }, async () => {
  const srv = await observedTlsServer({ leaf: CERT_CASES[0].leaf, inter }, { https: true, handler: (req, res) => res.end("secret") });
  toClose.push(srv);
  const r = await runApp(`var t = require("espruino-tls"), got = null;
    var req = t.https.get({ url: URL, ca: CA }, function (res) { got = res.statusCode; });
    req.on("error", function (e) { setTimeout(function () { done({ error: e.code, response: got }); }, 200); });`,
  { globals: { URL: `https://localhost:${srv.port}/`, CA: root.pem } });
  await until(() => srv.alerts.length > 0);
  assert.equal(r.error, "CERT_EXPIRED");
  assert.equal(r.response, null);
  assert.deepEqual(srv.alerts, [45]);
});

// ---- the record layer: a man in the middle rewrites the server's records -----------------------

/** A proxy in front of a Node server for the good chain; onRecord as in mitmProxy. */
async function proxied(onRecord, serverOpts = {}) {
  const srv = await observedTlsServer(good, serverOpts);
  const px = await mitmProxy(srv.port, onRecord);
  toClose.push(px, srv);
  return { srv, px };
}

/** The first protected record (type 23) of the server's stream is record `firstProtected`. */
function firstProtected(ctx, rec) {
  if (rec[0] === 23 && ctx.seen23 === undefined) { ctx.seen23 = true; return true; }
  return false;
}

test("refused: corrupted record (one bit flipped in the server's encrypted flight) -> TLS_BAD_RECORD_MAC, alert 20", { timeout: 60000 }, async () => {
  const { srv, px } = await proxied((rec, i, ctx) => {
    if (firstProtected(ctx, rec)) rec[rec.length - 5] ^= 0x10;
    return rec;
  });
  const r = await connect(px.port);
  await until(() => srv.alerts.length > 0);
  assert.equal(r.error, "TLS_BAD_RECORD_MAC", r.message);
  assert.equal(r.connected, false);
  assert.deepEqual(srv.alerts, [20]);
  assert.equal(srv.state.handshakes, 0);
});

test("refused: corrupted application data record after the handshake -> TLS_BAD_RECORD_MAC, alert 20, data not delivered", { timeout: 60000 }, async () => {
  const PAYLOAD = "x".repeat(100);
  const { srv, px } = await proxied((rec) => {
    // The echo of PAYLOAD is the one record of 5 + 100 + 1 + 16 bytes.
    if (rec[0] === 23 && rec.length === 5 + PAYLOAD.length + 1 + 16) rec[10] ^= 0x01;
    return rec;
  });
  const r = await connect(px.port, { send: PAYLOAD });
  await until(() => srv.alerts.length > 0);
  assert.equal(r.connected, true);
  assert.equal(r.error, "TLS_BAD_RECORD_MAC", r.message);
  assert.equal(r.data, "", "tampered data reached the app");
  assert.deepEqual(srv.alerts, [20]);
});

test("refused: truncated stream (cut in the middle of the server's flight) -> TLS_TRUNCATED, no connection", { timeout: 60000 }, async () => {
  const { srv, px } = await proxied((rec, i, ctx) => {
    if (firstProtected(ctx, rec)) return { data: rec.subarray(0, rec.length >> 1), close: true };
    return rec;
  });
  const r = await connect(px.port);
  assert.equal(r.error, "TLS_TRUNCATED", r.message);
  assert.equal(r.connected, false);
  // The TCP connection is gone in both directions: no alert can be sent, and none arrived.
  assert.deepEqual(srv.alerts, []);
  assert.equal(srv.state.handshakes, 0);
});

test("refused: truncation attack on a body delimited by the connection's close -> TLS_TRUNCATED, never a short body", { timeout: 60000 }, async () => {
  // The server answers "Connection: close" without Content-Length, so the body ends with the
  // connection; it writes the body in two parts 300 ms apart. The proxy forwards the first part,
  // then closes TCP instead of forwarding the rest and the server's close_notify.
  const HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nbalance: 100";
  const srv = await observedTlsServer(good, {
    onSecure: (s) => s.once("data", () => {
      s.write(HEAD);
      setTimeout(() => { s.write("0000 EUR\n"); s.end(); }, 300);
    }),
  });
  let headAt = 0;
  const px = await mitmProxy(srv.port, (rec) => {
    if (headAt && Date.now() - headAt > 150) return { data: null, close: true };
    // The response head: the one protected record of its exact size.
    if (rec[0] === 23 && rec.length === 5 + HEAD.length + 1 + 16) headAt = Date.now();
    return rec;
  });
  toClose.push(px, srv);
  const r = await runApp(`var t = require("espruino-tls"), out = { body: "" };
    var req = t.https.get({ url: URL, ca: CA }, function (res) {
      out.status = res.statusCode;
      res.on("data", function (d) { out.body += d; });
      res.on("end", function () { out.ended = true; });
    });
    req.on("error", function (e) { out.error = e.code; setTimeout(function () { done(out); }, 100); });
    req.on("close", function () { setTimeout(function () { done(out); }, 100); });`,
  { globals: { URL: `https://localhost:${px.port}/`, CA: root.pem } });
  assert.ok(headAt, "the proxy did not see the response head");
  assert.equal(r.status, 200);
  assert.equal(r.body, "balance: 100");
  assert.notEqual(r.ended, true, "the truncated body was reported complete");
  assert.equal(r.error, "TLS_TRUNCATED");
});

test("refused: oversized record (length field inflated past 2^14 + 256) -> TLS_RECORD_OVERFLOW, alert 22", { timeout: 60000 }, async () => {
  const { srv, px } = await proxied((rec, i, ctx) => {
    if (firstProtected(ctx, rec)) { rec.writeUInt16BE(16384 + 256 + 1, 3); }
    return rec;
  });
  const r = await connect(px.port);
  await until(() => srv.alerts.length > 0);
  assert.equal(r.error, "TLS_RECORD_OVERFLOW", r.message);
  assert.equal(r.connected, false);
  assert.deepEqual(srv.alerts, [22]);
});

// ---- the handshake out of order: the scripted server --------------------------------------------

/** Runs the scripted server with `opts` and the client against it; returns both sides. */
async function scripted(opts) {
  const srv = await scriptedServer({ chain: good, ...opts });
  toClose.push(srv);
  const r = await connect(srv.port);
  const out = await Promise.race([srv.result, new Promise((res) => setTimeout(() => res(null), 5000))]);
  assert.ok(out, "the scripted server saw no connection close");
  assert.equal(out.error, null, out.error);
  return { r, out };
}

test("control: the scripted server's normal flight connects", { timeout: 60000 }, async () => {
  const { r, out } = await scripted({});
  assert.equal(r.connected, true, r.message);
  assert.equal(out.finished, true);
  assert.deepEqual(out.alerts, [{ level: 1, desc: 0, encrypted: true }], "close_notify, encrypted");
});

const ORDER_CASES = [
  { name: "Certificate before EncryptedExtensions", flight: ["Cert", "EE", "CV", "Fin"] },
  { name: "EncryptedExtensions missing", flight: ["Cert", "CV", "Fin"] },
  { name: "CertificateVerify before Certificate", flight: ["EE", "CV", "Cert", "Fin"] },
  { name: "Finished before CertificateVerify", flight: ["EE", "Cert", "Fin", "CV"] },
  { name: "EncryptedExtensions twice", flight: ["EE", "EE", "Cert", "CV", "Fin"] },
  { name: "NewSessionTicket inside the handshake", flight: ["EE", "Cert", "CV", "NST", "Fin"] },
  { name: "KeyUpdate inside the handshake", flight: ["EE", "KU", "Cert", "CV", "Fin"] },
];

for (const c of ORDER_CASES) {
  test(`refused: out of order: ${c.name} -> TLS_UNEXPECTED_MESSAGE, alert 10 (encrypted)`, { timeout: 60000 }, async () => {
    const { r, out } = await scripted({ flight: c.flight });
    assert.equal(r.error, "TLS_UNEXPECTED_MESSAGE", r.message);
    assert.equal(r.connected, false);
    assert.equal(out.finished, false, "the client sent Finished");
    assert.deepEqual(out.alerts, [{ level: 2, desc: 10, encrypted: true }]);
  });
}

test("refused: a second ServerHello in plaintext after the handshake keys -> alert 10 (encrypted)", { timeout: 60000 }, async () => {
  const { r, out } = await scripted({
    beforeFlight: () => plainRecord(22, handshake(2, Buffer.alloc(38))),
  });
  assert.equal(r.error, "TLS_UNPROTECTED_RECORD", r.message);
  assert.equal(r.connected, false);
  assert.deepEqual(out.alerts, [{ level: 2, desc: 10, encrypted: true }]);
});

test("refused: Finished that does not verify -> TLS_BAD_FINISHED, alert 51 (decrypt_error)", { timeout: 60000 }, async () => {
  const { r, out } = await scripted({
    flight: ["EE", "Cert", "CV", (ctx) => seal(ctx.keys.sHs, 22, handshake(20, Buffer.alloc(32, 7)))],
  });
  assert.equal(r.error, "TLS_BAD_FINISHED", r.message);
  assert.equal(r.connected, false);
  assert.deepEqual(out.alerts, [{ level: 2, desc: 51, encrypted: true }]);
});

test("refused: CertificateVerify over the wrong transcript -> TLS_BAD_CERTIFICATE_VERIFY, alert 51", { timeout: 60000 }, async () => {
  const { r, out } = await scripted({ flight: ["EE", "Cert", "CV-wrong", "Fin"] });
  assert.equal(r.error, "TLS_BAD_CERTIFICATE_VERIFY", r.message);
  assert.equal(r.connected, false);
  assert.deepEqual(out.alerts, [{ level: 2, desc: 51, encrypted: true }]);
});

test("refused: a protected record with 2^14 + 1 bytes of plaintext -> TLS_RECORD_OVERFLOW, alert 22", { timeout: 60000 }, async () => {
  const srv = await scriptedServer({ chain: good, afterFinished: (ctx) => ctx.send(23, Buffer.alloc(16385, 0x41)) });
  toClose.push(srv);
  const r = await connect(srv.port, { send: "hi" });
  const out = await srv.result;
  assert.equal(r.connected, true);
  assert.equal(r.error, "TLS_RECORD_OVERFLOW", r.message);
  assert.equal(r.data, "");
  assert.deepEqual(out.alerts, [{ level: 2, desc: 22, encrypted: true }]);
});
