// x509-limbo as a regression test with exact figures (tools/limbo.mjs has the skip policy;
// `npm run limbo` prints the details and README's x509-limbo row repeats these numbers):
// every applicable SERVER case passes, none is wrongly accepted, and the skipped SERVER cases,
// run anyway, are accepted or refused exactly as counted. A change in either direction (a case
// newly passing, failing or skipped) must show up here and in README.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSuite, readSuite, scorePyca } from "../../tools/limbo.mjs";
import { loadFirmware } from "../helpers/firmware.mjs";

test("x509-limbo: 166 of 166 applicable SERVER cases pass; 32 skipped, 25 of them expected FAILURE but accepted", async () => {
  const { T, close } = await loadFirmware();
  const suite = readSuite();
  const r = runSuite(T, suite);
  close();
  const wrong = r.results.filter((x) => x.verdict !== "pass" && x.verdict !== "skip").map((x) => `${x.verdict} ${x.id}: ${x.context}`);
  assert.equal(r.counts.wrongAccept, 0, wrong.join("\n"));
  assert.equal(r.counts.hang, 0, wrong.join("\n"));
  assert.equal(r.counts.wrongReject, 0, wrong.join("\n"));
  assert.equal(r.server, 198, "SERVER cases in limbo.json");
  assert.equal(r.counts.client, 10, "CLIENT cases");
  assert.equal(r.applicable, 166, "SERVER cases run");
  assert.equal(r.counts.pass, 166);
  assert.equal(r.counts.skipServer, 32);
  const ifRun = (v) => r.results.filter((x) => x.verdict === "skip" && x.if_run === v && x.expected_result !== v).map((x) => x.id);
  assert.equal(r.counts.skipAcceptsFailure, 25, ifRun("SUCCESS").join("\n"));
  assert.equal(r.counts.skipRejectsSuccess, 2, ifRun("FAILURE").join("\n"));
  assert.ok(ifRun("SUCCESS").includes("crl::revoked-certificate-with-crl"), "no revocation checking: a revoked certificate is accepted");
  const kinds = {};
  for (const b of Object.values(r.skipBy)) kinds[b.kind] = (kinds[b.kind] || 0) + b.n;
  assert.deepEqual(kinds, { unsupported: 12, profile: 3, pedantic: 5, deviation: 12 });
  // pyca/cryptography 48.0.0 (upstream's harness, run on this file) scored the same way
  const ours = {};
  for (const x of r.results) ours[x.id] = x.verdict;
  const py = scorePyca(suite, ours);
  assert.deepEqual(py.server, { cases: 198, pass: 147, wrongAccept: 14, wrongReject: 0, skip: 37 });
  assert.deepEqual(py.oursRun, { cases: 166, pass: 145, wrongAccept: 5, wrongReject: 0, skip: 16 });
});
