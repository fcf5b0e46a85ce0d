// TLS 1.3 features against real servers, from the product bundle on the board mock:
// KeyUpdate sent by OpenSSL s_server (its `k`/`K` stdin commands, -msg to see both directions),
// max_fragment_length (s_server -msg shows the offer and the answer; a proxy measures the records),
// record_size_limit (gnutls-serv --recordsize; a proxy measures the records both ways) and
// NewSessionTicket (Node's server; the socket's "ticket" event).
// A missing server binary skips its test with the reason, except in CI (CI=true), where it fails.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { runApp } from "../helpers/board-app.mjs";
import { mitmProxy, observedTlsServer } from "../helpers/tls-observe.mjs";
import { parseClientHello } from "../helpers/tls13-script.mjs";
import { GET_APP, freePort, gnutlsPriority, hasBinary, makeChains, spawnServer, stopAll } from "../../tools/lib/interop.mjs";

const inCI = process.env.CI === "true";
const chains = makeChains();
const chain = chains.ecdsa;
const closers = [];
after(async () => {
  for (const c of closers) { try { await c.close(); } catch { /* already gone */ } }
  await stopAll();
});

function need(t, bin, pkg) {
  if (hasBinary(bin)) return true;
  if (inCI) assert.fail(`${bin} is missing: CI must install ${pkg} (.ci/run)`);
  t.skip(`${bin} not installed (Debian: apt-get install ${pkg})`);
  return false;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Handshake messages logged by `openssl s_server -msg`: [{ dir: "<<<" | ">>>", name, bytes }]. */
function msgLog(text) {
  const out = [];
  let cur = null;
  for (const line of text.split("\n")) {
    const h = /^(<<<|>>>) TLS [\d.]+, Handshake \[length [0-9a-f]+\], (\w+)/.exec(line);
    if (h) { cur = { dir: h[1], name: h[2], hex: "" }; out.push(cur); continue; }
    if (/^(<<<|>>>)/.test(line) || !/^\s+[0-9a-f]{2}( |$)/.test(line)) { cur = null; continue; }
    if (cur) cur.hex += line.trim().replace(/\s+/g, "");
  }
  return out.map((m) => ({ dir: m.dir, name: m.name, bytes: Buffer.from(m.hex, "hex") }));
}

/** Extensions of an EncryptedExtensions message: { type: Buffer }. */
function eeExtensions(msg) {
  const ext = {};
  for (let o = 6; o < msg.length;) { const t = msg.readUInt16BE(o), n = msg.readUInt16BE(o + 2); ext[t] = msg.subarray(o + 4, o + 4 + n); o += 4 + n; }
  return ext;
}

/** Splits a byte stream into TLS records (Buffers with their header). */
function records(chunks) {
  const buf = Buffer.concat(chunks), out = [];
  for (let o = 0; o + 5 <= buf.length;) { const n = buf.readUInt16BE(o + 3); out.push(buf.subarray(o, o + 5 + n)); o += 5 + n; }
  return out;
}

test("KeyUpdate from OpenSSL s_server: update_not_requested, then update_requested answered by the client", { timeout: 60000 }, async (t) => {
  if (!need(t, "openssl", "openssl")) return;
  const port = await freePort();
  const srv = await spawnServer("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", chain.leaf.certFile, "-key", chain.leaf.keyFile,
    "-cert_chain", chain.inter.certFile, "-tls1_3", "-msg"], { port, ready: /^ACCEPT/m, stdin: true });
  closers.push({ close: srv.stop });
  // The app writes "client-1" once it has read "after-k" (sent under the server's first new key),
  // and "client-2" after "after-K" (sent after the server asked us to update our key as well).
  const app = runApp(`var t = require("espruino-tls"), got = "", step = 0;
    var s = t.tls.connect({ host: "localhost", port: PORT, ca: CA }, function () { s.write("hello-1\\n"); });
    s.on("data", function (d) {
      got += d;
      if (step === 0 && got.indexOf("after-k\\n") >= 0) { step = 1; s.write("client-1\\n"); }
      if (step === 1 && got.indexOf("after-K\\n") >= 0) { step = 2; s.write("client-2\\n"); setTimeout(function () { s.end(); }, 300); }
    });
    s.on("error", function (e) { done({ error: e.code, message: e.message, got: got }); });
    s.on("close", function () { done({ got: got }); });`, { globals: { PORT: port, CA: chain.root.pem }, timeoutMs: 30000 });
  let appDone = null;
  app.then((r) => { appDone = r; }, (e) => { appDone = { error: "APP", message: e.message }; });
  const out = () => srv.output();
  const step = async (re, what) => waitFor(() => re.test(out()) || appDone, what);
  await step(/hello-1/, "hello-1 at the server");
  srv.child.stdin.write("k\n");
  await sleep(100);
  srv.child.stdin.write("after-k\n");
  await step(/client-1/, "client-1 at the server");
  srv.child.stdin.write("K\n");
  await sleep(100);
  srv.child.stdin.write("after-K\n");
  await step(/client-2/, "client-2 at the server");
  const r = await app;
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.got, "after-k\nafter-K\n");
  assert.match(out(), /client-2/, "the server decrypted data the client sent under its updated key");
  const kus = msgLog(out()).filter((m) => m.name === "KeyUpdate").map((m) => `${m.dir} ${m.bytes.toString("hex")}`);
  assert.deepEqual(kus, [">>> 1800000100", ">>> 1800000101", "<<< 1800000100"],
    "server: not_requested, requested; client: its own update, not requesting one back");
});

test("max_fragment_length offered (recordSizeLimit 0, maxFragmentLength 1024): s_server -msg sees it, answers it, sends records of at most 2^10", { timeout: 60000 }, async (t) => {
  if (!need(t, "openssl", "openssl")) return;
  const port = await freePort();
  const srv = await spawnServer("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", chain.leaf.certFile, "-key", chain.leaf.keyFile,
    "-cert_chain", chain.inter.certFile, "-tls1_3", "-www", "-msg"], { port, ready: /^ACCEPT/m });
  closers.push({ close: srv.stop });
  const px = await mitmProxy(port, (rec, i, ctx) => { (ctx.all = ctx.all || []); px.fromServer.push(rec); return rec; });
  px.fromServer = [];
  closers.push(px);
  const r = await runApp(`var t = require("espruino-tls");
    var req = t.https.get({ url: URL, ca: CA, recordSizeLimit: 0, maxFragmentLength: 1024, keepAlive: false }, function (res) {
      var b = "";
      res.on("data", function (d) { b += d; });
      res.on("end", function () { done({ status: res.statusCode, length: b.length }); });
    });
    req.on("error", function (e) { done({ error: e.code, message: e.message }); });`,
  { globals: { URL: `https://localhost:${px.port}/`, CA: chain.root.pem } });
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.status, 200);
  assert.ok(r.length > 3000, "the page is several fragments long");
  const log = msgLog(srv.output());
  const ch = parseClientHello(log.find((m) => m.name === "ClientHello").bytes);
  assert.deepEqual([...ch.ext[1]], [2], "max_fragment_length = 2 (2^10) offered");
  assert.equal(ch.ext[28], undefined, "no record_size_limit offered with recordSizeLimit: 0");
  const ee = eeExtensions(log.find((m) => m.name === "EncryptedExtensions").bytes);
  assert.deepEqual([...ee[1]], [2], "the server accepted it");
  const lens = px.fromServer.filter((x) => x[0] === 23).map((x) => x.length - 5);
  assert.ok(Math.max(...lens) <= 1024 + 1 + 16, `protected records of ${Math.max(...lens)} bytes`);
  assert.ok(lens.filter((n) => n === 1024 + 1 + 16).length >= 2, "full 2^10 fragments were sent");
});

test("record_size_limit (RFC 8449) with gnutls-serv: ours (1024) bounds what the server sends, its (512) bounds what we send", { timeout: 60000 }, async (t) => {
  if (!need(t, "gnutls-serv", "gnutls-bin")) return;
  const port = await freePort();
  const srv = await spawnServer("gnutls-serv", ["-p", String(port), "-a", "--echo", "--crlf", "--recordsize", "512", // gnutls-serv refuses less than 512
    "--x509certfile", chain.chainFile, "--x509keyfile", chain.leaf.keyFile, "--priority", gnutlsPriority(null, null)],
  { port, ready: /listening on IPv4/ });
  closers.push({ close: srv.stop });
  const fromServer = [];
  const px = await mitmProxy(port, (rec) => { fromServer.push(rec); return rec; });
  closers.push(px);
  const MSG = "0123456789abcdef".repeat(250) + "\n"; // 4001 bytes
  const r = await runApp(`var t = require("espruino-tls"), got = "";
    var s = t.tls.connect({ host: "localhost", port: PORT, ca: CA, recordSizeLimit: 1024 }, function () { s.write(MSG); });
    s.on("data", function (d) { got += d; if (got.length >= MSG.length) s.end(); });
    s.on("error", function (e) { done({ error: e.code, message: e.message }); });
    s.on("close", function () { done({ same: got === MSG, length: got.length }); });`,
  { globals: { PORT: px.port, CA: chain.root.pem, MSG } });
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.same, true, `echo of ${r.length} bytes differs`);
  const toServer = records(px.stats.toServer);
  const ch = parseClientHello(toServer[0].subarray(5));
  assert.equal(ch.ext[28].readUInt16BE(0), 1025, "record_size_limit offered: 1024 bytes of content + the content type");
  // Server records: at most 1025 bytes of inner plaintext + 16 of tag. gnutls-serv --recordsize 512
  // is its content size: it advertises 513 in TLS 1.3, so ours carry 512 bytes + type + tag.
  const sLens = fromServer.filter((x) => x[0] === 23).map((x) => x.length - 5);
  const cLens = toServer.filter((x) => x[0] === 23).map((x) => x.length - 5);
  assert.ok(Math.max(...sLens) <= 1025 + 16, `server records up to ${Math.max(...sLens)} bytes`);
  assert.ok(Math.max(...cLens) <= 513 + 16, `client records up to ${Math.max(...cLens)} bytes`);
  assert.ok(cLens.filter((n) => n === 513 + 16).length >= 7, "the 4001 bytes went out in full 512-byte fragments");
  assert.ok(sLens.some((n) => n > 513 + 16), "the server used its larger allowance");
});

test("record_size_limit: by default the client offers its record buffer (16384 + 1 on linux)", { timeout: 60000 }, async () => {
  const srv = await observedTlsServer(chain);
  closers.push(srv);
  const px = await mitmProxy(srv.port, (rec) => rec);
  closers.push(px);
  await runApp(`var t = require("espruino-tls");
    var s = t.tls.connect({ host: "localhost", port: PORT, ca: CA }, function () { s.end(); });
    s.on("error", function (e) { done({ error: e.code }); });
    s.on("close", function () { done({}); });`, { globals: { PORT: px.port, CA: chain.root.pem } });
  const ch = parseClientHello(records(px.stats.toServer)[0].subarray(5));
  assert.equal(ch.ext[28].readUInt16BE(0), 16385);
  assert.equal(ch.ext[1], undefined, "no max_fragment_length by default");
});

for (const [suite, pskLen] of [["TLS_AES_128_GCM_SHA256", 32], ["TLS_AES_256_GCM_SHA384", 48]]) {
  test(`NewSessionTicket: Node's two tickets reach the "ticket" event (${suite}, PSK of ${pskLen} bytes)`, { timeout: 60000 }, async () => {
    const srv = await observedTlsServer(chain, { tls: { ciphers: suite, sessionTimeout: 3600 } });
    closers.push(srv);
    const r = await runApp(`var t = require("espruino-tls"), tickets = [];
      var s = t.tls.connect({ host: "localhost", port: PORT, ca: CA }, function () { s.write("x"); });
      s.on("ticket", function (tk) {
        tickets.push({ lifetime: tk.lifetime, ticket: tk.ticket.length, psk: tk.psk.length, suite: tk.suite, host: tk.host,
          ageAdd: typeof tk.ageAdd, socketKept: s.ticket === tk });
      });
      s.on("data", function () { setTimeout(function () { s.end(); }, 200); });
      s.on("error", function (e) { done({ error: e.code, message: e.message }); });
      s.on("close", function () { done({ tickets: tickets }); });`, { globals: { PORT: srv.port, CA: chain.root.pem } });
    assert.equal(r.error, undefined, r.message);
    assert.equal(r.tickets.length, 2);
    for (const tk of r.tickets) {
      assert.equal(tk.lifetime, 3600);
      assert.ok(tk.ticket > 0);
      assert.equal(tk.psk, pskLen);
      assert.equal(tk.suite, suite === "TLS_AES_128_GCM_SHA256" ? 0x1301 : 0x1302);
      assert.equal(tk.host, "localhost");
      assert.equal(tk.ageAdd, "number");
    }
  });
}

test("close_notify: the server's (s_server -www closes after its page) is answered with the client's own", { timeout: 60000 }, async (t) => {
  if (!need(t, "openssl", "openssl")) return;
  const port = await freePort();
  const srv = await spawnServer("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", chain.leaf.certFile, "-key", chain.leaf.keyFile,
    "-cert_chain", chain.inter.certFile, "-tls1_3", "-www", "-msg"], { port, ready: /^ACCEPT/m });
  closers.push({ close: srv.stop });
  const r = await runApp(GET_APP, { globals: { URL: `https://localhost:${port}/`, CA: chain.root.pem } });
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.status, 200);
  await waitFor(() => /<<< TLS 1.3, Alert \[length 0002\], warning close_notify/.test(srv.output()), "the client's close_notify", 3000);
  const alerts = srv.output().split("\n").filter((l) => /Alert \[length/.test(l)).map((l) => l.slice(0, 3) + " " + l.split(", ").pop());
  // The first connection is the board mock's reachability probe (it sends nothing).
  assert.deepEqual(alerts.slice(-2), [">>> warning close_notify", "<<< warning close_notify"]);
});
