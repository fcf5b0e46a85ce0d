// `npm run bench -- memory --real`: JsVars of the library on the interpreter at $ESPRUINO_BIN
// (issue 17, item 4), code required from Storage as a board runs it. Meant for the 32-bit builds
// with a board's layout: /opt/espruino/esp32/espruino (16,383 JsVars of 14 bytes, ESP32) and
// /opt/espruino/c3/espruino (4,095 of 13, ESP32-C3); the figures of the 64-bit Linux build
// (27-byte JsVars, growing heap) are not a board's.
//
// Cases: a verified HTTPS GET of a 1 KB file from openssl s_server -WWW on 127.0.0.1, for each
//   chain    rsa2048 (RSA-2048 root -> intermediate -> leaf) and ecdsaP256 (the same in P-256),
//   version  tls13 (server offers 1.3 and 1.2) and tls12 (server started with -no_tls1_3),
//   cache    off (chainCache: false: the chain verified in full) and warm (a ChainCache filled by
//            one GET before: the chain comes from the cache).
// No case resumes (session: false): a resumed handshake is another path (npm run bench -- tls).
// Per case:
//   atRest   process.memory().usage (after a collection) before require("espruino-tls"), after it,
//            and with the CA text read (and, for cache warm, after the warm-up GET): the state the
//            request starts from.
//   retainedAfterGet  usage 1 s after the GET over the usage at rest (caches, tables kept).
//   phases   usage (after a collection: live JsVars) at each progress event of one GET, minus the
//            usage at rest. A collection inside a handler sees the handshake between two slices,
//            not the peak inside one: these are lower bounds of the peak.
//   need     the least free JsVars with which the GET completes (status 200, whole body):
//            tools/lib/jsvars-need.mjs (ballast until exactly F JsVars are free, binary search
//            over F to within `step`); inAll = usage at rest + need: what the interpreter, the
//            library and the request take together.
// Subsets (a full run is 8 cases x ~7 GETs from Storage, each tens of seconds):
//   BENCH_MEMORY_CHAINS=rsa2048,ecdsaP256  BENCH_MEMORY_VERSIONS=tls13,tls12  BENCH_MEMORY_CACHE=off,warm
//   BENCH_MEMORY_NEED=0 (phases only)  BENCH_MEMORY_STEP=125 (search precision)
//   BENCH_MEMORY_LO / BENCH_MEMORY_HI (search range; HI defaults to what is free at rest)
//   BENCH_MEMORY_BUNDLE=<file>: measure that product bundle (built for linux) instead of building one
//   BENCH_MEMORY_TIMEOUT_S=900: longest one GET-with-phases process may take
// Without --real the same board script runs on the board mock (shape only: the mock's
// process.memory() is a constant).
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { Pki } from "./lib/pki.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { espruinoBin, prepareFlash, runInterpreter } from "./espruino-run.mjs";
import { createBoard } from "./mock/board.mjs";
import { httpsGetApp, jsVarsNeededFor } from "./lib/jsvars-need.mjs";
import { plainOutput } from "./lib/bench-progress.mjs";
import { sServer, BODY_BYTES } from "./bench-tls.mjs";

export const CHAINS = { rsa2048: "rsa", ecdsaP256: "ec" };
export const VERSIONS = { tls13: [], tls12: ["-no_tls1_3"] };
export const CACHE = { off: "off", warm: "warm" };
/** Targets of issue 17 (ESP32 layout, TLS 1.3, RSA chain, no chain cache). */
export const TARGETS = { atRest: 2000, inAll: 6000 };
/** Longest one phase run may take (ECDSA with TLS 1.2 from Storage took over 400 s at load 20). */
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_MEMORY_TIMEOUT_S || 900) * 1000;

// ---- Board-side script: HTTPS_GET's setup (jsvars-need.mjs) then one GET with its phases -------
// Prepended by the host: URL, CHAIN, SESSIONS (the setup's globals), and U0 = usage before the
// setup (measured first in the script).
const PHASES = `function get(cb) {
  var ph = [], st = 0, body = 0, fin = false;
  function end(e) { if (fin) return; fin = true; cb(e, st, body, ph); }
  var req = lib.https.get(getOptions(), function (res) {
    st = res.statusCode;
    res.on("data", function (d) { body += d.length; });
    res.on("end", function () { end(null); });
  });
  req.on("progress", function (p) { ph.push([p, process.memory().usage]); });
  req.on("error", function (e) { end(e); });
}
function measured() {
  var m = process.memory();
  OUT.atRest = m.usage;
  get(function (e, st, body, ph) {
    OUT.status = st; OUT.body = body; OUT.phases = ph;
    if (e) OUT.error = e.code || String(e);
    // what the library keeps after the GET (caches, tables), once the socket's callbacks are done
    setTimeout(function () {
      OUT.after = process.memory().usage;
      print("RESULT " + JSON.stringify(OUT));
      setTimeout(quit, 50);
    }, 1000);
  });
}
if (CHAIN === "warm") get(function (e) {
  if (e) { OUT.error = "WARM_UP_" + (e.code || e); print("RESULT " + JSON.stringify(OUT)); setTimeout(quit, 50); return; }
  setTimeout(measured, 20);
}); else measured();`;

/** The whole board script: memory before require, the GET app's setup, then PHASES. */
export function phaseScript(globals) {
  const g = Object.entries(globals).map(([k, v]) => `var ${k} = ${JSON.stringify(v)};\n`).join("");
  const req = 'var lib = require("espruino-tls");', setup = httpsGetApp("", "").setup;
  if (!setup.startsWith(req)) throw new Error("bench memory: the GET app's setup no longer starts with " + req);
  return `var M0 = process.memory(), OUT = { beforeRequire: M0.usage, total: M0.total, blocksize: M0.blocksize };
print("BEGIN " + JSON.stringify(OUT));
${g}${req}
OUT.afterRequire = process.memory().usage;
print("REQUIRED " + JSON.stringify(OUT));
${setup.slice(req.length)}
${PHASES}\n`;
}

const la = () => loadavg().map((x) => +x.toFixed(2));
const listEnv = (name, all) => (process.env[name] ?? all.join(",")).split(",").filter(Boolean);

/** One GET on the interpreter with its phases; the result line, or what stopped it. */
async function phasesOnInterpreter(bin, caFile, globals, bundle) {
  const dir = await prepareFlash(bin, { extra: [["ca-root.pem", caFile]], bundle });
  try {
    writeFileSync(path.join(dir, "phases.js"), phaseScript(globals));
    const r = await runInterpreter(bin, dir, "phases.js", { timeoutMs: PHASE_TIMEOUT_MS, stopOn: /OUT OF MEMORY/ });
    const out = plainOutput(r.out);
    const m = /RESULT (\{.*\})/.exec(out);
    if (m) return JSON.parse(m[1]);
    // require itself may not fit (the C3 layout): say how far it got
    const begin = /BEGIN (\{.*\})/.exec(out), req = /REQUIRED (\{.*\})/.exec(out);
    return {
      error: /OUT OF MEMORY|Not enough memory/.test(out) ? "OUT_OF_MEMORY" : r.timedOut ? "TIMEOUT" : "NO_RESULT",
      requireCompleted: !!req, ...(begin ? JSON.parse(begin[1]) : {}), ...(req ? JSON.parse(req[1]) : {}), outputTail: out.slice(-600),
    };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** The figures of one case from the phase run's RESULT. */
function phaseFigures(x) {
  if (x.error && x.atRest === undefined) return x;
  const rest = x.atRest;
  return {
    layout: { total: x.total, bytesPerJsVar: x.blocksize },
    atRest: { beforeRequire: x.beforeRequire, afterRequire: x.afterRequire, library: x.afterRequire - x.beforeRequire, requestStartsFrom: rest },
    phases: Object.fromEntries((x.phases || []).map(([p, u]) => [p, u - rest])),
    retainedAfterGet: x.after - rest,
    status: x.status, bodyBytes: x.body,
    ...(x.error ? { error: x.error } : {}),
  };
}

async function realCase(bin, chain, server, cacheMode, search, bundle) {
  const get = { chain: cacheMode, sessions: false };
  const globals = { URL: server.url, CHAIN: cacheMode, SESSIONS: false };
  const ph = phaseFigures(await phasesOnInterpreter(bin, chain.root.certFile, globals, bundle));
  const out = { phaseRun: ph };
  if (!search || !ph.atRest || ph.status !== 200) return out;
  const free = ph.layout.total - ph.atRest.requestStartsFrom;
  const hi = Math.min(search.hi || Infinity, free - 50);
  const lo = Math.min(search.lo, hi - search.step);
  const need = await jsVarsNeededFor(bin, { ...httpsGetApp(chain.root.certFile, server.url, get), bundle }, {
    lo, hi, step: search.step, bytesPerJsVar: ph.layout.bytesPerJsVar || 14, retryOn: /TRUNCATED|CLOSED|RESET/,
    onProbe: (x) => process.stderr.write(`    probe ${x.free} free -> ${x.ok ? "ok" : (x.error || "grew") + (x.after ? " after " + x.after : "")}\n`),
  });
  out.need = need.need === null ? { need: null, note: `does not complete with ${hi} free (all that is free at rest, less 50)`, runs: need.runs }
    : { need: need.need, within: need.within, atRest: need.libraryAtRest, inAll: need.libraryAtRest + need.need, runs: need.runs };
  return out;
}

async function realRuns(bin, pick, bundle) {
  const pki = new Pki();
  const started = [];
  const res = {};
  const search = process.env.BENCH_MEMORY_NEED === "0" ? null : {
    step: Number(process.env.BENCH_MEMORY_STEP || 125), lo: Number(process.env.BENCH_MEMORY_LO || 1500),
    hi: process.env.BENCH_MEMORY_HI ? Number(process.env.BENCH_MEMORY_HI) : null,
  };
  try {
    for (const c of pick.chains) {
      const chain = pki.chain({ leafKey: CHAINS[c], interKey: CHAINS[c], rootKey: CHAINS[c] });
      for (const v of pick.versions) {
        const server = await sServer(chain, VERSIONS[v]);
        started.push(server);
        try {
          for (const k of pick.cache) {
            const name = `${c}.${v}.cache-${k}`, t0 = Date.now(), load = la();
            process.stderr.write(`bench memory: ${name}\n`);
            res[name] = { ...(await realCase(bin, chain, server, CACHE[k], search, bundle)), loadavg: { start: load, end: la() }, seconds: Math.round((Date.now() - t0) / 1000) };
            process.stderr.write(`  ${name}: ${JSON.stringify(res[name].phaseRun.atRest || res[name].phaseRun.error)} phases ${JSON.stringify(res[name].phaseRun.phases || null)}${res[name].need ? ` need ${res[name].need.need} in all ${res[name].need.inAll}` : ""}\n`);
          }
        } finally { server.stop(); }
      }
    }
  } finally { for (const s of started) s.stop(); }
  return res;
}

/** The board mock: the phase script once (TLS 1.3, ECDSA chain, no cache): the script's shape. */
async function mockRun(bundle) {
  const chain = new Pki().chain();
  const server = await sServer(chain, []);
  let b = null, timer = null;
  try {
    const line = await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("bench memory mock: no RESULT in 120 s")), 120000);
      b = createBoard({ board: "linux", print: (s) => { if (s.startsWith("RESULT ")) resolve(JSON.parse(s.slice(7))); } });
      b.loadLibrary(bundle || bundlePath("linux"));
      b.install("ca-root.pem", chain.root.pem);
      b.define("quit", () => {});
      b.run(phaseScript({ URL: server.url, CHAIN: "off", SESSIONS: false }), "bench-memory.js");
    });
    return { ...phaseFigures(line), note: "board mock in Node: process.memory() is a constant there; use --real with ESPRUINO_BIN" };
  } finally { clearTimeout(timer); if (b) b.close(); server.stop(); }
}

/** `build: false` uses dist/linux as it is when it exists (the smoke test). */
export async function benchMemory({ real = false, build = true } = {}) {
  const t0 = Date.now();
  const bundle = process.env.BENCH_MEMORY_BUNDLE ? path.resolve(process.env.BENCH_MEMORY_BUNDLE) : null;
  if (bundle && !existsSync(bundle)) throw new Error(`BENCH_MEMORY_BUNDLE=${bundle} does not exist`);
  if (!bundle && (build || !existsSync(bundlePath("linux")))) await buildBoard("linux", { quiet: true });
  const pick = {
    chains: listEnv("BENCH_MEMORY_CHAINS", Object.keys(CHAINS)), versions: listEnv("BENCH_MEMORY_VERSIONS", Object.keys(VERSIONS)),
    cache: listEnv("BENCH_MEMORY_CACHE", Object.keys(CACHE)),
  };
  for (const [k, all] of [["chains", CHAINS], ["versions", VERSIONS], ["cache", CACHE]]) {
    for (const x of pick[k]) if (!all[x]) throw new Error(`bench memory: unknown ${k} "${x}" (${Object.keys(all).join(", ")})`);
  }
  const result = {
    bench: "memory",
    loadavg: { start: la() },
    bundle: { file: bundle || "dist/linux/espruino-tls.js", bytes: statSync(bundle || bundlePath("linux")).size, code: "required from Storage (text stays in flash, as on a board)" },
    get: `verified HTTPS GET of a ${BODY_BYTES}-byte file from openssl s_server -WWW on 127.0.0.1, keepAlive false, session false`,
    figures: "atRest: process.memory().usage after a collection; phases: live JsVars (after a collection) at each progress event over the usage at rest (lower bounds of the peak); need: least free JsVars the GET completes in (ballast + binary search, tools/lib/jsvars-need.mjs); inAll = usage at rest + need",
    targets: { atRest: `library <= ${TARGETS.atRest} (issue 17)`, inAll: `<= ${TARGETS.inAll} for rsa2048.tls13.cache-off on the ESP32 layout (issue 17)` },
    pick,
  };
  const bin = real ? espruinoBin() : null;
  if (bin) result.interpreter = { bin, cases: await realRuns(bin, pick, bundle) };
  else result.mock = await mockRun(bundle);
  result.loadavg.end = la();
  result.seconds = Math.round((Date.now() - t0) / 1000);
  return result;
}
