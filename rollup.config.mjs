// One minified, tree-shaken CommonJS module per board. On the board it is the Storage file
// "espruino-tls", loaded with require("espruino-tls"); its code then runs from flash.
// Implementations are chosen by the board profile (tools/lib/boards.mjs -> firmware/board.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import { boardNames, loadBoard, boardConstants as constantsOf } from "./tools/lib/boards.mjs";
import { boardConstants, firmwareTs, minify } from "./tools/lib/rollup-plugins.mjs";
import { ROOT, bundlePath } from "./tools/lib/paths.mjs";
import { mangleProps } from "./tools/lib/mangle.mjs";

const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** `plugins`: extra plugins run before the TypeScript one (the fuzz bundle's, tools/fuzz/memo.mjs). */
export function configFor(board, { test = false, input = null, file = null, buildTime = Math.floor(Date.now() / 1000), plugins = [] } = {}) {
  const profile = loadBoard(board);
  return {
    input: input || path.join(ROOT, "firmware", test ? "testing.ts" : "index.ts"),
    plugins: [boardConstants(constantsOf(profile, pkg.version, buildTime)), ...plugins, firmwareTs(), mangleProps({ test }), minify()],
    treeshake: { moduleSideEffects: false, propertyReadSideEffects: false, unknownGlobalSideEffects: false },
    output: {
      file: file || bundlePath(board, test),
      format: "cjs",
      exports: "named",
      esModule: false,
      strict: false,
      freeze: false,
      sourcemap: "hidden",
      generatedCode: { arrowFunctions: true, constBindings: true, objectShorthand: true, symbols: false },
    },
    onwarn(w, warn) {
      if (w.code === "CIRCULAR_DEPENDENCY") throw new Error(w.message + " (no hoisting on the board: break the cycle)");
      warn(w);
    },
  };
}

// `rollup -c` builds every board; BOARD=<name> builds one.
const boards = process.env.BOARD ? [process.env.BOARD] : boardNames();
export default boards.flatMap((b) => [configFor(b), configFor(b, { test: true })]);
