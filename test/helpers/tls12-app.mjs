// Runs a plan of sequential tls.connect connections on one simulated board (so the session and
// chain caches carry over between them) and reports what each connection negotiated.
// plan: [{ opts, advance, request, mqtt }] where
//   opts:    tls.connect options (JSON) merged over {host, port, ca}; `freshSessions: true` gives
//            the connection its own empty SessionCache, `session: false` none;
//   advance: seconds to move the board clock forward before connecting (mock clock);
//   request: bytes to send once connected (default an HTTP/1.0 GET of /);
//   mqtt:    true to send an MQTT CONNECT and stop at the CONNACK;
//   chainStorage: a fresh ChainCache persisted in that Storage file (as after a restart);
//   precompute: run tls.precompute() to completion before connecting.
import { createBoard } from "../../tools/mock/board.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";

const SCRIPT = `var t = require("espruino-tls"), results = [];
function conn(i) {
  if (i >= PLAN.length) { done({ results: results, sessions: t.tls.sessions.stats(), chains: t.tls.chainCache.size(), hits: t.tls.chainCache.hits }); return; }
  var p = PLAN[i];
  if (p.advance) advance(p.advance);
  var o = { host: HOST, port: PORT, ca: CA }, k;
  for (k in p.opts || {}) o[k] = p.opts[k];
  if (o.freshSessions) { o.session = new t.tls.SessionCache(); delete o.freshSessions; }
  if (p.chainStorage) o.chainCache = new t.tls.ChainCache({ storage: p.chainStorage });
  if (p.precompute && !p.precomputed) { p.precomputed = true; t.tls.precompute(null, function () { conn(i); }); return; }
  var steps = [], body = "", fin = false, s;
  function end(err) {
    if (fin) return;
    fin = true;
    var inf = s.info;
    results.push({ err: err ? err.code : null, msg: err ? err.message : null, alert: err && err.detail ? err.detail.alert : null,
      received: err && err.detail ? !!err.detail.received : false,
      version: inf ? inf.version : 0, suite: inf ? inf.suite : null, resumed: inf ? !!inf.resumed : false,
      cached: inf ? !!inf.peer.cached : false, ready: t.tls.precomputed(), group: inf ? inf.group : 0, alpn: inf ? inf.alpn : null, steps: steps, body: body });
    s.end();
    setTimeout(function () { conn(i + 1); }, 20);
  }
  s = t.tls.connect(o, function () {
    if (p.mqtt) s.write("\\x10\\x12\\x00\\x04MQTT\\x04\\x02\\x00\\x3c\\x00\\x06etls01");
    else s.write(p.request || "GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n");
  });
  s.on("progress", function (x) { steps.push(x); });
  s.on("data", function (d) { body += d; if (p.mqtt && body.length >= 4) end(null); });
  s.on("error", function (e) { end(e); });
  s.on("end", function () { end(null); });
  s.on("close", function () { end(null); });
}
conn(0);`;

export async function runPlan(plan, { port, ca, host = "localhost", board = "linux", timeoutMs = 120000, clock } = {}) {
  const b = createBoard({ board, clock });
  try {
    b.loadLibrary(bundlePath(board));
    let offset = 0;
    const start = clock === undefined ? null : clock;
    b.define("PLAN", JSON.parse(JSON.stringify(plan)));
    b.define("HOST", host);
    b.define("PORT", port);
    b.define("CA", ca);
    b.define("advance", (sec) => { offset += sec; b.setClock((start === null ? Date.now() / 1000 : start) + offset); });
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`plan did not finish in ${timeoutMs} ms; printed:\n${b.printed.join("\n")}`)), timeoutMs);
      b.define("done", (r) => { clearTimeout(timer); resolve(JSON.parse(JSON.stringify(r))); });
      b.run(SCRIPT, "plan.js");
    });
  } finally {
    await new Promise((r) => setTimeout(r, 50));
    b.close();
  }
}
