// 16-byte blocks of a byte array as Int32 words, for the word-at-a-time MACs (GHASH in gcm.ts,
// Poly1305 in chacha20poly1305.ts). Words are in host byte order: every Espruino target is
// little-endian.
import { EtError } from "../errors";

/** The first nb 16-byte blocks of d as 4 nb words: a view when d is 4-byte aligned, else a copy. */
export function blockWords(d: Uint8Array, nb: number): Int32Array {
  let a = d;
  if (a.byteOffset & 3) {
    a = new Uint8Array(nb << 4);
    a.set(d.subarray(0, nb << 4));
  }
  return new Int32Array(a.buffer, a.byteOffset, nb << 2);
}

/** d[from..n) (less than a block) zero-padded to one block, as 4 words. */
export function tailWords(d: Uint8Array, from: number, n: number): Int32Array {
  const t = new Uint8Array(16);
  t.set(d.subarray(from, n));
  return new Int32Array(t.buffer);
}

/** The first n >> 2 words of d, which must start 4-byte aligned in its buffer (in-place ciphers). */
export function alignedWords(d: Uint8Array, n: number): Int32Array {
  if (d.byteOffset & 3) throw new EtError("UNALIGNED", "in-place cipher data must start 4-byte aligned");
  return new Int32Array(d.buffer, d.byteOffset, n >> 2);
}
