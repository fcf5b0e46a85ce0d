// Strict DER reader (X.690 distinguished encoding), shared by X.509 and the CA store.
//
// It reads from either a Uint8Array or a byte string. Byte strings matter on the board:
// Storage.read() returns a flash-backed string whose charCodeAt() reads flash without a RAM
// copy, so the CA store can walk its anchors in place. The cursor never copies: it keeps
// offsets, and only the explicit copy helpers (bytes(), tlv()) produce Uint8Arrays (views
// for Uint8Array sources, copies for strings).
//
// Strictness: definite lengths only, in the minimal number of octets; low tag numbers only;
// elements must lie inside their parent; done() refuses trailing bytes; INTEGERs minimal;
// BOOLEAN 0x00/0xFF; BIT STRING unused bits zero; OID sub-identifiers minimal.
//
// Cost: a cursor is one object of 9 fields; next() reads 2-5 bytes. Keep one cursor per nesting
// level (enter() makes a new one; reset() reuses one).

import { EtError } from "../errors";

declare const E: any;

/** Bytes to read: a Uint8Array or a (flash-backed) byte string. */
export type Bytes = Uint8Array | string;

export const T_BOOLEAN = 0x01;
export const T_INTEGER = 0x02;
export const T_BIT_STRING = 0x03;
export const T_OCTET_STRING = 0x04;
export const T_NULL = 0x05;
export const T_OID = 0x06;
export const T_UTF8 = 0x0c;
export const T_PRINTABLE = 0x13;
export const T_T61 = 0x14;
export const T_IA5 = 0x16;
export const T_UTCTIME = 0x17;
export const T_GENTIME = 0x18;
export const T_UNIVERSAL_STR = 0x1c;
export const T_BMP = 0x1e;
export const T_SEQUENCE = 0x30;
export const T_SET = 0x31;

export function badDer(msg: string): never {
  throw new EtError("BAD_DER", msg, { depth: -1, subject: "" });
}

/** Byte i of b (either representation). */
/** True for byte strings (flash-backed Storage reads included); false for Uint8Arrays. Tested
 *  by capability, not typeof, so an object standing in for a flash string also counts. */
export function isStr(b: Bytes): boolean {
  return typeof (b as any).subarray !== "function";
}

export function byteAt(b: Bytes, i: number): number {
  return isStr(b) ? (b as string).charCodeAt(i) & 255 : (b as Uint8Array)[i];
}

/** Bytes b[start,end) as a Uint8Array: a view for Uint8Arrays, a copy for strings. */
export function bytesOf(b: Bytes, start: number, end: number): Uint8Array {
  if (!isStr(b)) return (b as Uint8Array).subarray(start, end);
  const out = new Uint8Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = (b as string).charCodeAt(i);
  return out;
}

/** a[as,ae) == b[bs,be) byte for byte, across representations. */
export function bytesEqual(a: Bytes, as: number, ae: number, b: Bytes, bs: number, be: number): boolean {
  if (ae - as !== be - bs) return false;
  if (!isStr(a) && !isStr(b)) {
    for (let i = 0; i < ae - as; i++) if (a[as + i] !== b[bs + i]) return false;
    return true;
  }
  for (let i = 0; i < ae - as; i++) if (byteAt(a, as + i) !== byteAt(b, bs + i)) return false;
  return true;
}

/** Whole-array equality (non constant-time: for public data such as names and keys). */
export function sameBytes(a: Bytes, b: Bytes): boolean {
  return bytesEqual(a, 0, a.length, b, 0, b.length);
}

const HEX = "0123456789abcdef";

/** b[start,end) as a byte string: native (E.toString / substring), ~8 us for an OID on the
 *  interpreter against ~200 us for building hex. OIDs are compared in this form. */
export function binOf(b: Bytes, start: number, end: number): string {
  if (isStr(b)) return (b as string).substring(start, end);
  const u = b as Uint8Array;
  if (typeof E !== "undefined") return end > start ? E.toString(u.subarray(start, end)) : "";
  let r = "";
  for (let i = start; i < end; i++) r += String.fromCharCode(u[i]);
  return r;
}

/** Lowercase hex of b[start,end): OIDs are compared as hex strings of their content. */
export function hexOf(b: Bytes, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) {
    const v = byteAt(b, i);
    s += HEX.charAt(v >> 4) + HEX.charAt(v & 15);
  }
  return s;
}

/** A cursor over the DER elements in src[start, end). After next(), `tag` is the element's
 *  tag byte, [hs, ve) its whole TLV and [vs, ve) its value; `p` is already past it. */
export class Der {
  s: any;
  str: boolean;
  p: number;
  end: number;
  tag: number;
  hs: number;
  vs: number;
  ve: number;
  constructor(src: Bytes, start?: number, end?: number) {
    this.s = src;
    this.str = isStr(src);
    this.p = start === undefined ? 0 : start;
    this.end = end === undefined ? src.length : end;
    this.tag = -1;
    this.hs = this.vs = this.ve = this.p;
  }

  reset(src: Bytes, start: number, end: number): Der {
    this.s = src;
    this.str = isStr(src);
    this.p = start;
    this.end = end;
    return this;
  }

  b(i: number): number {
    return this.str ? this.s.charCodeAt(i) & 255 : this.s[i];
  }

  more(): boolean {
    return this.p < this.end;
  }

  /** Tag byte of the next element, -1 at the end. */
  peek(): number {
    return this.p < this.end ? this.b(this.p) : -1;
  }

  /** Reads the next element; `want` >= 0 demands that tag byte. Returns this. */
  next(want: number): Der {
    const s = this.s;
    const str = this.str;
    const p = this.p;
    const end = this.end;
    if (p + 2 > end) badDer(p >= end ? "missing element" : "truncated header");
    const t = str ? s.charCodeAt(p) & 255 : s[p];
    if ((t & 0x1f) === 0x1f) badDer("high tag number");
    if (want >= 0 && t !== want) badDer("unexpected tag 0x" + t.toString(16) + ", expected 0x" + want.toString(16));
    let l = str ? s.charCodeAt(p + 1) & 255 : s[p + 1];
    let q = p + 2;
    if (l > 127) {
      const n = l - 128;
      if (n === 0) badDer("indefinite length");
      if (n > 3) badDer("length too large");
      if (q + n > end) badDer("truncated length");
      l = 0;
      for (let i = 0; i < n; i++) l = l * 256 + (str ? s.charCodeAt(q++) & 255 : s[q++]);
      if (l < 128 || l < (n === 3 ? 65536 : n === 2 ? 256 : 0)) badDer("non-minimal length");
    }
    if (l > end - q) badDer("element longer than its container");
    this.tag = t;
    this.hs = p;
    this.vs = q;
    this.ve = q + l;
    this.p = q + l;
    return this;
  }

  /** Reads the next element if its tag is `t`; returns false (and reads nothing) otherwise. */
  opt(t: number): boolean {
    if (this.p < this.end && this.b(this.p) === t) {
      this.next(t);
      return true;
    }
    return false;
  }

  /** A new cursor over the value of the element just read. */
  enter(): Der {
    return new Der(this.s, this.vs, this.ve);
  }

  /** Reads an element with tag `t` and returns a cursor over its value. */
  seq(t: number): Der {
    this.next(t);
    return new Der(this.s, this.vs, this.ve);
  }

  /** Refuses trailing bytes. */
  done(): void {
    if (this.p !== this.end) badDer("trailing bytes");
  }

  /** Length of the last element's value. */
  len(): number {
    return this.ve - this.vs;
  }

  /** Value of the last element as a Uint8Array (a view when the source is a Uint8Array). */
  bytes(): Uint8Array {
    return bytesOf(this.s, this.vs, this.ve);
  }

  /** Whole TLV of the last element. */
  tlv(): Uint8Array {
    return bytesOf(this.s, this.hs, this.ve);
  }

  /** Hex of the last element's value (messages). */
  hex(): string {
    return hexOf(this.s, this.vs, this.ve);
  }

  /** Largest byte of the last element's value (ASCII checks). */
  maxByte(): number {
    const s = this.s;
    let m = 0;
    if (this.str) {
      for (let i = this.vs; i < this.ve; i++) m |= s.charCodeAt(i) & 255;
    } else for (let i = this.vs; i < this.ve; i++) m |= s[i];
    return m;
  }

  /** Value of the last element as a byte string (text of IA5String/PrintableString...). */
  text(): string {
    let r = "";
    for (let i = this.vs; i < this.ve; i++) r += String.fromCharCode(this.b(i));
    return r;
  }

  /** Checks the last element (an INTEGER) is minimally encoded; returns true if negative. */
  checkInt(): boolean {
    const vs = this.vs;
    const n = this.ve - vs;
    if (n === 0) badDer("empty INTEGER");
    const b0 = this.b(vs);
    if (n > 1) {
      const b1 = this.b(vs + 1);
      if ((b0 === 0 && b1 < 0x80) || (b0 === 0xff && b1 >= 0x80)) badDer("non-minimal INTEGER");
    }
    return b0 >= 0x80;
  }

  /** Reads an INTEGER that must be in 0..2^31-1. */
  smallInt(): number {
    this.next(T_INTEGER);
    if (this.checkInt()) badDer("negative INTEGER");
    if (this.ve - this.vs > 4) badDer("INTEGER too large");
    let v = 0;
    for (let i = this.vs; i < this.ve; i++) v = v * 256 + this.b(i);
    return v;
  }

  /** Reads a positive INTEGER and returns its magnitude without the sign octet. */
  posInt(): Uint8Array {
    this.next(T_INTEGER);
    if (this.checkInt()) badDer("negative INTEGER");
    let s = this.vs;
    if (this.b(s) === 0 && this.ve - s > 1) s++;
    return bytesOf(this.s, s, this.ve);
  }

  /** Reads a BOOLEAN (DER: 0x00 or 0xFF). */
  bool(): boolean {
    this.next(T_BOOLEAN);
    if (this.ve - this.vs !== 1) badDer("bad BOOLEAN");
    const v = this.b(this.vs);
    if (v !== 0 && v !== 0xff) badDer("BOOLEAN not DER");
    return v === 0xff;
  }

  /** Reads NULL. */
  nul(): void {
    this.next(T_NULL);
    if (this.ve !== this.vs) badDer("bad NULL");
  }

  /** Reads an OBJECT IDENTIFIER (checked minimal) and returns its content octets as a byte
   *  string (see oids.ts). */
  oid(): string {
    this.next(T_OID);
    const vs = this.vs;
    const ve = this.ve;
    if (ve === vs) badDer("empty OID");
    if ((this.b(ve - 1) & 0x80) !== 0) badDer("truncated OID");
    let first = true;
    for (let i = vs; i < ve; i++) {
      const c = this.b(i);
      if (first && c === 0x80) badDer("non-minimal OID");
      first = (c & 0x80) === 0;
    }
    return binOf(this.s, vs, ve);
  }

  /** Reads a BIT STRING whose unused bits must be 0 (keys, signatures); returns the
   *  offset of its first content octet (after the unused-bits octet). */
  bitsWhole(): number {
    this.next(T_BIT_STRING);
    if (this.ve === this.vs) badDer("empty BIT STRING");
    if (this.b(this.vs) !== 0) badDer("BIT STRING with unused bits");
    return this.vs + 1;
  }

  /** Reads a BIT STRING as a named-bit list: bit i of the result is bit i of the string
   *  (bit 0 = most significant bit of the first octet). At most 24 bits. */
  bitList(): number {
    this.next(T_BIT_STRING);
    const n = this.ve - this.vs;
    if (n === 0) badDer("empty BIT STRING");
    const unused = this.b(this.vs);
    if (unused > 7 || (n === 1 && unused !== 0)) badDer("bad BIT STRING");
    if (n > 4) badDer("BIT STRING too long");
    if (n > 1 && (this.b(this.ve - 1) & ((1 << unused) - 1)) !== 0) badDer("BIT STRING unused bits not zero");
    let v = 0;
    for (let i = 1; i < n; i++) {
      const c = this.b(this.vs + i);
      for (let k = 0; k < 8; k++) if (c & (0x80 >> k)) v |= 1 << ((i - 1) * 8 + k);
    }
    return v;
  }
}

/** Reads one whole TLV that must span src[start,end) exactly; returns the cursor on it. */
export function derWhole(src: Bytes, start: number, end: number, tag: number): Der {
  const d = new Der(src, start, end);
  d.next(tag);
  d.done();
  return d;
}
