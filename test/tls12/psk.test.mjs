// TLS 1.2 pre-shared key suites (issue 16) against OpenSSL s_server -tls1_2 -psk -nocert, one
// suite at a time (-cipher): ECDHE-PSK-CHACHA20-POLY1305 (RFC 7905, preferred), PSK-AES128-GCM-
// SHA256 and PSK-AES256-GCM-SHA384 (RFC 5487), PSK-CHACHA20-POLY1305 (RFC 7905); the identity hint
// (exposed, and an identity function of it); refusals (wrong key, unknown identity) as
// PSK_REJECTED; with psk and ca, the PSK suites first; GnuTLS gnutls-serv --pskpasswd.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { opensslPsk, gnutlsPsk, runPskCases, newKey, pskAgainstCertificateServer } from "../helpers/psk.mjs";
import { have, opensslServer } from "../helpers/tls12-servers.mjs";
import { Pki } from "../../tools/lib/pki.mjs";

const closers = [];
after(async () => { for (const c of closers) await c(); });
async function server(start, opts) {
  const s = await start(opts);
  closers.push(() => s.close());
  return s;
}

function connected(r, suite, answer = "ksp olleh\n") {
  assert.equal(r.error, undefined, `${r.name}: ${JSON.stringify(r.error)} steps ${r.steps}`);
  assert.equal(r.got, answer, `${r.name}: the server's answer`);
  assert.equal(r.info.version, 0x0303);
  if (suite) assert.equal(r.info.suite, suite);
  assert.equal(r.info.peer, null);
  assert.ok(!r.steps.includes("certificate"), r.steps.join(","));
}

const SUITES = [
  ["ECDHE-PSK-CHACHA20-POLY1305", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", 0x1d],
  ["PSK-AES128-GCM-SHA256", "TLS_PSK_WITH_AES_128_GCM_SHA256", 0],
  ["PSK-AES256-GCM-SHA384", "TLS_PSK_WITH_AES_256_GCM_SHA384", 0],
  ["PSK-CHACHA20-POLY1305", "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", 0],
];

test("OpenSSL TLS 1.2, each PSK suite (-cipher), hint exposed", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey(), identity = "dev-12";
  const servers = await Promise.all(SUITES.map(([c], i) => server(opensslPsk, { key, identity, version: "tls1_2", args: ["-cipher", c, ...(i === 1 ? ["-psk_hint", "site-7"] : [])] })));
  for (let i = 0; i < SUITES.length; i++) {
    const { results } = await runPskCases(servers[i].port, [{ name: SUITES[i][0], opts: { psk: { identity, key } } }]);
    const r = results[0];
    connected(r, SUITES[i][1]);
    assert.equal(r.info.group, SUITES[i][2], "ECDHE-PSK: X25519 (our TLS 1.3 share reused)");
    assert.equal(r.info.pskIdentity, identity);
    assert.equal(r.info.pskHint, i === 1 ? "site-7" : "");
    assert.match(servers[i].output(), new RegExp(`Ciphersuite: ${SUITES[i][0]}`));
  }
});

test("ECDHE-PSK is preferred; the identity a function of the hint", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey();
  const s = await server(opensslPsk, { key, identity: "site-3/dev-1", version: "tls1_2", args: ["-psk_hint", "site-3"] });
  const { results } = await runPskCases(s.port, [
    { name: "function", opts: { psk: { key } }, identityFn: "function (hint) { return hint + '/dev-1'; }" },
  ]);
  connected(results[0], "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256");
  assert.equal(results[0].info.pskIdentity, "site-3/dev-1");
  assert.equal(results[0].info.pskHint, "site-3");
});

test("an identity function with no identity for an empty hint: no TLS 1.3 PSK offered (TLS 1.2 with the hint works, a TLS 1.3 server gets PSK_REJECTED, nothing thrown)", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey();
  const s12 = await server(opensslPsk, { key, identity: "site-4/dev-2", version: "tls1_2", args: ["-psk_hint", "site-4"] });
  const s13 = await server(opensslPsk, { key, identity: "site-4/dev-2" });
  const fn = "function (hint) { return hint ? hint + '/dev-2' : undefined; }";
  const a = await runPskCases(s12.port, [{ name: "TLS 1.2", opts: { psk: { key } }, identityFn: fn }]);
  const b = await runPskCases(s13.port, [{ name: "TLS 1.3", opts: { psk: { key } }, identityFn: fn }]);
  connected(a.results[0], "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256");
  assert.equal(a.results[0].info.pskIdentity, "site-4/dev-2");
  assert.ok(!a.results[0].steps.includes("psk_offered"), a.results[0].steps.join(","));
  const r = b.results[0];
  assert.equal(r.thrown, undefined);
  assert.equal(r.error && r.error.code, "PSK_REJECTED", JSON.stringify(r));
  // none for the hint either: an error event BAD_PSK, nothing thrown, no connection
  const c = await runPskCases(s12.port, [{ name: "none", opts: { psk: { key } }, identityFn: "function () { return undefined; }" }]);
  assert.equal(c.results[0].thrown, undefined);
  assert.equal(c.results[0].error && c.results[0].error.code, "BAD_PSK", JSON.stringify(c.results[0]));
  assert.ok(!c.results[0].connected);
});

test("TLS 1.2 refusals: wrong key (OpenSSL), unknown identity (GnuTLS) -> PSK_REJECTED; no key bytes in the output", async (t) => {
  if (!have("openssl") || !have("gnutls-serv")) return t.skip("no openssl or gnutls-serv");
  const key = newKey(), other = newKey(), identity = "dev-5";
  // OpenSSL's s_server only warns about another identity in TLS 1.2 ("PSK warning: client
  // identity not what we expected") and goes on with its key: the unknown identity goes to GnuTLS,
  // which answers it as a wrong key (a random one, RFC 4279 §2 allows it): bad_record_mac.
  const s = await server(opensslPsk, { key, identity, version: "tls1_2" });
  const g = await server(gnutlsPsk, { key, identity, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:+ECDHE-PSK:+PSK:+CHACHA20-POLY1305" });
  const a = await runPskCases(s.port, [{ name: "wrong key", opts: { psk: { identity, key: other } } }]);
  const b = await runPskCases(g.port, [{ name: "unknown identity", opts: { psk: { identity: "dev-6", key } } }]);
  const results = a.results.concat(b.results);
  for (const r of results) {
    assert.equal(r.error && r.error.code, "PSK_REJECTED", `${r.name}: ${JSON.stringify(r)}`);
    assert.equal(r.error.detail.name, "bad_record_mac", r.name);
    assert.ok(!r.connected);
  }
  const all = (JSON.stringify(results) + a.printed + b.printed + s.output() + g.output()).toLowerCase();
  for (const k of [key, other]) for (let i = 0; i + 16 <= k.length; i += 8) assert.ok(!all.includes(k.substr(i, 16)));
});

test("GnuTLS gnutls-serv --pskpasswd, TLS 1.2: ECDHE-PSK and PSK, with its hint", async (t) => {
  if (!have("gnutls-serv")) return t.skip("no gnutls-serv");
  const key = newKey(), identity = "dev-g";
  const e = await server(gnutlsPsk, { key, identity, hint: "gnutls-site", priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:+ECDHE-PSK:+CHACHA20-POLY1305" });
  const p = await server(gnutlsPsk, { key, identity, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK" });
  const a = await runPskCases(e.port, [{ name: "ECDHE-PSK", opts: { psk: { identity, key } } }]);
  const b = await runPskCases(p.port, [{ name: "PSK", opts: { psk: { identity, key } } }]);
  connected(a.results[0], "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "hello psk\n");
  assert.equal(a.results[0].info.pskHint, "gnutls-site");
  connected(b.results[0], null, "hello psk\n");
  assert.match(b.results[0].info.suite, /^TLS_PSK_WITH_/);
  assert.match(e.output(), /Key Exchange: ECDHE-PSK/);
  assert.match(p.output(), /Key Exchange: PSK/);
});

test("an external PSK computes no key share for the ClientHello: none at all against a TLS 1.2 PSK server", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey(), identity = "dev-ke12";
  const s = await server(opensslPsk, { key, identity, version: "tls1_2", args: ["-cipher", "PSK-AES128-GCM-SHA256"] });
  const { results } = await runPskCases(s.port, [
    { name: "default", opts: { psk: { identity, key } } },
    { name: "pskKe", opts: { psk: { identity, key }, pskKe: true } },
  ]);
  for (const r of results) {
    connected(r, "TLS_PSK_WITH_AES_128_GCM_SHA256");
    assert.ok(r.steps.includes("key_share_deferred") && !r.steps.includes("key_share"), r.steps.join(","));
  }
});

test("a TLS 1.2 certificate-only server: PSK_REJECTED without ca, the ECDHE certificate handshake with ca", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const chain = new Pki().chain();
  const s = await server(() => opensslServer(chain, ["-tls1_2", "-rev"]));
  const [only, both] = await pskAgainstCertificateServer(s.port, chain.root.pem);
  assert.equal(only.error && only.error.code, "PSK_REJECTED", JSON.stringify(only));
  assert.equal(only.error.detail.name, "handshake_failure", "OpenSSL: no shared cipher");
  assert.equal(both.error, undefined, JSON.stringify(both));
  assert.equal(both.got, "ksp olleh\n");
  assert.match(both.info.suite, /^TLS_ECDHE_ECDSA_WITH_/);
  assert.ok(both.steps.includes("chain_verified"), both.steps.join(","));
  assert.equal(both.info.pskIdentity, undefined);
});
