// The trusted clock of the product bundle in the board mock (firmware/time): TIME_UNKNOWN on a
// board that reads 1970; SNTP over the mock's dgram against a tiny NTP server on 127.0.0.1;
// replies a client must refuse; bounded retries; Kiss-o'-Death; the time floor in Storage
// (persists across reboots, never lowered, survives a power cut during its write); floor-only
// mode; pluggable sources; and the TLS client refusing to validate without a trusted time.
import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { existsSync } from "node:fs";
import { createBoard } from "../../tools/mock/board.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";
import { buildBoard } from "../../tools/build.mjs";
import { Pki } from "../../tools/lib/pki.mjs";
import { startJsonServer } from "../../tools/lib/json-server.mjs";
import { runApp } from "../helpers/board-app.mjs";
import { NTP_UNIX, ntpReply, ntpServer } from "../helpers/ntp-server.mjs";

// Boards with the TLS stack: linux cannot set its clock (offset kept), esp32 can (setTime).
const BOARDS = ["linux", "esp32"];
for (const b of BOARDS) if (!existsSync(bundlePath(b, false))) await buildBoard(b, { quiet: true });

const DAY = 86400;
const hostNow = () => Date.now() / 1000;

const goodServer = (delta = 0) => ntpServer((req) => ntpReply(req, hostNow() + delta));

// ---- the board ----------------------------------------------------------------------------
function boot(board, { clock = 1000, flash } = {}) {
  const b = createBoard({ board, clock, flash });
  const lib = b.loadLibrary(bundlePath(board, false));
  return { b, lib, clock: lib.clock };
}
const sync = (clock, servers, opts = {}) => new Promise((res) => clock.sync(servers, opts, (err, r) => res({ err, r })));
function unknown(clock) {
  let e = null;
  try { clock.now(); } catch (x) { e = x; }
  assert.ok(e, "now() must throw");
  assert.equal(e.code, "TIME_UNKNOWN", String(e && e.message));
  return e;
}
const near = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} is not within ${tol} of ${b}`);
const FAST = { timeout: 200, retries: 1 };

for (const board of BOARDS) {
  test(`${board}: TIME_UNKNOWN when the clock reads 1970; the board clock is trusted at or above the floor`, () => {
    const { b, clock } = boot(board, { clock: 1000 });
    try {
      const e = unknown(clock);
      assert.match(e.message, /below the trusted floor/);
      const s = clock.status();
      assert.equal(s.basis, "unknown");
      assert.equal(s.trusted, false);
      assert.equal(s.time, null);
      assert.equal(s.floor, s.buildTime);
      assert.equal(s.floorSource, "build");
      assert.ok(s.buildTime > 1.7e9, "BUILD_TIME is the build's time");
      b.setClock(hostNow());
      near(clock.now(), hostNow(), 1, "board clock");
      assert.equal(clock.status().basis, "board");
    } finally { b.close(); }
  });

  test(`${board}: an SNTP sync sets a trusted time (setTime where the board can, else an offset)`, async () => {
    const srv = await goodServer(0);
    const { b, clock } = boot(board, { clock: 1000 });
    try {
      const { err, r } = await sync(clock, [srv.server], FAST);
      assert.equal(err, null, err && err.message);
      near(r.time, hostNow(), 0.5, "synced time");
      assert.equal(r.agreed, 1);
      assert.equal(r.vouched, false, "one unauthenticated server does not vouch");
      assert.equal(r.floorRaised, false);
      assert.equal(r.sources[0].ok, true);
      assert.equal(r.sources[0].attempts, 1);
      assert.equal(r.sources[0].stratum, 2);
      near(clock.now(), hostNow(), 0.5, "now()");
      const s = clock.status();
      assert.equal(s.basis, "sync");
      assert.equal(s.trusted, true);
      assert.equal(s.floor, s.buildTime);
      assert.equal(srv.requests.length, 1);
      const q = srv.requests[0];
      assert.equal(q.length, 48);
      assert.equal(q[0], 0x23, "LI 0, VN 4, mode 3");
      const sec = q.readUInt32BE(40) - NTP_UNIX;
      near(sec, 1000, 2, "transmit timestamp seconds from the board clock");
      if (board === "esp32") {
        assert.equal(r.setTime, true);
        near(b.context.getTime(), hostNow(), 0.5, "board clock set");
        assert.equal(r.offset, 0);
      } else {
        assert.equal(r.setTime, false);
        near(b.context.getTime(), 1000, 5, "linux clock unchanged");
        near(r.offset, hostNow() - 1000, 5, "offset kept");
      }
    } finally { b.close(); await srv.close(); }
  });
}

const BAD = [
  ["wrong originate", (req, t) => ntpReply(req, t, { originate: Buffer.alloc(8, 7) }), "NTP_BAD_ORIGINATE"],
  ["stratum 0 (Kiss-o'-Death DENY)", (req, t) => ntpReply(req, t, { stratum: 0, refid: "DENY" }), "NTP_KOD"],
  ["leap indicator 3 (unsynchronized)", (req, t) => ntpReply(req, t, { li: 3 }), "NTP_UNSYNCHRONIZED"],
  ["mode 3 (a client, not a server)", (req, t) => ntpReply(req, t, { mode: 3 }), "NTP_BAD_MODE"],
  ["mode 5 (broadcast)", (req, t) => ntpReply(req, t, { mode: 5 }), "NTP_BAD_MODE"],
  ["short packet (47 bytes)", (req, t) => ntpReply(req, t, { length: 47 }), "NTP_SHORT_REPLY"],
  ["stratum 16", (req, t) => ntpReply(req, t, { stratum: 16 }), "NTP_BAD_STRATUM"],
  ["zero transmit timestamp", (req, t) => ntpReply(req, t, { zeroTransmit: true }), "NTP_ZERO_TRANSMIT"],
  ["version 2", (req, t) => ntpReply(req, t, { vn: 2 }), "NTP_BAD_VERSION"],
  ["zero receive timestamp", (req, t) => ntpReply(req, t, { zeroReceive: true }), "NTP_BAD_TIMESTAMPS", /receive timestamp 0 is zero/],
  ["receive timestamp after the transmit timestamp", (req, t) => ntpReply(req, t, { receive: t + 5 }), "NTP_BAD_TIMESTAMPS", /is zero or after transmit/],
  ["the server held the request longer than the round trip (negative delay)", (req, t) => ntpReply(req, t, { receive: t - 100 }), "NTP_BAD_TIMESTAMPS", /negative round-trip delay/],
];
for (const [what, answer, code, why] of BAD) {
  test(`linux: a bad server is refused: ${what} -> ${code}`, async () => {
    const srv = await ntpServer((req) => answer(req, hostNow()));
    const { b, clock } = boot("linux", { clock: 1000 });
    try {
      const { err } = await sync(clock, [srv.server], FAST);
      assert.ok(err, "sync must fail");
      assert.equal(err.code, "TIME_SYNC_FAILED");
      const rep = err.detail.sources[0];
      assert.equal(rep.ok, false);
      assert.equal(rep.code, code, rep.error);
      if (why) assert.match(rep.error, why);
      // A Kiss-o'-Death stops the retries; any other bad reply is retried (bounded).
      assert.equal(srv.requests.length, code === "NTP_KOD" ? 1 : 2);
      assert.equal(rep.attempts, srv.requests.length);
      unknown(clock);
      assert.equal(clock.status().synced, false);
    } finally { b.close(); await srv.close(); }
  });
}

test("linux: dgram send() throws (no network): NTP_SEND_FAILED on every attempt, nothing sent", async () => {
  const srv = await goodServer(0);
  const { b, clock } = boot("linux", { clock: 1000 });
  const dgram = b.require("dgram"), createSocket = dgram.createSocket;
  dgram.createSocket = (type) => {
    const s = createSocket.call(dgram, type);
    s.send = () => { throw new Error("Not connected to the internet"); };
    return s;
  };
  try {
    const { err } = await sync(clock, [srv.server], FAST);
    assert.equal(err && err.code, "TIME_SYNC_FAILED");
    const rep = err.detail.sources[0];
    assert.equal(rep.code, "NTP_SEND_FAILED", rep.error);
    assert.match(rep.error, /Not connected to the internet/);
    assert.equal(rep.attempts, 2, "retried once (retries: 1)");
    assert.equal(srv.requests.length, 0);
    unknown(clock);
  } finally { b.close(); await srv.close(); }
});

test("linux: a forged reply is discarded and the genuine one that follows is used", async () => {
  const srv = await ntpServer((req) => [ntpReply(req, hostNow() + 5000, { originate: Buffer.alloc(8, 1) }), ntpReply(req, hostNow())]);
  const { b, clock } = boot("linux", { clock: 1000 });
  try {
    const { err, r } = await sync(clock, [srv.server], FAST);
    assert.equal(err, null, err && err.message);
    near(r.time, hostNow(), 0.5, "the genuine time");
    assert.equal(r.sources[0].attempts, 1);
  } finally { b.close(); await srv.close(); }
});

test("linux: a reply from another port is refused (NTP_WRONG_SENDER)", async () => {
  const other = dgram.createSocket("udp4");
  await new Promise((r) => other.bind(0, "127.0.0.1", r));
  const srv = await ntpServer((req) => { return null; });
  const { b, clock } = boot("linux", { clock: 1000 });
  try {
    // The server forwards each request's answer through another socket.
    const real = srv.requests;
    const p = sync(clock, [srv.server], { timeout: 300, retries: 0 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(real.length, 1);
    // Reply to the client's port from `other`: find the client port by asking the mock's socket set.
    const ports = [...b.sockets].filter((s) => s.address && s.type === "udp4").map((s) => s.address().port);
    for (const port of ports) other.send(ntpReply(real[0], hostNow()), port, "127.0.0.1");
    const { err } = await p;
    assert.ok(err);
    assert.equal(err.detail.sources[0].code, "NTP_WRONG_SENDER");
  } finally { b.close(); other.close(); await srv.close(); }
});

test("linux: retries are bounded (timeouts; at most 10 re-sends whatever is asked)", async () => {
  const srv = await ntpServer(() => null);
  const { b, clock } = boot("linux", { clock: 1000 });
  try {
    const t0 = Date.now();
    const { err } = await sync(clock, [srv.server], { timeout: 100, retries: 2 });
    assert.equal(err.code, "TIME_SYNC_FAILED");
    assert.equal(err.detail.sources[0].code, "NTP_TIMEOUT");
    assert.equal(srv.requests.length, 3);
    assert.ok(Date.now() - t0 < 2000);
    // Every request carries a fresh transmit timestamp.
    assert.equal(new Set(srv.requests.map((q) => q.subarray(40).toString("hex"))).size, 3);
    const r2 = await sync(clock, [srv.server], { timeout: 30, retries: 1000 });
    assert.equal(r2.err.detail.sources[0].attempts, 11);
    assert.equal(srv.requests.length, 3 + 11);
  } finally { b.close(); await srv.close(); }
});

test("linux: Kiss-o'-Death DENY: the server is not asked again; RATE: not for a while", async () => {
  const deny = await ntpServer((req) => ntpReply(req, hostNow(), { stratum: 0, refid: "DENY" }));
  const rate = await ntpServer((req) => ntpReply(req, hostNow(), { stratum: 0, refid: "RATE" }));
  const good = await goodServer(0);
  const { b, clock } = boot("linux", { clock: 1000 });
  try {
    const a = await sync(clock, [deny.server, rate.server, good.server], FAST);
    assert.equal(a.err, null);
    assert.deepEqual(Array.from(a.r.sources, (s) => s.code || "ok"), ["NTP_KOD", "NTP_KOD", "ok"]);
    const again = await sync(clock, [deny.server, rate.server, good.server], FAST);
    assert.equal(again.err, null);
    assert.equal(deny.requests.length, 1, "DENY: not asked again");
    assert.equal(rate.requests.length, 1, "RATE: not asked again so soon");
    assert.match(again.r.sources[0].error, /not asked until reboot/);
  } finally { b.close(); await deny.close(); await rate.close(); await good.close(); }
});

test("linux: agreeing servers raise the floor; it persists across reboots and is never lowered", async () => {
  const a = await goodServer(2 * DAY), c = await goodServer(2 * DAY + 0.2);
  const low = await goodServer(1 * DAY), low2 = await goodServer(1 * DAY);
  let { b, clock } = boot("linux", { clock: 1000 });
  try {
    const { err, r } = await sync(clock, [a.server, c.server], FAST);
    assert.equal(err, null, err && err.message);
    assert.equal(r.agreed, 2);
    assert.equal(r.vouched, true);
    assert.equal(r.floorRaised, true);
    const s = clock.status();
    near(s.floor, hostNow() + 2 * DAY, 2, "floor");
    assert.equal(s.floorSource, "sync");
    assert.equal(s.floorFile, "written");
    assert.equal(s.storedFloor, s.floor);
    const floor = s.floor;
    assert.ok(b.flash.files.has(".etls-floor0"));
    // Reboot: the board reads 1970 again; the floor comes back from Storage.
    const flash = b.flash.reboot();
    b.close();
    ({ b, clock } = boot("linux", { clock: 1000, flash }));
    unknown(clock);
    let st = clock.status();
    assert.equal(st.floor, floor);
    assert.equal(st.floorSource, "storage");
    // Even the real time now is below the floor: the board clock is not believed.
    b.setClock(hostNow());
    unknown(clock);
    // Servers agreeing on a time below the floor are refused.
    const lo = await sync(clock, [low.server, low2.server], FAST);
    assert.equal(lo.err.code, "TIME_SYNC_FAILED");
    assert.deepEqual(Array.from(lo.err.detail.sources, (x) => x.code), ["TIME_BELOW_FLOOR", "TIME_BELOW_FLOOR"]);
    st = clock.status();
    assert.equal(st.floor, floor, "never lowered");
    assert.equal(st.synced, false);
    // A single server above the floor sets the time but does not raise the floor.
    const one = await sync(clock, [a.server], FAST);
    assert.equal(one.err, null);
    assert.equal(one.r.floorRaised, false);
    assert.equal(clock.status().floor, floor);
    near(clock.now(), hostNow() + 2 * DAY, 1, "synced");
  } finally { b.close(); for (const s of [a, c, low, low2]) await s.close(); }
});

test("linux: a power cut during the floor write leaves the previous floor valid", async () => {
  const s1 = await goodServer(3 * DAY), s2 = await goodServer(3 * DAY);
  const t1 = await goodServer(5 * DAY), t2 = await goodServer(5 * DAY);
  let { b, clock, lib } = boot("linux", { clock: 1000 });
  try {
    assert.equal((await sync(clock, [s1.server, s2.server], FAST)).err, null);
    const f1 = clock.status().floor;
    // Boot 2: raise to 5 days ahead with the power cut at the floor write.
    let flash = b.flash.reboot();
    b.close();
    ({ b, clock, lib } = boot("linux", { clock: 1000, flash }));
    lib.random(1); // the entropy module's own seed write happens now, before the cut
    b.flash.cutPowerAfter(0);
    const r = await sync(clock, [t1.server, t2.server], FAST);
    assert.equal(r.err, null);
    const st = clock.status();
    assert.match(st.floorFile, /^failed: .*power cut/);
    near(st.floor, hostNow() + 5 * DAY, 2, "floor in RAM");
    assert.equal(st.storedFloor, f1);
    // Boot 3: the floor is the one written before the cut.
    flash = b.flash.reboot();
    b.close();
    ({ b, clock, lib } = boot("linux", { clock: 1000, flash }));
    assert.equal(clock.status().floor, f1);
    // A torn write (what the real flash can leave: short, 0xFF-tailed or corrupted record in the
    // slot being written) never hides the other slot's record.
    assert.equal((await sync(clock, [t1.server, t2.server], FAST)).err, null);
    const f2 = clock.status().floor;
    assert.ok(b.flash.files.has(".etls-floor0") && b.flash.files.has(".etls-floor1"), "both slots used");
    for (const torn of [(rec) => rec.subarray(0, 9), (rec) => { const x = Buffer.from(rec); x.fill(0xff, 8); return x; }, (rec) => { const x = Buffer.from(rec); x[9] ^= 1; return x; }]) {
      const flash2 = b.flash.reboot();
      // The newest record is in slot 1 (slot 0 held f1): tear slot 1, expect f1; tear slot 0, expect f2.
      const rec1 = Buffer.from(flash2.files.get(".etls-floor1").bytes);
      const b2 = createBoard({ board: "linux", clock: 1000, flash: flash2 });
      try {
        b2.install(".etls-floor1", torn(rec1).toString("latin1"));
        const l2 = b2.loadLibrary(bundlePath("linux", false));
        assert.equal(l2.clock.status().floor, f1, "the older slot's floor");
      } finally { b2.close(); }
      const flash3 = b.flash.reboot();
      const rec0 = Buffer.from(flash3.files.get(".etls-floor0").bytes);
      const b3 = createBoard({ board: "linux", clock: 1000, flash: flash3 });
      try {
        b3.install(".etls-floor0", torn(rec0).toString("latin1"));
        const l3 = b3.loadLibrary(bundlePath("linux", false));
        assert.equal(l3.clock.status().floor, f2, "the newer slot's floor");
      } finally { b3.close(); }
    }
  } finally { b.close(); for (const s of [s1, s2, t1, t2]) await s.close(); }
});

test("linux: floor-only mode is an explicit opt-in and says so", () => {
  const { b, clock } = boot("linux", { clock: 1000 });
  try {
    unknown(clock);
    clock.acceptFloorOnly(true);
    const s = clock.status();
    assert.equal(clock.now(), s.buildTime);
    assert.equal(s.basis, "floor-only");
    assert.equal(s.trusted, false);
    assert.equal(s.floorOnly, true);
    // A board clock above the floor is still used (max(getTime(), floor)).
    b.setClock(s.buildTime + 100);
    near(clock.now(), s.buildTime + 100, 1, "board clock above the floor");
    b.setClock(1000);
    clock.acceptFloorOnly(false);
    unknown(clock);
  } finally { b.close(); }
});

test("linux: pluggable sources: a verified source vouches alone; failures, timeouts, junk and disagreement", async () => {
  const { b, clock } = boot("linux", { clock: 1000 });
  const T = hostNow() + 10 * DAY;
  try {
    assert.throws(() => clock.addSource({ name: "x" }), (e) => e.code === "TIME_BAD_SOURCE");
    clock.addSource({ name: "https-date", verified: true, query: (cb) => setTimeout(() => cb(null, Math.floor(T)), 10) });
    assert.deepEqual([...clock.status().sources], ["https-date"]);
    const r = await sync(clock, [], {});
    assert.equal(r.err, null, r.err && r.err.message);
    assert.equal(r.r.vouched, true);
    assert.equal(r.r.floorRaised, true);
    near(clock.now(), T, 2, "verified source time");
    assert.equal(clock.removeSource("https-date"), true);
    // Failing sources.
    const bad = [
      { name: "err", query: (cb) => cb({ code: "NOPE", message: "no" }) },
      { name: "throws", query: () => { throw new Error("boom"); } },
      { name: "junk", query: (cb) => cb(null, "yesterday") },
      { name: "silent", query: () => {} },
    ];
    const f = await sync(clock, [], { sources: bad, sourceTimeout: 100 });
    assert.equal(f.err.code, "TIME_SYNC_FAILED");
    assert.deepEqual(Array.from(f.err.detail.sources, (s) => s.code), ["NOPE", "TIME_SOURCE_FAILED", "TIME_BAD_SOURCE", "TIME_SOURCE_TIMEOUT"]);
    // Two unverified sources 100 s apart: neither wins.
    const d = await sync(clock, [], { sources: [{ name: "a", query: (cb) => cb(null, T + 100) }, { name: "b", query: (cb) => cb(null, T + 200) }] });
    assert.equal(d.err.code, "TIME_SOURCES_DISAGREE");
    // Three sources, one outlier: the two that agree win.
    const o = await sync(clock, [], { sources: [{ name: "a", query: (cb) => cb(null, T + 100) }, { name: "b", query: (cb) => cb(null, T + 5000) }, { name: "c", query: (cb) => cb(null, T + 101) }] });
    assert.equal(o.err, null);
    assert.equal(o.r.agreed, 2);
    assert.equal(o.r.sources[1].code, "TIME_OUTLIER");
    near(clock.now(), T + 100.5, 2, "median of the agreeing pair");
    // A sync while one runs is refused.
    const slow = { name: "slow", query: (cb) => setTimeout(() => cb(null, T + 200), 200) };
    const p1 = sync(clock, [], { sources: [slow] });
    const p2 = await sync(clock, [], { sources: [slow] });
    assert.equal(p2.err.code, "TIME_SYNC_BUSY");
    assert.equal((await p1).err, null);
    // HTTP Date parsing for an HTTPS-date source.
    assert.equal(clock.parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    assert.equal(clock.parseHttpDate("Tue, 29 Feb 2028 23:59:60 GMT"), Date.UTC(2028, 1, 29, 23, 59, 59) / 1000 + 1);
    for (const s of ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nox 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT", undefined]) {
      assert.ok(Number.isNaN(clock.parseHttpDate(s)), String(s));
    }
  } finally { b.close(); }
});

// ---- the TLS client and the clock ------------------------------------------------------------
/** root, intermediate and a localhost leaf whose validity starts `leafStartDaysAgo` days ago. */
function makeChain(label, leafStartDaysAgo) {
  const pki = new Pki();
  const root = pki.cert("root", { ca: true, cn: `${label} root`, days: 3650, startDaysAgo: 60 });
  const inter = pki.cert("inter", { ca: true, cn: `${label} intermediate`, issuer: root, days: 365, startDaysAgo: 60 });
  const leaf = pki.cert("leaf", { issuer: inter, cn: "localhost", san: ["DNS:localhost", "IP:127.0.0.1"], startDaysAgo: leafStartDaysAgo, days: 90 });
  return { root, inter, leaf };
}
// Valid since 30 days ago (so also at the bundle's BUILD_TIME, even for an older build).
const todayChain = makeChain("time today", 30);
// The leaf's notBefore is tomorrow: validation needs a trusted time past it.
const chain = makeChain("time tomorrow", -1);
const root = chain.root;

const POST = `var t = require("espruino-tls");
function post() {
  t.https.postJSON({ url: URL, ca: CA }, { n: 1 }, function (err, res) {
    var s = t.clock.status();
    done({ error: err ? err.code : null, message: err ? err.message : null, status: res ? res.statusCode : null,
      basis: s.basis, floor: s.floor, floorSource: s.floorSource, buildTime: s.buildTime, lastValidation: s.lastValidation });
  });
}
if (!NTP) { if (FLOOR_ONLY) t.clock.acceptFloorOnly(true); post(); }
else t.clock.sync([{ host: "127.0.0.1", port: NTP }], { timeout: 500, retries: 1 }, function (err) {
  if (err) done({ error: err.code, message: err.message }); else post();
});`;

test("TLS: the client refuses to validate a chain with TIME_UNKNOWN when the board has no time", async () => {
  const s = await startJsonServer(todayChain);
  try {
    const r = await runApp(POST, { globals: { URL: `https://localhost:${s.port}/t`, CA: todayChain.root.pem, NTP: 0, FLOOR_ONLY: false }, boardOptions: { clock: 1000 } });
    assert.equal(r.error, "TIME_UNKNOWN", r.message);
    assert.equal(r.status, null);
    assert.equal(r.lastValidation, null);
  } finally { await s.close(); }
});

test("TLS: floor-only mode validates at the build time and says so", async () => {
  const s = await startJsonServer(todayChain);
  try {
    const r = await runApp(POST, { globals: { URL: `https://localhost:${s.port}/t`, CA: todayChain.root.pem, NTP: 0, FLOOR_ONLY: true }, boardOptions: { clock: 1000 } });
    assert.equal(r.error, null, r.message);
    assert.equal(r.status, 200);
    assert.equal(r.lastValidation.basis, "floor-only");
    assert.equal(r.lastValidation.time, r.buildTime);
  } finally { await s.close(); }
});

test("TLS: after an SNTP sync the handshake validates, and the leaf's notBefore raises the floor", async () => {
  const s = await startJsonServer(chain);
  const ntp = await goodServer(2 * DAY);
  try {
    // Floor-only (build time) is before the leaf's notBefore: CERT_NOT_YET_VALID.
    const early = await runApp(POST, { globals: { URL: `https://localhost:${s.port}/t`, CA: root.pem, NTP: 0, FLOOR_ONLY: true }, boardOptions: { clock: 1000 } });
    assert.equal(early.error, "CERT_NOT_YET_VALID", early.message);
    const r = await runApp(POST, { globals: { URL: `https://localhost:${s.port}/t`, CA: root.pem, NTP: ntp.port, FLOOR_ONLY: false }, boardOptions: { clock: 1000 } });
    assert.equal(r.error, null, r.message);
    assert.equal(r.status, 200);
    assert.equal(r.basis, "sync");
    assert.equal(r.lastValidation.basis, "sync");
    near(r.lastValidation.time, hostNow() + 2 * DAY, 5, "validated at the synced time");
    assert.equal(r.floorSource, "certificate");
    near(r.floor, hostNow() + DAY, 2 * 60, "floor = the leaf's notBefore (tomorrow)");
  } finally { await s.close(); await ntp.close(); }
});

test("clock.sync argument refusals: no callback or a bad server entry throw TIME_BAD_ARGUMENT; no source at all is TIME_NO_SOURCES", async () => {
  const { clock } = boot("linux");
  const thrown = (f) => { try { f(); } catch (e) { return e.code; } return null; };
  assert.equal(thrown(() => clock.sync([{ host: "127.0.0.1" }])), "TIME_BAD_ARGUMENT");
  assert.equal(thrown(() => clock.sync([{ port: 123 }], () => {})), "TIME_BAD_ARGUMENT");
  assert.equal(thrown(() => clock.sync([{ host: "127.0.0.1", port: 70000 }], () => {})), "TIME_BAD_ARGUMENT");
  const { err } = await sync(clock, []);
  assert.equal(err && err.code, "TIME_NO_SOURCES");
  unknown(clock);
});
