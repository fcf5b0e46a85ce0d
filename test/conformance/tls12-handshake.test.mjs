// A TLS 1.2 server that lies (test/helpers/tls12-script.mjs) about the handshake: a server
// Finished that does not verify, an empty Certificate, a resumption the client never offered,
// a resumed session with another suite or without extended_master_secret. Each must end as
// RFC 5246 / 7627 say, with a coded error, the alert the server then receives, no "connect" and
// no data delivered. The control cases show the same server completes full and resumed handshakes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { plainRecord, handshake } from "../helpers/tls12-script.mjs";
import { conformance, refused } from "../helpers/tls12-conformance.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";

const { chain, server, once } = conformance("tls12 conformance");

test("control: full handshake, then resumed by ticket", { timeout: 60000 }, async () => {
  const s = await server({});
  const r = await runPlan([{}, {}], { port: s.port, ca: chain.root.pem });
  for (const c of r.results) { assert.equal(c.err, null, c.msg); assert.match(c.body, /200 OK\r\nContent-Length: 2\r\n\r\nok$/); }
  assert.deepEqual(r.results.map((c) => c.resumed), [false, true]);
  const [a, b] = [await s.next(), await s.next()];
  assert.equal(a.finished && b.finished, true);
  assert.equal(b.resumed, true);
  assert.deepEqual(a.alerts, [{ level: 1, desc: 0, encrypted: true }], "close_notify, encrypted");
});

test("control: a server that sends no ticket resumes by session id", { timeout: 60000 }, async () => {
  const s = await server({ hello: (sh) => { sh.exts = sh.exts.filter(([t]) => t !== 35); }, flight2: ["CCS", "Fin"] });
  const r = await runPlan([{}, {}], { port: s.port, ca: chain.root.pem });
  for (const c of r.results) assert.equal(c.err, null, c.msg);
  assert.deepEqual(r.results.map((c) => c.resumed), [false, true]);
});

test("a server Finished that does not verify (full handshake) -> TLS_BAD_FINISHED, decrypt_error (51), encrypted", { timeout: 60000 }, async () => {
  const x = await once({ flight2: ["NST", "CCS", "Fin-wrong"] });
  assert.equal(x.out.finished, true, "the client's own Finished was sent and verified");
  refused(x, "TLS_BAD_FINISHED", 51, true);
});

test("a resumed handshake whose server Finished does not verify -> TLS_BAD_FINISHED (51), no session kept", { timeout: 60000 }, async () => {
  const s = await server({ resumeFlight: ["SH", "NST", "CCS", "Fin-wrong"] });
  const r = await runPlan([{}, {}, {}], { port: s.port, ca: chain.root.pem });
  const [a, b, c] = r.results;
  assert.equal(a.err, null, a.msg);
  assert.equal(b.err, "TLS_BAD_FINISHED", b.msg);
  assert.equal(b.alert, 51);
  assert.equal(b.version, 0);
  assert.equal(b.body, "");
  // The session that led to the failure is not offered again: a full handshake.
  assert.equal(c.err, null, c.msg);
  assert.equal(c.resumed, false);
  const outs = [await s.next(), await s.next()];
  assert.deepEqual(outs[1].alerts, [{ level: 2, desc: 51, encrypted: false }], "before the client's CCS the alert is plaintext");
});

test("an empty Certificate message -> TLS_NO_CERTIFICATE, decode_error (50)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", "Cert-empty", "SKE", "SHD"] }), "TLS_NO_CERTIFICATE", 50, false);
});

test("no Certificate at all (ServerKeyExchange first) -> TLS_UNEXPECTED_MESSAGE (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", "SKE", "SHD"] }), "TLS_UNEXPECTED_MESSAGE", 10, false);
});

test("a server that echoes the session id the client did not offer a session for -> TLS_BAD_SESSION_ID (47)", { timeout: 60000 }, async () => {
  // The client sent 32 random bytes (TLS 1.3 compatibility) and no session: echoing them claims
  // a resumption, which would skip the certificate.
  const x = await once({ hello: (sh, ctx) => { sh.sessionId = ctx.clientHello.sid; }, flight1: ["SH", "NST", "CCS", "Fin"] });
  assert.equal(x.out.clientHello.sid.length, 32);
  refused(x, "TLS_BAD_SESSION_ID", 47, false);
});

test("a server that skips to ChangeCipherSpec without echoing the session id (abbreviated handshake not offered) -> TLS_UNEXPECTED_CCS (10)", { timeout: 60000 }, async () => {
  refused(await once({ flight1: ["SH", "CCS", "Fin"] }), "TLS_UNEXPECTED_CCS", 10, false);
});

test("a ticket accepted that was never offered: resumption claimed on a fresh board -> TLS_BAD_SESSION_ID (47)", { timeout: 60000 }, async () => {
  // The server "accepts" a ticket (echoes the session id, sends NewSessionTicket, CCS, Finished)
  // while the client offered an empty session_ticket extension.
  const x = await once({ hello: (sh, ctx) => { sh.sessionId = ctx.clientHello.sid; }, flight1: ["SH", "CCS", "Fin"] });
  assert.equal(x.out.clientHello.ext[35].length, 0, "the client offered no ticket");
  refused(x, "TLS_BAD_SESSION_ID", 47, false);
});

test("a session resumed with another cipher suite than it had -> TLS_BAD_SUITE (47)", { timeout: 60000 }, async () => {
  const s = await server({ resumeHello: (sh) => { sh.suite = 0xc02f; } });
  const r = await runPlan([{}, {}], { port: s.port, ca: chain.root.pem });
  assert.equal(r.results[0].err, null);
  assert.equal(r.results[1].err, "TLS_BAD_SUITE", r.results[1].msg);
  assert.equal(r.results[1].alert, 47);
  assert.equal(r.results[1].version, 0);
  await s.next();
  assert.deepEqual((await s.next()).alerts, [{ level: 2, desc: 47, encrypted: false }]);
});

test("RFC 7627 §5.3: resuming a session that had extended_master_secret without it -> handshake_failure (40)", { timeout: 60000 }, async () => {
  const s = await server({ resumeHello: (sh) => { sh.exts = sh.exts.filter(([t]) => t !== 23); } });
  const r = await runPlan([{}, {}, {}], { port: s.port, ca: chain.root.pem });
  const [a, b, c] = r.results;
  assert.equal(a.err, null, a.msg);
  assert.equal(b.err, "TLS_NO_EXTENDED_MASTER_SECRET", b.msg);
  assert.equal(b.alert, 40);
  assert.equal(b.version, 0);
  assert.ok(b.steps.includes("resume_offered_12"), b.steps.join(","));
  // The session is dropped: the third connection does a full handshake (with EMS) and works.
  assert.equal(c.err, null, c.msg);
  assert.equal(c.resumed, false);
  const outs = [await s.next(), await s.next(), await s.next()];
  assert.deepEqual(outs[1].alerts, [{ level: 2, desc: 40, encrypted: false }]);
  assert.equal(outs[2].resumed, false);
});

void plainRecord; void handshake;
