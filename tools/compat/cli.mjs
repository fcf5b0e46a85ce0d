// `espruino-tls check [files...]`: the compatibility gate over built bundles.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { DIST } from "../lib/paths.mjs";
import { checkBundleFile, formatProblems } from "./check.mjs";

export function builtBundles() {
  if (!existsSync(DIST)) return [];
  return readdirSync(DIST).flatMap((b) => readdirSync(path.join(DIST, b)).filter((f) => f.endsWith(".js")).map((f) => path.join(DIST, b, f)));
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
