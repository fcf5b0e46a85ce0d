// The build: per-board selection with tree-shaking, and the compatibility gate on real output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildBoard } from "../../tools/build.mjs";
import { checkBundleFile } from "../../tools/compat/check.mjs";
import { loadBoard, validateProfile, boardNames } from "../../tools/lib/boards.mjs";
import { ROOT, bundlePath } from "../../tools/lib/paths.mjs";

const tmp = mkdtempSync(path.join(tmpdir(), "etls-build-"));
const fixture = (name) => path.join(ROOT, "test/fixtures", name);
const build = (board, name) => buildBoard(board, { input: fixture(name), file: path.join(tmp, board, name + ".js"), quiet: true });

test("a board's unused implementation is absent from its bundle", async () => {
  const esp32 = readFileSync(await build("esp32", "select.ts"), "utf8");
  const c3 = readFileSync(await build("esp32c3", "select.ts"), "utf8");
  const linux = readFileSync(await build("linux", "select.ts"), "utf8");
  // esp32 has native SHA-384, esp32c3 does not (board profiles).
  assert.ok(esp32.includes("NATIVE_SHA384_IMPLEMENTATION") && !esp32.includes("PORTABLE_SHA384_IMPLEMENTATION"));
  assert.ok(c3.includes("PORTABLE_SHA384_IMPLEMENTATION") && !c3.includes("NATIVE_SHA384_IMPLEMENTATION"));
  // Entropy: the RNG register on ESP32-class chips, the OS random device on Linux.
  assert.ok(esp32.includes("PEEK32_SOURCE") && !esp32.includes("OS_FILE_SOURCE"));
  assert.ok(linux.includes("OS_FILE_SOURCE") && !linux.includes("PEEK32_SOURCE"));
});

test("product bundles: built for every board, within budget, passing the gate", () => {
  for (const b of boardNames()) {
    const file = bundlePath(b, false);
    assert.deepEqual(checkBundleFile(file), [], file);
    assert.match(readFileSync(file, "utf8"), /exports\.version=/);
  }
});

test("check:bundle names the construct and the TypeScript source line", async () => {
  const file = await build("linux", "bad-syntax.ts");
  const problems = checkBundleFile(file);
  const msgs = problems.map((p) => `${p.source && p.source.file}:${p.source && p.source.line}: ${p.message}`);
  assert.ok(msgs.some((m) => /test\/fixtures\/bad-syntax\.ts:3: \*\* operator/.test(m)), msgs.join("\n"));
  assert.ok(msgs.some((m) => /bad-syntax\.ts:5: Math\.imul does not exist/.test(m)), msgs.join("\n"));
});

test("syntax esbuild cannot lower fails the build with file and line", async () => {
  await assert.rejects(build("linux", "bad-destructuring.ts"), /bad-destructuring\.ts:3/);
});

test("board profiles: all valid; a malformed one is refused with the field named", () => {
  for (const b of boardNames()) assert.equal(loadBoard(b).name, b);
  const p = structuredClone(loadBoard("esp32"));
  p.entropy.source = "wishful";
  p.storage.bytes = -1;
  assert.throws(() => validateProfile(p), /profile\.storage\.bytes: must be a positive integer/);
  const q = structuredClone(loadBoard("esp32"));
  q.nativeCrypto.push("MD5");
  assert.throws(() => validateProfile(q), /unknown function "MD5"/);
  assert.throws(() => loadBoard("esp8266"), /unknown board "esp8266"/);
});
