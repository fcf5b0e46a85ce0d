// mosquitto (Debian's package) for the MQTT tests: started on 127.0.0.1 on free ports with a
// configuration written to a temporary directory, one TLS listener per entry, stopped (and
// restarted on the same ports) by its PID. Also a TCP relay that can cut its connections (a
// Wi-Fi drop that the broker survives: its TLS ticket keys stay, so the board can resume).
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import net from "node:net";
import path from "node:path";
import assert from "node:assert/strict";
import { transformSync } from "esbuild";
import { terminateReturns } from "../../tools/compat/fixups.mjs";
import { freePort, spawnServer, hasBinary } from "../../tools/lib/interop.mjs";

/** EspruinoDocs' MQTT module, kept unmodified beside the project (never copied into it). */
export const MQTT_MODULE = new URL("../../../shared/espruino/modules/MQTT.js", import.meta.url).pathname;

/** Why the MQTT tests cannot run here, or false. */
export function mqttSkip() {
  if (!existsSync(MQTT_MODULE)) return `${MQTT_MODULE} is absent: the tests load Espruino's MQTT module from ../shared (a sibling of the repository)`;
  if (!hasBinary("mosquitto")) return "mosquitto is not installed (Debian: apt-get install mosquitto)";
  return false;
}

/** The module as the Espruino IDE uploads it (minified: espruino.com/modules serves MQTT.min.js):
 *  comments and whitespace removed (and `return}` ended with `;`), nothing else changed. The 12.8 KB source no longer fits next
 *  to the layered bundle in the Linux board's 256 KB Storage. */
export function mqttModuleText() {
  const min = transformSync(readFileSync(MQTT_MODULE, "latin1"), { loader: "js", minifyWhitespace: true, legalComments: "none" }).code;
  // `return}` does not parse on the board: the build's own fix-up ends it with `;`
  return terminateReturns(min, null).code;
}

/**
 * listeners: [{ requireCert: bool, identityAsUsername: bool, psk: { hint, identity, key } }], all with TLS version `version`:
 * "tlsv1.3" (mosquitto's tls_version: 1.3 only) or "tlsv1.2" (1.2 only: mosquitto's tls_version
 * tlsv1.2 means "1.2 or later", so the process's OpenSSL is capped by an OPENSSL_CONF with
 * MaxProtocol = TLSv1.2; one broker process per version).
 * tls: { certFile (chain: leaf first), keyFile, caFile (CA for client certificates) }
 * Returns { ports, dir, output(), stop(), start(), restart() }.
 */
export async function startMosquitto(listeners, tls, version = "tlsv1.3") {
  const dir = mkdtempSync(path.join(tmpdir(), "etls-mosquitto-"));
  const ports = [];
  for (let i = 0; i < listeners.length; i++) ports.push(await freePort());
  const conf = [
    "per_listener_settings true",
    "persistence false",
    // Run as ourselves: as root, mosquitto would switch to the "mosquitto" user, who cannot read the temporary keys.
    `user ${userInfo().username}`,
    // a file: mosquitto flushes it per line (its stdout to a pipe is block-buffered)
    `log_dest file ${path.join(dir, "mosquitto.log")}`,
    "log_type error", "log_type warning", "log_type notice", "log_type information", "connection_messages true",
  ];
  listeners.forEach((l, i) => {
    conf.push(`listener ${ports[i]} 127.0.0.1`, "allow_anonymous true", `tls_version ${version}`);
    // A PSK listener (psk: { hint, identity, key }): mosquitto's psk_file holds "identity:hexkey".
    if (l.psk) {
      const file = path.join(dir, `psk${i}.txt`);
      writeFileSync(file, `${l.psk.identity}:${l.psk.key}\n`);
      conf.push(`psk_hint ${l.psk.hint}`, `psk_file ${file}`);
    } else conf.push(`certfile ${tls.certFile}`, `keyfile ${tls.keyFile}`);
    if (tls.caFile) conf.push(`cafile ${tls.caFile}`);
    if (l.requireCert) conf.push("require_certificate true");
    if (l.identityAsUsername) conf.push("use_identity_as_username true");
  });
  const confFile = path.join(dir, "mosquitto.conf");
  writeFileSync(confFile, conf.join("\n") + "\n");
  let env;
  if (version === "tlsv1.2") {
    const ossl = path.join(dir, "openssl.cnf");
    writeFileSync(ossl, "openssl_conf = etls\n[etls]\nssl_conf = etls_ssl\n[etls_ssl]\nsystem_default = etls_sys\n[etls_sys]\nMaxProtocol = TLSv1.2\n");
    env = { OPENSSL_CONF: ossl };
  } else if (version !== "tlsv1.3") throw new Error("version: tlsv1.3 or tlsv1.2");
  let srv = null;
  const logFile = path.join(dir, "mosquitto.log");
  const start = async () => {
    srv = await spawnServer("mosquitto", ["-c", confFile], { port: ports[0], timeoutMs: 10000, env });
    // the other listeners are up once mosquitto accepts on the first: it opens them all before serving
  };
  const stop = async () => {
    if (!srv) return;
    const s = srv;
    srv = null;
    await s.stop();
  };
  await start();
  return {
    ports, dir, confFile,
    output: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    pid: () => (srv ? srv.child.pid : null),
    start, stop,
    restart: async () => { await stop(); await start(); },
    close: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** A TCP relay 127.0.0.1:port -> 127.0.0.1:target; cut() resets every open connection. */
export async function relay(target) {
  const pairs = new Set();
  const server = net.createServer((a) => {
    const b = net.connect({ host: "127.0.0.1", port: target });
    const pair = { a, b };
    pairs.add(pair);
    a.pipe(b);
    b.pipe(a);
    const done = () => { pairs.delete(pair); a.destroy(); b.destroy(); };
    a.on("error", done); b.on("error", done); a.on("close", done); b.on("close", done);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    open: () => pairs.size,
    cut: () => { for (const p of pairs) { p.a.resetAndDestroy ? p.a.resetAndDestroy() : p.a.destroy(); p.b.destroy(); } },
    close: () => new Promise((r) => { for (const p of pairs) { p.a.destroy(); p.b.destroy(); } server.close(r); }),
  };
}

/** The app: connects, subscribes to its topic with QoS 1, publishes QoS 0, QoS 1 and 3 KB, pings;
 *  KEY/CERT (null for none) are the client certificate options; then asks the host to break the connection (hostBreak) and does it again after the reconnection. */
export const ROUND_TRIP_APP = `var etls = require("espruino-tls");
var big = ""; while (big.length < 3072) big += "0123456789abcdef";
var r = { rounds: [], tls: [], errors: [], events: [] }, round = null, breaks = 0;
var o = { ca: CA, client_id: "etls-test-" + ROUND, keep_alive: 30, reconnect: { min: 200, max: 2000 } };
if (KEY !== null) { o.key = KEY; o.cert = CERT; }
var m = etls.mqtt.connect(URL, o);
m.on("tls", function (i) { r.tls.push({ resumed: !!i.resumed, version: i.version }); });
m.on("error", function (e) { r.errors.push(e && e.code ? e.code : String(e)); });
m.on("disconnected", function () { r.events.push("disconnected"); });
m.on("connected", function () {
  r.events.push("connected");
  round = { got: [], puback: 0, ping: 0 };
  r.rounds.push(round);
  m.subscribe("etls/" + ROUND, { qos: 1 });
});
m.on("subscribed", function () {
  m.publish("etls/" + ROUND, "qos0-" + r.rounds.length, { qos: 0 });
  m.publish("etls/" + ROUND, "qos1-" + r.rounds.length, { qos: 1 });
  m.publish("etls/" + ROUND, big, { qos: 1 });
});
m.on("puback", function () { round.puback++; });
m.on("message", function (topic, msg) {
  round.got.push(msg.length > 100 ? "big:" + msg.length + ":" + (msg === big) : msg);
  if (round.got.length === 3) m.ping();
});
m.on("ping_reply", function () {
  round.ping++;
  if (breaks < BREAKS) { breaks++; hostBreak(); return; }
  m.disconnect();
  setTimeout(function () { done(r); }, 300);
});`;

export function checkRound(round, n) {
  assert.deepEqual(round.got, [`qos0-${n}`, `qos1-${n}`, "big:3072:true"], `round ${n}`);
  assert.equal(round.puback, 2, `round ${n}: PUBACK for both QoS 1 publishes`);
  assert.equal(round.ping, 1, `round ${n}: PINGRESP`);
}

