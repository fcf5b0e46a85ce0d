// TEMPORARY dev harness until the board mock lands: bundles firmware/testing.ts with esbuild
// for Node and runs vector families on it. Usage: node tools/vectors-dev.mjs <family> [limit]
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";
import nodeCrypto from "node:crypto";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const fam = (await import(path.join(root, "test/vectors", process.argv[2] + ".mjs"))).default;
const limit = +(process.argv[3] || 1e9);
const out = await build({ entryPoints: [path.join(root, "firmware/testing.ts")], bundle: true, format: "cjs", write: false, platform: "neutral", external: ["crypto", "Storage"] });
const E = {
  toUint8Array: (s) => Uint8Array.from(String(s), (c) => c.charCodeAt(0) & 255),
  toString: (a) => String.fromCharCode.apply(null, Array.from(a)),
  getSizeOf: () => 0,
  // E.convolve(a, b, off) = sum a[i]*b[(i+off) % b.length] in doubles (RSA bignum's column sums).
  convolve: (a, b, off) => { const l = b.length; let j = off % l, s = 0; if (j < 0) j += l; for (let i = 0; i < a.length; i++) { s += a[i] * b[j]; if (++j === l) j = 0; } return s; },
};
const nativeHash = (alg) => (d) => new Uint8Array(nodeCrypto.createHash(alg).update(typeof d === "string" ? Buffer.from(d, "latin1") : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest()).buffer;
// AES.encrypt(data, key, {mode:"ECB"}) as the interpreter does it: the result is an ArrayBuffer as long
// as the input, whole blocks encrypted and the trailing partial block left as zeros; a bad key prints
// an error and returns undefined. Other modes are not emulated (they throw here).
const bytesOf = (d) => (typeof d === "string" ? Buffer.from(d, "latin1") : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
const nativeAesEncrypt = (data, key, opts) => {
  if (!opts || opts.mode !== "ECB") throw new Error("vectors-dev shim: only AES ECB is emulated");
  const k = bytesOf(key), d = bytesOf(data);
  if (k.length !== 16 && k.length !== 24 && k.length !== 32) { console.log("ERROR: Unknown error: -0x20"); return undefined; }
  const out = new Uint8Array(d.length), whole = d.length & ~15;
  const c = nodeCrypto.createCipheriv(`aes-${k.length * 8}-ecb`, k, null).setAutoPadding(false);
  out.set(Buffer.concat([c.update(d.subarray(0, whole)), c.final()]));
  return out.buffer;
};
const nativeCrypto = {
  SHA256: nativeHash("sha256"),
  SHA384: nativeHash("sha384"),
  SHA512: nativeHash("sha512"),
  AES: { encrypt: nativeAesEncrypt },
};
const ctx = { module: { exports: {} }, E, getTime: () => Date.now() / 1000, setTimeout, console, require: (n) => (n === "crypto" ? nativeCrypto : createRequire(import.meta.url)(n)) };
ctx.exports = ctx.module.exports;
vm.createContext(ctx);
vm.runInContext(out.outputFiles[0].text, ctx);
const T = ctx.module.exports;
let pass = 0, failN = 0;
for (const file of fam.files) {
  const json = JSON.parse(readFileSync(path.join(root, "../shared/vectors/wycheproof", file), "utf8"));
  for (const c of fam.cases(json, file).slice(0, limit)) {
    let ok;
    try { ok = fam.check(T, c); } catch (e) { ok = false; console.log(c.id, "threw", e && (e.code || e.message || e)); }
    if (ok) pass++; else { failN++; if (failN < 20) console.log("FAIL", c.id, c.expect); }
  }
}
console.log(`${fam.family}: ${pass} passed, ${failN} failed`);
