// The HTTPS client (firmware/https) on the board mock against Node's https with scripted answers:
// keep-alive reuse, bounded redirects, Content-Length and chunked bodies, the response size limit
// and the idle timeout. Each error must carry its code.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Pki } from "../../tools/lib/pki.mjs";
import { runApp } from "../helpers/board-app.mjs";
import { observedTlsServer } from "../helpers/tls-observe.mjs";

const chain = new Pki().chain({ label: "https tests" });
const BIN = crypto.randomBytes(20000);
for (let i = 0; i < 256; i++) BIN[i] = i; // every byte value, in the first 256 bytes

/** Handler for every path the tests use; `seen` collects "METHOD path" per request. */
function handler(seen) {
  return (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const u = req.url;
      if (u === "/loop") { res.writeHead(302, { Location: "/loop", "Content-Length": 0 }); return res.end(); }
      if (u === "/a") { res.writeHead(301, { Location: "/b", "Content-Length": 0 }); return res.end(); }
      if (u === "/b") { res.writeHead(302, { Location: `https://localhost:${req.socket.localPort}/final` }); return res.end("moved"); }
      if (u === "/post") { res.writeHead(303, { Location: "/final" }); return res.end(); }
      if (u === "/final") { res.setHeader("Content-Type", "text/plain"); return res.end(`final ${req.method} ${body.length}`); }
      if (u === "/to-http") { res.writeHead(302, { Location: "http://localhost/plain" }); return res.end(); }
      if (u === "/length") { res.writeHead(200, { "Content-Length": BIN.length }); return res.end(BIN); }
      if (u === "/chunked") {
        res.writeHead(200, { "Content-Type": "application/octet-stream" }); // no length: chunked
        res.addTrailers({ "X-Checksum": "ok" });
        const cuts = [0, 1, 101, 5101, 5104, 16000, BIN.length];
        let i = 0;
        const next = () => {
          if (i + 1 >= cuts.length) return res.end();
          res.write(BIN.subarray(cuts[i], cuts[i + 1]));
          i++;
          setTimeout(next, 5);
        };
        return next();
      }
      if (u === "/big-length") { res.writeHead(200, { "Content-Length": 5000 }); return res.end(Buffer.alloc(5000, 0x61)); }
      if (u === "/big-chunked") { res.writeHead(200, {}); res.write(Buffer.alloc(600, 0x61)); return setTimeout(() => res.end(Buffer.alloc(4400, 0x62)), 20); }
      if (u === "/stall-body") { res.writeHead(200, { "Content-Length": 10 }); return res.write("12345"); }
      if (u === "/stall-head") return; // never answers
      if (u === "/idle-close") { res.end("then closed"); return setTimeout(() => req.socket.destroy(), 100); }
      if (u === "/one" || u === "/two") { res.setHeader("Content-Type", "text/plain"); return res.end(`${u} on connection ${req.socket.remotePort}`); }
      res.writeHead(404); res.end();
    });
  };
}

async function server() {
  const seen = [];
  const srv = await observedTlsServer(chain, { https: true, handler: handler(seen) });
  srv.seen = seen;
  closers.push(srv);
  return srv;
}
const closers = [];
after(async () => { for (const c of closers) await c.close(); });

/** GET url with extra options (JSON) on the board; reports status, body, headers, error code. */
const GET_APP = `var t = require("espruino-tls"), out = { body: "" }, o = OPTS;
o.url = URL; o.ca = CA;
var req = t.https.request(o, function (res) {
  out.status = res.statusCode; out.headers = res.headers;
  res.on("data", function (d) { out.body += d; });
  res.on("end", function () { out.ended = true; t.https.closeIdle(); setTimeout(function () { done(out); }, 100); });
});
req.on("error", function (e) { out.error = e.code; out.message = e.message; setTimeout(function () { done(out); }, 100); });
req.end(BODY);`;

function get(srv, path, opts = {}, body = undefined) {
  return runApp(GET_APP, { globals: { URL: `https://localhost:${srv.port}${path}`, CA: chain.root.pem, OPTS: opts, BODY: body } });
}

test("keep-alive: two requests in a row reuse one TLS connection; closeIdle sends close_notify", { timeout: 60000 }, async () => {
  const srv = await server();
  let ended = 0;
  srv.server.on("secureConnection", (s) => s.on("end", () => ended++));
  const r = await runApp(`var t = require("espruino-tls"), out = [];
    function get(path, then) {
      var req = t.https.get({ url: BASE + path, ca: CA }, function (res) {
        var b = "";
        res.on("data", function (d) { b += d; });
        res.on("end", function () { out.push(res.statusCode + " " + b); then(); });
      });
      req.on("error", function (e) { done({ error: e.code, message: e.message }); });
    }
    get("/one", function () {
      setTimeout(function () {
        get("/two", function () { t.https.closeIdle(); setTimeout(function () { done(out); }, 300); });
      }, 20);
    });`, { globals: { BASE: `https://localhost:${srv.port}`, CA: chain.root.pem } });
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.length, 2);
  assert.match(r[0], /^200 \/one on connection \d+$/);
  const port = r[0].split(" ").pop();
  assert.equal(r[1], `200 /two on connection ${port}`, "the second request came on another TCP connection");
  assert.equal(srv.state.handshakes, 1, "TLS handshakes the server saw");
  assert.deepEqual(srv.seen, ["GET /one", "GET /two"]);
  assert.equal(ended, 1, "closeIdle ended the kept connection");
});

test("keep-alive off: Connection: close, one handshake per request", { timeout: 60000 }, async () => {
  const srv = await server();
  const a = await get(srv, "/one", { keepAlive: false });
  const b = await get(srv, "/two", { keepAlive: false });
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.equal(srv.state.handshakes, 2);
});

test("redirects: a loop stops at maxRedirects with HTTPS_TOO_MANY_REDIRECTS", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/loop", { maxRedirects: 3 });
  assert.equal(r.error, "HTTPS_TOO_MANY_REDIRECTS", r.message);
  assert.equal(r.status, undefined, "no response reached the app");
  assert.deepEqual(srv.seen, ["GET /loop", "GET /loop", "GET /loop", "GET /loop"], "the first request and 3 redirects");
});

test("redirects: the default bound is 3 too", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/loop");
  assert.equal(r.error, "HTTPS_TOO_MANY_REDIRECTS");
  assert.equal(srv.seen.length, 4);
});

test("redirects: 301 then 302 (absolute Location, body to skip) reach the final answer", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/a");
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.status, 200);
  assert.equal(r.body, "final GET 0");
  assert.deepEqual(srv.seen, ["GET /a", "GET /b", "GET /final"]);
  assert.equal(srv.state.handshakes, 1, "redirects on the same host reuse the connection");
});

test("redirects: 303 after a POST becomes a GET without body; maxRedirects 0 returns the 3xx", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/post", { method: "POST" }, "{\"a\":1}");
  assert.equal(r.body, "final GET 0");
  assert.deepEqual(srv.seen, ["POST /post", "GET /final"]);
  const z = await get(srv, "/loop", { maxRedirects: 0 });
  assert.equal(z.status, 302);
  assert.equal(z.headers.location, "/loop");
});

test("redirects: never to plain http (HTTPS_BAD_REDIRECT)", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/to-http");
  assert.equal(r.error, "HTTPS_BAD_REDIRECT", r.message);
});

test("bodies: Content-Length, 20000 bytes of every byte value, across many records and chunks", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/length");
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.headers["content-length"], "20000");
  assert.equal(r.body.length, BIN.length);
  assert.ok(r.body === BIN.toString("latin1"), "body differs");
});

test("bodies: chunked transfer coding with chunks of 1 to 10899 bytes and a trailer", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/chunked");
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.headers["transfer-encoding"], "chunked");
  assert.equal(r.body.length, BIN.length);
  assert.ok(r.body === BIN.toString("latin1"), "body differs");
});

test("size limit: Content-Length over maxBody -> HTTP_TOO_LARGE before the body", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/big-length", { maxBody: 1000 });
  assert.equal(r.error, "HTTP_TOO_LARGE", r.message);
  assert.equal(r.body, "");
});

test("size limit: a chunked body growing over maxBody -> HTTP_TOO_LARGE, at most maxBody bytes delivered", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/big-chunked", { maxBody: 1000 });
  assert.equal(r.error, "HTTP_TOO_LARGE", r.message);
  assert.ok(r.body.length <= 1000, `${r.body.length} bytes delivered`);
  assert.notEqual(r.ended, true);
});

test("size limit: a body of exactly maxBody bytes is accepted", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/big-length", { maxBody: 5000 });
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.body.length, 5000);
});

test("idle timeout: a response that stalls mid-body -> HTTP_TIMEOUT", { timeout: 60000 }, async () => {
  const srv = await server();
  const t0 = Date.now();
  const r = await get(srv, "/stall-body", { idleTimeout: 400 });
  assert.equal(r.error, "HTTP_TIMEOUT", r.message);
  assert.equal(r.body, "12345");
  assert.notEqual(r.ended, true);
  assert.ok(Date.now() - t0 < 10000);
});

test("idle timeout: no response at all -> HTTP_TIMEOUT", { timeout: 60000 }, async () => {
  const srv = await server();
  const r = await get(srv, "/stall-head", { idleTimeout: 400 });
  assert.equal(r.error, "HTTP_TIMEOUT", r.message);
  assert.equal(r.status, undefined);
});

test("keep-alive: a kept connection the server closed meanwhile is not reused; the next request opens a new one", { timeout: 60000 }, async () => {
  const srv = await server(); // "/idle-close" answers, then drops the TCP connection 100 ms later
  const r = await runApp(`var t = require("espruino-tls"), out = [];
    function get(path, then) {
      var req = t.https.get({ url: BASE + path, ca: CA }, function (res) {
        var b = "";
        res.on("data", function (d) { b += d; });
        res.on("end", function () { out.push(res.statusCode); then(); });
      });
      req.on("error", function (e) { out.push(e.code); then(); });
    }
    get("/idle-close", function () { setTimeout(function () { get("/two", function () { t.https.closeIdle(); done(out); }); }, 600); });`,
  { globals: { BASE: `https://localhost:${srv.port}`, CA: chain.root.pem } });
  assert.deepEqual(r, [200, 200]);
  assert.equal(srv.state.handshakes, 2);
});

test("handshake timeout: a server that accepts TCP and never answers -> TLS_TIMEOUT", { timeout: 60000 }, async () => {
  const net = await import("node:net");
  const sockets = [];
  const mute = net.createServer((s) => sockets.push(s));
  await new Promise((r) => mute.listen(0, "127.0.0.1", r));
  closers.push({ close: () => new Promise((r) => { for (const s of sockets) s.destroy(); mute.close(() => r()); }) });
  const t0 = Date.now();
  const r = await runApp(GET_APP, { globals: { URL: `https://localhost:${mute.address().port}/`, CA: chain.root.pem, OPTS: { timeout: 500 }, BODY: undefined } });
  assert.equal(r.error, "TLS_TIMEOUT", r.message);
  assert.ok(Date.now() - t0 < 10000);
});

test("connection refused -> CONNECT_FAILED", { timeout: 60000 }, async () => {
  const net = await import("node:net");
  const s = net.createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const port = s.address().port;
  await new Promise((r) => s.close(r)); // nothing listens there now
  const r = await runApp(GET_APP, { globals: { URL: `https://localhost:${port}/`, CA: chain.root.pem, OPTS: {}, BODY: undefined } });
  assert.equal(r.error, "CONNECT_FAILED", r.message);
});
