// The product bundle on a simulated board does verified HTTPS against Node's TLS 1.3 server:
// every cipher suite, both groups (P-256 through a HelloRetryRequest), ECDSA and RSA chains.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps } from "../helpers/servers.mjs";
import { runApp } from "../helpers/board-app.mjs";

const GET = `var t = require("espruino-tls"), steps = [];
var req = t.https.get({ url: URL, ca: CA }, function (res) {
  var body = "";
  res.on("data", function (d) { body += d; });
  res.on("end", function () { done({ status: res.statusCode, body: body, steps: steps }); });
});
req.on("progress", function (s) { steps.push(s); });
req.on("error", function (e) { done({ error: e.code, message: e.message }); });`;

const pki = new Pki();
const ec = pki.chain();
const rsaPki = new Pki();
const rsa = rsaPki.chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" });

async function get(chain, tls, path = "/hello") {
  const s = await nodeHttps(chain, { tls });
  try {
    return await runApp(GET, { globals: { URL: `https://localhost:${s.port}${path}`, CA: chain.root.pem } });
  } finally { await s.close(); }
}

for (const suite of ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384"]) {
  test(`GET over ${suite}, X25519, ECDSA P-256 chain with an intermediate`, async () => {
    const r = await get(ec, { ciphers: suite, ecdhCurve: "X25519" });
    assert.equal(r.error, undefined, r.message);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).tls, suite);
    assert.deepEqual(r.steps.slice(-4), ["certificate", "chain_verified", "certificate_verify", "connected"]);
  });
}

test("HelloRetryRequest: a server that accepts only P-256", async () => {
  const r = await get(ec, { ecdhCurve: "P-256" });
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.status, 200);
  assert.ok(r.steps.includes("hello_retry"));
});

test("RSA-2048 chain (RSA-PSS CertificateVerify)", async () => {
  const r = await get(rsa, {});
  assert.equal(r.error, undefined, r.message);
  assert.equal(r.status, 200);
});
