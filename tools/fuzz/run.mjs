// `npm run fuzz -- --runs N [--target NAME[,NAME...]]`: runs every fuzz target (tools/fuzz/targets/)
// on the built test bundle in the board mock, N generated inputs each after its corpus's
// regression inputs (test/fuzz/corpus/<target>/*.bin). Each target runs in a worker thread with
// a heap limit; an input that runs longer than --time-limit ms, hangs, exhausts memory or throws
// anything but the library's coded errors is a crash, saved under --out (default fuzz-out/).
// Time limits count CPU time (a run at nice 19 waits for the CPU). Ends with one JSON line: {"targets":[{"name","runs","crashes","seconds"}]}; exit 1 on a crash.
//   --seconds S (stop each target after S seconds even if fewer than N inputs ran; the JSON says
//   how many did), --seed S (default: from the time), --time-limit MS (5000), --memory MB (512),
//   --max-crashes K (10 per target), --regression-only (corpus inputs only), --list,
//   --targets-dir DIR (other targets: the runner's own tests use planted failures)
import { Worker } from "node:worker_threads";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { FUZZ_DIR, TARGETS_DIR, ROOT } from "./paths.mjs";

function parseArgs(argv) {
  const o = { runs: 1000, targets: null, seed: Date.now() % 2147483647, timeLimit: 5000, memory: 512, maxCrashes: 10, out: path.join(ROOT, "fuzz-out"), regressionOnly: false, list: false, targetsDir: TARGETS_DIR, seconds: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === "--runs") o.runs = Number(v());
    else if (a === "--target") o.targets = v().split(",");
    else if (a === "--seed") o.seed = Number(v());
    else if (a === "--seconds") o.seconds = Number(v());
    else if (a === "--time-limit") o.timeLimit = Number(v());
    else if (a === "--memory") o.memory = Number(v());
    else if (a === "--max-crashes") o.maxCrashes = Number(v());
    else if (a === "--out") o.out = path.resolve(v());
    else if (a === "--regression-only") o.regressionOnly = true;
    else if (a === "--list") o.list = true;
    else if (a === "--targets-dir") o.targetsDir = path.resolve(v());
    else throw new Error(`unknown argument ${a} (see the top of ${path.relative(ROOT, path.join(FUZZ_DIR, "run.mjs"))})`);
  }
  if (!(o.runs >= 0)) throw new Error("--runs needs a number");
  return o;
}

export const allTargets = (dir = TARGETS_DIR) => readdirSync(dir).filter((f) => f.endsWith(".mjs")).map((f) => f.slice(0, -4)).sort();

function saveCrash(o, name, input, message) {
  const dir = path.join(o.out, name);
  mkdirSync(dir, { recursive: true });
  const id = createHash("sha256").update(input).digest("hex").slice(0, 16);
  writeFileSync(path.join(dir, `crash-${id}.bin`), input);
  writeFileSync(path.join(dir, `crash-${id}.txt`), message + "\n");
  return path.relative(ROOT, path.join(dir, `crash-${id}.bin`));
}

/** Runs one target's worker; restarts it after a hang or a crash of the worker itself. */
async function runTarget(o, name, log) {
  const t0 = Date.now();
  let runs = 0, crashes = 0, seed = o.seed, regressionOnly = o.regressionOnly, left = o.runs;
  const messages = [];
  for (let attempt = 0; attempt < o.maxCrashes + 1; attempt++) {
    const shared = new SharedArrayBuffer(8 + 4 + (1 << 20));
    const beat = new Int32Array(shared, 0, 2);
    const current = new Uint8Array(shared, 8);
    const w = new Worker(path.join(FUZZ_DIR, "worker.mjs"), {
      workerData: { name, targetsDir: o.targetsDir, runs: left, deadline: o.seconds ? t0 + o.seconds * 1000 : 0, seed, timeLimitMs: o.timeLimit, maxCrashes: o.maxCrashes - crashes, shared, regressionOnly },
      resourceLimits: { maxOldGenerationSizeMb: o.memory },
    });
    const lastInput = () => { const n = new DataView(shared, 8).getUint32(0); return Buffer.from(current.slice(4, 4 + n)); };
    const outcome = await new Promise((resolve) => {
      // A hang: the process spent twice the time limit of CPU (the worker's, mostly) on one input.
      let last = -1, cpuAt = process.cpuUsage();
      const watch = setInterval(() => {
        const now = Atomics.load(beat, 0);
        if (now !== last || now === 0) { last = now; cpuAt = process.cpuUsage(); }
        const c = process.cpuUsage(cpuAt), still = (c.user + c.system) / 1000;
        if (still >= o.timeLimit * 2 + 1000) { clearInterval(watch); w.terminate(); resolve({ hang: true, runs: Atomics.load(beat, 1) }); }
      }, 1000);
      w.on("message", (m) => {
        if (m.type === "progress") log(`${name}: ${runs + m.runs} inputs, ${((runs + m.runs) / ((Date.now() - t0) / 1000)).toFixed(0)}/s`);
        else if (m.type === "crash") {
          crashes++;
          const file = saveCrash(o, name, Buffer.from(m.input, "base64"), m.message);
          messages.push(m.message);
          log(`${name}: CRASH (${m.where}): ${m.message}\n  input: ${file}`);
        } else if (m.type === "done") {
          if (m.stats) log(`${name}: ${m.stats}`);
          clearInterval(watch); resolve({ done: true, runs: m.runs });
        }
      });
      w.on("error", (e) => { clearInterval(watch); resolve({ error: e, runs: Atomics.load(beat, 1) }); });
      w.on("exit", () => { clearInterval(watch); resolve({ error: new Error("worker exited"), runs: Atomics.load(beat, 1) }); });
    });
    runs += outcome.runs;
    if (outcome.done) break;
    // A target that dies before its first input is broken, not fuzzed: no crash inputs to save.
    if (outcome.error && Atomics.load(beat, 0) === 0) throw new Error(`${name}: the target failed to start: ${outcome.error.stack || outcome.error}`);
    crashes++;
    const why = outcome.hang ? `no progress in ${o.timeLimit * 2 + 1000} ms of CPU (hang)` : `worker died: ${outcome.error.code || ""} ${outcome.error.message}`;
    messages.push(why);
    const file = saveCrash(o, name, lastInput(), why);
    log(`${name}: CRASH: ${why}\n  input: ${file}`);
    left = Math.max(0, left - outcome.runs);
    seed++;
    regressionOnly = regressionOnly || left === 0;
    if (left === 0 && !o.regressionOnly) break;
  }
  return { name, runs, crashes, seconds: Math.round((Date.now() - t0) / 100) / 10, messages };
}

export async function fuzz(argv, log = (s) => process.stderr.write(s + "\n")) {
  const o = parseArgs(argv);
  const have = allTargets(o.targetsDir);
  const names = o.targets || have;
  for (const n of names) if (!have.includes(n)) throw new Error(`no fuzz target ${n} (have: ${have.join(", ")})`);
  if (o.list) { console.log(names.join("\n")); return null; }
  log(`fuzz: ${names.length} target(s), ${o.runs} inputs each, seed ${o.seed}`);
  const targets = [];
  for (const n of names) {
    const r = await runTarget(o, n, log);
    log(`${n}: ${r.runs} inputs, ${r.crashes} crash(es), ${r.seconds} s`);
    targets.push(r);
  }
  return { targets: targets.map((t) => ({ name: t.name, runs: t.runs, crashes: t.crashes, seconds: t.seconds })), messages: Object.fromEntries(targets.map((t) => [t.name, t.messages])) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(FUZZ_DIR, "run.mjs")) {
  const r = await fuzz(process.argv.slice(2));
  if (r) {
    console.log(JSON.stringify({ targets: r.targets }));
    process.exitCode = r.targets.some((t) => t.crashes) ? 1 : 0;
  }
}
