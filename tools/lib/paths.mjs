import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST = path.join(ROOT, "dist");
/** Vector data kept in the repository (Wycheproof, x509-limbo: see its README.md). */
export const VECTORS = path.join(ROOT, "test/vectors/data");
export const bundlePath = (board, test) => path.join(DIST, board, test ? "espruino-tls-test.js" : "espruino-tls.js");
