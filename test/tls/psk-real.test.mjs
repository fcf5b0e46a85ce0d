// Pre-shared keys on the real Linux interpreter ($ESPRUINO_BIN; skipped without it): the product
// bundle from Storage, the key from the Storage file etls.psk; against OpenSSL s_server -nocert in
// the four modes (TLS 1.3 psk_dhe_ke and psk_ke, TLS 1.2 ECDHE-PSK and PSK), each a handshake and
// an echo; then Espruino's MQTT module to mosquitto with psk_file (TLS 1.3 and 1.2). Prints the
// time to "connected" of each (wall, shared machine: see the load average printed with it).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import path from "node:path";
import { runInterpreter, prepareFlash, cleanOutput, cacheHostModule } from "../../tools/espruino-run.mjs";
import { opensslPsk, gnutlsPsk, newKey } from "../helpers/psk.mjs";
import { have } from "../helpers/tls12-servers.mjs";
import { startMosquitto, mqttSkip, MQTT_MODULE } from "../helpers/mosquitto.mjs";

const BIN = process.env.ESPRUINO_BIN;
const skip = !BIN ? "ESPRUINO_BIN not set" : false;
const closers = [];
after(async () => { for (const c of closers.reverse()) { try { await c(); } catch { /* gone */ } } });

async function flashWithKey(key, extra = []) {
  const tmp = mkdtempSync(path.join(tmpdir(), "etls-psk-real-"));
  closers.push(() => rmSync(tmp, { recursive: true, force: true }));
  writeFileSync(path.join(tmp, "etls.psk"), key + "\n");
  const dir = await prepareFlash(BIN, { extra: [["etls.psk", path.join(tmp, "etls.psk")], ...extra] });
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs app.js in `dir` on the interpreter: the load average at the start, its output and the
 *  JSON it printed after "RESULT ". */
async function runApp(dir) {
  const load = loadavg()[0].toFixed(1);
  const res = await runInterpreter(BIN, dir, "app.js", { timeoutMs: 540000 });
  const out = cleanOutput(res.out);
  const m = /RESULT (.*)/.exec(out);
  assert.ok(m, out);
  return { load, out, r: JSON.parse(m[1]) };
}

test("real interpreter: PSK handshakes against OpenSSL (TLS 1.3 psk_dhe_ke / psk_ke, TLS 1.2 ECDHE-PSK / PSK) and GnuTLS (both versions), key from Storage", { skip: skip || (!have("gnutls-serv") && "no gnutls-serv"), timeout: 600000 }, async () => {
  const key = newKey(), identity = "real-dev";
  const modes = [
    ["tls13 psk_dhe_ke", { key, identity }, "{}"],
    ["tls13 psk_ke", { key, identity, args: ["-allow_no_dhe_kex"] }, "{ pskKe: true }"],
    ["tls12 ECDHE-PSK", { key, identity, version: "tls1_2", args: ["-cipher", "ECDHE-PSK-CHACHA20-POLY1305"] }, "{}"],
    ["tls12 PSK", { key, identity, version: "tls1_2", args: ["-cipher", "PSK-AES128-GCM-SHA256"] }, "{}"],
    ["GnuTLS tls13 psk_dhe_ke", { key, identity, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+ECDHE-PSK", gnutls: true }, "{}"],
    ["GnuTLS tls12 ECDHE-PSK", { key, identity, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-PSK", gnutls: true }, "{}"],
  ];
  const ports = [];
  for (const [, o] of modes) { const s = await (o.gnutls ? gnutlsPsk(o) : opensslPsk(o)); closers.push(() => s.close()); ports.push(s.port); }
  const dir = await flashWithKey(key);
  writeFileSync(path.join(dir, "app.js"), `var etls = require("espruino-tls"), PORTS = ${JSON.stringify(ports)}, EXTRA = [${modes.map((m) => m[2]).join(",")}], out = [];
function one(i) {
  if (i >= PORTS.length) { print("RESULT " + JSON.stringify(out)); setTimeout(quit, 0); return; }
  var o = EXTRA[i], t0 = getTime(), r = { got: "" }, s;
  o.host = "localhost"; o.port = PORTS[i]; o.psk = { identity: "${identity}", key: "etls.psk" }; o.timeout = 120000;
  s = etls.tls.connect(o, function (info) { r.ms = Math.round((getTime() - t0) * 1000); r.suite = info.suite; r.group = info.group; r.version = info.version; s.write("real psk\\n"); });
  s.on("data", function (d) { r.got += d; if (r.got.indexOf("\\n") >= 0) s.end(); });
  s.on("error", function (e) { r.error = e.code; });
  s.on("close", function () { out.push(r); setTimeout(function () { one(i + 1); }, 50); });
}
one(0);
`);
  const { load, out, r } = await runApp(dir);
  // s_server -rev answers the line reversed, gnutls-serv --echo as it is
  assert.deepEqual(r.map((x) => [x.error, x.got]), modes.map((md) => [undefined, md[1].gnutls ? "real psk\n" : "ksp laer\n"]), out);
  assert.deepEqual(r.map((x) => x.version), [0x0304, 0x0304, 0x0303, 0x0303, 0x0304, 0x0303]);
  assert.deepEqual(r.map((x) => x.group), [0x1d, 0, 0x1d, 0, 0x1d, 0x1d]);
  assert.deepEqual(r.map((x) => x.suite).slice(2, 4), ["TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "TLS_PSK_WITH_AES_128_GCM_SHA256"]);
  assert.equal(r[5].suite, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256");
  console.log(`# real interpreter, code from Storage, load ${load}: ` + modes.map((md, i) => `${md[0]} ${r[i].ms} ms`).join(", "));
  assert.ok(!out.toLowerCase().includes(key.substr(0, 16)), "the key in the interpreter's output");
});

test("real interpreter: Espruino's MQTT module to mosquitto psk_file (TLS 1.3 and 1.2), subscribe/publish round trip", { skip: skip || mqttSkip(), timeout: 600000 }, async () => {
  const key = newKey(), identity = "real-mqtt";
  const b13 = await startMosquitto([{ psk: { hint: "etls", identity, key } }], {}, "tlsv1.3");
  closers.push(b13.close);
  const b12 = await startMosquitto([{ psk: { hint: "etls", identity, key } }], {}, "tlsv1.2");
  closers.push(b12.close);
  // The MQTT module (unmodified) from its host file into the module cache: the bundle leaves no
  // room for it in the Linux build's 256 KB Storage.
  const dir = await flashWithKey(key);
  writeFileSync(path.join(dir, "app.js"), `${cacheHostModule("MQTT", MQTT_MODULE)}
var etls = require("espruino-tls"), PORTS = [${b13.ports[0]}, ${b12.ports[0]}], out = [];
function one(i) {
  if (i >= PORTS.length) { print("RESULT " + JSON.stringify(out)); setTimeout(quit, 0); return; }
  var r = { got: [] }, t0 = getTime();
  var m = etls.mqtt.connect("mqtts://localhost:" + PORTS[i], { psk: { identity: "${identity}", key: "etls.psk" }, client_id: "etls-psk-" + i, keep_alive: 60, reconnect: false, timeout: 120000 });
  m.on("tls", function (info) { r.ms = Math.round((getTime() - t0) * 1000); r.version = info.version; r.hint = info.pskHint; });
  m.on("error", function (e) { r.error = e && e.code ? e.code : String(e); });
  m.on("connected", function () { m.subscribe("psk/t", { qos: 1 }); });
  m.on("subscribed", function () { m.publish("psk/t", "hello-" + i, { qos: 1 }); });
  m.on("message", function (topic, msg) {
    r.got.push(topic + "=" + msg);
    m.disconnect();
    setTimeout(function () { out.push(r); one(i + 1); }, 300);
  });
}
one(0);
`);
  const { load, out, r } = await runApp(dir);
  assert.deepEqual(r.map((x) => x.got), [["psk/t=hello-0"], ["psk/t=hello-1"]], out);
  assert.deepEqual(r.map((x) => x.version), [0x0304, 0x0303]);
  assert.equal(r[1].hint, "etls", "TLS 1.2: mosquitto's psk_hint");
  console.log(`# real interpreter MQTT over PSK, load ${load}: TLS 1.3 ${r[0].ms} ms, TLS 1.2 ${r[1].ms} ms to "tls"`);
});
