// The one place where the `ca`, `key` and `cert` options of tls.connect (and of https.request
// and mqtt.connect, which pass them through) are read. Every form Espruino users have is
// accepted: PEM text (several blocks for a chain), DER as a byte string (atob(), Storage.read()),
// Uint8Array / ArrayBuffer, an array of those, the name of a Storage file holding any of these,
// or a function returning any of these. The layers below see only TlsSetup.
import { EtError } from "../errors";
import { fromBinary, isPrintable, toHex } from "../util/bytes";
import { SHA256 } from "../crypto/sha2";
import type { AnchorSource, TrustAnchor } from "../x509/anchor";
import { anchorFromCert, memoryAnchors } from "../x509/anchor";
import { parseCert, pemCerts, subjectText } from "../x509/cert";
import { open as openCaStore } from "../castore/store";
import { parsePrivateKeyJob, keyMatchesSpki } from "../identity/key";
import type { PrivateKey } from "../identity/key";
import type { ClientIdentity } from "./handshake-common";
import { pskFrom } from "./psk";
import type { ExternalPsk } from "./psk";
import type { Job } from "../util/job";
import { mapJob } from "../util/job";

declare function require(name: string): any;

/** What the TLS layers get from the options: resolved once per connection (or request). */
export interface TlsSetup {
  anchors: AnchorSource;
  /** The device's certificate chain and key, or null (an empty Certificate when asked). */
  identity: ClientIdentity | null;
  /** ALPN protocols to offer (ALPNProtocols, or the older `alpn`), or undefined. */
  alpn: string[] | undefined;
  /** The external pre-shared key (tls/psk.ts), or null. */
  psk: ExternalPsk | null;
  /** `psk` without `ca`: the server must accept the PSK, no certificate handshake is possible. */
  pskOnly: boolean;
  /** Work left before a connection may open, or null: the public key of a key file without one
   *  (a scalar multiplication) and then its check against the certificate (KEY_CERT_MISMATCH).
   *  The socket runs it in slices and opens the connection only when it has succeeded. */
  ready: Job<void> | null;
}

function optionError(option: string, message: string, cause?: any): never {
  const code = option === "ca" ? "BAD_CA" : option === "cert" ? "BAD_CERT" : "BAD_KEY";
  throw new EtError(code, option + ": " + message, cause && cause.code ? { cause: cause.code, message: cause.message } : undefined);
}

/** A Storage file name rather than data: short, printable, no PEM (DER is never this short). */
function isFileName(s: string): boolean {
  return s.length > 0 && s.length <= 28 && isPrintable(s);
}

/** Any accepted form to a flat list of items, each PEM/DER as a string or a Uint8Array. */
function items(v: any, option: string, depth: number, out: any[]): any[] {
  if (depth > 4) optionError(option, "functions or arrays nested too deeply");
  if (typeof v === "function") return items(v(), option, depth + 1, out);
  if (typeof v === "string") {
    if (v.indexOf("-----BEGIN") < 0 && isFileName(v)) {
      const data = require("Storage").read(v);
      if (data === undefined || data === null || !data.length) {
        throw new EtError("FILE_NOT_FOUND", option + ": no Storage file named \"" + v + "\" (and too short to be DER data)", { option: option, name: v });
      }
      // A copy: the read is a live view of flash that dies when the file is rewritten (and is
      // not a plain string in every build, so it is not type-tested).
      out.push(fromBinary(data));
      return out;
    }
    out.push(v);
    return out;
  }
  if (v instanceof ArrayBuffer) { out.push(new Uint8Array(v)); return out; }
  // A Storage read returned by a function: string-like, read through E.toUint8Array (a copy).
  if (v && typeof v.charCodeAt === "function") { out.push(fromBinary(v)); return out; }
  if (v instanceof Uint8Array) { out.push(v); return out; }
  if (v && typeof v.length === "number" && typeof v !== "string" && typeof v[0] !== "number") {
    for (let i = 0; i < v.length; i++) items(v[i], option, depth + 1, out);
    return out;
  }
  return optionError(option, "expected PEM text, DER bytes or string, a Storage file name, an array or a function, got " + typeof v);
}

function isPem(item: any): boolean {
  if (typeof item === "string") return item.indexOf("-----BEGIN") >= 0;
  let i = 0;
  while (i < item.length && (item[i] === 32 || item[i] === 10 || item[i] === 13 || item[i] === 9)) i++;
  return item.length > i + 10 && item[i] === 0x2d && item[i + 1] === 0x2d;
}

function textOf(item: any): string {
  if (typeof item === "string") return item;
  let s = "";
  for (let i = 0; i < item.length; i++) s += String.fromCharCode(item[i]);
  return s;
}

/** DER bytes holding one or more certificates back to back: each outer SEQUENCE. */
function splitDer(b: Uint8Array, option: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p < b.length) {
    if (b[p] !== 0x30 || p + 2 > b.length) optionError(option, "not a certificate (neither PEM nor DER)");
    let n = b[p + 1], h = 2;
    if (n & 0x80) {
      const k = n & 0x7f;
      if (k < 1 || k > 3 || p + 2 + k > b.length) optionError(option, "not a certificate (bad DER length)");
      n = 0;
      for (let i = 0; i < k; i++) n = n * 256 + b[p + 2 + i];
      h = 2 + k;
    }
    if (p + h + n > b.length) optionError(option, "certificate DER cut short");
    out.push(b.subarray(p, p + h + n));
    p += h + n;
  }
  return out;
}

/** Every certificate (DER) an option's value holds, in order. */
function certList(v: any, option: string): Uint8Array[] {
  const list = items(v, option, 0, []);
  const out: Uint8Array[] = [];
  for (let i = 0; i < list.length; i++) {
    let certs: Uint8Array[];
    if (isPem(list[i])) {
      try { certs = pemCerts(textOf(list[i])); } catch (e) { return optionError(option, "entry " + i + ": bad PEM", e); }
      if (!certs.length) optionError(option, "entry " + i + " holds no -----BEGIN CERTIFICATE----- block");
    } else certs = splitDer(typeof list[i] === "string" ? fromBinary(list[i]) : list[i], option);
    for (let j = 0; j < certs.length; j++) out.push(certs[j]);
  }
  return out;
}

/** The same list of strings as last time (strings cannot change in place; Uint8Arrays can). */
function sameText(a: any[], b: any[] | null): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== "string" || a[i] !== b[i]) return false;
  return true;
}

// The anchors made from the last `ca`, and the identity from the last key/cert: apps pass the
// same PEM on every request, and parsing took ~40 ms (a key without its public point: ~0.5 s).
let lastCa: any[] | null = null;
let lastAnchors: AnchorSource | null = null;
let lastId: any[] | null = null;
let lastIdentity: ClientIdentity | null = null;

/** Anchors from what an application may pass as `ca` (none: the CA store in Storage). */
export function anchorsFrom(ca: any): AnchorSource {
  if (ca && typeof ca.findByIssuer === "function") return ca as AnchorSource;
  if (ca === undefined || ca === null) {
    // No `ca`: the CA store installed in Storage (castore.open(); checked, kept open). A store
    // that is present but refused throws its CASTORE_* error; none at all is NO_TRUST_ANCHORS.
    try {
      return openCaStore();
    } catch (e) {
      if ((e as EtError).code !== "CASTORE_NOT_FOUND") throw e;
      throw new EtError("NO_TRUST_ANCHORS", "no trust anchors: pass `ca` or install a CA store (" + (e as EtError).message + "); unverified TLS is never used");
    }
  }
  const raw = items(ca, "ca", 0, []);
  if (sameText(raw, lastCa)) return lastAnchors as AnchorSource;
  const certs = certList(raw, "ca");
  const list: TrustAnchor[] = [];
  for (let i = 0; i < certs.length; i++) {
    try { list.push(anchorFromCert(certs[i])); } catch (e) { optionError("ca", "certificate " + i + " does not parse", e); }
  }
  if (!list.length) throw new EtError("NO_TRUST_ANCHORS", "no trust anchors: pass `ca` or install a CA store; unverified TLS is never used");
  // A fingerprint of these anchors stands for a store version: sessions and cached chains
  // verified under other anchors are not used with these (chaincache.ts, resume.ts).
  const fp = SHA256.create();
  for (let i = 0; i < list.length; i++) {
    const c = list[i].cert;
    if (c) fp.update(c.der);
  }
  const src: any = memoryAnchors(list);
  src.version = "m" + toHex(fp.digest()).substr(0, 24);
  lastCa = raw;
  lastAnchors = src;
  return src as AnchorSource;
}

function given(v: any): boolean { return v !== undefined && v !== null && v !== false; }

/**
 * The device identity from `key` and `cert`, checked: the key must be the leaf's. Everything is
 * checked here (thrown by tls.connect) except for a key file without its public key: computing it
 * takes seconds on a board, so it is left to `ready` (a Job), which then checks the key against
 * the certificate and fills in identity.key (null until then; no connection opens before).
 */
function identityFrom(keyOpt: any, certOpt: any): { identity: ClientIdentity | null; ready: Job<void> | null } {
  if (!given(keyOpt) && !given(certOpt)) return { identity: null, ready: null };
  if (!given(certOpt)) throw new EtError("CERT_MISSING", "a client `key` was given without its `cert` (the device certificate, PEM or DER)");
  if (!given(keyOpt)) throw new EtError("KEY_MISSING", "a client `cert` was given without its private `key`");
  const keyItems = items(keyOpt, "key", 0, []);
  const certItems = items(certOpt, "cert", 0, []);
  const both = keyItems.concat(certItems);
  if (sameText(both, lastId)) return { identity: lastIdentity, ready: null };
  if (keyItems.length !== 1) optionError("key", "expected one private key, got " + keyItems.length + " items");
  const chain = certList(certItems, "cert");
  if (!chain.length) optionError("cert", "no certificate");
  let leaf;
  try { leaf = parseCert(chain[0]); } catch (e) { return optionError("cert", "the device certificate does not parse", e); }
  const spki = leaf.spki, keyJob = parsePrivateKeyJob(keyItems[0]); // KEY_ENCRYPTED, BAD_KEY
  const id: ClientIdentity = { chain: chain, key: null as any, id: toHex(SHA256.hash(chain[0])).substr(0, 16) };
  const check = function (key: PrivateKey): void {
    if (!keyMatchesSpki(key, spki)) {
      throw new EtError("KEY_CERT_MISMATCH", "the private key does not belong to the certificate (" + subjectText(leaf) + "): give the key the certificate was issued for");
    }
    id.key = key;
    lastId = both;
    lastIdentity = id;
  };
  if (keyJob.step()) {
    check(keyJob.result());
    return { identity: id, ready: null };
  }
  return { identity: id, ready: mapJob(keyJob, check) };
}

/** With `psk` and no `ca`: no anchors at all (the handshake never reaches a certificate). */
const NO_ANCHORS: any = memoryAnchors([]);
NO_ANCHORS.version = "psk-only";

/** Resolves ca, key, cert, psk and ALPN once, for one connection or request. */
export function resolveOptions(o: any): TlsSetup {
  const alpn = o.ALPNProtocols || o.alpn;
  if (alpn !== undefined && (typeof alpn.length !== "number" || typeof alpn === "string")) {
    throw new EtError("TLS_BAD_OPTION", "ALPNProtocols must be an array of protocol names");
  }
  const psk = pskFrom(o.psk);
  const pskOnly = !!psk && (o.ca === undefined || o.ca === null);
  const id = identityFrom(o.key, o.cert);
  return { identity: id.identity, ready: id.ready, anchors: pskOnly ? NO_ANCHORS as AnchorSource : anchorsFrom(o.ca), alpn: alpn, psk: psk, pskOnly: pskOnly };
}
