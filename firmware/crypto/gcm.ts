// AES-GCM (NIST SP 800-38D) with a 128-bit tag, for 16-, 24- and 32-byte keys and any
// non-empty IV (96 bits is the TLS case; other sizes derive J0 through GHASH).
//
// GHASH uses Shoup's table method on little-endian 32-bit words: a 128-bit field element is
// kept as four Int32 words w0..w3 holding its bytes B0..B15 in memory order (w0 = B0 | B1<<8 |
// ...), so data is XORed in a word at a time through an Int32Array view (every Espruino target
// is little-endian). In GCM's bit order x^0 is the top bit of B0, so multiplying by x^8 moves
// every byte one place up (B15 drops out and is folded back into B0,B1 as R[B15]; R is shared,
// Uint16Array(256), 512 B, built on first use). A block is 16 Horner steps
// "Z = Z*x^8 ^ b*H", one per byte b from B15 down to B0, unrolled.
//
// Two table sizes per key (b*H for b taken as B0, as four word tables):
//  - big (default): M0..M3[b] for all 256 bytes: four Int32Array(256), 4 KB per key
//    (~270 JsVars of 16 bytes). ~67 M interpreter instructions per KB of GHASH.
//  - small: b*H = hi*H ^ lo*H for the two nibbles, H0..H3[hi] and L0..L3[lo]: eight
//    Int32Array(16), 512 B per key (~45 JsVars); a loop, not unrolled (see ghashSmall).
// aesGcm(key, true) (a TLS write key) starts with the small tables and builds the big ones once
// GROW_AFTER bytes have passed through GHASH: write keys carry little (Finished, a request,
// alerts), and each key's big tables hold 4 KB. Read keys take the big tables at once: they
// decrypt certificate flights and responses, where the small loop costs ~1.9x per block.
// Unrolling the 16 steps measured 1.5x faster than a loop over the words (big tables: 9.7 vs
// 14.5 ms of CPU per KB on the release interpreter), for ~1.3 KB more minified code.
//
// Lookups are indexed by ciphertext bytes XOR the running hash (a function of H); the boards
// have no data cache, so this is not a cache-timing channel there.

import type { Aead, AesBlock } from "./types";
import { EtError } from "../errors";
import { copyOf, ctEqual } from "../util/bytes";
import { aesBlock } from "./aes";
import { alignedWords, blockWords, tailWords } from "./words";
import type { Job } from "../util/job";
import { doneJob, runSync } from "../util/job";
import { openJob } from "./aeadjob";

let RT: Uint16Array | null = null;

/** R[r]: the reduction of byte r shifted out of B15, as B0 | B1 << 8. */
function rtable(): Uint16Array {
  if (RT) return RT;
  const t = new Uint16Array(256);
  for (let r = 1; r < 256; r++) {
    let v = 0;
    // bit k of r is x^(127-k); times x^8 it is x^128 * x^(7-k) = (1+x+x^2+x^7) x^(7-k),
    // which is 0xe1 >> (7-k) spread over B0 (top 8 of 16 bits) and B1
    for (let k = 0; k < 8; k++) if ((r >> k) & 1) v ^= 0xe100 >>> (7 - k);
    t[r] = (v >>> 8) | ((v & 255) << 8);
  }
  RT = t;
  return t;
}

function bswap(x: number): number {
  return (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24);
}

/**
 * Which GHASH tables aesGcm() uses. A board constant would be the right home for this choice
 * (small tables for boards with few JsVars); as a literal it lets the build drop the other
 * variant. gcmWith() can pick either explicitly (tests).
 */
const GHASH_SMALL_TABLES: boolean = false;

/** Bytes through GHASH after which an adaptive key switches to the big tables. */
const GROW_AFTER = 512;

/** GHASH key: the tables for H and the block function that uses them. */
interface GKey {
  f: (K: GKey, st: Int32Array, dw: Int32Array, i: number, nb: number) => void;
  M0: Int32Array;
  M1: Int32Array;
  M2: Int32Array;
  M3: Int32Array;
  L0: Int32Array;
  L1: Int32Array;
  L2: Int32Array;
  L3: Int32Array;
}

/**
 * The products b*H for the eight single-bit bytes b = 2^j, j = 0..7, as four little-endian
 * words at [4j, 4j + 4) of one Int32Array(32) (not tables of 256: the small-table keys must not
 * need 4 KB, even for a moment). Built as big-endian words first (a shift by one bit is then a
 * plain word shift): (b/2)*H = (b*H) * x, a right shift by one bit, reduced when x^127 drops
 * out; then byte-swapped.
 */
function powers(h: Uint8Array): Int32Array {
  const P = new Int32Array(32);
  for (let k = 0; k < 4; k++) P[28 + k] = (h[4 * k] << 24) | (h[4 * k + 1] << 16) | (h[4 * k + 2] << 8) | h[4 * k + 3];
  let j = 0, s = 0, c = 0;
  for (j = 24; j >= 0; j -= 4) {
    s = j + 4;
    c = P[s + 3] & 1;
    P[j + 3] = (P[s + 3] >>> 1) | (P[s + 2] << 31);
    P[j + 2] = (P[s + 2] >>> 1) | (P[s + 1] << 31);
    P[j + 1] = (P[s + 1] >>> 1) | (P[s] << 31);
    P[j] = (P[s] >>> 1) ^ (-c & 0xe1000000);
  }
  for (j = 0; j < 32; j++) P[j] = bswap(P[j]);
  return P;
}

/** Fills t[i + j] = t[i] ^ t[j] for i = 2, 4, ..., < n and j < i (XOR ignores byte order). */
function combine(t: Int32Array, n: number): void {
  for (let i = 2; i < n; i <<= 1) for (let j = 1; j < i; j++) t[i + j] = t[i] ^ t[j];
}

/** Big tables: M0..M3[b] = b*H for all bytes b. */
function gkeyBig(h: Uint8Array): GKey {
  const P = powers(h), M: Int32Array[] = [];
  for (let k = 0; k < 4; k++) {
    const t = new Int32Array(256);
    for (let j = 0; j < 8; j++) t[1 << j] = P[4 * j + k];
    combine(t, 256);
    M.push(t);
  }
  const e = new Int32Array(0);
  return { f: ghashBig, M0: M[0], M1: M[1], M2: M[2], M3: M[3], L0: e, L1: e, L2: e, L3: e };
}

/** Small tables: M0..M3[n] = (n << 4)*H (high nibble) and L0..L3[n] = n*H (low nibble). */
function gkeySmall(h: Uint8Array): GKey {
  const P = powers(h);
  const t: Int32Array[] = [];
  for (let k = 0; k < 4; k++) {
    const hi = new Int32Array(16), lo = new Int32Array(16);
    for (let j = 0; j < 4; j++) {
      hi[1 << j] = P[4 * (j + 4) + k];
      lo[1 << j] = P[4 * j + k];
    }
    combine(hi, 16);
    combine(lo, 16);
    t.push(hi);
    t.push(lo);
  }
  return { f: ghashSmall, M0: t[0], M1: t[2], M2: t[4], M3: t[6], L0: t[1], L1: t[3], L2: t[5], L3: t[7] };
}

/** st = (st ^ X) * H for the nb blocks X at words dw[i..i+4*nb), big tables. */
function ghashBig(K: GKey, st: Int32Array, dw: Int32Array, i: number, nb: number): void {
  // hot variables first (the interpreter looks names up by a linear scan)
  let u = 0, t = 0, w0 = st[0], w1 = st[1], w2 = st[2], w3 = st[3];
  const M0 = K.M0, M1 = K.M1, M2 = K.M2, M3 = K.M3, R = rtable();
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  while (nb-- > 0) {
    a0 = w0 ^ dw[i]; a1 = w1 ^ dw[i + 1]; a2 = w2 ^ dw[i + 2]; a3 = w3 ^ dw[i + 3];
    i += 4;
    u = a3 >>> 24;
    w0 = M0[u]; w1 = M1[u]; w2 = M2[u]; w3 = M3[u];
    u = a3 >>> 16 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a3 >>> 8 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a3 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a2 >>> 24; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a2 >>> 16 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a2 >>> 8 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a2 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a1 >>> 24; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a1 >>> 16 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a1 >>> 8 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a1 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a0 >>> 24; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a0 >>> 16 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a0 >>> 8 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
    u = a0 & 255; t = w3 >>> 24;
    w3 = (w3 << 8 | w2 >>> 24) ^ M3[u]; w2 = (w2 << 8 | w1 >>> 24) ^ M2[u]; w1 = (w1 << 8 | w0 >>> 24) ^ M1[u]; w0 = w0 << 8 ^ R[t] ^ M0[u];
  }
  st[0] = w0; st[1] = w1; st[2] = w2; st[3] = w3;
}

/**
 * st = (st ^ X) * H for the nb blocks X at words dw[i..i+4*nb), small tables. A loop over the
 * 16 bytes, not unrolled: adaptive keys use it for their first GROW_AFTER bytes only.
 */
function ghashSmall(K: GKey, st: Int32Array, dw: Int32Array, i: number, nb: number): void {
  let u = 0, v = 0, t = 0, x = 0, k = 0, w0 = st[0], w1 = st[1], w2 = st[2], w3 = st[3];
  const H0 = K.M0, H1 = K.M1, H2 = K.M2, H3 = K.M3, L0 = K.L0, L1 = K.L1, L2 = K.L2, L3 = K.L3, R = rtable();
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  while (nb-- > 0) {
    a0 = w0 ^ dw[i]; a1 = w1 ^ dw[i + 1]; a2 = w2 ^ dw[i + 2]; a3 = w3 ^ dw[i + 3];
    i += 4;
    w0 = w1 = w2 = w3 = 0;
    // Bytes B15 down to B0: byte k is bits 8(k & 3).. of word k >> 2.
    for (k = 15; k >= 0; k--) {
      x = (k > 11 ? a3 : k > 7 ? a2 : k > 3 ? a1 : a0) >>> ((k & 3) << 3);
      u = x >>> 4 & 15; v = x & 15; t = w3 >>> 24;
      w3 = (w3 << 8 | w2 >>> 24) ^ H3[u] ^ L3[v]; w2 = (w2 << 8 | w1 >>> 24) ^ H2[u] ^ L2[v];
      w1 = (w1 << 8 | w0 >>> 24) ^ H1[u] ^ L1[v]; w0 = w0 << 8 ^ R[t] ^ H0[u] ^ L0[v];
    }
  }
  st[0] = w0; st[1] = w1; st[2] = w2; st[3] = w3;
}

/** GHASH update with d[0..n) zero-padded to whole blocks. */
function ghash(K: GKey, st: Int32Array, d: Uint8Array, n: number): void {
  const full = n >> 4;
  if (full > 0) K.f(K, st, blockWords(d, full), 0, full);
  if (n & 15) K.f(K, st, tailWords(d, full << 4, n), 0, 1);
}

/** Big-endian 64-bit bit count of n bytes into b[o..o+8). */
function bitLen(b: Uint8Array, o: number, n: number): void {
  const hi = (n / 536870912) | 0; // n * 8 / 2^32
  const lo = (n << 3) >>> 0;
  b[o + 3] = hi;
  b[o + 2] = hi >>> 8;
  b[o + 4] = lo >>> 24;
  b[o + 5] = lo >>> 16;
  b[o + 6] = lo >>> 8;
  b[o + 7] = lo;
}

/** Adds 1 to the last 32 bits of a counter block (inc32). */
function inc32(c: Uint8Array): void {
  let t = 1;
  for (let i = 15; i >= 12; i--) {
    t += c[i];
    c[i] = t;
    t >>= 8;
  }
}

/** Bytes of keystream per native call: bounds the extra RAM of one call, and the native
 *  result must be one contiguous block (a flat string): small ones still fit a fragmented heap. */
const CHUNK = 256;

/** J0: IV || 0^31 || 1 for 96-bit IVs, else GHASH(IV || pad || 0^64 || [len(IV)]_64). */
function preCounter(K: GKey, iv: Uint8Array): Uint8Array {
  const j0 = new Uint8Array(16);
  if (iv.length === 12) {
    j0.set(iv);
    j0[15] = 1;
  } else {
    if (iv.length === 0) throw new EtError("BAD_NONCE", "AES-GCM IV must not be empty");
    const y = new Int32Array(j0.buffer);
    ghash(K, y, iv, iv.length);
    const l = new Uint8Array(16);
    bitLen(l, 8, iv.length);
    ghash(K, y, l, 16);
  }
  return j0;
}

/** The tag's running GHASH state, with aad absorbed. */
function tagStart(K: GKey, aad: Uint8Array): Int32Array {
  const y = new Int32Array(4);
  ghash(K, y, aad, aad.length);
  return y;
}

/** Finishes the tag over aad and n bytes of ciphertext (absorbed into y), into out[o..o+16). */
function tagEnd(blk: AesBlock, K: GKey, j0: Uint8Array, y: Int32Array, aadLen: number, n: number, out: Uint8Array, o: number): void {
  const l = new Uint8Array(16);
  bitLen(l, 0, aadLen);
  bitLen(l, 8, n);
  ghash(K, y, l, 16);
  blk.encrypt(j0, 0, l, 0);
  const s = new Uint8Array(y.buffer);
  for (let i = 0; i < 16; i++) out[o + i] = s[i] ^ l[i];
}

/** The first counter block for data: J0 + 1. */
function firstCounter(j0: Uint8Array): Uint8Array {
  const ctr = new Uint8Array(16);
  ctr.set(j0);
  inc32(ctr);
  return ctr;
}

/** buf[0..n) ^= keystream from counter block ctr, which is advanced past the blocks used;
 *  buf starts 4-byte aligned in its buffer. */
function ctrXor(blk: AesBlock, ctr: Uint8Array, buf: Uint8Array, n: number): void {
  const all = (n + 15) >> 4;
  const ks = new Uint8Array((all < CHUNK >> 4 ? all : CHUNK >> 4) << 4);
  const kw = new Int32Array(ks.buffer);
  const bw = alignedWords(buf, n);
  let i = 0, j = 0, m = 0, e = 0;
  for (let o = 0; o < n; o += CHUNK) {
    m = n - o;
    if (m > CHUNK) m = CHUNK;
    blk.ctrKeystream(ctr, ks, (m + 15) >> 4);
    e = (o + m) >> 2;
    for (i = o >> 2, j = 0; i < e; i++) bw[i] ^= kw[j++];
    for (i = e << 2, j <<= 2; i < o + m; i++) buf[i] ^= ks[j++];
  }
}

/** AES-GCM over an AesBlock (a class: methods shared between keys). */
class Gcm implements Aead {
  keyLen: number;
  nonceLen = 12;
  tagLen = 16;
  b: AesBlock;
  K: GKey;
  /** H while the key may still grow to the big tables (null once it has, or never will). */
  private h: Uint8Array | null;
  private used: number;
  constructor(blk: AesBlock, keyLen: number, gkey: (h: Uint8Array) => GKey, grow: boolean) {
    this.b = blk;
    this.keyLen = keyLen;
    const h = new Uint8Array(16);
    blk.encrypt(h, 0, h, 0);
    this.K = gkey(h);
    this.h = grow ? h : null;
    this.used = 0;
  }
  /** Counts n more bytes for GHASH; past GROW_AFTER an adaptive key builds its big tables. */
  private grow(n: number): void {
    if (!this.h) return;
    this.used += n;
    if (this.used <= GROW_AFTER) return;
    this.K = gkeyBig(this.h);
    this.h = null;
  }
  seal(nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
    const j0 = preCounter(this.K, nonce);
    const n = pt.length;
    const out = new Uint8Array(n + 16);
    out.set(pt);
    this.grow(n + aad.length);
    if (n > 0) ctrXor(this.b, firstCounter(j0), out, n);
    const y = tagStart(this.K, aad);
    ghash(this.K, y, out, n);
    tagEnd(this.b, this.K, j0, y, aad.length, n, out, n);
    return out;
  }
  open(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array | null {
    const c = copyOf(data);
    return this.openInPlace(nonce, aad, c) ? c.subarray(0, c.length - 16) : null;
  }
  openInPlace(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): boolean {
    return runSync(this.openJob(nonce, aad, data));
  }
  openJob(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Job<boolean> {
    const j0 = preCounter(this.K, nonce);
    const n = data.length - 16;
    if (n < 0) return doneJob(false);
    this.grow(n + aad.length);
    const blk = this.b, K = this.K, y = tagStart(K, aad), ctr = firstCounter(j0);
    return openJob(n, function (o: number, m: number) { ghash(K, y, data.subarray(o, o + m), m); }, function () {
      const tag = new Uint8Array(16);
      tagEnd(blk, K, j0, y, aad.length, n, tag, 0);
      return ctEqual(tag, data.subarray(n));
    }, function (o: number, m: number) { ctrXor(blk, ctr, data.subarray(o, o + m), m); });
  }
}

/**
 * GCM with a given AES block cipher (native or portable); keyLen is the AES key length;
 * small picks the 512-byte GHASH tables instead of the 4 KB ones.
 * seal/open throw EtError BAD_NONCE for an empty IV.
 */
export function gcmWith(blk: AesBlock, keyLen: number, small: boolean): Aead {
  return new Gcm(blk, keyLen, small ? gkeySmall : gkeyBig, false);
}

/** AES-GCM with a 16-, 24- or 32-byte key (AES-128/192/256), using the board's AES. A key for
 *  writing starts with the small tables and grows to the big ones after GROW_AFTER bytes; one
 *  for reading has the big ones (small only, either way, with GHASH_SMALL_TABLES). */
export function aesGcm(key: Uint8Array, writing?: boolean): Aead {
  if (GHASH_SMALL_TABLES || writing) return new Gcm(aesBlock(key), key.length, gkeySmall, !GHASH_SMALL_TABLES);
  return new Gcm(aesBlock(key), key.length, gkeyBig, false);
}
