// Mutual TLS on the real Linux interpreter ($ESPRUINO_BIN; skipped without it): OpenSSL s_server
// TLS 1.3 asking for a client certificate (-verify 1: optional, so the same server also takes a
// connection without one), the device's P-256 key (PEM) and certificate (DER) read from Storage
// by name. Three connections: without a certificate, with it (full handshake), with it resumed;
// the server's page shows the certificate it verified. Prints the handshake times.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { runInterpreter, prepareFlash, cleanOutput } from "../../tools/espruino-run.mjs";
import { spawnServer, freePort, stopAll } from "../../tools/lib/interop.mjs";
import { mtlsPki, pageClientCn } from "../helpers/mtls.mjs";

const BIN = process.env.ESPRUINO_BIN;
const closers = [];
after(async () => { for (const c of closers.reverse()) { try { await c(); } catch { /* gone */ } } await stopAll(); });

test("real interpreter: TLS 1.3 client certificate (P-256 and RSA-2048, key and cert from Storage) to OpenSSL s_server, full and resumed", { skip: BIN ? false : "ESPRUINO_BIN not set", timeout: 1500000 }, async () => {
  const P = mtlsPki();
  const port = await freePort();
  const srv = await spawnServer("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", P.server.leaf.certFile, "-key", P.server.leaf.keyFile,
    "-cert_chain", P.server.inter.certFile, "-tls1_3", "-www", "-verify", "1", "-CAfile", P.ca.certFile], { port, ready: /^ACCEPT/m });
  closers.push(srv.stop);
  const files = path.join(P.dir, "real-files");
  writeFileSync(files + ".key", P.p256.keyPem);
  writeFileSync(files + ".der", P.p256.der);
  writeFileSync(files + ".rsa", P.pkcs1);
  const dir = await prepareFlash(BIN, { extra: [["dev.key", files + ".key"], ["dev.der", files + ".der"], ["rsa.key", files + ".rsa"], ["rsa.pem", P.rsa.certFile]] });
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "app.js"), `var t = require("espruino-tls"), runs = [], plan = [
  { name: "none", o: { session: false } },
  { name: "cert", o: { key: "dev.key", cert: "dev.der" } },
  { name: "cert-resumed", o: { key: "dev.key", cert: "dev.der" } },
  { name: "none-2", o: { session: false } },
  { name: "rsa", o: { key: "rsa.key", cert: "rsa.pem", session: false } }];
function next() {
  var p = plan.shift();
  if (!p) { print("RESULT " + JSON.stringify(runs)); setTimeout(quit, 0); return; }
  var r = { name: p.name, page: "" }, t0 = getTime();
  runs.push(r);
  var o = p.o; o.host = "localhost"; o.port = ${port}; o.timeout = 600000; o.ca = ${JSON.stringify(P.server.root.pem)};
  var s = t.tls.connect(o, function (i) { r.ms = Math.round((getTime() - t0) * 1000); r.resumed = !!i.resumed; s.write("GET / HTTP/1.0\\r\\n\\r\\n"); });
  var got = "";
  s.on("data", function (d) { got += d; });
  s.on("error", function (e) { r.error = e.code + " " + e.message; });
  s.on("close", function () { var k = got.indexOf("Client certificate"); r.page = k < 0 ? "" : got.substr(k, 700); got = ""; setTimeout(next, 100); });
}
next();
`);
  // Minutes when the machine is loaded: code runs from Storage (the Linux build reads its flash file).
  const res = await runInterpreter(BIN, dir, "app.js", { timeoutMs: 1400000 });
  const out = cleanOutput(res.out);
  const m = /RESULT (.*)/.exec(out);
  assert.ok(m, out);
  const runs = JSON.parse(m[1]);
  for (const r of runs) assert.equal(r.error, undefined, `${r.name}: ${r.error} ${JSON.stringify(runs)}`);
  const by = Object.fromEntries(runs.map((r) => [r.name, r]));
  assert.equal(pageClientCn(by.none.page), null);
  assert.equal(pageClientCn(by.cert.page), "device-p256", by.cert.page);
  assert.equal(by["cert-resumed"].resumed, true);
  assert.equal(pageClientCn(by.rsa.page), "device-rsa", by.rsa.page);
  // (s_server -verify, optional, does not show the session's client certificate on a resumed connection)
  console.log(`# real interpreter (code from Storage), TLS 1.3, ECDSA P-256 server chain: handshake without client certificate ${by.none.ms} / ${by["none-2"].ms} ms, with a P-256 client certificate ${by.cert.ms} ms, resumed ${by["cert-resumed"].ms} ms; RSA-2048 client certificate (PKCS#1 key, chain cached) ${by.rsa.ms} ms`);
});
