// A short bounded pass of every fuzz target (tools/fuzz/, `npm run fuzz`) on the built test
// bundle, with every regression input of test/fuzz/corpus/ first; and checks that the targets
// are not vacuous (recorded flights still connect, the verdict refuses uncoded exceptions).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { fuzz, allTargets } from "../../tools/fuzz/run.mjs";
import { isCoded, fuzzFirmware } from "../../tools/fuzz/engine.mjs";
import { loadRecordings, runFlight, toScript } from "../../tools/fuzz/flight.mjs";
import { corpusDir } from "../../tools/fuzz/paths.mjs";

const RUNS = 200;

test("every fuzz target: corpus regression inputs, then a short pass, no crash", { timeout: 240000 }, async () => {
  const log = [];
  const r = await fuzz(["--runs", String(RUNS), "--seed", "20261204", "--out", path.join(process.env.TMPDIR || "/tmp", "etls-fuzz-ci")], (s) => log.push(s));
  const names = allTargets();
  assert.deepEqual(r.targets.map((t) => t.name), names);
  assert.ok(names.length >= 10, "all ten target families");
  for (const t of r.targets) {
    assert.equal(t.crashes, 0, `${t.name} crashed:\n${log.filter((l) => l.startsWith(t.name)).join("\n")}`);
    assert.equal(t.runs, RUNS, t.name);
  }
});

test("the corpus holds the regression inputs of fixed crashes", () => {
  assert.ok(readdirSync(corpusDir("castore")).filter((f) => f.endsWith(".bin")).length >= 2);
});

test("the verdict: coded errors pass, anything else is a crash", async () => {
  const fw = await fuzzFirmware();
  let e1;
  try { fw.T.x509t.parseCert(fw.board.realm.u8([0x30, 0x03, 1])); } catch (e) { e1 = e; }
  assert.ok(isCoded(e1), "BAD_DER from the bundle is coded");
  assert.ok(!isCoded(new TypeError("x")));
  assert.ok(!isCoded(fw.board.run("(function(){ try { null.x; } catch (e) { return e; } })()")));
  assert.ok(!isCoded({ code: 42, message: "m" }));
  fw.close();
});

test("the fuzz bundle's memo answers only for bytes it has seen, with the firmware's own answer", async () => {
  const fw = await fuzzFirmware();
  const { T, memo } = fw, u8 = fw.board.realm.u8, run = T.util.runSync;
  // Ed25519 with Node's keys: a repeat is answered from the memo, any changed byte is verified.
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519");
  const pub = u8(publicKey.export({ format: "der", type: "spki" }).subarray(12)), msg = Buffer.from("fuzz memo");
  const sig = crypto.sign(null, msg, privateKey);
  const verify = (p, m, s) => run(T.c25519.ed25519VerifyJob(u8(p), u8(m), u8(s)));
  const flip = (b, i) => { const c = Buffer.from(b); c[i] ^= 1; return c; };
  const m0 = memo.stats.misses, h0 = memo.stats.hits;
  assert.equal(verify(pub, msg, sig), true);
  assert.equal(verify(pub, msg, sig), true);
  assert.deepEqual([memo.stats.misses - m0, memo.stats.hits - h0], [1, 1]);
  assert.equal(verify(pub, msg, flip(sig, 5)), false, "changed signature");
  assert.equal(verify(pub, flip(msg, 0), sig), false, "changed message");
  assert.equal(verify(flip(pub, 3), msg, sig), false, "changed key");
  assert.deepEqual([memo.stats.misses - m0, memo.stats.hits - h0], [4, 1]);
  // X25519 (RFC 7748 §5.2): the remembered result is handed out as a fresh copy each time.
  const k = Buffer.from("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", "hex");
  const u = Buffer.from("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", "hex");
  const want = "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552";
  const a = run(T.c25519.x25519Job(u8(k), u8(u)));
  a.fill(0);
  assert.equal(Buffer.from(run(T.c25519.x25519Job(u8(k), u8(u)))).toString("hex"), want);
  assert.notEqual(Buffer.from(run(T.c25519.x25519Job(u8(k), u8(flip(u, 0))))).toString("hex"), want);
  // Exceptions are not remembered: a point off the curve is refused every time.
  const before = memo.stats.misses;
  for (let i = 0; i < 2; i++) assert.throws(() => run(T.nist.ecdhJob(T.nist.P256, u8(Buffer.alloc(32, 1)), u8(Buffer.concat([Buffer.of(4), Buffer.alloc(64, 7)])))), (e) => isCoded(e));
  assert.equal(memo.stats.misses - before, 2);
  fw.close();
});

test("every recorded flight still completes a handshake and delivers the response (the handshake targets reach 'connected')", async () => {
  const fw = await fuzzFirmware();
  const recs = loadRecordings();
  assert.ok(recs.length >= 6);
  for (let i = 0; i < recs.length; i++) {
    const out = runFlight(fw, recs, toScript(i, 0, recs[i].records));
    assert.equal(out.errors.length, 0, recs[i].name + ": " + out.errors.map((e) => e.code));
    assert.ok(out.connected && out.data > 0, recs[i].name);
    // one changed byte in the server's Certificate message: refused, with a coded error
    const bad = recs[i].records.map((x) => ({ ...x }));
    const cert = bad.find((x) => x.type === 22 && x.data.length > 600);
    cert.data = Uint8Array.from(cert.data); cert.data[cert.data.length - 300] ^= 1;
    const out2 = runFlight(fw, recs, toScript(i, 0, bad));
    assert.ok(!out2.connected && out2.errors.length === 1 && isCoded(out2.errors[0]), recs[i].name);
  }
  fw.close();
});

test("the runner catches each kind of failure (planted targets)", { timeout: 120000 }, async () => {
  const log = [];
  const r = await fuzz(["--targets-dir", path.join(import.meta.dirname, "planted"), "--runs", "3", "--max-crashes", "1", "--time-limit", "200", "--memory", "48",
    "--out", path.join(process.env.TMPDIR || "/tmp", "etls-fuzz-planted")], (s) => log.push(s));
  const by = Object.fromEntries(r.targets.map((t) => [t.name, t]));
  assert.equal(by.coded.crashes, 0, "coded errors are allowed");
  assert.equal(by.coded.runs, 3);
  assert.match(r.messages.uncoded[0], /uncoded exception TypeError/);
  assert.match(r.messages.slow[0], /took \d+ ms of CPU \(limit 200\)/);
  assert.match(r.messages.hang[0], /no progress in \d+ ms of CPU \(hang\)/);
  assert.match(r.messages.memory[0], /worker died: ERR_WORKER_OUT_OF_MEMORY/);
});
