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

const SCRIPT = `var lib = require("espruino-tls");
var ca = E.toString(require("Storage").read("ca-root.pem"));
var m = process.memory();
// grow the memory first (the library alone nearly fills the initial 8192 JsVars)
if (m.free < FREE + 1000) { var G = []; while (process.memory(false).total === m.total) G.push(0); G = undefined; }
m = process.memory();
var B = [], rest = m.usage, total = m.total;
// ballast in blocks of ~100 JsVars, then single JsVars
while (process.memory().free > FREE + 300) B.push(new Uint8Array(100 * BPV));
while (process.memory().free > FREE) B.push(0);
var free0 = process.memory().free, last = "-";
var req = lib.https.get({ url: URL, ca: ca, keepAlive: false, timeout: 600000 }, function (res) {
  res.on("data", function () {});
  res.on("end", function () {
    print("RESULT " + JSON.stringify({ ok: process.memory().total === total, status: res.statusCode, free: free0, rest: rest, total: process.memory().total }));
    setTimeout(quit, 50);
  });
});
req.on("progress", function (p) { last = p; });
req.on("error", function (e) { print("RESULT " + JSON.stringify({ ok: false, error: e.code, after: last, free: free0, rest: rest })); setTimeout(quit, 0); });`;

/** One run with `free` JsVars left: {ok, ...}. */
async function tryWith(bin, caFile, url, free, bytesPerJsVar) {
  const dir = await prepareFlash(bin, { extra: [["ca-root.pem", caFile]] });
  try {
    writeFileSync(path.join(dir, "need.js"), `var URL = ${JSON.stringify(url)}, FREE = ${free}, BPV = ${bytesPerJsVar};\n${SCRIPT}\n`);
    const r = await runInterpreter(bin, dir, "need.js", { timeoutMs: 400000, stopOn: /OUT OF MEMORY/ });
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
export async function jsVarsNeeded(bin, caFile, url, { lo = 1500, hi = 4500, step = 100, bytesPerJsVar = 26 } = {}) {
  const runs = [];
  let rest = null;
  const top = await tryWith(bin, caFile, url, hi, bytesPerJsVar);
  runs.push({ free: hi, ok: top.ok, error: top.error });
  if (!top.ok) return { need: null, note: `more than ${hi}`, runs };
  rest = top.rest;
  while (hi - lo > step) {
    const mid = Math.round((lo + hi) / 2 / step) * step;
    const r = await tryWith(bin, caFile, url, mid, bytesPerJsVar);
    runs.push({ free: mid, ok: r.ok, error: r.error, after: r.after });
    if (r.ok) hi = mid; else lo = mid;
  }
  return { need: hi, within: step, libraryAtRest: rest, runs };
}
