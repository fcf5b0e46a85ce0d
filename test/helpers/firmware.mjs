// The one loader of the firmware for host tests: the BUILT test bundle
// (dist/<board>/espruino-tls-test.js: firmware/testing.ts through tools/build.mjs, minified,
// with the board's constants) installed in the board mock (tools/mock/board.mjs), so that unit
// tests exercise the code that goes on the board, with the board's natives (require("crypto"),
// E.convolve, ...) as the mock imitates them.
//
//   const { T, board, crypto } = await loadFirmware({ board: "linux", convolve: true });
//   T.hashes.portableSha256.hash(...), T.aead, T.rsa, T.c25519, T.nist, T.x509t, T.util, ...
//
// T lives in the mock's realm: its typed arrays are the realm's (Buffer.from(x) and indexing
// work; compare contents, not prototypes). `crypto` is the board's require("crypto") object that
// the firmware calls, for tests that count or fail native calls.
//
// Bundle freshness: `npm test` builds every board first. When the dist bundle is missing or
// older than a file under firmware/ or boards/ (a test run on its own after an edit), a fresh
// one is built into a temporary file (dist is left alone: other test processes may be reading
// it).
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import vm from "node:vm";
import { createBoard, flashFor } from "../../tools/mock/board.mjs";
import { ROOT, bundlePath, newestMtime } from "../../tools/lib/paths.mjs";
import { buildBoard } from "../../tools/build.mjs";

const LIBRARY = "espruino-tls-test";
const TWO53 = 9007199254740992;


const built = {};
/** Path of an up-to-date test bundle for `board` (see "Bundle freshness" above). */
export async function testBundlePath(board = "linux") {
  if (!built[board]) {
    built[board] = (async () => {
      const file = bundlePath(board, true);
      const sources = Math.max(newestMtime(path.join(ROOT, "firmware")), newestMtime(path.join(ROOT, "boards")));
      if (existsSync(file) && statSync(file).mtimeMs >= sources) return file;
      const dir = mkdtempSync(path.join(tmpdir(), "etls-test-bundle-"));
      process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
      return buildBoard(board, { test: true, quiet: true, file: path.join(dir, board, path.basename(file)) });
    })();
  }
  return built[board];
}

/**
 * A fresh board mock with the test bundle loaded.
 *  - board: board profile (default "linux").
 *  - convolve: true (default) keeps the board's E.convolve, checked: a dot product of 2^53 or
 *    more in absolute value throws (the firmware keeps every one exact; an inexact one would be
 *    a bug); false removes E.convolve before loading, which exercises the portable fallbacks.
 *  - file: another build of the test bundle (the fuzz targets' one, tools/fuzz/memo.mjs).
 *  - globals: host functions that bundle expects, defined before it loads.
 * Returns { T, board, crypto, where, close }.
 */
export async function loadFirmware({ board = "linux", convolve = true, file = null, globals = {} } = {}) {
  file = file || await testBundlePath(board);
  const b = createBoard({ board, flash: flashFor(board, file) });
  for (const [name, value] of Object.entries(globals)) b.define(name, value);
  const E = b.context.E;
  if (!convolve) delete E.convolve;
  else {
    // (compiled in the board's realm, as the mock's E.convolve is: then V8 can inline both into
    // the firmware's products)
    E.convolve = vm.runInContext(`(function (native, LIMIT) {
      return function convolve(x, y, off) {
        var s = native(x, y, off);
        if (!(s < LIMIT && s > -LIMIT)) throw new Error("E.convolve sum not exact: " + s);
        return s;
      };
    })`, b.context)(E.convolve, TWO53);
  }
  const T = b.loadLibrary(file, LIBRARY);
  const crypto = b.profile.nativeCrypto.length ? b.require("crypto") : null;
  return { T, board: b, crypto, where: `built test bundle ${path.relative(ROOT, file)} in the board mock (${board})`, close: () => b.close() };
}
