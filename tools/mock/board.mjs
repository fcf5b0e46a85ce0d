// The board mock: runs built bundles and scripts in a Node vm context that has only what the
// Espruino interpreter has (FACTS.md), with the board profile's Storage, network, native crypto,
// entropy registers and clock. Every piece of code it evaluates first passes the same
// compatibility gate as check:bundle, so code that would fail on the board fails here.
import vm from "node:vm";
import { readFileSync, statSync } from "node:fs";
import { loadBoard } from "../lib/boards.mjs";
import { checkSource } from "../compat/check.mjs";
import { SECTION_HEADER } from "../lib/layers.mjs";
import { Flash } from "./flash.mjs";
import { FlashString, storageModule } from "./storage.mjs";
import { cryptoModule } from "./crypto.mjs";
import { netModules } from "./net.mjs";
import { entropySource, fixedSeedRand } from "./rng.mjs";

// Globals and statics the interpreter lacks (FACTS §2), removed from the context.
const MISSING_GLOBALS = ["Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Symbol", "Proxy",
  "Reflect", "BigInt", "BigInt64Array", "BigUint64Array", "TextEncoder", "TextDecoder", "Intl", "SharedArrayBuffer",
  "Atomics", "AggregateError", "queueMicrotask", "structuredClone", "WebAssembly", "URL", "URLSearchParams"];
const STRIP = `(function(){
  var g = globalThis, T = Object.getPrototypeOf(Int8Array);
  ${JSON.stringify(MISSING_GLOBALS)}.forEach(function(n){ delete g[n]; });
  delete Array.from; delete Array.of; delete T.from; delete T.of; delete ArrayBuffer.isView;
  ["freeze","is","hasOwn","fromEntries","seal","isFrozen"].forEach(function(n){ delete Object[n]; });
  ["isInteger","isSafeInteger","MAX_SAFE_INTEGER","MIN_SAFE_INTEGER","EPSILON"].forEach(function(n){ delete Number[n]; });
  ["imul","clz32","trunc","log2","fround","cbrt","hypot","sign"].forEach(function(n){ delete Math[n]; });
  delete Date.UTC; delete Promise.race; delete Promise.allSettled; delete Promise.any;
  ["setUTCFullYear","setUTCMonth","setUTCDate","setUTCHours","setUTCMinutes","setUTCSeconds","setUTCMilliseconds"].forEach(function(n){ delete Date.prototype[n]; });
  // Math.pow is inexact on the board: Math.pow(2,32) is 4294967295.99999666.
  var exp = Math.exp, log = Math.log;
  Math.pow = function(a, b){ return a === 0 ? (b === 0 ? 1 : 0) : exp(b * log(a)) * (1 - 7.8e-16); };
  // u8.slice() returns a plain Array on the board.
  T.prototype.slice = function(a, b){ return [].slice.call(this, a, b); };
  // subarray(begin, end) does not clamp end to the length on the board: the view runs past
  // the data (measured: new Uint8Array(10).subarray(8, 100).length is 92). Refused here.
  var sub = T.prototype.subarray;
  T.prototype.subarray = function(a, b){
    if (b !== undefined && b > this.length) throw new RangeError("subarray(" + a + ", " + b + ") on " + this.length + " elements: the interpreter does not clamp the end, the view would run past the data");
    return sub.call(this, a, b);
  };
})()`;

export class BoardAbort {
  constructor(reason) { this.code = "INTERPRETER_ABORT"; this.message = `the interpreter would abort or crash: ${reason}`; }
  toString() { return this.message; }
}

export class CompatError {
  constructor(filename, problems) {
    this.code = "NOT_RUNNABLE_ON_BOARD";
    this.problems = problems;
    this.message = `${filename}: ${problems.length} construct(s) the interpreter lacks:\n` +
      problems.map((p) => `  ${p.source ? `${p.source.file}:${p.source.line}` : `${filename}:${p.line}:${p.column + 1}`}: ${p.message}`).join("\n");
  }
  toString() { return this.message; }
}

/**
 * createBoard({ board: "esp32", flash, entropy: "good", hwRand, clock, print })
 *  - flash: a Flash to boot on (reboot emulation: pass oldBoard.flash.reboot()).
 *  - entropy: the physical source behind the RNG register (peek32 boards), the ADC noise behind
 *    E.hwRand (espruino-wifi) or the OS random device (linux); see rng.mjs.
 *  - clock: initial getTime() in seconds (default: the host's time).
 *  - wifi: on peek32 boards, the radio: "on" (default), "off", "none" (no Wifi module), or a
 *    function returning whether it is on now.
 */
// Code that passed the gate without extra globals is not checked again: a lazy layer is evaluated
// again after each release, the bundle once per board.
const PASSED = new Set();

export function createBoard(options = {}) {
  const profile = loadBoard(options.board || "linux");
  const flash = options.flash || new Flash(profile.storage.bytes);
  const source = entropySource(options.entropy || "good");
  const printed = [];
  const print = options.print || ((s) => printed.push(s));
  const board = { profile, flash, printed, aborts: [], sockets: new Set(), timers: new Map() };
  board.abort = (reason) => { const a = new BoardAbort(reason); board.aborts.push(a); throw a; };

  const ctx = vm.createContext({});
  vm.runInContext(STRIP, ctx);
  const R = vm.runInContext("({Uint8Array: Uint8Array, ArrayBuffer: ArrayBuffer, Array: Array, JSON: JSON})", ctx);

  const aliases = []; // [{ u8, str }] from E.toString, see there
  const realm = {
    Uint8Array: R.Uint8Array,
    ArrayBuffer: R.ArrayBuffer,
    toBytes(x) {
      if (x instanceof FlashString) return x.bytes();
      if (typeof x === "string") return Uint8Array.from(Buffer.from(x, "latin1"));
      if (x && typeof x.byteLength === "number" && x.buffer) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
      if (x && typeof x.byteLength === "number") return new Uint8Array(x);
      if (x && typeof x.length === "number") return Uint8Array.from(x, (v) => v & 255);
      return Uint8Array.from(Buffer.from(String(x), "latin1"));
    },
    /** Bytes Storage.write stores for x: for a string E.toString made from a whole Uint8Array,
     *  that array's current bytes (see E.toString). Only Storage.write looks: equal strings made
     *  elsewhere (a host test's String(...) of a Storage read) are not aliases on the board. */
    writtenBytes(x) {
      if (typeof x === "string") {
        for (let i = aliases.length - 1; i >= 0; i--) if (aliases[i].str === x) return Uint8Array.from(aliases[i].u8);
      }
      return realm.toBytes(x);
    },
    u8(bytes) { const u = new R.Uint8Array(bytes.length); u.set(bytes); return u; },
    arrayBuffer(bytes) { return realm.u8(bytes).buffer; },
    array(list) { const a = new R.Array(); for (const v of list) a.push(v); return a; },
    parseJSON(s) { return R.JSON.parse(s); },
    stringifyJSON(o) { return R.JSON.stringify(o); },
  };

  // Clock: getTime() seconds with µs resolution; setTime() only where the board can.
  let clockOffset = options.clock === undefined ? 0 : options.clock - Date.now() / 1000;
  const getTime = () => Date.now() / 1000 + clockOffset;
  board.setClock = (t) => { clockOffset = t - Date.now() / 1000; };

  const rand = fixedSeedRand();
  const E = {
    hwRand: profile.entropy.source === "adc-hwrand" ? () => source() | 0 : () => rand(),
    toString(...args) {
      const parts = args.map((a) => (typeof a === "number" ? Uint8Array.of(a & 255) : realm.toBytes(a)));
      const s = Buffer.concat(parts.map((p) => Buffer.from(p))).toString("latin1");
      // One whole Uint8Array: the interpreter returns its backing string, sharing its memory
      // (measured on 2v29: filling the array afterwards changes the string). A JS string cannot
      // change, so the mock remembers the pair and Storage.write stores the array's current bytes.
      const a = args[0];
      if (args.length === 1 && a instanceof R.Uint8Array && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.length) {
        aliases.push({ u8: a, str: s });
        if (aliases.length > 256) aliases.shift();
      }
      return s;
    },
    toUint8Array(...args) {
      const parts = args.map((a) => (typeof a === "number" ? Uint8Array.of(a & 255) : realm.toBytes(a)));
      return realm.u8(Buffer.concat(parts.map((p) => Buffer.from(p))));
    },
    getSizeOf: (x) => jsVarsOf(x, profile.interpreter.bytesPerJsVar, new Set()),
    // Native dot product: sum of a[i] * b[(i + offset) mod b.length] over all of a (in doubles).
    // Compiled in the board's realm, so that V8 can inline it into the firmware's products (a
    // host function called across realms never is), with an index that wraps instead of a
    // remainder per term: the mock's hottest loop, the bignum and field products of every
    // handshake run through it.
    convolve: vm.runInContext(`(function convolve(a, b, offset) {
      var n = b.length, m = a.length, j = offset % n, v = 0;
      if (j < 0) j += n;
      for (var i = 0; i < m; i++) {
        v += a[i] * b[j];
        if (++j === n) j = 0;
      }
      return v;
    })`, ctx),
    kickWatchdog() {},
    setFlags() {},
    getErrorFlags: () => realm.array([]),
  };
  if (profile.entropy.source === "os-file") {
    // The Linux interpreter reads the OS random device through its file API.
    E.openFile = (path, mode) => {
      if (path !== "/dev/urandom" || mode !== "r") throw new Error(`board mock: E.openFile emulates only /dev/urandom ("r"), not ${path}`);
      const read = (n) => {
        const b = Buffer.alloc(n + 4);
        for (let i = 0; i < n; i += 4) b.writeUInt32LE(source() >>> 0, i);
        return b.subarray(0, n).toString("latin1");
      };
      return { read, close() {} };
    };
  }
  const rngRegister = Number(profile.entropy.register);
  const peek32 = (addr) => {
    if (rngRegister && addr === rngRegister) return source() >>> 0;
    return board.abort(`peek32(0x${(addr >>> 0).toString(16)}) reads an address the board mock does not emulate`);
  };

  const modules = {};
  const builtins = { Storage: storageModule(flash, realm), ...netModules(board) };
  if (profile.nativeCrypto.length) builtins.crypto = cryptoModule(profile, realm, print);
  // ESP32-class boards: the Wifi module, whose radio state decides whether the RNG is random.
  const wifi = options.wifi === undefined ? "on" : options.wifi;
  if (profile.entropy.source === "peek32" && wifi !== "none") {
    const radioOn = typeof wifi === "function" ? wifi : () => wifi === "on";
    builtins.Wifi = {
      getStatus: () => (radioOn()
        ? { station: "connected", mode: "STA", ssid: "lab", powersave: "none" }
        : { station: "off", mode: "NULL", powersave: "none" }),
    };
  }
  const requireFn = (name) => {
    if (builtins[name]) return builtins[name];
    if (modules[name]) return modules[name].exports;
    const text = builtins.Storage.read(name);
    if (text === undefined) throw new Error(`Module ${name} not found`);
    const module = { exports: {} };
    modules[name] = module;
    // The interpreter's lexer ends the module at a NUL byte. The lazy layers follow it, each
    // "\0\n<section>\n": checked now, as the interpreter would parse them later, so that their
    // first evaluation inside an app's handshake does not pay for the gate.
    const pieces = text.toString().split("\0");
    const code = pieces[0];
    for (const p of pieces.slice(1)) {
      // "\n<header with the parameters><body>\n": checked as the function new Function makes of it
      const h = SECTION_HEADER.exec(p.slice(1));
      if (!h) throw new Error(`${name}: a layer section without its header`);
      const section = `(function(${h[3]}){${p.slice(1, -1)}\n})`;
      if (PASSED.has(section)) continue;
      const problems = checkSource(section, { globals: [] });
      if (problems.length) throw new CompatError(name + " (a layer)", problems);
      PASSED.add(section);
    }
    const fn = evaluate(`(function(exports, module){${code}\n})`, name);
    fn(module.exports, module);
    return module.exports;
  };

  // Timer ids as the interpreter gives them (measured on the 2v29 Linux build): small integers,
  // the last live timer's id + 1 (1 when none), so the id of a timer that has fired or was
  // cleared is handed out again; a timer stays live while its callback runs. A handle cleared
  // twice can cancel someone else's timer there: a stale clearTimeout lost the TLS_TRUNCATED
  // error of a connection cut after its handshake (test/soak/timer-ids.test.mjs).
  const newId = () => { let last = 0; for (const id of board.timers.keys()) last = id; return last + 1; };
  const later = (fn, ms, args, repeat) => {
    const id = newId();
    const run = () => { try { fn(...args); } finally { if (!repeat) board.timers.delete(id); } };
    board.timers.set(id, repeat ? setInterval(run, ms) : setTimeout(run, ms));
    return id;
  };
  const cancel = (id) => { const h = board.timers.get(id); if (h) { clearTimeout(h); board.timers.delete(id); } };
  Object.assign(ctx, {
    E, peek32, getTime, require: requireFn,
    // eval of a Storage string (a lazy layer): through the same gate as every other piece of code
    // (a flash string is read without a copy: the board evaluates it in place)
    eval: (code) => evaluate(code instanceof FlashString ? Buffer.from(code.bytes()).toString("latin1") : String(code), "eval"),
    // new Function(params..., body) (the layer loader): the body through the gate, a flash string read in place
    Function: function (...args) {
      const body = args.pop();
      const text = body instanceof FlashString ? Buffer.from(body.bytes()).toString("latin1") : String(body);
      return evaluate(`(function(${args.map(String).join(",")}){${text}\n})`, "Function");
    },
    setTime: (t) => { if (profile.canSetTime) board.setClock(t); },
    setTimeout: (fn, ms, ...args) => later(fn, ms, args, false), clearTimeout: cancel,
    setInterval: (fn, ms, ...args) => later(fn, ms, args, true), clearInterval: cancel,
    print: (...a) => print(a.join(" ")),
    // Byte-string base64, as on the board (atob accepts garbage silently there too).
    btoa: (s) => Buffer.from(String(s), "latin1").toString("base64"),
    atob: (s) => Buffer.from(String(s), "base64").toString("latin1"),
    console: { log: (...a) => print(a.join(" ")) },
    process: {
      version: "2v29-mock",
      env: { BOARD: profile.name },
      memory: () => ({ total: profile.interpreter.jsVars, usage: 0, free: profile.interpreter.jsVars, blocksize: profile.interpreter.bytesPerJsVar, mock: true }),
    },
  });
  vm.runInContext("globalThis.global = globalThis;", ctx);
  // Every object has on/emit/removeListener/removeAllListeners on the interpreter (modules such
  // as EspruinoDocs' MQTT call this.emit on plain objects); emit is asynchronous (FACTS §2).
  // Listeners live in a non-enumerable property, as the interpreter hides its "#on..." ones.
  // The interpreter queues events without a timer: no timer id is taken (`defer`).
  const events = new Set();
  const defer = (fn) => { const h = setTimeout(() => { events.delete(h); fn(); }, 0); events.add(h); };
  vm.runInContext(`(function(defer){
    var P = Object.prototype, K = "\\u00ffevents";
    function ls(o, ev) { if (!Object.prototype.hasOwnProperty.call(o, K)) Object.defineProperty(o, K, { value: {}, writable: true }); return o[K][ev] || (o[K][ev] = []); }
    function def(n, f) { Object.defineProperty(P, n, { value: f, writable: true, configurable: true, enumerable: false }); }
    def("on", function (ev, fn) { ls(this, ev).push(fn); return this; });
    def("addListener", P.on);
    def("removeListener", function (ev, fn) { var l = ls(this, ev), i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); });
    def("removeAllListeners", function (ev) { if (!Object.prototype.hasOwnProperty.call(this, K)) return; if (ev === undefined) this[K] = {}; else delete this[K][ev]; });
    def("emit", function (ev) {
      var self = this, args = [].slice.call(arguments, 1), l = ls(this, ev).slice();
      defer(function () { for (var i = 0; i < l.length; i++) l[i].apply(self, args); });
    });
  })`, ctx)(defer);
  // Math.random is the same fixed-seed generator as E.hwRand on the interpreter (FACTS §4).
  vm.runInContext("Math", ctx).random = () => rand() / 2147483648;

  const defined = [];
  function evaluate(code, filename) {
    if (!PASSED.has(code)) {
      const problems = checkSource(code, { globals: defined });
      if (problems.length) throw new CompatError(filename, problems);
      // passed with no extra globals: passes with any (keyed by code alone)
      if (!defined.length) PASSED.add(code);
    }
    return vm.runInContext(code, ctx, { filename });
  }

  Object.assign(board, {
    context: ctx,
    realm,
    require: requireFn,
    /** Sets a global that host code provides to scripts (test hooks, ports). */
    define(name, value) { ctx[name] = value; if (!defined.includes(name)) defined.push(name); },
    /** Runs a script the way the interpreter would (after the compatibility gate). */
    run: (code, filename = "script.js") => evaluate(code, filename),
    /** Writes a file into Storage as `name` (what `espruino-tls flash --storage` does). */
    install(name, data) {
      if (!builtins.Storage.write(name, data)) throw new Error(`Storage full writing ${name}`);
    },
    /** Installs a built bundle as the module "espruino-tls" and requires it. */
    loadLibrary(file, name = "espruino-tls") {
      // A board that already holds this bundle (a reboot) writes nothing.
      const text = readFileSync(file, "latin1");
      const have = builtins.Storage.read(name);
      if (have === undefined || have.toString() !== text) board.install(name, text);
      return requireFn(name);
    },
    /** Closes sockets and timers the board left open. */
    close() {
      for (const h of board.timers.values()) { clearTimeout(h); clearInterval(h); }
      board.timers.clear();
      for (const h of events) clearTimeout(h);
      for (const s of board.sockets) { try { s.destroy ? s.destroy() : s.close(); } catch { /* closed */ } }
    },
  });
  return board;
}

/** JsVars a value takes on the board, estimated from the interpreter's layout: one JsVar per
 *  value or property name, and string/buffer data in blocks of (bytesPerJsVar - 4) bytes. */
export function jsVarsOf(x, bpv, seen) {
  const block = (n) => Math.ceil(n / (bpv - 4));
  if (x === null || x === undefined || typeof x === "boolean" || typeof x === "number") return 1;
  if (typeof x === "string") return 1 + block(Math.max(0, x.length - 4));
  if (x instanceof FlashString) return 1;
  if (seen.has(x)) return 0;
  seen.add(x);
  if (typeof x.byteLength === "number") return 2 + block(x.byteLength);
  let n = 1;
  if (typeof x === "function") return 4;
  for (const k of Object.keys(x)) n += 1 + jsVarsOf(x[k], bpv, seen);
  return n;
}

export { Flash };

/** A flash for `board` with room for `file` (a test bundle: product plus internals for tests,
 *  which may outgrow the board's Storage; only the product bundle must fit, tools/build.mjs). */
export function flashFor(board, file) {
  return new Flash(Math.max(loadBoard(board).storage.bytes, statSync(file).size + 65536));
}
