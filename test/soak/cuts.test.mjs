// Cut connections and a stalled server on the board mock (product bundle): a proxy of ours
// (test/helpers/cut-proxy.mjs) forwards a TLS 1.3 connection (handshake, GET, response, close)
// and cuts the TCP connection after exactly N bytes from the server, or from the client. Every
// cut must give exactly one coded error and then one close (a cut after the whole exchange: a
// clean end), "connect" only with the server verified, no exception, no hang; and the next
// connection (not cut) must work. CUT_STEP=1 sweeps every N (slow: 0.5-1.2 s a connection in the
// mock); with CUT_STEP=n every n-th N plus each TLS record end and its neighbours; by default
// (bounded for CI) every 149th N and each record end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cutServer } from "../helpers/cut-server.mjs";
import { cutProxy } from "../helpers/cut-proxy.mjs";
import { cutAppOnMock, cutProblems, okProblems, cutPoints, sweepProblems } from "../helpers/cut-app.mjs";

const STEP = +(process.env.CUT_STEP || 149);
const NEIGHBOURS = !!process.env.CUT_STEP;

for (const version of ["TLSv1.3", "TLSv1.2"]) {
  test(`cut after every sampled byte count, both directions (${version}, step ${STEP})`, { timeout: 40 * 60000 }, async () => {
    const srv = await cutServer({ version });
    const px = await cutProxy(srv.port, [null]);
    try {
      const first = await cutAppOnMock({ port: px.port, ca: srv.ca, count: 1 });
      assert.deepEqual(okProblems(first[0]), []);
      const b = px.bytes(0);
      const plan = [];
      for (const n of cutPoints(b.server.length, b.serverEnds, STEP, NEIGHBOURS)) plan.push({ dir: "server", n, action: "cut" }, null);
      for (const n of cutPoints(b.client.length, b.clientEnds, STEP, NEIGHBOURS)) plan.push({ dir: "client", n, action: n % 2 ? "rst" : "cut" }, null);
      px.setPlan(plan);
      const t0 = Date.now();
      const res = await cutAppOnMock({ port: px.port, ca: srv.ca, count: plan.length });
      const bad = [], codes = {};
      res.forEach((r, i) => {
        const rule = plan[i], p = sweepProblems(r, rule, b);
        for (const c of r.errors) codes[c] = (codes[c] || 0) + 1;
        if (p.length) bad.push({ rule, after: rule ? undefined : plan[i - 1], ev: r.ev.join(","), problems: p });
      });
      console.log(JSON.stringify({ version, serverBytes: b.server.length, clientBytes: b.client.length, cuts: plan.length / 2, seconds: Math.round((Date.now() - t0) / 1000), codes }));
      assert.equal(res.length, plan.length);
      assert.deepEqual(bad, []);
    } finally { await px.close(); await srv.close(); }
  });
}

test("a server that stalls mid-handshake is timed out (TLS_TIMEOUT), closed, and the next request works", { timeout: 120000 }, async () => {
  const srv = await cutServer();
  // The server's flight stops after its ServerHello and 40 more bytes; the connection stays open.
  const px = await cutProxy(srv.port, [{ dir: "server", n: 167, action: "stall" }, null, { dir: "client", n: 100, action: "stall" }, null]);
  try {
    const t0 = Date.now();
    const res = await cutAppOnMock({ port: px.port, ca: srv.ca, count: 4, timeout: 3000 });
    for (const i of [0, 2]) {
      assert.deepEqual(res[i].errors, ["TLS_TIMEOUT"], JSON.stringify(res[i]));
      assert.deepEqual(cutProblems(res[i]), []);
      assert.deepEqual(okProblems(res[i + 1]), []);
    }
    assert.ok(Date.now() - t0 >= 6000);
  } finally { await px.close(); await srv.close(); }
});
