// Flashing through espruino-cli (dry run always; the real interpreter over telnet when
// ESPRUINO_BIN is set) and running scripts on the real interpreter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, bundlePath } from "../../tools/lib/paths.mjs";
import { runInterpreter, cleanOutput } from "../../tools/espruino-run.mjs";

const CLI = path.join(ROOT, "tools/cli.mjs");
const BIN = process.env.ESPRUINO_BIN;
const tmp = mkdtempSync(path.join(tmpdir(), "etls-flash-test-"));
const cli = (...args) => execFileSync(process.execPath, [CLI, ...args], { encoding: "utf8", stdio: "pipe" });

/** Reassembles the Storage files an upload script writes (require("Storage").write(name, atob(...), offset, size)). */
function storageWrites(js) {
  const files = {};
  for (const m of js.matchAll(/require\("Storage"\)\.write\("([^"]+)",atob\("([^"]*)"\),(\d+)(?:,(\d+))?\)/g)) {
    const data = Buffer.from(m[2], "base64");
    const f = (files[m[1]] = files[m[1]] || Buffer.alloc(+(m[4] || data.length)));
    data.copy(f, +m[3]);
  }
  return files;
}

test("flash --dry-run writes the bundle and the chosen Storage files, byte for byte", () => {
  const extra = path.join(tmp, "ca.bin");
  writeFileSync(extra, Buffer.from([0, 1, 2, 255, 254, 10, 13]));
  const out = path.join(tmp, "upload.js");
  const log = cli("flash", "--board", "esp32", "--dry-run", out, "--storage", `castore=${extra}`);
  assert.match(log, /\[3\/3\] dry run/);
  const files = storageWrites(readFileSync(out, "latin1"));
  assert.deepEqual(files["espruino-tls"], readFileSync(bundlePath("esp32")));
  assert.deepEqual(files.castore, readFileSync(extra));
});

test("flash refuses a Storage name over 28 characters instead of letting the board truncate it", () => {
  assert.throws(() => cli("flash", "--board", "esp32", "--dry-run", path.join(tmp, "x.js"), "--storage", `${"n".repeat(29)}=${CLI}`),
    (e) => /limit is 28/.test(e.stderr));
});

test("npm run espruino without ESPRUINO_BIN says how to get the interpreter and skips", () => {
  const out = execFileSync(process.execPath, [CLI, "espruino", "test/smoke.js"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ESPRUINO_BIN: "" } });
  assert.match(out, /skipped/);
  assert.match(out, /README_Building\.md/);
});

test("real interpreter: smoke script loads the library from Storage", { skip: !BIN && "ESPRUINO_BIN not set" }, () => {
  const out = execFileSync(process.execPath, [CLI, "espruino", "test/smoke.js"], { cwd: ROOT, encoding: "utf8" });
  assert.match(out, /espruino-tls \d+\.\d+\.\d+ loaded/);
});

// The upload of the ~200 KB bundle over telnet took 2 min 14 s on 2026-11-21 (the interpreter
// serves its telnet socket slowly while its console is idle), hence the 4-minute bound.
test("real interpreter: flash over telnet, then the board has the library", { skip: !BIN && "ESPRUINO_BIN not set", timeout: 240000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "etls-telnet-"));
  const board = spawn(BIN, ["--telnet"], { cwd: dir, stdio: ["pipe", "ignore", "ignore"] });
  try {
    await new Promise((r) => setTimeout(r, 800));
    const log = cli("flash", "--board", "linux", "--port", "tcp://127.0.0.1:2323");
    assert.match(log, /espruino-tls \d+\.\d+\.\d+ installed/);
  } finally {
    board.kill("SIGKILL");
  }
  writeFileSync(path.join(dir, "check.js"), 'print("v=" + require("espruino-tls").version); setTimeout(quit, 0);');
  const r = await runInterpreter(BIN, dir, "check.js", { timeoutMs: 20000 });
  assert.match(cleanOutput(r.out), /v=\d+\.\d+\.\d+/);
});
