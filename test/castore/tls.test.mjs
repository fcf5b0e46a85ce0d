// TLS with the CA store: the product bundle on the board mock verifies a Node TLS 1.3 server
// against the store in Storage (built by `cabundle build` from the test PKI's root), without
// any `ca` option; a store without that root, a corrupt store and no store are refused.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps } from "../helpers/servers.mjs";
import { runApp } from "../helpers/board-app.mjs";
import { cabundleBuild } from "../../tools/castore/cli.mjs";
import { MOZILLA_BUNDLE } from "../../tools/castore/anchors.mjs";

const BOARD = "esp32";
const pki = new Pki();
const chain = pki.chain({ label: "castore tls" });
const dir = mkdtempSync(path.join(tmpdir(), "etls-castore-"));
const quiet = { log() {}, error() {} };

function store(args) {
  const out = path.join(dir, `s${Math.random().toString(36).slice(2)}.bin`);
  cabundleBuild([...args, "--out", out, "--board", BOARD, "--quiet"], quiet);
  return readFileSync(out).toString("latin1");
}

// The store goes into Storage first, then the app connects with no `ca` (or with the store).
const APP = `var S = require("Storage");
if (STORE) S.write("etls.ca", STORE);
var t = require("espruino-tls"), steps = [];
var o = { url: URL };
if (EXPLICIT) o.ca = t.castore.open();
try {
  var req = t.https.get(o, function (res) {
    var body = "";
    res.on("data", function (d) { body += d; });
    res.on("end", function () { done({ status: res.statusCode, body: body, steps: steps }); });
  });
  req.on("progress", function (s) { steps.push(s); });
  req.on("error", function (e) { done({ error: e.code, message: e.message }); });
} catch (e) { done({ error: e.code, message: e.message, thrown: true }); }`;

const server = await nodeHttps(chain);
after(() => server.close());
const URL = `https://localhost:${server.port}/castore`;
const get = (storeText, explicit = false) => runApp(APP, { board: BOARD, globals: { URL, STORE: storeText, EXPLICIT: explicit } });

test("a handshake verified against the CA store, with no `ca` option", async () => {
  const r = await get(store([chain.root.certFile]));
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).url, "/castore");
  assert.ok(r.steps.includes("chain_verified"));
});

test("the same store passed as `ca` (castore.open())", async () => {
  const r = await get(store([chain.root.certFile]), true);
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.status, 200);
});

test("the root among the Mozilla roots: found by binary search in a 140-anchor store", { skip: !existsSync(MOZILLA_BUNDLE) && "no " + MOZILLA_BUNDLE }, async () => {
  const r = await get(store(["--mozilla", chain.root.certFile]));
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.status, 200);
});

test("a store without the server's root: UNKNOWN_ISSUER, never unverified", { skip: !existsSync(MOZILLA_BUNDLE) && "no " + MOZILLA_BUNDLE }, async () => {
  const r = await get(store(["--mozilla"]));
  assert.equal(r.status, undefined);
  assert.equal(r.error, "UNKNOWN_ISSUER", r.message);
});

test("a corrupt store is refused (CASTORE_CORRUPT), no store is NO_TRUST_ANCHORS", async () => {
  const s = Buffer.from(store([chain.root.certFile]), "latin1");
  s[s.length - 3] ^= 0x55;
  const bad = await get(s.toString("latin1"));
  assert.equal(bad.status, undefined);
  assert.equal(bad.error, "CASTORE_CORRUPT", bad.message);
  const none = await get("");
  assert.equal(none.status, undefined);
  assert.equal(none.error, "NO_TRUST_ANCHORS", none.message);
});

writeFileSync(path.join(dir, "README"), "temporary files of test/castore/tls.test.mjs\n");
