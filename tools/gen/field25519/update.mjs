// Regenerates the unrolled code of firmware/crypto/field25519.ts in place: the lines between
// "// ---- GENERATED <name> ----" and "// ---- END GENERATED <name> ----" become genfield.mjs's
// blocks[name]. `node tools/gen/field25519/update.mjs [--check]` (--check exits 1 when the
// file differs from what the generator gives).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../lib/paths.mjs";
import { blocks } from "./genfield.mjs";

const FILE = path.join(ROOT, "firmware/crypto/field25519.ts");

/** Replaces each marked block of `text` with blocks[name]; every block must be marked once. */
export function splice(text, blocks, file = FILE) {
  const seen = new Set();
  const next = text.replace(/^(\/\/ ---- GENERATED (\S+) ----\n)([\s\S]*?)^(\/\/ ---- END GENERATED (\S+) ----)$/gm, (all, start, name, body, end, endName) => {
    if (endName !== name) throw new Error(`${file}: GENERATED ${name} is closed by END GENERATED ${endName}`);
    if (!(name in blocks)) throw new Error(`${file}: no generator for the block GENERATED ${name}`);
    if (seen.has(name)) throw new Error(`${file}: block GENERATED ${name} appears twice`);
    seen.add(name);
    return start + blocks[name] + end;
  });
  const missing = Object.keys(blocks).filter((n) => !seen.has(n));
  if (missing.length) throw new Error(`${file}: no GENERATED markers for ${missing.join(", ")}`);
  return next;
}

export function regenerated() {
  const text = readFileSync(FILE, "utf8");
  return { text, next: splice(text, blocks) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { text, next } = regenerated();
  if (process.argv.includes("--check")) process.exit(text === next ? 0 : 1);
  writeFileSync(FILE, next);
}
