// mqtt.connect needs Espruino's MQTT module in Storage (the IDE uploads it for require("MQTT")):
// without it, or with a Storage file "MQTT" that is not that module, connect throws
// MQTT_MODULE_MISSING at once instead of failing later inside the module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runApp } from "../helpers/board-app.mjs";

const APP = `var etls = require("espruino-tls"), r = {};
try { etls.mqtt.connect("mqtts://localhost:8883", { client_id: "etls-test" }); r.code = "none"; }
catch (e) { r.code = e.code; r.message = e.message; }
done(r);`;

test("mqtt.connect without the MQTT module in Storage: MQTT_MODULE_MISSING", async () => {
  const r = await runApp(APP, { timeoutMs: 20000 });
  assert.equal(r.code, "MQTT_MODULE_MISSING", r.message);
  assert.match(r.message, /upload Espruino's MQTT module/);
});

test("a Storage file named MQTT that is not the module (no create, or one that throws): MQTT_MODULE_MISSING", async () => {
  for (const text of ["exports.connect = function () {};", "throw new Error('half uploaded');"]) {
    const r = await runApp(APP, { timeoutMs: 20000, files: { MQTT: text } });
    assert.equal(r.code, "MQTT_MODULE_MISSING", text + ": " + r.message);
  }
});
