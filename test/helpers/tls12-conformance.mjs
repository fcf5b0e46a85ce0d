// What the test/conformance/tls12-* files share: a PKI of their own, scripted TLS 1.2 servers
// (tls12-script.mjs) closed after the file, one connection from a fresh board with what each side
// saw, and the two verdicts (refused during the handshake; completed).
import { after } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { scriptedServer12 } from "./tls12-script.mjs";
import { connectApp } from "./tls-connect-app.mjs";

export const REQUEST = "GET / HTTP/1.0\r\n\r\n";
export const RESPONSE = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";

/**
 * For one test file: { chain, server(opts), once(opts, send), closeAfter(...x) }. server() starts
 * a scripted server with `opts`; once() connects to a new one from a fresh board (sending `send`
 * when connected; `client`: more connectApp options, key and cert) and returns { r: the board's report, out: what the server saw }; everything
 * started or given to closeAfter() is closed after the file's tests.
 */
export function conformance(label) {
  const chain = new Pki().chain({ label });
  const toClose = [];
  after(async () => { for (const c of toClose) await c.close(); });
  const closeAfter = (...x) => { toClose.push(...x); };
  async function server(opts) {
    const s = await scriptedServer12({ chain, ...opts });
    toClose.push(s);
    return s;
  }
  async function once(opts, send = REQUEST, client = {}) {
    const s = await server(opts);
    const r = await connectApp(s.port, { ca: chain.root.pem, send, ...client });
    const out = await Promise.race([s.next(), new Promise((res) => setTimeout(() => res(null), 5000))]);
    assert.ok(out, "the server saw no connection close");
    return { r, out };
  }
  return { chain, server, once, closeAfter };
}

/** Refused during the handshake with `code`: no "connect", no data either way, and the server
 *  received exactly the fatal alert `alert` (encrypted or not). */
export function refused({ r, out }, code, alert, encrypted = false) {
  assert.equal(r.error, code, r.message);
  assert.equal(r.connected, false, "the app saw a connection");
  assert.equal(r.data, "", "data reached the app");
  assert.deepEqual(out.alerts, [{ level: 2, desc: alert, encrypted }]);
  assert.deepEqual(out.appData, [], "the client sent application data");
}

/** The handshake completed on both sides (both Finished verified) and the response arrived. */
export function completed({ r, out }) {
  assert.equal(r.errors.length, 0, `${r.error}: ${r.message}`);
  assert.equal(r.connected, true);
  assert.equal(out.finished, true, "the client's Finished verified at the server");
  assert.equal(r.data, RESPONSE);
  assert.equal(out.error, null, out.error);
}
