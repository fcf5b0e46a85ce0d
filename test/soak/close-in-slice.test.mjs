// A server that answers and closes at once (response, close_notify and FIN together) while the
// engine waits for its next slice: the response must still reach the app before "end". On the
// interpreter (a loaded machine: the engine's pump used its 30 ms budget and yielded) the
// connection after a stalled one got "connect", "end", "close" and no data: the socket's close
// handler looked only for an alert among the records still buffered and dropped the response.
// Here getTime() advances 20 ms per call, so the pump yields after every record or two and the
// TCP close arrives while records wait (board mock, TLS 1.3 and 1.2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cutServer, RESPONSE } from "../helpers/cut-server.mjs";
import { runApp } from "../helpers/board-app.mjs";

const APP = String.raw`var lib = require("espruino-tls"), out = [];
function one(k) {
  if (k >= COUNT) { done(out); return; }
  var r = { ev: [], errors: [], bytes: 0, steps: [] };
  var s = lib.tls.connect({ host: "localhost", port: PORT, ca: CA, timeout: 600000, session: k > 0 ? undefined : false }, function () {
    r.ev.push("connect");
    s.write("GET / HTTP/1.0\r\n\r\n");
  });
  s.on("progress", function (p) { r.steps.push(p); });
  s.on("data", function (d) { if (r.ev[r.ev.length - 1] !== "data") r.ev.push("data"); r.bytes += d.length; });
  s.on("end", function () { r.ev.push("end"); });
  s.on("error", function (e) { r.ev.push("error"); r.errors.push(e.code); });
  s.on("close", function () { r.ev.push("close"); out.push(r); setTimeout(function () { one(k + 1); }, 50); });
}
one(0);
`;

for (const version of ["TLSv1.3", "TLSv1.2"]) {
  test(`response, close_notify and TCP close while the engine yields: data before end (${version})`, { timeout: 300000 }, async () => {
    const srv = await cutServer({ version });
    try {
      let t = Date.now() / 1000;
      const res = await runApp(APP, {
        globals: { PORT: srv.port, CA: srv.ca, COUNT: 3, getTime: () => (t += 0.02) },
        timeoutMs: 280000,
      });
      assert.equal(res.length, 3);
      for (const r of res) {
        assert.deepEqual(r.errors, [], JSON.stringify(r));
        assert.deepEqual(r.ev, ["connect", "data", "end", "close"], JSON.stringify(r));
        assert.equal(r.bytes, RESPONSE.length);
      }
    } finally { await srv.close(); }
  });
}
