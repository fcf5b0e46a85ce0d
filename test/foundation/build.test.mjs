// The build: per-board selection with tree-shaking, and the compatibility gate on real output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
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
  const only = { esp32: "PEEK32_SOURCE", "espruino-wifi": "ADC_SOURCE", linux: "OS_FILE_SOURCE" };
  for (const [board, kept] of Object.entries(only)) {
    const code = readFileSync(await build(board, "select.ts"), "utf8");
    for (const impl of Object.values(only)) assert.equal(code.includes(impl), impl === kept, `${board}: ${impl}`);
  }
});

test("product bundles: built for every board, passing the gate; within budget where the stack fits", () => {
  for (const b of boardNames()) {
    const file = bundlePath(b, false);
    assert.deepEqual(checkBundleFile(file), [], file);
    assert.match(readFileSync(file, "utf8"), /exports\.version=/);
    // espruino-wifi (64 KB Storage) cannot hold the full stack yet: README, board table.
    if (b !== "espruino-wifi") assert.ok(statSync(file).size <= loadBoard(b).budgets.bundleBytes, `${b} over budget`);
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

test("identifiers the interpreter reserves (of, static) are renamed by the build and caught by the gate", async () => {
  const { renameReserved } = await import("../../tools/compat/keywords.mjs");
  const { checkSource } = await import("../../tools/compat/check.mjs");
  const src = "function of(a){return a+1}var x={of},y=of(2);exports.r=x.of(y)+Array.isArray([]);";
  assert.match(checkSource(src).map((p) => p.message).join("\n"), /identifier "of" is a reserved word/);
  const fixed = renameReserved(src);
  assert.deepEqual(checkSource(fixed), []);
  assert.match(fixed, /x\.of\(y\)/, "property names stay");
  const run = new Function("exports", fixed + "; return exports.r;");
  assert.equal(run({}), 5);
});

test("a bare `return}` is caught by the gate and terminated by the build, source map kept", async () => {
  const { terminateReturns } = await import("../../tools/compat/fixups.mjs");
  const { checkSource } = await import("../../tools/compat/check.mjs");
  const src = "function d(t){t++;return}function e(x){if(x)return;return x}exports.d=d;";
  assert.match(checkSource(src).map((p) => p.message).join(), /bare `return}`/);
  const { code } = terminateReturns(src, null);
  assert.equal(code, "function d(t){t++;return;}function e(x){if(x)return;return x}exports.d=d;");
  assert.deepEqual(checkSource(code), []);
  // Through the real build: the gate still points at the TypeScript line after the insertions.
  const file = await build("linux", "bad-syntax.ts");
  const p = checkBundleFile(file).find((x) => /Math\.imul/.test(x.message));
  assert.equal(p.source.line, 5);
});

test("the unrolled P-256/P-384 field code is what its generator gives", async () => {
  const { regenerated } = await import("../../tools/gen/ecfield/update.mjs");
  const { text, next } = regenerated();
  assert.ok(text === next, "firmware/crypto/ecfield.ts differs from tools/gen/ecfield: run node tools/gen/ecfield/update.mjs");
});

test("the unrolled Montgomery product (n = 48) is what its generator gives", async () => {
  const { regenerated } = await import("../../tools/gen/montmul/update.mjs");
  const { text, next } = regenerated();
  assert.ok(text === next, "firmware/crypto/montmul48.ts differs from tools/gen/montmul: run node tools/gen/montmul/update.mjs");
});

test("the unrolled GF(2^255-19) code is what its generator gives", async () => {
  const { regenerated, splice } = await import("../../tools/gen/field25519/update.mjs");
  const { text, next } = regenerated();
  assert.ok(text === next, "firmware/crypto/field25519.ts differs from tools/gen/field25519: run node tools/gen/field25519/update.mjs");
  // a hand edit inside a marked block is undone by the generator
  const edited = text.replace("  o[3] = a[3] - b[3];\n", "  o[3] = a[3] + b[3];\n");
  assert.notEqual(edited, text);
  const { blocks } = await import("../../tools/gen/field25519/genfield.mjs");
  assert.equal(splice(edited, blocks), text);
});
