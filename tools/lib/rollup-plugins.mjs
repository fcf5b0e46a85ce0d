// Rollup plugins of the firmware build: TypeScript through esbuild with the interpreter's
// syntax limits, board constants in place of firmware/board.ts, and esbuild minification.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { transform } from "esbuild";
import { ROOT } from "./paths.mjs";
import { renameReserved } from "../compat/keywords.mjs";
import { terminateReturns } from "../compat/fixups.mjs";
import { chunkImports } from "./layers.mjs";

// Syntax the interpreter lacks (FACTS §1). esbuild fails the build on those it cannot lower
// (destructuring, generators, async) and lowers the rest. `**` is left alone on purpose: lowered, it
// becomes an unmapped Math.pow alias; kept, check:bundle reports it at its TypeScript line.
export const UNSUPPORTED = {
  "array-spread": false, "async-await": false, "async-generator": false, "bigint": false,
  "class-private-accessor": false, "class-private-brand-check": false, "class-private-field": false,
  "class-private-method": false, "class-private-static-accessor": false, "class-private-static-field": false,
  "class-private-static-method": false, "class-static-blocks": false, "decorators": false,
  "default-argument": false, "destructuring": false, "dynamic-import": false,
  "for-await": false, "generator": false, "import-meta": false, "logical-assignment": false,
  "nested-rest-binding": false, "new-target": false, "object-rest-spread": false, "optional-chain": false,
  "rest-argument": false, "top-level-await": false, "using": false,
};

const TS_OPTIONS = { compilerOptions: { useDefineForClassFields: false, verbatimModuleSyntax: true } };
const BOARD_TS = path.join(ROOT, "firmware", "board.ts");

export function firmwareTs() {
  return {
    name: "firmware-ts",
    resolveId(source, importer) {
      if (!importer || !source.startsWith(".")) return null;
      const base = path.resolve(path.dirname(importer), source);
      for (const f of [base, base + ".ts", path.join(base, "index.ts")]) if (existsSync(f) && f.endsWith(".ts")) return f;
      return null;
    },
    async transform(code, id) {
      if (!id.endsWith(".ts")) return null;
      const r = await transform(code, {
        loader: "ts", format: "esm", target: "es2020", supported: UNSUPPORTED,
        tsconfigRaw: TS_OPTIONS, sourcemap: true, sourcefile: path.relative(ROOT, id),
      });
      return { code: r.code, map: r.map };
    },
  };
}

/** Replaces firmware/board.ts with this board's literal constants (same export names). */
export function boardConstants(constants) {
  const declared = [...readFileSync(BOARD_TS, "utf8").matchAll(/^export const (\w+)/gm)].map((m) => m[1]).sort();
  const given = Object.keys(constants).sort();
  if (declared.join() !== given.join()) {
    throw new Error(`firmware/board.ts exports [${declared}] but the build supplies [${given}]`);
  }
  return {
    name: "board-constants",
    load(id) {
      if (id !== BOARD_TS) return null;
      return Object.entries(constants).map(([k, v]) => `export const ${k} = ${JSON.stringify(v)};`).join("\n");
    },
  };
}

/** prepare(code, chunk): per-chunk step before minifying (the lazy-layer build, tools/lib/layers.mjs:
 *  imports between chunks blanked, a layer wrapped in a function); returns { code, define, finish }
 *  where finish({code, map}) undoes the wrapping after minification. */
export function minify({ prepare = chunkImports } = {}) {
  return {
    name: "esbuild-minify",
    async renderChunk(code, chunk) {
      let define, finish = null;
      if (prepare) ({ code, define, finish } = prepare(code, chunk));
      const r = await transform(code, {
        minify: true, format: "cjs", target: "es2020", supported: UNSUPPORTED, sourcemap: true, legalComments: "none", define,
      });
      const out = terminateReturns(renameReserved(r.code), JSON.parse(r.map));
      return finish ? finish(out) : out;
    },
  };
}
