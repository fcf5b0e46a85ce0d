// The verified-chain cache (signatures not checked again for a chain verified before; time, host
// name and the handshake signature still are; dropped when the anchors change; optionally kept in
// Storage), the session cache's rules (single-use tickets, lifetimes, anchors), HTTPS using both
// automatically, and key shares precomputed while idle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps12 } from "../helpers/tls12-servers.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";
import { runApp } from "../helpers/board-app.mjs";

const ec = new Pki().chain();
const other = new Pki().chain({ label: "other test" });
const only13 = { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" };
const NOSESS = { session: false };

async function node(tls, steps) {
  const s = await nodeHttps12(ec, { tls });
  try {
    return await runPlan(steps, { port: s.port, ca: ec.root.pem });
  } finally { await s.close(); }
}

function ok(c) { assert.equal(c.err, null, `${c.err}: ${c.msg} (steps ${c.steps.join(",")})`); }

for (const [label, tls] of [["TLS 1.3", only13], ["TLS 1.2", {}]]) {
  test(`${label}: a chain verified before is not verified again (handshake signature still is)`, async () => {
    // The third request names the server by another subjectAltName (the leaf is parsed for it),
    // the fourth by that name again (the entry knows it now: the key is read at its offsets).
    const ip = { opts: { session: false, servername: "127.0.0.1" } };
    const r = await node(tls, [{ opts: NOSESS }, { opts: NOSESS }, ip, ip]);
    for (const c of r.results) ok(c);
    assert.deepEqual(r.results.map((c) => c.cached), [false, true, true, true]);
    assert.deepEqual(r.results.map((c) => c.resumed), [false, false, false, false]);
    const sig = label === "TLS 1.3" ? "certificate_verify" : "server_key_verified";
    assert.ok(r.results[1].steps.includes(sig), r.results[1].steps.join(","));
    assert.equal(r.hits, 3);
  });
}

test("a cached chain is still checked for the host name", async () => {
  const r = await node(only13, [{ opts: NOSESS }, { opts: { session: false, servername: "wrong.example" } }, { opts: NOSESS }]);
  ok(r.results[0]);
  assert.equal(r.results[1].err, "NAME_MISMATCH");
  ok(r.results[2]);
});

test("a cached chain is still checked for validity time (mock clock past notAfter)", async () => {
  const r = await node(only13, [{ opts: NOSESS }, { opts: NOSESS, advance: 40 * 86400 }]);
  ok(r.results[0]);
  assert.equal(r.results[1].err, "CERT_EXPIRED");
});

test("other trust anchors (another store version) drop the cache", async () => {
  const r = await node(only13, [{ opts: NOSESS }, { opts: { session: false, ca: ec.root.pem + other.root.pem } }, { opts: NOSESS }]);
  for (const c of r.results) ok(c);
  assert.deepEqual(r.results.map((c) => c.cached), [false, false, false]);
  assert.equal(r.chains, 1);
});

test("sessions are not resumed under other trust anchors", async () => {
  const r = await node(only13, [{}, { opts: { ca: ec.root.pem + other.root.pem } }]);
  for (const c of r.results) ok(c);
  assert.deepEqual(r.results.map((c) => c.resumed), [false, false]);
});

test("the chain cache persisted in Storage serves a fresh cache (as after a restart)", async () => {
  const r = await node(only13, [{ opts: NOSESS, chainStorage: "etls.chains" }, { opts: NOSESS, chainStorage: "etls.chains" }, { opts: NOSESS, chainStorage: "etls.other" }]);
  for (const c of r.results) ok(c);
  assert.deepEqual(r.results.map((c) => c.cached), [false, true, false]);
});

test("tls.precompute(): the handshake takes the ready key share", async () => {
  const r = await node(only13, [{ precompute: true, opts: NOSESS }, { opts: NOSESS }]);
  for (const c of r.results) ok(c);
  assert.ok(r.results[0].steps.includes("key_share_ready"));
  assert.equal(r.results[0].ready, 0, "used once");
  assert.ok(r.results[1].steps.includes("key_share"));
});

test("SessionCache rules: single use, lifetime, chain expiry, anchors, per-host limit", async () => {
  const r = await runApp(`var t = require("espruino-tls"), now = getTime(), out = {};
    function tk(n, life, age, notAfter) { return { ticket: new Uint8Array([n]), psk: new Uint8Array(32), suite: 0x1301, lifetime: life, ageAdd: 0,
      received: now - age, host: "h", peer: { notAfter: notAfter || now + 1e6 } }; }
    var c = new t.tls.SessionCache();
    c.put13("k", "v1", tk(1, 100, 0));
    out.first = c.take13("k", "v1").ticket[0];
    out.again = c.take13("k", "v1");
    c.put13("k", "v1", tk(2, 100, 100));
    out.atLifetime = c.take13("k", "v1");
    c.put13("k", "v1", tk(3, 100, 10, now - 1));
    out.chainExpired = c.take13("k", "v1");
    c.put13("k", "v1", tk(4, 100, 0));
    out.otherAnchors = c.take13("k", "v2");
    out.afterOther = c.take13("k", "v1");
    c.put13("k", "v1", tk(5, 100, 0)); c.put13("k", "v1", tk(6, 100, 0)); c.put13("k", "v1", tk(7, 100, 0));
    out.kept = c.stats().tickets;
    out.newest = c.take13("k", "v1").ticket[0];
    var r = new t.tls.SessionCache({ reuseTickets: true });
    r.put13("k", "v1", tk(8, 100, 0));
    out.reuse = [r.take13("k", "v1").ticket[0], r.take13("k", "v1").ticket[0]];
    try { new t.tls.ChainCache({ storage: "a-storage-name-longer-than-28-chars" }); } catch (e) { out.longName = e.code; }
    done(out);`);
  assert.deepEqual(r, { first: 1, again: null, atLifetime: null, chainExpired: null, otherAnchors: null, afterOther: null, kept: 2, newest: 7, reuse: [8, 8], longName: "STORAGE_NAME" });
});

test("HTTPS uses the session cache automatically, and keeps connections alive", async () => {
  const s = await nodeHttps12(ec, { tls: only13 });
  try {
    const r = await runApp(`var t = require("espruino-tls"), runs = [];
      function get(keep, cb) {
        var steps = [];
        var req = t.https.get({ url: URL, ca: CA, keepAlive: keep }, function (res) {
          var b = ""; res.on("data", function (d) { b += d; });
          res.on("end", function () { runs.push({ status: res.statusCode, resumed: JSON.parse(b).resumed, steps: steps }); setTimeout(cb, 20); });
        });
        req.on("progress", function (x) { steps.push(x); });
        req.on("error", function (e) { done({ error: e.code, message: e.message }); });
      }
      get(false, function () { get(true, function () { get(true, function () { done(runs); }); }); });`,
    { globals: { URL: `https://localhost:${s.port}/`, CA: ec.root.pem } });
    assert.equal(r.error, undefined, r.message);
    assert.deepEqual(r.map((x) => x.status), [200, 200, 200]);
    assert.deepEqual(r.map((x) => x.resumed), [false, true, true]);
    assert.ok(r[1].steps.includes("resumed"));
    assert.deepEqual(r[2].steps, [], "third request reuses the kept connection");
    assert.equal(s.stats.connections, 2);
  } finally { await s.close(); }
});
