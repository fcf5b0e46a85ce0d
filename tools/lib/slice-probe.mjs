// The longest synchronous step, measured on the interpreter without touching the firmware.
// Everything the library runs starts from a callback: a timer (each slice of a sliced job, each
// asynchronous event, the engine's work after a job) or a `net` socket handler (records
// arriving). PROBE (board-side text) evaluates the bundle with `setTimeout` and `require("net")`
// replaced by ones that wrap every such callback with a clock, so each run of library
// code is timed on its own and named by the last progress step before it; a 5 ms interval
// measures what a board's other work sees (the event loop's longest gap).
// Times: a callback's figure is the lower of its wall time and its thread CPU time + 4 ms
// (/proc/thread-self/schedstat moves in 4 ms scheduler ticks here): waiting for a core, or the
// kernel's real-time throttling (50 ms in each second) under `chrt -f 50` (rtPrefix), does not
// count. refMs converts to the reference interpreter on an idle machine (FACTS §7's cost
// model): the same process times four of FACTS §7's operations (an empty loop iteration 0.6 µs,
// a typed-array read+write 2.3, a call of an empty function 1.1, of add3 2.4, each plus its loop)
// at the start and end of each run, and the smallest of the four slow-down factors is used (the
// conservative choice: the factors differed from 2.4x to 4.6x on this machine today, even with
// a core to itself, presumably other VMs on the host).
import { existsSync } from "node:fs";

/** Board-side code: probeFactor() -> this process's slow-down against FACTS §7 (>= 1: slower).
 *  Shared with tools/bench-crypto.mjs, which converts its times with it the same way. */
export const FACTOR = String.raw`var PROBE_A = new Uint8Array(256);
function probeE() {}
function probeAdd3(x, y, z) { return x + y + z; }
/** The slow-down against FACTS §7 (>= 1 means slower): the least of four operations' ratios. */
function probeFactor() {
  var A = PROBE_A, refs = [0.6, 2.9, 1.7, 3.0], f = 1e9, w, k, t, i, b;
  for (w = 0; w < 4; w++) {
    b = 1e9;
    for (k = 0; k < 5; k++) {
      t = getTime();
      if (w === 0) for (i = 0; i < 2000; i++);
      else if (w === 1) for (i = 0; i < 2000; i++) A[i & 255] = A[(i + 1) & 255] + 1;
      else if (w === 2) for (i = 0; i < 2000; i++) probeE();
      else for (i = 0; i < 2000; i++) probeAdd3(1, 2, 3);
      t = (getTime() - t) * 500;
      if (t < b) b = t;
    }
    if (b / refs[w] < f) f = b / refs[w];
  }
  return f;
}
`;

/** Board-side code: probeLoad(text) -> exports; probeStart(), probeMark(step), probeStop() -> stats. */
/** Board-side ramServe(text): Storage.read of the layered bundle's own file (named in its
 *  preamble) answered from `text`, its copy in RAM. A board memory-maps Storage, so reading the
 *  code costs what RAM does; the Linux build reads Storage 16 bytes at a time. A benchmark "with
 *  the code in RAM" so keeps the core and layers in RAM too. No-op for a bundle without layers. */
export const RAM_SERVE = String.raw`function ramServe(text) {
  var S = require("Storage"), read = S.read, at = text.indexOf('$Y={f:"');
  var file = at >= 0 && at < 200 ? text.substring(at + 7, text.indexOf('"', at + 7)) : null;
  if (file) S.read = function (n, o, l) {
    if (n !== file) return read.apply(S, arguments);
    o = o || 0;
    return text.substr(o, l === undefined ? text.length - o : l);
  };
}
`;

export const PROBE = FACTOR + RAM_SERVE + String.raw`var PROBE = { on: false, mark: "idle", runs: 0, top: [], gap: 0, gapOutside: 0, inCb: 0, last: 0, lastCpu: 0, iv: null, factor: 1 };
var PROBE_TOP = 6, PROBE_FILE = E.openFile("/proc/thread-self/schedstat", "r");
function probeCpu() { PROBE_FILE.seek(0); return parseInt(PROBE_FILE.read(64)) / 1e6; }
function probeNote(kind, ms) {
  var P = PROBE, t = P.top, i;
  P.runs++; P.inCb += ms;
  if (t.length >= PROBE_TOP && ms <= t[t.length - 1].ms) return;
  var e = { ms: Math.round(ms * 10) / 10, what: kind + " after " + P.mark };
  for (i = 0; i < t.length; i++) if (t[i].what === e.what) { if (t[i].ms >= e.ms) return; t.splice(i, 1); break; }
  for (i = 0; i < t.length && t[i].ms >= e.ms; i++);
  t.splice(i, 0, e);
  if (t.length > PROBE_TOP) t.pop();
}
function probeWrap(kind, f) {
  if (typeof f !== "function") return f;
  return function (a, b) {
    if (!PROBE.on) return f.apply(this, arguments);
    var t0 = getTime(), c0 = probeCpu();
    // (a callback that stopped the probe is not counted: its time includes probeStop's own)
    try { return f.apply(this, arguments); } finally { if (PROBE.on) probeNote(kind, Math.min((getTime() - t0) * 1000, probeCpu() - c0 + 4)); }
  };
}
// The interval's gaps, counted as callbacks are (wall, or thread CPU + 4 ms if lower); inCb
// sums the library's callback time since the last tick: the rest of a gap is spent elsewhere
// (the interpreter's own work: garbage collection, network polling).
function probeTick() {
  var P = PROBE, t = getTime(), c = probeCpu(), g = Math.min((t - P.last) * 1000, c - P.lastCpu + 4);
  if (g > P.gap) { P.gap = g; P.gapOutside = Math.max(0, g - P.inCb); }
  P.last = t; P.lastCpu = c; P.inCb = 0;
}
function probeStart() {
  PROBE.factor = probeFactor();
  PROBE.on = true; PROBE.mark = "start"; PROBE.runs = 0; PROBE.top = []; PROBE.gap = 0; PROBE.gapOutside = 0;
  PROBE.inCb = 0; PROBE.last = getTime(); PROBE.lastCpu = probeCpu();
  PROBE.iv = setInterval(probeTick, 5);
}
function probeMark(step) { PROBE.mark = step; }
/** {longestMs, refMs, longestAfter, top: [{ms, what}], callbacks, gapMs, gapOutsideMs, factor} of the run since probeStart(). */
function probeStop() {
  probeTick(); clearInterval(PROBE.iv); PROBE.on = false;
  var t = PROBE.top.slice(), l = t.length ? t[0] : { ms: 0, what: "" }, u = Math.min(PROBE.factor, probeFactor());
  return { longestMs: l.ms, refMs: Math.round(l.ms * 10 / u) / 10, longestAfter: l.what, top: t, callbacks: PROBE.runs,
    gapMs: Math.round(PROBE.gap * 10) / 10, gapOutsideMs: Math.round(PROBE.gapOutside * 10) / 10, factor: Math.round(u * 100) / 100 };
}
// The layered bundle evaluates its core and layers through new Function, in the global scope:
// the wrappers of setTimeout and require("net") are global, and a wrapped callback that runs
// outside a probe (PROBE.on false) runs as it is. Its Storage file is served from the RAM copy
// (RAM_SERVE).
function probeLoad(text) {
  var PROBE_timeout = setTimeout, PROBE_require = require;
  ramServe(text);
  global.setTimeout = function (f, ms) { return PROBE_timeout(probeWrap("timer", f), ms); };
  global.require = function (name) {
    var m = PROBE_require(name);
    if (name !== "net") return m;
    return { connect: function (o, cb) {
      var s = m.connect(o, probeWrap("net connect", cb)), on = s.on;
      s.on = function (ev, f) { return on.call(s, ev, probeWrap("net " + ev, f)); };
      return s;
    } };
  };
  // in a function: the bundle's own (minified) top-level names stay out of the global scope
  return (function () {
    var module = { exports: {} }, exports = module.exports;
    eval(text);
    return module.exports;
  })();
}
`;

/** The command prefix that gives the interpreter a core to itself (root only), or null. */
export function rtPrefix() {
  if (process.getuid && process.getuid() !== 0) return null;
  for (const p of ["/usr/bin/chrt", "/bin/chrt"]) if (existsSync(p)) return [p, "-f", "50"];
  return null;
}
