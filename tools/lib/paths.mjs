import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST = path.join(ROOT, "dist");
export const VECTORS = path.resolve(ROOT, "../shared/vectors");
export const bundlePath = (board, test) => path.join(DIST, board, test ? "espruino-tls-test.js" : "espruino-tls.js");
