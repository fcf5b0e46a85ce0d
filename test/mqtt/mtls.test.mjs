// MQTT over mutual TLS against mosquitto with `require_certificate true` and
// `use_identity_as_username true` (the broker takes the device certificate's CN as the MQTT user),
// one broker per TLS version, with Espruino's unmodified MQTT module in the board mock.
//   - device keys made on the host: P-256 as PKCS#8 and as SEC1, RSA-2048 as PKCS#1 (skipped,
//     with the reason, while the board cannot sign with RSA), certificates from `localca sign`;
//   - the whole story on the board: identity.generate -> CSR -> localca sign (host) -> the
//     certificate into Storage -> mqtt.connect with key/cert as Storage names;
//   - no certificate: the broker refuses it, the app gets an error, no CONNECT reaches the broker.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runApp } from "../helpers/board-app.mjs";
import { loadFirmware } from "../helpers/firmware.mjs";
import { makeChains } from "../../tools/lib/interop.mjs";
import { initCa, signCsr } from "../../tools/localca/ca.mjs";
import { startMosquitto, relay, mqttSkip, mqttModuleText, ROUND_TRIP_APP, checkRound } from "../helpers/mosquitto.mjs";

const skip = mqttSkip();
const closers = [];
after(async () => { for (const c of closers.reverse()) { try { await c(); } catch { /* gone */ } } });

let made = null;
/** Server chain, the device CA (localca) and device keys/certificates in every key form. */
function pki() {
  if (made) return made;
  const dir = mkdtempSync(path.join(tmpdir(), "etls-mqtt-mtls-"));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  const f = (n) => path.join(dir, n);
  initCa(f("ca"), { name: "device CA" });
  const ossl = (...a) => execFileSync("openssl", a, { stdio: ["ignore", "pipe", "ignore"] }).toString("latin1");
  const device = (name, genArgs, convert) => {
    ossl("genpkey", ...genArgs, "-out", f(name + ".p8"));
    const csr = ossl("req", "-new", "-key", f(name + ".p8"), "-subj", "/CN=" + name + "/O=lab");
    const cert = signCsr(f("ca"), Buffer.from(csr), { client: true }).pem;
    return { name, key: convert ? ossl(...convert, "-in", f(name + ".p8")) : readFileSync(f(name + ".p8"), "latin1"), cert };
  };
  const ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
  const p8 = device("dev-p256-pkcs8", ec);
  const sec1 = device("dev-p256-sec1", ec, ["ec"]);
  const rsa = device("dev-rsa-pkcs1", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], ["rsa", "-traditional"]);
  assert.match(p8.key, /BEGIN PRIVATE KEY/);
  assert.match(sec1.key, /BEGIN EC PRIVATE KEY/);
  assert.match(rsa.key, /BEGIN RSA PRIVATE KEY/);
  made = { server: makeChains().ecdsa, caDir: f("ca"), caFile: f("ca/ca.pem"), devices: [p8, sec1, rsa] };
  return made;
}

async function mtlsBroker(version) {
  const p = pki();
  const broker = await startMosquitto([{ requireCert: true, identityAsUsername: true }],
    { certFile: p.server.chainFile, keyFile: p.server.leaf.keyFile, caFile: p.caFile }, version);
  closers.push(broker.close);
  return broker;
}

/** Whether the board can sign with an RSA key (RSA signing may not be there yet): one PKCS#1 v1.5
 *  signature through the firmware's signJob; null when it can, else the error code. */
async function rsaSigningProblem() {
  const fw = await loadFirmware({ board: "linux" });
  try {
    const S = fw.T.sign;
    const key = S.parsePrivateKey(pki().devices[2].key);
    S.runSync(S.signJob(key, 0x0401, new fw.board.realm.Uint8Array(4), fw.T.random));
    return null;
  } catch (e) {
    return e && e.code ? e.code : String(e);
  } finally {
    fw.close();
  }
}

for (const version of ["tlsv1.3", "tlsv1.2"]) {
  test(`mutual TLS (${version}), require_certificate + use_identity_as_username: P-256 PKCS#8 / SEC1 and RSA-2048 PKCS#1 device keys; QoS 0/1, 3 KB, ping, cut -> resumed`, { skip, timeout: 300000 }, async (t) => {
    const p = pki();
    const broker = await mtlsBroker(version);
    const wantVersion = version === "tlsv1.3" ? 0x0304 : 0x0303;
    for (const dev of p.devices) {
      if (dev.name.startsWith("dev-rsa")) {
        const problem = await rsaSigningProblem();
        if (problem === "CRYPTO_UNSUPPORTED") { t.diagnostic(`${dev.name}: skipped, the board cannot sign with RSA yet (CRYPTO_UNSUPPORTED)`); continue; }
        assert.equal(problem, null, "RSA signing");
      }
      const link = await relay(broker.ports[0]);
      closers.push(link.close);
      const round = `${version}-${dev.name}`;
      const r = await runApp(ROUND_TRIP_APP, {
        files: { MQTT: mqttModuleText() },
        globals: { URL: `mqtts://localhost:${link.port}`, CA: p.server.root.pem, KEY: dev.key, CERT: dev.cert, ROUND: round, BREAKS: 1, hostBreak: () => setTimeout(() => link.cut(), 50) },
        timeoutMs: 150000,
      });
      assert.equal(r.rounds.length, 2, `${dev.name}: ${JSON.stringify(r)}`);
      r.rounds.forEach((x, i) => checkRound(x, i + 1));
      assert.deepEqual(r.tls.map((x) => [x.version, x.resumed]), [[wantVersion, false], [wantVersion, true]], dev.name);
      // the broker took the certificate's CN as the MQTT user name
      const line = broker.output().split("\n").find((l) => l.includes(`as etls-test-${round} `));
      assert.ok(line, broker.output());
      assert.match(line, new RegExp(`u'${dev.name}'`));
    }
  });
}

test("the whole story on the board: identity.generate -> localca sign on the host -> certificate in Storage -> mqtt.connect with Storage names", { skip, timeout: 300000 }, async () => {
  const p = pki();
  const broker = await mtlsBroker("tlsv1.3");
  const r = await runApp(`var etls = require("espruino-tls"), r = { got: [] };
etls.identity.generate({ subject: { CN: "board-made", O: "lab" }, dns: ["board-made.local"] }, function (err, id) {
  if (err) { done({ err: err.code }); return; }
  require("Storage").write("etls.crt", hostSign(id.csr));
  var m = etls.mqtt.connect("mqtts://localhost:" + PORT, { ca: CA, key: "etls.key", cert: "etls.crt", client_id: "etls-board-made", reconnect: false });
  m.on("error", function (e) { r.err = e.code; done(r); });
  m.on("connected", function () { m.subscribe("story/t", { qos: 1 }); });
  m.on("subscribed", function () { m.publish("story/t", "made on the board", { qos: 1 }); });
  m.on("message", function (t, msg) { r.got.push(t + "=" + msg); m.disconnect(); setTimeout(function () { done(r); }, 200); });
});`, {
    files: { MQTT: mqttModuleText() },
    globals: { PORT: broker.ports[0], CA: p.server.root.pem, hostSign: (csr) => signCsr(p.caDir, Buffer.from(String(csr)), { client: true }).pem },
    timeoutMs: 200000,
  });
  assert.equal(r.err, undefined, JSON.stringify(r));
  assert.deepEqual(r.got, ["story/t=made on the board"]);
  assert.match(broker.output(), /as etls-board-made .*u'board-made'/);
});

test("no client certificate: the broker refuses, the app gets an error, no CONNECT reaches the broker", { skip, timeout: 120000 }, async () => {
  const p = pki();
  for (const version of ["tlsv1.3", "tlsv1.2"]) {
    const broker = await mtlsBroker(version);
    const r = await runApp(`var etls = require("espruino-tls"), r = { errors: [] };
var m = etls.mqtt.connect("mqtts://localhost:" + PORT, { ca: CA, client_id: "etls-nocert", reconnect: false });
m.on("error", function (e) { r.errors.push(e.code); });
m.on("connected", function () { r.connected = true; });
setTimeout(function () { done(r); }, 5000);`, {
      files: { MQTT: mqttModuleText() }, globals: { PORT: broker.ports[0], CA: p.server.root.pem }, timeoutMs: 30000,
    });
    assert.equal(r.connected, undefined, version);
    assert.ok(r.errors.length >= 1, version + ": " + JSON.stringify(r));
    assert.equal(r.errors[0], "CLIENT_CERT_REJECTED", version + ": " + JSON.stringify(r));
    assert.match(broker.output(), /mosquitto version .* running/);
    assert.doesNotMatch(broker.output(), /as etls-nocert/, version + ": no CONNECT reached the broker");
  }
});

test("a key file without its public key that is not the certificate's: one KEY_CERT_MISMATCH error (found in slices, before connecting), no reconnection, nothing reaches the broker", { skip, timeout: 120000 }, async () => {
  const p = pki();
  const broker = await mtlsBroker("tlsv1.3");
  const other = execFileSync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout"], { stdio: ["ignore", "pipe", "ignore"] });
  const noPub = execFileSync("openssl", ["ec", "-no_public"], { input: other, stdio: ["pipe", "pipe", "ignore"] }).toString("latin1");
  assert.match(noPub, /BEGIN EC PRIVATE KEY/);
  const r = await runApp(`var etls = require("espruino-tls"), r = { errors: [] };
var m = etls.mqtt.connect("mqtts://localhost:" + PORT, { ca: CA, key: KEY, cert: CERT, client_id: "etls-nopub", reconnect: { min: 100, max: 200 } });
m.on("error", function (e) { r.errors.push(e.code); });
m.on("connected", function () { r.connected = true; });
setTimeout(function () { m.stop(); done(r); }, 4000);`, {
    files: { MQTT: mqttModuleText() }, globals: { PORT: broker.ports[0], CA: p.server.root.pem, KEY: noPub, CERT: p.devices[0].cert }, timeoutMs: 30000,
  });
  assert.equal(r.connected, undefined);
  assert.deepEqual(r.errors, ["KEY_CERT_MISMATCH"], "one error, no retry");
  assert.doesNotMatch(broker.output(), /New connection|as etls-nopub/, "nothing reached the broker");
});
