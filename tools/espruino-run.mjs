// `espruino-tls espruino <script.js>`: runs a script on the real interpreter built for Linux
// ($ESPRUINO_BIN) in a fresh temporary directory whose flash (./espruino.flash) holds the linux
// bundle as the Storage module "espruino-tls" (with --test-bundle, the script also finds the test
// bundle as require("espruino-tls-test"): put into the module cache from its host file, since it
// does not fit the Linux build's 256 KB Storage). Without ESPRUINO_BIN it says how to get the
// interpreter and reports "skipped".
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync, statSync, rmSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { DIST, bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { rtPrefix } from "./lib/slice-probe.mjs";

export const HOW_TO_GET = `ESPRUINO_BIN is not set: skipped.
To run on the real interpreter, build Espruino for Linux by its README_Building.md
(github.com/espruino/Espruino; e.g. \`make\` with BOARD=LINUX, RELEASE=1 for the size-optimized build)
outside this repository, then: ESPRUINO_BIN=/path/to/espruino npm run espruino -- <script.js>`;

export function espruinoBin() {
  const bin = process.env.ESPRUINO_BIN;
  if (!bin) return null;
  if (!existsSync(bin)) throw new Error(`ESPRUINO_BIN=${bin} does not exist`);
  return bin;
}

// Copies a host file into Storage in 2 KB pieces (a whole bundle would not fit in RAM).
function installer(files) {
  return files.map(([name, file]) => `(function(){
  var f = E.openFile(${JSON.stringify(file)}, "r"), S = require("Storage"), size = ${statSync(file).size}, o = 0, d;
  while ((d = f.read(2048)) !== undefined && d.length) { S.write(${JSON.stringify(name)}, d, o, size); o += d.length; }
  f.close();
  if (o !== size) throw new Error("installed " + o + " of " + size + " bytes of ${name}");
})();`).join("\n") + "\nsetTimeout(quit, 0);\n";
}

/** Runs the interpreter on `script` in `dir` and resolves with {code, out, timedOut}; see stopOn. */
/**
 * Variables the interpreter starts with, as a board has them (an ESP32 build has 16383). The
 * Linux build starts at 4096 and grows by 4096 only when one variable cannot be allocated,
 * never for a flat buffer: a native result (AES, SHA) asked for when the heap is nearly full
 * fails with "Not enough memory for result" although the next allocation would have grown it.
 * Measured: the main job's first POST failed so (AES_FAILED at 8,100 of 8,192 variables in use).
 */
export const BOARD_HEAP_VARS = 16384;
/** Grows a resizable heap (its total is a multiple of 4096; fixed-size builds have 2^k - 1) to
 *  BOARD_HEAP_VARS: ~2 variables a push, then dropped. */
const GROW_HEAP = `(function(){var a=[],i;if(process.memory(false).total%4096)return;` +
  `for(i=0;i<${(BOARD_HEAP_VARS - 4096) / 2 + 1000};i++)a.push(i+0.5);})();\n`;

/** BENCH_RT=1: every interpreter run gets a core to itself (chrt -f 50; for short measurement
 *  runs only, see tools/lib/slice-probe.mjs). */
function envRtPrefix() { return process.env.BENCH_RT === "1" ? rtPrefix() || [] : []; }

/** prefix: a command the interpreter runs under, e.g. ["chrt", "-f", "50"] (tools/lib/slice-probe.mjs). */
export function runInterpreter(bin, dir, script, { timeoutMs = 600000, onOutput = null, args = [], stopOn = null, boardHeap = true, prefix = [] } = {}) {
  if (boardHeap) {
    const grown = ".heap-" + path.basename(script);
    writeFileSync(path.join(dir, grown), GROW_HEAP + readFileSync(path.join(dir, script), "latin1"), "latin1");
    script = grown;
  }
  return new Promise((resolve) => {
    // stdin must be a pipe that stays open: at end-of-file (/dev/null) the interpreter's input
    // thread feeds garbage to its console, and a closed fd 0 gets reused by the next open file.
    const fifo = path.join(dir, ".stdin");
    if (!existsSync(fifo)) execFileSync("mkfifo", [fifo]);
    const stdin = openSync(fifo, constants.O_RDWR);
    const argv = [...(prefix.length ? prefix : envRtPrefix()), bin, ...args, script];
    const child = spawn(argv[0], argv.slice(1), { cwd: dir, stdio: [stdin, "pipe", "pipe"] });
    closeSync(stdin);
    let out = "";
    // stopOn: a RegExp; once the output matches, the process is stopped (e.g. OUT OF MEMORY,
    // after which a fixed-size build does not go on by itself).
    const take = (d) => {
      const s = d.toString("latin1");
      out += s;
      if (onOutput) onOutput(s);
      if (stopOn && stopOn.test(out)) setTimeout(() => child.kill("SIGKILL"), 200);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, timeoutMs);
    child.on("close", (code) => { clearTimeout(timer); resolve({ code, out, timedOut }); });
  });
}

/** A fresh directory whose flash holds the bundles; returns its path. */
export async function prepareFlash(bin, { extra = [], bundle = null, ...rest } = {}) {
  // The test bundle (one chunk, larger than the Linux build's 256 KB Storage) is not installed:
  // see cacheTestBundle. `bundle`: another product bundle file (a benchmark comparing two builds).
  if (rest.testBundle) throw new Error("prepareFlash: the test bundle does not fit the Linux Storage; use cacheTestBundle()");
  const files = [["espruino-tls", bundle || bundlePath("linux", false)], ...extra];
  for (const [, f] of files) if (!existsSync(f) && f.startsWith(DIST)) await buildBoard("linux", { test: f.endsWith("-test.js"), quiet: true });
  const dir = mkdtempSync(path.join(tmpdir(), "espruino-"));
  writeFileSync(path.join(dir, "install.js"), installer(files));
  const r = await runInterpreter(bin, dir, "install.js", { timeoutMs: 120000, boardHeap: false });
  if (r.code !== 0 || /Uncaught|Error/.test(r.out)) throw new Error(`installing the bundle failed:\n${r.out}`);
  rmSync(path.join(dir, "install.js"));
  return dir;
}

/**
 * An expression the interpreter evaluates to the exports of the CommonJS file `file` on the host,
 * its text read into RAM through E.openFile: for the test bundle (one chunk, no layers, larger
 * than the Linux build's 256 KB Storage) or any code that need not come from Storage. A layered
 * product bundle cannot run so: its core and layers are read from its Storage file.
 */
export function hostModule(file) {
  return `(function(){ var f = E.openFile(${JSON.stringify(file)}, "r"), s = f.read(${statSync(file).size}), m = { exports: {} }; f.close(); (new Function("exports", "module", s))(m.exports, m); return m.exports; })()`;
}

/** A statement that puts the module text of host file `file` into the module cache as `name`
 *  (require(name) then finds it without Storage; e.g. Espruino's MQTT module beside the bundle). */
export function cacheHostModule(name, file) {
  return `(function(){ var f = E.openFile(${JSON.stringify(file)}, "r"); Modules.addCached(${JSON.stringify(name)}, f.read(${statSync(file).size})); f.close(); })();`;
}

/** A statement that puts the test bundle (its host file; built when missing) into the module
 *  cache as "espruino-tls-test", so that require("espruino-tls-test") finds it: code in RAM. */
export async function cacheTestBundle(file = bundlePath("linux", true)) {
  if (!existsSync(file) && file.startsWith(DIST)) await buildBoard("linux", { test: true, quiet: true });
  return cacheHostModule("espruino-tls-test", file);
}

/** Strips the interpreter's start-up banner and final prompt. */
export function cleanOutput(out) {
  return out.replace(/\r/g, "").replace(/^[\s\S]*?http:\/\/espruino\.com\/Donate\n\n?/, "").replace(/\n?>\s*$/, "");
}

export async function espruinoCommand(args) {
  const script = args.find((a) => !a.startsWith("--"));
  if (!script) throw new Error("usage: espruino-tls espruino <script.js> [--test-bundle] [--timeout <s>]");
  const bin = espruinoBin();
  if (!bin) { console.log(HOW_TO_GET); return 0; }
  const t = args.indexOf("--timeout");
  const dir = await prepareFlash(bin);
  const target = path.join(dir, path.basename(script));
  const pre = args.includes("--test-bundle") ? (await cacheTestBundle()) + "\n" : "";
  writeFileSync(target, pre + readFileSync(script, "latin1"), "latin1");
  const r = await runInterpreter(bin, dir, path.basename(script), { timeoutMs: (t >= 0 ? +args[t + 1] : 600) * 1000 });
  const text = cleanOutput(r.out);
  process.stdout.write(text + "\n");
  rmSync(dir, { recursive: true, force: true });
  if (r.timedOut) throw new Error("the interpreter did not finish in time (does the script end with setTimeout(quit, 0)?)");
  if (/^Uncaught /m.test(text)) throw new Error("the script threw (see above)");
  return r.code || 0;
}
