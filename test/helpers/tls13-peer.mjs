// The misbehaving TLS 1.3 peer for test/conformance/tls13-*.test.mjs: the scripted server of
// tls13-script.mjs, a trusted chain for it, and the product bundle on the board mock connecting
// to it with tls.connect. A test says what the server does wrong and checks how the client ends:
// its error code, the one alert it sent (and whether encrypted), no "connect", no data.
import assert from "node:assert/strict";
import { after } from "node:test";
import { Pki } from "../../tools/lib/pki.mjs";
import { runApp } from "./board-app.mjs";
import { scriptedServer } from "./tls13-script.mjs";

const pki = new Pki();
const root = pki.cert("root", { ca: true, cn: "conformance root", days: 3650 });
const inter = pki.cert("inter", { ca: true, cn: "conformance intermediate", issuer: root, days: 365 });
export const chain = { root, inter, leaf: pki.cert("leaf", { issuer: inter, cn: "localhost", san: ["DNS:localhost"] }) };
let rsa = null;
/** The same chain with an RSA-2048 leaf (made on first use). */
export function rsaChain() {
  return rsa || (rsa = { root, inter, leaf: pki.cert("leaf-rsa", { issuer: inter, cn: "localhost", san: ["DNS:localhost"], key: "rsa" }) });
}

/** tls.connect to PORT with the options OPTS; SEND is written on connect, every received piece
 *  is echoed back as "echo:<data>" when ECHO; ends the connection END ms after connect; CONNECTS
 *  connections one after the other (session cache shared). done() once the last one closed. */
const APP = `var t = require("espruino-tls"), all = [];
function one(i) {
  var r = { connected: false, data: "", errors: [], tickets: 0 };
  all.push(r);
  var o = { host: "localhost", port: PORT, ca: CA, timeout: 15000 };
  for (var k in OPTS) o[k] = OPTS[k];
  var s = t.tls.connect(o, function (info) {
    r.connected = true; r.group = info.group; r.suite = info.suite;
    if (SEND) s.write(SEND);
    setTimeout(function () { s.end(); }, END);
  });
  if (EARLY) { try { s.write("early"); } catch (e) { r.early = e.code; } }
  s.on("data", function (d) { r.data += d; if (ECHO) s.write("echo:" + d); });
  s.on("ticket", function () { r.tickets++; });
  s.on("end", function () { r.ended = true; });
  s.on("error", function (e) { r.errors.push(e.code); if (!r.error) { r.error = e.code; r.message = e.message; } });
  s.on("close", function () { if (i + 1 < CONNECTS) one(i + 1); else done(all); });
}
one(0);`;

const servers = [];
after(async () => { for (const s of servers) await s.close(); });

/**
 * Runs the scripted server with `serverOpts` (chain added) and the client against it.
 * client: { opts (tls.connect options), send, echo, end (ms), connects, early (write() at once,
 * before the handshake: r.early is the code thrown), timeoutMs (for the whole app, default 30 s) }.
 * Returns { r (the client's last connection), rs (all), out (the server's view of the last
 * connection), outs }.
 */
export async function talk(serverOpts, client = {}) {
  const srv = await scriptedServer({ chain, ...serverOpts });
  servers.push(srv);
  const connects = client.connects || 1;
  const rs = await runApp(APP, {
    timeoutMs: client.timeoutMs || 30000,
    globals: { PORT: srv.port, CA: root.pem, OPTS: client.opts || {}, SEND: client.send || "", ECHO: !!client.echo, END: client.end || 300, CONNECTS: connects, EARLY: !!client.early },
  });
  const end = Date.now() + 5000;
  while (!(srv.outs.length === connects && srv.outs.every((o) => o.closed)) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const out = srv.outs[srv.outs.length - 1];
  assert.ok(out && out.closed, "the scripted server saw no connection close");
  assert.equal(out.error, null, out.error);
  return { r: rs[rs.length - 1], rs, out, outs: srv.outs };
}

/** The client refused: error `code`, exactly one fatal alert `alert` (encrypted or not), no
 *  connection, no Finished, no data. */
export function assertRefused({ r, out }, code, alert, encrypted) {
  assert.equal(r.error, code, r.message);
  assert.equal(r.connected, false, "the app saw a connection");
  assert.equal(out.finished, false, "the client sent its Finished");
  assert.equal(r.data, "", "data reached the app");
  assert.deepEqual(out.alerts, [{ level: 2, desc: alert, encrypted }], "the alerts the client sent");
}
