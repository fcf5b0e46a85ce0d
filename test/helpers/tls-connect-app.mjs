// The board side of certificate tests over TLS: the product bundle on the board mock runs
// tls.connect to a local server and reports the error code, whether "connect" ever fired, and
// what it received. A connection that works is ended after a second. done() runs on "close",
// i.e. once the alert or close_notify has been written out.
import { runApp } from "./board-app.mjs";

const CONNECT_APP = `var t = require("espruino-tls"), r = { connected: false, data: "", errors: [] };
var o = { host: HOST, port: PORT, ca: CA, timeout: 20000 };
if (SERVERNAME) o.servername = SERVERNAME;
if (KEY) { o.key = KEY; o.cert = CERT; }
var s = t.tls.connect(o, function () {
  r.connected = true;
  if (SEND) s.write(SEND);
  setTimeout(function () { s.end(); }, 1000);
});
s.on("data", function (d) { r.data += d; });
s.on("end", function () { r.ended = true; });
s.on("error", function (e) { r.errors.push(e.code); if (!r.error) { r.error = e.code; r.message = e.message; } });
s.on("close", function () { done(r); });`;

/** Connects to local `port` as `host` (servername: the name verified and sent as SNI when host
 *  is an address) trusting the PEM `ca`, or with ca null the CA store image `store` written to
 *  Storage as etls.ca; sends `send` once connected; `key`/`cert` (PEM): a client certificate. */
export async function connectApp(port, { ca, store = null, host = "localhost", servername = "", send = "", key = "", cert = "" }) {
  const files = store ? { "etls.ca": Buffer.from(store).toString("latin1") } : {};
  return runApp(CONNECT_APP, { timeoutMs: 30000, files, globals: { HOST: host, PORT: port, CA: ca, SEND: send, SERVERNAME: servername, KEY: key, CERT: cert } });
}

export async function until(cond, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}
