// Regenerates the unrolled field operations of firmware/crypto/ecfield.ts: the lines between
// "---- GENERATED" and "---- END GENERATED". `node tools/gen/ecfield/update.mjs [--check]`
// (--check exits 1 when the file differs from what the generator gives).
import path from "node:path";
import { ROOT } from "../../lib/paths.mjs";
import { regenerate, updateCommand } from "../generated-block.mjs";
import { block } from "./genfield.mjs";

const FILE = path.join(ROOT, "firmware/crypto/ecfield.ts");

export function regenerated() {
  return regenerate(FILE, block);
}

if (import.meta.url === `file://${process.argv[1]}`) updateCommand(FILE, block);
