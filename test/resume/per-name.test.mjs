// Sessions are kept per server name: a TLS 1.3 ticket or a TLS 1.2 session made for one name is
// never offered to another name on the same host and port. Resuming skips the certificate, so an
// offered session would let a server with a certificate for "localhost" be accepted as
// "wrong.example". Two layers are tested apart:
//  - the session cache's key (socket.ts: name@host:port): the real cache, names in turn;
//  - the clients' own check (client13.ts pskOffer, client.ts for TLS 1.2): a cache that hands the
//    other name's ticket and session to the connection anyway.
// A proxy reads each ClientHello: no pre_shared_key, an empty session_ticket, a fresh session id.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps12 } from "../helpers/tls12-servers.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";
import { runApp } from "../helpers/board-app.mjs";
import { parseClientHello } from "../helpers/tls13-script.mjs";

const chain = new Pki().chain({ label: "per-name" });
const VERSIONS = [["TLS 1.3", { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" }], ["TLS 1.2", {}]];
const toClose = [];
after(async () => { for (const c of toClose) await c.close(); });

/** A TCP proxy that keeps each connection's ClientHello (parsed) in `hellos`, in order. */
async function helloProxy(port) {
  const hellos = [];
  const sockets = new Set();
  const server = net.createServer((client) => {
    const up = net.connect(port, "127.0.0.1");
    sockets.add(client); sockets.add(up);
    let buf = Buffer.alloc(0), seen = false;
    client.on("data", (d) => {
      up.write(d);
      if (seen) return;
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) { seen = true; hellos.push(parseClientHello(buf.subarray(5, 5 + buf.readUInt16BE(3)))); }
    });
    up.on("data", (d) => client.write(d));
    const end = () => { client.destroy(); up.destroy(); };
    client.on("error", end); up.on("error", end); client.on("close", end); up.on("close", end);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const p = { port: server.address().port, hellos, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }) };
  toClose.push(p);
  return p;
}

async function serverAndProxy(tls) {
  const s = await nodeHttps12(chain, { tls });
  toClose.push(s);
  return { s, px: await helloProxy(s.port) };
}

/** The ClientHello offered nothing to resume. */
function offeredNothing(h, what) {
  assert.equal(h.ext[41], undefined, `${what}: pre_shared_key offered`);
  assert.equal(h.ext[35].length, 0, `${what}: a session ticket offered`);
}

for (const [label, tls] of VERSIONS) {
  test(`${label}: a session for "localhost" is not offered to "wrong.example" or "127.0.0.1" on the same host and port`, { timeout: 90000 }, async () => {
    const { px } = await serverAndProxy(tls);
    const name = (n) => ({ opts: { servername: n } });
    const r = await runPlan([name("localhost"), name("wrong.example"), name("127.0.0.1"), name("localhost")], { port: px.port, ca: chain.root.pem });
    const [a, wrong, ip, again] = r.results;
    assert.equal(a.err, null, a.msg);
    assert.equal(a.resumed, false);
    // Offered the session, the server would have resumed it and no certificate would be checked.
    assert.equal(wrong.err, "NAME_MISMATCH", wrong.msg);
    assert.equal(ip.err, null, ip.msg);
    assert.equal(ip.resumed, false, "127.0.0.1 resumed the session of localhost");
    // ...while "localhost" itself still resumes: the session was there to be offered.
    assert.equal(again.err, null, again.msg);
    assert.equal(again.resumed, true, "localhost did not resume");
    assert.equal(px.hellos.length, 4);
    offeredNothing(px.hellos[1], "wrong.example");
    offeredNothing(px.hellos[2], "127.0.0.1");
    assert.ok(px.hellos[3].ext[41] || px.hellos[3].ext[35].length, "localhost offered its session");
  });
}

// The board: a first connection to "localhost" keeps its ticket / TLS 1.2 session; the second,
// to NAME, gets a cache that returns them whatever the key.
const STOLEN_APP = `var t = require("espruino-tls"), tk = null, s12 = null, out = {};
var real = new t.tls.SessionCache();
var a = t.tls.connect({ host: "localhost", port: PORT, ca: CA, session: real }, function () {
  a.write("GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n");
});
a.on("ticket", function (x) { tk = x; });
a.on("session", function (x) { s12 = x; });
a.on("error", function (e) { out.first = e.code; });
a.on("close", function () {
  out.kept = !!(tk || s12);
  var leak = { get12: function () { return s12; }, take13: function () { return tk; }, put12: function () {}, put13: function () {}, drop12: function () {} };
  var b = t.tls.connect({ host: "localhost", servername: NAME, port: PORT, ca: CA, session: leak }, function () { out.connected = true; b.end(); });
  b.on("progress", function (p) { if (p === "resumed" || p === "resume_offered" || p === "resume_offered_12") out.offer = p; });
  b.on("error", function (e) { out.error = e.code; });
  b.on("close", function () { done(out); });
});`;

for (const [label, tls] of VERSIONS) {
  test(`${label}: the client does not offer another name's session even when the cache hands it over`, { timeout: 90000 }, async () => {
    const { px } = await serverAndProxy(tls);
    const r = await runApp(STOLEN_APP, { globals: { PORT: px.port, CA: chain.root.pem, NAME: "wrong.example" } });
    assert.equal(r.first, undefined, r.first);
    assert.equal(r.kept, true, "the first connection left nothing to resume");
    assert.equal(r.offer, undefined, `the client offered it (${r.offer})`);
    assert.equal(r.error, "NAME_MISMATCH");
    assert.notEqual(r.connected, true);
    assert.equal(px.hellos.length, 2);
    offeredNothing(px.hellos[1], "wrong.example");
  });
}
