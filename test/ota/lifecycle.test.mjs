// The rest of an update's life: expiry (anti-freeze: stale but still used, refreshed by a
// re-signed manifest without a download), trial and confirmation (automatic, manual, custom,
// inconclusive), roll-back, switch hooks, and periodic checks with jitter.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { otaFixture, runOn, CHECK, BOOT, SLOT0, SLOT1 } from "../helpers/ota-dev.mjs";

let fx, img1;
const now = () => Math.floor(Date.now() / 1000);
before(async () => {
  fx = await otaFixture();
  img1 = fx.image(1);
});

const files = (img, doc, v = 2) => ({ "/manifest.json": doc, [`/castore-${v}.bin`]: img });

test("expiry: an installed store whose manifest expired stays in use, reported stale, checked more often; a re-signed manifest refreshes it without a download", async () => {
  const img2 = fx.image(2);
  const srv = await fx.server(files(img2, fx.manifest(img2, { created: now() - 60, expires: now() + 3600 })));
  try {
    const b = fx.board({ store: img1 });
    const url = srv.url("/manifest.json");
    assert.equal((await runOn(b, CHECK, { CFG: { url } })).result.res.status, "updated");
    // Two hours later: the manifest has expired. The server is gone too (the freeze attack).
    const b2 = fx.board({ flash: b.flash.reboot() });
    b2.setClock(now() + 7200);
    const stale = (await runOn(b2, `var t = require("espruino-tls"), ota = t.ota, events = [];
      ota.configure({ url: URL, interval: 86400, staleInterval: 600, jitter: 60 });
      ota.on("stale", function (e) { events.push(e); });
      ota.start();
      var st = ota.status();
      var s = ota.store();
      t.https.get({ url: URL, ca: ota.ca }, function (res) {
        ota.stop();
        done({ status: st, version: s.version, http: res.statusCode, wait: st.next - getTime() });
      }).on("error", function (e) { done({ error: e.code + " " + e.message }); });`, { URL: url })).result;
    assert.equal(stale.error, undefined, stale.error);
    assert.equal(stale.status.stale, true);
    assert.equal(stale.version, 2, "the expired store is still the active one");
    assert.equal(stale.http, 200, "and still verifies servers");
    assert.ok(stale.wait <= 60 + 1, `the first check comes within the jitter (${stale.wait} s)`);
    // The same store signed again with a later expiry: refreshed, no image download, not stale.
    const until = now() + 86400 * 30;
    const fresh = fx.manifest(img2, { created: now() + 7000, expires: until });
    srv.set("/manifest.json", fresh);
    const before = srv.requests.length;
    const b3 = fx.board({ flash: b2.flash.reboot() });
    b3.setClock(now() + 7200);
    const r = (await runOn(b3, CHECK, { CFG: { url } })).result;
    assert.equal(r.err, null, r.err && r.err.message);
    assert.deepEqual(r.res, { status: "refreshed", version: 2 });
    assert.equal(r.status.stale, false);
    assert.deepEqual(srv.requests.slice(before), ["/manifest.json"]);
    // An older signature of the same store (earlier expiry) changes nothing: "current".
    srv.set("/manifest.json", fx.manifest(img2, { created: now() - 60, expires: now() + 8000 }));
    const r2 = (await runOn(fx.board({ flash: b3.flash.reboot() }), CHECK, { CFG: { url } })).result;
    assert.equal(r2.res.status, "current");
    assert.equal(r2.status.expires, until);
  } finally { await srv.close(); }
});

test("periodic checks: the first after a random share of the jitter, then interval +- jitter", async () => {
  const img2 = fx.image(2);
  const srv = await fx.server(files(img2, fx.manifest(img2)));
  try {
    const b = fx.board({ store: img1 });
    const r = (await runOn(b, `var ota = require("espruino-tls").ota, first = null;
      ota.start({ url: URL, interval: 1000, jitter: 2 });
      var t0 = getTime(), n0 = ota.status().next - t0;
      var poll = setInterval(function () {
        var s = ota.status();
        if (s.lastResult) { clearInterval(poll); var n1 = s.next - getTime(); ota.stop(); done({ n0: n0, n1: n1, status: s, after: ota.status().next }); }
      }, 50);`, { URL: srv.url("/manifest.json") })).result;
    assert.ok(r.n0 >= 0 && r.n0 <= 2, `first check after ${r.n0} s`);
    assert.equal(r.status.lastResult, "updated");
    assert.ok(r.n1 >= 997 && r.n1 <= 1002, `next check in ${r.n1} s`);
    assert.equal(r.after, 0, "stop() cancels");
  } finally { await srv.close(); }
});

test("manual confirmation: with a pinned `ca` for the update server and no healthUrl, the new store waits on trial; confirm() keeps it, across a reboot", async () => {
  const img2 = fx.image(2);
  const srv = await fx.server(files(img2, fx.manifest(img2)));
  try {
    const cfg = { url: srv.url("/manifest.json"), ca: fx.chain.root.pem };
    const b = fx.board({ store: img1 });
    const r = (await runOn(b, CHECK, { CFG: cfg })).result;
    assert.deepEqual(r.res, { status: "trial", version: 2 });
    assert.equal(r.status.trial, true);
    const boot = (await runOn(fx.board({ flash: b.flash.reboot() }), BOOT)).result;
    assert.equal(boot.version, 2);
    assert.equal(boot.status.trial, true, "the trial survives a reboot");
    const b3 = fx.board({ flash: b.flash.reboot() });
    const c = (await runOn(b3, `var ota = require("espruino-tls").ota, sw = [];
      ota.confirm(); done(ota.status());`)).result;
    assert.equal(c.trial, false);
    assert.equal(c.version, 2);
    assert.equal(b3.flash.files.has(SLOT0), true, "the old slot stays until the next update needs it");
  } finally { await srv.close(); }
});

test("roll-back: a custom health check that fails returns to the old store; switch hooks see both switches", async () => {
  const img2 = fx.image(2);
  const srv = await fx.server(files(img2, fx.manifest(img2)));
  try {
    const b = fx.board({ store: img1 });
    const r = (await runOn(b, `var ota = require("espruino-tls").ota, seen = [], stores = [];
      ota.onSwitch(function (why) { seen.push(why + ":" + ota.store().version); });
      ota.configure({ url: URL, healthCheck: function (store, cb) { stores.push(store.version); cb({ code: "APP_SAYS_NO", message: "our server is not in it" }); } });
      ota.check(function (err) { setTimeout(function () { done({ err: err, seen: seen, stores: stores, status: ota.status() }); }, 10); });`, { URL: srv.url("/manifest.json") })).result;
    assert.equal(r.err.code, "OTA_HEALTH_FAILED");
    assert.equal(r.err.detail.cause, "APP_SAYS_NO");
    assert.deepEqual(r.stores, [2], "the health check got the new store");
    assert.deepEqual(r.seen, ["update:2", "rollback:1"]);
    assert.equal(r.status.version, 1);
    assert.equal(r.status.store, SLOT0);
    assert.equal(r.status.rejected, 2);
    assert.equal(r.status.floor, 2);
    const boot = (await runOn(fx.board({ flash: b.flash.reboot() }), BOOT)).result;
    assert.equal(boot.version, 1);
    assert.equal(boot.status.trial, false);
  } finally { await srv.close(); }
});

test("an inconclusive health check (health server unreachable) keeps the new store on trial; the next check confirms it", async () => {
  const img2 = fx.image(2);
  const srv = await fx.server(files(img2, fx.manifest(img2)));
  try {
    const b = fx.board({ store: img1 });
    const cfg = { url: srv.url("/manifest.json"), healthUrl: "https://localhost:1/health" };
    const r = (await runOn(b, CHECK, { CFG: cfg })).result;
    assert.equal(r.err.code, "OTA_HEALTH_INCONCLUSIVE", r.err.message);
    assert.equal(r.status.trial, true);
    assert.equal(r.status.version, 2);
    const b2 = fx.board({ flash: b.flash.reboot() });
    const again = (await runOn(b2, CHECK, { CFG: { url: srv.url("/manifest.json") } })).result;
    assert.equal(again.err, null, again.err && again.err.message);
    assert.deepEqual(again.res, { status: "current", version: 2 });
    assert.equal(again.status.trial, false);
    assert.equal(again.status.store, SLOT1);
  } finally { await srv.close(); }
});

test("manual roll-back from trial; without a previous store there is nothing to roll back to", async () => {
  const img2 = fx.image(2);
  const srv = await fx.server(files(img2, fx.manifest(img2)));
  try {
    const cfg = { url: srv.url("/manifest.json"), ca: fx.chain.root.pem };
    const b = fx.board({ store: img1 });
    assert.equal((await runOn(b, CHECK, { CFG: cfg })).result.res.status, "trial");
    const r = (await runOn(fx.board({ flash: b.flash.reboot() }), `var ota = require("espruino-tls").ota;
      ota.rollback(); var e = null; try { ota.rollback(); } catch (x) { e = x.code; }
      done({ status: ota.status(), second: e });`)).result;
    assert.equal(r.status.version, 1);
    assert.equal(r.status.rejected, 2);
    assert.equal(r.second, "OTA_NO_ROLLBACK");
  } finally { await srv.close(); }
});

test("a board with no store at all installs one (update server pinned by `ca`)", async () => {
  const img2 = fx.image(2);
  const srv = await fx.server(files(img2, fx.manifest(img2)));
  try {
    const b = fx.board({});
    const r = (await runOn(b, CHECK, { CFG: { url: srv.url("/manifest.json"), ca: fx.chain.root.pem, healthUrl: srv.url("/manifest.json") } })).result;
    assert.equal(r.err, null, r.err && r.err.message);
    assert.deepEqual(r.res, { status: "updated", version: 2 });
    assert.equal(r.store.name, SLOT1);
  } finally { await srv.close(); }
});

test("configuration errors and a second check while one runs", async () => {
  const r = (await runOn(fx.board({ store: img1 }), `var ota = require("espruino-tls").ota, out = {};
    try { ota.configure({ url: "http://plain.example/m.json" }); } catch (e) { out.plain = e.code; }
    try { ota.configure({}); } catch (e) { out.none = e.code; }
    ota.check(function (err) { out.unconfigured = err.code;
      ota.configure({ url: "https://localhost:1/m.json" });
      ota.check(function (err2) { out.first = err2.code; done(out); });
      ota.check(function (err3) { out.busy = err3.code; });
    });`)).result;
  assert.deepEqual(r, { plain: "HTTPS_BAD_URL", none: "OTA_BAD_CONFIG", unconfigured: "OTA_NOT_CONFIGURED", busy: "OTA_BUSY", first: "OTA_FETCH_FAILED" });
});

test("flash damage in the active slot: the board falls back to the other slot's store rather than none", async () => {
  const img2 = fx.image(2);
  const srv = await fx.server(files(img2, fx.manifest(img2)));
  try {
    const b = fx.board({ store: img1 });
    assert.equal((await runOn(b, CHECK, { CFG: { url: srv.url("/manifest.json") } })).result.res.status, "updated");
    const g = b.flash.reboot();
    g.files.get(SLOT1).bytes[100] ^= 0x40;
    const r = (await runOn(fx.board({ flash: g }), BOOT)).result;
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.version, 1);
    assert.equal(r.name, SLOT0);
    assert.equal(r.status.fallback, true);
  } finally { await srv.close(); }
});
