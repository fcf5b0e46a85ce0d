// Fuzz targets with planted failures (test/fuzz/planted/*.mjs), to show that the runner
// (tools/fuzz/run.mjs) catches each kind: an uncoded exception, an input over the time limit, a
// hang, memory exhausted; and lets the library's coded errors pass.
import fc from "fast-check";

export function planted(kind) {
  return {
    async setup() { return {}; },
    seeds() { return [Uint8Array.of(1)]; },
    arbitrary() { return fc.uint8Array({ minLength: 1, maxLength: 4 }); },
    run(ctx, input) {
      if (kind === "uncoded") return null.x;
      if (kind === "slow") { const c0 = process.cpuUsage(); for (;;) { const c = process.cpuUsage(c0); if (c.user + c.system > 400000) return; } }
      if (kind === "hang") for (;;);
      if (kind === "memory") { const keep = []; for (;;) keep.push(new Array(1e6).fill(input[0])); }
      throw { code: "PLANTED", message: "a coded error" };
    },
  };
}
