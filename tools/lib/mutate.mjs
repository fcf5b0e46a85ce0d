// The mutation runner shared by tools/mutate-tls12.mjs, mutate-tls13.mjs and mutate-x509.mjs.
// A mutant is [name, file, text to find (exactly once), replacement, test files, test-name
// pattern or null]: the runner writes the replacement into the source, rebuilds, runs the tests
// named for it, restores the source. A mutant is killed when a test fails; a run cut off by the
// timeout counts as neither killed nor survived. Results: one line per mutant, .tmp/mutate-<label>.json in the tree the
// script was started from (written after each mutant; MUTATE_RESUME=1 skips those it says were
// killed; MUTATE_OUT=<file> writes elsewhere), and a last line `{"killed","survived","bad","timeouts"}`.
//
// In place (default) it edits firmware/ of this working tree: do not build or commit while it
// runs. With `copy` it works in a scratch copy of the tree (node_modules linked), for tests that
// need nothing outside the repository; the working tree is left alone.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "./paths.mjs";

/** [find, replacement] that disables the refusal `if (cond) tlsFail(` (or `if (cond) <fn>(`:
 *  decodeError, unexpectedMessage). */
export const IF_FALSE = (cond, fn = "tlsFail") => [`if (${cond}) ${fn}(`, `if (false) ${fn}(`];

const SKIP = new Set([".git", "node_modules", "dist", ".tmp"]);

function scratchCopy() {
  const dir = mkdtempSync(path.join(tmpdir(), "etls-mutate-"));
  cpSync(ROOT, dir, { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) || path.dirname(src) !== ROOT });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

function runTests(cwd, files, pattern, timeout, bail) {
  files = files.filter((f) => existsSync(path.join(cwd, f)));
  if (!files.length) return { pass: 0, fail: 0, failed: [] };
  if (bail && files.length > 1) {
    // one file at a time, in this order, until one fails
    let pass = 0;
    for (const f of files) {
      const r = runTests(cwd, [f], pattern, timeout, bail);
      if (r.fail || r.timeout) return { ...r, pass: pass + r.pass };
      pass += r.pass;
    }
    return { pass, fail: 0, failed: [] };
  }
  const pat = pattern ? [`--test-name-pattern=${pattern}`] : [];
  // bail: the file runs in this process with a reporter that ends it at the first failure
  const args = bail ? [`--test-reporter=${path.join(ROOT, "tools/lib/test-bail.mjs")}`, ...pat, files[0]] : ["--test", ...pat, ...files];
  const t = spawnSync("node", args, { cwd, encoding: "utf8", timeout });
  // a run cut off by the timeout proves nothing either way (on a loaded machine it is usually slow, not hung)
  if (t.error && t.error.code === "ETIMEDOUT") return { fail: 0, pass: 0, failed: [], timeout: true };
  const pass = +(/# pass (\d+)/.exec(t.stdout) || [0, 0])[1], fail = +(/# fail (\d+)/.exec(t.stdout) || [0, 0])[1];
  const failed = (t.stdout.match(/^not ok \d+ - .*/gm) || []).map((l) => l.replace(/^not ok \d+ - /, ""));
  return { pass, fail, failed };
}

/** MUTATE_CHECK=1: only says which mutants' text is not found exactly once. */
function checkOnly(mutants) {
  let bad = 0;
  for (const [name, file, find] of mutants) {
    const n = readFileSync(path.join(ROOT, file), "utf8").split(find).length - 1;
    if (n !== 1) { bad++; console.log(`BAD MUTANT (${n} matches): ${name}`); }
  }
  console.log(`${mutants.length} mutants, ${bad} bad`);
  return [];
}

/** Runs `build` in tree W: arguments of a `node` process, or an async function of W. */
async function rebuild(build, W) {
  if (typeof build === "function") {
    try { await build(W); return ""; } catch (e) { return String(e && e.message ? e.message : e); }
  }
  const b = spawnSync("node", build, { cwd: W, encoding: "utf8" });
  return b.status === 0 ? "" : (b.stderr || b.stdout).trim().split("\n").slice(-2).join(" ") || "failed";
}

/**
 * label: names the results file; mutants: see above; build: what rebuilds the bundles the
 * tests load (see rebuild); baseline: test files run once unmutated first (they must pass);
 * copy: work in a scratch copy; only: RegExp over "<file> <mutant name>"; timeout: ms per test run; bail: stop a mutant's
 * tests at the first failure (tools/lib/test-bail.mjs; the files run one at a time).
 */
export async function runMutants({ label, mutants, build, baseline = [], copy = false, only = null, timeout = 600000, bail = false }) {
  if (process.env.MUTATE_CHECK) return checkOnly(mutants);
  const W = copy ? scratchCopy() : ROOT;
  const results = [];
  const out = process.env.MUTATE_OUT ? path.resolve(process.env.MUTATE_OUT) : path.join(ROOT, ".tmp", `mutate-${label}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  // MUTATE_RESUME=1: mutants an earlier run killed are kept, not run again (tests only grow)
  const before = process.env.MUTATE_RESUME && existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : [];
  try {
    if (baseline.length) {
      // the unmutated tree must pass, else every mutant would count as killed
      const bad = await rebuild(build, W);
      const r = !bad ? runTests(W, baseline, null, timeout, bail) : { fail: 1, failed: ["build failed: " + bad] };
      if (r.fail) throw new Error("the unmutated tree fails its tests: " + r.failed.join(" | "));
    }
    for (const [name, file, find, repl, tests, pattern] of mutants) {
      if (only && !only.test(file + " " + name)) continue;
      const old = before.find((x) => x.name === name && x.result.startsWith("killed"));
      if (old) { results.push(old); continue; }
      const p = path.join(W, file), orig = readFileSync(p, "utf8");
      const n = orig.split(find).length - 1;
      let result;
      if (n !== 1) result = `BAD MUTANT (${n} matches)`;
      else {
        writeFileSync(p, orig.replace(find, repl));
        try {
          const bad = await rebuild(build, W);
          if (bad) result = "BUILD FAILED: " + bad;
          else {
            const r = runTests(W, tests, pattern, timeout, bail);
            result = r.fail > 0 ? `killed (${r.fail}/${r.pass + r.fail} failed: ${r.failed.slice(0, 3).join(" | ")})`
              : r.timeout ? `TIMEOUT after ${timeout / 1000} s (${r.pass} passed before it; not counted)` : `SURVIVED (${r.pass} passed)`;
          }
        } finally { writeFileSync(p, orig); }
      }
      results.push({ name, file, result });
      writeFileSync(out, JSON.stringify(results, null, 1)); // kept as it grows: a stopped run keeps its results
      console.log(new Date().toISOString().slice(11, 19), name, "->", result);
    }
  } finally {
    if (copy) rmSync(W, { recursive: true, force: true });
    else await rebuild(build, W);
  }
  const killed = results.filter((r) => r.result.startsWith("killed")).length;
  const bad = results.filter((r) => /^(BAD|BUILD)/.test(r.result)).length;
  const timeouts = results.filter((r) => r.result.startsWith("TIMEOUT")).length;
  console.log(`${killed} of ${results.length - timeouts} killed` + (timeouts ? ` (${timeouts} cut off by the timeout)` : ""));
  console.log(JSON.stringify({ killed, survived: results.length - killed - bad - timeouts, bad, timeouts }));
  return results;
}
