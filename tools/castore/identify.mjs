// What a PEM block or DER blob holds, named so errors can say "this file holds X, not Y"
// (the board whose only message was "Bad CA file").
import { tlv, children, value, oidText, pemBlocks } from "./der.mjs";

export const KINDS = {
  certificate: "an X.509 certificate",
  "trusted-certificate": "an OpenSSL TRUSTED CERTIFICATE (certificate with trust settings)",
  pkcs8: "a private key in PKCS#8 (PEM \"PRIVATE KEY\")",
  "pkcs8-encrypted": "an encrypted private key (PKCS#8 EncryptedPrivateKeyInfo, PEM \"ENCRYPTED PRIVATE KEY\")",
  pkcs1: "an RSA private key in PKCS#1 (PEM \"RSA PRIVATE KEY\")",
  "pkcs1-public": "an RSA public key in PKCS#1 (PEM \"RSA PUBLIC KEY\")",
  sec1: "an EC private key in SEC1 (PEM \"EC PRIVATE KEY\")",
  spki: "a public key (SubjectPublicKeyInfo, PEM \"PUBLIC KEY\")",
  csr: "a certificate signing request (PKCS#10)",
  crl: "a certificate revocation list",
  pkcs7: "a PKCS#7/CMS structure",
  pkcs12: "a PKCS#12 (.p12/.pfx) archive",
  "ec-params": "EC parameters (no key)",
  "openssh-key": "an OpenSSH private key (not a PEM/DER key: convert with ssh-keygen -p -m PKCS8)",
  castore: "an espruino-tls CA store image",
  empty: "nothing (an empty file)",
  text: "text without any PEM block",
  unknown: "data that is neither PEM nor a known DER structure",
};

const PEM_KINDS = {
  CERTIFICATE: "certificate", "X509 CERTIFICATE": "certificate", "TRUSTED CERTIFICATE": "trusted-certificate",
  "PRIVATE KEY": "pkcs8", "ENCRYPTED PRIVATE KEY": "pkcs8-encrypted", "RSA PRIVATE KEY": "pkcs1",
  "RSA PUBLIC KEY": "pkcs1-public", "EC PRIVATE KEY": "sec1", "PUBLIC KEY": "spki",
  "CERTIFICATE REQUEST": "csr", "NEW CERTIFICATE REQUEST": "csr", "X509 CRL": "crl", PKCS7: "pkcs7", CMS: "pkcs7",
  "EC PARAMETERS": "ec-params", "OPENSSH PRIVATE KEY": "openssh-key",
};

/** Kind of a DER blob, from its structure. */
export function identifyDer(der) {
  const b = Buffer.from(der);
  if (b.length === 0) return "empty";
  if (b.length >= 4 && b.subarray(0, 4).toString("latin1") === "ETCA") return "castore";
  try {
    const top = tlv(b, 0);
    if (top.tag !== 0x30 || top.ve !== b.length) return "unknown";
    const c = children(b, top);
    const tags = c.map((x) => x.tag);
    const intVal = (e) => (e.tag === 0x02 && e.ve - e.vs <= 2 ? b.readUIntBE(e.vs, e.ve - e.vs) : -1);
    if (tags[0] === 0x06 && oidText(value(b, c[0])).startsWith("1.2.840.113549.1.7.")) return "pkcs7";
    if (tags.length === 3 && tags[0] === 0x30 && tags[1] === 0x30 && tags[2] === 0x03) {
      const inner = children(b, c[0]);
      const it = inner.map((x) => x.tag);
      const i = it[0] === 0xa0 ? 1 : 0;
      if (it[i] === 0x02 && it[i + 1] === 0x30 && it[i + 2] === 0x30 && it[i + 3] === 0x30 && it[i + 4] === 0x30 && it[i + 5] === 0x30) return "certificate";
      if (it[0] === 0x02 && it[1] === 0x30 && it[2] === 0x30 && it[3] === 0xa0) return "csr";
      return "crl";
    }
    if (tags.length === 2 && tags[0] === 0x30 && tags[1] === 0x03) return "spki";
    if (tags.length === 2 && tags[0] === 0x30 && tags[1] === 0x04) return "pkcs8-encrypted";
    if (tags.length === 2 && tags[0] === 0x02 && tags[1] === 0x02) return "pkcs1-public";
    if (tags[0] === 0x02 && tags[1] === 0x30 && tags[2] === 0x04 && intVal(c[0]) <= 1) return "pkcs8";
    if (tags.length >= 9 && tags.slice(0, 9).every((t) => t === 0x02) && intVal(c[0]) <= 1) return "pkcs1";
    if (tags[0] === 0x02 && tags[1] === 0x04 && intVal(c[0]) === 1) return "sec1";
    if (tags[0] === 0x02 && tags[1] === 0x30 && intVal(c[0]) === 3) return "pkcs12";
    if (tags[0] === 0x30 && tags.length >= 2 && children(b, c[0])[0]?.tag === 0x06 && tags[1] !== 0x03) return "ec-params";
  } catch { /* unknown */ }
  return "unknown";
}

/**
 * What a file holds: [{ kind, der, label }] for each PEM block (label = the PEM label), or one
 * entry for a DER file. Text without PEM blocks gives kind "text".
 */
export function identify(buf) {
  const b = Buffer.from(buf);
  if (b.length === 0) return [{ kind: "empty", der: b }];
  const text = b.toString("latin1");
  if (text.includes("-----BEGIN ")) {
    const blocks = pemBlocks(text);
    if (blocks.length) {
      return blocks.map((x) => {
        let kind = PEM_KINDS[x.label] || "unknown";
        if (x.headers && (kind === "pkcs1" || kind === "sec1")) kind = "pkcs8-encrypted";
        return { kind, der: x.der, label: x.label, encryptedPem: x.headers };
      });
    }
  }
  if (b[0] === 0x30 || text.startsWith("ETCA")) return [{ kind: identifyDer(b), der: b }];
  if (/^[\x09\x0a\x0d\x20-\x7e]*$/.test(text.slice(0, 512))) return [{ kind: "text", der: b }];
  return [{ kind: "unknown", der: b }];
}

/** Human description of what a file holds ("2 blocks: an X.509 certificate, an EC private key ..."). */
export function describe(items) {
  const names = [...new Set(items.map((x) => KINDS[x.kind] + (x.label && !PEM_KINDS[x.label] ? ` (PEM "${x.label}")` : "")))];
  return names.join(", ");
}
