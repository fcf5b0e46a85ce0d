// TLS 1.3 resumption with the PSK from NewSessionTicket (psk_dhe_ke by default, psk_ke when the
// application allows it) against Node, OpenSSL, GnuTLS and nginx; resumption the server declines
// (full handshake instead); tickets never offered at or past their lifetime (mock clock); TLS 1.2
// session lifetime likewise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps12, opensslServer, gnutlsServer, nginxServer, have } from "../helpers/tls12-servers.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";
import { switchProxy } from "../helpers/tls12-proxy.mjs";

const ec = new Pki().chain();
const TLS13 = 0x0304;
const only13 = { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" };

function ok(c, version = TLS13) {
  assert.equal(c.err, null, `${c.err}: ${c.msg} (steps ${c.steps.join(",")})`);
  assert.equal(c.version, version);
}
const offered = (c) => c.steps.includes("resume_offered") || c.steps.includes("resume_offered_12");
const full = (c) => c.steps.includes("certificate");

async function node(tls, steps, setup) {
  const s = await nodeHttps12(ec, { tls });
  try {
    if (setup) setup(s);
    return { results: (await runPlan(steps, { port: s.port, ca: ec.root.pem })).results, stats: s.stats };
  } finally { await s.close(); }
}

async function cli(start, steps) {
  const s = await start();
  try {
    return (await runPlan(steps, { port: s.port, ca: ec.root.pem })).results;
  } finally { await s.close(); }
}

test("Node TLS 1.3: full handshake, then resumed (psk_dhe_ke), twice", async () => {
  const r = await node(only13, [{}, {}, {}]);
  for (const c of r.results) ok(c);
  assert.deepEqual(r.results.map((c) => c.resumed), [false, true, true]);
  const b = r.results[1];
  assert.ok(offered(b) && !full(b), b.steps.join(","));
  assert.equal(b.group, 0x1d, "psk_dhe_ke: a fresh X25519 exchange");
  assert.equal(r.stats.resumed, 2);
});

test("resumption after a HelloRetryRequest (the binder covers the new transcript)", async () => {
  const r = await node({ ...only13, ecdhCurve: "P-256" }, [{}, {}]);
  for (const c of r.results) ok(c);
  assert.ok(r.results[1].steps.includes("hello_retry"));
  assert.equal(r.results[1].resumed, true);
  assert.equal(r.results[1].group, 0x17);
});

test("a ticket the server declines: full handshake, then resumption again", async () => {
  const r = await node(only13, [{}, {}, {}], (s) => {
    let n = 0;
    // New ticket keys once the first connection's tickets are out (at its request).
    s.server.on("request", () => { if (++n === 1) s.server.setTicketKeys(Buffer.alloc(48, 9)); });
  });
  for (const c of r.results) ok(c);
  assert.ok(offered(r.results[1]) && full(r.results[1]), "offered, declined, verified in full");
  assert.deepEqual(r.results.map((c) => c.resumed), [false, false, true]);
});

test("a ticket is never offered at or past its lifetime (mock clock)", async () => {
  // Node's sessionTimeout is the ticket_lifetime it announces.
  const r = await node({ ...only13, sessionTimeout: 60 }, [{}, { advance: 30 }, { advance: 61 }, {}]);
  for (const c of r.results) ok(c);
  const [, within, after, next] = r.results;
  assert.equal(within.resumed, true);
  assert.ok(!offered(after), "expired ticket not offered: " + after.steps.join(","));
  assert.equal(after.resumed, false);
  assert.equal(next.resumed, true, "fresh tickets from the full handshake");
});

test("TLS 1.2: a session is not offered past the ticket lifetime hint", async () => {
  const r = await node({ sessionTimeout: 60 }, [{}, { advance: 61 }, {}]);
  for (const c of r.results) ok(c, 0x0303);
  assert.ok(!offered(r.results[1]));
  assert.deepEqual(r.results.map((c) => c.resumed), [false, false, true]);
});

test("resuming TLS 1.2 sends no key share; a server now on TLS 1.3 asks for one (HelloRetryRequest)", async () => {
  const a = await nodeHttps12(ec, {});
  const b = await nodeHttps12(ec, { tls: only13 });
  const p = await switchProxy([a.port, a.port, b.port, b.port]);
  try {
    const r = (await runPlan([{}, {}, {}, {}], { port: p.port, ca: ec.root.pem })).results;
    ok(r[0], 0x0303); ok(r[1], 0x0303); ok(r[2]); ok(r[3]);
    assert.ok(r[1].steps.includes("key_share_deferred") && r[1].resumed, r[1].steps.join(","));
    assert.ok(r[2].steps.includes("key_share_deferred") && r[2].steps.includes("hello_retry") && !r[2].resumed, r[2].steps.join(","));
    assert.ok(!r[3].steps.includes("key_share_deferred") && r[3].resumed, r[3].steps.join(","));
  } finally { await p.close(); await a.close(); await b.close(); }
});

test("session: false never resumes; a private SessionCache starts empty", async () => {
  const r = await node(only13, [{}, { opts: { session: false } }, { opts: { freshSessions: true } }, {}]);
  for (const c of r.results) ok(c);
  assert.deepEqual(r.results.map((c) => c.resumed), [false, false, false, true]);
});

test("openssl s_server (TLS 1.3): resumed", { skip: !have("openssl") && "no openssl" }, async () => {
  const r = await cli(() => opensslServer(ec, ["-tls1_3"]), [{}, {}]);
  for (const c of r) ok(c);
  assert.deepEqual(r.map((c) => c.resumed), [false, true]);
});

test("psk_ke when allowed: openssl -allow_no_dhe_kex resumes without (EC)DHE", { skip: !have("openssl") && "no openssl" }, async () => {
  const r = await cli(() => opensslServer(ec, ["-tls1_3", "-allow_no_dhe_kex"]), [{ opts: { pskKe: true } }, { opts: { pskKe: true } }]);
  for (const c of r) ok(c);
  assert.equal(r[1].resumed, true);
  assert.equal(r[1].group, 0, "no key exchange group");
  assert.ok(r[1].steps.includes("key_share_deferred"), "no key share computed: " + r[1].steps.join(","));
});

test("psk_ke offered to a server that does not allow it: full handshake", { skip: !have("openssl") && "no openssl" }, async () => {
  const r = await cli(() => opensslServer(ec, ["-tls1_3"]), [{}, { opts: { pskKe: true } }]);
  for (const c of r) ok(c);
  assert.ok(offered(r[1]));
  assert.equal(r[1].resumed, false);
  assert.ok(r[1].steps.includes("hello_retry"), "the server asked for the key share: " + r[1].steps.join(","));
});

test("gnutls-serv (TLS 1.3): resumed", { skip: !have("gnutls-serv") && "no gnutls-serv" }, async () => {
  const r = await cli(() => gnutlsServer(ec, "NORMAL:-VERS-ALL:+VERS-TLS1.3"), [{}, {}]);
  for (const c of r) ok(c);
  assert.deepEqual(r.map((c) => c.resumed), [false, true]);
});

test("nginx (TLS 1.3): resumed", { skip: !have("nginx") && "no nginx" }, async () => {
  const r = await cli(() => nginxServer(ec, { protocols: "TLSv1.3" }), [{}, {}]);
  for (const c of r) ok(c);
  assert.deepEqual(r.map((c) => c.resumed), [false, true]);
  assert.match(r[1].body, /"reused":"r"/);
});
