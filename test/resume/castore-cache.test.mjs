// The verified-chain cache and the session cache with the CA store as trust anchors (no `ca`
// option): a chain verified under store version 1 is served from the cache while version 1 is
// installed; a store of another version (the same roots) drops the cache and the sessions.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps12 } from "../helpers/tls12-servers.mjs";
import { runApp } from "../helpers/board-app.mjs";
import { cabundleBuild } from "../../tools/castore/cli.mjs";

const chain = new Pki().chain({ label: "castore cache" });
const dir = mkdtempSync(path.join(tmpdir(), "etls-cc-"));
function store(version) {
  const out = path.join(dir, `v${version}.bin`);
  cabundleBuild([chain.root.certFile, "--version", String(version), "--out", out, "--board", "linux", "--quiet"], { log() {}, error() {} });
  return readFileSync(out).toString("latin1");
}

const server = await nodeHttps12(chain, { tls: { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" } });
after(() => server.close());

test("CA store version: cache and sessions hold under one version, are dropped under another", async () => {
  const r = await runApp(`var S = require("Storage"), t = require("espruino-tls"), out = [];
    function get(store, session, cb) {
      if (store) { S.write("etls.ca", store); }
      var info = null;
      var s = t.tls.connect({ host: "localhost", port: PORT, session: session ? undefined : false }, function (i) { info = i; s.write("GET / HTTP/1.0\\r\\n\\r\\n"); });
      s.on("error", function (e) { out.push({ error: e.code, message: e.message }); s.end(); setTimeout(cb, 20); });
      s.on("close", function () { if (info) out.push({ cached: !!info.peer.cached, resumed: !!info.resumed }); setTimeout(cb, 20); });
    }
    get(V1, false, function () { get(null, false, function () { get(null, true, function () { get(null, true, function () {
      get(V2, true, function () { get(null, false, function () { done(out); }); }); }); }); }); });`,
  { globals: { PORT: server.port, V1: store(1), V2: store(2) } });
  assert.deepEqual(r, [
    { cached: false, resumed: false }, // version 1: full validation
    { cached: true, resumed: false }, // same chain, same store: signatures not checked again
    { cached: true, resumed: false }, // (first with the session cache: stores tickets)
    { cached: true, resumed: true }, // resumed: no certificate at all (peer: the identity the ticket's connection proved)
    { cached: false, resumed: false }, // version 2: the ticket and the cached chain are not used
    { cached: true, resumed: false }, // cached again under version 2
  ]);
});
