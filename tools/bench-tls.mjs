// `npm run bench -- tls [--real]`: verified HTTPS GETs (handshake + GET) on the real interpreter,
// every kind of connection issues 7 and 8 ask about, next to the interpreter's built-in
// (unverified) HTTPS GET measured in the same interpreter process, against local OpenSSL
// s_server processes. Two chains (root, intermediate, leaf): RSA-2048 and ECDSA P-256.
//
// Rows, per chain (each a handshake + GET of the same 1 KB file from s_server -WWW, then close):
//   full                    TLS 1.3, chain verified in full (chain cache off), X25519 share made in the handshake
//   fullPrecomputed         the same with the key share made before (tls.precompute while idle)
//   cachedChain             TLS 1.3 full handshake, chain from the verified-chain cache
//   cachedChainPrecomputed  the same with a precomputed key share
//   resumed                 TLS 1.3 resumption, psk_dhe_ke (the default), ticket from an earlier connection
//   resumedPrecomputed      the same with a precomputed key share
//   resumedPskKe            opt-in (`pskKe: true`): TLS 1.3 resumption without (EC)DHE, against a
//                           server started with -allow_no_dhe_kex
//   tls12Full               TLS 1.2 (server capped at 1.2), ECDHE, chain verified in full
//   tls12Resumed            TLS 1.2 abbreviated handshake (s_server issues session tickets)
//   tls12RsaKxFull/Resumed  RSA chain only: TLS 1.2 RSA key exchange (`rsaKeyExchange: true`, no
//                           forward secrecy), server offering only TLS_RSA_WITH_AES_128_GCM_SHA256
// The built-in is require("http").get("https://127.0.0.1:port/") (mbedTLS in C, TLS 1.2 with RSA
// or DHE-RSA key exchange only, no certificate verification) against an s_server with the RSA
// chain and s13's arguments (TLS 1.3 and 1.2), a fresh server process per built-in run; it cannot
// talk to an ECDSA server (tried once, reported), so the ECDSA rows are compared with the
// built-in against the RSA chain, measured in the ECDSA chain's processes.
// Targets: full <= 20x the built-in (issue 7), cached chain <= 10x (issues 7, 8), resumed <= 1x
// (issue 8), on wall time (getTime() on the board); the same ratio on CPU time is given too.
//
// Placement of the bundle's code:
//   ram:     speed rows. The bundle text is evaluated from RAM: devices memory-map Storage, so this
//            is the speed a board sees (the Linux build reads Storage 16 bytes at a time, 5-15x slower).
//            The layered bundle's core and layers are read with Storage.read: probeLoad serves its
//            Storage file from the same RAM copy (tools/lib/slice-probe.mjs), so they are in RAM too.
//   storage: JsVars rows. The bundle required from Storage as installed (code text stays in flash,
//            as on a board): JsVars at rest, and what one full handshake + GET needs:
//            peakJsVarsDuringHandshake is the least number of free JsVars it completes in
//            (tools/lib/jsvars-need.mjs: ballast, binary search to NEED_SEARCH.step).
//            peakJsVarsSampledWithGarbage is the highest usage sampled every 5 ms without
//            collecting: it counts garbage the interpreter has not collected yet, so it overstates.
// Times: the machine is shared and loaded. Each run reports the wall time (getTime()) and the CPU
// time of the interpreter's thread (/proc/thread-self/schedstat, read by the board script; it
// moves in scheduler ticks of a few ms); a row's figures are the best (lowest) of its runs, wall
// and CPU each. Runs are interleaved round by round across the rows and the built-in (every round
// runs each row once), two rounds per interpreter process (see ROUNDS_PER_PROCESS), and the load
// average is reported at the start and end. connectedMs splits off the handshake (to the progress
// step "connected"); the GET after it includes decrypting the 1 KB body in JS.
// While a socket is open the Linux interpreter polls it without sleeping, so its CPU time is close
// to the wall time; it is lower by the time the process waited for a core.
// The body: a fixed file (BODY_BYTES) served by s_server -WWW, the same for the built-in and us,
// and every run must have received all of it. (s_server's -www page, used before, describes the
// session and the client's cipher list, so each client fetched a page of its own size: ~4.2 KB
// for ours, while the built-in stopped reading after ~1 KB when the server closed.) What kind of
// handshake a run was (resumed or not, TLS version, key exchange) is read from the client's
// progress steps; the client cannot finish a resumed handshake the server did not accept.
// Without --real only the board mock runs a reduced plan (Node's speed: shape only).
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import net from "node:net";
import { Pki } from "./lib/pki.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { espruinoBin, prepareFlash, runInterpreter } from "./espruino-run.mjs";
import { createBoard } from "./mock/board.mjs";
import { jsVarsNeeded } from "./lib/jsvars-need.mjs";
import { progressPrinter, parseRows, plainOutput as plain } from "./lib/bench-progress.mjs";
import { PROBE } from "./lib/slice-probe.mjs";
import { timelineSvg } from "./lib/timeline-svg.mjs";

/** Runs per row: full chain verification is slow (seconds on ECDSA), the rest is fast. */
export const RUNS = { slow: 3, fast: 4 };
/** Wall time ratio to the built-in each kind of row must stay within. */
export const TARGETS = { full: 20, cached: 10, resumed: 1 };
export const PEAK_JSVARS_TARGET = 3000;
/** Free-JsVars search range and precision for the peak (each probe is one GET from Storage; the
 *  layered bundle loads its layers during the handshake: more than 4,000 on a550c30). */
const NEED_SEARCH = { lo: 2000, hi: 9000, step: 125 };
/** Longest the interpreter part may take (a normal run takes about 3 minutes). */
const BUDGET_MS = 14 * 60 * 1000;

/** The rows: what each measures, its target kind, the server it uses and its options. */
export const ROWS = {
  full: { target: "full", server: "s13", slow: true, label: "TLS 1.3 full handshake, chain verified in full (chain cache off)" },
  fullPrecomputed: { target: "full", server: "s13", slow: true, pre: true, label: "TLS 1.3 full, chain verified in full, X25519 key share precomputed while idle (tls.precompute)" },
  cachedChain: { target: "cached", server: "s13", chain: "main", label: "TLS 1.3 full handshake, chain from the verified-chain cache" },
  cachedChainPrecomputed: { target: "cached", server: "s13", chain: "main", pre: true, label: "TLS 1.3 full, cached chain, precomputed key share" },
  resumed: { target: "resumed", server: "s13", session: "r13", label: "TLS 1.3 resumed (psk_dhe_ke, the default)" },
  resumedPrecomputed: { target: "resumed", server: "s13", session: "r13pre", pre: true, label: "TLS 1.3 resumed (psk_dhe_ke), precomputed key share" },
  resumedPskKe: { target: "resumed", server: "s13PskKe", session: "rPskKe", pskKe: true, optIn: true, label: "opt-in: TLS 1.3 resumed with psk_ke (pskKe: true; no (EC)DHE, no forward secrecy on that connection)" },
  tls12Full: { target: "full", server: "s12", slow: true, label: "TLS 1.2 full handshake (ECDHE, X25519), chain verified in full" },
  tls12Resumed: { target: "resumed", server: "s12", session: "r12", label: "TLS 1.2 resumed (abbreviated handshake, no key share)" },
  tls12RsaKxFull: { target: "full", server: "s12RsaKx", slow: true, rsaKx: true, rsaOnly: true, label: "opt-in: TLS 1.2 RSA key exchange (rsaKeyExchange: true; no forward secrecy), chain verified in full" },
  tls12RsaKxResumed: { target: "resumed", server: "s12RsaKx", session: "r12rsa", rsaKx: true, rsaOnly: true, label: "opt-in: TLS 1.2 RSA key exchange, resumed" },
};

/** The response body every GET fetches: a file of BODY_BYTES bytes served by s_server -WWW. */
export const BODY_BYTES = 1024;
export const BODY_FILE = "body.txt";

/** The s_server processes, per chain. Each serves the body file with `-WWW` (HTTP/1.0, then close). */
export const SERVERS = {
  s13: { args: [], what: "openssl s_server -WWW, TLS 1.3 and 1.2, default settings (2 TLS 1.3 tickets per full handshake)" },
  s13PskKe: { args: ["-allow_no_dhe_kex"], what: "openssl s_server -WWW -allow_no_dhe_kex (allows TLS 1.3 psk_ke resumption)" },
  s12: { args: ["-no_tls1_3"], what: "openssl s_server -WWW -no_tls1_3 (TLS 1.2 only; session ids and tickets)" },
  s12RsaKx: { args: ["-no_tls1_3", "-cipher", "AES128-GCM-SHA256"], what: "openssl s_server -WWW -no_tls1_3 -cipher AES128-GCM-SHA256 (TLS 1.2 RSA key exchange only)" },
};
/** The built-in's servers: s13's arguments, one process per built-in run. s_server serves one
 *  connection at a time, and when mbedTLS cannot get its buffers (mbedtls_ssl_setup: Not enough
 *  memory, on a heap fragmented by our connections) the built-in leaves its connection open
 *  without a ClientHello, which blocks that server for good. */
export const BUILTIN_SERVER = "openssl s_server -WWW with s13's arguments, a fresh process for each built-in run (a failed built-in connection can block an s_server)";

// ---- Board-side script (the interpreter's subset; on the mock it passes the same gate) -----------
// Prepended by the host: PLAN (steps), MODE ("ram" | "storage"), GAP (ms between connections),
// cpuNs() (thread CPU time, ns).
// A step: {row, url, timed, chain, session, pre, pskKe, rsaKx, builtin, seed, sample, limit}.
const BOARD = String.raw`var lib;
if (MODE === "ram") {
  var f = E.openFile("lib.js", "r"), s = "", d;
  while ((d = f.read(4096)) !== undefined && d.length) s += d;
  f.close();
  lib = probeLoad(s); s = undefined;
} else lib = require("espruino-tls");
var CA = E.toString(require("Storage").read("ca-root.pem"));
var SC = {}, CC = {};
function sessionCache(n) { if (!SC[n]) SC[n] = new lib.tls.SessionCache(); return SC[n]; }
function chainCache(n) { if (!CC[n]) CC[n] = new lib.tls.ChainCache(); return CC[n]; }
function usage() { return process.memory(false).usage; }
function emit(o) { print("ROW " + JSON.stringify(o)); }
// How a TLS 1.2 session in the cache would be resumed: by ticket or by session id.
function via12(c) {
  try { var h = c.hosts[0]; if (h && h.s12) return h.s12.ticket && h.s12.ticket.length ? "ticket" : "session id"; } catch (e) {}
  return null;
}
// One HTTPS GET as the step says; cb(result).
function request(p, cb) {
  var o = { url: p.url, ca: CA, keepAlive: false, timeout: 600000 }, steps = [], at = [], body = "", fin = false;
  var t0, c0, hits0 = 0, base = 0, peak = 0, iv = null, wd, req, v12 = null, tc = 0;
  function sample() { var u = usage(); if (u > peak) peak = u; }
  function end(err, status) {
    if (fin) return;
    fin = true;
    var ms = (getTime() - t0) * 1000, cpu = (cpuNs() - c0) / 1e6;
    var st = MODE === "ram" ? probeStop() : null;
    clearTimeout(wd);
    if (iv) clearInterval(iv);
    var r = { ms: Math.round(ms * 10) / 10, cpuMs: Math.round(cpu * 10) / 10 };
    if (status !== undefined) { r.status = status; r.bodyBytes = body.length; }
    if (tc) r.connectedMs = Math.round((tc - t0) * 10000) / 10;
    if (err) r.error = (err.code || "ERROR") + ": " + (err.message || err);
    if (!p.builtin) { r.steps = steps.join(","); r.at = at.join(","); }
    if (st && !p.builtin) { r.stepMs = st.longestMs; r.stepRefMs = st.refMs; r.stepAfter = st.longestAfter; }
    if (p.chain) r.chainCacheHit = CC[p.chain].hits > hits0;
    if (v12) r.via = v12;
    if (p.sample) { r.base = base; r.peak = peak; }
    cb(r);
  }
  if (!p.builtin) {
    o.chainCache = p.chain ? chainCache(p.chain) : false;
    o.session = p.session ? sessionCache(p.session) : false;
    if (p.pskKe) o.pskKe = true;
    if (p.rsaKx) o.rsaKeyExchange = true;
    if (p.chain) hits0 = CC[p.chain].hits;
    if (p.session) v12 = via12(SC[p.session]);
  }
  process.memory();
  if (p.sample) { base = usage(); peak = base; iv = setInterval(sample, 5); }
  wd = setTimeout(function () { end({ code: "BENCH_TIMEOUT", message: "no answer in " + p.limit + " ms" }); }, p.limit);
  if (MODE === "ram") probeStart();
  c0 = cpuNs(); t0 = getTime();
  try {
    if (p.builtin) {
      req = require("http").get(p.url, function (res) {
        res.on("data", function (x) { body += x; });
        res.on("close", function () { end(null, res.statusCode); });
      });
    } else {
      req = lib.https.get(o, function (res) {
        res.on("data", function (x) { body += x; });
        res.on("end", function () { end(null, res.statusCode); });
      });
      req.on("progress", function (x) { steps.push(x); at.push(Math.round((getTime() - t0) * 10000) / 10); if (MODE === "ram") probeMark(x); if (x === "connected") tc = getTime(); if (p.sample) sample(); });
    }
    if (req && req.on) req.on("error", function (e) { end(e); });
  } catch (e) { end({ code: "THREW", message: String(e) }); }
}
function runStep(k) {
  if (k >= PLAN.length) { print("DONE"); setTimeout(quit, 50); return; }
  var p = PLAN[k];
  function next() { setTimeout(function () { runStep(k + 1); }, GAP); }
  function go() {
    request(p, function (r) { r.k = k; r.row = p.row; if (!p.timed) r.untimed = true; emit(r); next(); });
  }
  function pre() {
    if (!p.pre) { go(); return; }
    lib.tls.precompute(null, function (err) {
      if (err || lib.tls.precomputed() < 1) emit({ k: k, row: p.row, note: "precompute failed: " + (err ? err.code : "none ready") });
      setTimeout(go, GAP);
    });
  }
  // A resumption needs a session: when the row's cache has none, one untimed handshake (chain
  // from the warm cache) makes it first.
  function seed() {
    var st = p.seed ? sessionCache(p.session).stats() : null;
    if (!st || st.tickets + st.sessions12 > 0) { pre(); return; }
    request({ url: p.url, chain: "main", session: p.session, pskKe: p.pskKe, rsaKx: p.rsaKx, limit: p.limit }, function (r) {
      r.k = k; r.row = p.row; r.seed = true; emit(r); setTimeout(pre, GAP);
    });
  }
  seed();
}
runStep(0);
`;

const CPU_NS = `function cpuNs() { var f = E.openFile("/proc/thread-self/schedstat", "r"), s = f.read(64); f.close(); return parseInt(s); }`;

function freePort() {
  return new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

/** A directory holding the body file (printable bytes: the built-in hands the body over as text). */
/** A temporary directory with the bodies to serve: file name -> size in bytes. */
function bodyDir(files) {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-tls-"));
  for (const [name, n] of Object.entries(files)) {
    let body = "";
    for (let i = 0; body.length < n; i++) body += (i % 64 === 63 ? "\n" : String.fromCharCode(97 + (i * 7) % 26));
    writeFileSync(path.join(dir, name), body);
  }
  return dir;
}

/** openssl s_server on 127.0.0.1 with the chain and extra args, serving `files` (name -> bytes;
 *  default the body file); resolves when it accepts connections. */
export async function sServer(chain, args, files = { [BODY_FILE]: BODY_BYTES }) {
  const port = await freePort();
  const cwd = bodyDir(files);
  const child = spawn("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", chain.leaf.certFile, "-key", chain.leaf.keyFile,
    "-cert_chain", chain.inter.certFile, "-WWW", "-quiet", ...args], { cwd, stdio: ["pipe", "ignore", "ignore"] });
  const stop = () => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); rmSync(cwd, { recursive: true, force: true }); };
  for (let i = 0; ; i++) {
    const up = await new Promise((r) => { const c = net.connect(port, "127.0.0.1", () => { c.destroy(); r(true); }); c.on("error", () => r(false)); });
    if (up) break;
    if (i >= 100 || child.exitCode !== null) { stop(); throw new Error(`openssl s_server ${args.join(" ")} did not start`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url: `https://localhost:${port}/${BODY_FILE}`, stop };
}

/** Rounds: every row runs once per round (rows with fewer runs drop out of the later ones). */
export const rounds = (runs = RUNS) => Math.max(runs.slow, runs.fast);
/** Rounds per interpreter process. The interpreter's heap fragments as connections come and go:
 *  after about 35 connections in one process the built-in failed (mbedtls_ssl_setup: Not enough
 *  memory; mbedTLS takes its buffers as contiguous JsVar blocks) and then our native AES calls
 *  too (AES_FAILED), so each process runs two rounds and a fresh one takes the next. */
export const ROUNDS_PER_PROCESS = 2;
/** Built-in runs in a process running rounds [from, to): at the start of each round and at the end. */
export const builtinRuns = (from, to) => to - from + 1;

/** The rows' servers for both chains, started up front. */
async function startServers(chains, started) {
  const out = {};
  for (const [name, chain] of Object.entries(chains)) {
    out[name] = {};
    for (const [k, s] of Object.entries(SERVERS)) {
      if (k === "s12RsaKx" && name !== "rsa2048") continue;
      const srv = await sServer(chain, s.args);
      started.push(srv);
      out[name][k] = srv;
    }
  }
  return out;
}

/**
 * The steps for one chain: a warm-up that fills the "main" chain cache, then rounds in which every
 * row runs once (rows with fewer runs drop out), with the built-in at the start of each round and at
 * the end. Resumed rows seed their session cache when it is empty (untimed).
 */
export function planFor(chainName, urls, { runs = RUNS, from = 0, to = rounds(runs), rows = Object.keys(ROWS), builtin = true, builtinOwn = null, limits = { ours: 120000, builtin: 20000 } } = {}) {
  const use = rows.filter((r) => !ROWS[r].rsaOnly || chainName === "rsa2048");
  const plan = [{ row: "warmup", url: urls.s13, chain: "main", timed: false, limit: limits.ours }];
  let nb = 0;
  const bi = () => ({ row: "builtin", url: urls.builtin[nb++], builtin: true, timed: true, limit: limits.builtin });
  for (let r = from; r < to; r++) {
    if (builtin) plan.push(bi());
    for (const row of use) {
      const d = ROWS[row];
      if (r >= (d.slow ? runs.slow : runs.fast)) continue;
      const step = { row, url: urls[d.server], timed: true, limit: limits.ours };
      if (d.chain) step.chain = d.chain;
      if (d.session) { step.session = d.session; step.seed = true; }
      for (const k of ["pre", "pskKe", "rsaKx"]) if (d[k]) step[k] = true;
      plan.push(step);
    }
  }
  if (builtin) plan.push(bi());
  if (builtinOwn) plan.push({ row: "builtinOwnServer", url: builtinOwn, builtin: true, timed: true, limit: limits.builtin });
  return plan;
}



const r1 = (x) => Math.round(x * 10) / 10;

/** What kind of handshake the client's progress steps show: {reused, version, keyExchange}. */
export function clientSays(steps) {
  if (!steps) return null;
  const st = steps.split(","), v13 = st.includes("handshake_keys"), reused = st.includes("resumed");
  const share = st.includes("key_share") || st.includes("key_share_ready");
  const keyExchange = v13 ? (share ? "ecdhe" : "psk") : reused ? "none" : st.includes("server_key_exchange") ? "ecdhe" : "rsa";
  return { reused, version: v13 ? "TLSv1.3" : "TLSv1.2", keyExchange };
}

/** What a run must show for its row to count (the kind of handshake the row says it is). */
function problemsOf(row, run) {
  const d = ROWS[row], p = [], steps = (run.steps || "").split(","), srv = clientSays(run.steps);
  if (run.error) return [run.error];
  if (run.status !== 200) p.push(`status ${run.status}`);
  if (run.bodyBytes !== BODY_BYTES) p.push(`body of ${run.bodyBytes} bytes, not ${BODY_BYTES}`);
  const resumed = d.target === "resumed";
  if (steps.includes("resumed") !== resumed) p.push(resumed ? "client did not resume" : "client resumed");
  if (!resumed && !steps.includes("chain_verified")) p.push("no chain_verified step");
  if (d.chain && !run.chainCacheHit) p.push("chain cache not used");
  if (!d.chain && run.chainCacheHit) p.push("chain cache used");
  if (d.pre && !steps.includes("key_share_ready")) p.push("precomputed key share not used");
  if (srv) {
    const v12 = d.server.startsWith("s12");
    if ((srv.version === "TLSv1.2") !== v12) p.push(`negotiated ${srv.version}`);
    if (d.rsaKx && !resumed && srv.keyExchange !== "rsa") p.push(`key exchange ${srv.keyExchange}, not RSA`);
  }
  return p;
}

const best = (runs, f) => { const v = runs.filter((x) => !x.error && typeof x[f] === "number").map((x) => x[f]); return v.length ? Math.min(...v) : null; };

/** Turns one chain's printed rows into the report. */
export function summarize(chainName, printed, urls) {
  const by = {};
  for (const x of printed) if (x.row && !x.untimed && !x.seed && !x.note) (by[x.row] = by[x.row] || []).push(x);
  const extra = printed.filter((x) => x.untimed || x.seed || x.note).map((x) => ({ row: x.row, kind: x.seed ? "seed" : x.note ? "note" : "warmup", ms: x.ms, cpuMs: x.cpuMs, error: x.error, note: x.note }));
  const bRuns = by.builtin || [];
  const builtin = {
    server: urls.builtinServer,
    // Only runs that received the whole body count: a shorter one would flatter the ratios.
    ms: best(bRuns.filter((x) => x.bodyBytes === BODY_BYTES), "ms"), cpuMs: best(bRuns.filter((x) => x.bodyBytes === BODY_BYTES), "cpuMs"),
    bodyBytes: (bRuns.find((x) => x.bodyBytes !== undefined) || {}).bodyBytes,
    runs: bRuns.map((x) => (x.error ? { error: x.error } : { ms: x.ms, cpuMs: x.cpuMs })),
  };
  const rows = {};
  for (const [row, d] of Object.entries(ROWS)) {
    if (d.rsaOnly && chainName !== "rsa2048") continue;
    const runs = by[row] || [];
    const problems = [];
    for (const r of runs) for (const q of problemsOf(row, r)) if (!problems.includes(q)) problems.push(q);
    if (!runs.length) problems.push("no run reported");
    const good = runs.filter((r) => !r.error && !problemsOf(row, r).length);
    const ms = best(good, "ms"), cpuMs = best(good, "cpuMs");
    const ratio = {
      wall: ms !== null && builtin.ms ? r1(ms / builtin.ms) : null,
      cpu: cpuMs !== null && builtin.cpuMs ? r1(cpuMs / builtin.cpuMs) : null,
    };
    const target = TARGETS[d.target];
    const first = good[0] || runs[0] || {};
    const fastest = good.reduce((a, x) => (!a || x.ms < a.ms ? x : a), null);
    const slowStep = good.filter((x) => typeof x.stepRefMs === "number").reduce((a, x) => (!a || x.stepRefMs > a.stepRefMs ? x : a), null);
    rows[row] = {
      label: d.label,
      server: SERVERS[d.server].what,
      negotiated: clientSays(first.steps),
      ...(first.via ? { resumedBy: first.via } : {}),
      ms, cpuMs,
      connectedMs: best(good, "connectedMs"),
      bodyBytes: first.bodyBytes,
      ratioToBuiltin: ratio,
      target: `<= ${target}x the built-in (${d.target})`,
      meetsTarget: { wall: ratio.wall === null ? null : ratio.wall <= target, cpu: ratio.cpu === null ? null : ratio.cpu <= target },
      runs: runs.map((x) => {
        if (x.error) return { error: x.error };
        const q = problemsOf(row, x);
        return { ms: x.ms, cpuMs: x.cpuMs, connectedMs: x.connectedMs, ...(q.length ? { notCounted: q } : {}) };
      }),
      ...(problems.length ? { problems } : {}),
      steps: first.steps,
      // the longest synchronous step of the row's runs (tools/lib/slice-probe.mjs; code in RAM only)
      ...(slowStep ? { longestStep: { refMs: slowStep.stepRefMs, ms: slowStep.stepMs, after: slowStep.stepAfter } } : {}),
      ...(fastest && fastest.at ? { timeline: { steps: fastest.steps, at: fastest.at, ms: fastest.ms } } : {}),
    };
    if (d.optIn) rows[row].optIn = true;
  }
  const short = bRuns.filter((x) => !x.error && x.bodyBytes !== BODY_BYTES);
  if (short.length) builtin.problems = short.map((x) => `body of ${x.bodyBytes} bytes, not ${BODY_BYTES}`);
  const own = by.builtinOwnServer && by.builtinOwnServer[0];
  return { builtin, rows, ...(own ? { builtinAgainstThisChain: own.error ? { error: own.error } : { ms: own.ms, status: own.status, bodyBytes: own.bodyBytes } } : {}), warmupsAndSeeds: extra };
}

async function interpreterRun(bin, chain, { mode, plan, timeoutMs }) {
  const dir = await prepareFlash(bin, { extra: [["ca-root.pem", chain.root.certFile]] });
  try {
    copyFileSync(bundlePath("linux"), path.join(dir, "lib.js"));
    writeFileSync(path.join(dir, "run.js"), `var PLAN = ${JSON.stringify(plan)}, MODE = ${JSON.stringify(mode)}, GAP = 300;\n${CPU_NS}\n${PROBE}\n${BOARD}\n`);
    const t0 = Date.now();
    const r = await runInterpreter(bin, dir, "run.js", {
      timeoutMs,
      onOutput: progressPrinter(mode),
    });
    const rows = parseRows(r.out);
    const done = /^DONE$/m.test(plain(r.out));
    const res = { rows, seconds: Math.round((Date.now() - t0) / 1000), uncaught: [...plain(r.out).matchAll(/^Uncaught (.*)$/gm)].map((m) => m[1]) };
    if (!done) res.incomplete = r.timedOut ? `killed after ${timeoutMs / 1000} s` : `ended without DONE (exit ${r.code})`;
    if (!done) res.outputTail = plain(r.out).slice(-400);
    return res;
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

async function realRuns(bin) {
  const pki = new Pki();
  const chains = {
    rsa2048: pki.chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" }),
    ecdsaP256: new Pki().chain({ leafKey: "ec", interKey: "ec", rootKey: "ec" }),
  };
  const started = [];
  const out = {};
  // The whole run stays within BUDGET_MS: each interpreter process gets at most what is left.
  const deadline = Date.now() + BUDGET_MS;
  const left = (ms) => Math.max(10000, Math.min(ms, deadline - Date.now()));
  try {
    const servers = await startServers(chains, started);
    for (const [name, chain] of Object.entries(chains)) {
      process.stderr.write(`bench tls: ${name}\n`);
      const urls = Object.fromEntries(Object.entries(servers[name]).map(([k, s]) => [k, s.url]));
      const loadStart = loadavg().map((x) => +x.toFixed(2));
      // Rounds in fresh processes (ROUNDS_PER_PROCESS each), each with its own built-in servers
      // (RSA chain; for the ECDSA chain's last process one more with this chain).
      const printed = [], ram = { seconds: [], uncaught: [], incomplete: [], outputTail: [] };
      const total = rounds();
      for (let from = 0; from < total; from += ROUNDS_PER_PROCESS) {
        const to = Math.min(total, from + ROUNDS_PER_PROCESS), last = to === total;
        const mine = [];
        try {
          for (let i = 0; i < builtinRuns(from, to); i++) { const b = await sServer(chains.rsa2048, []); mine.push(b); started.push(b); }
          const own = name !== "rsa2048" && last ? await sServer(chain, []) : null;
          if (own) { mine.push(own); started.push(own); }
          urls.builtin = mine.filter((b) => b !== own).map((b) => `https://127.0.0.1:${b.port}/${BODY_FILE}`);
          const plan = planFor(name, urls, { from, to, builtinOwn: own ? `https://127.0.0.1:${own.port}/${BODY_FILE}` : null });
          const r = await interpreterRun(bin, chain, { mode: "ram", plan, timeoutMs: left(300000) });
          for (const x of r.rows) printed.push({ ...x, process: from / ROUNDS_PER_PROCESS });
          ram.seconds.push(r.seconds);
          ram.uncaught.push(...r.uncaught);
          if (r.incomplete) { ram.incomplete.push(`rounds ${from}-${to - 1}: ${r.incomplete}`); ram.outputTail.push(r.outputTail); }
        } finally { for (const b of mine) b.stop(); }
      }
      urls.builtinServer = `${BUILTIN_SERVER}, RSA-2048 chain${name === "rsa2048" ? "" : " (the built-in has no ECDSA; measured in this chain's processes)"}`;
      const sum = summarize(name, printed, urls);
      // JsVars: code from Storage, one full handshake (chain cache off) + GET with sampling.
      const st = await interpreterRun(bin, chain, {
        mode: "storage", timeoutMs: left(150000),
        plan: [{ row: "storageFull", url: urls.s13, timed: true, sample: true, limit: 110000 }],
      });
      const s = st.rows.find((x) => x.row === "storageFull") || { error: st.incomplete || "NO_RESULT" };
      const sampled = s.error ? null : s.peak - s.base;
      // What the handshake + GET really needs: the least free JsVars it completes in (ballast).
      process.stderr.write(`bench tls: ${name}: JsVars needed (ballast, binary search)\n`);
      const need = await jsVarsNeeded(bin, chain.root.certFile, urls.s13, NEED_SEARCH);
      const peak = need.need;
      out[name] = {
        loadavgAtStart: loadStart,
        builtinUnverified: sum.builtin,
        rows: sum.rows,
        ...(sum.builtinAgainstThisChain ? { builtinAgainstThisChain: { ...sum.builtinAgainstThisChain, uncaught: ram.uncaught } } : ram.uncaught.length ? { uncaught: ram.uncaught } : {}),
        ratioToBuiltin: sum.rows.full.ratioToBuiltin.wall,
        storage: s.error ? { error: s.error } : { ms: s.ms, cpuMs: s.cpuMs, negotiated: clientSays(s.steps), note: "code from Storage (read 16 bytes at a time on this port): times are the port's, not a board's" },
        libraryJsVarsAtRest: s.error ? null : s.base,
        peakJsVarsDuringHandshake: peak,
        peakJsVarsSearch: need,
        peakJsVarsSampledWithGarbage: sampled,
        peakJsVarsTarget: `<= ${PEAK_JSVARS_TARGET} (issue 7)`,
        peakMeetsTarget: peak === null ? null : peak <= PEAK_JSVARS_TARGET,
        processSeconds: { ram: ram.seconds, storage: st.seconds },
        warmupsAndSeeds: sum.warmupsAndSeeds,
        ...(ram.incomplete.length || st.incomplete ? { incomplete: { ram: ram.incomplete, storage: st.incomplete, ramOutputTail: ram.outputTail, storageOutputTail: st.outputTail } } : {}),
      };
    }
  } finally { for (const s of started) s.stop(); }
  return out;
}

/** The board mock: a reduced plan on the ECDSA chain (one run of each row; no built-in, which the mock lacks). */
async function mockRun() {
  const chain = new Pki().chain();
  const started = [];
  const printed = [];
  let b = null;
  try {
    const urls = {};
    for (const k of ["s13", "s13PskKe", "s12"]) { const s = await sServer(chain, SERVERS[k].args); started.push(s); urls[k] = s.url; }
    urls.builtinServer = "none (the mock has no built-in HTTPS)";
    const plan = planFor("ecdsaP256", urls, { runs: { slow: 1, fast: 1 }, builtin: false, limits: { ours: 60000, builtin: 1000 } });
    let timer = null;
    await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("bench tls mock: no DONE in 120 s")), 120000);
      b = createBoard({ board: "linux", print: (s) => { if (s === "DONE") resolve(); else if (s.startsWith("ROW ")) printed.push(JSON.parse(s.slice(4))); } });
      b.loadLibrary(bundlePath("linux"));
      b.install("ca-root.pem", chain.root.pem);
      b.define("quit", () => {});
      b.define("cpuNs", () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; });
      // the slice probe runs on the interpreter only (MODE "ram"): never called here
      for (const f of ["probeLoad", "probeStart", "probeStop", "probeMark"]) b.define(f, () => null);
      b.run(`var PLAN = ${JSON.stringify(plan)}, MODE = "storage", GAP = 20;\n${BOARD}`, "bench-tls.js");
    }).finally(() => clearTimeout(timer));
    const sum = summarize("ecdsaP256", printed, urls);
    return { rows: sum.rows, warmupsAndSeeds: sum.warmupsAndSeeds, note: "board mock in Node: times are not the board's; use --real with ESPRUINO_BIN" };
  } finally { for (const s of started) s.stop(); if (b) b.close(); }
}

/** `build: false` uses dist/linux as it is when it exists (the smoke test: `npm test` built it
 *  already, and rebuilding would rewrite a bundle other tests are reading). */
/** The timeline picture's lanes: per chain, the built-in and every row (its fastest run). */
export function timelineGroups(chains) {
  const groups = [];
  for (const [name, c] of Object.entries(chains)) {
    const lanes = [];
    if (c.builtinUnverified && c.builtinUnverified.ms) lanes.push({ label: "built-in (unverified)", steps: [], total: c.builtinUnverified.ms });
    for (const [row, x] of Object.entries(c.rows)) {
      if (!x.timeline) continue;
      const names = x.timeline.steps.split(","), at = x.timeline.at.split(",").map(Number);
      lanes.push({ label: row, steps: names.map((n, i) => ({ name: n, at: at[i] })), total: x.timeline.ms });
    }
    groups.push({ title: CHAIN_TITLES[name] || name, lanes });
  }
  return groups;
}
const CHAIN_TITLES = { rsa2048: "RSA-2048 chain", ecdsaP256: "ECDSA P-256 chain" };

/** Writes the timeline SVG of a result to `file`. */
function writeTimeline(result, file) {
  const real = result.interpreter;
  const chains = real ? Object.fromEntries(Object.entries(real).filter(([, v]) => v && v.rows)) : { ecdsaP256: { rows: result.mock.rows } };
  const where = real ? `reference interpreter (code in RAM), load average ${result.loadavg.start.join(" ")} at the start` : "board mock in Node (shape only, not the board's speed)";
  writeFileSync(file, timelineSvg(timelineGroups(chains), {
    title: "TLS handshake + GET timeline (npm run bench -- tls" + (real ? " --real" : "") + " --svg)",
    note: `${where}; each lane is the fastest run of its row; ${new Date().toISOString().slice(0, 10)}`,
  }));
}

export async function benchTls({ real = false, build = true, svg = null } = {}) {
  const t0 = Date.now();
  if (build || !existsSync(bundlePath("linux"))) await buildBoard("linux", { quiet: true });
  const la = () => loadavg().map((x) => +x.toFixed(2));
  const result = {
    bench: "tls",
    loadavg: { start: la() },
    cpus: cpus().length,
    runs: { ...RUNS, builtin: `start of each round and end of each process: ${rounds() + Math.ceil(rounds() / ROUNDS_PER_PROCESS)} per chain`, roundsPerProcess: ROUNDS_PER_PROCESS },
    targets: { full: `<= ${TARGETS.full}x the built-in (issue 7)`, cached: `<= ${TARGETS.cached}x (issues 7, 8)`, resumed: `<= ${TARGETS.resumed}x (issue 8)`, peakJsVars: `<= ${PEAK_JSVARS_TARGET} (issue 7)` },
    figures: "ms: best wall time (getTime() on the board) of a row's runs; cpuMs: best CPU time (user+sys) of the interpreter's thread over the same span; ratioToBuiltin: each over the built-in's best in the same interpreter process. " +
      "While a socket is open the Linux interpreter polls without sleeping, so CPU is close to wall time; it is lower by the time the process waited for a core on this loaded machine. " +
      "connectedMs: best wall time to the handshake's end (progress step connected); the rest is the GET: request, then the 1 KB body file from s_server -WWW (decrypted in JS). bodyBytes: response body bytes received (every run must get all of it). " +
      "longestStep (speed rows): the longest synchronous step of the library in the row's runs (tools/lib/slice-probe.mjs times every callback it runs): refMs converted to the reference interpreter on an idle machine (divided by the process's slow-down against FACTS §7's cost model), ms as measured, after: the progress step before it; the largest of the runs. " +
      "timeline: the fastest run's progress steps and their times (ms from the request), drawn by --svg FILE",
    servers: { ...Object.fromEntries(Object.entries(SERVERS).map(([k, s]) => [k, s.what])), builtin: BUILTIN_SERVER },
    code: { speedRows: "RAM (bundle text evaluated from a host file; the layered bundle's core and layers read from that RAM copy, not from the Linux build's slow Storage)", jsVarsRows: "Storage (required as installed; code text stays in flash)" },
  };
  const bin = real ? espruinoBin() : null;
  if (bin) {
    result.interpreter = { bin, ...(await realRuns(bin)) };
  } else result.mock = await mockRun();
  result.loadavg.end = la();
  result.seconds = Math.round((Date.now() - t0) / 1000);
  if (svg) { writeTimeline(result, svg); result.svg = svg; }
  return result;
}
