// Portable SHA-512 and SHA-384 (FIPS 180-4) for boards whose build lacks the native
// functions (USE_SHA512 off); SHA-384 serves TLS, SHA-512 Ed25519.
// No BigInt on the interpreter: every 64-bit word is a pair of 32-bit halves. High halves
// are signed int32 (Int32Array), low halves unsigned (Uint32Array, and `>>> 0` on locals),
// so a 64-bit sum adds the low halves as exact doubles (at most 5 terms < 2^32), takes the
// carry as floor(sum / 2^32) and adds it into the high halves, which `| 0` reduces mod 2^32.
// Rotations are xor chains without parentheses (the two parts of each rotated half do not
// overlap, so | and ^ agree); rotations by n >= 32 swap the halves and rotate by n - 32.
// Cost on the interpreter is roughly per token executed; see compress() for the measured
// choices.

import type { HashAlg } from "./types";
import { blockHashAlg } from "./blockhash";
import { sha256K } from "./sha256";

// Round constants (FIPS 180-4 §4.2.3) and the message schedule, as high and low halves.
// Built on first use (1,280 bytes), so a bundle that carries this code but never runs it
// spends no RAM on them; the constants' text stays in the code (flash).
let Kh: Int32Array | null = null;
let Kl: Uint32Array | null = null;
let Wh: Int32Array | null = null;
let Wl: Uint32Array | null = null;

function tables(): void {
  // The high halves of the first 64 are SHA-256's constants.
  Kh = new Int32Array(80);
  Kh.set(sha256K());
  Kh.set(new Int32Array([
    0xca273ece, 0xd186b8c7, 0xeada7dd6, 0xf57d4f7f, 0x06f067aa, 0x0a637dc5, 0x113f9804, 0x1b710b35,
    0x28db77f5, 0x32caab7b, 0x3c9ebe0a, 0x431d67c4, 0x4cc5d4be, 0x597f299c, 0x5fcb6fab, 0x6c44198c,
  ]), 64);
  Kl = new Uint32Array([
    0xd728ae22, 0x23ef65cd, 0xec4d3b2f, 0x8189dbbc, 0xf348b538, 0xb605d019, 0xaf194f9b, 0xda6d8118,
    0xa3030242, 0x45706fbe, 0x4ee4b28c, 0xd5ffb4e2, 0xf27b896f, 0x3b1696b1, 0x25c71235, 0xcf692694,
    0x9ef14ad2, 0x384f25e3, 0x8b8cd5b5, 0x77ac9c65, 0x592b0275, 0x6ea6e483, 0xbd41fbd4, 0x831153b5,
    0xee66dfab, 0x2db43210, 0x98fb213f, 0xbeef0ee4, 0x3da88fc2, 0x930aa725, 0xe003826f, 0x0a0e6e70,
    0x46d22ffc, 0x5c26c926, 0x5ac42aed, 0x9d95b3df, 0x8baf63de, 0x3c77b2a8, 0x47edaee6, 0x1482353b,
    0x4cf10364, 0xbc423001, 0xd0f89791, 0x0654be30, 0xd6ef5218, 0x5565a910, 0x5771202a, 0x32bbd1b8,
    0xb8d2d0c8, 0x5141ab53, 0xdf8eeb99, 0xe19b48a8, 0xc5c95a63, 0xe3418acb, 0x7763e373, 0xd6b2b8a3,
    0x5defb2fc, 0x43172f60, 0xa1f0ab72, 0x1a6439ec, 0x23631e28, 0xde82bde9, 0xb2c67915, 0xe372532b,
    0xea26619c, 0x21c0c207, 0xcde0eb1e, 0xee6ed178, 0x72176fba, 0xa2c898a6, 0xbef90dae, 0x131c471b,
    0x23047d84, 0x40c72493, 0x15c9bebc, 0x9c100d4c, 0xcb3e42b6, 0xfc657e2a, 0x3ad6faec, 0x4a475817,
  ]);
  Wh = new Int32Array(80);
  Wl = new Uint32Array(80);
}

/** Compresses the whole 128-byte blocks d8[p..end) into state H (hi, lo pairs). */
function compress(H: Int32Array, d8: Uint8Array, p: number, end: number): void {
  // Temporaries first, then the tables as locals: names are found by a linear scan of the
  // locals, and a module-level name only after the whole bundle scope (FACTS §7).
  // q = 2^-32 exactly: l * q | 0 is the carry out of a low-half sum l < 2^53.
  let l: number, sh: number, sl: number, th: number, tl: number;
  if (Kh === null) tables();
  const q = 2.3283064365386963e-10, wh = Wh as Int32Array, wl = Wl as Uint32Array, kh = Kh as Int32Array, kl = Kl as Uint32Array;
  let ah: number, al: number, bh: number, bl: number, ch: number, cl: number, dh: number, dl: number;
  let eh: number, el: number, fh: number, fl: number, gh: number, gl: number, hh: number, hl: number;
  let j: number, xh: number, xl: number;
  while (p < end) {
    for (j = 0; j < 16; j++) {
      wh[j] = d8[p] << 24 | d8[p + 1] << 16 | d8[p + 2] << 8 | d8[p + 3];
      wl[j] = d8[p + 4] << 24 | d8[p + 5] << 16 | d8[p + 6] << 8 | d8[p + 7];
      p += 8;
    }
    // Schedule two words per pass: W[t-2] and W[t-1] stay in locals (a, b pairs, free until
    // the rounds start) and W[t-15] serves both words.
    ah = wh[14]; al = wl[14]; bh = wh[15]; bl = wl[15];
    for (j = 16; j < 80; j += 2) {
      xh = wh[j - 15]; xl = wl[j - 15];
      th = xh >>> 1 ^ xl << 31 ^ xh >>> 8 ^ xl << 24 ^ xh >>> 7;
      tl = xl >>> 1 ^ xh << 31 ^ xl >>> 8 ^ xh << 24 ^ xl >>> 7 ^ xh << 25;
      sh = ah >>> 19 ^ al << 13 ^ al >>> 29 ^ ah << 3 ^ ah >>> 6;
      sl = al >>> 19 ^ ah << 13 ^ ah >>> 29 ^ al << 3 ^ al >>> 6 ^ ah << 26;
      l = (tl >>> 0) + (sl >>> 0) + wl[j - 7] + wl[j - 16];
      wh[j] = ah = th + sh + wh[j - 7] + wh[j - 16] + (l * q | 0) | 0;
      wl[j] = al = l >>> 0;
      ch = wh[j - 14]; cl = wl[j - 14];
      th = ch >>> 1 ^ cl << 31 ^ ch >>> 8 ^ cl << 24 ^ ch >>> 7;
      tl = cl >>> 1 ^ ch << 31 ^ cl >>> 8 ^ ch << 24 ^ cl >>> 7 ^ ch << 25;
      sh = bh >>> 19 ^ bl << 13 ^ bl >>> 29 ^ bh << 3 ^ bh >>> 6;
      sl = bl >>> 19 ^ bh << 13 ^ bh >>> 29 ^ bl << 3 ^ bl >>> 6 ^ bh << 26;
      l = (tl >>> 0) + (sl >>> 0) + wl[j - 6] + xl;
      wh[j + 1] = bh = th + sh + wh[j - 6] + xh + (l * q | 0) | 0;
      wl[j + 1] = bl = l >>> 0;
    }
    ah = H[0]; al = H[1] >>> 0; bh = H[2]; bl = H[3] >>> 0; ch = H[4]; cl = H[5] >>> 0; dh = H[6]; dl = H[7] >>> 0;
    eh = H[8]; el = H[9] >>> 0; fh = H[10]; fl = H[11] >>> 0; gh = H[12]; gl = H[13] >>> 0; hh = H[14]; hl = H[15] >>> 0;
    // The 80 rounds. Unrolling them by 8 (no variable moves) saved only 5% of the
    // instructions for 2.4 KB more code: not worth it on 48 KB-bundle boards.
    for (j = 0; j < 80; j++) {
      sh = eh >>> 14 ^ el << 18 ^ eh >>> 18 ^ el << 14 ^ el >>> 9 ^ eh << 23;
      sl = el >>> 14 ^ eh << 18 ^ el >>> 18 ^ eh << 14 ^ eh >>> 9 ^ el << 23;
      l = hl + (sl >>> 0) + ((gl ^ el & (fl ^ gl)) >>> 0) + kl[j] + wl[j];
      th = hh + sh + (gh ^ eh & (fh ^ gh)) + kh[j] + wh[j] + (l * q | 0) | 0;
      tl = l >>> 0;
      hh = gh; hl = gl; gh = fh; gl = fl; fh = eh; fl = el;
      l = dl + tl; el = l >>> 0; eh = dh + th + (l * q | 0) | 0;
      dh = ch; dl = cl; ch = bh; cl = bl; bh = ah; bl = al;
      sh = bh >>> 28 ^ bl << 4 ^ bl >>> 2 ^ bh << 30 ^ bl >>> 7 ^ bh << 25;
      sl = bl >>> 28 ^ bh << 4 ^ bh >>> 2 ^ bl << 30 ^ bh >>> 7 ^ bl << 25;
      l = tl + (sl >>> 0) + ((bl & cl | dl & (bl | cl)) >>> 0);
      al = l >>> 0; ah = th + sh + (bh & ch | dh & (bh | ch)) + (l * q | 0) | 0;
    }
    l = (H[1] >>> 0) + al; H[1] = l | 0; H[0] = H[0] + ah + (l * q | 0) | 0;
    l = (H[3] >>> 0) + bl; H[3] = l | 0; H[2] = H[2] + bh + (l * q | 0) | 0;
    l = (H[5] >>> 0) + cl; H[5] = l | 0; H[4] = H[4] + ch + (l * q | 0) | 0;
    l = (H[7] >>> 0) + dl; H[7] = l | 0; H[6] = H[6] + dh + (l * q | 0) | 0;
    l = (H[9] >>> 0) + el; H[9] = l | 0; H[8] = H[8] + eh + (l * q | 0) | 0;
    l = (H[11] >>> 0) + fl; H[11] = l | 0; H[10] = H[10] + fh + (l * q | 0) | 0;
    l = (H[13] >>> 0) + gl; H[13] = l | 0; H[12] = H[12] + gh + (l * q | 0) | 0;
    l = (H[15] >>> 0) + hl; H[15] = l | 0; H[14] = H[14] + hh + (l * q | 0) | 0;
  }
}

export const portableSha512: HashAlg = /*#__PURE__*/ blockHashAlg("SHA-512", 64, 128, compress, new Int32Array([
  0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
  0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
]));

export const portableSha384: HashAlg = /*#__PURE__*/ blockHashAlg("SHA-384", 48, 128, compress, new Int32Array([
  0xcbbb9d5d, 0xc1059ed8, 0x629a292a, 0x367cd507, 0x9159015a, 0x3070dd17, 0x152fecd8, 0xf70e5939,
  0x67332667, 0xffc00b31, 0x8eb44a87, 0x68581511, 0xdb0c2e0d, 0x64f98fa7, 0x47b5481d, 0xbefa4fa4,
]));
