// Ed25519 signature verification (RFC 8032 §5.1.7) on the field of ./field25519.ts, and the
// Edwards-curve arithmetic that X25519's fixed-base multiplication (x25519Base) shares.
//
// Strict, cofactorless verification, as Wycheproof expects:
//  - the signature is exactly 64 bytes and the public key exactly 32;
//  - S must be below the group order L (no malleability);
//  - A must decode (RFC 8032 §5.1.3): canonical y (< p), x recoverable, not "x = 0 with the
//    sign bit set";
//  - R' = [S]B - [k]A with k = SHA-512(R || A || M) mod L is encoded and compared byte for byte
//    with the R of the signature; a non-canonical or undecodable R can never match an encoding
//    we produce, so R needs no separate decoding.
//
// Points use extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, x y = T/Z, on
// -x^2 + y^2 = 1 + d x^2 y^2 (Hisil-Wong-Carter-Dawson 2008 formulas, a = -1; the addition is
// complete since -1 is a square and d is not). [S]B - [k]A is one interleaved double-and-add
// from the top bit down (Straus/Shamir) over a width-5 NAF of S, with the odd multiples
// 1B..15B as a constant table, and a width-4 NAF of k, with 1A, 3A, 5A, 7A computed per
// verification (4 points, ~1.4 KB of RAM): ~253 doublings and ~93 additions. Verification
// works on public data only, so nothing here tries to be constant-time.
//
// Bounds (see field25519.ts: a product is exact when the two factors' limb bounds multiply to
// at most 10 R^2; mul/sqr outputs are R-reduced): every coordinate of a point is a mul output
// (R); the formulas below use sums of at most 2 such values per factor, except F' in the
// doubling (4 R) whose partners E and G are 2 R (4 * 2 = 8), and the addition of an affine
// table point: its coordinates are raw bytes (limbs < 2^24 = 1.9 R: products 2 * 1.9) and
// D = 2 Z1 makes F and G 3 R (F G = 3 * 3 = 9 <= 10).

import type { Job } from "../util/job";
import type { Hash } from "./types";
import { runSync } from "../util/job";
import { fromHex } from "../util/bytes";
import { SHA512 } from "./sha2";
import {
  type Fe, fe, feInt, feMul, feSqr, feAdd, feSub, feNeg, feFromBytes, feFromBytesRaw, feBytes, FePow,
} from "./field25519";

/** Field operations per Job step (a field multiplication is ~0.1 ms on the release interpreter). */
export const ED25519_OPS_PER_STEP = 40;
/** Bytes of the message hashed per Job step. */
export const ED25519_HASH_BYTES_PER_STEP = 256;

// Constants, little-endian hex (the tests derive them again with BigInt).
const D_HEX = "a3785913ca4deb75abd841414d0a700098e879777940c78c73fe6f2bee6c0352"; // d = -121665/121666
const D2_HEX = "59f1b226949bd6eb56b183829a14e00030d1f3eef2808e19e7fcdf56dcd90624"; // 2d
const SQRTM1_HEX = "b0a00e4a271beec478e42fad0618432fa7d7fb3d99004d2b0bdfc14f8024832b"; // sqrt(-1)
const L_HEX = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"; // group order L

/** The constants above, for the unit tests. */
export function edConstantsHex(): { d: string; d2: string; sqrtm1: string; L: string } {
  return { d: D_HEX, d2: D2_HEX, sqrtm1: SQRTM1_HEX, L: L_HEX };
}

/**
 * The odd multiples 1B, 3B, ..., 15B of the base point, affine, each as y+x, y-x, 2d x y (32
 * bytes little-endian each, 96 per point), base64. Generated offline with BigInt arithmetic;
 * the unit tests recompute them.
 */
export function oddBTable(): Uint8Array {
  return b64("hTuM9caTvC8ZDoz7xi2Tz8JCPWSYSAsnZbrUMzqdzwc+kUDXBTkQnbO+QNEFnzn9CYqPaDSEwaVnEviYki/9RGiqeocFEsmr" +
  "nsSqzCPo2SaMWUPdy30bWqhlDJ9oexFvMJfuTKiwJa+KS4boMIRaAjJnAZ8CUBvB9PiAmhtOFnpl0vyk6B9hVn26weX9U9M7" +
  "vdZLIRrzMYFi2ltVhxW5KonY0A0/k64UYto1HCIjlFhM2/KMReVw0ca0uRKvJihaM7ulCES8EqIC7V7Hw0hQjUTsv1oM6xvd" +
  "6wbiRvHMRSm61kekw4KRf7cpJ0vRFADVh6BkuBzxPOPzVRvrc35KFYWCKoHx27u8/NG90AcIDictp70bC2cbtJq2O2tpvqpD" +
  "v6NOlNBcGmvSwJ2zOjVwdEkuVCiCUrJxfpI8KGnqG0axITKqmixvuqcjujtTIaBsOiwZkk926p3gF1MuXd1uHaKzuAHIbYPx" +
  "mqQ+BUdfA7PzrXdYukGcUqeQD2ocu596L2OopopnLpvFRrxRb55QprX1hsbJM7LOWX/dijPtuTRkgJ0DfiFu85tBIPW2gaCY" +
  "RLBe5wjGy5aPnNz6UVrASRuvRZC/6LQGL9IZp+iD/+IWz9STKfz2qgaLABsCcsFz3iqAioQAvy8nLjACz/7Z5QY0cBdxhD4R" +
  "r49tVOKqdUJIQ4ZJAltfMYGDCHdps9Y+leuNalV1oKN/x9UpgFmrGOmJYP3FLCvYpOSCMqG0HgMihhq1mRExREj5PbUiVcY9" +
  "bX8AoiLCcL/b3ry1mrOEvwe6B/sSDnpTQfJGw+7XTyOTv38yOwFvUGtvd5vJ6/yuaFmtqjKyEp2nJGAXLYhnAnijLnMZoWBT" +
  "cdSN37HmNyQz5aeR+DfvomN4Car9pntJoOrPEwPMziRtJJwYjcJIhtDU8sH6vb0tK+ct8Rcp4mELz4xGhs0LBNYQmSqkm4LT" +
  "klGyBwgwCHW/XtAYQs21Qxa10Jsvdppd7t4/N06vOOtwQtaTfVouA0LY5AohYR1R");
}

declare const E: any;
declare function atob(s: string): string;

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Base64 to bytes, for our own constants: the interpreter's native atob and E.toUint8Array
 * (fast), or a JS decoder on hosts without atob (the board mock's realm).
 */
export function b64(s: string): Uint8Array {
  if (typeof atob === "function" && typeof E !== "undefined") return E.toUint8Array(atob(s));
  let n = (s.length >> 2) * 3;
  if (s.charAt(s.length - 1) === "=") n--;
  if (s.charAt(s.length - 2) === "=") n--;
  const out = new Uint8Array(n);
  let acc = 0, bits = 0, o = 0;
  for (let i = 0; i < s.length && o < n; i++) {
    acc = (acc << 6) | B64.indexOf(s.charAt(i));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = acc >> bits;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

function feHex(h: string): Fe {
  const o = fe();
  feFromBytes(o, fromHex(h), 0);
  return o;
}

/** A point in extended coordinates. */
export interface Pt { X: Fe; Y: Fe; Z: Fe; T: Fe; }
/** A point prepared for addition: Y+X, Y-X, 2d T, 2 Z (sums left uncarried: 2 R). */
interface Cached { P: Fe; M: Fe; T2d: Fe; Z2: Fe; }

/** A new point, the neutral element (0 : 1 : 1 : 0). */
export function pt(): Pt {
  const p = { X: fe(), Y: fe(), Z: fe(), T: fe() };
  p.Y[0] = 1;
  p.Z[0] = 1;
  return p;
}

/** Scratch field elements (and 2d) for the point formulas. */
export class EdCtx {
  a: Fe; b: Fe; c: Fe; e: Fe; f: Fe; g: Fe; h: Fe;
  d2: Fe;
  constructor() {
    this.a = fe(); this.b = fe(); this.c = fe(); this.e = fe(); this.f = fe(); this.g = fe(); this.h = fe();
    this.d2 = feHex(D2_HEX);
  }
}

/** r = 2 p (r may be p). T is computed only when withT (an addition follows). 3S + 4..5M. */
export function ptDbl(x: EdCtx, r: Pt, p: Pt, withT: boolean): void {
  const a = x.a, b = x.b, c = x.c, e = x.e, f = x.f, g = x.g;
  feSqr(a, p.X); // A = X^2
  feSqr(b, p.Y); // B = Y^2
  feSqr(c, p.Z); // Z^2 (C = 2 Z^2)
  feMul(e, p.X, p.Y);
  feAdd(e, e, e); // E = 2 X Y = (X + Y)^2 - A - B                      (2 R)
  feSub(g, b, a); // G = B - A  (= a A + B with a = -1)                  (2 R)
  feAdd(f, c, c);
  feSub(f, f, g); // F' = C - G = -F                                    (4 R)
  feAdd(b, a, b); // H' = A + B = -H                                    (2 R)
  // With F' = -F and H' = -H, E F' = -X3, G H' = -Y3, E H' = -T3 and F' G = -Z3: all four
  // coordinates negated, the same projective point.
  feMul(r.X, e, f);
  feMul(r.Y, g, b);
  if (withT) feMul(r.T, e, b);
  feMul(r.Z, f, g);
}

/**
 * r = p + q (neg: p - q) with q = (Y+X, Y-X, 2d T) and 2Z: z2 = null means Z = 1 (an affine
 * table point: D = 2 Z1 needs no multiplication). T is computed only when withT.
 * 8M (7M without T; one less for an affine q).
 */
function ptAddQ(x: EdCtx, r: Pt, p: Pt, qP: Fe, qM: Fe, qT: Fe, z2: Fe | null, neg: boolean, withT: boolean): void {
  const a = x.a, b = x.b, c = x.c, e = x.e, f = x.f, g = x.g, h = x.h;
  feSub(e, p.Y, p.X);
  feMul(a, e, neg ? qP : qM); // A = (Y1 - X1)(Y2 - X2); -q swaps Y2+X2 and Y2-X2
  feAdd(e, p.Y, p.X);
  feMul(b, e, neg ? qM : qP); // B = (Y1 + X1)(Y2 + X2)
  feMul(c, p.T, qT); // C = 2d T1 T2 (negated for -q)
  if (z2) feMul(h, p.Z, z2); // D = 2 Z1 Z2
  else feAdd(h, p.Z, p.Z);
  feSub(e, b, a); // E = B - A
  if (neg) {
    feAdd(f, h, c); // F = D - (-C)
    feSub(g, h, c); // G = D + (-C)
  } else {
    feSub(f, h, c); // F = D - C
    feAdd(g, h, c); // G = D + C
  }
  feAdd(h, b, a); // H = B + A
  feMul(r.X, e, f);
  feMul(r.Y, g, h);
  if (withT) feMul(r.T, e, h);
  feMul(r.Z, f, g);
}

/**
 * r = p + table[idx] (neg: minus it) for a table of affine points as bytes (96 per point:
 * y+x, y-x, 2d x y), decoded into the scratch elements q0..q2.
 */
export function ptAddTab(x: EdCtx, r: Pt, p: Pt, tab: Uint8Array, idx: number, q: Fe[], neg: boolean, withT: boolean): void {
  feFromBytesRaw(q[0], tab, 96 * idx); // raw limbs: 1.9 R, see the bounds above
  feFromBytesRaw(q[1], tab, 96 * idx + 32);
  feFromBytesRaw(q[2], tab, 96 * idx + 64);
  ptAddQ(x, r, p, q[0], q[1], q[2], null, neg, withT);
}

function toCached(x: EdCtx, q: Cached, p: Pt): void {
  feAdd(q.P, p.Y, p.X);
  feSub(q.M, p.Y, p.X);
  feMul(q.T2d, p.T, x.d2);
  feAdd(q.Z2, p.Z, p.Z);
}

function cached(): Cached {
  return { P: fe(), M: fe(), T2d: fe(), Z2: fe() };
}

/** Little-endian 32-byte a < b? */
function lt32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] < b[i];
  }
  return false;
}

/** r += sgn * L over 12 limbs of 24 bits with floor carries; returns the carry out of limb 11. */
function scAddL(r: Float64Array, ll: Float64Array, sgn: number): number {
  let c = 0, v = 0;
  for (let i = 0; i < 12; i++) {
    v = r[i] + (i < 11 ? sgn * ll[i] : 0) + c;
    c = Math.floor(v / 16777216);
    r[i] = v - c * 16777216;
  }
  return c;
}

/** r >= L (r normalized, 12 limbs)? */
function scGeL(r: Float64Array, ll: Float64Array): boolean {
  if (r[11] !== 0) return true;
  for (let i = 10; i >= 0; i--) if (r[i] !== ll[i]) return r[i] > ll[i];
  return true;
}

/**
 * k = h mod L for a 64-byte little-endian h, as 32 bytes little-endian. Horner over 24-bit
 * limbs: r = r * 2^24 + next limb (r < 2^277), then r -= q L with q = floor(r / 2^252) taken
 * from the two top limbs. L is just above 2^252, so q is the quotient give or take one: one
 * correction either way fixes it. Values: q < 2^25, q L_i < 2^49: exact in doubles. Not hot.
 */
export function scReduce(hh: Uint8Array): Uint8Array {
  const L = fromHex(L_HEX);
  const ll = new Float64Array(11), r = new Float64Array(12);
  let i = 0, j = 0, q = 0;
  for (i = 0; i < 11; i++) ll[i] = L[3 * i] + L[3 * i + 1] * 256 + (i < 10 ? L[3 * i + 2] * 65536 : 0);
  for (j = 21; j >= 0; j--) {
    for (i = 11; i > 0; i--) r[i] = r[i - 1];
    r[0] = j === 21 ? hh[63] : hh[3 * j] + hh[3 * j + 1] * 256 + hh[3 * j + 2] * 65536;
    q = r[11] * 4096 + Math.floor(r[10] / 4096);
    for (i = 0; i < 11; i++) r[i] -= q * ll[i];
    if (scAddL(r, ll, 0) < 0) scAddL(r, ll, 1);
    else if (scGeL(r, ll)) scAddL(r, ll, -1);
  }
  const out = new Uint8Array(32);
  for (i = 0; i < 11; i++) {
    out[3 * i] = r[i];
    out[3 * i + 1] = r[i] >> 8;
    if (i < 10) out[3 * i + 2] = r[i] >> 16;
  }
  return out;
}

/**
 * Width-w NAF of a 256-bit little-endian scalar: digits odd in -(2^(w-1)-1)..2^(w-1)-1 or 0,
 * at most one nonzero digit in any w consecutive positions, sum(naf[i] 2^i) = scalar.
 * 257 entries.
 */
function wnaf(s: Uint8Array, w: number): Int8Array {
  const bits = new Uint8Array(264);
  const naf = new Int8Array(257);
  const full = 1 << w, half = full >> 1;
  let i = 0, v = 0, j = 0;
  for (i = 0; i < 256; i++) bits[i] = (s[i >> 3] >> (i & 7)) & 1;
  i = 0;
  while (i < 257) {
    if (bits[i] === 0) {
      i++;
      continue;
    }
    v = 0;
    for (j = w - 1; j >= 0; j--) {
      v = 2 * v + bits[i + j];
      bits[i + j] = 0;
    }
    if (v > half) {
      // v 2^i = (v - 2^w) 2^i + 2^(i+w): carry one into position i + w.
      v -= full;
      j = i + w;
      while (bits[j] === 1) bits[j++] = 0;
      bits[j] = 1;
    }
    naf[i] = v;
    i += w;
  }
  return naf;
}

/** Sets p = (x, y, 1, x y). */
function ptFromXY(p: Pt, px: Fe, py: Fe): void {
  p.X.set(px);
  p.Y.set(py);
  p.Z.set(feInt(1));
  feMul(p.T, px, py);
}

function feEq(a: Fe, b: Fe): boolean {
  const x = feBytes(a), y = feBytes(b);
  let d = 0;
  for (let i = 0; i < 32; i++) d |= x[i] ^ y[i];
  return d === 0;
}

/**
 * Ed25519 verification as a Job (RFC 8032 §5.1.7, strict: see the file header). The result
 * is false for any malformed input; it never throws for bad signatures or keys. Each step()
 * does about ED25519_OPS_PER_STEP field operations or hashes ED25519_HASH_BYTES_PER_STEP bytes.
 */
export function ed25519VerifyJob(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): Job<boolean> {
  let phase = 0, res = false, done = false;
  let x: EdCtx, pw: FePow, ay: Fe, au: Fe, av: Fe, av3: Fe, w: Fe, A: Pt, h: Hash, hashed = 0;
  let nafS: Int8Array, nafK: Int8Array, tabA: Cached[], tabB: Uint8Array, q: Fe[], P: Pt;
  let pos = 256, started = false, zi: Fe;

  function finish(ok: boolean): boolean {
    res = ok;
    done = true;
    return true;
  }

  // Phase 0: checks, start of A's decoding: y, u = y^2 - 1, v = d y^2 + 1, then
  // x = u v^3 (u v^7)^((p-5)/8) (RFC 8032 §5.1.3) with the power computed in slices (phase 1).
  function start(): boolean {
    if (publicKey.length !== 32 || sig.length !== 64) return finish(false);
    if (!lt32(sig.subarray(32, 64), fromHex(L_HEX))) return finish(false); // S >= L
    x = new EdCtx();
    ay = fe();
    feFromBytes(ay, publicKey, 0);
    const yb = feBytes(ay);
    yb[31] |= publicKey[31] & 128;
    for (let i = 0; i < 32; i++) if (yb[i] !== publicKey[i]) return finish(false); // y >= p
    au = fe(); av = fe(); av3 = fe(); w = fe();
    const y2 = fe();
    feSqr(y2, ay);
    feSub(au, y2, feInt(1)); // u = y^2 - 1       (R + 1)
    feMul(av, y2, feHex(D_HEX));
    feAdd(av, av, feInt(1)); // v = d y^2 + 1     (R + 1)
    feSqr(av3, av);
    feMul(av3, av3, av); // v^3
    feSqr(w, av3);
    feMul(w, w, av); // v^7
    feMul(w, w, au); // u v^7
    pw = new FePow(w, w, true);
    phase = 1;
    return false;
  }

  // Phase 2: x from the power and the decoding checks.
  function decoded(): boolean {
    const ax = fe(), t = fe();
    feMul(ax, au, av3);
    feMul(ax, ax, w); // candidate x = u v^3 (u v^7)^((p-5)/8)
    feSqr(t, ax);
    feMul(t, t, av); // v x^2
    if (!feEq(t, au)) {
      feNeg(au, au);
      if (!feEq(t, au)) return finish(false); // no square root: not a point
      feMul(ax, ax, feHex(SQRTM1_HEX));
    }
    const sign = publicKey[31] >> 7;
    const xb = feBytes(ax);
    let nz = 0;
    for (let i = 0; i < 32; i++) nz |= xb[i];
    if (nz === 0 && sign === 1) return finish(false); // x = 0 with the sign bit set
    if ((xb[0] & 1) !== sign) feNeg(ax, ax);
    A = pt();
    ptFromXY(A, ax, ay);
    phase = 3;
    return false;
  }

  // Phase 3: 1A, 3A, 5A, 7A (cached), from A and 2A (~35 field operations); starts
  // k = SHA-512(R || A || M).
  function tableA(): boolean {
    const A2 = pt(), c2 = cached();
    ptDbl(x, A2, A, true);
    toCached(x, c2, A2);
    tabA = [];
    for (let i = 0; i < 4; i++) {
      if (i > 0) ptAddQ(x, A, A, c2.P, c2.M, c2.T2d, c2.Z2, false, true);
      const c = cached();
      toCached(x, c, A);
      tabA.push(c);
    }
    h = SHA512.create();
    h.update(sig.subarray(0, 32));
    h.update(publicKey);
    phase = 4;
    return false;
  }

  // Phase 4: the message, in slices; then k mod L and the recodings of S and k.
  function hashing(): boolean {
    const n = msg.length - hashed < ED25519_HASH_BYTES_PER_STEP ? msg.length - hashed : ED25519_HASH_BYTES_PER_STEP;
    h.update(msg.subarray(hashed, hashed + n));
    hashed += n;
    if (hashed < msg.length) return false;
    nafK = wnaf(scReduce(h.digest()), 4);
    nafS = wnaf(sig.subarray(32, 64), 5);
    tabB = oddBTable();
    q = [fe(), fe(), fe()];
    P = pt();
    phase = 5;
    return false;
  }

  // Phase 5: R' = [S]B - [k]A from the top digit down, starting from the neutral point.
  // Doublings of the neutral point are skipped. Each position costs a doubling (~8 field ops)
  // and ~9 per nonzero digit.
  function ladder(): boolean {
    let ops = 0, ds = 0, dk = 0, c: Cached;
    while (ops < ED25519_OPS_PER_STEP) {
      if (pos < 0) {
        zi = fe();
        pw = new FePow(zi, P.Z, false);
        phase = 6;
        return false;
      }
      ds = nafS[pos];
      dk = nafK[pos];
      if (started) {
        ptDbl(x, P, P, ds !== 0 || dk !== 0);
        ops += 8;
      }
      if (ds !== 0) {
        ptAddTab(x, P, P, tabB, (ds < 0 ? -ds : ds) >> 1, q, ds < 0, dk !== 0);
        started = true;
        ops += 9;
      }
      if (dk !== 0) {
        // -[k]A: the digit's sign is flipped.
        c = tabA[(dk < 0 ? -dk : dk) >> 1];
        ptAddQ(x, P, P, c.P, c.M, c.T2d, c.Z2, dk > 0, false);
        started = true;
        ops += 9;
      }
      pos--;
    }
    return false;
  }

  // Phase 7: encode R' = (X/Z, Y/Z) and compare with the signature's R.
  function encode(): boolean {
    const X = fe(), Y = fe();
    feMul(X, P.X, zi);
    feMul(Y, P.Y, zi);
    const enc = feBytes(Y);
    enc[31] |= (feBytes(X)[0] & 1) << 7;
    let d = 0;
    for (let i = 0; i < 32; i++) d |= enc[i] ^ sig[i];
    return finish(d === 0);
  }

  return {
    step: function (): boolean {
      if (done) return true;
      if (phase === 0) return start();
      if (phase === 1) {
        if (pw.run(ED25519_OPS_PER_STEP)) phase = 2;
        return false;
      }
      if (phase === 2) return decoded();
      if (phase === 3) return tableA();
      if (phase === 4) return hashing();
      if (phase === 5) return ladder();
      if (phase === 6) {
        if (pw.run(ED25519_OPS_PER_STEP)) phase = 7;
        return false;
      }
      return encode();
    },
    result: function (): boolean {
      return res;
    },
  };
}

/** Ed25519 verification, synchronously: true when sig is a valid signature of msg under publicKey. */
export function ed25519Verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  return runSync(ed25519VerifyJob(publicKey, msg, sig));
}
