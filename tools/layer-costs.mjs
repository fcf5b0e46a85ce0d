// `node tools/layer-costs.mjs [bundle] [--rt]`: what each lazy layer costs on the interpreter at
// $ESPRUINO_BIN, the bundle required from Storage as a board runs it (default: the linux product
// bundle, built when missing). Prints one JSON line:
//   rest      JsVars the library keeps after require (process.memory().usage after a collection)
//   layers    per layer, in table order: JsVars its evaluation added (pinned one after the other:
//             a layer another one pulls in while it is evaluated is counted with that one) and ms
//   allLoaded JsVars of the library with every layer pinned
//   (a layout that runs out of memory on the way: error, rest, the layers that fitted, stoppedAt)
// --rt: the interpreter runs under chrt -f 50 (a core to itself; for the ms, short runs only).
// JsVar counts are meant for the 32-bit layouts (/opt/espruino/esp32/espruino, /opt/espruino/c3/espruino).
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadavg } from "node:os";
import { espruinoBin, prepareFlash, runInterpreter, cleanOutput } from "./espruino-run.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";

const SCRIPT = `var u0 = process.memory().usage, t0 = getTime();
var lib = require("espruino-tls");
var out;
print("REQUIRED " + (process.memory().usage - u0));
out = { requireMs: Math.round((getTime() - t0) * 1000), rest: process.memory().usage - u0, total: process.memory().total, layers: {} };
var names = lib.layers.names();
for (var i = 0; i < names.length; i++) {
  var a = process.memory().usage, t = getTime();
  lib.layers.pin(names[i]);
  var ms = Math.round((getTime() - t) * 1000);
  out.layers[names[i]] = { jsVars: process.memory().usage - a, ms: ms };
  print("PINNED " + names[i] + " " + out.layers[names[i]].jsVars + " " + ms);
}
out.allLoaded = process.memory().usage - u0;
out.evaluations = lib.layers.evaluations();
print("RESULT " + JSON.stringify(out));
setTimeout(quit, 10);`;

export async function layerCosts(bundle, { rt = false } = {}) {
  const bin = espruinoBin();
  if (!bin) throw new Error("layer-costs: set ESPRUINO_BIN");
  const file = bundle ? path.resolve(bundle) : bundlePath("linux", false);
  if (!existsSync(file)) await buildBoard("linux", { quiet: true });
  const la = loadavg().map((x) => +x.toFixed(2));
  const dir = await prepareFlash(bin, { bundle: file });
  try {
    writeFileSync(path.join(dir, "costs.js"), SCRIPT);
    const r = await runInterpreter(bin, dir, "costs.js", { timeoutMs: 300000, boardHeap: false, prefix: rt ? ["chrt", "-f", "50"] : [] });
    const out = cleanOutput(r.out);
    const m = /RESULT (\{.*\})/.exec(out);
    if (m) return { bin, bundle: file, rt, loadavg: la, ...JSON.parse(m[1]) };
    // a small layout runs out of memory on the way: what fitted, and where it stopped
    const req = /REQUIRED (\d+)/.exec(out), layers = {};
    for (const p of out.matchAll(/PINNED (\S+) (-?\d+) (\d+)/g)) layers[p[1]] = { jsVars: +p[2], ms: +p[3] };
    return { bin, bundle: file, rt, loadavg: la, error: /OUT OF MEMORY|Not enough memory/.test(out) ? "OUT_OF_MEMORY" : "NO_RESULT",
      rest: req ? +req[1] : null, layers, stoppedAt: req ? "layer after " + (Object.keys(layers).pop() || "require") : "require" };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const r = await layerCosts(args.find((a) => !a.startsWith("--")), { rt: args.includes("--rt") });
  console.log(JSON.stringify(r));
}
