// Property mangling of the bundles (tools/lib/mangle.mjs): internal names are renamed, the
// public API, Espruino's and JavaScript's names are kept, and the build fails when a renamed
// name is also written as a string (o["k"], k in o: those would break silently).
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { mangleChunk, mangleTable, keptNames, stringLiterals } from "../../tools/lib/mangle.mjs";

// Names no firmware file, tool or document uses (so the rule mangles them).
const SNIPPET = `function Counter() { this.zqInternalCount = 0; }
Counter.prototype.zqBumpTheCount = function () { return ++this.zqInternalCount; };
var c = new Counter(); c.zqBumpTheCount();
exports.version = "v" + c.zqBumpTheCount();`;

test("internal names are renamed and the code still runs", async () => {
  const r = await mangleChunk(SNIPPET, "product");
  assert.doesNotMatch(r.code, /zqInternalCount|zqBumpTheCount/);
  assert.ok(r.mangled.zqInternalCount && r.mangled.zqBumpTheCount);
  assert.ok(r.mangled.zqBumpTheCount.length <= 4, "a short name (no JsVar of its own on the board)");
  const exports = {};
  vm.runInNewContext(r.code, { exports });
  assert.equal(exports.version, "v2", "public export name kept");
});

test("a renamed name also written as a string fails the build", async () => {
  await assert.rejects(mangleChunk(SNIPPET + `\nexports.has = "zqInternalCount" in c;`, "product"), /also written as strings[^\n]*zqInternalCount/);
  await assert.rejects(mangleChunk(SNIPPET + "\nexports.t = `zqBumpTheCount`;", "product"), /zqBumpTheCount/);
});

test("chunks of one build share one table: a name crossing chunks gets the same short name in each", async () => {
  // a layer builds the core's object and the core reads it (the lazy-layer build's chunks)
  const core = `exports.version = function (L) { var o = L.zqBuildThing(); return o.zqHeldValue; };`;
  const layer = `exports.zqBuildThing = function () { return { zqHeldValue: 42, zqOnlyHere: 1 }; };`;
  const table = await mangleTable([core, layer], "product");
  const a = await mangleChunk(core, "product", table), b = await mangleChunk(layer, "product", table);
  for (const r of [a, b]) assert.doesNotMatch(r.code, /zqBuildThing|zqHeldValue/);
  const L = {}, C = {};
  vm.runInNewContext(b.code, { exports: L });
  vm.runInNewContext(a.code, { exports: C });
  assert.equal(C.version(L), 42, "the core finds what the layer stored under the same mangled names");
  // a chunk alone gets a table of its own: the same names may come out differently (what broke)
  const alone = await mangleChunk(layer, "product");
  assert.equal(alone.mangled.zqHeldValue !== undefined, true);
  // a chunk with a name the table lacks is refused rather than named apart
  await assert.rejects(mangleChunk(layer + "\nexports.q = L.zqNotInTable;", "product", table), /missing from the build's table[^\n]*zqNotInTable/);
});

test("kept: public API, option and result names, Espruino's and JavaScript's names", () => {
  const { names, why } = keptNames("product");
  for (const n of ["https", "tls", "connect", "request", "postJSON", "ChainCache", "host", "port", "ca", "key", "cert", "servername",
    "ALPNProtocols", "timeout", "statusCode", "headers", "alpnProtocol", "code", "message", "detail", "entropyStatus"]) {
    assert.ok(names.has(n), `${n} kept`);
  }
  for (const n of ["ALPNProtocols", "statusCode", "servername"]) assert.doesNotMatch(why[n], /^consumer/, `${n} kept by the firmware rules, not only because a test names it`);
  // Espruino built-ins reached through any: Storage, sockets, process.memory(), E.*
  for (const n of ["getFree", "toUint8Array", "createSocket", "write", "usage"]) assert.ok(names.has(n), `${n} kept`);
  for (const n of ["subarray", "charCodeAt", "hasOwnProperty", "toString", "valueOf", "constructor"]) assert.ok(names.has(n), n);
  // the test bundle keeps more (reached by the tests through firmware/testing.ts)
  const t = keptNames("test").names;
  for (const n of names) assert.ok(t.has(n), `test bundle keeps ${n} too`);
  assert.ok(t.size > names.size);
});

test("string literals are found in strings, templates and quoted keys, not in regexps or comments", () => {
  const s = stringLiterals('var a = "one", b = `two${x}three`, c = { "four": 1 }, r = /five"six"/; // "seven"\n');
  for (const w of ["one", "two", "three", "four"]) assert.ok(s.has(w), w);
  for (const w of ["six", "seven"]) assert.ok(!s.has(w), w);
});
