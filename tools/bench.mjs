// `npm run bench -- <target> [--real]`: benchmarks print JSON. Each target lives in
// tools/bench-<target>.mjs and exports bench<Target>({ real }); `--real` adds the interpreter
// at $ESPRUINO_BIN (without it, only the board mock runs, and the JSON says so).
import { existsSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./lib/paths.mjs";

const TARGETS = ["crypto", "entropy", "x509", "castore", "tls", "ota", "mtls", "memory", "slices", "psk"];

export async function benchCommand(args) {
  const target = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--svg");
  if (!target || !TARGETS.includes(target)) throw new Error(`usage: bench <${TARGETS.join("|")}> [--real] [--svg FILE (tls)]`);
  const file = path.join(ROOT, "tools", `bench-${target}.mjs`);
  if (!existsSync(file)) throw new Error(`no benchmark for "${target}" yet (tools/bench-${target}.mjs)`);
  const mod = await import(file);
  const fn = mod["bench" + target[0].toUpperCase() + target.slice(1)];
  const real = args.includes("--real");
  if (real && !process.env.ESPRUINO_BIN) console.error("ESPRUINO_BIN is not set: the real interpreter is skipped");
  // --svg FILE: the tls benchmark's handshake timeline picture
  const svgAt = args.indexOf("--svg");
  if (svgAt >= 0 && !args[svgAt + 1]) throw new Error("--svg needs a file name");
  const opts = { real: real && !!process.env.ESPRUINO_BIN };
  if (svgAt >= 0) opts.svg = args[svgAt + 1];
  const result = await fn(opts);
  console.log(JSON.stringify(result, null, 2));
  return 0;
}
