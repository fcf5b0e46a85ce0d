// Pre-shared key tests (issue 16): PSK servers on 127.0.0.1 (OpenSSL s_server -nocert -rev, which
// echoes each line reversed and never prints its arguments to the client; GnuTLS gnutls-serv
// with a psk password file) and the board side: a list of tls.connect cases run one after the
// other on one simulated board, each reporting what it negotiated, its events and its error.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, spawnServer } from "./tls12-servers.mjs";
import { createBoard } from "../../tools/mock/board.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";

/** openssl s_server with a PSK and no certificate (-rev: never -www, whose page shows the command line, key included). version: "tls1_3" | "tls1_2"; extra args
 *  (-cipher, -allow_no_dhe_kex, -psk_hint ...). */
export async function opensslPsk({ key, identity, version = "tls1_3", args = [], www = null }) {
  const port = await freePort();
  // www: a directory served by -WWW (GET /file); else -rev.
  return spawnServer("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-psk", key, "-psk_identity", identity,
    "-nocert", `-${version}`, www ? "-WWW" : "-rev", ...args], port, { cwd: www || undefined });
}

/** gnutls-serv with a psk password file (identity:hexkey) and a priority string; echo mode. */
export async function gnutlsPsk({ key, identity, priority, hint }) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "etls-gnutls-psk-"));
  const file = path.join(dir, "psk.txt");
  writeFileSync(file, `${identity}:${key}\n`);
  const args = ["--echo", "-p", String(port), "--pskpasswd", file, "--priority", priority];
  if (hint) args.push("--pskhint", hint);
  return spawnServer("gnutls-serv", args, port);
}

// Each case: OPTS (JSON; `identityFn`: source of a function used as psk.identity; `keyFile`:
// psk.key is that Storage file; `keyBytes`: psk.key as a Uint8Array of these hex bytes) plus
// host/port. A case that connects writes "hello psk\n" and waits for the reversed line.
const APP = `var t = require("espruino-tls"), out = [], i = 0;
function next() {
  if (i >= CASES.length) { done(out); return; }
  var c = CASES[i++], r = { name: c.name, got: "", events: [], steps: [] }, fin = false;
  out.push(r);
  var o = {}, k;
  for (k in c.opts) o[k] = c.opts[k];
  o.host = o.host || "localhost"; o.port = PORT; o.timeout = 30000;
  if (o.psk && c.identityFn) o.psk.identity = eval("(" + c.identityFn + ")");
  if (o.psk && c.keyBytes) { var h = c.keyBytes, u = new Uint8Array(h.length / 2); for (k = 0; k < u.length; k++) u[k] = parseInt(h.substr(2 * k, 2), 16); o.psk.key = u; }
  var s;
  function finish() { if (fin) return; fin = true; setTimeout(next, 20); }
  try { s = t.tls.connect(o, function (info) { r.connected = true; r.info = info; s.write("hello psk\\n"); }); }
  catch (e) { r.thrown = { code: e.code, message: e.message, detail: e.detail }; finish(); return; }
  s.on("progress", function (x) { r.steps.push(x); });
  s.on("data", function (d) { r.got += d; if (r.got.indexOf("\\n") >= 0) s.end(); });
  s.on("error", function (e) { r.events.push("error:" + e.code); if (!r.error) r.error = { code: e.code, message: e.message, detail: e.detail }; });
  s.on("end", function () { r.events.push("end"); });
  s.on("close", function () { r.events.push("close"); finish(); });
}
next();`;

/** Runs the cases against `port`; returns { results, printed } (printed: the board's output). */
export async function runPskCases(port, cases, { files = {}, timeoutMs = 120000, board = "linux" } = {}) {
  const b = createBoard({ board });
  try {
    b.loadLibrary(bundlePath(board));
    for (const [name, data] of Object.entries(files)) b.install(name, data);
    b.define("PORT", port);
    b.define("CASES", JSON.parse(JSON.stringify(cases)));
    const results = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PSK cases did not finish in ${timeoutMs} ms; printed:\n${b.printed.join("\n")}`)), timeoutMs);
      b.define("done", (r) => { clearTimeout(timer); resolve(JSON.parse(JSON.stringify(r))); });
      b.run(APP, "psk-app.js");
    });
    return { results, printed: b.printed.join("\n") };
  } finally {
    await new Promise((r) => setTimeout(r, 50));
    b.close();
  }
}

/** A certificate-only server at `port` tried with a PSK alone and with the PSK and `ca`:
 *  [the PSK-only result, the PSK-and-ca result]. */
export async function pskAgainstCertificateServer(port, ca) {
  const key = newKey();
  const { results } = await runPskCases(port, [
    { name: "psk only", opts: { psk: { identity: "dev", key } } },
    { name: "psk and ca", opts: { psk: { identity: "dev", key }, ca } },
  ]);
  return results;
}

/** A fresh random key as hex (never a constant: a test must not pass with a key it knows). */
export function newKey(bytes = 32) {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
}
