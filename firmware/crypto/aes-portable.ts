// Portable AES-128/192/256 encryption (FIPS 197) for boards without native AES.
//
// RAM first: the only table is the 256-byte S-box (one Uint8Array, built on first use and
// shared by all keys); MixColumns is computed with a packed 4-byte xtime. A key schedule
// is an Int32Array of 44/52/60 words (176/208/240 bytes). Measured on the release
// interpreter: the S-box ~28 JsVars once, a key ~24 JsVars (at 27 B/JsVar), and ~3.3 M
// interpreter instructions (~0.45 ms of CPU) per block, so AES-128-GCM over it takes ~40 ms
// per KB (native AES: ~11 ms).
//
// The state is four column words, little-endian: byte r of column c (row r) is bits 8r..8r+7
// of word c, which is also how the bytes of a block sit in memory on every Espruino target.

import type { AesBlock } from "./types";
import { EtError } from "../errors";

let SBOX: Uint8Array | null = null;

/** The S-box from the multiplicative inverse in GF(2^8) and the affine map. */
function sbox(): Uint8Array {
  if (SBOX) return SBOX;
  const s = new Uint8Array(256);
  // p walks the powers of 3 (a generator); q walks the powers of 1/3, so q = 1/p.
  let p = 1;
  let q = 1;
  do {
    p = p ^ ((p << 1) & 0xff) ^ (p & 0x80 ? 0x1b : 0);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    // affine map: q ^ rotl(q,1) ^ rotl(q,2) ^ rotl(q,3) ^ rotl(q,4) ^ 0x63
    const x = q ^ (q << 1) ^ (q << 2) ^ (q << 3) ^ (q << 4);
    s[p] = (x ^ (x >> 8) ^ 0x63) & 0xff;
  } while (p !== 1);
  s[0] = 0x63;
  SBOX = s;
  return s;
}

/** Key schedule (FIPS 197 §5.2) as little-endian words. */
function expandKey(key: Uint8Array, S: Uint8Array): Int32Array {
  const nk = key.length >> 2;
  const total = (nk + 7) << 2;
  const w = new Int32Array(total);
  new Uint8Array(w.buffer).set(key);
  let rc = 1;
  for (let i = nk; i < total; i++) {
    let t = w[i - 1];
    if (i % nk === 0) {
      // RotWord then SubWord, then Rcon on the first byte
      t = (S[(t >>> 8) & 255] | (S[(t >>> 16) & 255] << 8) | (S[t >>> 24] << 16) | (S[t & 255] << 24)) ^ rc;
      rc = (rc << 1) ^ (rc & 0x80 ? 0x11b : 0);
    } else if (nk > 6 && i % nk === 4) {
      t = S[t & 255] | (S[(t >>> 8) & 255] << 8) | (S[(t >>> 16) & 255] << 16) | (S[t >>> 24] << 24);
    }
    w[i] = w[i - nk] ^ t;
  }
  return w;
}

/**
 * Encrypts the block in io[0..4) (column words) in place with schedule k of nr rounds.
 * The working words are parameters only so that they come first in the function's scope
 * (the interpreter looks names up by a linear scan); callers pass zeros.
 */
function enc(a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number,
  x: number, y: number, i: number, r: number, S: Uint8Array, k: Int32Array, nr: number, io: Int32Array): void {
  a = io[0] ^ k[0]; b = io[1] ^ k[1]; c = io[2] ^ k[2]; d = io[3] ^ k[3];
  for (r = 1, i = 4; r < nr; r++, i += 4) {
    // SubBytes + ShiftRows: row j of new column c comes from column c + j
    e = S[a & 255] | (S[(b >>> 8) & 255] << 8) | (S[(c >>> 16) & 255] << 16) | (S[d >>> 24] << 24);
    f = S[b & 255] | (S[(c >>> 8) & 255] << 8) | (S[(d >>> 16) & 255] << 16) | (S[a >>> 24] << 24);
    g = S[c & 255] | (S[(d >>> 8) & 255] << 8) | (S[(a >>> 16) & 255] << 16) | (S[b >>> 24] << 24);
    h = S[d & 255] | (S[(a >>> 8) & 255] << 8) | (S[(b >>> 16) & 255] << 16) | (S[c >>> 24] << 24);
    // MixColumns with rotations toward byte 0 (rot8 = >>> 8): for x = e ^ rot8 e,
    // out = 2x ^ rot8 e ^ rot16 x (= 2a0 ^ 3a1 ^ a2 ^ a3 in byte 0), 2x by a packed xtime
    x = e ^ (y = e >>> 8 | e << 24);
    a = ((x & 0x7f7f7f7f) << 1) ^ ((x >>> 7 & 0x01010101) * 27) ^ y ^ (x >>> 16 | x << 16) ^ k[i];
    x = f ^ (y = f >>> 8 | f << 24);
    b = ((x & 0x7f7f7f7f) << 1) ^ ((x >>> 7 & 0x01010101) * 27) ^ y ^ (x >>> 16 | x << 16) ^ k[i + 1];
    x = g ^ (y = g >>> 8 | g << 24);
    c = ((x & 0x7f7f7f7f) << 1) ^ ((x >>> 7 & 0x01010101) * 27) ^ y ^ (x >>> 16 | x << 16) ^ k[i + 2];
    x = h ^ (y = h >>> 8 | h << 24);
    d = ((x & 0x7f7f7f7f) << 1) ^ ((x >>> 7 & 0x01010101) * 27) ^ y ^ (x >>> 16 | x << 16) ^ k[i + 3];
  }
  io[0] = (S[a & 255] | (S[(b >>> 8) & 255] << 8) | (S[(c >>> 16) & 255] << 16) | (S[d >>> 24] << 24)) ^ k[i];
  io[1] = (S[b & 255] | (S[(c >>> 8) & 255] << 8) | (S[(d >>> 16) & 255] << 16) | (S[a >>> 24] << 24)) ^ k[i + 1];
  io[2] = (S[c & 255] | (S[(d >>> 8) & 255] << 8) | (S[(a >>> 16) & 255] << 16) | (S[b >>> 24] << 24)) ^ k[i + 2];
  io[3] = (S[d & 255] | (S[(a >>> 8) & 255] << 8) | (S[(b >>> 16) & 255] << 16) | (S[c >>> 24] << 24)) ^ k[i + 3];
}

function encWords(io: Int32Array, k: Int32Array, nr: number, S: Uint8Array): void {
  enc(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, S, k, nr, io);
}

/** Portable AES (a class: methods shared between keys). */
class PortableAes implements AesBlock {
  k: Int32Array;
  nr: number;
  S: Uint8Array;
  io: Int32Array;
  iob: Uint8Array;
  constructor(key: Uint8Array) {
    this.S = sbox();
    this.k = expandKey(key, this.S);
    this.nr = (key.length >> 2) + 6;
    this.io = new Int32Array(4);
    this.iob = new Uint8Array(this.io.buffer);
  }
  encrypt(src: Uint8Array, so: number, dst: Uint8Array, dOff: number): void {
    this.iob.set(src.subarray(so, so + 16));
    encWords(this.io, this.k, this.nr, this.S);
    dst.set(this.iob, dOff);
  }
  ctrKeystream(ctr: Uint8Array, out: Uint8Array, nb: number): void {
    const io = this.io, iob = this.iob, k = this.k, nr = this.nr, S = this.S;
    iob.set(ctr.subarray(0, 16));
    const h0 = io[0], h1 = io[1], h2 = io[2];
    let c = ((ctr[12] << 24) | (ctr[13] << 16) | (ctr[14] << 8) | ctr[15]) >>> 0;
    for (let i = 0, o = 0; i < nb; i++, o += 16) {
      io[0] = h0;
      io[1] = h1;
      io[2] = h2;
      // the big-endian counter as a little-endian word
      io[3] = (c << 24) | ((c & 0xff00) << 8) | ((c >>> 8) & 0xff00) | (c >>> 24);
      encWords(io, k, nr, S);
      out.set(iob, o);
      c = (c + 1) >>> 0;
    }
    ctr[12] = c >>> 24;
    ctr[13] = c >>> 16;
    ctr[14] = c >>> 8;
    ctr[15] = c;
  }
}

export function portableAesBlock(key: Uint8Array): AesBlock {
  const n = key.length;
  if (n !== 16 && n !== 24 && n !== 32) throw new EtError("BAD_KEY", "AES key must be 16, 24 or 32 bytes");
  return new PortableAes(key);
}
