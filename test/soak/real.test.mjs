// Soak, cut connections and a stalled server on the real interpreter ($ESPRUINO_BIN; skipped
// without it), the bundle required from Storage as on a board. SOAK_COUNT GETs (default 20 here;
// `npm run soak` runs 200) must show no JsVars growth after the warm-up. TLS 1.2 connections used
// to leave ~1,100 JsVars (64-bit build) each: the engine's methods nested so deep on one object
// that its lock count saturated (test/soak/lockdepth.test.mjs, firmware/tls/engine.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { runSoak, growthVerdict, windows } from "../../tools/soak.mjs";
import { prepareFlash, runInterpreter, cleanOutput } from "../../tools/espruino-run.mjs";
import { cutServer } from "../helpers/cut-server.mjs";
import { cutProxy } from "../helpers/cut-proxy.mjs";
import { CUT_APP, cutProblems, okProblems, cutPoints, sweepProblems } from "../helpers/cut-app.mjs";

const BIN = process.env.ESPRUINO_BIN;
const skip = !BIN && "ESPRUINO_BIN not set: real-interpreter soak and cut tests skipped";
const COUNT = +(process.env.SOAK_COUNT || 20);
const TLS13 = [["full", "s13"], ["cached", "s13"], ["resumed", "s13"], ["resumed", "s13"], ["cached", "s13"]];

test(`soak: ${COUNT} sequential verified TLS 1.3 GETs (full, cached chain, resumed), no JsVars growth`, { skip, timeout: COUNT * 90000 }, async () => {
  const r = await runSoak(BIN, { count: COUNT, cycle: TLS13, timeoutMs: COUNT * 80000 });
  const v = growthVerdict(r.series, windows(COUNT));
  console.log(JSON.stringify({ seconds: r.seconds, atRest: r.atRest, verdict: v, series: r.series }));
  assert.deepEqual(r.uncaught, []);
  assert.equal(r.gets.length, COUNT);
  assert.deepEqual(r.gets.filter((g) => g.problems.length).map((g) => [g.k, g.kind, g.problems]), []);
  assert.ok(r.done && r.exitedByItself, "the interpreter did not exit by itself (a timer or socket left)");
  assert.equal(v.grew, false, JSON.stringify(v));
});

test("soak: TLS 1.2 GETs (full, then resumed), no JsVars growth, nothing left unreachable", { skip, timeout: 600000 }, async () => {
  const r = await runSoak(BIN, { count: 6, cycle: [["resumed", "s12"]], timeoutMs: 540000 });
  // JsVars in use that nothing reachable from the root holds: a locked object leaks that way.
  const reach = r.gets.map((g) => g.usage - g.reach);
  console.log(JSON.stringify({ series: r.series, unreachable: reach }));
  assert.equal(r.gets.length, 6);
  assert.deepEqual(r.gets.filter((g) => g.problems.length).map((g) => [g.k, g.kind, g.problems]), []);
  assert.ok(reach[reach.length - 1] <= reach[1] + 40, JSON.stringify(reach));
  assert.ok(Math.max(...r.series.slice(1)) <= r.series[1] + 40, JSON.stringify(r.series));
});

/** Runs the cut app on the interpreter through `px`; resolves with the records and the run. */
async function onInterpreter(srv, px, count, timeout, timeouts = null) {
  const ca = path.join(srv.chain.root.certFile);
  const dir = await prepareFlash(BIN, { extra: [["ca.pem", ca]] });
  try {
    writeFileSync(path.join(dir, "cut.js"), `var PORT = ${px.port}, COUNT = ${count}, TIMEOUT = ${timeout}, TIMEOUTS = ${JSON.stringify(timeouts)}, SETTLE = 200;
var CA = E.toString(require("Storage").read("ca.pem"));
function KEEP(x) { x.usage = process.memory().usage; print("CUT " + JSON.stringify(x)); }
function report() { print("CUTDONE"); }
${CUT_APP}`);
    const run = await runInterpreter(BIN, dir, "cut.js", { timeoutMs: count * (Math.max(timeout, ...(timeouts || [])) + 60000) });
    const out = cleanOutput(run.out).replace(/>\x1b\[J/g, "");
    return { res: [...out.matchAll(/^CUT (\{.*\})$/gm)].map((m) => JSON.parse(m[1])), run, out };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test("cut connections on the interpreter: sampled byte counts both ways, each a coded error then close, the next one works", { skip, timeout: 60 * 60000 }, async () => {
  const srv = await cutServer();
  const px = await cutProxy(srv.port, [null]);
  try {
    // The byte counts come from one whole exchange through the proxy.
    const first = await onInterpreter(srv, px, 1, 60000);
    assert.deepEqual(okProblems(first.res[0]), [], first.out.slice(-400));
    const b = px.bytes(0);
    // Every 149th byte count and each record end (CUT_STEP_REAL=n: every n-th and the record
    // ends' neighbours too); each cut is followed by a connection that must work.
    const step = +(process.env.CUT_STEP_REAL || 149), nb = !!process.env.CUT_STEP_REAL;
    const plan = [];
    for (const n of cutPoints(b.server.length, b.serverEnds, step, nb)) plan.push({ dir: "server", n, action: "cut" }, null);
    for (const n of cutPoints(b.client.length, b.clientEnds, step, nb)) plan.push({ dir: "client", n, action: "cut" }, null);
    px.setPlan(plan);
    const t0 = Date.now();
    const { res, run, out } = await onInterpreter(srv, px, plan.length, 60000);
    assert.doesNotMatch(out, /Uncaught/);
    assert.equal(res.length, plan.length, out.slice(-400));
    const bad = [];
    res.forEach((r, i) => {
      const p = sweepProblems(r, plan[i], b);
      if (p.length) bad.push({ rule: plan[i], ev: r.ev.join(","), problems: p });
    });
    const codes = {};
    for (const r of res) for (const c of r.errors) codes[c] = (codes[c] || 0) + 1;
    // JsVars in use (collected) after each working connection, the one after each cut: a cut
    // must leave nothing behind. (After a cut one the count includes its record, whose size
    // depends on where it was cut.)
    const usage = res.filter((r, i) => !plan[i]).map((r) => r.usage), v = growthVerdict(usage, windows(usage.length));
    console.log(JSON.stringify({ serverBytes: b.server.length, clientBytes: b.client.length, cuts: plan.length / 2, seconds: Math.round((Date.now() - t0) / 1000), codes, verdict: v, usage }));
    assert.deepEqual(bad, []);
    assert.equal(v.grew, false, JSON.stringify(v));
    assert.ok(!run.timedOut && run.code === 0, "the interpreter did not exit by itself");
  } finally { await px.close(); await srv.close(); }
});

// The connection after the stalled one used to get "connect", "end", "close" and no data: the
// response and the server's close arrived while the engine waited for its next slice, and the
// socket's close handler dropped the buffered response (test/soak/close-in-slice.test.mjs).
test("a stalled server on the interpreter: TLS_TIMEOUT, close, the next request works, nothing left running", { skip, timeout: 20 * 60000 }, async () => {
  const srv = await cutServer();
  const px = await cutProxy(srv.port, [{ dir: "server", n: 167, action: "stall" }, null]);
  try {
    // 20 s for the stalled one; the next one is a full handshake from Storage (18-36 s measured).
    const { res, run, out } = await onInterpreter(srv, px, 2, 20000, [20000, 180000]);
    assert.doesNotMatch(out, /Uncaught/);
    assert.deepEqual(res[0].errors, ["TLS_TIMEOUT"], JSON.stringify(res[0]));
    assert.deepEqual(cutProblems(res[0]), []);
    assert.deepEqual(okProblems(res[1]), []);
    assert.ok(!run.timedOut && run.code === 0, "the interpreter did not exit by itself (a timer or socket left)");
  } finally { await px.close(); await srv.close(); }
});
