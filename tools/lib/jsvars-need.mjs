// How many free JsVars a verified HTTPS GET needs on the real interpreter, beyond the library
// at rest (code in Storage, as a board runs it).
//
// Sampling process.memory(false).usage overstates the need: the interpreter frees cycles only
// when it garbage-collects (when idle, or when an allocation finds no free JsVar), so garbage
// counts as used in between. Sampling with process.memory() (which collects) misses peaks
// inside a slice. So this measures the need directly: it fills memory with ballast until
// exactly F JsVars are free, then runs the request. The Linux build collects before it grows
// its memory (and grows only when collecting frees nothing), so the request fits in F iff
// process.memory().total did not change; a native call that needs a contiguous block and finds
// none fails instead (AES_FAILED, "Not enough memory for result"). Either way F was too small.
// A binary search over F gives the need to within `step` JsVars.
import { writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { prepareFlash, runInterpreter, cleanOutput } from "../espruino-run.mjs";

// The ballast: SETUP (the app's own state at rest, e.g. a module it requires) runs first, then
// WARM (optional: code that defines warm(go), e.g. a first request that fills a cache, and calls
// go() when done), then memory is filled until exactly FREE JsVars are free; ACTION then runs
// and prints RESULT {ok, ...} through report(), which adds the memory figures.
const PRELUDE = `var B = [], rest, total, free0, last = "-";
function fill() {
  var m = process.memory();
  // grow the memory first (the library alone nearly fills the initial 8192 JsVars); a build
  // with a fixed number of variables (2^k - 1, as on a board) cannot grow
  if (m.free < FREE + 1000 && m.total % 4096 === 0) { var G = []; while (process.memory(false).total === m.total) G.push(0); G = undefined; }
  m = process.memory();
  rest = m.usage; total = m.total;
  // ballast in blocks of ~100 JsVars, then single JsVars
  while (process.memory().free > FREE + 300) B.push(new Uint8Array(100 * BPV));
  while (process.memory().free > FREE) B.push(0);
  free0 = process.memory().free;
}
function report(r) {
  if (r.ok) r.ok = process.memory().total === total;
  r.free = free0; r.rest = rest; r.total = process.memory().total;
  print("RESULT " + JSON.stringify(r));
  setTimeout(quit, 50);
}`;

/** The verified HTTPS GET of URL (chain rooted at the Storage file ca-root.pem). CHAIN: "default"
 *  (the library's chain cache), "off" (chainCache: false) or "warm" (a cache of its own, filled by
 *  a first GET before the ballast); SESSIONS false passes session: false (no resumption). */
const HTTPS_GET = {
  setup: `var lib = require("espruino-tls");
var ca = E.toString(require("Storage").read("ca-root.pem"));
var CC = CHAIN === "warm" ? new lib.tls.ChainCache() : CHAIN === "off" ? false : undefined;
function getOptions() {
  var o = { url: URL, ca: ca, keepAlive: false, timeout: 600000 };
  if (CC !== undefined) o.chainCache = CC;
  if (!SESSIONS) o.session = false;
  return o;
}`,
  warm: `function warm(go) {
  lib.https.get(getOptions(), function (res) {
    res.on("data", function () {});
    res.on("end", function () { setTimeout(go, 20); });
  }).on("error", function (e) { print("RESULT " + JSON.stringify({ ok: false, error: "WARM_UP_" + e.code })); setTimeout(quit, 50); });
}`,
  action: `var req = lib.https.get(getOptions(), function (res) {
  res.on("data", function () {});
  res.on("end", function () { report({ ok: res.statusCode === 200, status: res.statusCode }); });
});
req.on("progress", function (p) { last = p; });
req.on("error", function (e) { report({ ok: false, error: e.code, after: last }); });`,
};

/** The HTTPS GET app for jsVarsNeededFor (see HTTPS_GET); the memory benchmark reuses its setup. */
export function httpsGetApp(caFile, url, { chain = "default", sessions = true } = {}) {
  return {
    setup: HTTPS_GET.setup, action: HTTPS_GET.action, warm: chain === "warm" ? HTTPS_GET.warm : null,
    extra: [["ca-root.pem", caFile]], globals: { URL: url, CHAIN: chain, SESSIONS: sessions },
  };
}

/** One run with `free` JsVars left: {ok, ...}. app: { setup, warm, action, extra: [[name, file]], globals: {}, bundle } */
async function tryWith(bin, app, free, bytesPerJsVar) {
  const dir = await prepareFlash(bin, { extra: app.extra || [], bundle: app.bundle || null });
  try {
    const globals = Object.entries(app.globals || {}).map(([k, v]) => `var ${k} = ${JSON.stringify(v)};\n`).join("");
    const start = app.warm ? `${app.warm}\nwarm(start);` : "start();";
    writeFileSync(path.join(dir, "need.js"), `${globals}var FREE = ${free}, BPV = ${bytesPerJsVar};\n${app.setup}\n${PRELUDE}\nfunction start() {\nfill();\n${app.action}\n}\n${start}\n`);
    const r = await runInterpreter(bin, dir, "need.js", { timeoutMs: app.timeoutMs || 400000, stopOn: /OUT OF MEMORY/ });
    const out = cleanOutput(r.out);
    const m = /RESULT (.*)/.exec(out);
    if (m) return JSON.parse(m[1]);
    // out of memory on the way (the interpreter prints it and stops the callback chain)
    return { ok: false, error: /OUT OF MEMORY|Not enough memory/.test(out) ? "OUT_OF_MEMORY" : r.timedOut ? "TIMEOUT" : "NO_RESULT", free };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/**
 * The least free JsVars (to within `step`) with which a GET of `url`
 * (chain rooted at caFile) completes without growing the interpreter's memory; also the
 * library's JsVars at rest. Searches [lo, hi]; `runs` lists every probe.
 */
export async function jsVarsNeeded(bin, caFile, url, search = {}, get = {}) {
  return jsVarsNeededFor(bin, httpsGetApp(caFile, url, get), search);
}

/** The same search for any app (see tryWith); onProbe(run) is told of each probe as it ends. */
export async function jsVarsNeededFor(bin, app, { lo = 1500, hi = 4500, step = 100, bytesPerJsVar = 26, onProbe = () => {}, retryOn = null } = {}) {
  const runs = [];
  // retryOn: errors that may come from time rather than memory (a peer that gave up waiting on a
  // loaded machine): such a probe is run once more before it counts as a failure.
  const probe = async (free) => {
    let r = await tryWith(bin, app, free, bytesPerJsVar);
    if (!r.ok && retryOn && retryOn.test(r.error || "")) {
      onProbe({ free, ok: false, error: r.error, after: r.after, retried: true });
      r = { ...(await tryWith(bin, app, free, bytesPerJsVar)), firstError: r.error };
    }
    return r;
  };
  let rest = null;
  const top = await probe(hi);
  runs.push({ free: hi, ok: top.ok, error: top.error, firstError: top.firstError });
  onProbe(runs[runs.length - 1]);
  if (!top.ok) return { need: null, note: `more than ${hi}`, runs };
  rest = top.rest;
  while (hi - lo > step) {
    const mid = Math.round((lo + hi) / 2 / step) * step;
    const r = await probe(mid);
    runs.push({ free: mid, ok: r.ok, error: r.error, after: r.after, firstError: r.firstError });
    onProbe(runs[runs.length - 1]);
    if (r.ok) hi = mid; else lo = mid;
  }
  return { need: hi, within: step, libraryAtRest: rest, runs };
}
