// Runs an app script on a simulated board with the product bundle, and waits for it to call
// done(result) (or fail). Globals given in `globals` are defined for the script; `files`
// ({ name: byte string }) are written into the board's Storage first.
import { createBoard, flashFor } from "../../tools/mock/board.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";

export async function runApp(script, { board = "linux", globals = {}, files = {}, timeoutMs = 60000, boardOptions = {}, testBundle = false } = {}) {
  // (the test bundle may outgrow the board's Storage: a flash with room for it, tools/mock/board.mjs)
  const flash = testBundle && !boardOptions.flash ? { flash: flashFor(board, bundlePath(board, true)) } : {};
  const b = createBoard({ board, ...flash, ...boardOptions });
  try {
    // testBundle: the test build (its internal property names are not mangled) as "espruino-tls".
    b.loadLibrary(bundlePath(board, testBundle));
    for (const [name, data] of Object.entries(files)) b.install(name, data);
    for (const [k, v] of Object.entries(globals)) b.define(k, v);
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`app did not finish in ${timeoutMs} ms; printed:\n${b.printed.join("\n")}`)), timeoutMs);
      b.define("done", (r) => { clearTimeout(timer); resolve(JSON.parse(JSON.stringify(r === undefined ? null : r))); });
      b.run(script, "app.js");
    });
  } finally {
    await new Promise((r) => setTimeout(r, 50));
    b.close();
  }
}
