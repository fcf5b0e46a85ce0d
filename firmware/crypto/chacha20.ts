// ChaCha20 (RFC 8439 §2.3-2.4) for the interpreter.
//
// Speed notes (FACTS §7): the block function keeps the 16 state words in variables (first in
// its scope) and unrolls the quarter-rounds of one double round, with each step written as
// one expression `d = (d ^= a += b) << 16 | d >>> 16`. The additions are left as doubles (no
// `|0`): the sums stay far below 2^53 over the 20 rounds, and every `^` and shift truncates
// back to 32 bits exactly, so `|0`s would only cost tokens. Keystream is XORed into data a
// 32-bit word at a time through an Int32Array view (all Espruino targets are little-endian,
// as ChaCha20 is). Measured: ~0.65 ms of CPU per 64-byte block on the release interpreter;
// splitting the steps into more statements, commas, or unrolling two double rounds made no
// difference.

import { EtError } from "../errors";
import { alignedWords } from "./words";

/** Reads a little-endian 32-bit word. */
function le32(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
}

/** The 16-word input block: constants, 256-bit key, 32-bit block counter, 96-bit nonce. */
export function chachaState(key: Uint8Array, nonce: Uint8Array, counter: number): Int32Array {
  if (key.length !== 32) throw new EtError("BAD_KEY", "ChaCha20 key must be 32 bytes");
  if (nonce.length !== 12) throw new EtError("BAD_NONCE", "ChaCha20 nonce must be 12 bytes");
  const s = new Int32Array(16);
  s[0] = 0x61707865;
  s[1] = 0x3320646e;
  s[2] = 0x79622d32;
  s[3] = 0x6b206574;
  for (let i = 0; i < 8; i++) s[4 + i] = le32(key, 4 * i);
  s[12] = counter;
  s[13] = le32(nonce, 0);
  s[14] = le32(nonce, 4);
  s[15] = le32(nonce, 8);
  return s;
}

/**
 * The block loop. The 16 state words and the round counter are parameters only so that they
 * are the first names in the function's scope: the interpreter finds a name by a linear scan
 * of the scope, and these are used ~1,300 times per block (measured 12.3 -> 10.5 ms of CPU
 * per KB against locals declared after the parameters s, w, wi, nb).
 */
function blocks(a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number,
  i: number, j: number, k: number, l: number, m: number, n: number, o: number, p: number, r: number,
  s: Int32Array, w: Int32Array, wi: number, nb: number): void {
  while (nb-- > 0) {
    a = s[0]; b = s[1]; c = s[2]; d = s[3];
    e = s[4]; f = s[5]; g = s[6]; h = s[7];
    i = s[8]; j = s[9]; k = s[10]; l = s[11];
    m = s[12]; n = s[13]; o = s[14]; p = s[15];
    for (r = 0; r < 10; r++) {
      // columns: (a,e,i,m) (b,f,j,n) (c,g,k,o) (d,h,l,p)
      m = (m ^= a += e) << 16 | m >>> 16; e = (e ^= i += m) << 12 | e >>> 20;
      m = (m ^= a += e) << 8 | m >>> 24; e = (e ^= i += m) << 7 | e >>> 25;
      n = (n ^= b += f) << 16 | n >>> 16; f = (f ^= j += n) << 12 | f >>> 20;
      n = (n ^= b += f) << 8 | n >>> 24; f = (f ^= j += n) << 7 | f >>> 25;
      o = (o ^= c += g) << 16 | o >>> 16; g = (g ^= k += o) << 12 | g >>> 20;
      o = (o ^= c += g) << 8 | o >>> 24; g = (g ^= k += o) << 7 | g >>> 25;
      p = (p ^= d += h) << 16 | p >>> 16; h = (h ^= l += p) << 12 | h >>> 20;
      p = (p ^= d += h) << 8 | p >>> 24; h = (h ^= l += p) << 7 | h >>> 25;
      // diagonals: (a,f,k,p) (b,g,l,m) (c,h,i,n) (d,e,j,o)
      p = (p ^= a += f) << 16 | p >>> 16; f = (f ^= k += p) << 12 | f >>> 20;
      p = (p ^= a += f) << 8 | p >>> 24; f = (f ^= k += p) << 7 | f >>> 25;
      m = (m ^= b += g) << 16 | m >>> 16; g = (g ^= l += m) << 12 | g >>> 20;
      m = (m ^= b += g) << 8 | m >>> 24; g = (g ^= l += m) << 7 | g >>> 25;
      n = (n ^= c += h) << 16 | n >>> 16; h = (h ^= i += n) << 12 | h >>> 20;
      n = (n ^= c += h) << 8 | n >>> 24; h = (h ^= i += n) << 7 | h >>> 25;
      o = (o ^= d += e) << 16 | o >>> 16; e = (e ^= j += o) << 12 | e >>> 20;
      o = (o ^= d += e) << 8 | o >>> 24; e = (e ^= j += o) << 7 | e >>> 25;
    }
    w[wi] ^= a + s[0]; w[wi + 1] ^= b + s[1]; w[wi + 2] ^= c + s[2]; w[wi + 3] ^= d + s[3];
    w[wi + 4] ^= e + s[4]; w[wi + 5] ^= f + s[5]; w[wi + 6] ^= g + s[6]; w[wi + 7] ^= h + s[7];
    w[wi + 8] ^= i + s[8]; w[wi + 9] ^= j + s[9]; w[wi + 10] ^= k + s[10]; w[wi + 11] ^= l + s[11];
    w[wi + 12] ^= m + s[12]; w[wi + 13] ^= n + s[13]; w[wi + 14] ^= o + s[14]; w[wi + 15] ^= p + s[15];
    wi += 16;
    s[12]++;
  }
}

/**
 * XORs nb whole keystream blocks into w[wi .. wi + 16*nb), starting at block counter s[12];
 * s[12] is advanced by nb. XOR into zeros to get the raw keystream.
 */
export function chachaXorWords(s: Int32Array, w: Int32Array, wi: number, nb: number): void {
  blocks(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, s, w, wi, nb);
}

/**
 * XORs the keystream into buf[0..len) in place. buf must start 4-byte aligned in its
 * ArrayBuffer, so that whole words can be XORed through a view.
 */
export function chachaXorInPlace(s: Int32Array, buf: Uint8Array, len: number): void {
  const nw = len >> 2;
  // A zero length would make the view span the whole buffer (FACTS: Espruino), harmless
  // here since only words below nw are touched.
  const w = alignedWords(buf, len);
  const nb = len >> 6;
  chachaXorWords(s, w, 0, nb);
  if ((len & 63) === 0) return;
  const ks = new Int32Array(16);
  chachaXorWords(s, ks, 0, 1);
  let i = nb << 4;
  let j = 0;
  for (; i < nw; i++) w[i] ^= ks[j++];
  const kb = new Uint8Array(ks.buffer);
  for (i = i << 2, j = j << 2; i < len; i++) buf[i] ^= kb[j++];
}

/** ChaCha20 encryption (RFC 8439 §2.4): returns data XOR keystream(key, nonce, counter). */
export function chacha20(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  const s = chachaState(key, nonce, counter);
  const out = new Uint8Array(data.length);
  out.set(data);
  chachaXorInPlace(s, out, data.length);
  return out;
}
