// Host loader for the hashes helpers' unit tests: bundles the hashes and util test exports
// with esbuild and runs them in a Node vm whose require("crypto") imitates the board's
// one-shot natives (ArrayBuffer results) on top of node:crypto.
import { build } from "esbuild";
import path from "node:path";
import vm from "node:vm";
import nodeCrypto from "node:crypto";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export async function loadHashes() {
  const out = await build({
    stdin: {
      contents: 'export { hashes } from "./firmware/testing/hashes"; export { util } from "./firmware/testing/util";',
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
  const ctx = { module: { exports: {} }, E, require: (n) => { if (n === "crypto") return nativeCrypto; throw new Error("no module " + n); } };
  ctx.exports = ctx.module.exports;
  vm.createContext(ctx);
  vm.runInContext(out.outputFiles[0].text, ctx);
  return ctx.module.exports;
}
