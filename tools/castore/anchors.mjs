// Certificates in, trust anchors out: reads PEM/DER files, directories and the system's Mozilla
// set, names what it finds, de-duplicates, and selects with --only / --exclude.
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { createHash, X509Certificate } from "node:crypto";
import path from "node:path";
import { identify, describe, KINDS } from "./identify.mjs";
import { nameText, nameLabel } from "./der.mjs";
import { anchorFromCertDer, keyHashId, encodeKey, keyDescription } from "./format.mjs";

/** Debian's ca-certificates bundle (Mozilla's roots trusted for TLS servers). */
export const MOZILLA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const CERT_EXT = /\.(pem|crt|cer|der|ca-bundle)$/i;

const hex = (b) => Buffer.from(b).toString("hex");

/** An anchor candidate from a certificate's DER, with what the tools print about it. */
export function certInfo(der, source) {
  const a = anchorFromCertDer(der);
  let x;
  try { x = new X509Certificate(der); } catch { x = null; }
  const key = encodeKey(a.spki);
  return {
    ...a,
    source,
    der: Buffer.from(der),
    name: nameText(a.subject),
    label: nameLabel(a.subject),
    sha256: createHash("sha256").update(der).digest("hex"),
    spkiSha256: createHash("sha256").update(a.spki).digest("hex"),
    keyText: keyDescription(key.type, key.data),
    selfSigned: x ? x.checkIssued(x) && x.verify(x.publicKey) : false,
    skiIsKeyHash: a.ski ? keyHashId(a.spki).equals(a.ski) : false,
  };
}

/** Reads one file: every certificate in it, or an error naming what it holds instead. */
export function certsFromFile(file, { strict = true } = {}) {
  let buf;
  try { buf = readFileSync(file); } catch (e) { throw new Error(`${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`); }
  const items = identify(buf);
  const certs = items.filter((x) => x.kind === "certificate" || x.kind === "trusted-certificate");
  if (!certs.length) {
    if (!strict) return [];
    throw new Error(`${file} holds ${describe(items)}, not a certificate (PEM "CERTIFICATE" or DER)`);
  }
  return certs.map((c, i) => {
    try { return certInfo(c.der, certs.length > 1 ? `${file}#${i}` : file); } catch (e) {
      throw new Error(`${file}${certs.length > 1 ? ` (certificate ${i})` : ""}: not a readable certificate: ${e.message}`);
    }
  });
}

/** Certificates from files, directories (their *.pem, *.crt, *.cer, *.der files) and
 *  optionally the Mozilla set; duplicates (same certificate) are dropped. */
export function loadCertificates(inputs, { mozilla = false, mozillaFile = MOZILLA_BUNDLE } = {}) {
  const out = [];
  const seen = new Map();
  const dups = [];
  const add = (list) => {
    for (const c of list) {
      if (seen.has(c.sha256)) { dups.push(c); continue; }
      seen.set(c.sha256, c);
      out.push(c);
    }
  };
  if (mozilla) {
    if (!existsSync(mozillaFile)) {
      throw new Error(`--mozilla reads ${mozillaFile} (Debian's ca-certificates); it is missing: apt-get install ca-certificates`);
    }
    add(certsFromFile(mozillaFile));
  }
  for (const input of inputs) {
    let st;
    try { st = statSync(input); } catch { throw new Error(`${input}: no such file or directory`); }
    if (st.isDirectory()) {
      const files = readdirSync(input).filter((f) => CERT_EXT.test(f)).sort();
      const before = out.length;
      for (const f of files) add(certsFromFile(path.join(input, f), { strict: false }));
      if (out.length === before && !dups.length) throw new Error(`${input}: no certificates in *.pem, *.crt, *.cer or *.der files`);
    } else add(certsFromFile(input));
  }
  return { certs: out, duplicates: dups };
}

/** Whether a pattern is a fingerprint (hex, colons allowed, at least 8 digits). */
export function isFingerprint(p) {
  const h = p.replace(/:/g, "");
  return /^[0-9a-f]{8,64}$/i.test(h);
}

/** Whether certificate c matches a --only/--exclude pattern: a SHA-256 fingerprint (of the
 *  certificate or of its public key; a prefix of at least 8 hex digits) or a case-insensitive
 *  part of the subject name. */
export function matches(c, pattern) {
  if (isFingerprint(pattern)) {
    const h = pattern.replace(/:/g, "").toLowerCase();
    if (c.sha256.startsWith(h) || c.spkiSha256.startsWith(h)) return true;
  }
  return c.name.toLowerCase().includes(pattern.toLowerCase());
}

/** Applies --only and --exclude; every --only pattern must match something. */
export function select(certs, only, exclude) {
  const warnings = [];
  let list = certs;
  if (only.length) {
    for (const p of only) if (!certs.some((c) => matches(c, p))) throw new Error(`--only "${p}" matches no certificate (give part of a subject name or a SHA-256 fingerprint of at least 8 hex digits)`);
    list = certs.filter((c) => only.some((p) => matches(c, p)));
  }
  for (const p of exclude) if (!list.some((c) => matches(c, p))) warnings.push(`--exclude "${p}" matches no certificate`);
  list = list.filter((c) => !exclude.some((p) => matches(c, p)));
  return { list, warnings };
}

export { hex, KINDS };
