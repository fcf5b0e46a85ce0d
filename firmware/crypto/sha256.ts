// Portable SHA-256 (FIPS 180-4) for boards without a native require("crypto").SHA256.
// Tuned for the Espruino interpreter, whose cost is roughly per token executed:
// - the compression reads message words straight from the caller's bytes and runs over a
//   whole run of blocks with the state in locals;
// - the 64-word schedule buffer is allocated once and shared; the tables are taken into
//   locals first (a module-level name is found only after scanning every local and then
//   the whole bundle's scope: with 300 names in that scope this alone was 20%);
// - rotations are written as xor chains without parentheses (the halves of a rotation do
//   not overlap, so | and ^ agree);
// - the 64 rounds are unrolled by 8 with the variable roles rotated, which removes the
//   7 moves per round (measured 11% fewer instructions for ~1 KB of code);
// - the schedule makes two words per pass, keeping W[t-2], W[t-1] in locals (5%).
// Every board profile has a native SHA-256 today; this is the fallback and the reference.

import type { HashAlg } from "./types";
import { blockHashAlg } from "./blockhash";

/** The 64 round constants (FIPS 180-4 §4.2.2), a new array. They are also the high halves of
 *  SHA-512's first 64 constants (§4.2.3: the same cube roots, to 32 and to 64 bits). */
export function sha256K(): Int32Array {
  return new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
}

// Round constants and the message schedule, built on first use (512 bytes) so that a bundle
// carrying this code but never running it spends no RAM on them.
let K: Int32Array | null = null;
let W: Int32Array | null = null;

function tables(): void {
  K = sha256K();
  W = new Int32Array(64);
}

/** Compresses the whole 64-byte blocks d[p..end) into state H. */
function compress(H: Int32Array, d: Uint8Array, p: number, end: number): void {
  // Tables as locals first: a module-level name is found only after every local and the
  // whole bundle scope have been scanned.
  if (K === null) tables();
  const w = W as Int32Array, k = K as Int32Array;
  let a: number, b: number, c: number, dd: number, e: number, f: number, g: number, h: number, t: number, i: number, x: number, y: number;
  while (p < end) {
    for (i = 0; i < 16; i++) {
      w[i] = (d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3];
      p += 4;
    }
    // Two schedule words per pass: W[t-2], W[t-1] stay in locals (a, b: free until the
    // rounds) and W[t-15] serves both words.
    a = w[14]; b = w[15];
    for (i = 16; i < 64; i += 2) {
      x = w[i - 15];
      y = w[i - 14];
      w[i] = a = (x >>> 7 ^ x << 25 ^ x >>> 18 ^ x << 14 ^ x >>> 3) + (a >>> 17 ^ a << 15 ^ a >>> 19 ^ a << 13 ^ a >>> 10) + w[i - 7] + w[i - 16] | 0;
      w[i + 1] = b = (y >>> 7 ^ y << 25 ^ y >>> 18 ^ y << 14 ^ y >>> 3) + (b >>> 17 ^ b << 15 ^ b >>> 19 ^ b << 13 ^ b >>> 10) + w[i - 6] + x | 0;
    }
    a = H[0]; b = H[1]; c = H[2]; dd = H[3]; e = H[4]; f = H[5]; g = H[6]; h = H[7];
    // 8 rounds per pass; round r writes its new a into the slot of h and its new e into
    // the slot of d, so the roles shift by one variable per round and no moves are needed.
    for (i = 0; i < 64; i += 8) {
      t = h + (e >>> 6 ^ e << 26 ^ e >>> 11 ^ e << 21 ^ e >>> 25 ^ e << 7) + (g ^ (e & (f ^ g))) + k[i] + w[i] | 0;
      dd = dd + t | 0;
      h = t + (a >>> 2 ^ a << 30 ^ a >>> 13 ^ a << 19 ^ a >>> 22 ^ a << 10) + ((a & b) | (c & (a | b))) | 0;
      t = g + (dd >>> 6 ^ dd << 26 ^ dd >>> 11 ^ dd << 21 ^ dd >>> 25 ^ dd << 7) + (f ^ (dd & (e ^ f))) + k[i + 1] + w[i + 1] | 0;
      c = c + t | 0;
      g = t + (h >>> 2 ^ h << 30 ^ h >>> 13 ^ h << 19 ^ h >>> 22 ^ h << 10) + ((h & a) | (b & (h | a))) | 0;
      t = f + (c >>> 6 ^ c << 26 ^ c >>> 11 ^ c << 21 ^ c >>> 25 ^ c << 7) + (e ^ (c & (dd ^ e))) + k[i + 2] + w[i + 2] | 0;
      b = b + t | 0;
      f = t + (g >>> 2 ^ g << 30 ^ g >>> 13 ^ g << 19 ^ g >>> 22 ^ g << 10) + ((g & h) | (a & (g | h))) | 0;
      t = e + (b >>> 6 ^ b << 26 ^ b >>> 11 ^ b << 21 ^ b >>> 25 ^ b << 7) + (dd ^ (b & (c ^ dd))) + k[i + 3] + w[i + 3] | 0;
      a = a + t | 0;
      e = t + (f >>> 2 ^ f << 30 ^ f >>> 13 ^ f << 19 ^ f >>> 22 ^ f << 10) + ((f & g) | (h & (f | g))) | 0;
      t = dd + (a >>> 6 ^ a << 26 ^ a >>> 11 ^ a << 21 ^ a >>> 25 ^ a << 7) + (c ^ (a & (b ^ c))) + k[i + 4] + w[i + 4] | 0;
      h = h + t | 0;
      dd = t + (e >>> 2 ^ e << 30 ^ e >>> 13 ^ e << 19 ^ e >>> 22 ^ e << 10) + ((e & f) | (g & (e | f))) | 0;
      t = c + (h >>> 6 ^ h << 26 ^ h >>> 11 ^ h << 21 ^ h >>> 25 ^ h << 7) + (b ^ (h & (a ^ b))) + k[i + 5] + w[i + 5] | 0;
      g = g + t | 0;
      c = t + (dd >>> 2 ^ dd << 30 ^ dd >>> 13 ^ dd << 19 ^ dd >>> 22 ^ dd << 10) + ((dd & e) | (f & (dd | e))) | 0;
      t = b + (g >>> 6 ^ g << 26 ^ g >>> 11 ^ g << 21 ^ g >>> 25 ^ g << 7) + (a ^ (g & (h ^ a))) + k[i + 6] + w[i + 6] | 0;
      f = f + t | 0;
      b = t + (c >>> 2 ^ c << 30 ^ c >>> 13 ^ c << 19 ^ c >>> 22 ^ c << 10) + ((c & dd) | (e & (c | dd))) | 0;
      t = a + (f >>> 6 ^ f << 26 ^ f >>> 11 ^ f << 21 ^ f >>> 25 ^ f << 7) + (h ^ (f & (g ^ h))) + k[i + 7] + w[i + 7] | 0;
      e = e + t | 0;
      a = t + (b >>> 2 ^ b << 30 ^ b >>> 13 ^ b << 19 ^ b >>> 22 ^ b << 10) + ((b & c) | (dd & (b | c))) | 0;
    }
    H[0] = H[0] + a | 0; H[1] = H[1] + b | 0; H[2] = H[2] + c | 0; H[3] = H[3] + dd | 0;
    H[4] = H[4] + e | 0; H[5] = H[5] + f | 0; H[6] = H[6] + g | 0; H[7] = H[7] + h | 0;
  }
}

export const portableSha256: HashAlg = /*#__PURE__*/ blockHashAlg("SHA-256", 32, 64, compress, new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]));
