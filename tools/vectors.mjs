// `espruino-tls vectors [family...] [--board <name>] [--real] [--sample N]`: runs the public test
// vectors (test/vectors/<family>.mjs over test/vectors/data/wycheproof) on the built test bundle inside the
// board mock, or with --real on the interpreter at $ESPRUINO_BIN. Prints `N passed, M failed`
// per family. A family's check() runs on the board: it is serialized and passes the same gate.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createBoard, flashFor } from "./mock/board.mjs";
import { ROOT, VECTORS, bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { espruinoBin, prepareFlash, runInterpreter, cleanOutput, cacheTestBundle, HOW_TO_GET } from "./espruino-run.mjs";

export function familyNames() {
  return readdirSync(path.join(ROOT, "test/vectors")).filter((f) => f.endsWith(".mjs")).map((f) => f.slice(0, -4)).sort();
}

export async function loadFamily(name) {
  const file = path.join(ROOT, "test/vectors", name + ".mjs");
  if (!existsSync(file)) throw new Error(`unknown vector family "${name}": expected one of ${familyNames().join(", ")}`);
  const fam = (await import(file)).default;
  const cases = [];
  for (const f of fam.files) {
    const json = JSON.parse(readFileSync(path.join(VECTORS, "wycheproof", f), "utf8"));
    cases.push(...fam.cases(json, f));
  }
  return { fam, cases };
}

/** Every k-th case, so that a sample still covers each group of the file. */
export function sample(cases, n) {
  if (!n || cases.length <= n) return cases;
  const step = cases.length / n;
  return Array.from({ length: n }, (_, i) => cases[Math.floor(i * step)]);
}

/** Runs cases on the board mock; resolves with {passed, failed, failures}. */
export async function runOnMock(fam, cases, { board = "linux" } = {}) {
  const file = bundlePath(board, true);
  if (!existsSync(file)) await buildBoard(board, { test: true, quiet: true });
  const b = createBoard({ board, flash: flashFor(board, file) });
  try {
    b.loadLibrary(file, "espruino-tls-test");
    const check = b.run(`(${fam.check.toString().replace(/^check\s*\(/, "function (")})`, `${fam.family}.check`);
    const T = b.require("espruino-tls-test");
    const failures = [];
    let passed = 0;
    for (const c of cases) {
      let ok, err = null;
      try { ok = check(T, b.realm.parseJSON(JSON.stringify(c))) === true; } catch (e) { ok = false; err = e && (e.code || e.message) ? `${e.code || ""} ${e.message || ""}`.trim() : String(e); }
      if (ok) passed++; else failures.push({ id: c.id, expect: c.expect, comment: c.comment, error: err });
    }
    return { passed, failed: failures.length, failures };
  } finally { b.close(); }
}

/** Runs cases on the real interpreter, streaming them from a file one line at a time. */
export async function runOnInterpreter(bin, fam, cases, { timeoutMs = 600000 } = {}) {
  const dir = await prepareFlash(bin);
  writeFileSync(path.join(dir, "cases.jsonl"), cases.map((c) => JSON.stringify(c)).join("\n") + "\n");
  writeFileSync(path.join(dir, "run.js"), `${await cacheTestBundle()}
var T = require("espruino-tls-test");
var check = ${fam.check.toString().replace(/^check\s*\(/, "function (")};
var f = E.openFile("cases.jsonl", "r"), buf = "", pass = 0, fail = 0, d, i, c;
while (true) {
  i = buf.indexOf("\\n");
  if (i < 0) { d = f.read(1024); if (d === undefined || !d.length) break; buf += d; continue; }
  c = JSON.parse(buf.substr(0, i)); buf = buf.substr(i + 1);
  var ok = false;
  try { ok = check(T, c) === true; } catch (e) { print("ERR " + c.id + " " + (e.code || e.message || e)); }
  if (ok) pass++; else { fail++; print("FAIL " + c.id + " " + c.expect); }
}
f.close();
print("RESULT " + pass + " " + fail);
setTimeout(quit, 0);
`);
  const t0 = Date.now();
  const r = await runInterpreter(bin, dir, "run.js", { timeoutMs });
  const out = cleanOutput(r.out);
  const m = /RESULT (\d+) (\d+)/.exec(out);
  if (!m) throw new Error(`${fam.family}: the interpreter gave no result${r.timedOut ? " (timed out)" : ""}:\n${out.slice(-2000)}`);
  const failures = [...out.matchAll(/^FAIL (\S+) (\S+)/gm)].map((x) => ({ id: x[1], expect: x[2] }));
  return { passed: +m[1], failed: +m[2], failures, seconds: (Date.now() - t0) / 1000 };
}

export async function vectorsCommand(args) {
  const opt = { board: "linux", real: args.includes("--real"), sample: 0, families: [] };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--board") opt.board = args[++i];
    else if (args[i] === "--sample") opt.sample = +args[++i];
    else if (!args[i].startsWith("--")) opt.families.push(args[i]);
  }
  const bin = opt.real ? espruinoBin() : null;
  if (opt.real && !bin) { console.log(HOW_TO_GET); return 0; }
  let failedTotal = 0;
  for (const name of opt.families.length ? opt.families : familyNames()) {
    const { fam, cases } = await loadFamily(name);
    const chosen = opt.real ? sample(cases, opt.sample || fam.realSample || 40) : sample(cases, opt.sample);
    const where = opt.real ? "interpreter" : `mock:${opt.board}`;
    const r = opt.real ? await runOnInterpreter(bin, fam, chosen) : await runOnMock(fam, chosen, { board: opt.board });
    for (const f of r.failures.slice(0, 10)) console.log(`  FAIL ${f.id} (expected ${f.expect})${f.error ? ": " + f.error : ""}`);
    const of = chosen.length < cases.length ? ` (sample of ${cases.length})` : "";
    console.log(`${fam.family} [${where}]${of}: ${r.passed} passed, ${r.failed} failed${r.seconds ? ` in ${r.seconds.toFixed(1)} s` : ""}`);
    failedTotal += r.failed;
  }
  return failedTotal ? 1 : 0;
}
