// The part of a firmware file between "// ---- GENERATED" and "// ---- END GENERATED", replaced by
// what a generator gives; shared by the update scripts under tools/gen/.
import { readFileSync, writeFileSync } from "node:fs";

/** The file's text and the text with `block` in place of its generated part. */
export function regenerate(file, block) {
  const text = readFileSync(file, "utf8");
  const start = text.indexOf("\n", text.indexOf("// ---- GENERATED")) + 1;
  const end = text.indexOf("// ---- END GENERATED");
  if (start <= 0 || end < 0) throw new Error("GENERATED markers not found in " + file);
  return { text, next: text.slice(0, start) + block + "\n" + text.slice(end) };
}

/** Command line of an update script: writes the file, or with --check exits 1 when it differs. */
export function updateCommand(file, block) {
  const { text, next } = regenerate(file, block);
  if (process.argv.includes("--check")) process.exit(text === next ? 0 : 1);
  writeFileSync(file, next);
}
