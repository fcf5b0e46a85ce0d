// Espruino's MQTT module (unmodified, from ../shared, installed in Storage as "MQTT") over our TLS
// on the real Linux interpreter ($ESPRUINO_BIN; skipped without it) against mosquitto: subscribe,
// publish QoS 1, the message back, then a cut connection and a resumed reconnection.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { runInterpreter, prepareFlash, cleanOutput } from "../../tools/espruino-run.mjs";
import { makeChains } from "../../tools/lib/interop.mjs";
import { startMosquitto, relay, mqttSkip, MQTT_MODULE } from "../helpers/mosquitto.mjs";

const BIN = process.env.ESPRUINO_BIN;
const skip = !BIN ? "ESPRUINO_BIN not set" : mqttSkip();
const closers = [];
after(async () => { for (const c of closers.reverse()) { try { await c(); } catch { /* gone */ } } });

test("real interpreter: mqtt.connect over TLS 1.3 to mosquitto, subscribe/publish QoS 1 round trip, cut -> resumed reconnection", { skip, timeout: 300000 }, async () => {
  const c = makeChains().ecdsa;
  const broker = await startMosquitto([{}], { certFile: c.chainFile, keyFile: c.leaf.keyFile });
  closers.push(broker.close);
  const link = await relay(broker.ports[0]);
  closers.push(link.close);
  const dir = await prepareFlash(BIN, { extra: [["MQTT", MQTT_MODULE]] });
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  // The host cuts the relay when the app prints CUT (the interpreter cannot call into the test).
  writeFileSync(path.join(dir, "app.js"), `var etls = require("espruino-tls"), r = { got: [], tls: [], events: [] }, t0 = getTime();
var m = etls.mqtt.connect("mqtts://localhost:${link.port}", { ca: ${JSON.stringify(c.root.pem)}, client_id: "etls-real", keep_alive: 60, reconnect: { min: 200, max: 2000 } });
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
  console.log(`# real interpreter: handshakes at ${r.tls.map((t) => t.t + " ms").join(", ")} after start (full, then resumed after the cut)`);
});
