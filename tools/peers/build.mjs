// Peer bundles for `npm run bench -- crypto`: tweetnacl (X25519) and @noble/ciphers
// (ChaCha20-Poly1305), built from node_modules at bench time into single CommonJS files the
// Espruino interpreter runs, "built the same way" as our firmware: one minified bundle.
// Nothing here is committed output: the bundles go to dist/peers/ (git-ignored).
//
// Pipeline (FACTS.md §8):
//   1. bundle: @noble is ESM with modern syntax -> one esbuild ESM bundle (no minification yet);
//      tweetnacl's nacl-fast.js is already a single ES5 CommonJS/UMD file and is taken as is;
//   2. lower to ES5 with TypeScript 5.9 `transpileModule` (destructuring, spread, default
//      parameters, classes, arrows, let/const, for-of over arrays);
//   3. hoist (hoist.mjs): the interpreter hoists nothing, and TS's ES5 classes call
//      `__extends(C, _super)` before `function C` has run;
//   4. polyfills (polyfills.js) for what @noble touches and the interpreter lacks;
//   5. minify with esbuild under the interpreter's syntax limits (as tools/lib/rollup-plugins.mjs
//      does for the firmware), rename identifiers the interpreter reserves, terminate bare returns;
//   6. run our compatibility gate and return its findings: the peers need not pass it (they
//      probe globals they then do not use), but every finding is listed in the bench JSON.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { build, transform } from "esbuild";
import ts from "typescript";
import { parseAst } from "rollup/parseAst";
import { DIST, ROOT } from "../lib/paths.mjs";
import { UNSUPPORTED } from "../lib/rollup-plugins.mjs";
import { renameReserved } from "../compat/keywords.mjs";
import { terminateReturns } from "../compat/fixups.mjs";
import { checkSource } from "../compat/check.mjs";
import { hoist } from "./hoist.mjs";

const require = createRequire(path.join(ROOT, "package.json"));
const versionOf = (pkg) => JSON.parse(readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
const HERE = path.dirname(new URL(import.meta.url).pathname);
export const PEER_DIR = path.join(DIST, "peers");

/** Step 1 for ESM packages: one ESM bundle whose `export default` becomes `module.exports`. */
async function bundleEsm(entrySource) {
  const r = await build({
    stdin: { contents: entrySource, resolveDir: ROOT, loader: "js" },
    bundle: true, format: "esm", target: "es2020", write: false, legalComments: "none", platform: "neutral",
  });
  let code = r.outputFiles[0].text;
  // esbuild ends the bundle with `export { name as default };`: make it CommonJS.
  const ast = parseAst(code);
  const last = ast.body[ast.body.length - 1];
  if (last.type !== "ExportNamedDeclaration" || last.specifiers.length !== 1) throw new Error("peer bundle: unexpected export form");
  code = code.slice(0, last.start) + `module.exports = ${last.specifiers[0].local.name};\n` + code.slice(last.end);
  return code;
}

/** Step 2: ES5. */
function toEs5(code, name) {
  const out = ts.transpileModule(code, {
    fileName: name + ".js",
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, allowJs: true, removeComments: true, noEmitHelpers: false, importHelpers: false },
  });
  return out.outputText;
}

/** Step 5: minify like the firmware, then the interpreter's lexical fix-ups. */
async function minify(code) {
  // Wrapped in a function so every top-level name is local (minifiable, and no globals leak
  // when the bundle is evaluated from RAM); `module` is the loader's (Storage require or eval).
  const r = await transform(`(function(){${code}\n})();`, {
    minify: true, target: "es2020", supported: UNSUPPORTED, legalComments: "none",
  });
  return terminateReturns(renameReserved(r.code), null).code;
}

async function buildOne(name, source, { polyfill }) {
  let code = toEs5(source, name);
  code = hoist(code);
  if (polyfill) code = readFileSync(path.join(HERE, "polyfills.js"), "utf8") + "\n" + code;
  code = await minify(code);
  const file = path.join(PEER_DIR, name + ".js");
  writeFileSync(file, code);
  const problems = checkSource(code, { globals: ["module"] }).map((p) => `${p.line}:${p.column + 1}: ${p.message}`);
  return { file, bytes: Buffer.byteLength(code), gate: problems };
}

/**
 * Builds both peers; returns { tweetnacl, nobleChacha } each { file, bytes, gate: [findings] }.
 * tweetnacl exports the whole nacl object (we call nacl.scalarMult / scalarMult.base);
 * nobleChacha exports { chacha20poly1305 }.
 */
export async function buildPeers() {
  mkdirSync(PEER_DIR, { recursive: true });
  const nacl = readFileSync(require.resolve("tweetnacl/nacl-fast.js"), "utf8");
  const noble = await bundleEsm(`import { chacha20poly1305 } from "@noble/ciphers/chacha.js";\nexport default { chacha20poly1305: chacha20poly1305 };\n`);
  return {
    tweetnacl: { package: "tweetnacl " + versionOf("tweetnacl") + " (nacl-fast.js)", ...(await buildOne("tweetnacl", nacl, { polyfill: false })) },
    nobleChacha: { package: "@noble/ciphers " + versionOf("@noble/ciphers") + " (chacha.js)", ...(await buildOne("noble-chacha", noble, { polyfill: true })) },
  };
}

// `node tools/peers/build.mjs` builds and prints the result.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  console.log(JSON.stringify(await buildPeers(), null, 2));
}
