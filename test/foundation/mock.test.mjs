// The board mock behaves like the interpreter where it matters: what it lacks, Storage,
// network, native crypto quirks and random sources.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { createBoard } from "../../tools/mock/board.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";

const withBoard = (opts, fn) => async () => {
  const b = createBoard(opts);
  try { await fn(b); } finally { b.close(); }
};
const rejects = (b, code, pattern) => assert.throws(() => b.run(code), (e) => e.code === "NOT_RUNNABLE_ON_BOARD" && pattern.test(e.message));

test("rejects code using Map, destructuring or a hoisted call", withBoard({}, (b) => {
  rejects(b, "var m = new Map(); m.set(1, 2);", /global "Map" does not exist/);
  rejects(b, "var o = {a: 1}; var {a} = o;", /destructuring/);
  rejects(b, "var x = twice(2);\nfunction twice(v) { return 2 * v; }", /"twice" is used before its declaration runs/);
  rejects(b, "function f() { return later; }\nvar y = f();\nvar later = 1;", /calling "f" here needs "later"/);
  rejects(b, "var f = (a = 1) => a;", /default parameter/);
  rejects(b, "var s = [...[1, 2]];", /spread/);
}));

test("globals and statics the interpreter lacks are absent at run time too", withBoard({}, (b) => {
  assert.equal(b.run("typeof globalThis.Map + typeof globalThis.Symbol + typeof globalThis.BigInt + typeof globalThis.TextEncoder"), "undefinedundefinedundefinedundefined");
  assert.equal(b.run("typeof Array['from'] + typeof Math['imul'] + typeof Uint8Array['from'] + typeof Date['UTC']"), "undefinedundefinedundefinedundefined");
  assert.equal(b.run("new Uint8Array([1, 2, 3]).slice(1) instanceof Uint8Array"), false, "u8.slice() gives a plain Array");
  assert.notEqual(b.run("Math['pow'](2, 32)"), 4294967296, "Math.pow is inexact");
}));

test("loads the built bundle from Storage with require()", withBoard({ board: "esp32" }, (b) => {
  const lib = b.loadLibrary(bundlePath("esp32"));
  assert.match(lib.version, /^\d+\.\d+\.\d+$/);
  assert.equal(b.run('require("espruino-tls").version'), lib.version);
}));

test("E.hwRand and Math.random are the fixed-seed generator; peek32 reads the RNG register", withBoard({ board: "esp32", entropy: "stuck" }, (b) => {
  assert.equal(b.run("E.hwRand() + ',' + E.hwRand() + ',' + E.hwRand()"), "2002641757,1519824769,548953282");
  const again = createBoard({ board: "esp32" });
  assert.equal(again.run("Math.random()"), 2002641757 / 2147483648, "same numbers after every boot (0.93255273858...)");
  assert.equal(b.run("peek32(0x3FF75144)"), 0x5a5a5a5a);
  assert.throws(() => b.run("peek32(0x1000)"), /does not emulate/);
}));

test("Storage: names, incremental writes, 0xFF, replace, live views, limits", withBoard({ board: "espruino-wifi" }, (b) => {
  const S = b.require("Storage");
  const long = "a_name_that_is_longer_than_28_chars";
  S.write(long, "x");
  assert.equal(b.run("require('Storage').list()").join(), long.substr(0, 28), "silently truncated to 28");
  S.write("inc", "abc", 0, 8);
  assert.equal(S.read("inc").toString(), "abc\xff\xff\xff\xff\xff");
  S.write("inc", "def", 3);
  assert.throws(() => S.write("inc", "Z", 1), /already written/);
  assert.throws(() => S.write("missing", "Z", 4), /missing file/);
  assert.throws(() => S.write("empty", ""), /empty/);
  const view = S.read("inc");
  assert.equal(view.charCodeAt(5), 0x66);
  S.write("inc", "replaced");
  assert.throws(() => view.charCodeAt(0), (e) => e.code === "FLASH_VIEW_DEAD");
  assert.equal(S.getStats().trashBytes > 0, true);
  const big = "x".repeat(40000);
  assert.equal(S.write("big1", big), true);
  assert.equal(S.write("big2", big), false, "64 KB board: the second 40 KB file does not fit");
  assert.equal(S.read("big2"), undefined);
}));

test("Storage: power cut after a chosen write, reboot sees the flash as it was", () => {
  const b = createBoard({ board: "esp32" });
  const S = b.require("Storage");
  S.write("a", "1");
  b.flash.cutPowerAfter(1);
  S.write("b", "2");
  assert.throws(() => S.write("c", "3"), (e) => e.code === "POWER_CUT");
  assert.throws(() => S.erase("a"), (e) => e.code === "POWER_CUT");
  const after = createBoard({ board: "esp32", flash: b.flash.reboot() });
  assert.deepEqual([...after.require("Storage").list()].sort(), ["a", "b"]);
  after.require("Storage").write("c", "3");
});

test("native crypto: the board's functions, with the interpreter's quirks", withBoard({ board: "esp32c3" }, (b) => {
  assert.equal(b.run("typeof require('crypto').SHA224"), "undefined");
  assert.equal(b.run("new Uint8Array(require('crypto').SHA256('abc'))[0]"), 0xba);
  const ecb = b.run("new Uint8Array(require('crypto').AES.encrypt(new Uint8Array(20), new Uint8Array(16), {mode: 'ECB'}))");
  assert.equal(ecb.length, 20, "as long as the input");
  assert.deepEqual([...ecb.subarray(16)], [0, 0, 0, 0], "the partial block zero-filled");
  const ctrIv0 = b.run("E.toString(require('crypto').AES.encrypt(new Uint8Array(16), new Uint8Array(16), {mode: 'CTR', iv: new Uint8Array(16).fill(7)}))");
  const ctrIvX = b.run("E.toString(require('crypto').AES.encrypt(new Uint8Array(16), new Uint8Array(16), {mode: 'CTR'}))");
  assert.equal(ctrIv0, ctrIvX, "CTR ignores the IV");
  assert.equal(b.run("require('crypto').AES.encrypt(new Uint8Array(16), new Uint8Array(5), {mode: 'ECB'})"), undefined);
}));

test("net: byte-string chunks of at most 536, String(x) writes, drain, sync refusal", withBoard({}, async (b) => {
  const server = net.createServer((c) => {
    c.on("data", (d) => { c.write(Buffer.alloc(3000, 0x41)); c.end(d.toString("latin1")); });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  try {
    b.define("PORT", port);
    const result = await new Promise((resolve) => {
      b.define("done", resolve);
      b.run(`var chunks = [], drained = 0;
        var s = require("net").connect({host: "127.0.0.1", port: PORT}, function () {
          s.write(new Uint8Array([1, 2, 3]));
        });
        s.on("drain", function () { drained++; });
        s.on("data", function (d) { chunks.push(d); });
        s.on("close", function () { done({chunks: chunks, drained: drained}); });`);
    });
    assert.ok(result.chunks.every((c) => typeof c === "string" && c.length <= 536));
    assert.equal(result.chunks.join("").slice(3000), "1,2,3", "a Uint8Array is sent as String(x)");
    assert.equal(result.drained >= 1, true);
  } finally { server.close(); }
  b.define("PORT", port);
  assert.throws(() => b.run('require("net").connect({host: "127.0.0.1", port: PORT}, function () {})'), /Unable to connect/);
}));

test("E.toString of a whole Uint8Array shares its memory, as on the interpreter (seen by Storage.write); of a subarray it copies", withBoard({}, (b) => {
  // Measured on the release interpreter (2v29): A 0 0 (the whole array's string follows the
  // array), C 7 (a subarray's string is a copy).
  const r = b.run(`(function () {
    var S = require("Storage"), r = {};
    var u = new Uint8Array([1, 2, 3, 4]); var s = E.toString(u); u.fill(0);
    S.write("whole", s); r.whole = E.toUint8Array(S.read("whole")).join(",");
    var w = new Uint8Array([7, 8, 9, 10]); var t = E.toString(w.subarray(0, 2)); w[0] = 9;
    S.write("part", t); r.part = E.toUint8Array(S.read("part")).join(",");
    return r;
  })()`);
  assert.equal(r.whole, "0,0,0,0");
  assert.equal(r.part, "7,8");
}));

test("every object has on/emit (asynchronous) and removeListener, not enumerable", withBoard({}, async (b) => {
  let out = null;
  b.define("report", (v) => { out = v; });
  b.run(`var o = { a: 1 }, got = [], off = function () { got.push("removed"); };
o.on("x", off); o.removeListener("x", off);
o.on("x", function (v) { got.push(v); report(got.join(",") + "|" + Object.keys(o).join(",") + "|" + JSON.stringify(o)); });
o.emit("x", 5); got.push("sync");`);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(out, 'sync,5|a|{"a":1}');
}));
