// Espruino's MQTT module (unmodified, from ../shared, put into the module cache from its host file:
// the layered bundle leaves no room for it in the Linux build's 256 KB Storage) over our TLS
// on the real Linux interpreter ($ESPRUINO_BIN; skipped without it) against mosquitto: subscribe,
// publish QoS 1, the message back, then a cut connection and a resumed reconnection.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { initCa, signCsr } from "../../tools/localca/ca.mjs";
import { runInterpreter, prepareFlash, cleanOutput, hostModule, cacheHostModule } from "../../tools/espruino-run.mjs";
import { makeChains } from "../../tools/lib/interop.mjs";
import { testBundlePath } from "../helpers/firmware.mjs";
import { startMosquitto, relay, mqttSkip, MQTT_MODULE } from "../helpers/mosquitto.mjs";

const BIN = process.env.ESPRUINO_BIN;
/** The library's code in RAM (a board's memory-mapped flash speed; from the Linux build's Storage
 *  file it runs 5-15x slower, and under a loaded machine a mutual-TLS handshake then outlasted
 *  mosquitto's wait for CONNECT): the test bundle (product plus internals, one chunk) from its
 *  host file, since the layered product bundle reads its code from Storage. */
async function ramLibrary() {
  return hostModule(await testBundlePath());
}
/** The MQTT module into the module cache (require("MQTT") finds it there). */
const MQTT_CACHED = cacheHostModule("MQTT", MQTT_MODULE);
const skip = !BIN ? "ESPRUINO_BIN not set" : mqttSkip();
const closers = [];
after(async () => { for (const c of closers.reverse()) { try { await c(); } catch { /* gone */ } } });

test("real interpreter: mqtt.connect over TLS 1.3 to mosquitto, subscribe/publish QoS 1 round trip, cut -> resumed reconnection", { skip, timeout: 450000 }, async () => {
  const c = makeChains().ecdsa;
  const broker = await startMosquitto([{}], { certFile: c.chainFile, keyFile: c.leaf.keyFile });
  closers.push(broker.close);
  const link = await relay(broker.ports[0]);
  closers.push(link.close);
  const dir = await prepareFlash(BIN);
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  // The host cuts the relay when the app prints CUT (the interpreter cannot call into the test).
  writeFileSync(path.join(dir, "app.js"), `${MQTT_CACHED}
var etls = require("espruino-tls"), r = { got: [], tls: [], events: [] }, t0 = getTime();
var m = etls.mqtt.connect("mqtts://localhost:${link.port}", { ca: ${JSON.stringify(c.root.pem)}, client_id: "etls-real", keep_alive: 60, reconnect: { min: 200, max: 2000 }, timeout: 200000 });
m.on("tls", function (i) { r.tls.push({ resumed: !!i.resumed, version: i.version, t: Math.round((getTime() - t0) * 1000) }); });
m.on("error", function (e) { print("ERROR " + (e && e.code ? e.code : e)); });
m.on("disconnected", function () { r.events.push("disconnected"); print("EVENT disconnected"); });
m.on("tls", function () { print("EVENT tls"); });
m.on("connected", function () { r.events.push("connected"); m.subscribe("real/t", { qos: 1 }); });
m.on("subscribed", function () { m.publish("real/t", "round-" + r.tls.length, { qos: 1 }); });
m.on("message", function (topic, msg) {
  r.got.push(topic + "=" + msg);
  if (r.got.length === 1) { print("CUT"); return; }
  m.disconnect();
  setTimeout(function () { print("RESULT " + JSON.stringify(r)); setTimeout(quit, 0); }, 300);
});
`);
  const res = await runInterpreter(BIN, dir, "app.js", {
    timeoutMs: Number(process.env.MQTT_REAL_TIMEOUT || 240000),
    onOutput: (text) => { if (/CUT/.test(text) && !link.wasCut) { link.wasCut = true; setTimeout(() => link.cut(), 100); } },
  });
  const out = cleanOutput(res.out);
  if (process.env.MQTT_REAL_DEBUG) console.log(JSON.stringify(res.out));
  const m = /RESULT (.*)/.exec(out);
  assert.ok(m, out);
  const r = JSON.parse(m[1]);
  assert.deepEqual(r.got, ["real/t=round-1", "real/t=round-2"], out);
  assert.deepEqual(r.events.slice(0, 3), ["connected", "disconnected", "connected"]);
  assert.deepEqual(r.tls.map((t) => [t.version, t.resumed]), [[0x0304, false], [0x0304, true]]);
  console.log(`# real interpreter: handshakes at ${r.tls.map((t) => t.t + " ms").join(", ")} after start (code from Storage; full, then resumed after the cut)`);
});

test("real interpreter, mutual TLS: identity.generate on the board, localca sign on the host, then mqtt.connect with key/cert as Storage names to a mosquitto that requires a certificate", { skip, timeout: 600000 }, async () => {
  const c = makeChains().ecdsa;
  const caDir = mkdtempSync(path.join(tmpdir(), "etls-real-mtls-ca-"));
  closers.push(() => rmSync(caDir, { recursive: true, force: true }));
  initCa(caDir, { name: "real device CA" });
  const broker = await startMosquitto([{ requireCert: true, identityAsUsername: true }],
    { certFile: c.chainFile, keyFile: c.leaf.keyFile, caFile: path.join(caDir, "ca.pem") });
  closers.push(broker.close);
  const dir = await prepareFlash(BIN);
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  // run 1: the key pair and the CSR (the flash file keeps etls.key for run 2)
  writeFileSync(path.join(dir, "gen.js"), `require("espruino-tls").identity.generate({ subject: { CN: "real-board" } }, function (err, r) {
  print(err ? "ERROR " + err.code : "CSR " + JSON.stringify(r.csr));
  setTimeout(quit, 0);
});`);
  const gen = await runInterpreter(BIN, dir, "gen.js", { timeoutMs: 240000 });
  const csr = /CSR (".*")/.exec(cleanOutput(gen.out));
  assert.ok(csr, cleanOutput(gen.out));
  writeFileSync(path.join(dir, "etls.crt"), signCsr(caDir, Buffer.from(JSON.parse(csr[1])), { client: true }).pem);
  // run 2: the certificate into Storage, then MQTT over mutual TLS
  writeFileSync(path.join(dir, "mtls.js"), `var f = E.openFile("etls.crt", "r"), pem = f.read(4096); f.close();
require("Storage").write("etls.crt", pem);
${MQTT_CACHED}
var etls = ${await ramLibrary()}, r = { got: [], tls: [] }, t0 = getTime();
var m = etls.mqtt.connect("mqtts://localhost:${broker.ports[0]}", { ca: ${JSON.stringify(c.root.pem)}, key: "etls.key", cert: "etls.crt", client_id: "etls-real-mtls", reconnect: false, timeout: 200000 });
m.on("tls", function (i) { r.tls.push({ version: i.version, ms: Math.round((getTime() - t0) * 1000) }); });
m.on("error", function (e) { print("ERROR " + (e && e.code ? e.code + " " + e.message : e)); setTimeout(quit, 0); });
m.on("connected", function () { m.subscribe("real/mtls", { qos: 1 }); });
m.on("subscribed", function () { m.publish("real/mtls", "mutual", { qos: 1 }); });
m.on("message", function (topic, msg) {
  r.got.push(topic + "=" + msg); r.ms = Math.round((getTime() - t0) * 1000);
  m.disconnect();
  setTimeout(function () { print("RESULT " + JSON.stringify(r)); setTimeout(quit, 0); }, 300);
});`);
  const res = await runInterpreter(BIN, dir, "mtls.js", { timeoutMs: Number(process.env.MQTT_REAL_TIMEOUT || 240000) });
  const out = cleanOutput(res.out);
  const m = /RESULT (.*)/.exec(out);
  assert.ok(m, out);
  const r = JSON.parse(m[1]);
  assert.deepEqual(r.got, ["real/mtls=mutual"]);
  assert.equal(r.tls[0].version, 0x0304);
  assert.match(broker.output(), /as etls-real-mtls .*u'real-board'/, "the broker took the board's certificate (CN as user name)");
  console.log(`# real interpreter, mutual TLS 1.3: handshake done at ${r.tls[0].ms} ms, message back at ${r.ms} ms (code in RAM)`);
});
