// The interop matrix: real TLS 1.3 servers (OpenSSL s_server, GnuTLS gnutls-serv, nginx, Node's
// https) started on 127.0.0.1 with a test PKI made at run time, and the product bundle on the board
// mock doing a verified HTTPS GET against each one, for every key type, cipher suite and group.
// Used by `npm run interop` (tools/interop.mjs) and test/tls/interop.test.mjs.
//
// Every process started here is tracked and stopped by stopAll() (also on process exit), every
// cell has a time limit, and the matrix has a fixed size (servers x keys x suites x groups).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Pki } from "./pki.mjs";

export const SUITES = ["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384"];
/** x25519: the client's first key share is accepted; P-256: the server accepts only P-256, so it
 *  answers the X25519 share with a HelloRetryRequest. */
export const GROUPS = ["x25519", "P-256"];
export const KEYS = ["rsa", "ecdsa"];
export const SERVER_NAMES = ["openssl", "gnutls", "nginx", "node"];

// ---- processes ---------------------------------------------------------------------------------

const running = new Set();
let exitHookInstalled = false;

function track(child) {
  running.add(child);
  child.on("exit", () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort: a crash or process.exit() must not leave servers behind.
    process.on("exit", () => { for (const c of running) { try { c.kill("SIGKILL"); } catch { /* gone */ } } });
  }
  return child;
}

/** Stops one child: SIGTERM, then SIGKILL after 2 s. */
export function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => { try { child.kill("SIGKILL"); } catch { /* gone */ } }, 2000);
    child.once("exit", () => { clearTimeout(t); resolve(); });
    try { child.kill("SIGTERM"); } catch { clearTimeout(t); resolve(); }
  });
}

/** Stops every server process this module started. */
export async function stopAll() {
  await Promise.all([...running].map(stopChild));
}

/** The path of a program: from PATH, else from the sbin directories (nginx is /usr/sbin/nginx,
 *  outside a normal user's PATH on Debian); null when it is not installed. */
export function resolveBinary(bin) {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  for (const dir of ["/usr/sbin", "/usr/local/sbin", "/sbin"]) {
    const f = path.join(dir, bin);
    if (existsSync(f)) return f;
  }
  return null;
}

export function hasBinary(bin) {
  return resolveBinary(bin) !== null;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort() {
  const s = net.createServer();
  await new Promise((r, j) => { s.once("error", j); s.listen(0, "127.0.0.1", r); });
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

/**
 * Spawns a server and waits until it listens: until `ready` matches its output, or (no `ready`)
 * until 127.0.0.1:port accepts TCP. Returns { child, output(), stop() }.
 */
export async function spawnServer(bin, args, { port, ready = null, cwd, timeoutMs = 10000, stdin = false, env } = {}) {
  const child = track(spawn(resolveBinary(bin) || bin, args, { cwd, env: env ? { ...process.env, ...env } : undefined, stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"] }));
  // A server must never keep this process alive (a test that failed before stopping it would
  // hang): unreferenced, it dies with the process through the exit hook in track().
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) if (s && s.unref) s.unref();
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  let spawnError = null;
  child.on("error", (e) => { spawnError = e; });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`${bin}: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode} before listening:\n${out.slice(-2000)}`);
    if (ready ? ready.test(out) : await canConnect(port)) break;
    if (Date.now() > deadline) { await stopChild(child); throw new Error(`${bin} did not listen on ${port} within ${timeoutMs} ms:\n${out.slice(-2000)}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port, output: () => out, stop: () => stopChild(child) };
}

// ---- the PKI -----------------------------------------------------------------------------------

/** Both chains (root -> intermediate -> leaf for localhost, 127.0.0.1) and their files. */
export function makeChains() {
  const out = {};
  for (const key of KEYS) {
    const pki = new Pki();
    const t = key === "rsa" ? "rsa" : "ec";
    const c = pki.chain({ label: `interop ${key}`, rootKey: t, interKey: t, leafKey: t });
    c.chainFile = pki.file("leaf-chain.pem");
    writeFileSync(c.chainFile, c.leaf.pem + c.inter.pem);
    c.dir = pki.dir;
    out[key] = c;
  }
  return out;
}

// ---- the servers -------------------------------------------------------------------------------

const GNUTLS_CIPHER = { TLS_AES_128_GCM_SHA256: "AES-128-GCM", TLS_CHACHA20_POLY1305_SHA256: "CHACHA20-POLY1305", TLS_AES_256_GCM_SHA384: "AES-256-GCM" };
const GNUTLS_GROUP = { x25519: "GROUP-X25519", "P-256": "GROUP-SECP256R1" };
const OSSL_GROUP = { x25519: "X25519", "P-256": "P-256" };

/** gnutls-serv priority string: TLS 1.3 only, one cipher, one group. */
export function gnutlsPriority(suite, group) {
  let p = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
  if (suite) p += `:-CIPHER-ALL:+${GNUTLS_CIPHER[suite]}`;
  if (group) p += `:-GROUP-ALL:+${GNUTLS_GROUP[group]}`;
  return p;
}

/**
 * Each server: bin (null = built in), start(chain, suite, group) -> { port, stop, output },
 * and check(body, suite, group) -> null when the server reports what the cell asked for, else why not.
 */
export const SERVERS = {
  openssl: {
    title: "OpenSSL s_server -www",
    bin: "openssl",
    version: () => spawnSync("openssl", ["version"], { encoding: "utf8" }).stdout.trim(),
    async start(chain, suite, group) {
      const port = await freePort();
      const args = ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", chain.leaf.certFile, "-key", chain.leaf.keyFile,
        "-cert_chain", chain.inter.certFile, "-tls1_3", "-www", "-ciphersuites", suite, "-groups", OSSL_GROUP[group]];
      return spawnServer("openssl", args, { port, ready: /^ACCEPT/m });
    },
    check(body, suite, group) {
      const cipher = (/Cipher is (\S+)/.exec(body) || [])[1];
      const groups = (/Shared groups: (\S+)/.exec(body) || [])[1];
      if (cipher !== suite) return `server reports cipher ${cipher}`;
      const want = group === "x25519" ? "x25519" : "secp256r1";
      if (groups !== want) return `server reports shared groups ${groups}`;
      return null;
    },
  },
  gnutls: {
    title: "GnuTLS gnutls-serv --http",
    bin: "gnutls-serv",
    version: () => spawnSync("gnutls-serv", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0].trim(),
    async start(chain, suite, group) {
      // gnutls-serv has no listen-address option: it binds every interface on this random port
      // for the few seconds of the cell.
      const port = await freePort();
      const args = ["-p", String(port), "-a", "--http", "--x509certfile", chain.chainFile, "--x509keyfile", chain.leaf.keyFile,
        "--priority", gnutlsPriority(suite, group)];
      return spawnServer("gnutls-serv", args, { port, ready: /listening on IPv4/ });
    },
    check(body, suite, group) {
      // The page describes the session: "(TLS1.3-X.509)-(ECDHE-X25519)-(...)-(AES-128-GCM)".
      const d = (/\(TLS1\.3[^<\s]*\)/.exec(body) || [])[0] || "";
      if (!d.includes(`(${GNUTLS_CIPHER[suite]})`)) return `server describes the session as ${d || "(none)"}`;
      if (!d.includes(group === "x25519" ? "ECDHE-X25519" : "ECDHE-SECP256R1")) return `server describes the session as ${d}`;
      return null;
    },
  },
  nginx: {
    title: "nginx (ssl_ecdh_curve, ssl_conf_command Ciphersuites)",
    bin: "nginx",
    version: () => spawnSync(resolveBinary("nginx"), ["-v"], { encoding: "utf8" }).stderr.trim(),
    async start(chain, suite, group) {
      const port = await freePort();
      const dir = mkdtempSync(path.join(tmpdir(), "etls-nginx-"));
      for (const d of ["logs", "tmp"]) mkdirSync(path.join(dir, d));
      const conf = path.join(dir, "nginx.conf");
      writeFileSync(conf, nginxConfig(dir, port, chain, {
        ciphersuites: suite, curve: group === "x25519" ? "X25519" : "prime256v1",
        locations: `location / { default_type text/plain; return 200 "$ssl_protocol $ssl_cipher $ssl_curve\\n"; }`,
      }));
      const srv = await spawnServer("nginx", ["-p", dir, "-c", conf, "-e", "stderr"], { port });
      return { ...srv, stop: async () => { await srv.stop(); rmSync(dir, { recursive: true, force: true }); } };
    },
    check(body, suite, group) {
      const [proto, cipher, curve] = body.trim().split(" ");
      if (proto !== "TLSv1.3") return `server reports protocol ${proto}`;
      if (cipher !== suite) return `server reports cipher ${cipher}`;
      const want = group === "x25519" ? "X25519" : "prime256v1";
      if (curve !== want) return `server reports curve ${curve}`;
      return null;
    },
  },
  node: {
    title: `Node ${process.version} https`,
    bin: null,
    version: () => `Node ${process.version} (OpenSSL ${process.versions.openssl})`,
    async start(chain, suite, group) {
      const server = https.createServer({
        key: readFileSync(chain.leaf.keyFile), cert: chain.leaf.pem + chain.inter.pem,
        minVersion: "TLSv1.3", ciphers: suite, ecdhCurve: OSSL_GROUP[group],
      }, (req, res) => {
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ version: req.socket.getProtocol(), cipher: req.socket.getCipher().standardName }));
      });
      await new Promise((r) => server.listen(0, "127.0.0.1", r));
      return {
        port: server.address().port, output: () => "",
        stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      };
    },
    check(body, suite) {
      const j = JSON.parse(body);
      if (j.version !== "TLSv1.3") return `server reports ${j.version}`;
      if (j.cipher !== suite) return `server reports cipher ${j.cipher}`;
      return null; // Node's server side cannot report the group; ecdhCurve allows only the one asked for
    },
  },
};

/**
 * An nginx configuration for one TLS 1.3 server on 127.0.0.1:port, run in the foreground with every
 * file under `dir`. opts: ciphersuites, curve, locations (nginx text), extra (server-level text).
 */
export function nginxConfig(dir, port, chain, opts = {}) {
  const p = (f) => path.join(dir, f);
  return `daemon off;
master_process off;
worker_processes 1;
pid ${p("nginx.pid")};
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log ${p("logs/access.log")};
  client_body_temp_path ${p("tmp/body")};
  proxy_temp_path ${p("tmp/proxy")};
  fastcgi_temp_path ${p("tmp/fastcgi")};
  uwsgi_temp_path ${p("tmp/uwsgi")};
  scgi_temp_path ${p("tmp/scgi")};
  server {
    listen 127.0.0.1:${port} ssl;
    server_name localhost;
    ssl_certificate ${chain.chainFile};
    ssl_certificate_key ${chain.leaf.keyFile};
    ssl_protocols TLSv1.3;
    ${opts.curve ? `ssl_ecdh_curve ${opts.curve};` : ""}
    ${opts.ciphersuites ? `ssl_conf_command Ciphersuites ${opts.ciphersuites};` : ""}
    ${opts.extra || ""}
    ${opts.locations || ""}
  }
}
`;
}

// ---- the board side ----------------------------------------------------------------------------

/** The app on the board: a verified HTTPS GET; reports status, body and the handshake steps. */
export const GET_APP = `var t = require("espruino-tls"), steps = [];
var req = t.https.get({ url: URL, ca: CA, keepAlive: false, timeout: 30000, idleTimeout: 20000 }, function (res) {
  var body = "";
  res.on("data", function (d) { body += d; });
  res.on("end", function () { done({ status: res.statusCode, body: body, steps: steps }); });
});
req.on("progress", function (s) { steps.push(s); });
req.on("error", function (e) { done({ error: e.code, message: e.message, steps: steps }); });`;

/**
 * One cell: starts the server, runs the GET on the board mock, stops the server.
 * Returns { server, key, suite, group, ok, code, detail, ms }.
 */
export async function runCell(runApp, chains, server, key, suite, group, { board = "linux", timeoutMs = 30000 } = {}) {
  const S = SERVERS[server];
  const cell = { server, key, suite, group, ok: false, code: null, detail: "", ms: 0 };
  const t0 = Date.now();
  let srv = null;
  try {
    srv = await S.start(chains[key], suite, group);
    const r = await runApp(GET_APP, {
      board, timeoutMs,
      globals: { URL: `https://localhost:${srv.port}/`, CA: chains[key].root.pem },
    });
    if (r.error) { cell.code = r.error; cell.detail = r.message; }
    else if (r.status !== 200) { cell.code = `HTTP_${r.status}`; cell.detail = r.body.slice(0, 200); }
    else {
      const why = S.check(r.body, suite, group);
      const retried = r.steps.includes("hello_retry");
      if (why) { cell.code = "WRONG_PARAMETERS"; cell.detail = why; }
      else if (retried !== (group === "P-256")) { cell.code = "WRONG_PARAMETERS"; cell.detail = `HelloRetryRequest ${retried ? "seen" : "not seen"}`; }
      else cell.ok = true;
    }
  } catch (e) {
    cell.code = cell.code || "HARNESS";
    cell.detail = String(e && e.message || e).split("\n").slice(0, 4).join(" | ");
  } finally {
    if (srv) await srv.stop();
    cell.ms = Date.now() - t0;
  }
  return cell;
}

/** Which servers can run here: { name: null | "reason it cannot" }. */
export function availability() {
  const out = {};
  for (const name of SERVER_NAMES) {
    const bin = SERVERS[name].bin;
    out[name] = bin && !hasBinary(bin) ? `${bin} not installed (Debian: apt-get install ${name === "gnutls" ? "gnutls-bin" : name})` : null;
  }
  return out;
}

/** All cells of the matrix, in print order. */
export function cells(servers = SERVER_NAMES) {
  const out = [];
  for (const server of servers) for (const key of KEYS) for (const group of GROUPS) for (const suite of SUITES) out.push({ server, key, suite, group });
  return out;
}

/** The matrix as text: one line per server x key x group, one column per suite. */
export function formatMatrix(results) {
  const short = { TLS_AES_128_GCM_SHA256: "AES_128_GCM", TLS_CHACHA20_POLY1305_SHA256: "CHACHA20_POLY1305", TLS_AES_256_GCM_SHA384: "AES_256_GCM" };
  const w = [8, 6, 16, 20, 20, 20];
  const pad = (s, n) => String(s).padEnd(n);
  const lines = [[ "server", "key", "group", ...SUITES.map((s) => short[s]) ].map((s, i) => pad(s, w[i])).join(" ")];
  const seen = new Map();
  for (const r of results) {
    const k = `${r.server}|${r.key}|${r.group}`;
    if (!seen.has(k)) seen.set(k, {});
    seen.get(k)[r.suite] = r;
  }
  for (const [k, row] of seen) {
    const [server, key, group] = k.split("|");
    const g = group === "x25519" ? "x25519" : "P-256 (HRR)";
    const cols = SUITES.map((s) => !row[s] ? "-" : row[s].skipped ? "skipped" : row[s].ok ? `ok ${(row[s].ms / 1000).toFixed(1)}s` : row[s].code);
    lines.push([server, key, g, ...cols].map((s, i) => pad(s, w[i])).join(" "));
  }
  return lines.join("\n");
}

// ---- the socket API against an echo server ----------------------------------------------------

/** The app: tls.connect, write a line, read it back, end (close_notify). */
export const ECHO_APP = `var t = require("espruino-tls"), got = "", info = null;
var s = t.tls.connect({ host: "localhost", port: PORT, ca: CA, timeout: 30000 }, function (i) {
  info = i;
  s.write(MSG);
});
s.on("data", function (d) {
  got += d;
  if (got.length >= MSG.length) { s.end(); done({ echoed: got, suite: info.suite, group: info.group, alpn: info.alpn }); }
});
s.on("error", function (e) { done({ error: e.code, message: e.message }); });`;

/** gnutls-serv --echo: tls.connect + write + read back, for one key type. */
export async function runEchoCell(runApp, chains, key, { board = "linux" } = {}) {
  const cell = { server: "gnutls-echo", key, ok: false, code: null, detail: "", ms: 0 };
  const t0 = Date.now();
  let srv = null;
  try {
    const port = await freePort();
    srv = await spawnServer("gnutls-serv", ["-p", String(port), "-a", "--echo", "--crlf", "--x509certfile", chains[key].chainFile,
      "--x509keyfile", chains[key].leaf.keyFile, "--priority", gnutlsPriority(null, null)], { port, ready: /listening on IPv4/ });
    const msg = "ping from the board \u00e9\u0001\u00ff\r\n";
    const r = await runApp(ECHO_APP, { board, timeoutMs: 30000, globals: { PORT: port, CA: chains[key].root.pem, MSG: msg } });
    if (r.error) { cell.code = r.error; cell.detail = r.message; }
    else if (r.echoed !== msg) { cell.code = "WRONG_ECHO"; cell.detail = JSON.stringify(r.echoed); }
    else { cell.ok = true; cell.detail = `${r.suite}, group 0x${r.group.toString(16)}`; }
  } catch (e) {
    cell.code = "HARNESS";
    cell.detail = String(e && e.message || e).split("\n").slice(0, 4).join(" | ");
  } finally {
    if (srv) await srv.stop();
    cell.ms = Date.now() - t0;
  }
  return cell;
}
