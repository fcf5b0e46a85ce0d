// `espruino-tls check [files...]`: the compatibility gate over built bundles.
import { existsSync } from "node:fs";
import path from "node:path";
import { DIST, bundlePath } from "../lib/paths.mjs";
import { boardNames } from "../lib/boards.mjs";
import { checkBundleFile, formatProblems } from "./check.mjs";

/** The boards' built bundles (dist/ also holds benchmark peers, which are not ours to gate). */
export function builtBundles() {
  if (!existsSync(DIST)) return [];
  return boardNames().flatMap((b) => [bundlePath(b, false), bundlePath(b, true)]).filter((f) => existsSync(f));
}

export function checkCommand(args) {
  const files = args.length ? args : builtBundles();
  if (!files.length) throw new Error("no bundles in dist/: run `npm run build` first");
  let bad = 0;
  for (const f of files) {
    const problems = checkBundleFile(f);
    if (problems.length) { bad++; console.error(formatProblems(f, problems)); }
    else console.log(`ok ${path.relative(process.cwd(), f)}`);
  }
  return bad ? 1 : 0;
}
