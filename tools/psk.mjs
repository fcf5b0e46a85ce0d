// espruino-tls psk new: a fresh pre-shared key for one device (32 random bytes from the host's
// CSPRNG), printed as hex with the lines that provision it: mosquitto's psk_file, OpenSSL's
// s_server and the device's `psk` option (or a Storage file for the key).
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";

const USAGE = "psk new [--identity <id>] [--bytes <n>] [--out <file>] [--json]   a fresh per-device PSK (hex) and its mosquitto psk_file line";

function arg(args, name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function pskCommand(args) {
  if (args[0] !== "new") { console.error("usage: espruino-tls " + USAGE); return 2; }
  const bytes = arg(args, "--bytes") === undefined ? 32 : Number(arg(args, "--bytes"));
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64) throw new Error("--bytes: 16 to 64 (the device refuses keys under 16 bytes)");
  const identity = arg(args, "--identity") || "device-" + randomBytes(4).toString("hex");
  // mosquitto's psk_file is "identity:key" per line; the identity goes on the wire as text.
  if (!/^[\x21-\x7e]{1,128}$/.test(identity) || identity.includes(":")) throw new Error("--identity: 1 to 128 printable characters, no spaces or ':'");
  const key = randomBytes(bytes).toString("hex");
  const out = arg(args, "--out");
  if (out) writeFileSync(out, key + "\n", { mode: 0o600 });
  if (args.includes("--json")) {
    console.log(JSON.stringify({ identity, key, mosquitto: `${identity}:${key}` }));
    return 0;
  }
  console.log(`identity: ${identity}`);
  console.log(`key (${bytes} bytes, hex): ${key}`);
  console.log(`mosquitto psk_file line: ${identity}:${key}`);
  console.log(`openssl s_server: -psk ${key} -psk_identity ${identity} -nocert`);
  console.log(`device: psk: { identity: "${identity}", key: "${out ? "etls.psk" : key}" }` + (out ? `   (flash ${out} as Storage file etls.psk: --storage etls.psk=${out})` : ""));
  console.log("One key per device: a key found on one board must not open the others.");
  return 0;
}
