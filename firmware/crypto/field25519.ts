// Arithmetic in GF(p), p = 2^255 - 19, for X25519 and Ed25519 on the interpreter.
// The blocks between GENERATED markers come from tools/gen/field25519 (regenerate with
// `node tools/gen/field25519/update.mjs`; a test checks they match).
//
// Representation. A field element is a Float64Array of 11 signed integer limbs x0..x10 of
// radix 2^24: value = sum(x_i 2^(24 i)), i.e. 264 bits, and 2^264 = 2^9 2^255 = 9728 (mod p).
// Limbs are kept "balanced" (about -2^23..2^23) and values are not canonical: any integer
// congruent mod p will do. Why this shape (measured on the release interpreter, FACTS §7): the
// interpreter costs ~0.2 us per arithmetic operation plus variable lookups, ~0.4 us more per
// typed-array read and ~2 us per carry, so what counts is the number of operations, not their
// width. Doubles are exact below 2^53; 11 limbs is the fewest that keeps every column sum of a
// product below 2^53 with room for unreduced sums as inputs (10 limbs of 25.5 bits leave no
// room at all). 24-bit limbs are also 3 bytes each, so encoding is trivial.
//
// Products. The 21 columns c_k = sum_{i+j=k} a_i b_j (k = 0..20) are computed natively by
// E.convolve(a, rb, 20 - k), which returns sum_i a_i rb[i + 20 - k] as a double: rb holds b
// reversed at [10, 21) with zeros around it, so the terms with j out of range vanish. One call
// (~17k instructions) replaces 11 interpreted multiply-adds (~48k); feMul costs 0.83M
// instructions against 1.0M for the fully unrolled JS schoolbook. The sum is accumulated in a
// C double, term by term: exact under the same bounds as in JS. Squarings stay in JS (66
// products with the cross terms doubled beat 21 native calls plus the copies).
//
// Reduction (both). The high columns c11..c20 are carried first into h0..h9 (each rounded to a
// multiple of 2^24, the remainder kept, the quotient carried to the next column); the last
// carry is h10. Then each low column gets 9728 h_k folded in and is carried the same way into
// the output limb. The carry out of limb 10 (weight 2^264) wraps into limb 0 as 9728 carry,
// and limb 0 is carried once more into limb 1.
//
// Rounding to a multiple of 2^24 uses the magic constant m = 3 2^75: for |c| < 2^74, c + m
// lies in [2^76, 2^77) where doubles are spaced 2^24 apart, so (c + m) - m is c rounded to the
// nearest multiple of 2^24 (ties to even), exactly. Then |c - t| <= 2^23 and t / 2^24 is an
// exact integer. (Round-to-nearest is the IEEE default on every target.)
//
// Bounds (the proof that every intermediate is exact). Let R = 2^23 + 2^19. Outputs of feMul,
// feSqr, feCarry and feA24 (its f) are "reduced": every limb |x_i| <= R (limbs 0 and 2..10 are
// <= 2^23; limb 1 gets at most 2^18.4 + 1 more from the final carry). feMulPM's outputs are
// x +- (reduced) with x reduced: 2R. Input rule: if every limb of a is <= A and every limb of b
// is <= B in absolute value, with A B <= 10 R^2 (= 2^49.50), then:
//  - a column has at most 11 products: |sum| <= 11 * 10 R^2 = 124.2 * 2^46 < 2^53 - 2^47.9, and
//    every partial sum is smaller still (all terms are integers, so all of them are exact);
//  - a carry in is at most 2^53 / 2^24 + 1 < 2^29.1, and 9728 h_k <= 9728 * 2^25.6 < 2^39
//    (h0..h9 <= 2^23; h10 is the carry out of c20 = a10 b10 + carry, <= 2^49.5 / 2^24 + 1),
//    so every column plus its fold and carry stays below 2^53 (and far below 2^74);
//  - the wrap: |l0 + 9728 carry| <= 2^23 + 2^13.25 * 2^29.1 = 2^42.4, whose carry into limb 1
//    is <= 2^18.4.
// So: reduced x reduced (1 * 1), a sum or difference of two reduced values times another
// (2 * 2 = 4), even three-term sums (3 * 3 = 9) are all fine. X25519 never goes beyond 2 * 2,
// Ed25519 beyond 4 * 2. Squarings have the same column sums as products.
//
// Interpreter notes: hot locals are declared first (variable lookup is a linear scan of the
// scope), each column and its carry is a single expression statement, module-level names used
// in hot code are copied into locals once per call.

export type Fe = Float64Array;

function magic(): number {
  let m = 3;
  for (let i = 0; i < 75; i++) m *= 2;
  return m;
}
/** 3 * 2^75, computed (not written as a literal: the minifier would print it in decimal). */
const MAGIC = magic();

declare const E: any;

/** E.convolve in JS, for hosts without it (the board mock, Node): the same sum, term by term. */
function convJs(x: Float64Array, y: Float64Array, off: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[(i + off) % y.length];
  return s;
}

/**
 * E.convolve(x, y, off) = sum_i x[i] y[(i + off) mod y.length], native on every target board
 * (Espruino builds without SAVE_ON_FLASH); the JS version elsewhere.
 */
const conv: (x: Float64Array, y: Float64Array, off: number) => number =
  typeof E !== "undefined" && E.convolve ? E.convolve : convJs;

// Scratch of the products: a copy of a (so that o may alias a), and b reversed at [10, 21)
// of CV with zeros around it. 45 doubles, allocated once.
const CA = /*#__PURE__*/ new Float64Array(11);
const CV = /*#__PURE__*/ new Float64Array(31);
const CVM = /*#__PURE__*/ CV.subarray(10, 21);

/** A new field element, zero. */
export function fe(): Fe {
  return new Float64Array(11);
}

/** A field element holding the small integer n (|n| < 2^23). */
export function feInt(n: number): Fe {
  const o = new Float64Array(11);
  o[0] = n;
  return o;
}

// ---- GENERATED feAdd/feSub ----
/** o = a + b (not carried: a "sum of two" for the bound rule). Unrolled: a loop costs 1.6x more on the interpreter. */
export function feAdd(o: Fe, a: Fe, b: Fe): void {
  o[0] = a[0] + b[0];
  o[1] = a[1] + b[1];
  o[2] = a[2] + b[2];
  o[3] = a[3] + b[3];
  o[4] = a[4] + b[4];
  o[5] = a[5] + b[5];
  o[6] = a[6] + b[6];
  o[7] = a[7] + b[7];
  o[8] = a[8] + b[8];
  o[9] = a[9] + b[9];
  o[10] = a[10] + b[10];
}

/** o = a - b (not carried). Unrolled: a loop costs 1.6x more on the interpreter. */
export function feSub(o: Fe, a: Fe, b: Fe): void {
  o[0] = a[0] - b[0];
  o[1] = a[1] - b[1];
  o[2] = a[2] - b[2];
  o[3] = a[3] - b[3];
  o[4] = a[4] - b[4];
  o[5] = a[5] - b[5];
  o[6] = a[6] - b[6];
  o[7] = a[7] - b[7];
  o[8] = a[8] - b[8];
  o[9] = a[9] - b[9];
  o[10] = a[10] - b[10];
}
// ---- END GENERATED feAdd/feSub ----

/** o = -a. */
export function feNeg(o: Fe, a: Fe): void {
  for (let i = 0; i < 11; i++) o[i] = -a[i];
}

// ---- GENERATED feMul/feMulPM ----
/** o = a b. Any of o, a, b may be the same array. */
export function feMul(o: Fe, a: Fe, b: Fe): void {
  let t = 0, c = 0, m = MAGIC, v = conv, q = CV, w = CA,
    l0: number, l1: number, h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number, h8: number, h9: number, h10: number;
  w.set(a);
  CVM.set(b);
  CVM.reverse();
  h0 = (c = v(w, q, 9)) - (t = c + m - m);
  h1 = (c = v(w, q, 8) + t / 16777216) - (t = c + m - m);
  h2 = (c = v(w, q, 7) + t / 16777216) - (t = c + m - m);
  h3 = (c = v(w, q, 6) + t / 16777216) - (t = c + m - m);
  h4 = (c = v(w, q, 5) + t / 16777216) - (t = c + m - m);
  h5 = (c = v(w, q, 4) + t / 16777216) - (t = c + m - m);
  h6 = (c = v(w, q, 3) + t / 16777216) - (t = c + m - m);
  h7 = (c = v(w, q, 2) + t / 16777216) - (t = c + m - m);
  h8 = (c = v(w, q, 1) + t / 16777216) - (t = c + m - m);
  h9 = (c = v(w, q, 0) + t / 16777216) - (t = c + m - m);
  h10 = t / 16777216;
  l0 = (c = v(w, q, 20) + 9728 * h0) - (t = c + m - m);
  l1 = (c = v(w, q, 19) + 9728 * h1 + t / 16777216) - (t = c + m - m);
  o[2] = (c = v(w, q, 18) + 9728 * h2 + t / 16777216) - (t = c + m - m);
  o[3] = (c = v(w, q, 17) + 9728 * h3 + t / 16777216) - (t = c + m - m);
  o[4] = (c = v(w, q, 16) + 9728 * h4 + t / 16777216) - (t = c + m - m);
  o[5] = (c = v(w, q, 15) + 9728 * h5 + t / 16777216) - (t = c + m - m);
  o[6] = (c = v(w, q, 14) + 9728 * h6 + t / 16777216) - (t = c + m - m);
  o[7] = (c = v(w, q, 13) + 9728 * h7 + t / 16777216) - (t = c + m - m);
  o[8] = (c = v(w, q, 12) + 9728 * h8 + t / 16777216) - (t = c + m - m);
  o[9] = (c = v(w, q, 11) + 9728 * h9 + t / 16777216) - (t = c + m - m);
  o[10] = (c = v(w, q, 10) + 9728 * h10 + t / 16777216) - (t = c + m - m);
  o[0] = (c = l0 + t / 32768 * 19) - (t = c + m - m);
  o[1] = l1 + t / 16777216;
}

/**
 * r = a b, then o = x + r and n = x - r (outputs 2R: "sums of two"). The ladder keeps
 * (x + z, x - z) pairs, so its additions ride on the output stage here. o and n must be distinct;
 * either may be x, a or b.
 */
export function feMulPM(o: Fe, n: Fe, a: Fe, b: Fe, x: Fe): void {
  let t = 0, c = 0, m = MAGIC, v = conv, q = CV, w = CA, r = 0, y = 0,
    l0: number, l1: number, h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number, h8: number, h9: number, h10: number;
  w.set(a);
  CVM.set(b);
  CVM.reverse();
  h0 = (c = v(w, q, 9)) - (t = c + m - m);
  h1 = (c = v(w, q, 8) + t / 16777216) - (t = c + m - m);
  h2 = (c = v(w, q, 7) + t / 16777216) - (t = c + m - m);
  h3 = (c = v(w, q, 6) + t / 16777216) - (t = c + m - m);
  h4 = (c = v(w, q, 5) + t / 16777216) - (t = c + m - m);
  h5 = (c = v(w, q, 4) + t / 16777216) - (t = c + m - m);
  h6 = (c = v(w, q, 3) + t / 16777216) - (t = c + m - m);
  h7 = (c = v(w, q, 2) + t / 16777216) - (t = c + m - m);
  h8 = (c = v(w, q, 1) + t / 16777216) - (t = c + m - m);
  h9 = (c = v(w, q, 0) + t / 16777216) - (t = c + m - m);
  h10 = t / 16777216;
  l0 = (c = v(w, q, 20) + 9728 * h0) - (t = c + m - m);
  l1 = (c = v(w, q, 19) + 9728 * h1 + t / 16777216) - (t = c + m - m);
  o[2] = (y = x[2]) + (r = (c = v(w, q, 18) + 9728 * h2 + t / 16777216) - (t = c + m - m));
  n[2] = y - r;
  o[3] = (y = x[3]) + (r = (c = v(w, q, 17) + 9728 * h3 + t / 16777216) - (t = c + m - m));
  n[3] = y - r;
  o[4] = (y = x[4]) + (r = (c = v(w, q, 16) + 9728 * h4 + t / 16777216) - (t = c + m - m));
  n[4] = y - r;
  o[5] = (y = x[5]) + (r = (c = v(w, q, 15) + 9728 * h5 + t / 16777216) - (t = c + m - m));
  n[5] = y - r;
  o[6] = (y = x[6]) + (r = (c = v(w, q, 14) + 9728 * h6 + t / 16777216) - (t = c + m - m));
  n[6] = y - r;
  o[7] = (y = x[7]) + (r = (c = v(w, q, 13) + 9728 * h7 + t / 16777216) - (t = c + m - m));
  n[7] = y - r;
  o[8] = (y = x[8]) + (r = (c = v(w, q, 12) + 9728 * h8 + t / 16777216) - (t = c + m - m));
  n[8] = y - r;
  o[9] = (y = x[9]) + (r = (c = v(w, q, 11) + 9728 * h9 + t / 16777216) - (t = c + m - m));
  n[9] = y - r;
  o[10] = (y = x[10]) + (r = (c = v(w, q, 10) + 9728 * h10 + t / 16777216) - (t = c + m - m));
  n[10] = y - r;
  o[0] = (y = x[0]) + (r = (c = l0 + t / 32768 * 19) - (t = c + m - m));
  n[0] = y - r;
  o[1] = (y = x[1]) + (r = l1 + t / 16777216);
  n[1] = y - r;
}
// ---- END GENERATED feMul/feMulPM ----

// ---- GENERATED feSqr ----
/** o = a^2 (o may be a). Plain JS: 66 products beat 21 native column sums plus the copies. */
export function feSqr(o: Fe, a: Fe): void {
  let t = 0, c = 0, m = MAGIC,
    a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7], a8 = a[8], a9 = a[9], a10 = a[10],
    l0: number, l1: number, h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number, h8: number, h9: number, h10: number;
  h0 = (c = (a1 * a10 + a2 * a9 + a3 * a8 + a4 * a7 + a5 * a6) * 2) - (t = c + m - m);
  h1 = (c = (a2 * a10 + a3 * a9 + a4 * a8 + a5 * a7) * 2 + a6 * a6 + t / 16777216) - (t = c + m - m);
  h2 = (c = (a3 * a10 + a4 * a9 + a5 * a8 + a6 * a7) * 2 + t / 16777216) - (t = c + m - m);
  h3 = (c = (a4 * a10 + a5 * a9 + a6 * a8) * 2 + a7 * a7 + t / 16777216) - (t = c + m - m);
  h4 = (c = (a5 * a10 + a6 * a9 + a7 * a8) * 2 + t / 16777216) - (t = c + m - m);
  h5 = (c = (a6 * a10 + a7 * a9) * 2 + a8 * a8 + t / 16777216) - (t = c + m - m);
  h6 = (c = (a7 * a10 + a8 * a9) * 2 + t / 16777216) - (t = c + m - m);
  h7 = (c = 2 * a8 * a10 + a9 * a9 + t / 16777216) - (t = c + m - m);
  h8 = (c = 2 * a9 * a10 + t / 16777216) - (t = c + m - m);
  h9 = (c = a10 * a10 + t / 16777216) - (t = c + m - m);
  h10 = t / 16777216;
  l0 = (c = a0 * a0 + 9728 * h0) - (t = c + m - m);
  l1 = (c = 2 * a0 * a1 + 9728 * h1 + t / 16777216) - (t = c + m - m);
  o[2] = (c = 2 * a0 * a2 + a1 * a1 + 9728 * h2 + t / 16777216) - (t = c + m - m);
  o[3] = (c = (a0 * a3 + a1 * a2) * 2 + 9728 * h3 + t / 16777216) - (t = c + m - m);
  o[4] = (c = (a0 * a4 + a1 * a3) * 2 + a2 * a2 + 9728 * h4 + t / 16777216) - (t = c + m - m);
  o[5] = (c = (a0 * a5 + a1 * a4 + a2 * a3) * 2 + 9728 * h5 + t / 16777216) - (t = c + m - m);
  o[6] = (c = (a0 * a6 + a1 * a5 + a2 * a4) * 2 + a3 * a3 + 9728 * h6 + t / 16777216) - (t = c + m - m);
  o[7] = (c = (a0 * a7 + a1 * a6 + a2 * a5 + a3 * a4) * 2 + 9728 * h7 + t / 16777216) - (t = c + m - m);
  o[8] = (c = (a0 * a8 + a1 * a7 + a2 * a6 + a3 * a5) * 2 + a4 * a4 + 9728 * h8 + t / 16777216) - (t = c + m - m);
  o[9] = (c = (a0 * a9 + a1 * a8 + a2 * a7 + a3 * a6 + a4 * a5) * 2 + 9728 * h9 + t / 16777216) - (t = c + m - m);
  o[10] = (c = (a0 * a10 + a1 * a9 + a2 * a8 + a3 * a7 + a4 * a6) * 2 + a5 * a5 + 9728 * h10 + t / 16777216) - (t = c + m - m);
  o[0] = (c = l0 + t / 32768 * 19) - (t = c + m - m);
  o[1] = l1 + t / 16777216;
}
// ---- END GENERATED feSqr ----

/** o = a reduced: any limbs with |a_i| < 2^52 in, reduced limbs out (see the bounds above). */
export function feCarry(o: Fe, a: Fe): void {
  let t = 0, c = 0, m = MAGIC, l0: number, l1: number;
  l0 = (c = a[0]) - (t = c + m - m);
  l1 = (c = a[1] + t / 16777216) - (t = c + m - m);
  for (let i = 2; i < 11; i++) o[i] = (c = a[i] + t / 16777216) - (t = c + m - m);
  o[0] = (c = l0 + t / 32768 * 19) - (t = c + m - m);
  o[1] = l1 + t / 16777216;
}

// ---- GENERATED feA24 ----
/**
 * The ladder's z2 factors: e = aa - bb (a difference of two, not carried) and
 * f = aa + 121665 e, carried (|aa + 121665 e| <= R + 2^17 * 2R < 2^42: exact).
 */
export function feA24(e: Fe, f: Fe, aa: Fe, bb: Fe): void {
  let t = 0, c = 0, m = MAGIC, y = 0, l0: number, l1: number;
  l0 = (c = (y = aa[0]) + 121665 * (e[0] = y - bb[0])) - (t = c + m - m);
  l1 = (c = (y = aa[1]) + 121665 * (e[1] = y - bb[1]) + t / 16777216) - (t = c + m - m);
  f[2] = (c = (y = aa[2]) + 121665 * (e[2] = y - bb[2]) + t / 16777216) - (t = c + m - m);
  f[3] = (c = (y = aa[3]) + 121665 * (e[3] = y - bb[3]) + t / 16777216) - (t = c + m - m);
  f[4] = (c = (y = aa[4]) + 121665 * (e[4] = y - bb[4]) + t / 16777216) - (t = c + m - m);
  f[5] = (c = (y = aa[5]) + 121665 * (e[5] = y - bb[5]) + t / 16777216) - (t = c + m - m);
  f[6] = (c = (y = aa[6]) + 121665 * (e[6] = y - bb[6]) + t / 16777216) - (t = c + m - m);
  f[7] = (c = (y = aa[7]) + 121665 * (e[7] = y - bb[7]) + t / 16777216) - (t = c + m - m);
  f[8] = (c = (y = aa[8]) + 121665 * (e[8] = y - bb[8]) + t / 16777216) - (t = c + m - m);
  f[9] = (c = (y = aa[9]) + 121665 * (e[9] = y - bb[9]) + t / 16777216) - (t = c + m - m);
  f[10] = (c = (y = aa[10]) + 121665 * (e[10] = y - bb[10]) + t / 16777216) - (t = c + m - m);
  f[0] = (c = l0 + t / 32768 * 19) - (t = c + m - m);
  f[1] = l1 + t / 16777216;
}
// ---- END GENERATED feA24 ----

/**
 * Loads 32 little-endian bytes b[off..off+32) as a field element, ignoring bit 255 (RFC 7748
 * §5 masks it for X25519; Ed25519 takes it as the sign of x). Values p..2^255-1
 * (non-canonical) are accepted and reduced. The result is reduced.
 */
export function feFromBytes(o: Fe, b: Uint8Array, off: number): void {
  for (let i = 0; i < 10; i++) o[i] = b[off + 3 * i] | (b[off + 3 * i + 1] << 8) | (b[off + 3 * i + 2] << 16);
  o[10] = b[off + 30] | ((b[off + 31] & 127) << 8);
  feCarry(o, o);
}

// ---- GENERATED feFromBytesRaw ----
/**
 * Loads 32 little-endian bytes as a field element without reducing it: limbs are the raw
 * 24-bit groups (0 <= x_i < 2^24 = 1.9 R; bit 255 ignored). For constant tables whose entries
 * are canonical; as a factor it counts as 1.9 R (so 1.9 * 2 R is fine). Unrolled: tables are
 * decoded on every use.
 */
export function feFromBytesRaw(o: Fe, b: Uint8Array, k: number): void {
  o[0] = b[k] + b[k + 1] * 256 + b[k + 2] * 65536;
  o[1] = b[k + 3] + b[k + 4] * 256 + b[k + 5] * 65536;
  o[2] = b[k + 6] + b[k + 7] * 256 + b[k + 8] * 65536;
  o[3] = b[k + 9] + b[k + 10] * 256 + b[k + 11] * 65536;
  o[4] = b[k + 12] + b[k + 13] * 256 + b[k + 14] * 65536;
  o[5] = b[k + 15] + b[k + 16] * 256 + b[k + 17] * 65536;
  o[6] = b[k + 18] + b[k + 19] * 256 + b[k + 20] * 65536;
  o[7] = b[k + 21] + b[k + 22] * 256 + b[k + 23] * 65536;
  o[8] = b[k + 24] + b[k + 25] * 256 + b[k + 26] * 65536;
  o[9] = b[k + 27] + b[k + 28] * 256 + b[k + 29] * 65536;
  o[10] = b[k + 30] + (b[k + 31] & 127) * 256;
}
// ---- END GENERATED feFromBytesRaw ----

// Scratch for feToBytes: integer limbs, 24 bits each except the top one (15 bits, 2^240..2^255).
const tb = new Int32Array(11);

/** Carries tb with floor division; the carry out of 2^255 wraps into limb 0 as 19 * carry. */
function tbPass(): void {
  let c = 0;
  for (let i = 0; i < 10; i++) {
    c = tb[i] >> 24;
    tb[i] &= 0xffffff;
    tb[i + 1] += c;
  }
  c = tb[10] >> 15;
  tb[10] &= 0x7fff;
  tb[0] += 19 * c;
}

/**
 * Writes the canonical encoding of a (the value mod p, 32 bytes little-endian, bit 255 clear)
 * to out[off..off+32). Limbs must be below 2^30 in absolute value (reduced values, or sums of
 * a few, are).
 */
export function feToBytes(out: Uint8Array, off: number, a: Fe): void {
  let i = 0, q = 0;
  for (i = 0; i < 11; i++) tb[i] = a[i];
  // |value| < 2^271: after one pass value' = (value mod 2^255) + 19 floor(value / 2^255) is in
  // (-2^21, 2^255 + 2^21); after the second it is in [0, 2^255) (a negative value gains
  // 2^255 - 19 = p, a value >= 2^255 loses p), but limb 0 may then be slightly negative or the
  // top carry may have been added to it: the third pass settles the limbs without changing the
  // value (its wrap carry is 0).
  tbPass();
  tbPass();
  tbPass();
  // Now 0 <= v < 2^255 in canonical limbs. v >= p iff v + 19 >= 2^255: q = that carry.
  q = (tb[0] + 19) >> 24;
  for (i = 1; i < 10; i++) q = (tb[i] + q) >> 24;
  q = (tb[10] + q) >> 15;
  // v - q p = v + 19 q - q 2^255: add 19 q, carry, and drop bit 255.
  tb[0] += 19 * q;
  for (i = 0; i < 10; i++) {
    tb[i + 1] += tb[i] >> 24;
    tb[i] &= 0xffffff;
  }
  tb[10] &= 0x7fff;
  for (i = 0; i < 10; i++) {
    out[off + 3 * i] = tb[i];
    out[off + 3 * i + 1] = tb[i] >> 8;
    out[off + 3 * i + 2] = tb[i] >> 16;
  }
  out[off + 30] = tb[10];
  out[off + 31] = tb[10] >> 8;
}

/** Canonical 32-byte encoding of a, as a new array. */
export function feBytes(a: Fe): Uint8Array {
  const out = new Uint8Array(32);
  feToBytes(out, 0, a);
  return out;
}

// Exponentiation chains (the addition chain of the ref10 fe_invert / fe_pow22523). Each op
// is dst = src^(2^n) * mul over registers r0..r4 (r0 = the input); tmp holds the squarings,
// so dst may alias src or mul. 254 squarings + 11 multiplications for the inverse.
//   z^2, z^9, z^11, z^(2^5-1), z^(2^10-1), z^(2^20-1), z^(2^40-1), z^(2^50-1), z^(2^100-1),
//   z^(2^200-1), z^(2^250-1), then z^(2^255-21) = z^(p-2)  or  z^(2^252-3) = z^((p-5)/8).
// Rows: src, n, mul (255 = none), dst (5 = the output).
const CHAIN = /*#__PURE__*/ new Uint8Array([
  0, 1, 255, 1,
  1, 2, 0, 2,
  1, 0, 2, 1,
  1, 1, 2, 2,
  2, 5, 2, 3,
  3, 10, 3, 4,
  4, 20, 4, 4,
  4, 10, 3, 3,
  3, 50, 3, 4,
  4, 100, 4, 4,
  4, 50, 3, 4,
]);

/**
 * A sliced exponentiation: z^(p-2) (the inverse; 0 maps to 0) or, with pow22523, z^((p-5)/8).
 * run(budget) does at most `budget` squarings/multiplications (~0.1 ms each on the release
 * interpreter) and returns true once `out` holds the result.
 */
export class FePow {
  r: Fe[];
  tmp: Fe;
  row: number;
  done: number;
  out: Fe;
  last: Uint8Array;
  constructor(out: Fe, z: Fe, pow22523: boolean) {
    this.r = [fe(), fe(), fe(), fe(), fe()];
    this.r[0].set(z);
    this.tmp = fe();
    this.out = out;
    this.row = 0;
    this.done = 0;
    // Last row: inverse r4^(2^5) * r1; pow22523 r4^(2^2) * r0.
    this.last = pow22523 ? new Uint8Array([4, 2, 0, 5]) : new Uint8Array([4, 5, 1, 5]);
  }
  run(budget: number): boolean {
    const r = this.r, tmp = this.tmp, sqr = feSqr;
    let row = this.row, done = this.done, tab: Uint8Array, j = 0, n = 0, src: Fe, dst: Fe;
    while (budget > 0 && row < 12) {
      tab = row < 11 ? CHAIN : this.last;
      j = row < 11 ? 4 * row : 0;
      n = tab[j + 1];
      if (done === 0 && n > 0) {
        sqr(tmp, r[tab[j]]);
        done = 1;
        budget--;
      }
      while (done < n && budget > 0) {
        sqr(tmp, tmp);
        done++;
        budget--;
      }
      if (done < n || budget <= 0) break;
      src = n === 0 ? r[tab[j]] : tmp;
      dst = tab[j + 3] === 5 ? this.out : r[tab[j + 3]];
      if (tab[j + 2] === 255) dst.set(src);
      else feMul(dst, src, r[tab[j + 2]]);
      budget--;
      row++;
      done = 0;
    }
    this.row = row;
    this.done = done;
    return row >= 12;
  }
}

/** o = 1/a (mod p); 1/0 = 0. */
export function feInvert(o: Fe, a: Fe): void {
  new FePow(o, a, false).run(1e9);
}

/** o = a^((p-5)/8), for square roots (RFC 8032 §5.1.3). */
export function fePow22523(o: Fe, a: Fe): void {
  new FePow(o, a, true).run(1e9);
}
