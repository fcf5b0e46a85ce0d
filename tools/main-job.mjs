// `npm start [-- --board <name>] [-- --real]`: the main job, step by step, on a simulated board.
// Today: build the bundle, install it in the board mock's Storage, load it with require(),
// show the board profile and run the entropy start-up. The verified HTTPS POST joins this
// script when the TLS client lands (issue 7).
import { createBoard } from "./mock/board.mjs";
import { loadBoard } from "./lib/boards.mjs";
import { buildBoard } from "./build.mjs";
import { checkBundleFile, formatProblems } from "./compat/check.mjs";
import { espruinoBin, prepareFlash, runInterpreter, cleanOutput, HOW_TO_GET } from "./espruino-run.mjs";
import { writeFileSync } from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const boardName = args.includes("--board") ? args[args.indexOf("--board") + 1] : "esp32";
const real = args.includes("--real");
let n = 0;
const step = (text) => console.log(`\n[${++n}] ${text}`);

// What the app on the board does; runs in the mock, or on the interpreter with --real.
const APP = `var lib = require("espruino-tls");
print("    espruino-tls " + lib.version + " loaded from Storage");
if (lib.random && lib.entropyStatus) {
  var r = lib.random(16), s = lib.entropyStatus(), hex = "";
  for (var i = 0; i < r.length; i++) hex += (r[i] < 16 ? "0" : "") + r[i].toString(16);
  print("    entropy: source " + s.source + ", health " + s.health + ", 16 random bytes " + hex);
} else {
  print("    entropy module: not in this build yet");
}
`;

async function main() {
  step(`building the ${boardName} bundle`);
  const profile = loadBoard(boardName);
  const file = await buildBoard(boardName);
  const problems = checkBundleFile(file);
  if (problems.length) throw new Error(formatProblems(file, problems));
  console.log("    compatibility gate: ok");

  step(`board profile: ${profile.title}`);
  console.log(`    ${profile.interpreter.jsVars} JsVars x ${profile.interpreter.bytesPerJsVar} bytes, Storage ${profile.storage.bytes} bytes`);
  console.log(`    entropy: ${profile.entropy.source}${profile.entropy.register !== "0" ? " at " + profile.entropy.register : ""} (${profile.entropy.condition})`);
  console.log(`    native crypto: ${profile.nativeCrypto.join(", ")}`);

  if (real) {
    const bin = espruinoBin();
    if (!bin) { console.log(HOW_TO_GET); return; }
    step("installing the linux bundle in the real interpreter's Storage");
    const dir = await prepareFlash(bin);
    writeFileSync(path.join(dir, "app.js"), APP + "setTimeout(quit, 0);\n");
    step("running the app on the real interpreter");
    const r = await runInterpreter(bin, dir, "app.js", { timeoutMs: 120000 });
    console.log(cleanOutput(r.out));
    return;
  }

  step("writing the bundle into the board mock's Storage and running the app");
  const board = createBoard({ board: boardName, print: (s) => console.log(s) });
  try {
    board.install("espruino-tls", (await import("node:fs")).readFileSync(file, "latin1"));
    board.run(APP, "app.js");
  } finally { board.close(); }
  step("done");
}

main().catch((e) => { console.error(`main job failed: ${e && e.message ? e.message : e}`); process.exitCode = 1; });
