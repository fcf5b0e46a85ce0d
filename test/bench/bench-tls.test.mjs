// `npm run bench -- tls` on the board mock (no interpreter): every row of issues 7 and 8 runs once
// against local s_server processes and is the kind of handshake it says (resumed or not, chain
// cache used or not, precomputed share used, TLS version, RSA key exchange). No timing
// assertions: the mock runs at Node's speed. The report's arithmetic (best of runs, ratios to the
// built-in, targets) is checked on made-up runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { benchTls, planFor, summarize, builtinRuns, rounds, ROUNDS_PER_PROCESS, ROWS, RUNS, TARGETS, BODY_BYTES } from "../../tools/bench-tls.mjs";

test("bench tls on the mock: every row, each the handshake it names", { timeout: 180000 }, async () => {
  const r = await benchTls({ real: false, build: false });
  assert.equal(r.bench, "tls");
  assert.ok(Array.isArray(r.loadavg.start) && r.loadavg.start.length === 3 && Array.isArray(r.loadavg.end));
  const rows = r.mock.rows;
  const want = Object.keys(ROWS).filter((k) => !ROWS[k].rsaOnly);
  assert.deepEqual(Object.keys(rows).sort(), want.sort());
  for (const k of want) {
    const x = rows[k];
    assert.equal(x.problems, undefined, `${k}: ${JSON.stringify(x.problems)}`);
    assert.ok(x.ms > 0 && x.cpuMs >= 0, `${k}: ms ${x.ms}, cpuMs ${x.cpuMs}`);
    assert.ok(x.negotiated && typeof x.server === "string" && typeof x.label === "string", k);
    assert.equal(x.negotiated.reused, ROWS[k].target === "resumed", `${k}: reused=${x.negotiated.reused}`);
    assert.equal(x.bodyBytes, BODY_BYTES, k);
    assert.deepEqual(Object.keys(x.ratioToBuiltin), ["wall", "cpu"]);
  }
  assert.equal(rows.tls12Full.negotiated.version, "TLSv1.2");
  assert.equal(rows.full.negotiated.version, "TLSv1.3");
  assert.equal(rows.tls12Resumed.resumedBy, "ticket");
  assert.equal(rows.resumedPskKe.optIn, true);
  assert.equal(rows.resumedPskKe.negotiated.keyExchange, "psk");
  assert.equal(rows.resumed.negotiated.keyExchange, "ecdhe");
  JSON.stringify(r);
});

test("bench tls plan: rounds interleave the rows and the built-in; RSA key exchange on the RSA chain only", () => {
  const urls = { s13: "https://localhost:1/", s13PskKe: "https://localhost:2/", s12: "https://localhost:3/", s12RsaKx: "https://localhost:4/" };
  urls.builtin = Array.from({ length: builtinRuns(0, rounds()) }, (_, i) => `https://127.0.0.1:${100 + i}/`);
  const rsa = planFor("rsa2048", urls);
  const ec = planFor("ecdsaP256", urls, { builtinOwn: "https://127.0.0.1:9/" });
  const count = (plan, row) => plan.filter((s) => s.row === row).length;
  assert.equal(rsa[0].row, "warmup");
  assert.equal(rsa[0].timed, false);
  for (const [k, d] of Object.entries(ROWS)) {
    assert.equal(count(rsa, k), d.slow ? RUNS.slow : RUNS.fast, k);
    assert.equal(count(ec, k), d.rsaOnly ? 0 : d.slow ? RUNS.slow : RUNS.fast, k);
  }
  assert.equal(count(rsa, "builtin"), rounds() + 1);
  assert.deepEqual(rsa.filter((s) => s.row === "builtin").map((s) => s.url), urls.builtin, "each built-in run has its own server");
  assert.equal(count(ec, "builtinOwnServer"), 1);
  assert.ok(rsa.filter((s) => s.row === "tls12RsaKxFull").every((s) => s.rsaKx && s.url === urls.s12RsaKx));
  assert.ok(rsa.filter((s) => s.session).every((s) => s.seed), "resumed rows seed their cache");
  assert.ok(rsa.filter((s) => s.row === "full").every((s) => !s.chain && !s.session), "full rows: no chain cache, no session");
  // Split over processes: each part starts with its own warm-up, and the parts add up to the whole.
  const parts = [];
  for (let from = 0; from < rounds(); from += ROUNDS_PER_PROCESS) parts.push(planFor("rsa2048", urls, { from, to: Math.min(rounds(), from + ROUNDS_PER_PROCESS) }));
  for (const part of parts) assert.equal(part[0].row, "warmup");
  for (const k of Object.keys(ROWS)) assert.equal(parts.reduce((n, part) => n + count(part, k), 0), count(rsa, k), k);
});

test("bench tls summary: best of runs, ratios to the built-in, targets", () => {
  const full = "key_share,client_hello,server_hello,handshake_keys,certificate,chain_verified,certificate_verify,connected";
  const printed = [
    { row: "warmup", untimed: true, ms: 900, cpuMs: 880, status: 200, bodyBytes: 1024, steps: full },
    { row: "builtin", ms: 60, cpuMs: 50, status: "200", bodyBytes: 1024 },
    { row: "builtin", ms: 55, cpuMs: 52, status: 200, bodyBytes: 1024 }, { row: "builtin", ms: 40, cpuMs: 40, status: 200, bodyBytes: 300 },
    { row: "full", ms: 1200, cpuMs: 1000, status: 200, bodyBytes: 1024, steps: full },
    { row: "full", ms: 1100, cpuMs: 1050, status: 200, bodyBytes: 1024, steps: full },
    { row: "resumed", seed: true, ms: 500, cpuMs: 500, status: 200 },
    { row: "resumed", ms: 50, cpuMs: 45, status: 200, bodyBytes: 1024, steps: "key_share,resume_offered,client_hello,resumed,handshake_keys,connected" },
    { row: "cachedChain", ms: 400, cpuMs: 400, status: 200, bodyBytes: 1024, steps: full, chainCacheHit: false },
  ];
  const s = summarize("rsa2048", printed, { builtinServer: "x" });
  assert.equal(s.builtin.ms, 55);
  assert.equal(s.builtin.cpuMs, 50);
  assert.deepEqual(s.builtin.problems, ["body of 300 bytes, not 1024"]);
  assert.equal(s.rows.full.ms, 1100);
  assert.equal(s.rows.full.cpuMs, 1000);
  assert.deepEqual(s.rows.full.ratioToBuiltin, { wall: 20, cpu: 20 });
  assert.deepEqual(s.rows.full.meetsTarget, { wall: true, cpu: true });
  assert.deepEqual(s.rows.resumed.ratioToBuiltin, { wall: 0.9, cpu: 0.9 });
  assert.equal(s.rows.resumed.meetsTarget.wall, TARGETS.resumed >= 0.9);
  assert.ok(s.rows.cachedChain.problems.includes("chain cache not used"));
  assert.equal(s.rows.cachedChain.ms, null, "a run that is not the row's kind of handshake does not count");
  assert.deepEqual(s.rows.tls12Full.problems, ["no run reported"]);
  assert.equal(s.warmupsAndSeeds.length, 2);
});
