import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST = path.join(ROOT, "dist");
/** Vector data kept in the repository (Wycheproof, x509-limbo: see its README.md). */
export const VECTORS = path.join(ROOT, "test/vectors/data");
export const bundlePath = (board, test) => path.join(DIST, board, test ? "espruino-tls-test.js" : "espruino-tls.js");

/** The newest modification time (ms) of any file under `dir`: whether a build is stale. */
export function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}
