#!/usr/bin/env node
// espruino-tls: host command line. Each command lives in its own module, loaded on demand.
const COMMANDS = {
  build: ["./build.mjs", "buildCommand", "build [--board <name>] [--no-test]   bundle firmware/ per board into dist/<board>/ and check it"],
  check: ["./compat/cli.mjs", "checkCommand", "check [files...]                  compatibility gate on built bundles (default: all in dist/)"],
  espruino: ["./espruino-run.mjs", "espruinoCommand", "espruino <script.js> [--board linux]  run a script on the real interpreter ($ESPRUINO_BIN) with the bundle in Storage"],
  flash: ["./flash.mjs", "flashCommand", "flash --board <name> --port <serial|tcp://host:port> [--storage name=file ...] [--dry-run <file>]"],
  vectors: ["./vectors.mjs", "vectorsCommand", "vectors [family...] [--real] [--board <name>]   run Wycheproof vectors on the built test bundle"],
  keygen: ["./ota/cli.mjs", "keygenCommand", "keygen --out <private.pem> [--add]    Ed25519 key for signing CA list updates (ota-keys.json)"],
  cabundle: ["./ota/cabundle.mjs", "cabundleCommand", `cabundle build [<file|dir>...] [--mozilla] [--only <name|sha256>]... [--exclude <name|sha256>]...
      [--board <name>] [--version <n>] [--created <s>] [--distrust-after <name|sha256>=<date>]... [--keep-expired] [--no-expiry]
      [--out <file>] [--quiet]   build a CA store image from PEM/DER files, directories or Debian's Mozilla set;
      prints each anchor's size and the total against the board's budgets.caStoreBytes, refusing a store that does not fit
    cabundle inspect <file> [--days <n>] [--board <name>] [--json] [--now <s|date>]   check a store and list its anchors,
      warning on anchors expiring within n days (90)
    cabundle sign <store.bin> --key <private.pem> ...   sign the OTA manifest of a store image (Ed25519)`],
  ota: ["./ota/cli.mjs", "otaCommand", "ota <serve|inspect|rotate> ...        serve an update over HTTPS, check a manifest, rotate keys"],
  soak: ["./soak.mjs", "soakCommand", "soak [--count <n>]   sequential verified GETs on the real interpreter ($ESPRUINO_BIN), JsVars after each (default 200)"],
  bench: ["./bench.mjs", "benchCommand", "bench <crypto|entropy|x509|castore|tls|ota|mtls|memory> [--real]   benchmarks, JSON output (memory: JsVars at rest, per handshake phase and needed, BENCH_MEMORY_* env vars pick cases)"],
  cert: ["./castore/cli.mjs", "certCommand", `cert der <in> [--out <file>] [--index <n>]   certificate (PEM or DER) to DER
    cert pem <in>... [--out <file>]   certificates (PEM or DER) to one PEM file`],
  csr: ["./localca/cli.mjs", "csrCommand", `csr <file> [--json]   inspect a PKCS#10 CSR (PEM or DER): subject, SANs, key; exit 1 unless its signature verifies`],
  localca: ["./localca/cli.mjs", "localcaCommand", `localca init [--dir <d>] [--name <CN>] [--days <n>] [--name-constraint DNS:<suffix>|IP:<a.b.c.d/bits>]... [--force]
    localca sign <csr> [--dir <d>] [--client] [--server] [--days <n>] [--out <file>]
    localca issue --name <dns>... [--ip <a.b.c.d>]... [--dir <d>] [--days <n>] [--out <cert>] [--key-out <key>]
      a local ECDSA P-256 CA for tests and labs: device certificates from CSRs (clientAuth), server certificates`],
  psk: ["./psk.mjs", "pskCommand", "psk new [--identity <id>] [--bytes <n>] [--out <file>] [--json]   a fresh per-device pre-shared key (hex), its mosquitto psk_file line"],
  key: ["./castore/cli.mjs", "keyCommand", `key der|pem <in> [--out <file>] [--to pkcs8|pkcs1|sec1|spki] [--index <n>]   convert a key
      (PKCS#8, PKCS#1, SEC1 private keys; SubjectPublicKeyInfo or PKCS#1 public keys; --to spki also takes a certificate)`],
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
