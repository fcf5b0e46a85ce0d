// `npm run bench -- entropy`: the entropy module's start-up self-test time (first random() call:
// 1024 samples through the health tests, conditioning, DRBG instantiation, seed-file rewrite) and
// HMAC-DRBG output rate, on the board mock for every board and, with `real` and ESPRUINO_BIN, on
// the real Linux interpreter.
//
// On the real interpreter two placements of the bundle's code are measured:
//   storage: required from Storage as installed. The Linux build keeps Storage in a file and runs
//            code from it through "flash strings" read 16 bytes per fopen/fseek/fread/fclose
//            (targets/linux/jshardware.c jshFlashRead, src/jsvariterator.h), which slows hot loops
//            several-fold: an artifact of the Linux port;
//   ram:     the same bundle text evaluated from RAM: closer to ESP32/STM32 boards, whose Storage is
//            memory-mapped (jshFlashGetMemMapAddress) and runs at RAM speed.
// loopUs (µs per iteration of an empty loop, measured in the same process) shows the machine's
// load at the time: FACTS.md §7 measured 0.6 µs on an idle machine.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createBoard } from "./mock/board.mjs";
import { boardNames, loadBoard } from "./lib/boards.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { runInterpreter, cleanOutput } from "./espruino-run.mjs";
import { RAM_SERVE } from "./lib/slice-probe.mjs";

// Runs on the board (mock or interpreter): one boot, then the DRBG rate for two request sizes.
const PROBE = `function probe(lib) {
  var t = getTime(), i, r = {};
  for (i = 0; i < 1000; i++);
  r.loopUs = (getTime() - t) * 1000;
  t = getTime();
  lib.random(32);
  r.startupMs = (getTime() - t) * 1000;
  r.status = lib.entropyStatus();
  r.drbgBytesPerSec = {};
  [32, 1024].forEach(function (size) {
    var t0 = getTime(), n = 0;
    while (getTime() - t0 < 0.4) { lib.random(size); n += size; }
    r.drbgBytesPerSec[size] = Math.round(n / (getTime() - t0));
  });
  return r;
}`;

function onMock(board) {
  const b = createBoard({ board });
  try {
    const lib = b.loadLibrary(bundlePath(board, false));
    const probe = b.run(`(${PROBE})`, "bench-entropy.js");
    const r = probe(lib);
    return { startupMs: +r.startupMs.toFixed(2), drbgBytesPerSec: { ...r.drbgBytesPerSec }, health: r.status.health, samples: r.status.samples };
  } finally { b.close(); }
}

async function onInterpreter(bin, boots) {
  const file = bundlePath("linux", false);
  const dir = mkdtempSync(path.join(tmpdir(), "etls-bench-entropy-"));
  try {
    writeFileSync(path.join(dir, "install.js"), `(function(){
  var f = E.openFile(${JSON.stringify(file)}, "r"), S = require("Storage"), size = ${statSync(file).size}, o = 0, d;
  while ((d = f.read(2048)) !== undefined && d.length) { S.write("espruino-tls", d, o, size); o += d.length; }
  f.close();
})();
setTimeout(quit, 0);`);
    const inst = await runInterpreter(bin, dir, "install.js", { timeoutMs: 60000 });
    if (/Uncaught|Error/.test(inst.out)) throw new Error(`installing the bundle failed:\n${inst.out}`);
    const load = {
      storage: 'require("espruino-tls")',
      // the layered bundle's core from the same RAM copy (RAM_SERVE), not from the Linux Storage
      ram: `(function(){ var s = E.openFile(${JSON.stringify(file)}, "r").read(${statSync(file).size}), m = { exports: {} }; ramServe(s); (new Function("exports", "module", s))(m.exports, m); return m.exports; })()`,
    };
    const out = {};
    for (const [where, expr] of Object.entries(load)) {
      const runs = [];
      for (let i = 0; i < boots; i++) {
        writeFileSync(path.join(dir, "probe.js"), `${PROBE}\n${RAM_SERVE}\nprint("RESULT " + JSON.stringify(probe(${expr})));\nsetTimeout(quit, 0);\n`);
        const r = await runInterpreter(bin, dir, "probe.js", { timeoutMs: 120000 });
        const m = /RESULT (.*)/.exec(cleanOutput(r.out));
        if (!m) throw new Error(`entropy probe failed on the interpreter:\n${cleanOutput(r.out)}`);
        runs.push(JSON.parse(m[1]));
      }
      const med = (f) => { const v = runs.map(f).sort((a, b) => a - b); return v[v.length >> 1]; };
      out[where] = {
        startupMs: runs.map((r) => +r.startupMs.toFixed(1)),
        startupMsMedian: +med((r) => r.startupMs).toFixed(1),
        drbgBytesPerSec: { 32: med((r) => r.drbgBytesPerSec[32]), 1024: med((r) => r.drbgBytesPerSec[1024]) },
        loopUs: +med((r) => r.loopUs).toFixed(2),
        health: runs[0].status.health,
        samples: runs[0].status.samples,
        source: runs[0].status.source,
      };
    }
    return out;
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Returns the benchmark as a JSON-able object. */
export async function benchEntropy({ real = false, boots = 3 } = {}) {
  for (const b of boardNames()) if (!existsSync(bundlePath(b, false))) await buildBoard(b, { quiet: true });
  const result = { bench: "entropy", units: { startupMs: "ms for the first random(32) (start-up test and DRBG instantiation)", drbgBytesPerSec: "bytes/s by request size" }, mock: {}, real: null };
  for (const b of boardNames()) result.mock[b] = onMock(b);
  const bin = process.env.ESPRUINO_BIN;
  if (!real) result.real = { skipped: "pass --real (and set ESPRUINO_BIN) to measure on the interpreter" };
  else if (!bin || !existsSync(bin)) result.real = { skipped: "ESPRUINO_BIN is not set" };
  else result.real = { interpreter: bin, ...(await onInterpreter(bin, boots)) };
  return result;
}

// `node tools/bench-entropy.mjs [--real]` prints the JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const r = await benchEntropy({ real: process.argv.includes("--real") });
  console.log(JSON.stringify(r, null, 2));
}
