// Regenerates the unrolled Montgomery product of firmware/crypto/montmul48.ts: the lines between
// "---- GENERATED" and "---- END GENERATED". `node tools/gen/montmul/update.mjs [--check]`
// (--check exits 1 when the file differs from what the generator gives).
import path from "node:path";
import { ROOT } from "../../lib/paths.mjs";
import { regenerate, updateCommand } from "../generated-block.mjs";
import { block } from "./genmont.mjs";

const FILE = path.join(ROOT, "firmware/crypto/montmul48.ts");

export function regenerated() {
  return regenerate(FILE, block);
}

if (import.meta.url === `file://${process.argv[1]}`) updateCommand(FILE, block);
