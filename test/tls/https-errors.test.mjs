// The HTTPS client's own refusals (firmware/https): a header that would split the request, a
// status line that is not HTTP, a body cut short by close_notify, and postJSON given a body that
// is not JSON. Each reaches the app as an error event with its code, once.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { runApp } from "../helpers/board-app.mjs";
import { observedTlsServer } from "../helpers/tls-observe.mjs";

const chain = new Pki().chain({ label: "https errors" });
const closers = [];
after(async () => { for (const c of closers) await c.close(); });

/** A TLS 1.3 server that answers the first request with `raw` bytes, then ends (close_notify). */
async function rawServer(raw) {
  const srv = await observedTlsServer(chain, {
    onSecure: (s) => { let got = ""; s.on("data", (d) => { got += d; if (got.includes("\r\n\r\n")) s.end(raw); }); },
  });
  closers.push(srv);
  return srv;
}

const GET_APP = `var t = require("espruino-tls"), out = { errors: [], body: "" }, o = OPTS;
o.url = URL; o.ca = CA;
try {
  var req = t.https.request(o, function (res) {
    out.status = res.statusCode;
    res.on("data", function (d) { out.body += d; });
    res.on("end", function () { out.ended = true; });
  });
  req.on("error", function (e) { out.errors.push(e.code); out.message = e.message; });
  req.end();
} catch (e) { out.thrown = e.code; out.message = e.message; }
setTimeout(function () { done(out); }, 3000);`;

const get = (port, opts = {}) => runApp(GET_APP, { timeoutMs: 30000, globals: { URL: `https://localhost:${port}/x`, CA: chain.root.pem, OPTS: opts } });

test("a header value with a line break is refused: HTTPS_BAD_HEADER, nothing sent after it", { timeout: 60000 }, async () => {
  let requests = 0;
  const srv = await observedTlsServer(chain, { onSecure: (s) => s.on("data", () => { requests++; s.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"); }) });
  closers.push(srv);
  const r = await get(srv.port, { headers: { "X-Note": "a\r\nInjected: yes" } });
  const code = r.thrown || r.errors[0];
  assert.equal(code, "HTTPS_BAD_HEADER", JSON.stringify(r));
  assert.equal(r.status, undefined, "no response");
  assert.equal(requests, 0, "no request bytes reached the server");
});

test("a status line that is not HTTP: HTTP_BAD_RESPONSE", { timeout: 60000 }, async () => {
  const srv = await rawServer("SMTP/1.0 200 OK\r\n\r\n");
  const r = await get(srv.port);
  assert.deepEqual(r.errors, ["HTTP_BAD_RESPONSE"], r.message);
  assert.equal(r.status, undefined);
});

test("close_notify before the Content-Length body is complete: HTTP_TRUNCATED", { timeout: 60000 }, async () => {
  const srv = await rawServer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
  const r = await get(srv.port);
  assert.deepEqual(r.errors, ["HTTP_TRUNCATED"], r.message);
  assert.notEqual(r.ended, true, "no end event for a truncated body");
});

test("postJSON: a JSON content type with a body that is not JSON gives HTTP_BAD_JSON", { timeout: 60000 }, async () => {
  const srv = await rawServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{not json");
  const r = await runApp(`var t = require("espruino-tls");
t.https.postJSON({ url: URL, ca: CA }, { a: 1 }, function (err, res) { done({ err: err && err.code, res: res }); });`,
  { timeoutMs: 30000, globals: { URL: `https://localhost:${srv.port}/j`, CA: chain.root.pem } });
  assert.equal(r.err, "HTTP_BAD_JSON");
  assert.equal(r.res, undefined);
});
