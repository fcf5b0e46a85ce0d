// `node [--cpu-prof] tools/fuzz/profile.mjs <target> [inputs] [seed]`: runs one fuzz target's
// generated inputs in this thread (no worker, no watchdog) and prints the CPU time they took, so
// that a target's cost per input can be measured on a loaded machine (CPU time, not wall time)
// and profiled (`--cpu-prof` writes a profile of this thread only). The outcome counts the target
// prints tell whether two versions did the same work.
import path from "node:path";
import fc from "fast-check";
import { mutations, mustBeCoded } from "./engine.mjs";
import { TARGETS_DIR } from "./paths.mjs";

const [name, count = "2000", seed = "42"] = process.argv.slice(2);
if (!name) throw new Error("usage: node tools/fuzz/profile.mjs <target> [inputs] [seed]");
const target = (await import(path.join(TARGETS_DIR, name + ".mjs"))).default;
const ctx = await target.setup();
const seeds = target.seeds(ctx);
const arb = target.arbitrary ? target.arbitrary(ctx, seeds) : mutations(seeds);
const inputs = fc.sample(arb, { numRuns: Number(count), seed: Number(seed) });
const c0 = process.cpuUsage();
for (const input of inputs) {
  try { target.run(ctx, input); } catch (e) { mustBeCoded(e, name); }
}
const c = process.cpuUsage(c0), seconds = (c.user + c.system) / 1e6;
const notes = [target.stats ? target.stats(ctx) : "", ctx.fw && ctx.fw.memo ? `memo ${ctx.fw.memo.stats.misses} run, ${ctx.fw.memo.stats.hits} remembered` : ""].filter(Boolean);
console.log(`${name}: ${inputs.length} inputs in ${seconds.toFixed(2)} s of CPU, ${(inputs.length / seconds).toFixed(0)} inputs/s${notes.length ? "; " + notes.join("; ") : ""}`);
process.exit(0);
