// MQTT over TLS against mosquitto with Espruino's own MQTT module, unmodified, loaded from
// ../shared/espruino/modules/MQTT.js into the board mock's Storage as "MQTT" (what the IDE uploads
// for require("MQTT")). The product bundle's mqtt.connect and the plain tls.connect + mqtt.connect(sock)
// pattern; subscribe, publish QoS 0 and 1, a 3 KB message, ping; a cut connection (the broker keeps
// its ticket keys) reconnects resumed; a broker restart gives "disconnected" and a reconnection.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { runApp } from "../helpers/board-app.mjs";
import { makeChains } from "../../tools/lib/interop.mjs";
import { Pki } from "../../tools/lib/pki.mjs";
import { startMosquitto, relay, mqttSkip, mqttModuleText, ROUND_TRIP_APP, checkRound } from "../helpers/mosquitto.mjs";

const skip = mqttSkip();
const closers = [];
after(async () => { for (const c of closers.reverse()) { try { await c(); } catch { /* gone */ } } });

let chain = null;
function pki() {
  if (!chain) chain = makeChains().ecdsa;
  return chain;
}

test("mqtt.connect over TLS 1.3 (server auth): QoS 0/1, 3 KB, ping; a cut connection reconnects with a resumed handshake", { skip, timeout: 120000 }, async () => {
  const c = pki();
  const broker = await startMosquitto([{}], { certFile: c.chainFile, keyFile: c.leaf.keyFile });
  closers.push(broker.close);
  const link = await relay(broker.ports[0]);
  closers.push(link.close);
  const r = await runApp(ROUND_TRIP_APP, {
    files: { MQTT: mqttModuleText() },
    globals: { URL: `mqtts://localhost:${link.port}`, CA: c.root.pem, KEY: null, CERT: null, ROUND: "cut", BREAKS: 1, hostBreak: () => setTimeout(() => link.cut(), 50) },
    timeoutMs: 100000,
  });
  assert.equal(r.rounds.length, 2, JSON.stringify(r));
  r.rounds.forEach((x, i) => checkRound(x, i + 1));
  // the last "disconnected" follows the app's own disconnect() (the module emits it when the socket ends)
  assert.deepEqual(r.events, ["connected", "disconnected", "connected", "disconnected"]);
  assert.equal(r.tls.length, 2);
  assert.equal(r.tls[0].version, 0x0304);
  assert.equal(r.tls[0].resumed, false);
  assert.equal(r.tls[1].resumed, true, "the reconnection used the session ticket mosquitto gave");
  assert.match(broker.output(), /New client connected from 127\.0\.0\.1.* as etls-test-cut/);
});

test("broker restart: disconnected, then a reconnection (new broker process: full handshake, its ticket keys are new) and the round trip again", { skip, timeout: 120000 }, async () => {
  const c = pki();
  for (const [version, v] of [["tlsv1.3", 0x0304], ["tlsv1.2", 0x0303]]) {
    const broker = await startMosquitto([{}], { certFile: c.chainFile, keyFile: c.leaf.keyFile }, version);
    closers.push(broker.close);
    const pid = broker.pid();
    const r = await runApp(ROUND_TRIP_APP, {
      files: { MQTT: mqttModuleText() },
      globals: { URL: `mqtts://localhost:${broker.ports[0]}`, CA: c.root.pem, KEY: null, CERT: null, ROUND: "restart-" + version, BREAKS: 1, hostBreak: () => { broker.restart(); } },
      timeoutMs: 100000,
    });
    assert.notEqual(broker.pid(), pid, "mosquitto was restarted");
    assert.equal(r.rounds.length, 2, JSON.stringify(r));
    r.rounds.forEach((x, k) => checkRound(x, k + 1));
    // the last "disconnected" follows the app's own disconnect() (the module emits it when the socket ends)
  assert.deepEqual(r.events, ["connected", "disconnected", "connected", "disconnected"]);
    assert.deepEqual(r.tls.map((t) => t.version), [v, v]);
    // a new broker process has new ticket keys: the offered session cannot be resumed
    assert.deepEqual(r.tls.map((t) => t.resumed), [false, false]);
  }
});

test("the plain pattern: tls.connect(...) then require(\"MQTT\").create(...).connect(sock), as users write it", { skip, timeout: 60000 }, async () => {
  const c = pki();
  const broker = await startMosquitto([{}], { certFile: c.chainFile, keyFile: c.leaf.keyFile }, "tlsv1.2");
  closers.push(broker.close);
  const r = await runApp(`var etls = require("espruino-tls"), got = [];
var mqtt = require("MQTT").create("localhost", { client_id: "etls-plain", keep_alive: 30 });
var sock = etls.tls.connect({ host: "localhost", port: PORT, ca: CA }, function () { mqtt.connect(sock); });
mqtt.on("connected", function () { mqtt.subscribe("plain/t"); });
mqtt.on("subscribed", function () { mqtt.publish("plain/t", "hello over TLS"); });
mqtt.on("message", function (t, msg) { got.push(t + "=" + msg); mqtt.disconnect(); });
mqtt.on("close", function () { got.push("close"); });
sock.on("close", function () { done({ got: got, version: sock.info.version }); });`, {
    files: { MQTT: mqttModuleText() }, globals: { PORT: broker.ports[0], CA: c.root.pem }, timeoutMs: 50000,
  });
  // disconnect() ends the socket, which then emits "end" as Espruino's net sockets do; the module
  // answers that with its own "close" event.
  assert.deepEqual(r.got, ["plain/t=hello over TLS", "close"]);
  assert.equal(r.version, 0x0303);
});

test("mqtt.connect refuses what cannot work, with codes: no client_id, mqtt:// URL, bad port; an untrusted broker is an error event and no CONNECT is sent", { skip, timeout: 60000 }, async () => {
  const c = pki();
  const broker = await startMosquitto([{}], { certFile: c.chainFile, keyFile: c.leaf.keyFile });
  closers.push(broker.close);
  const other = new Pki().chain({ label: "unrelated" }); // a CA the broker's certificate does not chain to
  const r = await runApp(`var etls = require("espruino-tls"), r = {};
function code(f) { try { f(); return "OK"; } catch (e) { return e.code; } }
r.noId = code(function () { etls.mqtt.connect("mqtts://localhost:" + PORT, { ca: CA }); });
r.plain = code(function () { etls.mqtt.connect("mqtt://localhost:1883", { ca: CA, client_id: "x" }); });
r.port = code(function () { etls.mqtt.connect("mqtts://localhost:99999", { ca: CA, client_id: "x" }); });
r.errors = [];
var m = etls.mqtt.connect("mqtts://localhost:" + PORT, { ca: OTHER_CA, client_id: "etls-untrusted", reconnect: false });
m.on("error", function (e) { r.errors.push(e.code); });
m.on("connected", function () { r.connected = true; });
setTimeout(function () { done(r); }, 4000);`, {
    files: { MQTT: mqttModuleText() }, globals: { PORT: broker.ports[0], CA: c.root.pem, OTHER_CA: other.root.pem }, timeoutMs: 30000,
  });
  assert.equal(r.noId, "MQTT_NO_CLIENT_ID");
  assert.equal(r.plain, "MQTT_BAD_URL");
  assert.equal(r.port, "MQTT_BAD_URL");
  assert.deepEqual(r.errors, ["UNKNOWN_ISSUER"]);
  assert.equal(r.connected, undefined);
  assert.match(broker.output(), /mosquitto version .* running/, "the broker's log is read");
  assert.doesNotMatch(broker.output(), /etls-untrusted/, "no CONNECT reached the broker");
});

test("disconnect() while connected ends the reconnection; stop() while connecting never connects", { skip, timeout: 60000 }, async () => {
  const c = pki();
  const broker = await startMosquitto([{}], { certFile: c.chainFile, keyFile: c.leaf.keyFile });
  closers.push(broker.close);
  const r = await runApp(`var etls = require("espruino-tls"), r = { a: [], b: [] };
var a = etls.mqtt.connect("mqtts://localhost:" + PORT, { ca: CA, client_id: "etls-stop-a", reconnect: { min: 50, max: 100 } });
a.on("connected", function () { r.a.push("connected"); a.disconnect(); });
a.on("disconnected", function () { r.a.push("disconnected"); });
var b = etls.mqtt.connect("mqtts://localhost:" + PORT, { ca: CA, client_id: "etls-stop-b", reconnect: { min: 50, max: 100 } });
b.on("connected", function () { r.b.push("connected"); });
b.on("tls", function () { r.b.push("tls"); });
b.stop();
setTimeout(function () { done(r); }, 3000);`, {
    files: { MQTT: mqttModuleText() }, globals: { PORT: broker.ports[0], CA: c.root.pem }, timeoutMs: 30000,
  });
  assert.deepEqual(r.a, ["connected", "disconnected"]);
  assert.deepEqual(r.b, []);
  const log = broker.output();
  assert.equal(log.match(/New client connected from .* as etls-stop-a/g).length, 1);
  assert.doesNotMatch(log, /etls-stop-b/);
});
