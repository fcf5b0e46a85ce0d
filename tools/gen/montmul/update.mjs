// Regenerates the unrolled Montgomery product of firmware/crypto/montmul48.ts: the lines between
// "---- GENERATED" and "---- END GENERATED". `node tools/gen/montmul/update.mjs [--check]`
// (--check exits 1 when the file differs from what the generator gives).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../lib/paths.mjs";
import { block } from "./genmont.mjs";

const FILE = path.join(ROOT, "firmware/crypto/montmul48.ts");

export function regenerated() {
  const text = readFileSync(FILE, "utf8");
  const start = text.indexOf("\n", text.indexOf("// ---- GENERATED")) + 1;
  const end = text.indexOf("// ---- END GENERATED");
  if (start <= 0 || end < 0) throw new Error("GENERATED markers not found in " + FILE);
  return { text, next: text.slice(0, start) + block + "\n" + text.slice(end) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { text, next } = regenerated();
  if (process.argv.includes("--check")) process.exit(text === next ? 0 : 1);
  writeFileSync(FILE, next);
}
