// The NIST curves P-256 and P-384 (y^2 = x^3 - 3x + b over GF(p), prime order n, cofactor 1):
// Jacobian point arithmetic, SEC1 point decoding, scalar multiplication as sliced Jobs, and
// the arithmetic mod n that ECDSA needs.
//
// Points: Jacobian (X, Y, Z) with x = X/Z^2, y = Y/Z^3, coordinates in the Montgomery domain of
// ecfield.ts; Z = 0 (mod p) is the point at infinity. Formulas (a = -3):
//   doubling: "dbl-2001-b" of the Explicit-Formulas Database with Z3 = 2*Y1*Z1: 4M + 4S;
//   addition: "add-1998-cmo-2": 12M + 4S; mixed addition (Z2 = 1): 8M + 3S.
// The additions handle every exceptional case (either input at infinity, P == Q, P == -Q).
//
// Scalar multiplication:
//   - secret scalars (ECDH, our key share): fixed 4-bit windows with odd digits in
//     {±1, ±3, ..., ±15} (the scalar is made odd with k -> n - k, which only negates the
//     result), so every window costs 4 doublings and one addition whatever the scalar.
//     The table lookup is indexed by the secret digit: the interpreter offers no real
//     constant-time guarantee, this only avoids the grossest scalar-dependent timing.
//   - ECDSA verification (public data): u1*G + u2*Q interleaved, width-5 wNAF for both, with
//     a cached affine table of G, 3G, ..., 15G (mixed additions) and a per-call Jacobian table
//     of Q, 3Q, ..., 15Q.
// Every Job step performs at most one point operation or a similar amount of other work. CPU
// time per step on the release interpreter (x86, code in RAM): P-256 at most ~3 ms (Jacobian
// addition 3.0, doubling 1.5, mixed addition 2.0, inversion or division slice 2.5-3), P-384 at
// most ~6 ms (Jacobian addition 6.0, doubling 3.0, inversion slice ~4.5).
//
// RAM: a field element is an Int32Array of 11 (P-256) or 16 (P-384) limbs. A curve's context
// (constants, temporaries: ~20 elements) is built on first use; the G table (16 elements)
// when ECDSA or key generation first needs it. Both stay cached (ecReleaseCaches() drops them).

import { EtError } from "../errors";
import type { Job } from "../util/job";
import {
  FP256, FP384, FeInv, feEq, feFromMont, feIsZero, feToMont, limbsCmp, limbsFromBytes,
  limbsSub, limbsToBytes,
} from "./ecfield";
import type { Field } from "./ecfield";

/** A point in Jacobian coordinates (Montgomery domain). */
export interface JPoint {
  x: Int32Array;
  y: Int32Array;
  z: Int32Array;
}

/** Per-curve working state, built on first use (see ctx()). */
export interface EcCtx {
  F: Field;
  N: number;
  /** Bytes of a coordinate or scalar. */
  size: number;
  /** b and G in the Montgomery domain. */
  b: Int32Array;
  gx: Int32Array;
  gy: Int32Array;
  /** Group order n (limbs), -n^-1 mod 2^24, and R mod n (R = 2^(24N)). */
  n: Int32Array;
  n0: number;
  rn: Int32Array;
  /** Field temporaries for the point formulas. */
  t0: Int32Array;
  t1: Int32Array;
  t2: Int32Array;
  t3: Int32Array;
  t4: Int32Array;
  t5: Int32Array;
  /** The field element 0. */
  zero: Int32Array;
  /** Scratch for the mod-n Montgomery product (2N+2 columns). */
  col: Float64Array;
  /** Affine odd multiples of G: gtab[2i], gtab[2i+1] = x, y of (2i+1)G; null until built. */
  gtab: Int32Array[] | null;
  /** The comb table of ecbase.ts (x, y of 16 affine points); null until built. */
  comb: Int32Array[] | null;
}

export interface Curve {
  /** "P-256" or "P-384". */
  readonly name: string;
  /** Bytes of a coordinate, a scalar and an ECDH shared secret (32 or 48). */
  readonly size: number;
  readonly F: Field;
  /** b, Gx, Gy, n, R mod n (hex), -n^-1 mod 2^24. */
  readonly hb: string;
  readonly hgx: string;
  readonly hgy: string;
  readonly hn: string;
  readonly hrn: string;
  readonly n0: number;
  /** Working state (internal). */
  st: EcCtx | null;
}

/** NIST P-256 (secp256r1), FIPS 186-4 D.1.2.3. */
export const P256: Curve = {
  name: "P-256", size: 32, F: FP256,
  hb: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
  hgx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
  hgy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
  hn: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
  hrn: "ffffffff00000000000000004319055258e8617b0c46353d039cdaaf00",
  n0: 48207,
  st: null,
};

/** NIST P-384 (secp384r1), FIPS 186-4 D.1.2.4. */
export const P384: Curve = {
  name: "P-384", size: 48, F: FP384,
  hb: "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
  hgx: "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
  hgy: "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
  hn: "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
  hrn: "389cb27e0bc8d220a7e5f24db74f58851313e695333ad68d",
  n0: 9428037,
  st: null,
};

function badPoint(msg: string): never {
  throw new EtError("CRYPTO_BAD_POINT", msg);
}

function hexInto(r: Int32Array, hex: string): Int32Array {
  const b = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(2 * i, 2), 16);
  limbsFromBytes(r, b, 0, b.length);
  return r;
}

/** The curve's working state, built on first use. */
export function ctx(C: Curve): EcCtx {
  let X = C.st;
  if (X) return X;
  const F = C.F, N = F.N;
  const fe = function () { return new Int32Array(N); };
  const b = hexInto(fe(), C.hb), gx = hexInto(fe(), C.hgx), gy = hexInto(fe(), C.hgy);
  feToMont(F, b, b);
  feToMont(F, gx, gx);
  feToMont(F, gy, gy);
  X = {
    F: F, N: N, size: C.size, b: b, gx: gx, gy: gy,
    n: hexInto(fe(), C.hn), n0: C.n0, rn: hexInto(fe(), C.hrn),
    t0: fe(), t1: fe(), t2: fe(), t3: fe(), t4: fe(), t5: fe(), zero: fe(),
    col: new Float64Array(2 * N + 2), gtab: null, comb: null,
  };
  C.st = X;
  return X;
}

/** Drops the cached curve state and G tables (they are rebuilt when needed). */
export function ecReleaseCaches(): void {
  P256.st = null;
  P384.st = null;
}

export function newPoint(N: number): JPoint {
  return { x: new Int32Array(N), y: new Int32Array(N), z: new Int32Array(N) };
}

export function pointCopy(r: JPoint, p: JPoint): void {
  r.x.set(p.x);
  r.y.set(p.y);
  r.z.set(p.z);
}

/** r = 2p (r may be p). dbl-2001-b, a = -3, with Z3 = 2*Y1*Z1. Infinity stays infinity. */
export function pointDouble(X: EcCtx, r: JPoint, p: JPoint): void {
  const F = X.F, M = F.mul, S = F.sqr, A = F.add, D = F.sub, K = F.muls;
  const t0 = X.t0, t1 = X.t1, t2 = X.t2, t3 = X.t3, t4 = X.t4;
  S(t0, p.z); // delta = Z1^2
  S(t1, p.y); // gamma = Y1^2
  M(t2, p.x, t1); // beta = X1*gamma
  D(t3, p.x, t0);
  A(t4, p.x, t0);
  M(t3, t3, t4);
  K(t3, t3, 3); // alpha = 3*(X1-delta)*(X1+delta)
  M(r.z, p.y, p.z);
  A(r.z, r.z, r.z); // Z3 = 2*Y1*Z1
  K(t2, t2, 4); // 4*beta
  S(t4, t3);
  D(t4, t4, t2);
  D(r.x, t4, t2); // X3 = alpha^2 - 8*beta
  D(t2, t2, r.x);
  M(t2, t3, t2); // alpha*(4*beta - X3)
  S(t1, t1);
  K(t1, t1, 8); // 8*gamma^2
  D(r.y, t2, t1);
}

/** r = p + q for Jacobian p, q (r may be p or q). add-1998-cmo-2 with the exceptional cases. */
export function pointAdd(X: EcCtx, r: JPoint, p: JPoint, q: JPoint): void {
  const F = X.F, M = F.mul, S = F.sqr, D = F.sub;
  const t0 = X.t0, t1 = X.t1, t2 = X.t2, t3 = X.t3, t4 = X.t4, t5 = X.t5;
  if (feIsZero(F, q.z)) {
    if (r !== p) pointCopy(r, p);
    return;
  }
  if (feIsZero(F, p.z)) {
    if (r !== q) pointCopy(r, q);
    return;
  }
  S(t0, p.z); // Z1^2
  S(t1, q.z); // Z2^2
  M(t2, p.x, t1); // U1 = X1*Z2^2
  M(t3, q.x, t0); // U2 = X2*Z1^2
  M(t1, t1, q.z);
  M(t1, t1, p.y); // S1 = Y1*Z2^3
  M(t0, t0, p.z);
  M(t0, t0, q.y); // S2 = Y2*Z1^3
  D(t3, t3, t2); // H = U2 - U1
  D(t0, t0, t1); // R = S2 - S1
  if (feIsZero(F, t3)) {
    if (feIsZero(F, t0)) pointDouble(X, r, p);
    else r.z.fill(0);
    return;
  }
  M(t5, p.z, q.z);
  M(r.z, t5, t3); // Z3 = Z1*Z2*H
  S(t4, t3); // H^2
  M(t2, t2, t4); // U1*H^2
  M(t4, t4, t3); // H^3
  S(t5, t0);
  D(t5, t5, t4);
  D(t5, t5, t2);
  D(r.x, t5, t2); // X3 = R^2 - H^3 - 2*U1*H^2
  D(t2, t2, r.x);
  M(t2, t2, t0);
  M(t4, t4, t1);
  D(r.y, t2, t4); // Y3 = R*(U1*H^2 - X3) - S1*H^3
}

/** r = p + (qx, qy) with an affine, finite second point (r may be p). 8M + 3S. */
export function pointAddAffine(X: EcCtx, r: JPoint, p: JPoint, qx: Int32Array, qy: Int32Array): void {
  const F = X.F, M = F.mul, S = F.sqr, D = F.sub;
  const t0 = X.t0, t1 = X.t1, t2 = X.t2, t3 = X.t3, t4 = X.t4, t5 = X.t5;
  if (feIsZero(F, p.z)) {
    r.x.set(qx);
    r.y.set(qy);
    r.z.set(F.one);
    return;
  }
  S(t0, p.z); // Z1^2
  M(t3, qx, t0); // U2 = X2*Z1^2
  M(t0, t0, p.z);
  M(t0, t0, qy); // S2 = Y2*Z1^3
  D(t3, t3, p.x); // H = U2 - X1
  D(t0, t0, p.y); // R = S2 - Y1
  if (feIsZero(F, t3)) {
    if (feIsZero(F, t0)) pointDouble(X, r, p);
    else r.z.fill(0);
    return;
  }
  M(r.z, p.z, t3); // Z3 = Z1*H
  S(t4, t3); // H^2
  M(t2, p.x, t4); // X1*H^2
  M(t4, t4, t3); // H^3
  M(t1, p.y, t4); // Y1*H^3
  S(t5, t0);
  D(t5, t5, t4);
  D(t5, t5, t2);
  D(r.x, t5, t2); // X3 = R^2 - H^3 - 2*X1*H^2
  D(t2, t2, r.x);
  M(t2, t2, t0);
  D(r.y, t2, t1); // Y3 = R*(X1*H^2 - X3) - Y1*H^3
}

/** y^2 == x^3 - 3x + b for Montgomery-domain x, y. */
export function onCurve(X: EcCtx, x: Int32Array, y: Int32Array): boolean {
  const F = X.F, t0 = X.t0, t1 = X.t1;
  F.sqr(t0, x);
  F.muls(t1, F.one, 3);
  F.sub(t0, t0, t1);
  F.mul(t0, t0, x);
  F.add(t0, t0, X.b);
  F.sqr(t1, y);
  return feEq(F, t0, t1);
}

/**
 * SEC1 uncompressed point 04‖X‖Y to Montgomery-domain affine coordinates [x, y].
 * Throws CRYPTO_BAD_POINT for a wrong length, another first byte (compressed points 02/03
 * and the infinity encoding 00 included: TLS 1.3 requires the uncompressed form,
 * RFC 8446 §4.2.8.2), a coordinate >= p, or a point not on the curve. (The point at
 * infinity has no uncompressed encoding; with cofactor 1 every curve point is in the group.)
 */
export function decodePoint(C: Curve, pt: Uint8Array): Int32Array[] {
  const X = ctx(C), F = X.F, L = C.size;
  if (pt.length !== 2 * L + 1 || pt[0] !== 4) badPoint(C.name + ": not an uncompressed point");
  const x = new Int32Array(F.N), y = new Int32Array(F.N);
  limbsFromBytes(x, pt, 1, L);
  limbsFromBytes(y, pt, 1 + L, L);
  if (limbsCmp(x, F.p) >= 0 || limbsCmp(y, F.p) >= 0) badPoint(C.name + ": coordinate out of range");
  feToMont(F, x, x);
  feToMont(F, y, y);
  if (!onCurve(X, x, y)) badPoint(C.name + ": point not on the curve");
  return [x, y];
}

/**
 * Jacobian to affine (Montgomery domain) in slices: one step per FeInv step, then one
 * final step. Result: [x, y]; throws CRYPTO_BAD_POINT for the point at infinity.
 */
export class ToAffine {
  X: EcCtx;
  p: JPoint;
  zi: Int32Array;
  inv: FeInv | null;
  constructor(X: EcCtx, p: JPoint) {
    this.X = X;
    this.p = p;
    this.zi = new Int32Array(X.N);
    this.inv = null;
  }
  step(): boolean {
    const X = this.X, F = X.F, p = this.p;
    if (!this.inv) {
      if (feIsZero(F, p.z)) badPoint("point at infinity");
      this.inv = new FeInv(F, this.zi, p.z);
      return false;
    }
    if (!this.inv.step()) return false;
    const zi = this.zi, t = X.t0;
    F.sqr(t, zi);
    F.mul(p.x, p.x, t);
    F.mul(t, t, zi);
    F.mul(p.y, p.y, t);
    p.z.set(F.one);
    return true;
  }
  result(): Int32Array[] {
    return [this.p.x, this.p.y];
  }
}

/** 04‖x‖y from Montgomery-domain affine coordinates. */
export function encodePoint(C: Curve, x: Int32Array, y: Int32Array): Uint8Array {
  const F = C.F, L = C.size, t = new Int32Array(F.N), out = new Uint8Array(2 * L + 1);
  out[0] = 4;
  feFromMont(F, t, x);
  limbsToBytes(t, out, 1, L);
  feFromMont(F, t, y);
  limbsToBytes(t, out, 1 + L, L);
  return out;
}

// ---- scalars mod n ----

/** Big-endian bytes (any length, leading zeros allowed) to limbs; null if the value
 *  does not fit in N limbs (i.e. needs more than 3N bytes). */
export function scalarFromBytes(X: EcCtx, b: Uint8Array): Int32Array | null {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (b.length - i > 3 * X.N) return null;
  const r = new Int32Array(X.N);
  limbsFromBytes(r, b, i, b.length - i);
  return r;
}

/** 1 <= k <= n-1 */
export function scalarInRange(X: EcCtx, k: Int32Array): boolean {
  let z = 0;
  for (let i = 0; i < k.length; i++) z |= k[i];
  return z !== 0 && limbsCmp(k, X.n) < 0;
}

/** r = a*b/R mod n, canonical (generic Montgomery product, looped; a, b normalized < 2^(24N),
 *  b < n). Every column stays below 2N*(2^24-1)^2 + 2^30 < 2^53 for N <= 16. */
export function montN(X: EcCtx, r: Int32Array, a: Int32Array, b: Int32Array): void {
  const N = X.N, n = X.n, T = X.col, n0 = X.n0;
  let i: number, j: number, x: number, m: number, s: number, c: number;
  T.fill(0);
  for (i = 0; i < N; i++) {
    x = a[i];
    for (j = 0; j < N; j++) T[i + j] += x * b[j];
  }
  c = 0;
  for (i = 0; i < N; i++) {
    s = T[i] + c;
    m = ((s & 16777215) * n0) & 16777215;
    for (j = 1; j < N; j++) T[i + j] += m * n[j];
    c = (s + m * n[0]) / 16777216;
  }
  for (i = 0; i <= N; i++) {
    s = T[i + N] + c;
    x = s & 16777215;
    T[i] = x;
    c = (s - x) / 16777216;
  }
  // T[0..N] < 2n: subtract n once if needed
  if (T[N] === 0) {
    for (i = 0; i < N; i++) r[i] = T[i];
    if (limbsCmp(r, n) >= 0) limbsSub(r, n);
    return;
  }
  c = 0;
  for (i = 0; i < N; i++) {
    s = T[i] - n[i] + c;
    x = s & 16777215;
    r[i] = x;
    c = (s - x) / 16777216;
  }
}

/**
 * Binary modular division r = c/a mod n (a in [1, n-1], c < n), in slices (12 iterations for
 * P-256, 8 for P-384: a few ms). Invariant: x1*a = u*c and x2*a = v*c (mod n); v stays odd;
 * when u - v reaches 0, v = gcd(a, n) = 1 and x2 = c/a. Loops over u and v stop at their
 * highest nonzero limb (hi), which falls as they shrink.
 */
export class DivN {
  X: EcCtx;
  u: Int32Array;
  v: Int32Array;
  x1: Int32Array;
  x2: Int32Array;
  hi: number;
  done: boolean;
  constructor(X: EcCtx, c: Int32Array, a: Int32Array) {
    this.X = X;
    this.u = new Int32Array(a);
    this.v = new Int32Array(X.n);
    this.x1 = new Int32Array(c);
    this.x2 = new Int32Array(X.N);
    this.hi = X.N - 1;
    this.done = false;
  }
  step(): boolean {
    const X = this.X, N = X.N, n = X.n, n0 = X.n0, lim = N > 11 ? 8 : 12;
    let u = this.u, v = this.v, x1 = this.x1, x2 = this.x2, hi = this.hi, t: Int32Array;
    let it: number, i: number, k: number, z: number, f: number, lo: number, s: number, c: number, x: number, px: number;
    for (it = 0; it < lim && !this.done; it++) {
      // make u odd (u != 0 here): u /= 2^k, x1 = x1/2^k mod n, k <= 24 per round
      while ((u[0] & 1) === 0) {
        z = u[0];
        k = 0;
        if (z === 0) k = 24;
        else while (((z >> k) & 1) === 0) k++;
        f = 16777216 / (1 << k); // 2^(24-k)
        for (i = 0; i < hi; i++) u[i] = (u[i] >> k) + ((u[i + 1] * f) & 16777215);
        u[hi] = u[hi] >> k;
        // x1 + lo*n is divisible by 2^k (lo = x1*n0 mod 2^k); add and shift in one pass
        lo = (x1[0] * n0) & ((1 << k) - 1);
        c = 0;
        px = 0;
        for (i = 0; i < N; i++) {
          s = x1[i] + lo * n[i] + c;
          x = s & 16777215;
          c = (s - x) / 16777216;
          if (i > 0) x1[i - 1] = (px >> k) + ((x * f) & 16777215);
          px = x;
        }
        x1[N - 1] = (px >> k) + ((c * f) & 16777215);
      }
      // order: u >= v (swap the pairs if not)
      for (i = hi; i > 0 && u[i] === v[i]; i--) { /* find the first difference */ }
      if (u[i] < v[i]) {
        t = u; u = v; v = t;
        t = x1; x1 = x2; x2 = t;
      }
      // u -= v (even afterwards, 0 at the end); x1 -= x2 mod n
      c = 0;
      z = 0;
      for (i = 0; i <= hi; i++) {
        s = u[i] - v[i] + c;
        x = s & 16777215;
        u[i] = x;
        z |= x;
        c = s >> 24;
      }
      c = 0;
      for (i = 0; i < N; i++) {
        s = x1[i] - x2[i] + c;
        x = s & 16777215;
        x1[i] = x;
        c = s >> 24;
      }
      if (c < 0) {
        c = 0;
        for (i = 0; i < N; i++) {
          s = x1[i] + n[i] + c;
          x = s & 16777215;
          x1[i] = x;
          c = s >> 24;
        }
      }
      if (z === 0) this.done = true;
      while (hi > 0 && u[hi] === 0 && v[hi] === 0) hi--;
    }
    this.u = u; this.v = v; this.x1 = x1; this.x2 = x2; this.hi = hi;
    return this.done;
  }
  /** c/a mod n, canonical. */
  result(): Int32Array {
    return this.x2;
  }
}

// ---- scalar multiplication ----

/** Odd-digit fixed-window recoding of an odd k < 2^(8L): 2L digits in {±1, ..., ±15},
 *  k = sum d[i]*16^i, d[2L-1] > 0. d[i] = (n_i | 1) - 16*(1 - (n_{i+1} & 1)) for nibbles n_i. */
function oddDigits(kb: Uint8Array): Int8Array {
  const L = kb.length, m = 2 * L, d = new Int8Array(m);
  let i: number, ni: number, nx: number;
  for (i = 0; i < m; i++) {
    ni = kb[L - 1 - (i >> 1)];
    ni = i & 1 ? ni >> 4 : ni & 15;
    if (i === m - 1) {
      d[i] = ni | 1;
    } else {
      nx = kb[L - 1 - ((i + 1) >> 1)];
      nx = (i + 1) & 1 ? nx >> 4 : nx & 15;
      d[i] = (ni | 1) - ((nx & 1) ? 0 : 16);
    }
  }
  return d;
}

/** Width-5 NAF of a normalized k (24-bit limbs): digits d[0..24N], odd or zero, |d| <= 15.
 *  The bits ahead of position i are read from a small buffer refilled one limb at a time. */
function wnaf5(k: Int32Array): Int8Array {
  const N = k.length, nb = 24 * N, d = new Int8Array(nb + 1);
  let i = 0, buf = k[0], avail = 24, li = 1, carry = 0, b: number, v: number;
  while (i <= nb) {
    if (avail < 5) {
      // buf < 2^avail: append the next limb above it (< 2^28, so >> stays exact)
      if (li < N) buf += k[li] * (1 << avail);
      li++;
      avail += 24;
    }
    b = (buf & 1) + carry;
    if (b !== 1) {
      // even: digit 0 (b = 2 keeps the carry)
      carry = b >> 1;
      buf >>= 1;
      avail--;
      i++;
      continue;
    }
    v = (buf & 31) + carry; // odd
    if (v >= 16) {
      d[i] = v - 32;
      carry = 1;
    } else {
      d[i] = v;
      carry = 0;
    }
    buf >>= 5;
    avail -= 5;
    i += 5;
  }
  return d;
}

/**
 * Jacobian points t[0..n) to affine (Montgomery domain) with one inversion (Montgomery's trick),
 * as steps: the running products of the Z and the inversion's start, the inversion's steps, then
 * `per` points a step, last to first (zi = 1/(z0...zk): 1/zk = zi*acc[k-1], then zi *= zk). The
 * points' x and y are converted in place; result: [x0, y0, x1, y1, ...]. Shared by the generator
 * tables (GTabJob here, the comb of ecbase.ts).
 */
export class BatchAffineJob {
  X: EcCtx;
  t: JPoint[];
  per: number;
  acc: Int32Array[];
  inv: FeInv | null;
  zi: Int32Array;
  out: Int32Array[];
  k: number;
  constructor(X: EcCtx, t: JPoint[], per: number) {
    this.X = X;
    this.t = t;
    this.per = per;
    this.acc = [];
    this.inv = null;
    this.zi = new Int32Array(X.N);
    this.out = [];
    this.k = t.length - 1;
  }
  step(): boolean {
    const X = this.X, F = X.F, t = this.t, acc = this.acc;
    if (acc.length === 0) {
      for (let k = 0; k < t.length; k++) {
        const a = new Int32Array(X.N);
        if (k === 0) a.set(t[0].z);
        else F.mul(a, acc[k - 1], t[k].z);
        acc.push(a);
      }
      this.inv = new FeInv(F, this.zi, acc[t.length - 1]);
      return false;
    }
    if (this.inv) {
      if (this.inv.step()) this.inv = null;
      return false;
    }
    for (let n = 0; n < this.per && this.k >= 0; n++) {
      const k = this.k, zk = X.t1, s = X.t0, zi = this.zi, p = t[k];
      if (k > 0) {
        F.mul(zk, zi, acc[k - 1]);
        F.mul(zi, zi, p.z);
      } else zk.set(zi);
      F.sqr(s, zk);
      F.mul(p.x, p.x, s);
      F.mul(s, s, zk);
      F.mul(p.y, p.y, s);
      this.out[2 * k] = p.x;
      this.out[2 * k + 1] = p.y;
      this.k--;
    }
    if (this.k >= 0) return false;
    this.t = this.acc = [];
    return true;
  }
  result(): Int32Array[] {
    return this.out;
  }
}

/** Builds the affine G table in slices: G, 2G, then 3G..15G (one point operation per step),
 *  then their conversion to affine (BatchAffineJob, one point per step). */
class GTabJob {
  X: EcCtx;
  jt: JPoint[];
  d: JPoint;
  conv: BatchAffineJob | null;
  constructor(X: EcCtx) {
    this.X = X;
    this.jt = [];
    this.d = newPoint(X.N);
    this.conv = null;
  }
  step(): boolean {
    const X = this.X, N = X.N, jt = this.jt;
    if (X.gtab) return true;
    if (this.conv) {
      if (!this.conv.step()) return false;
      X.gtab = this.conv.result();
      this.jt = [];
      return true;
    }
    const p = newPoint(N);
    if (jt.length === 0) {
      p.x.set(X.gx);
      p.y.set(X.gy);
      p.z.set(X.F.one);
      pointDouble(X, this.d, p);
    } else pointAdd(X, p, jt[jt.length - 1], this.d);
    jt.push(p);
    if (jt.length === 8) this.conv = new BatchAffineJob(X, jt, 1);
    return false;
  }
}

/**
 * One step of building the table P, 3P, ..., 15P (Jacobian) of an affine point P (Montgomery
 * domain) in t, with 2P in two: one point operation per call; true once the table is full.
 */
function oddMultiplesStep(X: EcCtx, t: JPoint[], px: Int32Array, py: Int32Array, two: JPoint): boolean {
  const p = newPoint(X.N);
  if (t.length === 0) {
    p.x.set(px);
    p.y.set(py);
    p.z.set(X.F.one);
    t.push(p);
    pointDouble(X, two, p);
    return false;
  }
  pointAdd(X, p, t[t.length - 1], two);
  t.push(p);
  return t.length === 8;
}

/** p, or when neg the point -p in q (p's x and z, its y negated into ny). */
function signedPoint(X: EcCtx, p: JPoint, neg: boolean, q: JPoint, ny: Int32Array): JPoint {
  if (!neg) return p;
  X.F.sub(ny, X.zero, p.y);
  q.x = p.x;
  q.z = p.z;
  q.y = ny;
  return q;
}

/** y of the cached affine table's (2e+1)G, or when neg its negation in ny. */
function gTableY(X: EcCtx, e: number, neg: boolean, ny: Int32Array): Int32Array {
  const gy = (X.gtab as Int32Array[])[2 * e + 1];
  if (!neg) return gy;
  X.F.sub(ny, X.zero, gy);
  return ny;
}

/**
 * k*P for a secret scalar k in [1, n-1] (big-endian, C.size bytes) and an affine point P
 * (Montgomery domain), or P = G when px is null (uses the cached G table). Regular odd-digit
 * windows; the result is Jacobian.
 */
export class MulJob implements Job<JPoint> {
  X: EcCtx;
  neg: boolean;
  d: Int8Array;
  px: Int32Array | null;
  py: Int32Array | null;
  tab: JPoint[];
  gj: GTabJob | null;
  two: JPoint;
  acc: JPoint;
  q: JPoint;
  ny: Int32Array;
  ph: number;
  i: number;
  j: number;
  constructor(C: Curve, k: Int32Array, px: Int32Array | null, py: Int32Array | null) {
    const X = ctx(C), N = X.N;
    this.X = X;
    // make k odd: k*P = -((n-k)*P)
    const kk = new Int32Array(k);
    this.neg = (kk[0] & 1) === 0;
    if (this.neg) {
      const t = new Int32Array(X.n);
      limbsSub(t, kk);
      kk.set(t);
    }
    const kb = new Uint8Array(C.size);
    limbsToBytes(kk, kb, 0, C.size);
    this.d = oddDigits(kb);
    this.px = px;
    this.py = py;
    this.tab = [];
    this.gj = px ? null : new GTabJob(X);
    this.two = newPoint(N);
    this.acc = newPoint(N);
    this.q = newPoint(N);
    this.ny = new Int32Array(N);
    this.ph = px ? 1 : 0;
    this.i = 0;
    this.j = 0;
  }
  step(): boolean {
    const X = this.X, F = X.F;
    let p: JPoint, w: number, e: number;
    if (this.ph === 0) {
      // G table (cached after the first use)
      if (this.gj && !this.gj.step()) return false;
      this.gj = null;
      this.ph = 2;
      this.i = this.d.length - 1;
      this.j = -1;
      return false;
    }
    if (this.ph === 1) {
      // table of P, 3P, ..., 15P (Jacobian): one point operation per step
      if (oddMultiplesStep(X, this.tab, this.px as Int32Array, this.py as Int32Array, this.two)) {
        this.ph = 2;
        this.i = this.d.length - 1;
        this.j = -1;
      }
      return false;
    }
    // main loop: per digit from the top, 4 doublings then one addition
    const acc = this.acc;
    if (this.j >= 0 && this.j < 4) {
      pointDouble(X, acc, acc);
      this.j++;
      return false;
    }
    w = this.d[this.i];
    e = (w < 0 ? -w : w) >> 1;
    if (this.px) {
      p = signedPoint(X, this.tab[e], w < 0, this.q, this.ny);
      if (this.j < 0) pointCopy(acc, p);
      else pointAdd(X, acc, acc, p);
    } else {
      const gx = (X.gtab as Int32Array[])[2 * e], gy = gTableY(X, e, w < 0, this.ny);
      if (this.j < 0) {
        acc.x.set(gx);
        acc.y.set(gy);
        acc.z.set(F.one);
      } else pointAddAffine(X, acc, acc, gx, gy);
    }
    this.j = 0;
    this.i--;
    if (this.i >= 0) return false;
    if (this.neg) F.sub(acc.y, X.zero, acc.y);
    this.tab = [];
    return true;
  }
  result(): JPoint {
    return this.acc;
  }
}

/**
 * u1*G + u2*Q (ECDSA verification; public inputs): interleaved width-5 NAFs, G from the cached
 * affine table, Q from a per-call Jacobian table. u1, u2 < n (normalized limbs). Jacobian result.
 */
export class DualMulJob implements Job<JPoint> {
  X: EcCtx;
  d1: Int8Array;
  d2: Int8Array;
  qx: Int32Array;
  qy: Int32Array;
  tab: JPoint[];
  gj: GTabJob | null;
  two: JPoint;
  acc: JPoint;
  q: JPoint;
  ny: Int32Array;
  ph: number;
  i: number;
  sub: number;
  u1: Int32Array;
  u2: Int32Array;
  constructor(C: Curve, u1: Int32Array, u2: Int32Array, qx: Int32Array, qy: Int32Array) {
    const X = ctx(C), N = X.N;
    this.X = X;
    this.u1 = u1;
    this.u2 = u2;
    this.d1 = this.d2 = new Int8Array(0);
    this.qx = qx;
    this.qy = qy;
    this.tab = [];
    this.gj = new GTabJob(X);
    this.two = newPoint(N);
    this.acc = newPoint(N); // z = 0: infinity
    this.q = newPoint(N);
    this.ny = new Int32Array(N);
    this.ph = -2;
    this.i = 0;
    this.sub = 1; // no doubling before the top digit
  }
  step(): boolean {
    const X = this.X;
    let p: JPoint, w: number;
    if (this.ph === -2) {
      this.d1 = wnaf5(this.u1);
      this.ph = -1;
      return false;
    }
    if (this.ph === -1) {
      this.d2 = wnaf5(this.u2);
      let i = this.d1.length - 1;
      while (i > 0 && this.d1[i] === 0 && this.d2[i] === 0) i--;
      this.i = i;
      this.ph = 0;
      return false;
    }
    if (this.ph === 0) {
      if (this.gj && !this.gj.step()) return false;
      this.gj = null;
      this.ph = 1;
      return false;
    }
    if (this.ph === 1) {
      if (oddMultiplesStep(X, this.tab, this.qx, this.qy, this.two)) this.ph = 2;
      return false;
    }
    const acc = this.acc;
    for (;;) {
      if (this.sub === 0) {
        this.sub = 1;
        pointDouble(X, acc, acc);
        return false;
      }
      if (this.sub === 1) {
        this.sub = 2;
        w = this.d1[this.i];
        if (w !== 0) {
          const e = ((w < 0 ? -w : w) - 1) >> 1; // (2e+1)G
          pointAddAffine(X, acc, acc, (X.gtab as Int32Array[])[2 * e], gTableY(X, e, w < 0, this.ny));
          return false;
        }
      }
      if (this.sub === 2) {
        this.sub = 0;
        w = this.d2[this.i];
        this.i--;
        if (w !== 0) {
          p = signedPoint(X, this.tab[((w < 0 ? -w : w) - 1) >> 1], w < 0, this.q, this.ny);
          pointAdd(X, acc, acc, p);
          if (this.i < 0) {
            this.tab = [];
            return true;
          }
          return false;
        }
        if (this.i < 0) {
          this.tab = [];
          return true;
        }
      }
    }
  }
  result(): JPoint {
    return this.acc;
  }
}

/** ECDSA's final check x(P) mod n == r for a Jacobian P, without an inversion: X == r*Z^2, or X == (r+n)*Z^2 when r + n < p. */
export function jacobianXModNEquals(X: EcCtx, p: JPoint, r: Int32Array): boolean {
  const F = X.F, N = X.N, z2 = new Int32Array(N), t = new Int32Array(N);
  if (feIsZero(F, p.z)) return false;
  F.sqr(z2, p.z);
  feToMont(F, t, r);
  F.mul(t, t, z2);
  if (feEq(F, t, p.x)) return true;
  // r + n < p ?
  let c = 0, s: number, i: number;
  for (i = 0; i < N; i++) {
    s = r[i] + X.n[i] + c;
    t[i] = s & 16777215;
    c = s >> 24;
  }
  if (c !== 0 || limbsCmp(t, F.p) >= 0) return false;
  feToMont(F, t, t);
  F.mul(t, t, z2);
  return feEq(F, t, p.x);
}
