// Every Wycheproof vector family, on the built test bundle inside the board mock.
// The linux and esp32c3 bundles differ in entropy source and budgets; both run the vectors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { familyNames, loadFamily, runOnMock } from "../tools/vectors.mjs";

for (const board of ["linux", "esp32c3"]) {
  for (const name of familyNames()) {
    test(`${name} vectors on the ${board} bundle`, { timeout: 600000 }, async () => {
      const { fam, cases } = await loadFamily(name);
      assert.ok(cases.length > 0, "no cases");
      const r = await runOnMock(fam, cases, { board });
      assert.equal(r.failed, 0, r.failures.slice(0, 10).map((f) => `${f.id} (expected ${f.expect}) ${f.error || ""}`).join("\n"));
    });
  }
}
