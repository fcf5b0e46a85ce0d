// identity.generate on the real Linux interpreter ($ESPRUINO_BIN; skipped without it), bundle in
// Storage: the CSR verifies with OpenSSL, and a 5 ms interval keeps running during the
// generation (the longest gap between its ticks is the longest slice the board is blocked).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { runInterpreter, prepareFlash, cleanOutput } from "../../tools/espruino-run.mjs";
import { inspectCsr } from "../../tools/localca/csr.mjs";

const BIN = process.env.ESPRUINO_BIN;

test("real interpreter: identity.generate gives a CSR OpenSSL verifies; the board stays responsive", { skip: !BIN && "ESPRUINO_BIN not set", timeout: 300000 }, async () => {
  const dir = await prepareFlash(BIN);
  try {
    writeFileSync(path.join(dir, "app.js"), `var etls = require("espruino-tls");
etls.random(1); // the entropy module's start-up is not part of what is measured
var last = getTime(), maxGap = 0, ticks = 0, t0 = getTime();
var iv = setInterval(function () { var t = getTime(); if (t - last > maxGap) maxGap = t - last; last = t; ticks++; }, 5);
etls.identity.generate({ name: "etls.key", subject: { CN: "real-dev", O: "lab" }, dns: ["real-dev.local"], ip: ["127.0.0.1"] }, function (err, r) {
  var ms = (getTime() - t0) * 1000;
  clearInterval(iv);
  var t = getTime(); if (t - last > maxGap) maxGap = t - last;
  print("RESULT " + JSON.stringify({ err: err ? err.code + ": " + err.message : null, csr: r ? r.csr : null, ms: Math.round(ms), maxGapMs: Math.round(maxGap * 1000), ticks: ticks,
    keyBytes: require("Storage").read("etls.key").length }));
  setTimeout(quit, 0);
});
`);
    const res = await runInterpreter(BIN, dir, "app.js", { timeoutMs: 240000 });
    const out = cleanOutput(res.out);
    const m = /RESULT (.*)/.exec(out);
    assert.ok(m, out);
    const r = JSON.parse(m[1]);
    assert.equal(r.err, null);
    writeFileSync(path.join(dir, "dev.csr"), r.csr);
    const v = spawnSync("openssl", ["req", "-in", path.join(dir, "dev.csr"), "-noout", "-verify"], { encoding: "utf8" });
    assert.match(v.stdout + v.stderr, /self-signature verify OK/);
    assert.doesNotMatch(v.stdout + v.stderr, /verify failure/);
    const info = inspectCsr(Buffer.from(r.csr));
    assert.equal(info.subject, "CN=real-dev, O=lab");
    assert.deepEqual(info.sans, ["DNS:real-dev.local", "IP:127.0.0.1"]);
    assert.ok(r.keyBytes > 100 && r.keyBytes < 160, `PKCS#8 P-256 key with its public point: ${r.keyBytes} bytes`);
    assert.ok(r.ticks > 10, `the interval ran during the generation (${r.ticks} ticks)`);
    console.log(`# real interpreter (Storage placement): identity.generate ${r.ms} ms, longest gap between 5 ms ticks ${r.maxGapMs} ms, ${r.ticks} ticks, key file ${r.keyBytes} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
