// `npm test`: builds every board's bundles (which runs the compatibility gate), then runs all
// test/**/*.test.mjs with node's test runner. Extra arguments are passed to node --test.
import { readdirSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "./lib/paths.mjs";
import { buildCommand } from "./build.mjs";

function testFiles(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? testFiles(p) : f.endsWith(".test.mjs") ? [p] : [];
  }).sort();
}

await buildCommand([]);
const args = process.argv.slice(2);
const files = args.some((a) => !a.startsWith("-")) ? [] : testFiles(path.join(ROOT, "test"));
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...args, ...files], { cwd: ROOT, stdio: "inherit" });
process.exit(r.status ?? 1);
