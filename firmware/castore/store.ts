// The CA store on the board: trust anchors in a Storage file, looked up in place.
//
// Format: docs/castore-format.md (the host writer is tools/castore/format.mjs). open() checks
// the header and the SHA-256 of the body once (native SHA-256 over the flash-backed string: no
// RAM copy on boards whose flash is memory-mapped); after that, lookups read the file through
// one flash-backed string with charCodeAt only: a binary search over the subject-hash index,
// then the candidate's compact subject is rebuilt byte by byte against the issuer being
// looked up. Nothing of the store is copied into RAM by a lookup; an anchor's public key is
// rebuilt as SubjectPublicKeyInfo DER (a few hundred bytes) only when the path validator asks
// for it (the `spki` getter), and its subject is the caller's issuer bytes.
//
// RAM: an open store is one object of 11 fields plus the flash string (1 JsVar).

import { activeStoreName } from "../ota/active";
import { EtError } from "../errors";
import { CA_STORE_BYTES, NATIVE_SHA256 } from "../board";
import { SHA256 } from "../crypto/sha2";
import type { TrustAnchor, AnchorSource } from "../x509/anchor";
import { Der, T_SEQUENCE } from "../x509/der";
import { nameIs, nameDer, nameLen, tlvLen, hdr } from "./name";

declare function require(n: string): any;
declare const E: any;

/** Longest Storage file name (a longer one would be silently truncated by the board). */
export const NAME_MAX = 28;
/** The file castore.open() reads when no name is given. */
export const DEFAULT_NAME = "etls.ca";
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 56;

// Record flags (format §3).
const F_NOT_AFTER = 0x01;
const F_DISTRUST_AFTER = 0x02;
const F_NAME_CONSTRAINTS = 0x04;
const F_SKI = 0x08;
const F_RAW_SUBJECT = 0x10;
const F_SKI_KEYHASH = 0x20;

// Key types (format §5).
const K_RSA = 1;
const K_P256 = 2;
const K_P384 = 3;
const K_ED25519 = 4;
const K_SPKI = 5;

// SubjectPublicKeyInfo DER before the key bytes, for the fixed-size key types.
const PRE_P256 = "\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00\x04";
const PRE_P384 = "\x30\x76\x30\x10\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x05\x2b\x81\x04\x00\x22\x03\x62\x00\x04";
const PRE_ED25519 = "\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00";
const ALG_RSA = "\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00";

function storeError(code: string, name: string, message: string): never {
  throw new EtError(code, "CA store \"" + name + "\": " + message, { name: name });
}

/** Refuses a Storage name the board would truncate or cannot hold. */
export function checkName(name: any): string {
  if (typeof name !== "string" || name.length === 0 || name.length > NAME_MAX) {
    throw new EtError("CASTORE_BAD_NAME", "Storage file names are 1 to " + NAME_MAX + " characters (got " + (typeof name === "string" ? name.length + ": \"" + name + "\"" : typeof name) + "); longer names are refused, never truncated", { name: name });
  }
  return name;
}

function u16(f: any, o: number): number {
  return (f.charCodeAt(o) << 8) | f.charCodeAt(o + 1);
}
function u24(f: any, o: number): number {
  return (f.charCodeAt(o) << 16) | (f.charCodeAt(o + 1) << 8) | f.charCodeAt(o + 2);
}
function u32(f: any, o: number): number {
  return f.charCodeAt(o) * 16777216 + ((f.charCodeAt(o + 1) << 16) | (f.charCodeAt(o + 2) << 8) | f.charCodeAt(o + 3));
}

/** Compares the 4 flash bytes at o with h[0..4) (most significant first): <0, 0 or >0.
 *  Usually decided by the first byte, so a binary search reads about one byte per probe. */
function cmp4(f: any, o: number, h: Uint8Array): number {
  let d = f.charCodeAt(o) - h[0];
  if (d === 0) d = f.charCodeAt(o + 1) - h[1];
  if (d === 0) d = f.charCodeAt(o + 2) - h[2];
  if (d === 0) d = f.charCodeAt(o + 3) - h[3];
  return d;
}

/** Copies a byte string (constant or flash) s[so, so+n) into b at p; returns p + n. */
function copy(s: any, so: number, n: number, b: Uint8Array, p: number): number {
  for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(so + i);
  return p;
}

/** A trust anchor of the store. `subject` is the issuer it was found for (byte-equal to the
 *  stored subject), or the stored subject rebuilt in RAM (findByKeyId, get). */
export class StoreAnchor {
  subject: Uint8Array;
  // Set only when the record has them (absent fields cost no RAM).
  declare notAfter?: number;
  declare distrustAfter?: number;
  declare nameConstraints?: Uint8Array;
  /** The store and the flash offset of this anchor's key type byte. */
  st: CaStore;
  ko: number;
  /** The store's load generation the offset belongs to. */
  g: number;
  kd: Uint8Array | null;
  constructor(st: CaStore, subject: Uint8Array, ko: number) {
    this.st = st;
    this.subject = subject;
    this.ko = ko;
    this.g = st.gen;
    this.kd = null;
  }
  /** SubjectPublicKeyInfo DER, rebuilt from the compact key on first use. */
  get spki(): Uint8Array {
    if (this.kd === null) this.kd = this.st.spkiAt(this.ko, this.g);
    return this.kd;
  }
}

/** An open CA store (an AnchorSource for the path validator). */
export class CaStore implements AnchorSource {
  name: string;
  /** The whole file as a flash-backed string. */
  f: any;
  size: number;
  /** Store version (monotonic, set by the builder / OTA), creation time (s), anchor count. */
  version: number;
  created: number;
  count: number;
  /** Key-identifier index entries. */
  kids: number;
  /** Hex SHA-256 of the body (as in the header, checked at open). */
  sha256: string;
  /** Subject start found by the last subj() call. */
  ss: number;
  /** Incremented by every load(): anchors found before a reload are not read after it. */
  gen: number;
  constructor(name: string) {
    this.name = name;
    this.f = null;
    this.ss = 0;
    this.gen = 0;
    this.size = this.version = this.created = this.count = this.kids = 0;
    this.sha256 = "";
  }

  /** Reads and checks the file (header, size, body hash). Throws CASTORE_* EtErrors. */
  load(): CaStore {
    const name = this.name;
    const S = require("Storage");
    const f = S.read(name);
    if (f === undefined || f === null) storeError("CASTORE_NOT_FOUND", name, "no such Storage file (install one: espruino-tls cabundle build, then flash --storage " + name + "=<file>)");
    const size = f.length;
    if (size > CA_STORE_BYTES) storeError("CASTORE_TOO_LARGE", name, size + " bytes, more than this board's CA store budget of " + CA_STORE_BYTES);
    const m = "ETCA";
    for (let i = 0; i < 4; i++) {
      if (i >= size) storeError("CASTORE_TRUNCATED", name, "file of " + size + " bytes ends inside the header");
      if (f.charCodeAt(i) !== m.charCodeAt(i)) storeError("CASTORE_NOT_A_STORE", name, "no CA store magic \"ETCA\" at the start");
    }
    const fv = size > 4 ? f.charCodeAt(4) : FORMAT_VERSION;
    if (fv !== FORMAT_VERSION) storeError("CASTORE_VERSION", name, "format version " + fv + ", this library reads version " + FORMAT_VERSION);
    if (size < HEADER_BYTES) storeError("CASTORE_TRUNCATED", name, "file of " + size + " bytes ends inside the " + HEADER_BYTES + "-byte header");
    if (f.charCodeAt(5) !== HEADER_BYTES) storeError("CASTORE_CORRUPT", name, "bad header length");
    const body = u32(f, 20);
    if (HEADER_BYTES + body > size) storeError("CASTORE_TRUNCATED", name, "file of " + size + " bytes, its header says " + (HEADER_BYTES + body));
    if (HEADER_BYTES + body < size) storeError("CASTORE_CORRUPT", name, "file of " + size + " bytes, its header says " + (HEADER_BYTES + body));
    if (body < 13) storeError("CASTORE_CORRUPT", name, "no anchors");
    let h: Uint8Array;
    if (NATIVE_SHA256) h = new Uint8Array(require("crypto").SHA256(S.read(name, HEADER_BYTES, body)));
    else {
      const x = SHA256.create();
      for (let o = 0; o < body; o += 1024) x.update(E.toUint8Array(S.read(name, HEADER_BYTES + o, body - o < 1024 ? body - o : 1024)));
      h = x.digest();
    }
    let hex = "";
    let same = true;
    for (let i = 0; i < 32; i++) {
      if (h[i] !== f.charCodeAt(24 + i)) same = false;
      hex += (h[i] < 16 ? "0" : "") + h[i].toString(16);
    }
    if (!same) {
      // An unfinished incremental write leaves erased flash (0xFF) at the end.
      let ff = size >= HEADER_BYTES + 16;
      for (let i = size - 16; ff && i < size; i++) if (f.charCodeAt(i) !== 255) ff = false;
      if (ff) storeError("CASTORE_TRUNCATED", name, "the file ends in erased flash: an unfinished write");
      storeError("CASTORE_CORRUPT", name, "SHA-256 of the body does not match the header");
    }
    const n = u16(f, 16);
    const k = u16(f, 6);
    if (n === 0 || k > n || 7 * n + 6 * k > body) storeError("CASTORE_CORRUPT", name, "bad index sizes");
    this.f = f;
    this.gen++;
    this.size = size;
    this.version = u32(f, 8);
    this.created = u32(f, 12);
    this.count = n;
    this.kids = k;
    this.sha256 = hex;
    return this;
  }

  /** Whether the flash view is still usable (a rewrite or Storage.compact() kills it). */
  alive(): boolean {
    try {
      return this.f !== null && this.f !== undefined && this.f.length === this.size;
    } catch (e) {
      return false;
    }
  }

  /** The flash view, reloading (and re-checking) the file if the old view died. */
  fl(): any {
    if (!this.alive()) this.load();
    return this.f;
  }

  info(): any {
    return { name: this.name, format: FORMAT_VERSION, version: this.version, created: this.created, count: this.count, bytes: this.size, sha256: this.sha256 };
  }

  bad(why: string): never {
    return storeError("CASTORE_CORRUPT", this.name, why);
  }

  /** Flash offset of anchor `ord`'s record. */
  rec(ord: number): number {
    const o = HEADER_BYTES + u24(this.f, HEADER_BYTES + 4 * this.count + 3 * ord);
    if (o >= this.size) this.bad("record offset past the end");
    return o;
  }

  /** Offsets of a record's subject: [start, end) and flags; returns the key offset. */
  subj(r: number): number {
    const f = this.f;
    let l = f.charCodeAt(r + 1);
    let s = r + 2;
    if (l > 127) l = ((l & 127) << 8) | f.charCodeAt(s++);
    if (s + l > this.size) this.bad("subject past the end");
    this.ss = s;
    return s + l;
  }

  /** Whether the subject of the record at r is exactly the DER Name `b`. */
  subjectIs(r: number, b: Uint8Array): boolean {
    const f = this.f;
    const e = this.subj(r);
    const s = this.ss;
    if (f.charCodeAt(r) & F_RAW_SUBJECT) {
      if (e - s !== b.length) return false;
      for (let i = 0; i < b.length; i++) if (b[i] !== f.charCodeAt(s + i)) return false;
      return true;
    }
    return nameIs(f, s, e, b);
  }

  /** The subject of the record at r rebuilt as DER in RAM. */
  subjectDer(r: number): Uint8Array {
    const f = this.f;
    const e = this.subj(r);
    const s = this.ss;
    if (f.charCodeAt(r) & F_RAW_SUBJECT) {
      const c = new Uint8Array(e - s);
      copy(f, s, e - s, c, 0);
      return c;
    }
    const n = nameLen(f, s, e);
    if (n < 0) this.bad("malformed subject");
    const b = new Uint8Array(n);
    if (!nameDer(f, s, e, b)) this.bad("malformed subject");
    return b;
  }

  /** Length of the key data after the type byte at k. */
  keyLen(k: number): number {
    const f = this.f;
    const t = f.charCodeAt(k);
    let n = -1;
    if (t === K_RSA) {
      const m = u16(f, k + 1);
      n = 3 + m + f.charCodeAt(k + 3 + m);
    } else if (t === K_P256) n = 64;
    else if (t === K_P384) n = 96;
    else if (t === K_ED25519) n = 32;
    else if (t === K_SPKI) n = 2 + u16(f, k + 1);
    // Written so that NaN (a length byte read past the end of the file) fails too, and an empty
    // raw SPKI (n === 2, never written by the builder): both found by fuzzing.
    if (!(n > 2 && k + 1 + n <= this.size)) this.bad("bad key record");
    return n;
  }

  /** The anchor whose record is at r, for `subject` (already known equal). */
  anchorAt(r: number, subject: Uint8Array): StoreAnchor {
    const f = this.f;
    const fl = f.charCodeAt(r);
    if (fl & 0xc0) this.bad("unknown record flags");
    const k = this.subj(r);
    const a = new StoreAnchor(this, subject, k);
    let p = k + 1 + this.keyLen(k);
    if (fl & F_NOT_AFTER) {
      a.notAfter = u32(f, p);
      p += 4;
    }
    if (fl & F_DISTRUST_AFTER) {
      a.distrustAfter = u32(f, p);
      p += 4;
    }
    if (fl & F_NAME_CONSTRAINTS) {
      const n = u16(f, p);
      if (p + 2 + n > this.size) this.bad("name constraints past the end");
      a.nameConstraints = new Uint8Array(n);
      copy(f, p + 2, n, a.nameConstraints, 0);
    }
    return a;
  }

  /** SubjectPublicKeyInfo DER of the key record at k (a RAM copy) of load generation g. */
  spkiAt(k: number, g: number): Uint8Array {
    const f = this.fl();
    if (g !== this.gen) throw new EtError("CASTORE_CHANGED", "CA store \"" + this.name + "\" was replaced while one of its anchors was in use; validate again", { name: this.name });
    const t = f.charCodeAt(k);
    const n = this.keyLen(k);
    let b: Uint8Array;
    if (t === K_RSA) {
      const m = u16(f, k + 1);
      const el = f.charCodeAt(k + 3 + m);
      const nl = m + (f.charCodeAt(k + 3) > 127 ? 1 : 0);
      const ev = el === 0 ? "\x01\x00\x01" : null;
      const elen = el === 0 ? 3 : el;
      const ei = elen + (el !== 0 && f.charCodeAt(k + 4 + m) > 127 ? 1 : 0);
      const rsa = tlvLen(nl) + tlvLen(ei);
      const bits = 1 + tlvLen(rsa);
      const all = ALG_RSA.length + tlvLen(bits);
      b = new Uint8Array(tlvLen(all));
      let p = hdr(b, 0, 0x30, all);
      p = copy(ALG_RSA, 0, ALG_RSA.length, b, p);
      p = hdr(b, p, 0x03, bits);
      b[p++] = 0;
      p = hdr(b, p, 0x30, rsa);
      p = hdr(b, p, 0x02, nl);
      if (nl > m) b[p++] = 0;
      p = copy(f, k + 3, m, b, p);
      p = hdr(b, p, 0x02, ei);
      if (ei > elen) b[p++] = 0;
      if (ev !== null) copy(ev, 0, 3, b, p);
      else copy(f, k + 4 + m, el, b, p);
      return b;
    }
    if (t === K_SPKI) {
      b = new Uint8Array(n - 2);
      copy(f, k + 3, n - 2, b, 0);
      return b;
    }
    const pre = t === K_P256 ? PRE_P256 : t === K_P384 ? PRE_P384 : PRE_ED25519;
    b = new Uint8Array(pre.length + n);
    copy(f, k + 1, n, b, copy(pre, 0, pre.length, b, 0));
    return b;
  }

  /** Every anchor whose subject is byte-equal to `issuer` (a DER Name). */
  findByIssuer(issuer: Uint8Array): TrustAnchor[] {
    const f = this.fl();
    const out: TrustAnchor[] = [];
    const hb = SHA256.hash(issuer);
    const N = this.count;
    let lo = 0;
    let hi = N;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp4(f, HEADER_BYTES + 4 * mid, hb) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (; lo < N && cmp4(f, HEADER_BYTES + 4 * lo, hb) === 0; lo++) {
      const r = this.rec(lo);
      if (this.subjectIs(r, issuer)) out.push(this.anchorAt(r, issuer));
    }
    return out;
  }

  /** Every anchor whose subject key identifier equals `kid` (an authorityKeyIdentifier's
   *  keyIdentifier). Their `subject` is rebuilt in RAM. */
  findByKeyId(kid: Uint8Array): TrustAnchor[] {
    const f = this.fl();
    const out: TrustAnchor[] = [];
    const x = new Uint8Array(4);
    x.set(kid.length > 4 ? kid.subarray(0, 4) : kid);
    const N = this.count;
    const base = HEADER_BYTES + 7 * N;
    let lo = 0;
    let hi = this.kids;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp4(f, base + 6 * mid, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (; lo < this.kids && cmp4(f, base + 6 * lo, x) === 0; lo++) {
      const ord = u16(f, base + 6 * lo + 4);
      if (ord >= N) this.bad("bad key-id index");
      const r = this.rec(ord);
      if (this.kidIs(r, kid)) out.push(this.anchorAt(r, this.subjectDer(r)));
    }
    return out;
  }

  /** Whether the record at r has the key identifier `kid`. */
  kidIs(r: number, kid: Uint8Array): boolean {
    const f = this.f;
    const fl = f.charCodeAt(r);
    const k = this.subj(r);
    let p = k + 1 + this.keyLen(k);
    if (fl & F_NOT_AFTER) p += 4;
    if (fl & F_DISTRUST_AFTER) p += 4;
    if (fl & F_NAME_CONSTRAINTS) p += 2 + u16(f, p);
    if (fl & F_SKI) {
      if (f.charCodeAt(p) !== kid.length) return false;
      for (let i = 0; i < kid.length; i++) if (kid[i] !== f.charCodeAt(p + 1 + i)) return false;
      return true;
    }
    if ((fl & F_SKI_KEYHASH) === 0 || kid.length !== 20) return false;
    // RFC 5280 §4.2.1.2 (1): SHA-1 of the subjectPublicKey bits (native SHA1 on every board).
    const spki = this.spkiAt(k, this.gen);
    const d = new Der(spki, 0, spki.length).seq(T_SEQUENCE);
    d.next(T_SEQUENCE);
    const ks = d.bitsWhole();
    const h = new Uint8Array(require("crypto").SHA1(spki.subarray(ks, d.ve)));
    for (let i = 0; i < 20; i++) if (h[i] !== kid[i]) return false;
    return true;
  }

  /** Anchor number i (0 <= i < count) in store order, its subject rebuilt in RAM. */
  get(i: number): TrustAnchor {
    this.fl();
    if (!(i >= 0 && i < this.count)) throw new EtError("CASTORE_RANGE", "anchor " + i + " not in 0.." + (this.count - 1), { name: this.name });
    const r = this.rec(i);
    return this.anchorAt(r, this.subjectDer(r));
  }
}

let cache: CaStore | null = null;
let defaultName = DEFAULT_NAME;

/** Sets the file open() reads when given no name (OTA points it at the active slot). */
export function setDefault(name: string): void {
  defaultName = checkName(name);
}

/**
 * Opens the CA store in Storage file `name` (default DEFAULT_NAME, or what setDefault() chose), checking its header and
 * the SHA-256 of its body. The store last opened is kept: opening it again costs a view check
 * unless `verify` asks for a full re-check. Throws EtError CASTORE_BAD_NAME, CASTORE_NOT_FOUND,
 * CASTORE_TOO_LARGE, CASTORE_NOT_A_STORE, CASTORE_VERSION, CASTORE_TRUNCATED, CASTORE_CORRUPT.
 */
export function open(name?: string, verify?: boolean): CaStore {
  // Without a name: the slot OTA made active (the usual file when no update ever ran).
  const n = checkName(name !== undefined ? name : defaultName === DEFAULT_NAME ? activeStoreName(DEFAULT_NAME) : defaultName);
  if (!verify && cache !== null && cache.name === n && cache.alive()) return cache;
  const st = new CaStore(n).load();
  cache = st;
  return st;
}

/** Forgets the kept store (after its file was replaced, so the next open() re-checks it). */
export function forget(): void {
  cache = null;
}
