// One fuzz target in a worker thread (the runner, run.mjs, watches it for hangs and memory).
// Runs the corpus regression inputs first, then `runs` generated inputs with fast-check; a
// failing input is shrunk by fast-check and reported, and fuzzing goes on with the next seed.
import { parentPort, workerData } from "node:worker_threads";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { mustBeCoded, mutations, Violation } from "./engine.mjs";
import { corpusDir } from "./paths.mjs";

const { name, targetsDir, runs, deadline, seed, timeLimitMs, maxCrashes, shared, regressionOnly } = workerData;
const beat = new Int32Array(shared, 0, 2);
const current = new Uint8Array(shared, 8);

const target = (await import(path.join(targetsDir, name + ".mjs"))).default;
const ctx = await target.setup();
const corpus = [];
const dir = corpusDir(name);
if (existsSync(dir)) for (const f of readdirSync(dir).sort()) if (f.endsWith(".bin")) corpus.push({ file: f, input: new Uint8Array(readFileSync(path.join(dir, f))) });
const seeds = [...target.seeds(ctx), ...corpus.map((c) => c.input)];

/** Runs one input; throws a Violation when an invariant breaks. */
function check(input) {
  const n = Math.min(input.length, current.length - 4);
  new DataView(current.buffer, current.byteOffset).setUint32(0, n);
  current.set(input.subarray(0, n), 4);
  Atomics.add(beat, 0, 1);
  // CPU time, not wall time: a long run at nice 19 on a busy machine waits for the CPU a lot.
  const c0 = process.cpuUsage();
  try { target.run(ctx, input); } catch (e) { mustBeCoded(e, name); }
  const c = process.cpuUsage(c0), ms = (c.user + c.system) / 1000;
  if (ms > timeLimitMs) throw new Violation(`${name}: input took ${ms.toFixed(0)} ms of CPU (limit ${timeLimitMs})`);
  return true;
}

const t0 = performance.now();
const crashes = [];
const report = (input, message, where) => {
  crashes.push(message);
  parentPort.postMessage({ type: "crash", input: Buffer.from(input).toString("base64"), message, where });
};
// 1. regression inputs from the corpus
for (const c of corpus) {
  try { check(c.input); } catch (e) { report(c.input, String(e.message), "corpus " + c.file); }
}
// 2. generated inputs
let done = 0;
let s = seed;
if (!regressionOnly) {
  const arb = target.arbitrary ? target.arbitrary(ctx, seeds) : mutations(seeds);
  // fc.check runs synchronously: progress is posted from inside the property.
  let lastPost = performance.now();
  while (done < runs && crashes.length < maxCrashes) {
    Atomics.store(beat, 1, 0);
    const prop = fc.property(arb, (input) => {
      Atomics.add(beat, 1, 1);
      if (performance.now() - lastPost > 10000) { lastPost = performance.now(); parentPort.postMessage({ type: "progress", runs: done + Atomics.load(beat, 1) }); }
      return check(input);
    });
    const limit = deadline ? { interruptAfterTimeLimit: Math.max(1, deadline - Date.now()), markInterruptAsFailure: false } : {};
    const r = fc.check(prop, { numRuns: runs - done, seed: s, endOnFailure: false, verbose: 0, ...limit });
    if (r.interrupted && !r.failed) { done += r.numRuns; break; }
    if (!r.failed) { done = runs; break; }
    done += r.numRuns;
    const msg = r.errorInstance ? String(r.errorInstance.message) : String(r.error);
    report(r.counterexample[0], msg, `seed ${s} path ${r.counterexamplePath}`);
    s++;
  }
}
// How often the public-key primitives were answered from the memo (memo.mjs) instead of run.
const memo = ctx && ctx.fw && ctx.fw.memo ? `public-key primitives run ${ctx.fw.memo.stats.misses} times, ${ctx.fw.memo.stats.hits} answered from the memo` : "";
const stats = [target.stats ? target.stats(ctx) : "", memo].filter(Boolean).join("; ");
parentPort.postMessage({ type: "done", runs: done, regression: corpus.length, seconds: (performance.now() - t0) / 1000, stats: stats || null });
