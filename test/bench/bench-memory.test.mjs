// `npm run bench -- memory` on the board mock: the board script runs a verified GET to the end
// and reports every TLS 1.3 handshake phase (the mock's process.memory() is a constant, so only
// the shape is checked; the figures come from --real on the 32-bit interpreters).
import { test } from "node:test";
import assert from "node:assert/strict";
import { benchMemory, phaseScript } from "../../tools/bench-memory.mjs";

test("bench memory on the mock: a whole GET with its handshake phases", { timeout: 120000 }, async () => {
  const r = await benchMemory({ real: false, build: false });
  assert.equal(r.bench, "memory");
  assert.equal(r.mock.status, 200);
  assert.equal(r.mock.bodyBytes, 1024);
  assert.equal(r.mock.error, undefined);
  for (const p of ["client_hello", "server_hello", "handshake_keys", "certificate", "chain_verified", "certificate_verify", "connected"]) {
    assert.equal(typeof r.mock.phases[p], "number", `phase ${p}`);
  }
  for (const k of ["beforeRequire", "afterRequire", "library", "requestStartsFrom"]) assert.equal(typeof r.mock.atRest[k], "number", k);
  JSON.stringify(r);
});

test("bench memory: the board script passes the request options of its case", () => {
  const s = phaseScript({ URL: "https://localhost:1/x", CHAIN: "warm", SESSIONS: false });
  assert.match(s, /var CHAIN = "warm";/);
  assert.match(s, /var SESSIONS = false;/);
  assert.match(s, /require\("espruino-tls"\);\nOUT.afterRequire/);
});

test("bench memory: an unknown case name is refused", async () => {
  process.env.BENCH_MEMORY_CHAINS = "dsa";
  try { await assert.rejects(benchMemory({ real: false, build: false }), /unknown chains "dsa"/); }
  finally { delete process.env.BENCH_MEMORY_CHAINS; }
});
