// Pre-shared keys (issue 16), option and TLS 1.3: the `psk` option's forms and its refusals
// (BAD_PSK before anything goes on the network); TLS 1.3 external PSK (RFC 8446 §4.2.11, "ext
// binder") against OpenSSL s_server -psk -nocert: psk_dhe_ke by default, psk_ke when asked
// (-allow_no_dhe_kex), SHA-256 suites; refusals (wrong key, unknown identity, a server without
// PSK) as PSK_REJECTED with the alert; and the key's bytes in none of the captured output.
import { test, after } from "node:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runApp } from "../helpers/board-app.mjs";
import assert from "node:assert/strict";
import { opensslPsk, gnutlsPsk, runPskCases, newKey, pskAgainstCertificateServer } from "../helpers/psk.mjs";
import { have, opensslServer, freePort, spawnServer } from "../helpers/tls12-servers.mjs";
import { spawnSync } from "node:child_process";
import { Pki } from "../../tools/lib/pki.mjs";

const closers = [];
after(async () => { for (const c of closers) await c(); });

async function server(opts) {
  const s = await opensslPsk(opts);
  closers.push(() => s.close());
  return s;
}

function connected(r) {
  assert.equal(r.error, undefined, `${r.name}: ${JSON.stringify(r.error)} steps ${r.steps}`);
  assert.ok(r.connected, r.name);
  assert.equal(r.got, "ksp olleh\n", `${r.name}: the server's answer`);
}

test("psk option refusals: BAD_PSK thrown by connect, nothing sent, the key in no message", async () => {
  const key = newKey(16);
  const cases = [
    { name: "empty identity", opts: { psk: { identity: "", key } } },
    { name: "identity not a string", opts: { psk: { identity: 7, key } } },
    { name: "15-byte key", opts: { psk: { identity: "dev", key: key.substr(0, 30) } } },
    { name: "odd hex", opts: { psk: { identity: "dev", key: key + "a" } } },
    { name: "not hex", opts: { psk: { identity: "dev", key: key.substr(0, 30) + "zz" } } },
    { name: "no key", opts: { psk: { identity: "dev" } } },
    { name: "bad hash", opts: { psk: { identity: "dev", key, hash: "md5" } } },
    { name: "short Uint8Array", opts: { psk: { identity: "dev" } }, keyBytes: key.substr(0, 30) },
  ];
  const { results, printed } = await runPskCases(1, cases);
  for (const r of results) {
    assert.equal(r.thrown && r.thrown.code, "BAD_PSK", `${r.name}: ${JSON.stringify(r)}`);
    assert.ok(!r.steps.length && !r.events.length, r.name);
  }
  const all = JSON.stringify(results) + printed;
  assert.ok(!all.toLowerCase().includes(key.substr(0, 30)), "the key (or most of it) appears in an error");
});

test("psk without ca: no NO_TRUST_ANCHORS (no CA store on the board), a PSK handshake instead", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey(), identity = "dev-17";
  const s = await server({ key, identity });
  const { results } = await runPskCases(s.port, [
    { name: "hex key", opts: { psk: { identity, key } } },
    { name: "upper-case hex with a newline", opts: { psk: { identity, key: key.toUpperCase() + "\n" } } },
    { name: "Uint8Array key", opts: { psk: { identity } }, keyBytes: key },
    { name: "Storage file (hex text)", opts: { psk: { identity, key: "dev.psk" } } },
    { name: "no psk, no ca", opts: {} },
  ], { files: { "dev.psk": key + "\n" } });
  for (const r of results.slice(0, 4)) {
    connected(r);
    assert.equal(r.info.version, 0x0304);
    assert.equal(r.info.pskIdentity, identity);
    assert.equal(r.info.peer, null, "no certificate");
    assert.ok(r.steps.includes("psk_offered") && r.steps.includes("psk_accepted") && !r.steps.includes("certificate"), r.steps.join(","));
    assert.equal(r.info.group, 0x1d, "psk_dhe_ke: a fresh X25519 exchange");
    // the share is made when the server asks (HelloRetryRequest), not for every ClientHello
    assert.ok(r.steps.includes("key_share_deferred") && r.steps.includes("hello_retry"), r.steps.join(","));
  }
  assert.equal(results[4].thrown.code, "NO_TRUST_ANCHORS", "without psk the old refusal stays");
  assert.match(s.output(), /Ciphersuite: TLS_(AES_128_GCM|CHACHA20_POLY1305)_SHA256/);
});

test("psk_ke when asked: OpenSSL -allow_no_dhe_kex, no key share (group 0); refused without it", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey(), identity = "dev-ke";
  const s = await server({ key, identity, args: ["-allow_no_dhe_kex"] });
  const plain = await server({ key, identity });
  const [a, b] = await Promise.all([
    runPskCases(s.port, [{ name: "psk_ke", opts: { psk: { identity, key }, pskKe: true } }, { name: "default", opts: { psk: { identity, key } } }]),
    runPskCases(plain.port, [{ name: "psk_ke, server wants DHE", opts: { psk: { identity, key }, pskKe: true } }]),
  ]);
  connected(a.results[0]);
  assert.equal(a.results[0].info.group, 0, "no (EC)DHE");
  assert.ok(a.results[0].steps.includes("key_share_deferred"));
  connected(a.results[1]);
  assert.equal(a.results[1].info.group, 0x1d, "psk_dhe_ke unless asked");
  const r = b.results[0];
  assert.equal(r.error && r.error.code, "PSK_REJECTED", JSON.stringify(r));
  assert.ok(!r.connected);
});

test("refusals: wrong key, unknown identity -> PSK_REJECTED with the alert; no key bytes in any output", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey(), other = newKey(), identity = "dev-9";
  const s = await server({ key, identity });
  const { results, printed } = await runPskCases(s.port, [
    { name: "wrong key", opts: { psk: { identity, key: other } } },
    { name: "unknown identity", opts: { psk: { identity: "dev-10", key } } },
    { name: "right one", opts: { psk: { identity, key } } },
  ]);
  const [wrong, unknown, right] = results;
  assert.equal(wrong.error.code, "PSK_REJECTED", JSON.stringify(wrong));
  // OpenSSL 3.0 answers a binder that does not verify with illegal_parameter (its log: "binder
  // does not verify"), where RFC 8446 §4.2.11 says decrypt_error.
  assert.equal(wrong.error.detail.alert, 47);
  assert.equal(wrong.error.detail.name, "illegal_parameter");
  assert.match(s.output(), /binder does not verify/);
  assert.equal(unknown.error.code, "PSK_REJECTED", JSON.stringify(unknown));
  assert.equal(unknown.error.detail.alert, 40, "OpenSSL -nocert finds no PSK and no certificate: handshake_failure");
  for (const r of [wrong, unknown]) assert.ok(!r.connected && r.events.includes("close"), r.name);
  connected(right);
  const all = (JSON.stringify(results) + printed + s.output()).toLowerCase();
  for (const k of [key, other]) {
    for (let i = 0; i + 16 <= k.length; i += 8) assert.ok(!all.includes(k.substr(i, 16)), "8 bytes of a key in the output");
    assert.ok(!all.includes(Buffer.from(k, "hex").toString("latin1").toLowerCase()), "the key as bytes in the output");
  }
});

test("a certificate-only server: PSK_REJECTED without ca (no certificate handshake), the certificate handshake with ca", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const chain = new Pki().chain();
  const s = await opensslServer(chain, ["-tls1_3", "-rev"]);
  closers.push(() => s.close());
  const [only, both] = await pskAgainstCertificateServer(s.port, chain.root.pem);
  assert.equal(only.error && only.error.code, "PSK_REJECTED", JSON.stringify(only));
  assert.equal(only.error.detail.alert, 40, "we send handshake_failure");
  assert.ok(!only.steps.includes("certificate"), only.steps.join(","));
  connected(both);
  assert.ok(both.steps.includes("chain_verified"), both.steps.join(","));
  assert.equal(both.info.pskIdentity, undefined);
});

test("GnuTLS gnutls-serv --pskpasswd, TLS 1.3: psk_dhe_ke (ECDHE-PSK), psk_ke (PSK) when asked; unknown identity refused", async (t) => {
  if (!have("gnutls-serv")) return t.skip("no gnutls-serv");
  const key = newKey(), identity = "dev-g13";
  const dhe = await gnutlsPsk({ key, identity, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+ECDHE-PSK" });
  const ke = await gnutlsPsk({ key, identity, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+PSK" });
  closers.push(() => dhe.close(), () => ke.close());
  const a = await runPskCases(dhe.port, [
    { name: "psk_dhe_ke", opts: { psk: { identity, key } } },
    { name: "unknown identity", opts: { psk: { identity: "dev-x", key } } },
  ]);
  const b = await runPskCases(ke.port, [{ name: "psk_ke", opts: { psk: { identity, key }, pskKe: true } }]);
  for (const r of [a.results[0], b.results[0]]) {
    assert.equal(r.error, undefined, `${r.name}: ${JSON.stringify(r.error)}`);
    assert.equal(r.got, "hello psk\n");
    assert.equal(r.info.version, 0x0304);
    assert.equal(r.info.pskIdentity, identity);
  }
  assert.equal(a.results[0].info.group, 0x1d);
  assert.equal(b.results[0].info.group, 0);
  const u = a.results[1];
  assert.equal(u.error && u.error.code, "PSK_REJECTED", JSON.stringify(u));
});

test("https.get with psk (no ca) over TLS 1.3 and TLS 1.2: the response body", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey(), identity = "dev-web";
  const dir = mkdtempSync(path.join(tmpdir(), "etls-psk-www-"));
  writeFileSync(path.join(dir, "hello.txt"), "hello over PSK\n");
  const s13 = await server({ key, identity, www: dir });
  const s12 = await server({ key, identity, www: dir, version: "tls1_2" });
  const APP = `var t = require("espruino-tls"), out = [], ports = [P13, P12];
  function get(i) {
    if (i >= ports.length) { done(out); return; }
    t.https.get({ host: "localhost", port: ports[i], path: "/hello.txt", psk: { identity: ID, key: KEY }, keepAlive: false }, function (res) {
      var body = "";
      res.on("data", function (d) { body += d; });
      res.on("end", function () { out.push({ status: res.statusCode, body: body }); setTimeout(function () { get(i + 1); }, 20); });
    }).on("error", function (e) { out.push({ error: e.code, message: e.message }); setTimeout(function () { get(i + 1); }, 20); });
  }
  get(0);`;
  const r = await runApp(APP, { globals: { P13: s13.port, P12: s12.port, ID: identity, KEY: key }, timeoutMs: 60000 });
  assert.deepEqual(r, [{ status: 200, body: "hello over PSK\n" }, { status: 200, body: "hello over PSK\n" }]);
  // (each server speaks only its version: -tls1_3, -tls1_2)
});

test("SHA-384 external PSK (hash: \"sha384\") against OpenSSL -psk_session with a TLS_AES_256_GCM_SHA384 session; the wrong hash refused", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  // OpenSSL's -psk gives SHA-256 PSKs only; a SHA-384 external PSK is a session file (-psk_session):
  // one from a certificate handshake with TLS_AES_256_GCM_SHA384, whose 48-byte "Resumption PSK"
  // (fresh, random) then serves as the key.
  const chain = new Pki().chain();
  const dir = mkdtempSync(path.join(tmpdir(), "etls-psk384-"));
  const cert = await opensslServer(chain, ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384", "-rev"]);
  const sess = path.join(dir, "sess.pem");
  spawnSync("sh", ["-c", `(printf 'hi\\n'; sleep 1) | timeout 5 openssl s_client -connect 127.0.0.1:${cert.port} -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384 -sess_out ${sess} -quiet`], { stdio: "ignore" });
  await cert.close();
  const text = spawnSync("openssl", ["sess_id", "-in", sess, "-text", "-noout"], { encoding: "utf8" }).stdout;
  const key = (/Resumption PSK: ([0-9A-F]+)/.exec(text) || [])[1];
  assert.equal(key && key.length, 96, text);
  const port = await freePort();
  const s = await spawnServer("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-psk_session", sess, "-psk_identity", "dev-384", "-nocert", "-tls1_3", "-rev"], port);
  closers.push(() => s.close());
  const { results } = await runPskCases(port, [
    { name: "sha384", opts: { psk: { identity: "dev-384", key, hash: "sha384" } } },
    { name: "sha256 (default) with the SHA-384 key", opts: { psk: { identity: "dev-384", key } } },
  ]);
  connected(results[0]);
  assert.equal(results[0].info.suite, "TLS_AES_256_GCM_SHA384");
  assert.equal(results[1].error && results[1].error.code, "PSK_REJECTED", JSON.stringify(results[1]));
});

test("external PSK with a precomputed key share (tls.precompute): the share goes in the first ClientHello, no HelloRetryRequest", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const key = newKey(), identity = "dev-pre";
  const s = await server({ key, identity });
  const APP = `var t = require("espruino-tls"), steps = [];
  t.tls.precompute(null, function () {
    var sock = t.tls.connect({ host: "localhost", port: PORT, psk: { identity: ID, key: KEY } }, function (info) {
      sock.end();
      setTimeout(function () { done({ steps: steps, group: info.group, id: info.pskIdentity }); }, 50);
    });
    sock.on("progress", function (x) { steps.push(x); });
    sock.on("error", function (e) { done({ error: e.code, steps: steps }); });
  });`;
  const r = await runApp(APP, { globals: { PORT: s.port, ID: identity, KEY: key }, timeoutMs: 60000 });
  assert.equal(r.error, undefined, JSON.stringify(r));
  assert.ok(r.steps.includes("key_share_ready") && !r.steps.includes("hello_retry"), r.steps.join(","));
  assert.equal(r.group, 0x1d);
  assert.equal(r.id, identity);
});
