// TLS 1.2 interop with command-line servers restricted to TLS 1.2: OpenSSL s_server, GnuTLS
// gnutls-serv, nginx (full handshake, then resumption) and mosquitto's TLS listener (MQTT
// CONNECT -> CONNACK over tls.connect). Each is skipped when its program is not installed
// (.ci/run installs them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { opensslServer, gnutlsServer, nginxServer, mosquittoServer, have } from "../helpers/tls12-servers.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";

const ec = new Pki().chain();
const rsa = new Pki().chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" });
const TLS12 = 0x0303;

function ok(c) {
  assert.equal(c.err, null, `${c.err}: ${c.msg} (steps ${c.steps.join(",")})`);
  assert.equal(c.version, TLS12);
}

async function plan(start, chain, steps) {
  const s = await start();
  try {
    return (await runPlan(steps, { port: s.port, ca: chain.root.pem })).results;
  } finally { await s.close(); }
}

const skipOpenssl = !have("openssl") && "openssl not installed";
const skipGnutls = !have("gnutls-serv") && "gnutls-serv not installed";
const skipNginx = !have("nginx") && "nginx not installed";
const skipMosquitto = !(have("mosquitto") || have("/usr/sbin/mosquitto")) && "mosquitto not installed";

for (const [label, chain] of [["ECDSA", ec], ["RSA", rsa]]) {
  test(`openssl s_server -tls1_2, ${label}: full handshake, then resumed by ticket`, { skip: skipOpenssl }, async () => {
    const r = await plan(() => opensslServer(chain, ["-tls1_2"]), chain, [{}, {}]);
    for (const c of r) { ok(c); assert.match(c.body, /^HTTP\/1\.0 200/); }
    assert.deepEqual(r.map((c) => c.resumed), [false, true]);
    assert.match(r[0].suite, label === "RSA" ? /ECDHE_RSA/ : /ECDHE_ECDSA/);
  });
}

test("openssl s_server -tls1_2 -no_ticket: resumed by session id", { skip: skipOpenssl }, async () => {
  const r = await plan(() => opensslServer(ec, ["-tls1_2", "-no_ticket"]), ec, [{}, {}]);
  for (const c of r) ok(c);
  assert.deepEqual(r.map((c) => c.resumed), [false, true]);
});

test("openssl s_server -tls1_2 with ChaCha20-Poly1305 and P-256", { skip: skipOpenssl }, async () => {
  const r = await plan(() => opensslServer(ec, ["-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305", "-groups", "P-256"]), ec, [{}]);
  ok(r[0]);
  assert.equal(r[0].suite, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  assert.equal(r[0].group, 0x17);
});

test("openssl s_server with TLS 1.3 and 1.2: TLS 1.3 is chosen", { skip: skipOpenssl }, async () => {
  const r = await plan(() => opensslServer(ec, []), ec, [{}]);
  assert.equal(r[0].err, null, r[0].msg);
  assert.equal(r[0].version, 0x0304);
});

for (const [label, chain] of [["ECDSA", ec], ["RSA", rsa]]) {
  test(`gnutls-serv TLS 1.2 only, ${label}: full handshake, then resumed`, { skip: skipGnutls }, async () => {
    const r = await plan(() => gnutlsServer(chain, "NORMAL:-VERS-ALL:+VERS-TLS1.2"), chain, [{}, {}]);
    for (const c of r) { ok(c); assert.match(c.body, /^HTTP\/1\.[01] 200/); }
    assert.deepEqual(r.map((c) => c.resumed), [false, true]);
  });
}

test("nginx ssl_protocols TLSv1.2: full handshake, then resumed", { skip: skipNginx }, async () => {
  const r = await plan(() => nginxServer(ec), ec, [{}, {}]);
  for (const c of r) { ok(c); assert.match(c.body, /"server":"nginx"/); }
  assert.deepEqual(r.map((c) => c.resumed), [false, true]);
  assert.match(r[1].body, /"reused":"r"/);
});

for (const [label, max12, version] of [["TLS 1.2", true, TLS12], ["TLS 1.3", false, 0x0304]]) {
  test(`mosquitto TLS listener (${label}): MQTT CONNECT gets CONNACK, then again resumed`, { skip: skipMosquitto }, async () => {
    const r = await plan(() => mosquittoServer(rsa, { max12 }), rsa, [{ mqtt: true }, { mqtt: true }]);
    for (const c of r) {
      assert.equal(c.err, null, `${c.err}: ${c.msg}`);
      assert.equal(c.version, version);
      // CONNACK: type 0x20, remaining length 2, session present 0, return code 0 (accepted)
      assert.deepEqual([...Buffer.from(c.body, "latin1").subarray(0, 4)], [0x20, 2, 0, 0]);
    }
    assert.deepEqual(r.map((c) => c.resumed), [false, true]);
  });
}
