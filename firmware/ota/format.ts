// Wire formats of signed CA list updates (docs/ota.md has the full description).
//
// The manifest document served at the configured URL is JSON:
//   { "payload": "<manifest JSON text>", "signatures": [{ "key": "<64 hex>", "sig": "<128 hex>" }],
//     "rotations": [{ "payload": "<key-set JSON text>", "signatures": [...] }, ...] }
// A payload is kept as the exact text that was signed (no canonical JSON needed); a signature
// covers a context line naming its kind, then the payload:
//   manifest:  "espruino-tls ota manifest v1\n" + payload
//   key set:   "espruino-tls ota keys v1\n" + payload
// so a signature made for one kind can never stand for the other.
//
// Manifest payload: { "type": "ca-manifest", "version": n, "created": t, "expires": t,
//   "size": bytes, "sha256": "<64 hex>", "minLibrary": "x.y.z", "image": "<URL or path>" }
// Key-set payload: { "type": "ota-keys", "version": n, "threshold": k, "keys": ["<64 hex>", ...] }
// (the compiled key set is version 1; a rotation to version n is signed by the set n - 1).
import { EtError } from "../errors";
import { ascii, fromHex } from "../util/bytes";

export const MANIFEST_CONTEXT = "espruino-tls ota manifest v1\n";
export const KEYS_CONTEXT = "espruino-tls ota keys v1\n";

export interface Signature {
  key: string;
  sig: string;
}

export interface Signed {
  payload: string;
  signatures: Signature[];
}

export interface Envelope extends Signed {
  rotations: Signed[];
}

export interface Manifest {
  version: number;
  created: number;
  expires: number;
  size: number;
  sha256: string;
  minLibrary: string;
  image: string;
}

export interface KeySet {
  version: number;
  threshold: number;
  /** Ed25519 public keys, lowercase hex (64 digits each). */
  keys: string[];
}

function bad(message: string): never {
  throw new EtError("OTA_BAD_MANIFEST", message);
}

function isHex(s: any, n: number): boolean {
  if (typeof s !== "string" || s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function isCount(v: any): boolean {
  return typeof v === "number" && v >= 0 && v <= 9007199254740991 && Math.floor(v) === v;
}

function signed(o: any, where: string): Signed {
  if (!o || typeof o.payload !== "string") bad(where + ": no payload text");
  const sigs = o.signatures;
  if (!sigs || typeof sigs.length !== "number" || !sigs.length) bad(where + ": no signatures");
  const out: Signature[] = [];
  for (let i = 0; i < sigs.length; i++) {
    const s = sigs[i];
    if (!s || !isHex(s.key, 64) || !isHex(s.sig, 128)) bad(where + ": signature " + i + " needs key (64 lowercase hex digits) and sig (128)");
    out.push({ key: s.key, sig: s.sig });
  }
  return { payload: o.payload, signatures: out };
}

/** Parses the manifest document (the signatures are checked later, by keys.ts). */
export function parseEnvelope(text: string): Envelope {
  let o: any;
  try { o = JSON.parse(text); } catch (e) { bad("the manifest document is not JSON"); }
  const top = signed(o, "manifest");
  const rot: Signed[] = [];
  const r = o.rotations;
  if (r !== undefined) {
    if (!r || typeof r.length !== "number") bad("rotations must be a list");
    for (let i = 0; i < r.length; i++) rot.push(signed(r[i], "rotation " + i));
  }
  return { payload: top.payload, signatures: top.signatures, rotations: rot };
}

/** Parses a verified manifest payload. */
export function parseManifest(payload: string): Manifest {
  let o: any;
  try { o = JSON.parse(payload); } catch (e) { bad("the manifest payload is not JSON"); }
  if (!o || o.type !== "ca-manifest") bad("the payload is not a CA manifest (type " + (o && o.type) + ")");
  if (!isCount(o.version) || o.version < 1) bad("version must be a whole number >= 1");
  if (!isCount(o.created) || !isCount(o.expires)) bad("created and expires must be times in seconds since 1970");
  if (o.expires <= o.created) bad("expires (" + o.expires + ") is not after created (" + o.created + ")");
  if (!isCount(o.size) || o.size < 1) bad("size must be a whole number of bytes");
  if (!isHex(o.sha256, 64)) bad("sha256 must be 64 lowercase hex digits");
  if (typeof o.minLibrary !== "string" || !parseSemver(o.minLibrary)) bad("minLibrary must be a version x.y.z");
  if (typeof o.image !== "string" || !o.image.length) bad("image must name the store image (URL or path)");
  return { version: o.version, created: o.created, expires: o.expires, size: o.size, sha256: o.sha256, minLibrary: o.minLibrary, image: o.image };
}

/** Parses a verified key-set payload. */
export function parseKeySet(payload: string): KeySet {
  let o: any;
  try { o = JSON.parse(payload); } catch (e) { bad("a key rotation payload is not JSON"); }
  if (!o || o.type !== "ota-keys") bad("a rotation payload is not a key set (type " + (o && o.type) + ")");
  if (!isCount(o.version) || o.version < 2) bad("a key set's version must be a whole number >= 2");
  const keys = o.keys;
  if (!keys || typeof keys.length !== "number" || !keys.length) bad("a key set needs keys");
  const out: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (!isHex(keys[i], 64)) bad("key " + i + " of key set " + o.version + " is not 64 lowercase hex digits");
    if (out.indexOf(keys[i]) >= 0) bad("key set " + o.version + " lists a key twice");
    out.push(keys[i]);
  }
  if (!isCount(o.threshold) || o.threshold < 1 || o.threshold > out.length) bad("key set " + o.version + ": threshold must be 1.." + out.length);
  return { version: o.version, threshold: o.threshold, keys: out };
}

/** [major, minor, patch] or null. */
export function parseSemver(v: string): number[] | null {
  const p = v.split(".");
  if (p.length !== 3) return null;
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = p[i];
    if (!s.length || s.length > 6) return null;
    for (let j = 0; j < s.length; j++) { const c = s.charCodeAt(j); if (c < 48 || c > 57) return null; }
    out.push(parseInt(s, 10));
  }
  return out;
}

/** a < b for versions x.y.z (anything after a '-' or '+' is ignored). */
export function semverLess(a: string, b: string): boolean {
  const cut = function (s: string): string {
    let e = s.indexOf("-");
    const p = s.indexOf("+");
    if (p >= 0 && (e < 0 || p < e)) e = p;
    return e >= 0 ? s.substr(0, e) : s;
  };
  const x = parseSemver(cut(a)), y = parseSemver(cut(b));
  if (!x || !y) return false;
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i];
  return false;
}

/** The bytes a signature covers. */
export function signedMessage(context: string, payload: string): Uint8Array {
  return ascii(context + payload);
}

export function sigBytes(s: Signature): Uint8Array {
  return fromHex(s.sig);
}
