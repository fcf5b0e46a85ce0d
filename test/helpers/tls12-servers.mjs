// TLS servers for the TLS 1.2 / resumption tests (test/tls12, test/resume), on 127.0.0.1 and
// stopped by the test that starts them: Node's tls/https with any options, and the command-line
// servers OpenSSL s_server, GnuTLS gnutls-serv, nginx and mosquitto when installed.
import https from "node:https";
import net from "node:net";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export function have(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

/**
 * Node HTTPS server answering JSON {method, url, body, tls, version, resumed}. opts.tls: extra TLS
 * options (maxVersion defaults to TLSv1.2 here). opts.sessionIds: keep TLS 1.2 sessions by id in a
 * Map (Node has no internal server session cache). Counts: server.stats {handshakes, resumed}.
 */
export async function nodeHttps12(chain, opts = {}) {
  const stats = { connections: 0, resumed: 0, versions: [], ciphers: [] };
  const server = https.createServer({
    key: readFileSync(chain.leaf.keyFile),
    cert: chain.leaf.pem + chain.inter.pem,
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.2",
    ...opts.tls,
  }, (req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.setHeader("Content-Type", "application/json");
      const s = req.socket;
      res.end(JSON.stringify({ method: req.method, url: req.url, body, tls: s.getCipher().standardName, version: s.getProtocol(), resumed: s.isSessionReused() }));
    });
  });
  server.on("secureConnection", (s) => {
    stats.connections++;
    if (s.isSessionReused()) stats.resumed++;
    stats.versions.push(s.getProtocol());
    stats.ciphers.push(s.getCipher().standardName);
  });
  if (opts.sessionIds) {
    const store = new Map();
    server.on("newSession", (id, data, cb) => { store.set(id.toString("hex"), data); cb(); });
    server.on("resumeSession", (id, cb) => cb(null, store.get(id.toString("hex")) || null));
  }
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, stats, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/** Spawns a server process and waits until its port accepts connections. */
export async function spawnServer(cmd, args, port, { cwd, env } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited: ${out}`);
    const ok = await new Promise((r) => {
      const c = net.connect(port, "127.0.0.1", () => { c.destroy(); r(true); });
      c.on("error", () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline) { child.kill("SIGKILL"); throw new Error(`${cmd} did not listen on ${port}: ${out}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port, child, output: () => out,
    close: () => new Promise((r) => { if (child.exitCode !== null) return r(); child.on("exit", () => r()); child.kill("SIGTERM"); setTimeout(() => child.kill("SIGKILL"), 2000); }),
  };
}

/** openssl s_server -www (an HTTP answer with the session details) with extra args. */
export async function opensslServer(chain, args = []) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "etls-ossl-"));
  writeFileSync(path.join(dir, "chain.pem"), chain.inter.pem);
  return spawnServer("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", chain.leaf.certFile, "-key", chain.leaf.keyFile,
    "-cert_chain", path.join(dir, "chain.pem"), "-www", "-quiet", ...args], port);
}

/** gnutls-serv --http with a priority string. */
export async function gnutlsServer(chain, priority, extra = []) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "etls-gnutls-"));
  const full = path.join(dir, "full.pem");
  writeFileSync(full, chain.leaf.pem + chain.inter.pem);
  return spawnServer("gnutls-serv", ["--http", "-p", String(port), "--x509certfile", full, "--x509keyfile", chain.leaf.keyFile,
    "--priority", priority, ...extra], port);
}

/** nginx serving a fixed JSON body over TLS 1.2 only (by default), session cache and tickets on. */
export async function nginxServer(chain, { protocols = "TLSv1.2", extra = "" } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "etls-nginx-"));
  const full = path.join(dir, "full.pem");
  writeFileSync(full, chain.leaf.pem + chain.inter.pem);
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(conf, `daemon off;\nworker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 64; }\n` +
    `http {\n access_log off;\n client_body_temp_path ${dir}/body;\n proxy_temp_path ${dir}/proxy;\n fastcgi_temp_path ${dir}/fcgi;\n uwsgi_temp_path ${dir}/uwsgi;\n scgi_temp_path ${dir}/scgi;\n` +
    ` server {\n  listen 127.0.0.1:${port} ssl;\n  server_name localhost;\n  ssl_certificate ${full};\n  ssl_certificate_key ${chain.leaf.keyFile};\n` +
    `  ssl_protocols ${protocols};\n  ssl_session_cache shared:etls:1m;\n  ssl_session_tickets on;\n  keepalive_timeout 10;\n${extra}\n` +
    `  location / { default_type application/json; return 200 '{"server":"nginx","proto":"$ssl_protocol","cipher":"$ssl_cipher","reused":"$ssl_session_reused"}'; }\n }\n}\n`);
  const user = process.getuid && process.getuid() === 0 ? ["-g", "user root;"] : [];
  const s = await spawnServer("nginx", ["-c", conf, "-p", dir, ...user], port);
  return s;
}

/** mosquitto with a TLS listener. Its tls_version is a minimum, so `max12` (default true) caps
 *  it at TLS 1.2 through an OpenSSL configuration file (MaxProtocol) given in OPENSSL_CONF. */
export async function mosquittoServer(chain, { tlsVersion = "tlsv1.2", max12 = true } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "etls-mosq-"));
  const full = path.join(dir, "full.pem");
  writeFileSync(full, chain.leaf.pem + chain.inter.pem);
  const conf = path.join(dir, "mosquitto.conf");
  // As root, mosquitto would switch to its own user, who cannot read the test PKI's files.
  const user = process.getuid && process.getuid() === 0 ? "user root\n" : "";
  writeFileSync(conf, `${user}per_listener_settings false\nallow_anonymous true\npersistence false\nlog_dest stderr\n` +
    `listener ${port} 127.0.0.1\ncertfile ${full}\nkeyfile ${chain.leaf.keyFile}\ntls_version ${tlsVersion}\n`);
  const bin = have("mosquitto") ? "mosquitto" : "/usr/sbin/mosquitto";
  let env;
  if (max12) {
    const oc = path.join(dir, "openssl.cnf");
    writeFileSync(oc, "openssl_conf = etls_conf\n[etls_conf]\nssl_conf = etls_ssl\n[etls_ssl]\nsystem_default = etls_sys\n[etls_sys]\nMaxProtocol = TLSv1.2\n");
    env = { OPENSSL_CONF: oc };
  }
  return spawnServer(bin, ["-c", conf], port, { env });
}
