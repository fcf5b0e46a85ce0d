// A TLS 1.3 server that sends records and messages carrying nothing, over and over: empty
// records, warning alerts and KeyUpdates are bounded (runs of 32, 4 and 32, as BoringSSL), a
// user_canceled warning is ignored (RFC 8446 §6.1: it "SHOULD be followed by a close_notify"),
// several KeyUpdate requests get one answer (§4.6.3). Also found by BoringSSL's runner (BoGo):
// the leaf's keyUsage must allow the CertificateVerify signature, certificate_authorities in a
// CertificateRequest is checked for form (§4.2.4), an empty HelloRetryRequest cookie is
// malformed (§4.2.2), nothing may follow a HelloRetryRequest in its record (the server must wait
// for the second ClientHello), and a HelloRetryRequest may ask for P-384.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { talk, assertRefused, chain } from "../helpers/tls13-peer.mjs";
import { extension, handshake, u16, u8, vec } from "../helpers/tls13-script.mjs";

const T = { timeout: 60000 };
const LATE = Buffer.from("data after the error");
const EMPTY = Buffer.alloc(0);
const USER_CANCELED = Buffer.from([1, 90]);

function repeat(n, f) { for (let i = 0; i < n; i++) f(i); }

/** The client connected, then failed with `code`, sent exactly `alert` encrypted, and no data
 *  reached the app. */
function assertFailedAfterConnect({ r, out }, code, alert) {
  assert.equal(r.connected, true, r.message);
  assert.equal(r.error, code, r.message);
  assert.equal(r.data, "", "data reached the app");
  assert.deepEqual(out.alerts, [{ level: 2, desc: alert, encrypted: true }], "the alerts the client sent");
}

/** Connected, got `data`, no error. */
function assertWorked({ r }, data) {
  assert.deepEqual(r.errors, [], r.message);
  assert.equal(r.connected, true);
  assert.equal(r.data, data);
}

// ---- empty records ---------------------------------------------------------------------------------

test("32 empty application data records in a row, then data: works", T, async () => {
  assertWorked(await talk({ afterFinished: (ctx) => { repeat(32, () => ctx.send(23, EMPTY)); ctx.send(23, Buffer.from("after")); } }, { end: 1500 }), "after");
});

test("runs of 32 empty records separated by data: works (data ends a run)", T, async () => {
  assertWorked(await talk({
    afterFinished: (ctx) => { repeat(32, () => ctx.send(23, EMPTY)); ctx.send(23, Buffer.from("a")); repeat(32, () => ctx.send(23, EMPTY)); ctx.send(23, Buffer.from("b")); },
  }, { end: 1500 }), "ab");
});

test("33 empty records in a row -> TLS_TOO_MANY_EMPTY_RECORDS, unexpected_message (10)", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { repeat(33, () => ctx.send(23, EMPTY)); ctx.send(23, LATE); } }, { end: 1500 }),
    "TLS_TOO_MANY_EMPTY_RECORDS", 10);
});

// ---- warning alerts ------------------------------------------------------------------------------------

test("user_canceled warnings (4) are ignored: data after them arrives, the close_notify after them ends the connection", T, async () => {
  const { r, out } = await talk({
    afterFinished: (ctx) => { repeat(4, () => ctx.send(21, USER_CANCELED)); ctx.send(23, Buffer.from("after")); ctx.send(21, Buffer.from([1, 0])); },
  }, { end: 1500 });
  assertWorked({ r }, "after");
  assert.equal(r.ended, true);
  assert.deepEqual(out.alerts, [{ level: 1, desc: 0, encrypted: true }], "only our close_notify");
});

test("5 warning alerts in a row (user_canceled) -> TLS_TOO_MANY_WARNING_ALERTS, unexpected_message (10)", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { repeat(5, () => ctx.send(21, USER_CANCELED)); ctx.send(23, LATE); } }, { end: 1500 }),
    "TLS_TOO_MANY_WARNING_ALERTS", 10);
});

test("empty records and warnings alternating count as separate runs until data: 32 + 4 work", T, async () => {
  assertWorked(await talk({
    afterFinished: (ctx) => { repeat(32, (i) => { ctx.send(23, EMPTY); if (i < 4) ctx.send(21, USER_CANCELED); }); ctx.send(23, Buffer.from("ok")); },
  }, { end: 1500 }), "ok");
});

test("a fatal user_canceled and a warning-level handshake_failure are errors in TLS 1.3 (§6.2): TLS_ALERT_RECEIVED, nothing sent back", T, async () => {
  for (const alert of [[2, 90], [1, 40]]) {
    const { r, out } = await talk({ afterFinished: (ctx) => { ctx.send(21, Buffer.from(alert)); ctx.send(23, LATE); } }, { end: 1500 });
    assert.equal(r.error, "TLS_ALERT_RECEIVED", r.message);
    assert.equal(r.data, "");
    assert.deepEqual(out.alerts, []);
  }
});

// ---- KeyUpdate -------------------------------------------------------------------------------------------

test("32 KeyUpdates without data, then data: works", T, async () => {
  assertWorked(await talk({ afterFinished: (ctx) => { repeat(32, () => ctx.keyUpdate(false)); ctx.send(23, Buffer.from("after")); } }, { end: 1500 }), "after");
});

test("33 KeyUpdates without application data between them -> TLS_TOO_MANY_KEY_UPDATES, unexpected_message (10)", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { repeat(33, () => ctx.keyUpdate(false)); ctx.send(23, LATE); } }, { end: 1500 }),
    "TLS_TOO_MANY_KEY_UPDATES", 10);
});

test("5 KeyUpdate requests while the client is silent get one answer (§4.6.3); the next request after its data gets another", T, async () => {
  const { r, out } = await talk({
    afterFinished: (ctx) => {
      repeat(5, () => ctx.keyUpdate(true));
      ctx.send(23, Buffer.from("one"));
      setTimeout(() => { ctx.keyUpdate(true); ctx.send(23, Buffer.from("two")); }, 400);
    },
  }, { echo: true, end: 1500 });
  assertWorked({ r }, "onetwo");
  assert.deepEqual(out.keyUpdates, [0, 0], "one KeyUpdate per silent run of requests");
  assert.deepEqual(out.appData.map(String), ["echo:one", "echo:two"]);
});

// ---- certificate keyUsage ------------------------------------------------------------------------------

test("a leaf whose keyUsage lacks digitalSignature (keyEncipherment only) -> TLS_BAD_KEY_USAGE, bad_certificate (42)", T, async () => {
  const pki = new Pki();
  const leaf = pki.cert("leaf-ku", { issuer: chain.inter, cn: "localhost", san: ["DNS:localhost"], keyUsage: "keyEncipherment" });
  assertRefused(await talk({ chain: { ...chain, leaf } }), "TLS_BAD_KEY_USAGE", 42, true);
});

// ---- CertificateRequest certificate_authorities -------------------------------------------------------------

const SIGALGS = extension(13, vec(2, u16(0x0403)));
/** A CertificateRequest (empty context) with `exts`, in the transcript and sealed. */
const certRequest = (exts) => (ctx) => ctx.hs(handshake(13, Buffer.concat([u8(0), vec(2, Buffer.concat([SIGALGS, ...exts]))])));
const NAME = Buffer.from("300f310d300b06035504030c0474657374", "hex"); // SEQUENCE { CN=test }

test("certificate_authorities with one name: the client answers with an empty Certificate and connects", T, async () => {
  const { r } = await talk({ flight: ["EE", certRequest([extension(47, vec(2, vec(2, NAME)))]), "Cert", "CV", "Fin"] });
  assert.deepEqual(r.errors, [], r.message);
  assert.equal(r.connected, true);
});

for (const [what, body] of [
  ["an empty list", vec(2, EMPTY)],
  ["an empty name", vec(2, vec(2, EMPTY))],
  ["trailing bytes after the list", Buffer.concat([vec(2, vec(2, NAME)), u8(0)])],
]) {
  test(`certificate_authorities with ${what} -> TLS_DECODE, decode_error (50)`, T, async () => {
    assertRefused(await talk({ flight: ["EE", certRequest([extension(47, body)]), "Cert", "CV", "Fin"] }), "TLS_DECODE", 50, true);
  });
}

test("a CertificateRequest with a non-empty certificate_request_context in the handshake -> TLS_DECODE, decode_error (50)", T, async () => {
  const withContext = (ctx) => ctx.hs(handshake(13, Buffer.concat([vec(1, Buffer.from([7])), vec(2, SIGALGS)])));
  assertRefused(await talk({ flight: ["EE", withContext, "Cert", "CV", "Fin"] }), "TLS_DECODE", 50, true);
});

// ---- HelloRetryRequest ----------------------------------------------------------------------------------------

test("HelloRetryRequest with an empty cookie -> TLS_DECODE, decode_error (50), no second ClientHello", T, async () => {
  const res = await talk({ hrr: [{ cookie: EMPTY }] });
  assertRefused(res, "TLS_DECODE", 50, false);
  assert.equal(res.out.clientHellos.length, 1);
});

test("the start of a ServerHello after the HelloRetryRequest in its record -> TLS_UNEXPECTED_MESSAGE, 10, no second ClientHello", T, async () => {
  const res = await talk({ hrr: [{ group: 0x17, recordExtra: handshake(2, Buffer.alloc(60)).subarray(0, 10) }] });
  assertRefused(res, "TLS_UNEXPECTED_MESSAGE", 10, false);
  assert.equal(res.out.clientHellos.length, 1);
});

test("HelloRetryRequest for P-384: offered in supported_groups (after X25519 and P-256), the second ClientHello carries a P-384 share, connects", { timeout: 180000 }, async () => {
  // P-384 key generation and exchange in the mock: slow on a loaded machine, so longer limits.
  const { r, out } = await talk({ hrr: [{ group: 0x18 }] }, { opts: { timeout: 90000 }, timeoutMs: 120000 });
  assert.deepEqual(r.errors, [], r.message);
  assert.equal(r.connected, true);
  assert.equal(r.group, 0x18);
  assert.equal(out.clientHellos[0].ext[10].toString("hex"), "0006001d00170018");
  assert.deepEqual(Object.keys(out.clientHellos[1].shares), ["24"]);
  assert.equal(out.clientHellos[1].shares[0x18].length, 97);
});
