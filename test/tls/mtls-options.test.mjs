// key / cert / ca in every form an Espruino app has (tls/options.ts), checked by a Node TLS server
// that requires and verifies a client certificate (requestCert + rejectUnauthorized, the device
// CA) and reports the subject it got (getPeerCertificate); option refusals (each with its code,
// and nothing on the network); ALPN (ALPNProtocols, socket.alpnProtocol, a protocol that was not
// offered refused in TLS 1.3 and 1.2); and the socket's end/close and write-before-connect semantics.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { runApp } from "../helpers/board-app.mjs";
import { mitmProxy } from "../helpers/tls-observe.mjs";
import { scriptedServer, handshake, seal } from "../helpers/tls13-script.mjs";
import { mtlsPki } from "../helpers/mtls.mjs";

const closers = [];
after(async () => { for (const c of closers) { try { await c(); } catch { /* gone */ } } });

/** Node TLS server: requires a device certificate (unless requestCert: false), answers each
 *  connection with "CN=<peer subject CN>;ALPN=<protocol>" and then per `mode`: "end" (close_notify),
 *  "destroy" (TCP close, no close_notify), "echo" (echo what arrives, end on "bye"). */
async function nodeServer({ version = "TLSv1.3", mode = "end", alpn, requestCert = true } = {}) {
  const P = mtlsPki();
  const state = { connections: 0, cns: [], received: "", alpn: [] };
  const server = tls.createServer({
    key: readFileSync(P.server.leaf.keyFile), cert: P.server.leaf.pem + P.server.inter.pem,
    minVersion: version, maxVersion: version, requestCert, rejectUnauthorized: requestCert, ca: P.ca.pem,
    ALPNProtocols: alpn,
  }, (s) => {
    const cn = requestCert ? s.getPeerCertificate().subject.CN : "";
    state.cns.push(cn);
    state.alpn.push(s.alpnProtocol);
    s.on("error", () => {});
    if (mode === "echo") {
      s.on("data", (d) => { state.received += d; if (String(d).includes("bye")) s.end(); else s.write(d); });
      return;
    }
    s.write(`CN=${cn};ALPN=${s.alpnProtocol}`, () => {
      setTimeout(() => { if (mode === "destroy") s.destroy(); else s.end(); }, 200);
    });
  });
  server.on("connection", () => { state.connections++; });
  server.on("tlsClientError", () => {});
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const sockets = new Set();
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  closers.push(() => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return { port: server.address().port, state };
}

// The app connects once per entry of CASES (OPTS built by the case's code, run on the board),
// one after the other, without session resumption (each must send its certificate).
const FORMS_APP = `var t = require("espruino-tls"), out = [], i = 0;
function next() {
  if (i >= CASES.length) { done(out); return; }
  var c = CASES[i++], r = { name: c.name, got: "", events: [] };
  out.push(r);
  var o = eval("(" + c.opts + ")");
  o.host = "localhost"; o.port = PORT; o.session = false; o.timeout = 30000;
  if (o.ca === undefined) o.ca = SERVER_CA;
  var s;
  try { s = t.tls.connect(o, function () { r.connected = true; r.alpn = s.alpnProtocol; }); }
  catch (e) { r.thrown = e.code; r.message = e.message; setTimeout(next, 10); return; }
  r.alpnBefore = s.alpnProtocol;
  s.on("data", function (d) { r.got += d; });
  s.on("error", function (e) { r.events.push("error:" + e.code); r.message = e.message; });
  s.on("end", function () { r.events.push("end"); });
  s.on("close", function () { r.events.push("close"); r.truncated = s.truncated; setTimeout(next, 10); });
}
next();`;

function b64(buf) { return Buffer.from(buf).toString("base64"); }

async function runCases(port, cases, files = {}, extra = {}) {
  const P = mtlsPki();
  return runApp(FORMS_APP, {
    files, timeoutMs: 240000,
    globals: {
      PORT: port, CASES: cases, SERVER_CA: P.server.root.pem,
      KEY_PEM: P.p256.keyPem, SEC1: P.sec1, CERT_PEM: P.p256.pem, CA_PEM: P.ca.pem,
      KEY_B64: b64(P.keyDer), CERT_B64: b64(P.p256.der), SERVER_ROOT_B64: b64(P.server.root.der),
      FOREIGN_KEY: P.foreign.keyPem, ENCRYPTED: P.encrypted, RSA_KEY: P.pkcs1, RSA_CERT: P.rsa.pem, ...extra,
    },
  });
}

test("option forms: key/cert/ca as PEM, DER string, Uint8Array, ArrayBuffer, arrays, Storage names, functions: the server verifies the device each time", { timeout: 300000 }, async () => {
  const P = mtlsPki();
  const srv = await nodeServer();
  const cases = [
    { name: "PKCS#8 PEM key, PEM chain of two blocks (leaf + CA)", opts: "{ key: KEY_PEM, cert: CERT_PEM + CA_PEM }" },
    { name: "SEC1 PEM key", opts: "{ key: SEC1, cert: CERT_PEM }" },
    { name: "DER byte strings (atob)", opts: "{ key: atob(KEY_B64), cert: atob(CERT_B64), ca: atob(SERVER_ROOT_B64) }" },
    { name: "Uint8Array", opts: "{ key: E.toUint8Array(atob(KEY_B64)), cert: E.toUint8Array(atob(CERT_B64)), ca: E.toUint8Array(atob(SERVER_ROOT_B64)) }" },
    { name: "ArrayBuffer", opts: "{ key: E.toUint8Array(atob(KEY_B64)).buffer, cert: E.toUint8Array(atob(CERT_B64)).buffer, ca: E.toUint8Array(atob(SERVER_ROOT_B64)).buffer }" },
    { name: "arrays (cert chain [DER, PEM], ca [DER string, PEM])", opts: "{ key: KEY_PEM, cert: [E.toUint8Array(atob(CERT_B64)), CA_PEM], ca: [atob(SERVER_ROOT_B64), CA_PEM] }" },
    { name: "Storage file names (PEM key, DER cert, DER ca)", opts: "{ key: 'dev.key', cert: 'dev.crt', ca: 'srv.ca' }" },
    { name: "functions", opts: "{ key: function () { return require('Storage').read('dev.key'); }, cert: function () { return [atob(CERT_B64)]; }, ca: function () { return 'srv.ca'; } }" },
  ];
  const files = { "dev.key": P.p256.keyPem, "dev.crt": P.p256.der.toString("latin1"), "srv.ca": P.server.root.der.toString("latin1") };
  const out = await runCases(srv.port, cases, files);
  for (const r of out) {
    assert.equal(r.thrown, undefined, `${r.name}: ${r.thrown} ${r.message}`);
    assert.equal(r.connected, true, `${r.name}: ${r.events.join(" ")} ${r.message}`);
    assert.match(r.got, /^CN=device-p256;/, r.name);
  }
  assert.deepEqual(srv.state.cns, cases.map(() => "device-p256"), "the server verified the device certificate on every connection");
});

test("option refusals: each has its code, thrown by tls.connect before anything goes on the network", { timeout: 120000 }, async () => {
  const srv = await nodeServer();
  const garbage = "\\x30\\x82\\x01\\x00" + "abcdefghijklmnopqrstuvwxyz0123456789";
  const cases = [
    { name: "key of another certificate", code: "KEY_CERT_MISMATCH", opts: "{ key: FOREIGN_KEY, cert: CERT_PEM }" },
    { name: "encrypted key", code: "KEY_ENCRYPTED", opts: "{ key: ENCRYPTED, cert: CERT_PEM }" },
    { name: "garbage key (PEM)", code: "BAD_KEY", opts: "{ key: '-----BEGIN PRIVATE KEY-----\\\\nAAAA\\\\n-----END PRIVATE KEY-----\\\\n', cert: CERT_PEM }" },
    { name: "garbage key (DER string)", code: "BAD_KEY", opts: `{ key: "${garbage}", cert: CERT_PEM }` },
    { name: "garbage cert (DER string)", code: "BAD_CERT", opts: `{ key: KEY_PEM, cert: "${garbage}" }` },
    { name: "a key given as cert", code: "BAD_CERT", opts: "{ key: KEY_PEM, cert: KEY_PEM }" },
    { name: "garbage ca (DER string)", code: "BAD_CA", opts: `{ ca: "${garbage}" }` },
    { name: "a key given as ca", code: "BAD_CA", opts: "{ ca: KEY_PEM }" },
    { name: "ca of the wrong type", code: "BAD_CA", opts: "{ ca: 42 }" },
    { name: "key without cert", code: "CERT_MISSING", opts: "{ key: KEY_PEM }" },
    { name: "cert without key", code: "KEY_MISSING", opts: "{ cert: CERT_PEM }" },
    { name: "a Storage name that does not exist", code: "FILE_NOT_FOUND", opts: "{ key: 'nosuch.key', cert: CERT_PEM }" },
  ];
  const out = await runCases(srv.port, cases);
  cases.forEach((c, i) => assert.equal(out[i].thrown, c.code, `${c.name}: ${out[i].thrown} ${out[i].message} ${out[i].events}`));
  assert.doesNotMatch(JSON.stringify(out), /BEGIN PRIVATE KEY|MIG/, "no key material in any message");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(srv.state.connections, 0, "a connection was opened for a refused option");
});

// RSA keys are checked in full by tls.connect (n = p*q included: one native dot product per
// column now, a few ms); a key file without its public key has that key computed in slices
// before the connection opens (identity/key.ts, tls/options.ts): its mismatch with the
// certificate is then the socket's error event, and still nothing is opened.
test("RSA key refusals are thrown by tls.connect: n != p*q (BAD_KEY), an RSA key with a P-256 certificate and a P-256 key with the RSA certificate (KEY_CERT_MISMATCH); nothing opened", { timeout: 120000 }, async () => {
  const P = mtlsPki();
  const srv = await nodeServer();
  const der = P.pemToDer(P.pkcs1);
  const broken = Buffer.from(der);
  broken[40] ^= 1; // inside n (PKCS#1: SEQUENCE, version, then n from byte 11)
  const cases = [
    { name: "RSA key with n != p*q", code: "BAD_KEY", opts: "{ key: atob(BROKEN_RSA), cert: RSA_CERT }" },
    { name: "RSA key, P-256 certificate", code: "KEY_CERT_MISMATCH", opts: "{ key: RSA_KEY, cert: CERT_PEM }" },
    { name: "P-256 key, RSA certificate", code: "KEY_CERT_MISMATCH", opts: "{ key: KEY_PEM, cert: RSA_CERT }" },
  ];
  const out = await runCases(srv.port, cases, {}, { BROKEN_RSA: broken.toString("base64") });
  cases.forEach((c, i) => assert.equal(out[i].thrown, c.code, `${c.name}: ${out[i].thrown} ${out[i].message} ${out[i].events}`));
  assert.match(out[0].message, /p\*q/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(srv.state.connections, 0, "a connection was opened for a refused key");
});

test("a key file without its public key (SEC1 -no_public): computed in slices before connecting; another certificate's key -> error KEY_CERT_MISMATCH, end, close and no connection; its own certificate's key connects", { timeout: 180000 }, async () => {
  const P = mtlsPki();
  const noPub = (file) => execFileSync("openssl", ["ec", "-in", file, "-no_public"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const srv = await nodeServer();
  const bad = await runCases(srv.port, [{ name: "foreign key, no public key", opts: "{ key: FOREIGN_NOPUB, cert: CERT_PEM }" }], {}, { FOREIGN_NOPUB: noPub(P.foreign.keyFile) });
  assert.equal(bad[0].thrown, undefined, "not thrown: the check ends in slices");
  assert.deepEqual(bad[0].events, ["error:KEY_CERT_MISMATCH", "end", "close"], bad[0].message);
  assert.doesNotMatch(JSON.stringify(bad), /BEGIN EC PRIVATE KEY|MH/, "no key material in the message");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(srv.state.connections, 0, "a connection was opened before the key was checked");
  const good = await runCases(srv.port, [{ name: "own key, no public key", opts: "{ key: OWN_NOPUB, cert: CERT_PEM }" }], {}, { OWN_NOPUB: noPub(P.p256.keyFile) });
  assert.equal(good[0].thrown, undefined, good[0].message);
  assert.equal(good[0].connected, true, `${good[0].events} ${good[0].message}`);
  assert.match(good[0].got, /^CN=device-p256;/);
});

for (const version of ["TLSv1.3", "TLSv1.2"]) {
  test(`ALPN ${version}: ALPNProtocols offered, socket.alpnProtocol set (false before, and without ALPN); the older alpn option still works`, { timeout: 120000 }, async () => {
    const srv = await nodeServer({ version, alpn: ["x-amzn-mqtt-ca", "http/1.1"], requestCert: false });
    const plain = await nodeServer({ version, requestCert: false });
    const a = await runCases(srv.port, [
      { name: "ALPNProtocols", opts: "{ ALPNProtocols: ['x-amzn-mqtt-ca'] }" },
      { name: "alpn", opts: "{ alpn: ['http/1.1'] }" },
      { name: "none", opts: "{}" },
    ]);
    const b = await runCases(plain.port, [{ name: "server without ALPN", opts: "{ ALPNProtocols: ['x-amzn-mqtt-ca'] }" }]);
    assert.equal(a[0].alpn, "x-amzn-mqtt-ca", a[0].message);
    assert.equal(a[0].alpnBefore, false);
    assert.equal(a[1].alpn, "http/1.1");
    assert.equal(a[2].alpn, false);
    assert.equal(b[0].alpn, false);
    assert.deepEqual(srv.state.alpn, ["x-amzn-mqtt-ca", "http/1.1", false]);
  });
}

test("ALPN TLS 1.3: a server choosing a protocol that was not offered -> TLS_BAD_ALPN, alert illegal_parameter", { timeout: 60000 }, async () => {
  const P = mtlsPki();
  const ext = Buffer.concat([Buffer.from([0, 16]), Buffer.from([0, 5, 0, 3, 2]), Buffer.from("h2")]);
  const srv = await scriptedServer({
    chain: P.server,
    flight: [(ctx) => seal(ctx.keys.sHs, 22, handshake(8, Buffer.concat([Buffer.from([0, ext.length]), ext])))],
  });
  closers.push(srv.close);
  const [r] = await runCases(srv.port, [{ name: "bad alpn", opts: "{ ALPNProtocols: ['x-amzn-mqtt-ca'], ca: CA_PEM }" }]);
  assert.equal(r.connected, undefined);
  assert.equal(r.events[0], "error:TLS_BAD_ALPN", r.message);
  const res = await srv.result;
  assert.deepEqual(res.alerts.map((x) => x.desc), [47]);
});

test("ALPN TLS 1.2: a ServerHello naming a protocol that was not offered -> TLS_BAD_ALPN", { timeout: 60000 }, async () => {
  const srv = await nodeServer({ version: "TLSv1.2", alpn: ["http/1.1"], requestCert: false });
  // The ServerHello is in the clear in TLS 1.2: the proxy renames the protocol (same length).
  let rewritten = false;
  const px = await mitmProxy(srv.port, (rec) => {
    const at = rec.indexOf("http/1.1");
    if (rec[0] === 22 && at > 0) { rec.write("spdy/1 ", at); rewritten = true; }
    return rec;
  });
  closers.push(px.close);
  const [r] = await runCases(px.port, [{ name: "bad alpn 1.2", opts: "{ ALPNProtocols: ['http/1.1'] }" }]);
  assert.ok(rewritten, "the proxy found the ALPN extension");
  assert.equal(r.connected, undefined);
  assert.equal(r.events[0], "error:TLS_BAD_ALPN", r.message);
  assert.equal(srv.state.cns.length, 0, "the server completed no handshake");
});

test("socket: end then close after close_notify, after a TCP close without close_notify (truncated, TLS_TRUNCATED), after a local end(); write() and end() before the handshake are queued", { timeout: 120000 }, async () => {
  const notify = await nodeServer({ requestCert: false });
  const cut = await nodeServer({ requestCert: false, mode: "destroy" });
  const echo = await nodeServer({ requestCert: false, mode: "echo" });
  const [a] = await runCases(notify.port, [{ name: "close_notify", opts: "{}" }]);
  assert.deepEqual(a.events, ["end", "close"], JSON.stringify(a));
  assert.equal(a.truncated, false);
  const [b] = await runCases(cut.port, [{ name: "TCP close", opts: "{}" }]);
  assert.match(b.got, /^CN=/);
  assert.deepEqual(b.events, ["error:TLS_TRUNCATED", "end", "close"]);
  assert.equal(b.truncated, true);
  // Written right after tls.connect returned, long before the handshake finished; end() too.
  const r = await runApp(`var t = require("espruino-tls"), ev = [];
    var s = t.tls.connect({ host: "localhost", port: PORT, ca: CA }, function () { ev.push("connect"); });
    s.write("queued-1;"); s.write(E.toUint8Array("queued-2;")); s.end("bye");
    s.on("error", function (e) { ev.push("error:" + e.code); });
    s.on("end", function () { ev.push("end"); });
    s.on("close", function () { ev.push("close"); done(ev); });`, { globals: { PORT: echo.port, CA: mtlsPki().server.root.pem } });
  assert.deepEqual(r, ["connect", "end", "close"]);
  assert.equal(echo.state.received, "queued-1;queued-2;bye", "the queued writes reached the server in order");
  // A local end() after the handshake: end, then close.
  const l = await runApp(`var t = require("espruino-tls"), ev = [];
    var s = t.tls.connect({ host: "localhost", port: PORT, ca: CA }, function () { s.end(); });
    s.on("error", function (e) { ev.push("error:" + e.code); });
    s.on("end", function () { ev.push("end"); });
    s.on("close", function () { ev.push("close"); done(ev); });`, { globals: { PORT: echo.port, CA: mtlsPki().server.root.pem } });
  assert.deepEqual(l, ["end", "close"]);
});

test("socket: a fatal alert (the server's certificate is refused) gives error, end, close", { timeout: 60000 }, async () => {
  const srv = await nodeServer({ requestCert: false });
  const [r] = await runCases(srv.port, [{ name: "untrusted", opts: "{ ca: CA_PEM }" }]);
  assert.deepEqual(r.events, ["error:UNKNOWN_ISSUER", "end", "close"]);
});

test("TLS 1.3 CertificateRequest without signature_algorithms -> TLS_MISSING_EXTENSION, alert missing_extension (109)", { timeout: 60000 }, async () => {
  const P = mtlsPki();
  // context "" and an empty extension list
  const srv = await scriptedServer({ chain: P.server, flight: ["EE", (ctx) => seal(ctx.keys.sHs, 22, handshake(13, Buffer.from([0, 0, 0])))] });
  closers.push(srv.close);
  const [r] = await runCases(srv.port, [{ name: "no sigalgs", opts: "{ ca: CA_PEM, key: KEY_PEM, cert: CERT_PEM }" }]);
  assert.equal(r.events[0], "error:TLS_MISSING_EXTENSION", r.message);
  const res = await srv.result;
  assert.deepEqual(res.alerts.map((x) => x.desc), [109]);
});

test("TLS 1.3 never signs with rsa_pkcs1 (RFC 8446 §4.2.3): a CertificateRequest allowing only rsa_pkcs1_sha256 -> TLS_NO_SIGNATURE_SCHEME, alert handshake_failure, no Certificate sent", { timeout: 60000 }, async () => {
  const P = mtlsPki();
  const sigalgs = Buffer.from([0, 13, 0, 4, 0, 2, 4, 1]); // signature_algorithms: rsa_pkcs1_sha256
  const cr = handshake(13, Buffer.concat([Buffer.from([0, 0, sigalgs.length]), sigalgs]));
  const srv = await scriptedServer({ chain: P.server, flight: ["EE", (ctx) => seal(ctx.keys.sHs, 22, cr)] });
  closers.push(srv.close);
  const [r] = await runCases(srv.port, [{ name: "pkcs1 only", opts: "{ ca: CA_PEM, key: RSA_KEY, cert: RSA_CERT }" }]);
  assert.equal(r.events[0], "error:TLS_NO_SIGNATURE_SCHEME", r.message);
  assert.match(r.message, /the server accepts 0x0401, this key can make 0x0804 0x0805 0x0806 0x0401 0x0501 0x0601/);
  const res = await srv.result;
  assert.deepEqual(res.alerts.map((x) => x.desc), [40]);
  assert.equal(res.finished, false);
});
