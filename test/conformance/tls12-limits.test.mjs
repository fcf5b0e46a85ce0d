// A TLS 1.2 server (test/helpers/tls12-script.mjs) doing what BoringSSL's runner (BoGo) found the
// client handled wrongly: warning alerts are ignored in TLS 1.2, before the ServerHello too
// (unrecognized_name, RFC 6066 §3), but at most 4 in a row; a session id over 32 bytes is
// malformed (RFC 5246 §7.4.1.3); nothing may follow ServerHelloDone in its record (the server
// has to wait for our flight); certificate_authorities names are DistinguishedName<1..2^16-1>;
// a resumed connection reports the group of the handshake that made its keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { plainRecord, handshake, reply } from "../helpers/tls12-script.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";
import { conformance, refused, completed } from "../helpers/tls12-conformance.mjs";

const T = { timeout: 60000 };
const { chain, server, once } = conformance("tls12 limits");
const UNRECOGNIZED_NAME = Buffer.from([1, 112]);

test("a warning unrecognized_name before the ServerHello is ignored: connects", T, async () => {
  completed(await once({ flight1: [() => plainRecord(21, UNRECOGNIZED_NAME), "SH", "Cert", "SKE", "SHD"] }));
});

test("4 warning alerts in a row before the reply are ignored; 5 -> TLS_TOO_MANY_WARNING_ALERTS, unexpected_message (10)", T, async () => {
  const warn = (n) => (ctx) => { for (let i = 0; i < n; i++) ctx.send(21, UNRECOGNIZED_NAME); reply(ctx); };
  completed(await once({ onAppData: warn(4) }));
  const five = await once({ onAppData: warn(5) });
  assert.equal(five.r.error, "TLS_TOO_MANY_WARNING_ALERTS", five.r.message);
  assert.equal(five.r.data, "");
  assert.deepEqual(five.out.alerts, [{ level: 2, desc: 10, encrypted: true }]);
});

test("a ServerHello session id of 33 bytes -> TLS_DECODE, decode_error (50)", T, async () => {
  refused(await once({ hello: (sh) => { sh.sessionId = Buffer.alloc(33, 7); } }), "TLS_DECODE", 50, false);
});

test("the start of another message after ServerHelloDone in its record -> TLS_UNEXPECTED_MESSAGE, unexpected_message (10)", T, async () => {
  const partialTicket = handshake(4, Buffer.alloc(40)).subarray(0, 6);
  refused(await once({ frame1: (bytes) => plainRecord(22, Buffer.concat([bytes, partialTicket])) }), "TLS_UNEXPECTED_MESSAGE", 10, false);
});

test("certificate_authorities with an empty name in a CertificateRequest -> TLS_DECODE, decode_error (50)", T, async () => {
  // certificate_types [ecdsa_sign], signature_algorithms [ecdsa_secp256r1_sha256], authorities [""]
  const cr = handshake(13, Buffer.from([1, 64, 0, 2, 4, 3, 0, 2, 0, 0]));
  refused(await once({ flight1: ["SH", "Cert", "SKE", () => ({ hs: cr }), "SHD"] }), "TLS_DECODE", 50, false);
});

test("a resumed connection reports the group of the full handshake (X25519), not 0", T, async () => {
  const s = await server({});
  const r = await runPlan([{}, {}], { port: s.port, ca: chain.root.pem });
  for (const c of r.results) assert.equal(c.err, null, c.msg);
  assert.deepEqual(r.results.map((c) => c.resumed), [false, true]);
  assert.deepEqual(r.results.map((c) => c.group), [0x1d, 0x1d]);
});
