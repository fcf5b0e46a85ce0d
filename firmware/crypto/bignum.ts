// Big-number arithmetic for RSA on an interpreter without BigInt.
//
// Numbers are little-endian arrays of 22-bit limbs. Products of two limbs are below 2^44, so a
// whole column of up to 2·255 products (plus a carry) still sums exactly in a double (< 2^53),
// and carries are taken once per column instead of once per product.
//
// Modular multiplication is Montgomery's method in product-scanning form (one column of the
// product a·b and of the reduction m·N at a time). The column sums are dot products, and the
// interpreter has one built in: E.convolve(arr1, arr2, offset) returns
//   sum over i of arr1[i] * arr2[(i + offset) % arr2.length]
// computed natively in doubles. With the operands laid out as
//   X = [a0, m0, a1, m1, ..., a(n-1), m(n-1)]                           (2n Int32)
//   Y = [0 x G, b(n-1), N(n-1), b(n-2), N(n-2), ..., b0, N0, 0 x 2n]     (4n + G Int32)
// column k of a·b + m·N is sum_i X[i] Y[i + 2(n-1-k) + G]: the zeros of Y absorb every pair
// whose index falls outside the product, including the not-yet-computed m(i), i > k, which
// still hold the previous product's values (m(k) itself meets N0 and is zeroed first).
// E.convolve walks all of its first array, and reaches its offset by stepping from the start
// of the second one, so the columns are taken over views (G = n/8 elements apart): a prefix
// of X that covers i < 2k + 2 with a view of Y starting at most G before the pairs' start
// (low columns), or a suffix of X from at most G before i = 2(k - n + 1) with Y from its start,
// whose zero prefix absorbs those first pairs (high columns). A call then steps ~n + G
// elements instead of 2n plus an offset of up to 4n (~3n on average): 135 -> 81 ms for a
// 2048-bit e = 65537 modExp with G = n/4, and ~17% less again with n/8 (same process, paired).
// Measured on the release interpreter (x86): a 2048-bit Montgomery product took ~4 ms with
// whole arrays (2n calls, each a native loop over 2n elements after skipping the offset),
// against ~60 ms for the same arithmetic in a JavaScript loop over typed arrays.
// Boards built without E.convolve (SAVE_ON_FLASH builds) fall back to jsConvolve below.
//
// R = 2^(22n) with n a multiple of 8 and R >= 4N, so Montgomery products of inputs below 2N
// stay below 2N and need no final subtraction. R^2 mod N, needed to enter Montgomery form, is
// found cheaply: 2^(22(n + n/8)) mod N by a short long division (one pass per limb), then three
// Montgomery squarings double the exponent three times: 2^(22(n + n/8 * 8)) = R^2.
//
// Only public values pass through here (RSA verification): nothing is constant-time.
//
// R^2 mod N of the last modulus is kept (R2_CACHE): a client verifies the same server key on
// every connection, and finding R^2 is 3 of the 21 products of an e = 65537 verification plus
// the long division (~15 ms of ~100 ms at 2048 bits).

import { EtError } from "../errors";
import type { Job } from "../util/job";
import { mont48Hi, mont48Lo } from "./montmul48";

declare const E: any;

/** Bits per limb. */
export const LIMB_BITS = 22;

/** Moduli this code accepts, in bits (the column sums need n <= 255 limbs). */
export const MOD_MIN_BITS = 512;
export const MOD_MAX_BITS = 4096;

/** Bit length of a big-endian unsigned integer (leading zero bytes allowed). */
export function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  let bits = (b.length - i - 1) * 8;
  let t = b[i];
  while (t) {
    bits++;
    t >>= 1;
  }
  return bits;
}

/** The same integer without leading zero bytes (a view, not a copy). */
export function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

/** Compares two big-endian unsigned integers of any lengths: -1, 0 or 1. */
export function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

/** Big-endian bytes to n little-endian 22-bit limbs. Throws if the value needs more limbs. */
export function limbsFromBytes(b: Uint8Array, n: number): Int32Array {
  const L = new Int32Array(n);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = b.length - 1; i >= 0; i--) {
    acc |= b[i] << bits; // bits < 22: below 2^30
    bits += 8;
    if (bits >= 22) {
      if (j < n) L[j] = acc & 4194303;
      else if (acc & 4194303) throw new EtError("CRYPTO_RANGE", "integer too large for " + n + " limbs");
      j++;
      acc >>>= 22;
      bits -= 22;
    }
  }
  if (acc) {
    if (j < n) L[j] = acc;
    else throw new EtError("CRYPTO_RANGE", "integer too large for " + n + " limbs");
  }
  return L;
}

/** Limbs (normalized, below 2^22 each) to `len` big-endian bytes. Throws if it does not fit. */
export function limbsToBytes(L: Int32Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let acc = 0;
  let bits = 0;
  let p = len - 1;
  for (let i = 0; i < L.length; i++) {
    acc |= L[i] << bits; // bits < 8: below 2^30
    bits += 22;
    while (bits >= 8) {
      if (p >= 0) out[p--] = acc & 255;
      else if (acc & 255) throw new EtError("CRYPTO_RANGE", "integer longer than " + len + " bytes");
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (acc) {
    if (p >= 0) out[p] = acc;
    else throw new EtError("CRYPTO_RANGE", "integer longer than " + len + " bytes");
  }
  return out;
}

/** a >= b for n-limb normalized numbers. */
function geLimbs(a: Int32Array, b: Int32Array, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] > b[i];
  }
  return true;
}

/** a += s*b over n limbs (s = 1 or -1); returns the carry out of the top limb (-1, 0 or 1). */
export function addLimbs(a: Int32Array, b: Int32Array, n: number, s: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i] + s * b[i] + c;
    const l = v & 4194303;
    a[i] = l;
    c = (v - l) / 4194304;
  }
  return c;
}

/** Portable stand-in for the native E.convolve (same semantics, much slower). */
function jsConvolve(a: Int32Array, b: Int32Array, off: number): number {
  const l = b.length;
  let s = 0;
  let j = off % l;
  if (j < 0) j += l;
  for (let i = 0; i < a.length; i++) {
    s += a[i] * b[j];
    if (++j === l) j = 0;
  }
  return s;
}

/** View spacing G = n >> VIEW_SHIFT (2^(VIEW_SHIFT + 1) views of X each way). */
const VIEW_SHIFT = 3;

/** Montgomery context for an odd modulus N, with the working buffers of one product. */
export interface MontCtx {
  /** Limbs per number: a multiple of 8 with 2^(22n) >= 4N' (N' = qN below). */
  n: number;
  /** Index of the top non-zero limb of N. */
  h: number;
  /** Byte length of N (without leading zeros). */
  len: number;
  /** N itself (the long divisions and final reductions use it). */
  N: Int32Array;
  /** q = -1/N mod 2^22: the products work modulo N' = qN, which is -1 mod 2^22. */
  q: number;
  /** [a0, m0, a1, m1, ...] (2n). */
  X: Int32Array;
  /** G zeros, [b(n-1), N''(n-1), ..., b0, N''0], then 2n zeros (4n + G), N'' = N' + 1. */
  Y: Int32Array;
  /** View spacing G (VIEW_SHIFT), and the views: xp[q] = X[0, (q+1)G), xs[q] = X[qG, 2n), ys[q] = Y[qG, ). */
  g: number;
  xp: Int32Array[];
  xs: Int32Array[];
  ys: Int32Array[];
  /** Column carry between the two halves of a product. */
  c: number;
  /** E.convolve or its portable stand-in. */
  cv: (a: Int32Array, b: Int32Array, off: number) => number;
}

/** Throws CRYPTO_BAD_KEY unless `m` (big-endian) is odd with MOD_MIN_BITS..MOD_MAX_BITS bits. */
export function checkModulus(m: Uint8Array): void {
  const bits = bitLength(m);
  if (bits < MOD_MIN_BITS || bits > MOD_MAX_BITS) {
    throw new EtError("CRYPTO_BAD_KEY", "modulus of " + bits + " bits is outside " + MOD_MIN_BITS + ".." + MOD_MAX_BITS, bits);
  }
  if ((m[m.length - 1] & 1) === 0) throw new EtError("CRYPTO_BAD_KEY", "modulus is even");
}

/** Sets up Montgomery arithmetic modulo `mod` (big-endian, odd, MOD_MIN_BITS..MOD_MAX_BITS). */
export function montCtx(mod: Uint8Array): MontCtx {
  const m = stripZeros(mod);
  checkModulus(m);
  // 22n >= bits(N') + 2 = bits + 24 (R >= 4N'), rounded up to a multiple of 8 for the R^2 chain.
  const n = ((((bitLength(m) + 45) / 22) | 0) + 7) & ~7;
  const N = limbsFromBytes(m, n);
  let h = n - 1;
  while (N[h] === 0) h--;
  const N0 = N[0];
  // Newton iteration for 1/N0 mod 2^22: each step doubles the correct low bits (3 -> 6 -> 12 -> 24).
  let inv = N0, c = 1, i: number;
  for (i = 0; i < 3; i++) {
    const t = (N0 * inv) & 4194303;
    inv = (inv * ((2 - t) & 4194303)) & 4194303;
  }
  const q = (4194304 - inv) & 4194303;
  const g = n >> VIEW_SHIFT, X = new Int32Array(2 * n), Y = new Int32Array(4 * n + g), views = 2 << VIEW_SHIFT;
  // N'' = qN + 1, whose low limb is 0 (see montLo)
  for (i = 0; i < n; i++) {
    const v = q * N[i] + c, l = v % 4194304;
    Y[2 * (n - 1 - i) + 1 + g] = l;
    c = (v - l) / 4194304;
  }
  const xp: Int32Array[] = [], xs: Int32Array[] = [], ys: Int32Array[] = [];
  for (i = 0; i < views; i++) {
    xp.push(X.subarray(0, (i + 1) * g));
    xs.push(X.subarray(i * g));
  }
  for (i = 0; i < views + 2; i++) ys.push(Y.subarray(i * g));
  return {
    n: n, h: h, len: m.length, N: N, q: q,
    X: X, Y: Y, g: g, xp: xp, xs: xs, ys: ys, c: 0,
    cv: typeof E !== "undefined" && E.convolve ? E.convolve : jsConvolve,
  };
}

// A Montgomery product X·Y·R^-1 mod N' runs column by column, in chunks so that a Job step stays
// short: montLo does columns a..b-1 of 0..n-1, which fix the reduction factors m (odd slots of
// X); montHi does columns a..b-1 of n..2n-2 and writes the result limbs both to the even slots of
// X (forward) and to the even slots of Y (reversed), ready for a squaring; the last chunk also
// writes the final carry as the top limb. Writing in place is safe: output limb j is produced at
// column n+j, after the last column that reads a(j) and b(j). The column carry passes from chunk
// to chunk in C.c.
//
// The modulus is N' = qN (q = -1/N mod 2^22), so N' = -1 mod 2^22 and the reduction factor of
// column k is simply m(k) = s mod 2^22 (no multiplication by q). Y holds N'' = N' + 1 instead of
// N', whose low limb is 0: the column sums add m·N'' and the low columns subtract m(k) once,
// which is a·b + m·N' in all. With N''0 = 0 the slot of m(k), which still holds the previous
// product's value, meets a zero in column k and needs no clearing; and s - m(k) = s - (s mod 2^22),
// so the carry is floor(s / 2^22). Results are below 2N' and congruent modulo N: every
// value leaves through a long division by N (modN).
// Hot loops: literals instead of named constants, hot locals declared first (FACTS §7). For
// n = 48 (the halves of RSA-2048 CRT) montMul48.ts has the same columns unrolled.

export function montLo(C: MontCtx, a: number, b: number): void {
  // i: the slot of m(k) (2k + 1); p: where X[0] meets Y in column k. Columns come in groups in
  // which neither view changes (i below the X prefix's end, the Y offset o not negative), so
  // the inner loop is only the column's arithmetic.
  let s = 0, c = a === 0 ? 0 : C.c, i = 2 * a + 1, o = 0, e = 0, ux = 0, uy = 0, p = 2 * (C.n - 1 - a) + C.g;
  const X = C.X, f = C.cv, g = C.g, ie = 2 * b + 1;
  let xv = X, yv = X;
  while (i < ie) {
    ux = i / g | 0; // prefix covering X[0..2k+1]
    xv = C.xp[ux];
    uy = p / g | 0;
    yv = C.ys[uy];
    o = p - uy * g;
    e = (ux + 1) * g;
    if (i + o + 1 < e) e = i + o + 1;
    if (ie < e) e = ie;
    while (i < e) {
      X[i] = (s = c + f(xv, yv, o)) & 4194303;
      c = s / 4194304 | 0;
      o -= 2;
      i += 2;
    }
    p = uy * g + o;
  }
  C.c = c;
}

export function montHi(C: MontCtx, a: number, b: number): void {
  const n = C.n, g = C.g, X = C.X, Y = C.Y, f = C.cv, ie = 2 * (b - n);
  // i: the output slot 2(k - n); t = i + 2, the first X index that counts in column k. The
  // suffix view from ux*g <= t stays until t reaches (ux + 1) g.
  let s = 0, c = C.c, i = 2 * (a - n), j = 2 * (2 * n - 1 - a) + g, o = 0, e = 0, ux = 0;
  let xv = X;
  while (i < ie) {
    ux = (i + 2) / g | 0; // suffix from ux*g <= t: the pairs before t meet Y's zero prefix
    xv = C.xs[ux];
    o = ux * g - i - 2 + g;
    e = (ux + 1) * g - 2;
    if (ie < e) e = ie;
    while (i < e) {
      X[i] = Y[j] = (s = c + f(xv, Y, o)) & 4194303;
      c = s / 4194304 | 0;
      o -= 2;
      i += 2;
      j -= 2;
    }
  }
  C.c = c;
  if (b === 2 * n - 1) {
    X[i] = c;
    Y[j] = c;
  }
}

/** X·Y·R^-1 mod N' in one go (result in X even slots and Y even slots reversed). */
export function montMul(C: MontCtx): void {
  if (C.n === 48) {
    mont48Lo(C);
    mont48Hi(C);
    return;
  }
  montLo(C, 0, C.n);
  montHi(C, C.n, 2 * C.n - 1);
}

/** Puts n-limb A into the even slots of X (forward). */
export function loadX(C: MontCtx, A: Int32Array): void {
  const X = C.X;
  for (let i = 0; i < C.n; i++) X[2 * i] = A[i];
}

/** Puts n-limb A into the even slots of Y (reversed). */
export function loadY(C: MontCtx, A: Int32Array): void {
  const Y = C.Y, t = 2 * C.n - 2 + C.g;
  for (let i = 0; i < C.n; i++) Y[t - 2 * i] = A[i];
}

/** The n-limb number in the even slots of X. */
export function readX(C: MontCtx): Int32Array {
  const A = new Int32Array(C.n), X = C.X;
  for (let i = 0; i < C.n; i++) A[i] = X[2 * i];
  return A;
}

/** A (n limbs below 2^(22n), e.g. a product's result, below 2N') reduced modulo N: a new array. */
export function modN(C: MontCtx, A: Int32Array): Int32Array {
  const d = longDivStart(C, A, C.n);
  while (!longDivStep(C, d)) { /* n - h passes: 1 to 3 */ }
  return longDivResult(C, d);
}

/** Fully reduces a normalized n-limb A (with extra top carry c) into [0, N). */
export function reduce(C: MontCtx, A: Int32Array, c: number): void {
  while (c < 0) c += addLimbs(A, C.N, C.n, 1);
  while (c > 0 || geLimbs(A, C.N, C.n)) c += addLimbs(A, C.N, C.n, -1);
}

/** One long-division pass: reduces the window D[p .. p+h+1] below ~2N by subtracting q·N·2^(22p). */
function divPass(N: Int32Array, h: number, Nf: number, D: Float64Array, p: number): void {
  const t = p + h + 1;
  // Top 4 limbs of the window over the top 4 of N: q is within 1 of the true quotient digit.
  const q = Math.floor(((((D[t] * 4194304 + D[t - 1]) * 4194304 + D[t - 2]) * 4194304 + D[t - 3]) * 4194304) / Nf);
  let i = 0, k = p;
  while (i <= h) D[k++] -= q * N[i++];
  D[t - 1] += D[t] * 4194304;
  D[t] = 0;
}

/** A long division x mod N in progress (longDivStart / longDivStep / longDivResult). */
export interface LongDiv {
  /** The dividend's limbs, reduced from the top down; p: the next window's low limb. */
  D: Float64Array;
  p: number;
  /** The top 4 limbs of N as one double (the quotient estimate's divisor). */
  Nf: number;
}

/**
 * Starts x mod N for x given as `len` little-endian 22-bit limbs (x null: x = 2^(22(len-1))).
 * The first window is the top h+1 limbs below a zero limb, so every quotient digit stays below
 * 2^23 and q·N[i] is exact in doubles.
 */
export function longDivStart(C: MontCtx, x: Int32Array | null, len: number): LongDiv {
  const h = C.h, N = C.N, L = len > h + 1 ? len : h + 1, D = new Float64Array(L + 1);
  if (x) for (let i = 0; i < len; i++) D[i] = x[i];
  else D[len - 1] = 1;
  return { D: D, p: L - h - 1, Nf: ((N[h] * 4194304 + N[h - 1]) * 4194304 + N[h - 2]) * 4194304 + N[h - 3] };
}

/** PASSES_PER_STEP passes of the division; true when it is finished. */
export function longDivStep(C: MontCtx, d: LongDiv): boolean {
  for (let r = 0; r < PASSES_PER_STEP && d.p >= 0; r++) divPass(C.N, C.h, d.Nf, d.D, d.p--);
  return d.p < 0;
}

/** The remainder (n limbs, in [0, N)) of a finished division: its signed limbs normalized. */
export function longDivResult(C: MontCtx, d: LongDiv): Int32Array {
  const n = C.n, R = new Int32Array(n), D = d.D;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    const w = D[i] + cy;
    const l = w & 4194303;
    R[i] = l;
    cy = (w - l) / 4194304;
  }
  reduce(C, R, cy);
  return R;
}

/** R^2 mod N for the last modulus N (its bytes kept to compare): < 2N, as montHi leaves it. */
let R2_CACHE: { m: Uint8Array; r2: Int32Array } | null = null;

function cachedR2(m: Uint8Array): Int32Array | null {
  const c = R2_CACHE;
  if (!c || c.m.length !== m.length) return null;
  for (let i = 0; i < m.length; i++) if (c.m[i] !== m[i]) return null;
  return c.r2;
}

function keepR2(m: Uint8Array, r2: Int32Array): void {
  const own = new Uint8Array(m.length);
  own.set(m);
  R2_CACHE = { m: own, r2: r2 };
}

// Operation codes of a modular exponentiation (each a Montgomery product X·Y·R^-1):
const OP_SQR = 1; // x = x^2
const OP_MUL = 2; // x = x·(base in Montgomery form)
const OP_LAST = 3; // x = x·base (plain): leaves the plain result
const OP_TOMONT = 4; // x = base·R^2·R^-1 (Y holds R^2)

/** Passes of the long division per Job step. */
const PASSES_PER_STEP = 4;
/** Most columns of a Montgomery product per Job step (~2 ms at 2048 bits, x86 release build). */
const COLUMNS_PER_STEP = 128;

/** Chunks of COLUMNS_PER_STEP columns (at most) a product of C is cut into: 2 * montParts(C). */
export function montParts(C: MontCtx): number {
  return ((C.n + COLUMNS_PER_STEP - 1) / COLUMNS_PER_STEP) | 0;
}

/** Chunk `part` (0 .. 2*montParts(C)-1) of the product X·Y·R^-1: the low columns first. */
export function montChunk(C: MontCtx, part: number): void {
  const n = C.n, parts = montParts(C), cols = ((n + parts - 1) / parts) | 0;
  if (n === 48) {
    if (part === 0) mont48Lo(C);
    else mont48Hi(C);
    return;
  }
  if (part < parts) {
    const a = part * cols;
    montLo(C, a, a + cols < n ? a + cols : n);
  } else {
    const a = n + (part - parts) * cols;
    montHi(C, a, a + cols < 2 * n - 1 ? a + cols : 2 * n - 1);
  }
}

/**
 * base^e mod N as a Job whose steps each do a bounded piece: at most 128 columns of a Montgomery
 * product, 4 long-division passes, or one O(n) setup/finish loop. Measured on the release
 * interpreter (x86): about 2 ms per step for 2048-bit N, at most ~4 ms for 4096-bit N.
 * N: odd modulus (big-endian); base: big-endian, below N; e: odd, 3 <= e < 2^53.
 * The result is big-endian, as long as N (without leading zeros).
 * Program: 2^(22(n+n/8)) mod N by long division, 3 squarings (-> R^2; both skipped when
 * R2_CACHE holds this N), enter Montgomery form,
 * then left-to-right square-and-multiply over the bits of e below the top one; the multiply for
 * bit 0 (always set) uses the plain base, which leaves x·base·R^-1 = base^e in plain form.
 */
export function modExpJob(mod: Uint8Array, base: Uint8Array, e: number): Job<Uint8Array> {
  if (!(e >= 3 && e <= 9007199254740991 && e % 2 === 1)) throw new EtError("CRYPTO_BAD_KEY", "exponent must be odd, >= 3 and < 2^53");
  const M = stripZeros(mod);
  checkModulus(M);
  if (cmpBytes(base, M) >= 0) throw new EtError("CRYPTO_RANGE", "base is not below the modulus");
  let C: MontCtx | null = null;
  let S: Int32Array | null = null; // base, plain
  let SM: Int32Array | null = null; // base in Montgomery form (only when e has inner one bits)
  let A: Int32Array | null = null; // result limbs
  let D: LongDiv | null = null; // long division
  let ops: Uint8Array | null = null;
  let R2: Int32Array | null = null;
  let no = 0, inner = 0, pc = 0, part = 0, parts = 1, stage = 0;
  let out: Uint8Array | null = null;
  return {
    step: function (): boolean {
      if (out !== null) return true;
      if (stage === 0) {
        C = montCtx(M);
        stage = 1;
        return false;
      }
      const c = C as MontCtx;
      const n = c.n;
      if (stage === 1) {
        S = limbsFromBytes(base, n);
        R2 = cachedR2(M);
        if (!R2) D = longDivStart(c, null, n + (n >> 3) + 1); // 2^(22(n + n/8)) mod N
        parts = montParts(c);
        const eb = new Uint8Array(54);
        let nb = 0, v = e;
        while (v > 0) {
          eb[nb++] = v % 2;
          v = (v - (v % 2)) / 2;
        }
        for (let i = 1; i < nb - 1; i++) inner += eb[i];
        ops = new Uint8Array(4 + (nb - 1) + inner + 1);
        if (!R2) {
          ops[no++] = OP_SQR;
          ops[no++] = OP_SQR;
          ops[no++] = OP_SQR;
        }
        ops[no++] = OP_TOMONT;
        for (let i = nb - 2; i >= 0; i--) {
          ops[no++] = OP_SQR;
          if (eb[i]) ops[no++] = i > 0 ? OP_MUL : OP_LAST;
        }
        stage = 2;
        if (R2) {
          D = null;
          loadY(c, R2);
          stage = 4;
        }
        return false;
      }
      if (stage === 2) {
        if (longDivStep(c, D as LongDiv)) stage = 3;
        return false;
      }
      if (stage === 3) {
        // The remainder in [0, N): the start of the R^2 chain.
        const R = longDivResult(c, D as LongDiv);
        D = null;
        loadX(c, R);
        loadY(c, R);
        stage = 4;
        return false;
      }
      if (stage === 4) {
        const op = (ops as Uint8Array)[pc];
        if (part === 0) {
          if (op === OP_TOMONT && !R2) keepR2(M, readX(c));
          if (op === OP_TOMONT) loadX(c, S as Int32Array);
          else if (op === OP_MUL) loadY(c, SM as Int32Array);
          else if (op === OP_LAST) loadY(c, S as Int32Array);
        }
        montChunk(c, part);
        if (++part < 2 * parts) return false;
        part = 0;
        if (op === OP_TOMONT && inner > 0) SM = readX(c);
        if (++pc === no) stage = 5;
        return false;
      }
      if (stage === 5) {
        A = modN(c, readX(c));
        stage = 6;
        return false;
      }
      if (stage === 6) {
        out = limbsToBytes(A as Int32Array, c.len);
        C = null;
        S = null;
        SM = null;
        A = null;
        R2 = null;
      }
      return true;
    },
    result: function (): Uint8Array {
      if (out === null) throw new EtError("JOB_NOT_DONE", "modExp result read before the job finished");
      return out;
    },
  };
}

/** base^e mod N, synchronously (see modExpJob). */
export function modExp(mod: Uint8Array, base: Uint8Array, e: number): Uint8Array {
  const job = modExpJob(mod, base, e);
  while (!job.step()) { /* keep stepping */ }
  return job.result();
}

/** Limbs per operand of mulBytes: its column sums (products below 2^44) stay below 2^53. */
const MUL_MAX_LIMBS = 400;

/**
 * a*b for big-endian unsigned integers, a.length + b.length bytes big-endian. One native dot
 * product per column (E.convolve, as the Montgomery products: X = a's limbs against b's limbs
 * reversed between zeros, Y = [0 x la, b(lb-1) .. b0, 0 x la], so column k of the product is
 * the sum over i of X[i] Y[i + la + lb - 1 - k]): ~5 ms for 1,024 x 1,024 bits on the release
 * interpreter, where a loop over every limb pair took ~70 (the RSA key check n = p q in
 * tls.connect, identity/key.ts). Operands up to MUL_MAX_LIMBS limbs (8,800 bits). Not constant-time.
 */
export function mulBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const la = Math.ceil((a.length * 8) / LIMB_BITS) || 1, lb = Math.ceil((b.length * 8) / LIMB_BITS) || 1;
  if (la > MUL_MAX_LIMBS || lb > MUL_MAX_LIMBS) throw new EtError("CRYPTO_RANGE", "operand too long for mulBytes");
  const X = limbsFromBytes(a, la), B = limbsFromBytes(b, lb), Y = new Int32Array(2 * la + lb), P = new Int32Array(la + lb);
  const f = typeof E !== "undefined" && E.convolve ? E.convolve : jsConvolve;
  let k: number, s: number, c = 0;
  for (k = 0; k < lb; k++) Y[la + lb - 1 - k] = B[k];
  for (k = 0; k < la + lb - 1; k++) {
    s = f(X, Y, la + lb - 1 - k) + c;
    c = Math.floor(s / 4194304);
    P[k] = s - c * 4194304;
  }
  P[k] = c; // below 2^22: the product has la + lb limbs
  return limbsToBytes(P, a.length + b.length);
}
