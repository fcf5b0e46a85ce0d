// Compact subject names of the CA store (docs/castore-format.md §4), read from flash.
//
// A stored name is a list of tokens, one per attribute: [type][tag|cont][len][value]. Lookups
// compare a DER Name in RAM (the issuer) with it in one pass (nameIs: no allocation, every
// stored byte read once); nameDer rebuilds the DER (minimal lengths) into a new Uint8Array when
// an anchor found by key identifier needs its subject.
//
// `f` is the store's flash-backed string (Storage.read): only charCodeAt is used on it, which
// reads flash in place.

/** OID content octets of the attribute codes 0x80.. (format §4.1). */
const ATTR = [
  "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01", // 0x80 emailAddress
  "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19", // 0x81 domainComponent
  "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x01", // 0x82 userId
  "\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x03", // 0x83 jurisdictionOfIncorporationCountryName
];

/** Size of a DER TLV whose value has n bytes. */
export function tlvLen(n: number): number {
  return n + (n < 128 ? 2 : n < 256 ? 3 : 4);
}

// The current token (set by tok()); module variables so walking a name allocates nothing.
let tA = 0; // attribute code
let tO = 0; // flash offset of the OID content when tA == 0xff
let tOL = 0; // OID content length
let tT = 0; // value tag byte with the continuation bit
let tV = 0; // flash offset of the value
let tVL = 0; // value length

/** Reads the token at flash offset p; returns the offset after it, or -1 if malformed. */
function tok(f: any, p: number, e: number): number {
  let c = f.charCodeAt(p++);
  tA = c;
  if (c < 0x80) tOL = 3;
  else if (c < 0x84) tOL = ATTR[c - 0x80].length;
  else if (c === 0xff) {
    c = f.charCodeAt(p++);
    if (c > 127) c = ((c & 127) << 8) | f.charCodeAt(p++);
    tO = p;
    tOL = c;
    p += c;
  } else return -1;
  tT = f.charCodeAt(p++);
  c = f.charCodeAt(p++);
  if (c > 127) c = ((c & 127) << 8) | f.charCodeAt(p++);
  tV = p;
  tVL = c;
  p += c;
  return p > e ? -1 : p;
}

/** OID content byte i of the current token. */
function oidByte(f: any, i: number): number {
  if (tA < 0x80) return i === 0 ? 0x55 : i === 1 ? 0x04 : tA;
  if (tA === 0xff) return f.charCodeAt(tO + i);
  return ATTR[tA - 0x80].charCodeAt(i);
}

/** Length of the current token's AttributeTypeAndValue TLV. */
function atvLen(): number {
  return tlvLen(tlvLen(tOL) + tlvLen(tVL));
}

/** Content length of the RDN starting with the token at p (it and its continuations). */
function rdnLen(f: any, p: number, e: number): number {
  let n = 0;
  let first = true;
  while (p < e) {
    const q = tok(f, p, e);
    if (q < 0) return -1;
    if (!first && (tT & 0x80) === 0) break;
    first = false;
    n += atvLen();
    p = q;
  }
  return n;
}

/** Content length of the DER Name stored compactly at flash [s, e), or -1 if malformed. */
function nameContent(f: any, s: number, e: number): number {
  let t = 0;
  let p = s;
  while (p < e) {
    const r = rdnLen(f, p, e);
    if (r < 0) return -1;
    t += tlvLen(r);
    // skip the RDN's tokens
    let first = true;
    while (p < e) {
      const q = tok(f, p, e);
      if (!first && (tT & 0x80) === 0) break;
      first = false;
      p = q;
    }
  }
  return t;
}

/** DER length of the Name stored compactly at flash [s, e), or -1 if malformed. */
export function nameLen(f: any, s: number, e: number): number {
  const t = nameContent(f, s, e);
  return t < 0 ? -1 : tlvLen(t);
}

/** Writes a DER header (tag, length n < 65536) at b[p]; returns the offset after it. */
export function hdr(b: Uint8Array, p: number, tag: number, n: number): number {
  b[p++] = tag;
  if (n >= 256) {
    b[p++] = 0x82;
    b[p++] = n >> 8;
  } else if (n >= 128) b[p++] = 0x81;
  b[p++] = n & 255;
  return p;
}

/** Rebuilds into b (which must hold nameLen() bytes) the DER Name stored compactly at flash
 *  [s, e); returns false if the stored name is malformed. */
export function nameDer(f: any, s: number, e: number, b: Uint8Array): boolean {
  const c = nameContent(f, s, e);
  if (c < 0 || b.length !== tlvLen(c)) return false;
  let o = hdr(b, 0, 0x30, c);
  let p = s;
  while (p < e) {
    const q0 = tok(f, p, e);
    if (q0 < 0 || (p === s && (tT & 0x80) !== 0)) return false;
    if ((tT & 0x80) === 0) {
      o = hdr(b, o, 0x31, rdnLen(f, p, e));
      tok(f, p, e);
    }
    o = hdr(b, o, 0x30, tlvLen(tOL) + tlvLen(tVL));
    o = hdr(b, o, 0x06, tOL);
    for (let i = 0; i < tOL; i++) b[o++] = oidByte(f, i);
    o = hdr(b, o, tT & 0x7f, tVL);
    for (let i = 0; i < tVL; i++) b[o++] = f.charCodeAt(tV + i);
    p = q0;
  }
  return o === b.length;
}

let gL = 0; // length read by dlen()

/** Reads a minimal DER length (< 65536) at b[p]; sets gL and returns the offset after it, or
 *  -1 if it is not minimal or the element would end past `end`. */
function dlen(b: Uint8Array, p: number, end: number): number {
  let n = b[p++];
  if (n > 127) {
    if (n === 0x81) {
      n = b[p++];
      if (n < 128) return -1;
    } else if (n === 0x82) {
      n = (b[p] << 8) | b[p + 1];
      p += 2;
      if (n < 256) return -1;
    } else return -1;
  }
  gL = n;
  return p + n <= end ? p : -1;
}

/** Reads a stored length at flash f[q]; sets gL and returns the offset after it. */
function flen(f: any, q: number): number {
  let n = f.charCodeAt(q++);
  if (n > 127) n = ((n & 127) << 8) | f.charCodeAt(q++);
  gL = n;
  return q;
}

/**
 * Whether the DER Name b (in RAM, e.g. a certificate's issuer) is exactly the Name stored
 * compactly at flash [s, e). One pass: b is parsed strictly (minimal lengths, elements that
 * exactly fill their parents), so matching content means matching bytes; each stored byte is
 * read once and nothing is allocated.
 */
export function nameIs(f: any, s: number, e: number, b: Uint8Array): boolean {
  const n = b.length;
  if (n < 2 || b[0] !== 0x30) return false;
  let p = dlen(b, 1, n);
  if (p < 0 || p + gL !== n) return false;
  let q = s;
  while (p < n) {
    if (b[p] !== 0x31) return false;
    let r = dlen(b, p + 1, n);
    if (r < 0) return false;
    const re = r + gL;
    let first = true;
    if (r === re) return false;
    while (r < re) {
      if (b[r] !== 0x30) return false;
      const ap = dlen(b, r + 1, re);
      if (ap < 0 || b[ap] !== 0x06) return false;
      const ae = ap + gL;
      const op = dlen(b, ap + 1, ae);
      if (op < 0 || q >= e) return false;
      const ol = gL;
      const a = f.charCodeAt(q++);
      if (a < 0x80) {
        if (ol !== 3 || b[op] !== 0x55 || b[op + 1] !== 0x04 || b[op + 2] !== a) return false;
      } else if (a < 0x84) {
        const o = ATTR[a - 0x80];
        if (ol !== o.length) return false;
        for (let i = 0; i < ol; i++) if (b[op + i] !== o.charCodeAt(i)) return false;
      } else if (a === 0xff) {
        q = flen(f, q);
        if (gL !== ol) return false;
        for (let i = 0; i < ol; i++) if (b[op + i] !== f.charCodeAt(q++)) return false;
      } else return false;
      const vo = op + ol;
      const vp = dlen(b, vo + 1, ae);
      if (vp < 0 || vp + gL !== ae) return false;
      const vl = gL;
      const t = f.charCodeAt(q++);
      if ((t & 0x7f) !== b[vo] || (t > 127) === first) return false;
      q = flen(f, q);
      if (gL !== vl || q + vl > e) return false;
      for (let i = 0; i < vl; i++) if (b[vp + i] !== f.charCodeAt(q++)) return false;
      first = false;
      r = ae;
    }
    p = re;
  }
  return q === e;
}
