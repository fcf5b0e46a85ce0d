// Host loader for the Curve25519 unit tests: bundles firmware/testing/c25519.ts (and util)
// with esbuild and runs it in a Node vm with the board's require("crypto") one-shot natives
// imitated on node:crypto (SHA-512 for Ed25519 on boards that have it natively).
import { build } from "esbuild";
import path from "node:path";
import vm from "node:vm";
import nodeCrypto from "node:crypto";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export async function loadC25519() {
  const out = await build({
    stdin: {
      contents: 'export { c25519 } from "./firmware/testing/c25519"; export { util } from "./firmware/testing/util";',
      resolveDir: root,
      loader: "ts",
    },
    bundle: true, format: "cjs", write: false, platform: "neutral", external: ["crypto"], target: "es2015",
  });
  const nativeHash = (alg) => (d) => {
    const b = typeof d === "string" ? Buffer.from(d, "latin1") : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    return new Uint8Array(nodeCrypto.createHash(alg).update(b).digest()).buffer;
  };
  const nativeCrypto = { SHA256: nativeHash("sha256"), SHA384: nativeHash("sha384"), SHA512: nativeHash("sha512") };
  const E = {
    toUint8Array: (s) => Uint8Array.from(String(s), (c) => c.charCodeAt(0) & 255),
    toString: (a) => String.fromCharCode.apply(null, Array.from(a)),
  };
  const ctx = { module: { exports: {} }, E, getTime: () => Date.now() / 1000, require: (n) => { if (n === "crypto") return nativeCrypto; throw new Error("no module " + n); } };
  ctx.exports = ctx.module.exports;
  vm.createContext(ctx);
  vm.runInContext(out.outputFiles[0].text, ctx);
  return ctx.module.exports;
}
