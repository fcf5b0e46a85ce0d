import path from "node:path";
import { fileURLToPath } from "node:url";

export const FUZZ_DIR = path.dirname(fileURLToPath(import.meta.url));
export const TARGETS_DIR = path.join(FUZZ_DIR, "targets");
export const ROOT = path.resolve(FUZZ_DIR, "../..");
/** Regression inputs, one file per input (test/fuzz/corpus/<target>/*.bin). */
export const corpusDir = (target) => path.join(ROOT, "test/fuzz/corpus", target);
/** Recorded server flights and other seed material (test/fuzz/seeds/). */
export const SEEDS_DIR = path.join(ROOT, "test/fuzz/seeds");
