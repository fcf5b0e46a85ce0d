// The certificate and record refusals of test/tls/refusals.test.mjs, against TLS 1.2 servers:
// the same bent chains served by Node's TLS with maxVersion TLSv1.2, and a man in the middle that
// flips a byte in a protected record or makes the server's Finished cover another transcript.
// Each case asserts the error code, the alert the server received from the board (OpenSSL's
// "SSL alert number N"), that "connect" never fired and that no data reached the app.
// Before the client's ChangeCipherSpec its alerts are plaintext, after it they are encrypted:
// Node's server reads both.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { observedTlsServer, mitmProxy } from "../helpers/tls-observe.mjs";
import { inter, good, root, CERT_CASES, connect, until } from "../helpers/refusal-cases.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";
import { gnutlsServer, have } from "../helpers/tls12-servers.mjs";

const TLS12 = { minVersion: "TLSv1.2", maxVersion: "TLSv1.2" };
const toClose = [];
after(async () => { for (const c of toClose) await c.close(); });

for (const c of CERT_CASES) {
  test(`TLS 1.2 refused: ${c.name} -> ${c.code}, alert ${c.alert}`, { timeout: 60000 }, async () => {
    const srv = await observedTlsServer({ leaf: c.leaf, inter }, { certPem: c.certPem, tls: { ...TLS12, ...c.tls } });
    toClose.push(srv);
    const r = await connect(srv.port, { servername: c.servername, send: "must not be sent" });
    await until(() => srv.alerts.length > 0);
    assert.equal(r.error, c.code, r.message);
    assert.equal(r.connected, false, "the app saw a connection");
    assert.equal(r.data, "");
    assert.deepEqual(srv.alerts, [c.alert], `alerts the server received (errors: ${srv.state.errors.join(" | ")})`);
    assert.equal(srv.state.handshakes, 0, "the server completed a handshake");
  });
}

test("TLS 1.2 control: the good chain connects and echoes (so the refusals are not artefacts)", { timeout: 60000 }, async () => {
  const srv = await observedTlsServer(good, { tls: TLS12 });
  toClose.push(srv);
  const r = await connect(srv.port, { send: "ping" });
  assert.equal(r.errors.length, 0, r.message);
  assert.equal(r.connected, true);
  assert.equal(r.data, "ping");
  assert.equal(srv.state.handshakes, 1);
});

test("TLS 1.2 refused by GnuTLS too: servername wrong.example -> NAME_MISMATCH", { skip: !have("gnutls-serv") && "gnutls-serv not installed", timeout: 60000 }, async () => {
  const s = await gnutlsServer(good, "NORMAL:-VERS-ALL:+VERS-TLS1.2");
  toClose.push(s);
  const r = await runPlan([{ opts: { servername: "wrong.example" } }, {}], { port: s.port, ca: root.pem });
  const [bad, ok] = r.results;
  assert.equal(bad.err, "NAME_MISMATCH", bad.msg);
  assert.equal(bad.version, 0, "never connected");
  assert.equal(bad.body, "");
  assert.equal(ok.err, null, ok.msg);
  assert.equal(ok.version, 0x0303);
});

// ---- records: a man in the middle -----------------------------------------------------------

/** A TLS 1.2 echo server behind a proxy that hands each server record to onRecord. */
async function proxied(onRecord, serverOpts = {}) {
  const srv = await observedTlsServer(good, { ...serverOpts, tls: { ...TLS12, ...serverOpts.tls } });
  const px = await mitmProxy(srv.port, onRecord);
  toClose.push(px, srv);
  return { srv, px };
}

test("TLS 1.2 refused: one bit flipped in the server's encrypted Finished -> TLS_BAD_RECORD_MAC, alert 20", { timeout: 60000 }, async () => {
  let flipped = false;
  const { srv, px } = await proxied((rec, i, ctx) => {
    // The first record after the server's ChangeCipherSpec is its Finished, protected.
    if (ctx.ccs && !ctx.done) { ctx.done = true; rec[rec.length - 5] ^= 0x10; flipped = true; }
    if (rec[0] === 20) ctx.ccs = true;
    return rec;
  });
  const r = await connect(px.port, { send: "must not be sent" });
  await until(() => srv.alerts.length > 0);
  assert.ok(flipped, "the proxy saw no protected record");
  assert.equal(r.error, "TLS_BAD_RECORD_MAC", r.message);
  assert.equal(r.connected, false);
  assert.equal(r.data, "");
  assert.deepEqual(srv.alerts, [20]);
});

test("TLS 1.2 refused: one bit flipped in application data -> TLS_BAD_RECORD_MAC, alert 20, data not delivered", { timeout: 60000 }, async () => {
  const PAYLOAD = "x".repeat(100);
  let flipped = false;
  const { srv, px } = await proxied((rec) => {
    // The echo of PAYLOAD: one record of 100 bytes + tag (+ the explicit nonce with AES-GCM).
    if (rec[0] === 23 && (rec.length === 5 + 8 + 100 + 16 || rec.length === 5 + 100 + 16)) { rec[rec.length - 30] ^= 0x01; flipped = true; }
    return rec;
  });
  const r = await connect(px.port, { send: PAYLOAD });
  await until(() => srv.alerts.length > 0);
  assert.ok(flipped, "the proxy did not see the echo");
  assert.equal(r.connected, true);
  assert.equal(r.error, "TLS_BAD_RECORD_MAC", r.message);
  assert.equal(r.data, "", "tampered data reached the app");
  assert.deepEqual(srv.alerts, [20]);
});

test("TLS 1.2 refused: the explicit nonce of a record changed -> TLS_BAD_RECORD_MAC (the nonce is authenticated)", { timeout: 60000 }, async () => {
  const PAYLOAD = "y".repeat(100);
  let changed = false;
  const { srv, px } = await proxied((rec) => {
    if (rec[0] === 23 && rec.length === 5 + 8 + 100 + 16) { rec[5 + 7] ^= 0x01; changed = true; }
    return rec;
  }, { tls: { ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256" } });
  const r = await connect(px.port, { send: PAYLOAD });
  await until(() => srv.alerts.length > 0);
  assert.ok(changed, "the proxy did not see the echo");
  assert.equal(r.error, "TLS_BAD_RECORD_MAC", r.message);
  assert.equal(r.data, "");
  assert.deepEqual(srv.alerts, [20]);
});

test("TLS 1.2 refused: a record replayed (sequence numbers are authenticated) -> TLS_BAD_RECORD_MAC", { timeout: 60000 }, async () => {
  let replayed = false;
  const { srv, px } = await proxied((rec) => {
    if (rec[0] === 23 && !replayed) { replayed = true; return [rec, Buffer.from(rec)]; }
    return rec;
  });
  const r = await connect(px.port, { send: "once" });
  await until(() => srv.alerts.length > 0);
  assert.ok(replayed);
  assert.equal(r.error, "TLS_BAD_RECORD_MAC", r.message);
  assert.equal(r.data, "once", "the first copy is delivered, the replay is not");
  assert.deepEqual(srv.alerts, [20]);
});

/** ServerHello record with its extensions in reverse order: same meaning, another transcript. */
function reorderServerHelloExtensions(rec) {
  const body = rec.subarray(9);
  let p = 2 + 32;
  p += 1 + body[p];
  p += 3;
  const end = p + 2 + body.readUInt16BE(p);
  const exts = [];
  for (let q = p + 2; q < end;) { const n = body.readUInt16BE(q + 2); exts.push(body.subarray(q, q + 4 + n)); q += 4 + n; }
  assert.ok(exts.length >= 2, "ServerHello with fewer than two extensions");
  const out = Buffer.concat([rec.subarray(0, 9 + p + 2), ...exts.reverse(), rec.subarray(9 + end)]);
  assert.notDeepEqual(out, rec);
  return out;
}

test("TLS 1.2 refused: a resumed handshake whose server Finished covers another transcript -> TLS_BAD_FINISHED, alert 51", { timeout: 60000 }, async () => {
  // The abbreviated handshake: the server's Finished comes first. The proxy reorders the
  // ServerHello's extensions on the second connection: the keys are the same (same randoms and
  // master secret), so the Finished decrypts, but it was computed over the server's transcript.
  let hellos = 0;
  const srv = await observedTlsServer(good, { tls: TLS12, https: true, handler: (req, res) => res.end("secret") });
  const px = await mitmProxy(srv.port, (rec) => (rec[0] === 22 && rec[5] === 2 && ++hellos === 2 ? reorderServerHelloExtensions(rec) : rec));
  toClose.push(px, srv);
  const r = await runPlan([{}, {}], { port: px.port, ca: root.pem });
  await until(() => srv.alerts.length > 0);
  const [first, second] = r.results;
  assert.equal(first.err, null, first.msg);
  assert.match(first.body, /secret/);
  assert.equal(hellos, 2);
  assert.ok(second.steps.includes("resumed"), second.steps.join(","));
  assert.equal(second.err, "TLS_BAD_FINISHED", second.msg);
  assert.equal(second.alert, 51);
  assert.equal(second.version, 0, "never connected");
  assert.equal(second.body, "");
  assert.deepEqual(srv.alerts, [51]);
});
