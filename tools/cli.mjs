#!/usr/bin/env node
// espruino-tls: host command line. Each command lives in its own module, loaded on demand.
const COMMANDS = {
  build: ["./build.mjs", "buildCommand", "build [--board <name>] [--no-test]   bundle firmware/ per board into dist/<board>/ and check it"],
  check: ["./compat/cli.mjs", "checkCommand", "check [files...]                  compatibility gate on built bundles (default: all in dist/)"],
  espruino: ["./espruino-run.mjs", "espruinoCommand", "espruino <script.js> [--board linux]  run a script on the real interpreter ($ESPRUINO_BIN) with the bundle in Storage"],
  flash: ["./flash.mjs", "flashCommand", "flash --board <name> --port <serial|tcp://host:port> [--storage name=file ...] [--dry-run <file>]"],
  vectors: ["./vectors.mjs", "vectorsCommand", "vectors [family...] [--real] [--board <name>]   run Wycheproof vectors on the built test bundle"],
  bench: ["./bench.mjs", "benchCommand", "bench <crypto|entropy|x509|castore|tls|ota> [--real]   benchmarks, JSON output"],
};

function usage() {
  console.log("usage: espruino-tls <command> [options]\n\ncommands:");
  for (const [, , text] of Object.values(COMMANDS)) console.log("  " + text);
}

const [cmd, ...args] = process.argv.slice(2);
if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") { usage(); process.exit(cmd ? 0 : 2); }
const entry = COMMANDS[cmd];
if (!entry) { console.error(`espruino-tls: unknown command "${cmd}"`); usage(); process.exit(2); }
if (args.includes("--help")) { console.log("usage: espruino-tls " + entry[2]); process.exit(0); }
try {
  const mod = await import(new URL(entry[0], import.meta.url));
  const code = await mod[entry[1]](args);
  process.exitCode = typeof code === "number" ? code : 0;
} catch (e) {
  console.error(`espruino-tls ${cmd}: ${e && e.message ? e.message : e}`);
  process.exitCode = 1;
}
