// x509-limbo as a regression test: no wrong accepts and at least 95 % of the applicable
// SERVER cases (tools/limbo.mjs has the skip policy; `npm run limbo` prints the details).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSuite, readSuite } from "../../tools/limbo.mjs";
import { loadFirmware } from "../helpers/firmware.mjs";

test("x509-limbo: 0 wrong accepts, >= 95 % of applicable SERVER cases pass", async () => {
  const { T, close } = await loadFirmware();
  const r = runSuite(T, readSuite());
  close();
  const wrong = r.results.filter((x) => x.verdict !== "pass" && x.verdict !== "skip").map((x) => `${x.verdict} ${x.id}: ${x.context}`);
  assert.equal(r.counts.wrongAccept, 0, wrong.join("\n"));
  assert.equal(r.counts.hang, 0, wrong.join("\n"));
  assert.ok(r.counts.pass >= 0.95 * r.applicable, `${r.counts.pass}/${r.applicable}\n` + wrong.join("\n"));
});
