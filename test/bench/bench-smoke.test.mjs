// `npm run bench -- crypto` on the board mock: the JSON has every operation of issue 3 and the
// peers, each computed the right output (ok) with positive figures. No timing assertions: the
// mock runs at Node's speed and the machine is shared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { benchCrypto, OPS, EXTRA_OPS, PEER_OPS } from "../../tools/bench-crypto.mjs";

const POSITIVE = ["cpuMs", "firstCpuMs", "runs", "steps", "slices", "jsVars"];
const NON_NEGATIVE = ["wallMs", "firstWallMs", "longestStepMs", "longestSliceMs", "retainedJsVars"];

function checkOp(name, r) {
  assert.ok(r && typeof r === "object", `${name}: missing`);
  assert.equal(r.ok, true, `${name}: wrong output`);
  for (const k of POSITIVE) assert.ok(typeof r[k] === "number" && r[k] > 0, `${name}.${k} = ${r[k]} should be a positive number`);
  for (const k of NON_NEGATIVE) assert.ok(typeof r[k] === "number" && r[k] >= 0, `${name}.${k} = ${r[k]} should be a number >= 0`);
  assert.ok(r.longestSliceMs >= r.longestStepMs, `${name}: a slice is at least its longest step`);
}

test("bench crypto on the mock: JSON shape", { timeout: 300000 }, async () => {
  const r = await benchCrypto({ real: false });
  assert.equal(r.bench, "crypto");
  assert.ok(Array.isArray(r.loadavg.start) && r.loadavg.start.length === 3 && Array.isArray(r.loadavg.end));
  assert.equal(OPS.length, 15);
  for (const op of [...OPS, ...EXTRA_OPS]) {
    checkOp(op, r.mock.ours[op]);
    assert.ok(r.operations[op], `${op} is described`);
  }
  for (const op of Object.keys(PEER_OPS)) {
    checkOp(op, r.mock.peers[op]);
    assert.ok(OPS.includes(PEER_OPS[op]), `${op} compares to one of ours`);
  }
  // Jobs run in more than one step; synchronous operations are one step each.
  for (const op of ["x25519SharedSecret", "ecdsaP256Verify", "rsa2048Pkcs1Verify", "ed25519Verify"]) assert.ok(r.mock.ours[op].steps > 1, op);
  assert.equal(r.mock.ours.sha256_1k.steps, 1);
  // Peers: built from node_modules, gate findings listed (not required to be empty).
  for (const k of ["tweetnacl", "nobleChacha"]) {
    assert.ok(r.peers[k].bundleBytes > 0 && typeof r.peers[k].gateFindings === "object", k);
  }
  assert.ok(r.real && typeof r.real.skipped === "string", "without real the interpreter part says it was skipped");
  JSON.stringify(r); // serializable
});
