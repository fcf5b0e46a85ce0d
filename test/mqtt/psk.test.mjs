// MQTT over TLS with a pre-shared key (issue 16): mosquitto with psk_hint/psk_file (no certificate
// at all) and Espruino's own MQTT module, unmodified, on the board mock; mqtt.connect passes `psk`
// to tls.connect (no `ca`: no CA store needed). TLS 1.2 (ECDHE-PSK) and TLS 1.3 (external PSK).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { runApp } from "../helpers/board-app.mjs";
import { startMosquitto, mqttSkip, mqttModuleText, ROUND_TRIP_APP, checkRound } from "../helpers/mosquitto.mjs";
import { newKey } from "../helpers/psk.mjs";

const skip = mqttSkip();
// The round-trip app with the psk option (PSK, a global of this test only).
const APP = ROUND_TRIP_APP.replace("var m = etls.mqtt.connect(URL, o);", "o.psk = PSK;\nvar m = etls.mqtt.connect(URL, o);");
const closers = [];
after(async () => { for (const c of closers.reverse()) { try { await c(); } catch { /* gone */ } } });

for (const [version, tlsVersion] of [["tlsv1.2", 0x0303], ["tlsv1.3", 0x0304]]) {
  test(`mosquitto psk_file, ${version}: subscribe/publish round trip with psk and no ca; the key in no output`, { skip, timeout: 120000 }, async () => {
    const key = newKey(), identity = "sensor-17";
    const broker = await startMosquitto([{ psk: { hint: "etls-broker", identity, key } }], {}, version);
    closers.push(broker.close);
    assert.notEqual(APP, ROUND_TRIP_APP);
    const r = await runApp(APP, {
      files: { MQTT: mqttModuleText() },
      globals: { URL: `mqtts://localhost:${broker.ports[0]}`, CA: null, KEY: null, CERT: null, PSK: { identity, key }, ROUND: "psk", BREAKS: 0, hostBreak: () => {} },
      timeoutMs: 100000,
    });
    assert.deepEqual(r.errors, [], JSON.stringify(r));
    assert.equal(r.rounds.length, 1, JSON.stringify(r));
    checkRound(r.rounds[0], 1);
    assert.equal(r.tls[0].version, tlsVersion);
    const log = broker.output();
    assert.match(log, /New client connected from 127\.0\.0\.1.* as etls-test-psk/);
    assert.ok(!(JSON.stringify(r) + log).toLowerCase().includes(key.substr(0, 16)));
  });
}
