// TLS 1.2 checks the leaf's keyUsage against the key exchange (RFC 5246 §7.4.2; RFC 5280
// §4.2.1.3): when the extension is present, ECDHE (the key signs the ServerKeyExchange) needs
// digitalSignature and RSA key transport (the key encrypts the premaster secret) needs
// keyEncipherment. Refused with TLS_BAD_KEY_USAGE and bad_certificate (42), the alert sent for
// the other usage restriction (EKU_MISMATCH). Node's TLS 1.2 server serves such leaves without
// complaint. The verified-chain cache keeps the leaf's keyUsage, so a chain verified for one suite
// is still checked when a later connection negotiates another.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { observedTlsServer } from "../helpers/tls-observe.mjs";
import { switchProxy } from "../helpers/tls12-proxy.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";
import { scriptedServer12 } from "../helpers/tls12-script.mjs";
import { connectApp } from "../helpers/tls-connect-app.mjs";

const pki = new Pki();
const root = pki.cert("root", { ca: true, cn: "keyUsage root", days: 3650 });
const inter = pki.cert("inter", { ca: true, cn: "keyUsage intermediate", issuer: root, days: 365 });
const LOCAL = ["DNS:localhost", "IP:127.0.0.1"];
const leaf = (name, key, keyUsage) => pki.cert(name, { issuer: inter, cn: "localhost", san: LOCAL, key, keyUsage });
const rsaSignOnly = leaf("rsa-sign", "rsa", "digitalSignature");
const rsaEncryptOnly = leaf("rsa-enc", "rsa", "keyEncipherment");
const ecAgreeOnly = leaf("ec-agree", "ec", "keyAgreement");

const ECDHE_RSA = { minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256" };
const RSA_KX = { minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256" };
const OFFER_RSA = { rsaKeyExchange: true, session: false };

const toClose = [];
after(async () => { for (const c of toClose) await c.close(); });

async function server(l, tls) {
  const s = await observedTlsServer({ leaf: l, inter }, { tls, https: true, handler: (req, res) => res.end("secret") });
  toClose.push(s);
  return s;
}

async function until(cond, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

function ok(c) {
  assert.equal(c.err, null, `${c.err}: ${c.msg}`);
  assert.match(c.body, /secret$/);
}

function refused(c, srv) {
  assert.equal(c.err, "TLS_BAD_KEY_USAGE", c.msg);
  assert.equal(c.alert, 42);
  assert.equal(c.version, 0, "never connected");
  assert.equal(c.body, "");
  assert.deepEqual(srv.alerts, [42]);
}

for (const [what, l, tls, opts] of [
  ["ECDHE_RSA with an RSA key for keyEncipherment only", rsaEncryptOnly, ECDHE_RSA, {}],
  ["RSA key transport with an RSA key for digitalSignature only", rsaSignOnly, RSA_KX, OFFER_RSA],
]) {
  test(`refused: ${what} -> TLS_BAD_KEY_USAGE, bad_certificate (42)`, { timeout: 60000 }, async () => {
    const srv = await server(l, tls);
    const r = await runPlan([{ opts }], { port: srv.port, ca: root.pem });
    await until(() => srv.alerts.length > 0);
    refused(r.results[0], srv);
  });
}

test("refused: ECDHE_ECDSA with an EC key for keyAgreement only -> TLS_BAD_KEY_USAGE (42)", { timeout: 60000 }, async () => {
  // OpenSSL will not sign with such a key: the scripted server (test/helpers/tls12-script.mjs) does.
  const s = await scriptedServer12({ chain: { leaf: ecAgreeOnly, inter } });
  toClose.push(s);
  const r = await connectApp(s.port, { ca: root.pem, send: "GET / HTTP/1.0\r\n\r\n" });
  const out = await s.next();
  assert.equal(r.error, "TLS_BAD_KEY_USAGE", r.message);
  assert.equal(r.connected, false);
  assert.equal(r.data, "");
  assert.deepEqual(out.alerts, [{ level: 2, desc: 42, encrypted: false }]);
});

for (const [what, l, tls, opts] of [
  ["ECDHE_RSA with an RSA key for digitalSignature only", rsaSignOnly, ECDHE_RSA, {}],
  ["RSA key transport with an RSA key for keyEncipherment only", rsaEncryptOnly, RSA_KX, OFFER_RSA],
]) {
  test(`control: ${what} connects`, { timeout: 60000 }, async () => {
    const srv = await server(l, tls);
    const r = await runPlan([{ opts }], { port: srv.port, ca: root.pem });
    ok(r.results[0]);
    assert.deepEqual(srv.alerts, []);
  });
}

test("a chain verified (and cached) under ECDHE is still checked when the next server picks RSA key transport", { timeout: 60000 }, async () => {
  const a = await server(rsaSignOnly, ECDHE_RSA);
  const b = await server(rsaSignOnly, RSA_KX);
  const px = await switchProxy([a.port, b.port]);
  toClose.push(px);
  const r = await runPlan([{ opts: OFFER_RSA }, { opts: OFFER_RSA }], { port: px.port, ca: root.pem });
  const [first, second] = r.results;
  ok(first);
  assert.equal(first.suite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  assert.equal(r.hits, 1, "the second connection used the cached chain");
  await until(() => b.alerts.length > 0);
  refused(second, b);
});
