// What the TLS 1.2 client must refuse, each with its error code and the alert it sends: a server
// without extended_master_secret or secure renegotiation, the downgrade sentinel, a bad
// ServerKeyExchange, and ServerHellos that break the rules. The servers are Node's TLS (and
// GnuTLS when installed); a record-rewriting proxy makes the hostile variants.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps12, gnutlsServer, have } from "../helpers/tls12-servers.mjs";
import { recordProxy, eachHandshake, editServerHelloExt } from "../helpers/tls12-proxy.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";

const ec = new Pki().chain();

/** One connection through a proxy that rewrites ServerHello (2) / ServerKeyExchange (12) bodies. */
async function hostile(edit, tls = {}) {
  const s = await nodeHttps12(ec, { tls });
  const p = await recordProxy(s.port, (type, body) => (type === 22 ? eachHandshake(body, edit) : body));
  try {
    return (await runPlan([{}], { port: p.port, ca: ec.root.pem })).results[0];
  } finally { await p.close(); await s.close(); }
}

function refused(c, code, alert) {
  assert.equal(c.err, code, `${c.err}: ${c.msg}`);
  assert.equal(c.alert, alert);
  assert.equal(c.received, false, "the board sent the alert");
  assert.equal(c.version, 0, "never connected");
}

test("a server without extended_master_secret is refused (handshake_failure)", async () => {
  const s = await nodeHttps12(ec, { tls: { secureOptions: 1 /* SSL_OP_NO_EXTENDED_MASTER_SECRET */ } });
  try {
    const r = await runPlan([{}], { port: s.port, ca: ec.root.pem });
    refused(r.results[0], "TLS_NO_EXTENDED_MASTER_SECRET", 40);
  } finally { await s.close(); }
});

test("extended_master_secret stripped from the ServerHello is refused", async () => {
  const c = await hostile((t, b) => (t === 2 ? editServerHelloExt(b, 23) : b));
  refused(c, "TLS_NO_EXTENDED_MASTER_SECRET", 40);
});

test("no renegotiation_info in the ServerHello (RFC 5746) is refused", async () => {
  const c = await hostile((t, b) => (t === 2 ? editServerHelloExt(b, 0xff01) : b));
  refused(c, "TLS_NO_SECURE_RENEGOTIATION", 40);
});

test("a non-empty renegotiation_info on the first handshake is refused", async () => {
  const c = await hostile((t, b) => (t === 2 ? editServerHelloExt(b, 0xff01, Buffer.from([12, ...Buffer.alloc(12, 1)])) : b));
  refused(c, "TLS_BAD_RENEGOTIATION_INFO", 40);
});

test("downgrade sentinel: a TLS 1.2 ServerHello whose random ends DOWNGRD\\x01 (we offered 1.3)", async () => {
  const c = await hostile((t, b) => { if (t === 2) Buffer.from("444f574e47524401", "hex").copy(b, 2 + 24); return b; });
  refused(c, "TLS_DOWNGRADE", 47);
});

test("a ServerKeyExchange whose signature does not verify (decrypt_error)", async () => {
  const c = await hostile((t, b) => { if (t === 12) b[b.length - 1] ^= 1; return b; });
  refused(c, "TLS_BAD_SERVER_KEY_EXCHANGE", 51);
});

test("a ServerKeyExchange with a group that was not offered (secp521r1)", async () => {
  const c = await hostile((t, b) => { if (t === 12) b.writeUInt16BE(0x0019, 1); return b; });
  refused(c, "TLS_BAD_GROUP", 47);
});

test("a ServerHello extension that was not offered (unsupported_extension)", async () => {
  const c = await hostile((t, b) => (t === 2 ? editServerHelloExt(b, 5, Buffer.alloc(0)) : b));
  refused(c, "TLS_UNSUPPORTED_EXTENSION", 110);
});

test("supported_versions in a TLS 1.2 ServerHello", async () => {
  const c = await hostile((t, b) => (t === 2 ? editServerHelloExt(b, 43, Buffer.from([3, 3])) : b));
  refused(c, "TLS_VERSION", 47);
});

test("a cipher suite that was not offered (CBC)", async () => {
  const c = await hostile((t, b) => { if (t === 2) b.writeUInt16BE(0xc023, 2 + 32 + 1 + b[34]); return b; });
  refused(c, "TLS_BAD_SUITE", 47);
});

test("a certificate key that does not fit the suite (ECDSA certificate, ECDHE_RSA suite)", async () => {
  const c = await hostile((t, b) => { if (t === 2) b.writeUInt16BE(0xc02f, 2 + 32 + 1 + b[34]); return b; });
  refused(c, "TLS_BAD_CERTIFICATE_KEY", 43);
});

test("GnuTLS without the session hash (EMS) or safe renegotiation is refused", { skip: !have("gnutls-serv") && "gnutls-serv not installed" }, async () => {
  for (const [prio, code] of [["%NO_SESSION_HASH", "TLS_NO_EXTENDED_MASTER_SECRET"], ["%DISABLE_SAFE_RENEGOTIATION", "TLS_NO_SECURE_RENEGOTIATION"]]) {
    const s = await gnutlsServer(ec, `NORMAL:-VERS-ALL:+VERS-TLS1.2:${prio}`);
    try {
      const r = await runPlan([{}], { port: s.port, ca: ec.root.pem });
      refused(r.results[0], code, 40);
    } finally { await s.close(); }
  }
});
