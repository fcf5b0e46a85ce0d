// A throwaway PKI made at test time with the openssl CLI: root CA, intermediate, leaves.
// Each certificate can be bent (validity, names, EKU, CA flag, key type and size, hash) so tests
// can show every refusal. Files land in a temporary directory.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const openssl = (args, opts = {}) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"], ...opts });

export class Pki {
  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), "etls-pki-"));
    this.serial = 1;
  }

  file(name) { return path.join(this.dir, name); }

  /** A minimal `openssl ca` configuration (it can set any validity dates, unlike `x509` in 3.0). */
  caConfig() {
    const f = this.file("ca.cnf");
    writeFileSync(this.file("index.txt"), "", { flag: "a" });
    writeFileSync(f, `[ca]\ndefault_ca = d\n[d]\ndatabase = ${this.file("index.txt")}\nnew_certs_dir = ${this.dir}\n` +
      `serial = ${this.file("serial")}\npolicy = p\nunique_subject = no\nemail_in_dn = no\ncopy_extensions = none\n` +
      `[p]\ncommonName = supplied\norganizationName = optional\n`);
    return f;
  }

  /** A private key: "ec" (P-256), "ec384", "rsa" (2048), "rsa1024", "rsa3072", "ed25519". */
  key(name, type = "ec") {
    const f = this.file(name + ".key");
    const args = type.startsWith("rsa")
      ? ["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${type === "rsa" ? 2048 : type.slice(3)}`]
      : type === "ed25519" ? ["genpkey", "-algorithm", "ED25519"]
      : ["genpkey", "-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:${type === "ec384" ? "P-384" : "P-256"}`];
    openssl([...args, "-out", f]);
    return f;
  }

  /**
   * Issues a certificate. opts: { key: type, issuer: cert returned earlier (self-signed if none),
   * cn, ca: bool, pathLen, san: ["DNS:localhost", "IP:127.0.0.1"], eku: "serverAuth" | ... | null,
   * days, startDaysAgo, hash: "sha256" | "sha1", keyUsage, nameConstraints: openssl's value
   * ("critical,permitted;DNS:.example.com"), basicConstraints: false (leave the extension out),
   * aki: false (no authorityKeyIdentifier), ski: false (no subjectKeyIdentifier) }.
   */
  cert(name, opts = {}) {
    const keyFile = this.key(name, opts.key || "ec");
    const ext = [];
    const bc = (v) => { if (opts.basicConstraints !== false) ext.push(v); };
    if (opts.ca) {
      bc(`basicConstraints=critical,CA:TRUE${opts.pathLen !== undefined ? ",pathlen:" + opts.pathLen : ""}`);
      ext.push(`keyUsage=critical,${opts.keyUsage || "keyCertSign,cRLSign"}`);
    } else {
      bc(opts.caFalse === false ? "basicConstraints=critical,CA:TRUE" : "basicConstraints=critical,CA:FALSE");
      ext.push(`keyUsage=critical,${opts.keyUsage || "digitalSignature,keyEncipherment"}`);
      if (opts.eku !== null) ext.push(`extendedKeyUsage=${opts.eku || "serverAuth"}`);
    }
    if (opts.san && opts.san.length) ext.push(`subjectAltName=${opts.san.join(",")}`);
    if (opts.nameConstraints) ext.push(`nameConstraints=${opts.nameConstraints}`);
    if (opts.ski !== false) ext.push("subjectKeyIdentifier=hash");
    else ext.push("subjectKeyIdentifier=none");
    if (opts.issuer && opts.aki !== false) ext.push("authorityKeyIdentifier=keyid:always");
    else if (opts.aki === false) ext.push("authorityKeyIdentifier=none");
    const extFile = this.file(name + ".ext");
    writeFileSync(extFile, ext.join("\n") + "\n");
    const csr = this.file(name + ".csr");
    openssl(["req", "-new", "-key", keyFile, "-subj", `/CN=${opts.cn || name}/O=espruino-tls test`, "-out", csr]);
    const certFile = this.file(name + ".pem");
    const start = new Date(Date.now() - (opts.startDaysAgo ?? 1) * 86400000);
    const end = new Date(start.getTime() + (opts.days ?? 30) * 86400000);
    const stamp = (d) => d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
    writeFileSync(this.file("serial"), (4096 + this.serial++).toString(16) + "\n");
    const args = ["ca", "-batch", "-config", this.caConfig(), "-in", csr, "-out", certFile, "-extfile", extFile, "-notext",
      "-startdate", stamp(start), "-enddate", stamp(end), "-md", opts.hash || "sha256"];
    if (opts.issuer) args.push("-cert", opts.issuer.certFile, "-keyfile", opts.issuer.keyFile);
    else args.push("-selfsign", "-keyfile", keyFile);
    openssl(args);
    const pem = readFileSync(certFile, "utf8");
    return { name, certFile, keyFile, pem, der: pemToDer(pem) };
  }

  /** A root, an intermediate under it, and a leaf for localhost/127.0.0.1 under that.
   *  opts: label (CA names), rootKey, interKey, leafKey (key types, see key()). */
  chain(opts = {}) {
    const label = opts.label || "espruino-tls test";
    const root = this.cert("root", { ca: true, cn: `${label} root`, key: opts.rootKey || "ec", days: 3650 });
    const inter = this.cert("inter", { ca: true, cn: `${label} intermediate`, issuer: root, key: opts.interKey || "ec", days: 365 });
    const leaf = this.cert("leaf", { issuer: inter, cn: "localhost", san: ["DNS:localhost", "IP:127.0.0.1"], key: opts.leafKey || "ec" });
    return { root, inter, leaf };
  }
}

export function pemToDer(pem) {
  const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return Buffer.from(b64, "base64");
}
