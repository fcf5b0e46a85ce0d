// `espruino-tls build [--board <name> | --all]`: bundles firmware/ for boards, then runs the
// compatibility gate on each bundle. Default: every board.
import { statSync } from "node:fs";
import { buildLayered } from "./lib/layers.mjs";
import { configFor } from "../rollup.config.mjs";
import { boardNames, loadBoard } from "./lib/boards.mjs";
import { checkBundleFile, formatProblems } from "./compat/check.mjs";

export async function buildBoard(board, { test = false, quiet = false, input = null, file = null, plugins = [] } = {}) {
  const cfg = configFor(board, { test, input, file, plugins });
  // One Storage file with lazy layers after its core (tools/lib/layers.mjs). The test bundle (the
  // product plus internals for vectors and unit tests) is built without layers: with them it no
  // longer fits the 256 KB Storage of the Linux reference board; the product bundles (which the
  // TLS, HTTPS, OTA and CA store tests run) are layered.
  await buildLayered(cfg, { storageName: test ? "espruino-tls-test" : "espruino-tls", oneChunk: test });
  file = cfg.output.file;
  const bytes = statSync(file).size;
  const budget = loadBoard(board).budgets.bundleBytes;
  if (!quiet) console.log(`built ${file.replace(process.cwd() + "/", "")}: ${bytes} bytes${test ? "" : ` (budget ${budget})`}`);
  // Over budget is reported, not fatal: the board table says which boards cannot hold the
  // full stack yet, and `flash` refuses what does not fit the board's Storage.
  if (!test && !input && bytes > budget) console.warn(`warning: ${board}: bundle is ${bytes} bytes, over the board's budget of ${budget}`);
  return file;
}

export async function buildCommand(args) {
  const i = args.indexOf("--board");
  const boards = i >= 0 ? [args[i + 1]] : boardNames();
  if (i >= 0) loadBoard(args[i + 1]);
  const withTest = !args.includes("--no-test");
  let bad = 0;
  for (const b of boards) {
    for (const test of withTest ? [false, true] : [false]) {
      const file = await buildBoard(b, { test });
      const problems = checkBundleFile(file);
      if (problems.length) { bad++; console.error(formatProblems(file, problems)); }
    }
  }
  if (bad) throw new Error(`${bad} bundle(s) failed the compatibility check`);
}
