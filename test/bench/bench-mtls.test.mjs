// `npm run bench -- mtls` on the board mock against mosquitto (one TLS 1.3 round per device key):
// every row connected and got CONNACK as the kind of handshake it claims (full or resumed, a
// CertificateVerify sent only on the mutual-TLS full rows), with figures, ratios and targets.
// No timing assertions: the mock runs at Node's speed and the machine is shared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { benchMtls, problemsOf, stepAt, KEYS } from "../../tools/bench-mtls.mjs";
import { mqttSkip } from "../helpers/mosquitto.mjs";

test("problemsOf: a run counts only as the handshake its row names", () => {
  const ok = { connack: true, version: 0x0304, resumed: false, steps: "client_certificate@10,client_certificate_verify@40,connected@50" };
  assert.deepEqual(problemsOf("keyFull", ok, 0x0304), []);
  assert.deepEqual(problemsOf("baseFull", ok, 0x0304), ["a CertificateVerify was sent"]);
  assert.deepEqual(problemsOf("keyResumed", ok, 0x0304), ["not resumed", "a CertificateVerify was sent"]);
  assert.deepEqual(problemsOf("keyFull", { ...ok, connack: false }, 0x0303), ["no CONNACK", "negotiated 0x304"]);
  assert.deepEqual(problemsOf("keyFull", { error: "X: y" }, 0x0304), ["X: y"]);
  assert.equal(stepAt(ok.steps, "client_certificate"), 10);
  assert.equal(stepAt(ok.steps, "client_certificate_verify"), 40);
  assert.equal(stepAt(ok.steps, "resumed"), null);
});

test("bench mtls on the mock: every row counted, with figures and targets", { skip: mqttSkip(), timeout: 90000 }, async () => {
  const r = await benchMtls({ real: false, build: false });
  assert.equal(r.bench, "mtls");
  assert.ok(Array.isArray(r.loadavg.start) && r.loadavg.start.length === 3 && Array.isArray(r.loadavg.end));
  for (const key of Object.keys(KEYS)) {
    const k = r.mock[key];
    assert.ok(k, key);
    for (const [row, x] of Object.entries(k.rows)) {
      assert.equal(x.problems, undefined, `${key} ${row}: ${JSON.stringify(x)}`);
      for (const f of ["ms", "cpuMs", "connectedMs", "longestGapMs"]) assert.ok(typeof x[f] === "number" && x[f] >= 0, `${key} ${row}.${f} = ${x[f]}`);
      assert.ok(x.connectedMs <= x.ms, `${key} ${row}: the handshake ends before CONNACK`);
    }
    assert.ok(k.rows.keyFull.signMs >= 0 && k.signatureInHandshakeMs === k.rows.keyFull.signMs, key);
    assert.match(k.rows.keyFull.steps, /certificate_request@\d+.*client_certificate_verify@\d+/, key);
    for (const row of ["baseFull", "baseResumed", "keyResumed"]) assert.doesNotMatch(k.rows[row].steps, /client_certificate/, `${key} ${row}`);
    assert.match(k.rows.keyResumed.steps, /resumed@/, key);
    for (const f of ["wall", "cpu"]) {
      assert.ok(typeof k.ratioFull[f] === "number" && typeof k.ratioResumed[f] === "number", `${key} ratio ${f}`);
      assert.equal(typeof k.targets.full[f], "boolean");
      assert.equal(typeof k.targets.resumed[f], "boolean");
    }
    assert.ok(k.warmupsAndSeeds.some((x) => x.kind === "warm-up" && x.signMs >= 0 && !x.error), `${key}: the untimed first signature`);
  }
  JSON.stringify(r); // serializable
});
