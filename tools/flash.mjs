// `espruino-tls flash --board <name> --port <serial | tcp://host:port> [--storage name=file ...]
//  [--dry-run out.js]`: writes the board's bundle as the Storage module "espruino-tls", plus any
// chosen Storage files (a CA store, say), through espruino-cli (npm package `espruino`).
// Works offline: board JSON and module URLs point at local folders (FACTS §8).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadBoard } from "./lib/boards.mjs";
import { buildBoard } from "./build.mjs";
import { NAME_MAX } from "./mock/flash.mjs";

const CLI = createRequire(import.meta.url).resolve("espruino/bin/espruino-cli.js");

export function parseFlashArgs(args) {
  const opt = { board: null, port: null, dryRun: null, storage: [], timeout: 300 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i], v = args[i + 1];
    if (a === "--board") opt.board = v, i++;
    else if (a === "--port") opt.port = v, i++;
    else if (a === "--dry-run") opt.dryRun = v, i++;
    else if (a === "--timeout") opt.timeout = +v, i++;
    else if (a === "--storage") {
      const eq = (v || "").indexOf("=");
      if (eq <= 0) throw new Error(`--storage takes name=file, got "${v}"`);
      opt.storage.push([v.slice(0, eq), v.slice(eq + 1)]), i++;
    } else throw new Error(`unknown option "${a}"`);
  }
  if (!opt.board) throw new Error("--board <name> is required");
  if (!opt.port && !opt.dryRun) throw new Error("--port <serial path | tcp://host:port> (or --dry-run <file>) is required");
  for (const [name, file] of opt.storage) {
    if (name.length > NAME_MAX) throw new Error(`Storage name "${name}" is ${name.length} characters; the limit is ${NAME_MAX} (the board would truncate it)`);
    if (!existsSync(file)) throw new Error(`--storage ${name}=${file}: no such file`);
  }
  return opt;
}

export async function flashCommand(args) {
  const opt = parseFlashArgs(args);
  const profile = loadBoard(opt.board);
  console.log(`[1/3] building the ${profile.name} bundle`);
  const bundle = await buildBoard(profile.name, { quiet: true });
  const files = [["espruino-tls", bundle], ...opt.storage];
  let total = 0;
  for (const [name, file] of files) {
    const size = statSync(file).size;
    total += size;
    console.log(`      ${name.padEnd(NAME_MAX)} ${String(size).padStart(7)} bytes  ${path.relative(process.cwd(), file)}`);
  }
  if (total > profile.storage.bytes) throw new Error(`${total} bytes do not fit the ${profile.storage.bytes}-byte Storage of ${profile.name}`);
  const work = mkdtempSync(path.join(tmpdir(), "etls-flash-"));
  try {
    // Local board JSON and module folders: espruino-cli must not try to download them.
    for (const d of ["boards", "modules"]) mkdirSync(path.join(work, d));
    const boardJson = path.join(work, "boards", "board.json");
    writeFileSync(boardJson, JSON.stringify({ info: { name: profile.title, builtin_modules: ["Storage", "net", "dgram", "crypto", "http", "fs", "espruino-tls"] } }));
    const app = path.join(work, "installed.js");
    writeFileSync(app, `print("espruino-tls " + require("espruino-tls").version + " installed");\n`);
    const cliArgs = [CLI, "--no-ble", "--board", boardJson,
      "--config", `BOARD_JSON_URL=file://${path.join(work, "boards")}`, "--config", `MODULE_URL=file://${path.join(work, "modules")}`,
      ...files.flatMap(([name, file]) => ["--storage", `${name}:${path.resolve(file)}`])];
    if (opt.dryRun) cliArgs.push("-n", "-o", path.resolve(opt.dryRun)); else cliArgs.push("-p", opt.port);
    cliArgs.push(app);
    console.log(opt.dryRun ? `[2/3] writing what would be sent to ${opt.dryRun}` : `[2/3] sending ${total} bytes to ${opt.port} with espruino-cli`);
    const r = await runCli(cliArgs, opt.timeout * 1000);
    if (opt.dryRun && existsSync(opt.dryRun)) { console.log(`[3/3] dry run: ${statSync(opt.dryRun).size} bytes written to ${opt.dryRun}`); return 0; }
    if (!r.ok) throw new Error(`espruino-cli failed:\n${r.out}`);
    console.log(`[3/3] done: ${r.installed || "upload complete"}`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}


/** espruino-cli may not exit after an upload (FACTS §8): stop it once the board has answered. */
function runCli(cliArgs, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cliArgs, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", installed = null, done = false;
    const finish = (ok) => { if (done) return; done = true; clearTimeout(timer); child.kill("SIGKILL"); resolve({ ok, out, installed }); };
    const onData = (d) => {
      const s = d.toString();
      out += s;
      for (const line of s.split("\n")) if (/Uploading|Upload Complete|Connected|Writing output|Error/i.test(line)) console.log("      " + line.trim());
      const m = /espruino-tls \S+ installed/.exec(out);
      if (m && !installed) { installed = m[0]; setTimeout(() => finish(true), 300); }
      if (/Uncaught|Unable to connect|Failed to connect/i.test(s)) setTimeout(() => finish(false), 300);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => finish(code === 0));
    const timer = setTimeout(() => finish(false), timeoutMs);
  });
}
