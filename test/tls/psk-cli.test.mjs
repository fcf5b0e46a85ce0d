// `espruino-tls psk new` (tools/psk.mjs): a fresh key each time (32 bytes by default), the
// mosquitto psk_file line, refusals of identities mosquitto cannot store; the key it writes with
// --out, installed as the Storage file etls.psk, opens a PSK connection to OpenSSL s_server.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "../../tools/lib/paths.mjs";
import { opensslPsk, runPskCases } from "../helpers/psk.mjs";
import { have } from "../helpers/tls12-servers.mjs";

const closers = [];
after(async () => { for (const c of closers) await c(); });
const cli = (...args) => spawnSync(process.execPath, [path.join(ROOT, "tools/cli.mjs"), "psk", ...args], { encoding: "utf8" });

test("psk new: 32 random bytes as hex, a new key each time, the mosquitto line; bad identities refused", () => {
  const a = JSON.parse(cli("new", "--identity", "sensor-1", "--json").stdout);
  const b = JSON.parse(cli("new", "--identity", "sensor-1", "--json").stdout);
  assert.match(a.key, /^[0-9a-f]{64}$/);
  assert.notEqual(a.key, b.key);
  assert.equal(a.mosquitto, `sensor-1:${a.key}`);
  assert.match(JSON.parse(cli("new", "--json").stdout).identity, /^device-[0-9a-f]{8}$/);
  assert.match(JSON.parse(cli("new", "--bytes", "16", "--json").stdout).key, /^[0-9a-f]{32}$/);
  for (const bad of [["--identity", "a:b"], ["--identity", "a b"], ["--bytes", "8"]]) {
    const r = cli("new", ...bad);
    assert.equal(r.status, 1, bad.join(" "));
  }
  const text = cli("new", "--identity", "sensor-2").stdout;
  assert.match(text, /mosquitto psk_file line: sensor-2:[0-9a-f]{64}\n/);
});

test("psk new --out: the key file, as the Storage file etls.psk, opens a PSK connection", async (t) => {
  if (!have("openssl")) return t.skip("no openssl");
  const dir = mkdtempSync(path.join(tmpdir(), "etls-psk-cli-"));
  const file = path.join(dir, "dev.psk");
  const { key, identity } = JSON.parse(cli("new", "--identity", "sensor-3", "--out", file, "--json").stdout);
  assert.equal(readFileSync(file, "utf8"), key + "\n");
  assert.equal(statSync(file).mode & 0o077, 0, "the key file is private to its owner");
  const s = await opensslPsk({ key, identity });
  closers.push(() => s.close());
  const { results } = await runPskCases(s.port, [{ name: "from Storage", opts: { psk: { identity, key: "etls.psk" } } }],
    { files: { "etls.psk": readFileSync(file, "latin1") } });
  assert.equal(results[0].error, undefined, JSON.stringify(results[0]));
  assert.equal(results[0].got, "ksp olleh\n");
});
