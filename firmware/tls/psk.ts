// The `psk: { identity, key, hash }` option (external pre-shared key): read once, before
// anything goes on the network, into one ExternalPsk that both versions use (TLS 1.3 external
// PSK, client13/psk13.ts; TLS 1.2 PSK and ECDHE-PSK suites, psk12.ts). The key is a secret: no
// message, detail or event here (or anywhere) carries it or anything of it but a one-way
// fingerprint for keying pools.
import { EtError } from "../errors";
import { ascii, concat, fromBinary, fromHex, isHexText, isPrintable, toBinary, toHex } from "../util/bytes";
import type { HashAlg } from "../crypto/types";
import { SHA256, SHA384 } from "../crypto/sha2";

declare function require(name: string): any;

/** The option as the application writes it. */
export interface PskOption {
  identity: string | ((hint: string) => string);
  /** Hex string, Uint8Array / ArrayBuffer, byte string, or the name of a Storage file holding one. */
  key: any;
  /** TLS 1.3 PSK hash: "sha256" (default) or "sha384". */
  hash?: string;
}

export interface ExternalPsk {
  /** The identity to send, or a function of the server's identity hint (TLS 1.2; "" without one). */
  identity: string | ((hint: string) => string);
  key: Uint8Array;
  /** TLS 1.3: the hash the key is bound to (SHA-256 unless `hash: "sha384"`). */
  hash: HashAlg;
  /** For keying pools and sessions: the identity and a one-way fingerprint of the key. */
  id: string;
}

function badPsk(message: string): never {
  throw new EtError("BAD_PSK", "psk: " + message);
}

/** Without the spaces, tabs and line ends around it (a key file written by `echo`). */
function trim(s: string): string {
  const ws = " \t\r\n";
  let a = 0, b = s.length;
  while (a < b && ws.indexOf(s.charAt(a)) >= 0) a++;
  while (b > a && ws.indexOf(s.charAt(b - 1)) >= 0) b--;
  return s.substr(a, b - a);
}

/** Hex text, or a byte string with non-printable bytes; printable text that is not hex is a
 *  mistake (a hex key with a typo, or a passphrase: not a key). */
function keyFromText(s: string): Uint8Array {
  const t = trim(s);
  if (isHexText(t)) {
    if (t.length & 1) badPsk("odd number of hex digits");
    return fromHex(t);
  }
  if (isPrintable(s)) badPsk("key: not hex, no such file");
  return fromBinary(s);
}

/** The key's bytes from a hex string, Uint8Array/ArrayBuffer, byte string or Storage file name. */
function keyBytes(v: any): Uint8Array {
  if (v instanceof ArrayBuffer) v = new Uint8Array(v);
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (typeof v !== "string") badPsk("key: hex, bytes or file");
  if (v.length && v.length <= 28 && isPrintable(v)) {
    const data = require("Storage").read(v);
    // A copy of the file (a Storage read is a live view of flash).
    if (data !== undefined && data !== null && data.length) return keyFromText(toBinary(fromBinary(data)));
  }
  return keyFromText(v);
}

/** Checks an identity (a string of 1..65535 bytes); `where` says what gave it. */
function checkIdentity(id: any, where: string): void {
  if (typeof id !== "string" || !id.length || id.length > 65535) badPsk(where + ": 1..65535 characters");
}

/** The identity to send (checked): the option's string, or what its function gives for `hint`. */
export function pskIdentityText(p: ExternalPsk, hint: string): string {
  const id = p.identity;
  const text = typeof id === "function" ? id(hint) : id;
  checkIdentity(text, typeof id === "function" ? "identity()" : "identity");
  return text;
}

/** The `psk` option to an ExternalPsk (null when absent); BAD_PSK before any connection. */
export function pskFrom(o: any): ExternalPsk | null {
  if (o === undefined || o === null || o === false) return null;
  if (typeof o !== "object") badPsk("{identity, key}?");
  if (typeof o.identity !== "function") checkIdentity(o.identity, "identity");
  if (o.key === undefined || o.key === null) badPsk("no key");
  const key = keyBytes(o.key);
  if (key.length < 16) badPsk("key under 16 bytes");
  const h = o.hash === undefined ? "sha256" : String(o.hash).toLowerCase();
  if (h !== "sha256" && h !== "sha384") badPsk("hash: sha256 or sha384");
  const hash = h === "sha384" ? SHA384 : SHA256;
  const fp = toHex(SHA256.hash(concat([ascii("etls psk id "), key]))).substr(0, 16);
  return { identity: o.identity, key: key, hash: hash, id: (typeof o.identity === "string" ? o.identity : "fn") + "/" + h + "/" + fp };
}
