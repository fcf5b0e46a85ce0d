// How deep the TLS engines' methods nest on one object (board mock). On the interpreter every
// running method call `obj.m()` holds two locks on `obj` (the caller's reference and the callee's
// `this`) until it returns; an object's lock count saturates at 15 (JSV_LOCK_MAX) and from then
// on it is never unlocked (Espruino issue 2616), so the object and all it references leak. Seven
// nested method frames on one object leak it (measured on 2v29: `this.m(d - 1)` recursion leaks
// from 7 frames, a `.call(this, ...)` frame costs more). TLS 1.2 connections leaked ~1,100 JsVars
// each that way (deep chains: pump > dispatch > state > clientFlight > finishFlight > sendFinished
// > sendHandshake > sendRecords > onSend). Here every method of the engine classes and every
// callback invoked as `engine.onX(...)` counts a frame while it runs; the deepest nesting over full
// and resumed TLS 1.3 and TLS 1.2 connections must stay at MAX_FRAMES or below.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cutServer } from "../helpers/cut-server.mjs";
import { runApp } from "../helpers/board-app.mjs";

/** Leaves two frames of margin below the 7 that saturate the lock count. */
export const MAX_FRAMES = 5;
const CALLBACKS = ["onSend", "onConnected", "onData", "onEnd", "onError", "onProgress", "onSession", "onTicket"];

/** Instruments engine prototypes on the host side: depth per object, deepest stack seen. */
function depthMeter() {
  const stacks = new Map(), wrapped = new Set();
  const deepest = { frames: 0, stack: [] };
  const count = (obj, name, fn, self, args) => {
    const stack = stacks.get(obj) || [];
    stacks.set(obj, stack);
    stack.push(name);
    if (stack.length > deepest.frames) { deepest.frames = stack.length; deepest.stack = stack.slice(); }
    try { return fn.apply(self, args); } finally { stack.pop(); }
  };
  const wrapProto = (proto, label) => {
    if (!proto || wrapped.has(proto)) return;
    wrapped.add(proto);
    for (const name of Object.getOwnPropertyNames(proto)) {
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      if (name === "constructor" || typeof desc.value !== "function") continue;
      const fn = desc.value;
      proto[name] = function () { return count(this, label + "." + name, fn, this, arguments); };
    }
  };
  const wrapCallbacks = (proto, label) => {
    const store = new WeakMap();
    for (const name of CALLBACKS) {
      Object.defineProperty(proto, name, {
        configurable: true,
        get() {
          const fn = store.get(this) && store.get(this)[name];
          if (!fn) return undefined;
          const obj = this;
          // Counted only when called with the engine as `this` (engine.onX(...)).
          return function () { return this === obj ? count(obj, label + "." + name, fn, this, arguments) : fn.apply(this, arguments); };
        },
        set(f) { const m = store.get(this) || {}; m[name] = f; store.set(this, m); },
      });
    }
  };
  const instrumented = [];
  return {
    deepest,
    instrumented,
    /** Call with a TlsSocket right after tls.connect: instruments what its client has so far. */
    hook(sock) {
      const tls = sock.tls;
      for (const c of [tls.c13, tls.c12]) {
        if (!c) continue;
        const proto = Object.getPrototypeOf(c), base = Object.getPrototypeOf(proto);
        const label = tls.c12 === c ? "c12" : "c13";
        if (!wrapped.has(base)) { wrapProto(base, "engine"); wrapCallbacks(base, "engine"); instrumented.push("engine"); }
        if (!wrapped.has(proto)) instrumented.push(label);
        wrapProto(proto, label);
      }
    },
  };
}

// PLAN[k]: "resumed" (the shared session cache: the first one is a full handshake) or "full"
// (no session, no chain cache). The TLS 1.2 client class is instrumented once the first
// connection has created one (from the second connection on).
const APP = String.raw`var lib = require("espruino-tls"), out = [];
function one(k) {
  if (k >= PLAN.length) { done(out); return; }
  var r = { k: k, steps: [], errors: [], bytes: 0 };
  var o = { host: "localhost", port: PORT, ca: CA, timeout: 30000 };
  if (PLAN[k] === "full") { o.session = false; o.chainCache = false; }
  var s = lib.tls.connect(o, function () { s.write("GET / HTTP/1.0\r\n\r\n"); });
  HOOK(s);
  s.on("progress", function (p) { r.steps.push(p); });
  s.on("data", function (d) { r.bytes += d.length; });
  s.on("error", function (e) { r.errors.push(e.code); });
  s.on("close", function () { HOOK(s); out.push(r); setTimeout(function () { one(k + 1); }, 0); });
}
one(0);
`;

for (const version of ["TLSv1.3", "TLSv1.2"]) {
  test(`engine methods nest at most ${MAX_FRAMES} frames deep on one object (${version}, full and resumed)`, { timeout: 120000 }, async () => {
    const srv = await cutServer({ version });
    const meter = depthMeter();
    try {
      const plan = ["resumed", "resumed", "resumed", "full"];
      // The test bundle: the product build mangles the internal names the meter needs (tls, c13, c12).
      const res = await runApp(APP, { testBundle: true, globals: { PORT: srv.port, CA: srv.ca, PLAN: plan, HOOK: (s) => meter.hook(s) }, timeoutMs: 100000 });
      assert.equal(res.length, plan.length);
      for (const r of res) {
        assert.deepEqual(r.errors, [], JSON.stringify(r));
        assert.ok(r.bytes > 0 && r.steps.includes("connected"), JSON.stringify(r));
        assert.equal(r.steps.includes("tls12"), version === "TLSv1.2", JSON.stringify(r));
      }
      assert.ok(res[1].steps.includes("resumed") && res[2].steps.includes("resumed"), JSON.stringify(res.map((r) => r.steps)));
      console.log(JSON.stringify({ version, deepest: meter.deepest, instrumented: meter.instrumented }));
      // The meter must have seen the engines (it measures nothing when their names are mangled).
      assert.deepEqual(meter.instrumented.sort(), version === "TLSv1.2" ? ["c12", "c13", "engine"] : ["c13", "engine"]);
      assert.ok(meter.deepest.frames >= 3, JSON.stringify(meter.deepest));
      assert.ok(meter.deepest.frames <= MAX_FRAMES, `${meter.deepest.frames} nested frames on one engine object: ${meter.deepest.stack.join(" > ")}`);
    } finally { await srv.close(); }
  });
}
