// TLS 1.2 against Node's TLS server (maxVersion TLSv1.2): every ECDHE suite with the matching
// certificate type, both groups, the ServerKeyExchange signature schemes, resumption by ticket and
// by session id, and what must be refused (RSA key exchange unless enabled, renegotiation).
import { test } from "node:test";
import assert from "node:assert/strict";
import { constants } from "node:crypto";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps12 } from "../helpers/tls12-servers.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";

const ec = new Pki().chain();
const rsa = new Pki().chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" });
const TLS12 = 0x0303;

async function withServer(chain, opts, plan) {
  const s = await nodeHttps12(chain, opts);
  try {
    const r = await runPlan(plan, { port: s.port, ca: chain.root.pem });
    return { ...r, stats: s.stats };
  } finally { await s.close(); }
}

function ok(c) {
  assert.equal(c.err, null, `${c.err}: ${c.msg} (steps ${c.steps.join(",")})`);
  assert.match(c.body, /^HTTP\/1\.[01] 200/);
}

const SUITES = [
  ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", ec],
  ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", ec],
  ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", ec],
  ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", rsa],
  ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", rsa],
  ["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", rsa],
];

for (const [name, ossl, chain] of SUITES) {
  test(`TLS 1.2 ${name} (X25519), then resumed by ticket`, async () => {
    const r = await withServer(chain, { tls: { ciphers: ossl, ecdhCurve: "X25519" } }, [{}, {}]);
    const [a, b] = r.results;
    ok(a); ok(b);
    assert.equal(a.version, TLS12);
    assert.equal(a.suite, name);
    assert.equal(a.group, 0x1d);
    assert.equal(a.resumed, false);
    assert.ok(a.steps.includes("server_key_verified"));
    assert.equal(b.resumed, true);
    assert.ok(!b.steps.includes("certificate"), "no certificate on resumption");
    assert.deepEqual(r.stats.versions, ["TLSv1.2", "TLSv1.2"]);
    assert.equal(r.stats.resumed, 1);
  });
}

test("TLS 1.2 with P-256 ECDHE (a fresh key pair, the X25519 share is not usable)", async () => {
  const r = await withServer(ec, { tls: { ecdhCurve: "P-256" } }, [{}]);
  ok(r.results[0]);
  assert.equal(r.results[0].group, 0x17);
});

for (const [sigalgs, what] of [["RSA+SHA256", "rsa_pkcs1_sha256"], ["RSA+SHA384", "rsa_pkcs1_sha384"], ["RSA-PSS+SHA256", "rsa_pss_rsae_sha256"], ["RSA-PSS+SHA512", "rsa_pss_rsae_sha512"]]) {
  test(`ServerKeyExchange signed with ${what}`, async () => {
    const r = await withServer(rsa, { tls: { sigalgs } }, [{}]);
    ok(r.results[0]);
  });
}

test("ServerKeyExchange signed with ecdsa_secp384r1_sha384", async () => {
  const r = await withServer(ec, { tls: { sigalgs: "ECDSA+SHA384" } }, [{}]);
  ok(r.results[0]);
});

test("session id resumption (server without tickets)", async () => {
  const r = await withServer(ec, { tls: { secureOptions: constants.SSL_OP_NO_TICKET }, sessionIds: true }, [{}, {}, {}]);
  for (const c of r.results) ok(c);
  assert.deepEqual(r.results.map((c) => c.resumed), [false, true, true]);
  assert.equal(r.stats.resumed, 2);
});

test("a ticket the server no longer accepts: full handshake, within one plan", async () => {
  const s = await nodeHttps12(ec, {});
  try {
    let n = 0;
    // New ticket keys once the first connection's tickets are out (at its request).
    s.server.on("request", () => { if (++n === 1) s.server.setTicketKeys(Buffer.alloc(48, 9)); });
    const r = await runPlan([{}, {}, {}], { port: s.port, ca: ec.root.pem });
    for (const c of r.results) ok(c);
    assert.deepEqual(r.results.map((c) => c.resumed), [false, false, true]);
  } finally { await s.close(); }
});

test("RSA key exchange is not offered by default; on request it works (no forward secrecy)", async () => {
  const r = await withServer(rsa, { tls: { ciphers: "AES128-GCM-SHA256" } }, [{}, { opts: { rsaKeyExchange: true, session: false } }]);
  const [off, on] = r.results;
  assert.equal(off.err, "TLS_ALERT_RECEIVED");
  assert.equal(off.alert, 40); // handshake_failure: no suite in common
  ok(on);
  assert.equal(on.suite, "TLS_RSA_WITH_AES_128_GCM_SHA256");
  assert.ok(on.steps.includes("key_exchange"));
});

test("tls12: false offers TLS 1.3 only (a 1.2-only server refuses)", async () => {
  const r = await withServer(ec, {}, [{ opts: { tls12: false } }]);
  assert.equal(r.results[0].err, "TLS_ALERT_RECEIVED");
  assert.equal(r.results[0].alert, 70); // protocol_version
});

test("renegotiation is refused: HelloRequest gets a no_renegotiation warning", async () => {
  const s = await nodeHttps12(ec, {});
  const events = [];
  s.server.removeAllListeners("request");
  s.server.on("request", (req, res) => {
    req.socket.renegotiate({ rejectUnauthorized: false }, (err) => {
      events.push(err ? err.code || err.message : "renegotiated");
      if (!res.writableEnded) res.end("after\n");
    });
    setTimeout(() => { if (!res.writableEnded) res.end("after\n"); }, 3000);
  });
  try {
    const r = await runPlan([{}], { port: s.port, ca: ec.root.pem });
    const c = r.results[0];
    assert.ok(c.steps.includes("renegotiation_refused"), c.steps.join(","));
    assert.ok(!events.includes("renegotiated"));
  } finally { await s.close(); }
});
