// Client-certificate tests: a device PKI made at test time (a client CA, device certificates with
// the clientAuth usage for P-256, P-384, Ed25519 and RSA-2048 keys, one from another CA, an expired one, an
// encrypted key), servers that require a client certificate (OpenSSL s_server -Verify, GnuTLS
// gnutls-serv --require-client-cert), and the board-side app that connects with key/cert.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { runApp } from "./board-app.mjs";
import { makeChains, spawnServer, freePort } from "../../tools/lib/interop.mjs";
import { Pki, pemToDer } from "../../tools/lib/pki.mjs";

let made = null;

/** The server chain (ECDSA, for localhost) and the device PKI. */
export function mtlsPki() {
  if (made) return made;
  const server = makeChains().ecdsa;
  const pki = new Pki();
  const ca = pki.cert("clientca", { ca: true, cn: "device ca", days: 3650 });
  const other = pki.cert("otherca", { ca: true, cn: "another ca", days: 3650 });
  const device = (name, opts) => {
    const c = pki.cert(name, { eku: "clientAuth", cn: name, ...opts });
    c.keyPem = readFileSync(c.keyFile, "utf8");
    return c;
  };
  const p256 = device("device-p256", { issuer: ca });
  const p384 = device("device-p384", { issuer: ca, key: "ec384" });
  const rsa = device("device-rsa", { issuer: ca, key: "rsa" });
  const ed25519 = device("device-ed25519", { issuer: ca, key: "ed25519" });
  const foreign = device("device-foreign", { issuer: other });
  const expired = device("device-expired", { issuer: ca, startDaysAgo: 40, days: 30 });
  // The same P-256 key in SEC1 ("EC PRIVATE KEY") and PKCS#1 for the RSA one, and encrypted.
  const sec1 = execFileSync("openssl", ["ec", "-in", p256.keyFile], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const pkcs1 = execFileSync("openssl", ["rsa", "-in", rsa.keyFile, "-traditional"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const encrypted = execFileSync("openssl", ["pkey", "-in", p256.keyFile, "-aes256", "-passout", "pass:secret"], { encoding: "utf8" });
  const keyDer = execFileSync("openssl", ["pkey", "-in", p256.keyFile, "-outform", "DER"]);
  made = { server, ca, other, p256, p384, rsa, ed25519, foreign, expired, sec1, pkcs1, encrypted, keyDer, dir: pki.dir, pemToDer };
  return made;
}

/** openssl s_server -www requiring a client certificate from `caFile` (-Verify 1 and
 *  -verify_return_error: an unverifiable certificate fails the handshake). */
export async function opensslMtls(version, extra = [], caFile = mtlsPki().ca.certFile) {
  const s = mtlsPki().server;
  const port = await freePort();
  const args = ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", s.leaf.certFile, "-key", s.leaf.keyFile, "-cert_chain", s.inter.certFile,
    version === "1.3" ? "-tls1_3" : "-tls1_2", "-www", "-Verify", "1", "-verify_return_error", "-CAfile", caFile, ...extra];
  return spawnServer("openssl", args, { port, ready: /^ACCEPT/m });
}

/** gnutls-serv --http --require-client-cert trusting the device CA. */
export async function gnutlsMtls(version, extra = "") {
  const { server, ca } = mtlsPki();
  const port = await freePort();
  const prio = "NORMAL:-VERS-ALL:+VERS-TLS" + version + extra;
  const args = ["-p", String(port), "--http", "--require-client-cert", "--verify-client-cert", "--x509cafile", ca.certFile,
    "--x509certfile", server.chainFile, "--x509keyfile", server.leaf.keyFile, "--priority", prio];
  return spawnServer("gnutls-serv", args, { port, ready: /listening on IPv4/ });
}

/** Board app: tls.connect with OPTS (+ host, port, ca), GET /, then collects the page (or the
 *  error). A second connection (SECOND) reuses the session cache: for resumption. */
const GET_APP = `var t = require("espruino-tls"), runs = [];
function one(k) {
  var r = { steps: [], got: "", events: [] };
  runs.push(r);
  var o = { host: "localhost", port: PORT, ca: SERVER_CA, timeout: 30000 };
  for (var n in OPTS) o[n] = OPTS[n];
  var s;
  try {
    s = t.tls.connect(o, function (i) { r.connected = true; r.version = i.version; r.resumed = !!i.resumed; r.alpn = s.alpnProtocol; if (GET) s.write("GET / HTTP/1.0\\r\\n\\r\\n"); });
  } catch (e) { r.thrown = e.code; r.message = e.message; done(runs); return; }
  s.on("progress", function (p) { r.steps.push(p); });
  s.on("data", function (d) { r.got += d; });
  s.on("error", function (e) { r.events.push("error"); if (!r.error) { r.error = e.code; r.message = e.message; r.detail = e.detail; } });
  s.on("end", function () { r.events.push("end"); });
  s.on("close", function () { r.events.push("close"); if (k > 1) setTimeout(function () { one(k - 1); }, 50); else setTimeout(function () { done(runs); }, 50); });
}
one(RUNS);`;

/** get: false sends nothing once connected (a refusal test: data written at once can make the
 *  server reset the connection, which destroys its alert). */
export async function getWith(port, opts, { runs = 1, files = {}, timeoutMs = 60000, get = true } = {}) {
  return runApp(GET_APP, { files, timeoutMs, globals: { PORT: port, SERVER_CA: mtlsPki().server.root.pem, OPTS: opts, RUNS: runs, GET: get } });
}

/** Subject CN of the client certificate an s_server -www page shows, or null. */
export function pageClientCn(page) {
  const i = page.indexOf("Client certificate");
  if (i < 0) return null;
  const m = /Subject: CN\s*=\s*([^,\n]+)/.exec(page.slice(i));
  return m ? m[1].trim() : null;
}

export { writeFileSync };
