// `npm run soak [-- --count N]`: sequential verified HTTPS GETs on the real interpreter
// ($ESPRUINO_BIN) with the bundle required from Storage, against local openssl s_server -WWW
// processes (RSA-2048 chain; one server offering TLS 1.3 and 1.2, one capped at 1.2). The GETs
// mix full handshakes (chain verified in full), full handshakes with the chain from the cache,
// and resumptions, over both versions (KINDS, in a fixed cycle). After each GET, once its socket
// has closed, the board collects garbage (process.memory()) and reports the JsVars in use: after
// the warm-up that number must not grow (growthVerdict). The board script never calls quit():
// the interpreter exits by itself once no timer or socket is left, so a leaked timer shows as a
// run that does not end.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { Pki } from "./lib/pki.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { espruinoBin, prepareFlash, runInterpreter, cleanOutput, HOW_TO_GET } from "./espruino-run.mjs";
import { sServer, BODY_BYTES } from "./bench-tls.mjs";

/** One cycle of GETs: [kind, server]. full: chain cache and sessions off; cached: the shared chain
 *  cache, no session; resumed: the shared session cache (a full handshake when it holds none). */
export const CYCLE = [
  ["full", "s13"], ["cached", "s13"], ["resumed", "s13"], ["resumed", "s13"], ["cached", "s12"],
  ["resumed", "s12"], ["resumed", "s13"], ["cached", "s13"], ["resumed", "s12"], ["resumed", "s13"],
];
export const SOAK_COUNT = 200;

// Board side (the interpreter's subset). Prepended: PLAN ([kind, url] per GET), GAP (ms).
const BOARD = String.raw`var lib = require("espruino-tls");
var CA = E.toString(require("Storage").read("ca-root.pem"));
function one(k) {
  if (k >= PLAN.length) { if (typeof AFTER === "function") AFTER(); print("DONE"); return; }
  var kind = PLAN[k][0], o = { url: PLAN[k][1], ca: CA, keepAlive: false, timeout: 120000 };
  if (kind === "full") { o.chainCache = false; o.session = false; }
  if (kind === "cached") o.session = false;
  var steps = [], body = "", errs = [], status = 0, t0 = getTime(), hits0 = lib.tls.chainCache.hits, closed = false;
  function report() {
    var r = { k: k, kind: kind, ms: Math.round((getTime() - t0) * 1000), status: status, bytes: body.length, steps: steps.join(","), hit: lib.tls.chainCache.hits > hits0, errors: errs };
    body = ""; steps = null;
    r.usage = process.memory().usage;
    // What the shared caches hold (JsVars): bounded by their limits.
    r.sessionsVars = E.getSizeOf(lib.tls.sessions.hosts); r.chainVars = E.getSizeOf(lib.tls.chainCache.list);
    // The interpreter's own lists (timers, sockets): entries left behind show here.
    var h = global["\xff"], n; r.hidden = {};
    for (n in h) r.hidden[n] = Object.keys(h[n]).length + "/" + E.getSizeOf(h[n]);
    r.reach = E.getSizeOf(global);
    print("GET " + JSON.stringify(r));
    one(k + 1);
  }
  function finish() { if (closed) return; closed = true; setTimeout(report, GAP); }
  var req = lib.https.get(o, function (res) {
    status = res.statusCode;
    res.on("data", function (d) { body += d; });
    res.on("end", finish);
  });
  req.on("progress", function (s) { steps.push(s); });
  req.on("error", function (e) { errs.push(e.code || String(e)); finish(); });
}
print("START " + process.memory().usage);
one(0);
`;

/** The GETs of a soak of `count`. */
export function soakPlan(count, urls, cycle = CYCLE) {
  const plan = [];
  for (let i = 0; i < count; i++) plan.push([cycle[i % cycle.length][0], urls[cycle[i % cycle.length][1]]]);
  return plan;
}

/** What is wrong with one reported GET: the kind of handshake it must have been, and a whole body. */
export function problemsOf(g, server, firstResume) {
  const p = [], steps = g.steps.split(",");
  if (g.errors.length) p.push("errors " + g.errors.join(","));
  if (g.status !== 200) p.push("status " + g.status);
  if (g.bytes !== BODY_BYTES) p.push(`body ${g.bytes} bytes`);
  if (!steps.includes("connected")) p.push("not connected");
  if (steps.includes("tls12") !== (server === "s12")) p.push("wrong version");
  const resumed = steps.includes("resumed");
  if (g.kind === "resumed" && !resumed && !firstResume) p.push("not resumed");
  if (g.kind !== "resumed" && resumed) p.push("resumed");
  if (!resumed && !steps.includes("chain_verified")) p.push("chain not verified");
  if (g.kind === "cached" && !g.hit && !firstResume) p.push("chain cache not used");
  if (g.kind === "full" && g.hit) p.push("chain cache used");
  return p;
}

/**
 * No growth after warm-up: the highest usage among the last `tail` samples may not exceed the
 * highest of the reference window [from, to) by more than `margin` JsVars.
 */
export function growthVerdict(series, { from, to, tail, margin }) {
  const ref = Math.max(...series.slice(from, to)), last = Math.max(...series.slice(-tail));
  return { referenceMax: ref, lastMax: last, margin, grew: last > ref + margin };
}

/** Summary of a JsVars series: min, max and mean per block of `block` GETs. */
export function seriesSummary(series, block = 20) {
  const out = [];
  for (let i = 0; i < series.length; i += block) {
    const s = series.slice(i, i + block);
    out.push({ gets: `${i + 1}-${i + s.length}`, min: Math.min(...s), max: Math.max(...s), mean: Math.round(s.reduce((a, b) => a + b, 0) / s.length) });
  }
  return out;
}

/** Runs `count` GETs in one interpreter process; resolves with the GETs, the series and timings. */
export async function runSoak(bin, { count = SOAK_COUNT, timeoutMs = 40 * 60000, onGet = null, after = "", cycle = CYCLE } = {}) {
  if (!existsSync(bundlePath("linux"))) await buildBoard("linux", { quiet: true });
  const chain = new Pki().chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" });
  const servers = {};
  try {
    servers.s13 = await sServer(chain, []);
    servers.s12 = await sServer(chain, ["-no_tls1_3"]);
    const urls = { s13: servers.s13.url, s12: servers.s12.url };
    const plan = soakPlan(count, urls, cycle);
    const dir = await prepareFlash(bin, { extra: [["ca-root.pem", chain.root.certFile]] });
    try {
      // GAP: the sample waits past the lazy layers' idle sweep (firmware/layers.ts, IDLE_MS 250: a layer nobody
      // read for 1-2 IDLE_MS is dropped); at 100 ms one GET of 40 read ~1,000 JsVars over its usual (README).
      writeFileSync(path.join(dir, "soak.js"), `var PLAN = ${JSON.stringify(plan)}, GAP = 1000;\n${after}${BOARD}`);
      const t0 = Date.now(), load0 = loadavg()[0];
      let buf = "";
      const r = await runInterpreter(bin, dir, "soak.js", {
        timeoutMs,
        onOutput: (s) => {
          buf += s;
          let nl;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const m = /GET (\{.*\})/.exec(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
            if (m && onGet) try { onGet(JSON.parse(m[1])); } catch { /* partial line */ }
          }
        },
      });
      const out = cleanOutput(r.out);
      const gets = [...out.matchAll(/GET (\{.*\})/g)].map((m) => JSON.parse(m[1]));
      const seen = {};
      for (const g of gets) {
        const server = cycle[g.k % cycle.length][1], key = g.kind === "cached" ? "cached" : g.kind + server;
        g.server = server;
        g.problems = problemsOf(g, server, !seen[key]);
        seen[key] = true;
      }
      const start = /START (\d+)/.exec(out);
      return {
        count, gets, series: gets.map((g) => g.usage), atRest: start ? +start[1] : null,
        done: /^DONE/m.test(out.replace(/>\x1b\[J/g, "")), exitedByItself: !r.timedOut && r.code === 0,
        seconds: Math.round((Date.now() - t0) / 1000), loadavg: [+load0.toFixed(2), +loadavg()[0].toFixed(2)],
        uncaught: [...out.matchAll(/Uncaught (.*)/g)].map((m) => m[1]), tail: r.timedOut ? out.slice(-600) : undefined,
      };
    } finally { rmSync(dir, { recursive: true, force: true }); }
  } finally { for (const s of Object.values(servers)) s.stop(); }
}

/** Tolerance for growthVerdict for a soak of `count` GETs (measured: see README). */
export function windows(count) {
  const tail = Math.min(50, Math.floor(count / 4));
  const from = Math.min(20, Math.floor(count / 5));
  return { from, to: Math.max(from + 10, count - tail), tail, margin: 40 };
}

export async function soakCommand(args) {
  const bin = espruinoBin();
  if (!bin) { console.log(HOW_TO_GET); return 0; }
  const c = args.indexOf("--count");
  const count = c >= 0 ? +args[c + 1] : SOAK_COUNT;
  // 60 s a GET at most (10-36 s measured from Storage on a loaded machine): 40 min did not cover 200.
  const res = await runSoak(bin, { count, timeoutMs: Math.max(40, count) * 60000, onGet: (g) => process.stderr.write(`  ${g.k} ${g.kind} ${g.ms} ms usage ${g.usage}${g.errors.length ? " " + g.errors : ""}\n`) });
  const verdict = growthVerdict(res.series, windows(count));
  const bad = res.gets.filter((g) => g.problems.length);
  const times = {};
  for (const g of res.gets) (times[g.kind + "/" + g.server] = times[g.kind + "/" + g.server] || []).push(g.ms);
  const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];
  console.log(JSON.stringify({
    bin, count, reported: res.gets.length, done: res.done, exitedByItself: res.exitedByItself, seconds: res.seconds, loadavg: res.loadavg,
    jsVarsAtRest: res.atRest, verdict, blocks: seriesSummary(res.series), medianMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])),
    problems: bad.map((g) => ({ k: g.k, kind: g.kind, server: g.server, problems: g.problems })), uncaught: res.uncaught, series: res.series,
  }, null, 1));
  return res.done && res.exitedByItself && !bad.length && !verdict.grew && res.gets.length === count ? 0 : 1;
}
