// A small local CA for tests and labs, run with Debian's openssl CLI: an ECDSA P-256 root
// (optionally name-constrained), certificates issued from CSRs (a device's, made by
// identity.generate on the board, whose key never leaves it) or for a host name and address
// with a key made here (`issue`, for the board's HTTPS server). Every issued certificate is
// checked with `openssl verify` against the root before it is written, so a request outside the
// root's name constraints is refused here rather than by a browser or broker later.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspectCsr } from "./csr.mjs";

export const CA_KEY = "ca.key";
export const CA_CERT = "ca.pem";
/** Browsers refuse server certificates valid for more than 398 days; we stay at 397. */
export const MAX_SERVER_DAYS = 397;

function openssl(args, input) {
  try {
    return execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"] }).toString("latin1");
  } catch (e) {
    const msg = (e.stderr ? e.stderr.toString() : "") || e.message;
    throw new Error(`openssl ${args[0]}: ${msg.trim().split("\n").slice(0, 4).join("; ")}`);
  }
}

/** Files of the CA in dir; throws when it has not been initialised. */
export function caFiles(dir) {
  const key = path.join(dir, CA_KEY), cert = path.join(dir, CA_CERT);
  if (!existsSync(key) || !existsSync(cert)) throw new Error(`no local CA in ${dir} (make one with: espruino-tls localca init --dir ${dir})`);
  return { key, cert };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function checkIp(ip) {
  const m = IPV4.exec(ip);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new Error(`"${ip}" is not an IPv4 address (a.b.c.d)`);
  return ip;
}

/** "DNS:.local", "DNS:example.lan", "IP:192.168.1.0/24" to openssl's permitted;... form. */
export function constraintValue(c) {
  const m = /^(DNS|IP):(.+)$/.exec(c);
  if (!m) throw new Error(`--name-constraint wants DNS:<suffix> or IP:<a.b.c.d>/<bits> (got "${c}")`);
  if (m[1] === "DNS") {
    if (!/^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(m[2])) throw new Error(`--name-constraint ${c}: not a DNS name or .suffix`);
    return "permitted;DNS:" + m[2].toLowerCase();
  }
  const [addr, bits] = m[2].split("/");
  checkIp(addr);
  const n = bits === undefined ? 32 : Number(bits);
  if (!/^\d+$/.test(String(n)) || n > 32) throw new Error(`--name-constraint ${c}: prefix length must be 0..32`);
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  const maskText = [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join(".");
  return `permitted;IP:${addr}/${maskText}`;
}

/**
 * Makes the root: a P-256 key (PKCS#8, mode 0600) and a self-signed certificate with
 * basicConstraints CA:TRUE pathlen:0, keyUsage keyCertSign/cRLSign, and name constraints when given.
 * opts: { name, days, constraints: ["DNS:.local", "IP:192.168.1.0/24"], force }.
 */
export function initCa(dir, opts = {}) {
  const key = path.join(dir, CA_KEY), cert = path.join(dir, CA_CERT);
  if (!opts.force && (existsSync(key) || existsSync(cert))) throw new Error(`${dir} already holds a CA (${CA_KEY}, ${CA_CERT}); --force replaces it`);
  mkdirSync(dir, { recursive: true });
  const nc = (opts.constraints || []).map(constraintValue);
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeFileSync(key, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  chmodSync(key, 0o600);
  const ext = [
    "basicConstraints=critical,CA:TRUE,pathlen:0",
    "keyUsage=critical,keyCertSign,cRLSign",
    "subjectKeyIdentifier=hash",
  ];
  if (nc.length) ext.push("nameConstraints=critical," + nc.join(","));
  const name = opts.name || "espruino-tls local CA";
  const days = opts.days || 3650;
  openssl(["req", "-new", "-x509", "-key", key, "-out", cert, "-days", String(days), "-sha256",
    "-subj", "/CN=" + name.replace(/\//g, "\\/") + "/O=espruino-tls localca", "-set_serial", serial(),
    ...ext.flatMap((e) => ["-addext", e])]);
  return { key, cert, name, days, constraints: nc };
}

function serial() {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return "0x" + b.toString("hex");
}

/**
 * Issues a certificate for a CSR (PEM or DER). opts: { client, server, days, sans (override) }.
 * The CSR's signature is checked first; the subject is the CSR's; SANs are the CSR's (only DNS
 * and IP are copied); no other requested extension is honoured (a CSR cannot ask to be a CA).
 * Returns { pem, der, cert (X509Certificate), csr (inspectCsr result), eku }.
 */
export function signCsr(dir, csrBuf, opts = {}) {
  const ca = caFiles(dir);
  const csr = inspectCsr(csrBuf);
  if (!csr.sigAlgKnown) throw new Error(`the CSR is signed with ${csr.sigAlg}, which this CA does not check`);
  if (!csr.signatureValid) throw new Error("the CSR's signature does not verify: it was not signed by the key it holds (or was altered)");
  const client = !!opts.client || !opts.server;
  const server = !!opts.server;
  const days = opts.days || (server ? MAX_SERVER_DAYS : 365);
  if (server && days > MAX_SERVER_DAYS) throw new Error(`a server certificate may be valid for at most ${MAX_SERVER_DAYS} days (browsers refuse longer); got ${days}`);
  const sans = (opts.sans || csr.sans).filter((s) => /^(DNS|IP):/.test(s));
  if (server && !sans.length) throw new Error("a server certificate needs a DNS or IP subjectAltName (browsers ignore the CN); the CSR has none");
  const eku = [server ? "serverAuth" : null, client ? "clientAuth" : null].filter(Boolean);
  const ext = [
    "basicConstraints=critical,CA:FALSE",
    `keyUsage=critical,digitalSignature${csr.key.startsWith("RSA") ? ",keyEncipherment" : ""}`,
    "extendedKeyUsage=" + eku.join(","),
    "subjectKeyIdentifier=hash",
    "authorityKeyIdentifier=keyid:always",
  ];
  if (sans.length) ext.push("subjectAltName=" + sans.join(","));
  const tmp = path.join(tmpdir(), `etls-localca-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(tmp);
  try {
    writeFileSync(path.join(tmp, "req.der"), csr.der);
    writeFileSync(path.join(tmp, "ext.cnf"), ext.join("\n") + "\n");
    const out = path.join(tmp, "cert.pem");
    openssl(["x509", "-req", "-inform", "DER", "-in", path.join(tmp, "req.der"), "-CA", ca.cert, "-CAkey", ca.key,
      "-set_serial", serial(), "-days", String(days), "-sha256", "-extfile", path.join(tmp, "ext.cnf"), "-out", out]);
    // The root's name constraints (and everything else) as a verifier applies them.
    const purpose = server ? "sslserver" : "sslclient";
    try {
      openssl(["verify", "-x509_strict", "-purpose", purpose, "-CAfile", ca.cert, out]);
    } catch (e) {
      throw new Error(`the certificate would not verify under this CA (${e.message}); nothing issued`);
    }
    const pem = readFileSync(out, "latin1");
    const cert = new X509Certificate(pem);
    return { pem, der: Buffer.from(cert.raw), cert, csr, eku };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A server certificate for names and addresses with a P-256 key made here (issue19: the board's
 * HTTPS server before it can make its own). opts: { names: [dns], ips: [a.b.c.d], days, client }.
 * Returns signCsr's result plus keyPem (PKCS#8).
 */
export function issueServer(dir, opts) {
  const names = opts.names || [], ips = (opts.ips || []).map(checkIp);
  if (!names.length && !ips.length) throw new Error("give at least one --name or --ip");
  for (const n of names) if (!/^[A-Za-z0-9*]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*$/.test(n)) throw new Error(`"${n}" is not a DNS name`);
  caFiles(dir);
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const keyPem = privateKey.export({ format: "pem", type: "pkcs8" });
  const cn = names[0] || ips[0];
  const tmp = path.join(tmpdir(), `etls-localca-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(tmp, { mode: 0o700 });
  let csrPem;
  try {
    writeFileSync(path.join(tmp, "k.pem"), keyPem, { mode: 0o600 });
    csrPem = openssl(["req", "-new", "-key", path.join(tmp, "k.pem"), "-subj", "/CN=" + cn, "-sha256"]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const sans = [...names.map((n) => "DNS:" + n), ...ips.map((i) => "IP:" + i)];
  const r = signCsr(dir, Buffer.from(csrPem, "latin1"), { server: true, client: !!opts.client, days: opts.days, sans });
  return { ...r, keyPem };
}
