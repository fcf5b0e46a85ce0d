// Lazy layers (tools/lib/layers.mjs, firmware/layers.ts): the product bundle is one Storage file
// whose require() evaluates only the core; each layer is evaluated from flash when first read,
// dropped afterwards unless pinned or held by a connection, and never evaluated from another build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createBoard } from "../../tools/mock/board.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";
import { buildBoard } from "../../tools/build.mjs";
import { existsSync } from "node:fs";

const FILE = bundlePath("esp32", false);
if (!existsSync(FILE)) await buildBoard("esp32", { quiet: true });
// a layer is dropped after one to two idle periods (firmware/layers.ts IDLE_MS = 250)
const tick = () => new Promise((r) => setTimeout(r, 600));

function boardWithLibrary() {
  const b = createBoard({ board: "esp32" });
  return { b, lib: b.loadLibrary(FILE) };
}

test("the file: require() reads up to the first NUL; every table entry points at its section header", () => {
  const text = readFileSync(FILE, "latin1");
  const core = text.split("\0")[0];
  const table = JSON.parse(/t:(\{[^}]*\})/.exec(core)[1].replace(/(\w+):/g, "\"$1\":"));
  const build = /b:"([0-9a-f]{8})"/.exec(core)[1];
  assert.ok(Object.keys(table).length >= 5, Object.keys(table).join());
  for (const [name, [off, len, params]] of Object.entries(table)) {
    // the header names the build and the 4 parameters of the body new Function makes a function of
    assert.match(params, /^[\w$]+,[\w$]+,[\w$]+,[\w$]+$/);
    assert.equal(text.slice(off, off + 60).indexOf(`/*etls ${build} ${name} ${params}*/`), 0, name);
    assert.equal(text[off - 1], "\n");
    assert.equal(text[off - 2], "\0");
    assert.ok(off + len <= text.length && !text.slice(off, off + len).includes("\0"), name);
  }
});

test("require evaluates no layer; a layer is evaluated when read and dropped once idle", async () => {
  const { b, lib } = boardWithLibrary();
  try {
    assert.deepEqual([...lib.layers.loaded()], []);
    assert.deepEqual({ ...lib.layers.evaluations() }, {});
    assert.equal(typeof lib.x509.parse, "function");
    assert.ok(lib.layers.loaded().includes("x509"));
    assert.equal(lib.layers.evaluations().x509, 1);
    await tick();
    assert.deepEqual([...lib.layers.loaded()], []);
    // read again: evaluated again (the first copy is garbage once nothing refers to it)
    assert.equal(typeof lib.x509.parse, "function");
    assert.equal(lib.layers.evaluations().x509, 2);
  } finally { b.close(); }
});

test("pin keeps a layer across ticks until unpin", async () => {
  const { b, lib } = boardWithLibrary();
  try {
    lib.layers.pin("ec");
    await tick();
    assert.deepEqual([...lib.layers.loaded()], ["ec"]);
    lib.layers.unpin("ec");
    await tick();
    assert.deepEqual([...lib.layers.loaded()], []);
    assert.equal(lib.layers.evaluations().ec, 1);
  } finally { b.close(); }
});

test("a section of another build is refused (LAYER_BUILD_MISMATCH), a missing file and an unknown layer too", () => {
  const { b, lib } = boardWithLibrary();
  try {
    assert.throws(() => lib.layers.pin("nope"), (e) => e.code === "LAYER_UNKNOWN");
    // The same file with another build id in its sections (the core in RAM stays the old one).
    const text = readFileSync(FILE, "latin1");
    const build = /b:"([0-9a-f]{8})"/.exec(text)[1];
    const other = build.replace(/./, (c) => (c === "0" ? "1" : "0"));
    b.install("espruino-tls", text.split(`/*etls ${build} `).join(`/*etls ${other} `));
    assert.throws(() => lib.x509, (e) => e.code === "LAYER_BUILD_MISMATCH" && /reboot/.test(e.message));
    assert.deepEqual([...lib.layers.loaded()], []);
    b.require("Storage").erase("espruino-tls");
    assert.throws(() => lib.x509, (e) => e.code === "LAYER_NOT_FOUND" && /Storage/.test(e.message));
  } finally { b.close(); }
});

test("X25519 goes after the key exchange; after the handshake only the connection's layers stay (records), the handshake's go while it is open; all go at close", async () => {
  const { Pki } = await import("../../tools/lib/pki.mjs");
  const { observedTlsServer } = await import("../helpers/tls-observe.mjs");
  const chain = new Pki().chain({ label: "layers" });
  // the server answers each line and keeps the connection open until the client ends it
  const srv = await observedTlsServer(chain, { onSecure: (s) => s.on("data", (d) => s.write("echo " + d)) });
  const { b, lib } = boardWithLibrary();
  try {
    b.define("PORT", srv.port);
    b.define("CA", chain.root.pem);
    const seen = {};
    b.define("report", (k, v) => { seen[k] = JSON.parse(JSON.stringify(v)); });
    b.run(`var t = require("espruino-tls");
var s = t.tls.connect({ host: "localhost", port: PORT, ca: CA }, function () {
  report("atConnect", t.layers.loaded());
  setTimeout(function () { s.write("ping\\n"); }, 700);
});
s.on("data", function (d) { report("data", String(d)); report("whileOpen", t.layers.loaded()); s.end(); });
s.on("close", function () { setTimeout(function () { report("afterClose", t.layers.loaded()); }, 700); });
s.on("error", function (e) { report("error", e.code); });
s.on("progress", function (p) { if (p === "chain_verified") report("atChainVerified", t.layers.loaded()); });`, "app.js");
    for (let i = 0; i < 100 && !seen.afterClose && !seen.error; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(seen.error, undefined);
    assert.ok(seen.atConnect.includes("x509") && seen.atConnect.includes("tls"), "the handshake's layers were loaded: " + seen.atConnect);
    assert.equal(seen.data, "echo ping\n");
    // the X25519 layer goes once the shared secret is known: not held through the chain's verification (the peak)
    assert.ok(seen.atChainVerified.includes("x509"), "x509 loaded at chain_verified: " + seen.atChainVerified);
    assert.ok(!seen.atChainVerified.includes("c25519"), "c25519 dropped after the key exchange: " + seen.atChainVerified);
    // 700 ms after the handshake, with the connection open: the records' layers, not the chain's
    assert.ok(seen.whileOpen.includes("tls"), "tls kept while the connection is open: " + seen.whileOpen);
    for (const n of ["x509", "ec", "c25519", "time", "castore", "rsa"]) assert.ok(!seen.whileOpen.includes(n), `${n} dropped after the handshake: ${seen.whileOpen}`);
    assert.deepEqual(seen.afterClose, []);
  } finally { b.close(); await srv.close(); }
});
