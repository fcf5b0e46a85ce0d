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

import type { Hash, HashAlg } from "./types";

// Round constants (FIPS 180-4 §4.2.3) and the message schedule, as high and low halves.
// Built on first use (1,280 bytes), so a bundle that carries this code but never runs it
// spends no RAM on them; the constants' text stays in the code (flash).
let Kh: Int32Array | null = null;
let Kl: Uint32Array | null = null;
let Wh: Int32Array | null = null;
let Wl: Uint32Array | null = null;

function tables(): void {
  Kh = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    0xca273ece, 0xd186b8c7, 0xeada7dd6, 0xf57d4f7f, 0x06f067aa, 0x0a637dc5, 0x113f9804, 0x1b710b35,
    0x28db77f5, 0x32caab7b, 0x3c9ebe0a, 0x431d67c4, 0x4cc5d4be, 0x597f299c, 0x5fcb6fab, 0x6c44198c,
  ]);
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

class Sha512 implements Hash {
  readonly outputLen: number;
  readonly blockLen: number = 128;
  s: Int32Array;
  buf: Uint8Array;
  n: number;
  len: number;
  constructor(outputLen: number, s: Int32Array, buf: Uint8Array, n: number, len: number) {
    this.outputLen = outputLen;
    this.s = s;
    this.buf = buf;
    this.n = n;
    this.len = len;
  }
  update(data: Uint8Array): Hash {
    const len = data.length;
    const buf = this.buf;
    let p = 0;
    this.len += len;
    if (this.n > 0) {
      p = 128 - this.n;
      if (p > len) p = len;
      buf.set(data.subarray(0, p), this.n);
      this.n += p;
      if (this.n < 128) return this;
      compress(this.s, buf, 0, 128);
      this.n = 0;
    }
    const full = len - ((len - p) & 127);
    if (full > p) compress(this.s, data, p, full);
    if (full < len) {
      buf.set(data.subarray(full), 0);
      this.n = len - full;
    }
    return this;
  }
  digest(): Uint8Array {
    const s = new Int32Array(this.s);
    const n = this.n;
    const blk = new Uint8Array(n < 112 ? 128 : 256);
    blk.set(this.buf.subarray(0, n), 0);
    blk[n] = 0x80;
    // 128-bit length in bits; only the low 64 bits can be non-zero here.
    const e = blk.length;
    const hi = (this.len / 536870912) >>> 0;
    const lo = (this.len * 8) >>> 0;
    blk[e - 8] = hi >>> 24; blk[e - 7] = hi >>> 16; blk[e - 6] = hi >>> 8; blk[e - 5] = hi;
    blk[e - 4] = lo >>> 24; blk[e - 3] = lo >>> 16; blk[e - 2] = lo >>> 8; blk[e - 1] = lo;
    compress(s, blk, 0, e);
    const out = new Uint8Array(this.outputLen);
    for (let i = 0; i < out.length; i += 4) {
      const v = s[i >> 2];
      out[i] = v >>> 24; out[i + 1] = v >>> 16; out[i + 2] = v >>> 8; out[i + 3] = v;
    }
    return out;
  }
  clone(): Hash {
    // Not `new Sha512` here: the bundler may turn the class into a named class expression,
    // whose name the interpreter does not bind inside the class (FACTS §2).
    return make(this.outputLen, new Int32Array(this.s), new Uint8Array(this.buf), this.n, this.len);
  }
}

function make(outputLen: number, s: Int32Array, buf: Uint8Array, n: number, len: number): Hash {
  return new Sha512(outputLen, s, buf, n, len);
}

function alg(name: string, outputLen: number, iv: Int32Array): HashAlg {
  const create = function (): Hash {
    return make(outputLen, new Int32Array(iv), new Uint8Array(128), 0, 0);
  };
  return {
    name: name,
    outputLen: outputLen,
    blockLen: 128,
    create: create,
    hash: function (data: Uint8Array): Uint8Array {
      return create().update(data).digest();
    },
  };
}

export const portableSha512: HashAlg = /*#__PURE__*/ alg("SHA-512", 64, new Int32Array([
  0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
  0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
]));

export const portableSha384: HashAlg = /*#__PURE__*/ alg("SHA-384", 48, new Int32Array([
  0xcbbb9d5d, 0xc1059ed8, 0x629a292a, 0x367cd507, 0x9159015a, 0x3070dd17, 0x152fecd8, 0xf70e5939,
  0x67332667, 0xffc00b31, 0x8eb44a87, 0x68581511, 0xdb0c2e0d, 0x64f98fa7, 0x47b5481d, 0xbefa4fa4,
]));
