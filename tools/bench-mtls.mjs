// `npm run bench -- mtls [--real]`: mutual TLS + MQTT CONNECT/CONNACK against mosquitto on
// 127.0.0.1 (issue 15's benchmarks), on the real interpreter at $ESPRUINO_BIN.
//
// Brokers: one mosquitto per TLS version (as test/mqtt/mtls.test.mjs starts them), each with two
// listeners on the same server chain (RSA-2048 root -> intermediate -> leaf for localhost):
//   mtls    require_certificate true + use_identity_as_username true (device CA as cafile)
//   plain   no client certificate asked (the baseline: the same handshake without one)
// A run: tls.connect (chain from the verified-chain cache, warm) then Espruino's unmodified MQTT
// module (require("MQTT"): module cache in the speed runs, Storage in the JsVars search) sends
// CONNECT on the socket; the run ends at CONNACK
// ("connected"), then DISCONNECT and close before the next run.
// Rows, per TLS version and device key (P-256 PKCS#8, RSA-2048 PKCS#1):
//   baseFull / baseResumed   no client certificate, full handshake / resumed (session from an
//                            earlier connection to the same listener)
//   keyFull / keyResumed     mutual TLS with the device key, full / resumed
// Each key runs in its own interpreter process with its own baseline rows (a board has one
// identity; the library keeps the last resolved identity, so alternating two keys in one process
// would re-parse each key, and an RSA key's blinding pair, for every connection). An untimed
// connection of each kind seeds the session caches and makes the first signature (P-256 comb
// table, RSA blinding pair) before the timed rounds. Rounds interleave the rows.
// Figures of a row: the best (lowest) of its runs, wall (getTime()) and CPU of the interpreter's
// thread (/proc/thread-self/schedstat) each; connectedMs is to the end of the handshake; signMs is
// the CertificateVerify signature inside the handshake (progress step client_certificate to
// client_certificate_verify); longestGapMs is the longest gap between ticks of a 5 ms interval
// during the run (the longest the event loop was held: a slice plus, on this loaded machine, the
// time the process waited for a core), the smallest per-run maximum of the row's runs.
// Targets (issue 15): mutual TLS adds <= 1 signature's time to a full handshake (keyFull - baseFull
// <= signMs, on wall and on CPU) and nothing to a resumed one (keyResumed / baseResumed <= 1.1:
// a 10% band for run-to-run noise on a shared machine, stated in the JSON).
// JsVars: the least free JsVars in which an MQTT session over mutual TLS (P-256 device key and
// certificate as Storage names, code from Storage: connect, subscribe QoS 1, publish QoS 1, the
// message back and the PUBACK) completes, by tools/lib/jsvars-need.mjs's ballast search, on the
// ESP32 layout binary ($ESPRUINO_ESP32_BIN, default /opt/espruino/esp32/espruino: 32-bit, 16,383
// JsVars of 14 bytes).
// Without --real only the board mock runs one round of TLS 1.3 (Node's speed: shape only).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { Pki } from "./lib/pki.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { espruinoBin, prepareFlash, runInterpreter, cacheHostModule } from "./espruino-run.mjs";
import { createBoard } from "./mock/board.mjs";
import { jsVarsNeededFor } from "./lib/jsvars-need.mjs";
import { progressPrinter, parseRows, plainOutput as plain } from "./lib/bench-progress.mjs";
import { PROBE } from "./lib/slice-probe.mjs";
import { startMosquitto, mqttSkip, mqttModuleText, MQTT_MODULE } from "../test/helpers/mosquitto.mjs";

export const KEYS = { p256: "P-256 (PKCS#8 PEM), ecdsa_secp256r1_sha256", rsa2048: "RSA-2048 (PKCS#1 PEM), rsa_pss_rsae_sha256" };
export const VERSIONS = { "tlsv1.3": 0x0304, "tlsv1.2": 0x0303 };
/** Timed rounds per process (each runs every row once); BENCH_MTLS_ROUNDS overrides. */
export const ROUNDS = Number(process.env.BENCH_MTLS_ROUNDS || 2);
export const RESUMED_NOISE = 1.1;
const ESP32_BIN = process.env.ESPRUINO_ESP32_BIN || "/opt/espruino/esp32/espruino";
const NEED_SEARCH = { lo: 4000, hi: 6500, step: 125, bytesPerJsVar: 14 };
const ROW_KINDS = ["baseFull", "keyFull", "baseResumed", "keyResumed"];

// ---- Board-side script (the interpreter's subset) -------------------------------------------------
// Prepended by the host: lib, PLAN, GAP, CA, DEVICE ({key, cert} or null), cpuNs(), PROBED (the
// library was loaded through tools/lib/slice-probe.mjs: its longest step is measured).
// A step: {k, row, port, key (bool), session (cache name or null), timed, limit}.
const BOARD = String.raw`var SC = {}, CC = new lib.tls.ChainCache();
function cache(n) { if (!SC[n]) SC[n] = new lib.tls.SessionCache(); return SC[n]; }
function emit(o) { print("ROW " + JSON.stringify(o)); }
function r1(x) { return Math.round(x * 10) / 10; }
function one(p, cb) {
  var r = { k: p.k, row: p.row, steps: [] }, fin = false, closed = false, t0, c0, last, gap = 0, iv, wd, sock = null, mq;
  var o = { host: "localhost", port: p.port, ca: CA, chainCache: CC, session: p.session ? cache(p.session) : false, timeout: 600000 };
  if (p.key) { o.key = DEVICE.key; o.cert = DEVICE.cert; }
  function tick() { var t = getTime(); if (t - last > gap) gap = t - last; last = t; }
  function after() { if (closed) cb(r); else setTimeout(after, 20); }
  function end(err) {
    if (fin) return;
    fin = true;
    r.ms = r1((getTime() - t0) * 1000); r.cpuMs = r1((cpuNs() - c0) / 1e6);
    clearInterval(iv); tick(); clearTimeout(wd);
    r.longestGapMs = r1(gap * 1000);
    var st = PROBED ? probeStop() : null;
    if (st) { r.stepMs = st.longestMs; r.stepRefMs = st.refMs; r.stepAfter = st.longestAfter; r.factor = st.factor; }
    r.steps = r.steps.join(",");
    if (err) r.error = (err.code || "ERROR") + ": " + (err.message || err);
    try { if (mq.client) mq.disconnect(); else if (sock) sock.end(); } catch (e) { closed = true; }
    if (!sock) closed = true;
    setTimeout(function () { closed = true; }, 5000);
    after();
  }
  mq = require("MQTT").create("localhost", { client_id: "etls-bench-" + p.k, keep_alive: 60 });
  mq.on("connected", function () { r.connack = true; end(null); });
  mq.on("error", function (e) { end({ code: "MQTT_ERROR", message: String(e) }); });
  wd = setTimeout(function () { end({ code: "BENCH_TIMEOUT", message: "no CONNACK in " + p.limit + " ms" }); }, p.limit);
  process.memory();
  if (PROBED) probeStart();
  c0 = cpuNs(); t0 = getTime(); last = t0;
  iv = setInterval(tick, 5);
  try {
    sock = lib.tls.connect(o, function (i) {
      r.connectedMs = r1((getTime() - t0) * 1000); r.version = i.version; r.resumed = !!i.resumed;
      mq.connect(sock);
    });
    sock.on("progress", function (s) { r.steps.push(s + "@" + Math.round((getTime() - t0) * 1000)); if (PROBED) probeMark(s); });
    sock.on("error", function (e) { end(e); });
    sock.on("close", function () { closed = true; if (!fin) end({ code: "CLOSED", message: "closed before CONNACK" }); });
  } catch (e) { end(e); }
}
function run(k) {
  if (k >= PLAN.length) { print("DONE"); setTimeout(quit, 50); return; }
  var p = PLAN[k];
  function next() { setTimeout(function () { run(k + 1); }, GAP); }
  function go() { one(p, function (r) { if (!p.timed) r.untimed = true; emit(r); next(); }); }
  // A resumed row needs a session: when its cache has none, one untimed connection makes it.
  var st = p.session ? cache(p.session).stats() : null;
  if (!st || !p.timed || st.tickets + st.sessions12 > 0) { go(); return; }
  one({ k: p.k, row: p.row, port: p.port, key: p.key, session: p.session, limit: p.limit }, function (r) { r.seed = true; emit(r); setTimeout(go, GAP); });
}
run(0);
`;

const CPU_NS = `function cpuNs() { var f = E.openFile("/proc/thread-self/schedstat", "r"), s = f.read(64); f.close(); return parseInt(s); }`;

/** The steps of one key's process: seeds/warm-ups (untimed), then `rounds` interleaved rounds. */
export function planFor(ports, rounds, limit) {
  const rows = {
    baseFull: { port: ports.plain, key: false, session: null },
    keyFull: { port: ports.mtls, key: true, session: null },
    baseResumed: { port: ports.plain, key: false, session: "base" },
    keyResumed: { port: ports.mtls, key: true, session: "key" },
  };
  const plan = [];
  const add = (row, timed) => plan.push({ k: plan.length, row, ...rows[row], timed, limit });
  // untimed: the first signature with this key (comb table / blinding pair), both sessions
  add("keyResumed", false);
  add("baseResumed", false);
  for (let i = 0; i < rounds; i++) for (const row of ROW_KINDS) add(row, true);
  return plan;
}


/** ms of a progress step in "name@ms,..." (the last one of that name), or null. */
export function stepAt(steps, name) {
  let at = null;
  for (const s of (steps || "").split(",")) { const i = s.lastIndexOf("@"); if (s.slice(0, i) === name) at = Number(s.slice(i + 1)); }
  return at;
}

/** What a run must show for its row to count. */
export function problemsOf(row, run, version) {
  if (run.error) return [run.error];
  const p = [];
  if (!run.connack) p.push("no CONNACK");
  if (run.version !== version) p.push(`negotiated 0x${(run.version || 0).toString(16)}`);
  const resumed = row.endsWith("Resumed");
  if (!!run.resumed !== resumed) p.push(resumed ? "not resumed" : "resumed");
  const signed = stepAt(run.steps, "client_certificate_verify") !== null;
  if (row === "keyFull" && !signed) p.push("no CertificateVerify sent");
  if (row !== "keyFull" && signed) p.push("a CertificateVerify was sent");
  return p;
}

const best = (runs, f) => { const v = runs.filter((x) => typeof x[f] === "number").map((x) => x[f]); return v.length ? Math.min(...v) : null; };
const r1 = (x) => (x === null ? null : Math.round(x * 10) / 10);
const r2 = (x) => (x === null ? null : Math.round(x * 100) / 100);

/** One key's printed rows (one version) -> rows with best figures, ratios and the targets. */
export function summarize(printed, version) {
  const rows = {};
  for (const row of ROW_KINDS) {
    const runs = printed.filter((x) => x.row === row && !x.untimed && !x.seed);
    const good = runs.filter((x) => !problemsOf(row, x, version).length);
    const problems = [...new Set(runs.flatMap((x) => problemsOf(row, x, version)))];
    if (!runs.length) problems.push("no run reported");
    const signs = good.map((x) => { const a = stepAt(x.steps, "client_certificate"), b = stepAt(x.steps, "client_certificate_verify"); return a !== null && b !== null ? b - a : null; }).filter((x) => x !== null);
    rows[row] = {
      ms: best(good, "ms"), cpuMs: best(good, "cpuMs"), connectedMs: best(good, "connectedMs"),
      ...(signs.length ? { signMs: Math.min(...signs) } : {}),
      longestGapMs: best(good, "longestGapMs"),
      ...(good.some((x) => typeof x.stepRefMs === "number") ? { longestStep: (() => { const w = good.reduce((a, x) => (typeof x.stepRefMs === "number" && (!a || x.stepRefMs > a.stepRefMs) ? x : a), null); return { refMs: w.stepRefMs, ms: w.stepMs, after: w.stepAfter, factor: w.factor }; })() } : {}),
      runs: runs.map((x) => ({ ms: x.ms, cpuMs: x.cpuMs, connectedMs: x.connectedMs, longestGapMs: x.longestGapMs, ...(problemsOf(row, x, version).length ? { notCounted: problemsOf(row, x, version) } : {}) })),
      ...(problems.length ? { problems } : {}),
      steps: (good[0] || runs[0] || {}).steps,
    };
  }
  const ratio = (a, b, f) => (rows[a][f] !== null && rows[b][f] ? r2(rows[a][f] / rows[b][f]) : null);
  const full = { wall: ratio("keyFull", "baseFull", "ms"), cpu: ratio("keyFull", "baseFull", "cpuMs") };
  const resumed = { wall: ratio("keyResumed", "baseResumed", "ms"), cpu: ratio("keyResumed", "baseResumed", "cpuMs") };
  const added = (f) => (rows.keyFull[f] !== null && rows.baseFull[f] !== null ? r1(rows.keyFull[f] - rows.baseFull[f]) : null);
  const addedFull = { wall: added("ms"), cpu: added("cpuMs") };
  const sign = rows.keyFull.signMs ?? null;
  const extra = printed.filter((x) => x.untimed || x.seed).map((x) => ({ row: x.row, kind: x.seed ? "seed" : "warm-up", ms: x.ms, cpuMs: x.cpuMs, signMs: (() => { const a = stepAt(x.steps, "client_certificate"), b = stepAt(x.steps, "client_certificate_verify"); return a !== null && b !== null ? b - a : undefined; })(), error: x.error }));
  return {
    rows,
    ratioFull: full, ratioResumed: resumed,
    addedToFullMs: addedFull, signatureInHandshakeMs: sign,
    targets: {
      full: { target: "mutual TLS adds <= 1 signature's time to a full handshake (keyFull - baseFull <= signMs)", wall: addedFull.wall === null || sign === null ? null : addedFull.wall <= sign, cpu: addedFull.cpu === null || sign === null ? null : addedFull.cpu <= sign },
      resumed: { target: `mutual TLS adds nothing to a resumed handshake (keyResumed / baseResumed <= ${RESUMED_NOISE}: noise band)`, wall: resumed.wall === null ? null : resumed.wall <= RESUMED_NOISE, cpu: resumed.cpu === null ? null : resumed.cpu <= RESUMED_NOISE },
    },
    warmupsAndSeeds: extra,
  };
}

// ---- PKI and brokers -------------------------------------------------------------------------------

/** Server chain (RSA-2048, localhost), device CA, P-256 and RSA-2048 device keys with clientAuth certificates. */
export function makePki() {
  const pki = new Pki();
  const server = pki.chain({ label: "bench mtls server", rootKey: "rsa", interKey: "rsa", leafKey: "rsa" });
  server.chainFile = pki.file("server-chain.pem");
  writeFileSync(server.chainFile, server.leaf.pem + server.inter.pem);
  const ca = pki.cert("deviceca", { ca: true, cn: "bench device ca", days: 3650 });
  const device = (name, key) => {
    const c = pki.cert(name, { eku: "clientAuth", cn: name, issuer: ca, ...(key ? { key } : {}) });
    // RSA as PKCS#1 ("RSA PRIVATE KEY", what AWS IoT hands out), P-256 as PKCS#8
    const keyPem = key === "rsa" ? execFileSync("openssl", ["rsa", "-in", c.keyFile, "-traditional"], { encoding: "latin1", stdio: ["ignore", "pipe", "ignore"] }) : readFileSync(c.keyFile, "latin1");
    return { keyFile: c.keyFile, keyPem, certFile: c.certFile, cert: c.pem };
  };
  return { pki, server, ca, devices: { p256: device("bench-p256"), rsa2048: device("bench-rsa2048", "rsa") } };
}

async function brokerFor(p, version) {
  return startMosquitto([{ requireCert: true, identityAsUsername: true }, {}],
    { certFile: p.server.chainFile, keyFile: p.server.leaf.keyFile, caFile: p.ca.certFile }, version);
}

/** One key's process on the interpreter (code in RAM): the printed rows. */
async function interpreterRun(bin, p, keyName, ports, timeoutMs) {
  // the MQTT module into the module cache from its host file: next to the layered bundle it no
  // longer fits the Linux build's 256 KB Storage
  const dir = await prepareFlash(bin, { extra: [["ca-root.pem", p.server.root.certFile]] });
  try {
    const lib = path.join(dir, "lib.js");
    copyFileSync(bundlePath("linux"), lib);
    // the bundle evaluated from RAM: a board's memory-mapped flash speed (see bench-tls.mjs)
    // through the slice probe, which times every callback of the library (its longest step)
    const ram = `probeLoad(E.openFile("lib.js", "r").read(${statSync(lib).size}))`;
    const dev = p.devices[keyName];
    writeFileSync(path.join(dir, "run.js"), `${PROBE}
${cacheHostModule("MQTT", MQTT_MODULE)}
var PROBED = true, lib = ${ram};
var PLAN = ${JSON.stringify(planFor(ports, ROUNDS, 300000))}, GAP = 300, CA = E.toString(require("Storage").read("ca-root.pem"));
var DEVICE = ${JSON.stringify({ key: dev.keyPem, cert: dev.cert })};
${CPU_NS}
${BOARD}`);
    const r = await runInterpreter(bin, dir, "run.js", {
      timeoutMs,
      onOutput: progressPrinter(keyName),
    });
    const out = plain(r.out);
    return { printed: parseRows(r.out), done: /^DONE$/m.test(out), uncaught: [...out.matchAll(/^Uncaught (.*)$/gm)].map((m) => m[1]), tail: /^DONE$/m.test(out) ? undefined : out.slice(-600) };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}


const la = () => loadavg().map((x) => +x.toFixed(2));

async function realSpeed(bin, p, versions, keys) {
  const out = {};
  for (const version of versions) {
    const broker = await brokerFor(p, version);
    try {
      const ports = { mtls: broker.ports[0], plain: broker.ports[1] };
      out[version] = {};
      for (const keyName of keys) {
        process.stderr.write(`bench mtls: ${version} ${keyName}\n`);
        const loadStart = la(), t0 = Date.now();
        const r = await interpreterRun(bin, p, keyName, ports, 900000);
        out[version][keyName] = {
          device: KEYS[keyName],
          loadavg: { start: loadStart, end: la() },
          seconds: Math.round((Date.now() - t0) / 1000),
          ...summarize(r.printed, VERSIONS[version]),
          ...(r.done ? {} : { incomplete: r.tail }),
          ...(r.uncaught.length ? { uncaught: r.uncaught } : {}),
        };
      }
    } finally { await broker.close(); }
  }
  return out;
}

// ---- JsVars: an MQTT session over mutual TLS, code from Storage ----------------------------------

const SESSION_SETUP = `var lib = require("espruino-tls"), MQ = require("MQTT");
var ca = E.toString(require("Storage").read("ca-root.pem"));`;
const SESSION_ACTION = `var r = { ok: false, got: 0, puback: 0 }, mq = MQ.create("localhost", { client_id: "etls-bench-need", keep_alive: 60 }), sock;
function fin(ok, e) { if (e) { r.error = e.code || String(e); r.after = last; } r.ok = ok; try { mq.disconnect(); } catch (x) {} report(r); report = function () {}; }
function check() { if (r.got === 1 && r.puback === 1) fin(true); }
mq.on("connected", function () { mq.subscribe("need/t", { qos: 1 }); });
mq.on("subscribed", function () { mq.publish("need/t", "mutual", { qos: 1 }); });
mq.on("puback", function () { r.puback++; check(); });
mq.on("message", function (t, m) { if (m === "mutual") r.got++; check(); });
mq.on("error", function (e) { fin(false, e); });
sock = lib.tls.connect({ host: "localhost", port: PORT, ca: ca, key: "etls.key", cert: "etls.crt", session: false, timeout: 600000 }, function () { mq.connect(sock); });
sock.on("progress", function (p) { last = p; });
sock.on("error", function (e) { fin(false, e); });`;

async function realJsVars(p, bin) {
  if (!existsSync(bin)) return { skipped: `${bin} is absent (ESPRUINO_ESP32_BIN)` };
  const broker = await brokerFor(p, "tlsv1.3");
  try {
    const dir = mkdtempSync(path.join(tmpdir(), "etls-bench-mtls-"));
    const keyDer = path.join(dir, "etls.key");
    writeFileSync(keyDer, execFileSync("openssl", ["pkey", "-in", p.devices.p256.keyFile, "-outform", "DER"]));
    const loadStart = la(), t0 = Date.now();
    const need = await jsVarsNeededFor(bin, {
      setup: SESSION_SETUP, action: SESSION_ACTION, globals: { PORT: broker.ports[0] },
      extra: [["MQTT", MQTT_MODULE], ["ca-root.pem", p.server.root.certFile], ["etls.key", keyDer], ["etls.crt", p.devices.p256.certFile]],
      timeoutMs: 600000,
    }, { ...NEED_SEARCH, retryOn: /TRUNCATED|CLOSED|RESET/, onProbe: (x) => process.stderr.write(`  JsVars probe: ${x.free} free -> ${x.ok ? "ok" : (x.error || "grew") + (x.after ? " after " + x.after : "")}${x.retried ? " (retrying)" : ""}\n`) });
    rmSync(dir, { recursive: true, force: true });
    return {
      binary: bin, layout: "32-bit, 16,383 JsVars of 14 bytes (ESP32)",
      what: "TLS 1.3 mutual TLS (P-256 key as PKCS#8 DER and certificate as Storage names, server chain RSA-2048 verified in full, no session) + MQTT CONNECT, SUBSCRIBE QoS 1, PUBLISH QoS 1, the message back and PUBACK; library and MQTT module required from Storage",
      neededFreeJsVars: need.need, within: need.within, atRest: need.libraryAtRest, search: need.runs,
      loadavg: { start: loadStart, end: la() }, seconds: Math.round((Date.now() - t0) / 1000),
    };
  } finally { await broker.close(); }
}

// ---- The board mock -----------------------------------------------------------------------------

/** One TLS 1.3 round per key in the mock (Node's speed: the JSON's shape, not the board's times). */
async function mockRun(p) {
  const broker = await brokerFor(p, "tlsv1.3");
  const out = {};
  try {
    const ports = { mtls: broker.ports[0], plain: broker.ports[1] };
    for (const keyName of Object.keys(KEYS)) {
      const printed = [];
      let b = null, timer = null;
      try {
        await new Promise((resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`bench mtls mock (${keyName}): no DONE in 120 s`)), 120000);
          b = createBoard({ board: "linux", print: (s) => { if (s === "DONE") resolve(); else if (s.startsWith("ROW ")) printed.push(JSON.parse(s.slice(4))); } });
          b.loadLibrary(bundlePath("linux"));
          b.install("MQTT", mqttModuleText());
          b.define("quit", () => {});
          b.define("cpuNs", () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; });
          // the slice probe runs on the interpreter only (PROBED false): never called here
          for (const f of ["probeStart", "probeStop", "probeMark"]) b.define(f, () => null);
          const device = { key: p.devices[keyName].keyPem, cert: p.devices[keyName].cert };
          b.run(`var DEVICE = ${JSON.stringify(device)}, PROBED = false;\nvar lib = require("espruino-tls"), PLAN = ${JSON.stringify(planFor(ports, 1, 60000))}, GAP = 20, CA = ${JSON.stringify(p.server.root.pem)};\n${BOARD}`, "bench-mtls.js");
        });
      } finally { clearTimeout(timer); if (b) b.close(); }
      out[keyName] = { device: KEYS[keyName], ...summarize(printed, VERSIONS["tlsv1.3"]) };
    }
  } finally { await broker.close(); }
  return out;
}

const listEnv = (name, all) => (process.env[name] ?? all.join(",")).split(",").filter(Boolean);

/** `build: false` uses dist/linux as it is when it exists (the smoke test). `versions`, `keys` and
 *  `jsVars` narrow a real run (BENCH_MTLS_VERSIONS=tlsv1.3, BENCH_MTLS_KEYS=p256, BENCH_MTLS_JSVARS=0;
 *  an empty list skips the speed rows). */
export async function benchMtls({ real = false, build = true, versions = listEnv("BENCH_MTLS_VERSIONS", Object.keys(VERSIONS)), keys = listEnv("BENCH_MTLS_KEYS", Object.keys(KEYS)), jsVars = process.env.BENCH_MTLS_JSVARS !== "0" } = {}) {
  const skip = mqttSkip();
  if (skip) return { bench: "mtls", skipped: skip };
  const t0 = Date.now();
  if (build || !existsSync(bundlePath("linux"))) await buildBoard("linux", { quiet: true });
  const p = makePki();
  const result = {
    bench: "mtls",
    loadavg: { start: la() },
    cpus: cpus().length,
    rounds: real ? ROUNDS : 1,
    brokers: "mosquitto on 127.0.0.1, one process per TLS version, listeners: mtls (require_certificate true, use_identity_as_username true) and plain (no client certificate); server chain RSA-2048 (root, intermediate, leaf)",
    run: "tls.connect (server chain from the warm verified-chain cache) + Espruino's MQTT module: CONNECT, until CONNACK; then DISCONNECT",
    figures: "ms / cpuMs: best wall (getTime()) / CPU (interpreter thread) time of a row's runs to CONNACK; connectedMs: to the end of the handshake; signMs: CertificateVerify signature in the handshake (progress client_certificate -> client_certificate_verify); longestGapMs: longest gap between 5 ms interval ticks in a run (a slice, plus waiting for a core under load), least of the row's runs; longestStep: the longest synchronous step of the library in the row's runs (tools/lib/slice-probe.mjs: refMs converted to the reference interpreter on an idle machine, ms as measured, after: the progress step before it, factor: that run's slow-down against the reference), the largest of the runs; ratio*: mutual TLS over the same handshake without a client certificate, same process",
    code: { speed: "RAM (bundle text evaluated from RAM: a board's memory-mapped flash)", jsVars: "Storage" },
  };
  try {
    if (real) {
      const bin = espruinoBin();
      result.interpreter = { bin, speed: await realSpeed(bin, p, versions, keys) };
      if (jsVars) result.interpreter.jsVars = await realJsVars(p, ESP32_BIN);
    } else result.mock = { note: "board mock in Node: times are not the board's; use --real with ESPRUINO_BIN", ...(await mockRun(p)) };
  } finally { rmSync(p.pki.dir, { recursive: true, force: true }); }
  result.loadavg.end = la();
  result.seconds = Math.round((Date.now() - t0) / 1000);
  return result;
}
