// `espruino-tls cabundle <sub>`: `sign` lives here (OTA, issue 9); build, inspect and the other
// CA bundle commands are the CA store's (issue 6, tools/castore/cli.mjs `cabundleCommand`),
// to which every other subcommand is handed unchanged.
import { existsSync } from "node:fs";
import { cabundleSignCommand } from "./cli.mjs";

export async function cabundleCommand(args) {
  if (args[0] === "sign") return cabundleSignCommand(args.slice(1));
  const file = new URL("../castore/cli.mjs", import.meta.url);
  const mod = existsSync(file) ? await import(file) : null;
  if (!mod || typeof mod.cabundleCommand !== "function") {
    if (!args.length || args[0] === "--help") { console.log("usage: espruino-tls cabundle sign <store.bin> --key <private.pem> ...  (see cabundle sign --help)"); return args.length ? 0 : 2; }
    throw new Error(`cabundle ${args[0]}: not available (the CA store tools, tools/castore/cli.mjs, provide it)`);
  }
  return mod.cabundleCommand(args);
}
