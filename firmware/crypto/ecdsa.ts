// ECDSA signature verification on P-256 / P-384 (FIPS 186-4 §6.4.2 / SEC1 §4.1.4).
//
//   - The digest is the caller's hash of the message; it is truncated to the bit length of n
//     (the leftmost C.size bytes: both orders have 8*C.size bits) and used as an integer.
//   - Signatures: strict DER SEQUENCE { INTEGER r, INTEGER s } (definite minimal lengths,
//     minimal positive INTEGERs, nothing after the SEQUENCE) or P1363 r‖s (exactly 2*C.size
//     bytes). Any encoding deviation, or r or s outside [1, n-1], makes verify return false.
//   - A public key that is not a valid uncompressed point on the curve throws
//     CRYPTO_BAD_POINT (it is a key problem, not a signature problem).
// Verification computes u1*G + u2*Q with interleaved wNAFs (ecurve.ts DualMulJob) and
// compares x mod n with r without an inversion.

import type { Job } from "../util/job";
import { doneJob, runSync } from "../util/job";
import {
  ctx, decodePoint, DivN, DualMulJob, jacobianXModNEquals, montN, scalarFromBytes, scalarInRange,
} from "./ecurve";
import type { Curve, EcCtx, JPoint } from "./ecurve";
import { limbsFromBytes } from "./ecfield";

/** One DER INTEGER at der[i]: [value start, value end, next index] or null; positive,
 *  minimal, short length form, at most `max` value bytes after removing a leading zero. */
function derInt(der: Uint8Array, i: number, end: number, max: number): number[] | null {
  if (i + 2 > end || der[i] !== 0x02) return null;
  const len = der[i + 1];
  if (len === 0 || len >= 0x80 || i + 2 + len > end) return null;
  let s = i + 2;
  const e = s + len;
  if (der[s] & 0x80) return null; // negative
  if (der[s] === 0) {
    if (len === 1) return [s, e, e]; // zero (rejected by the range check)
    if (!(der[s + 1] & 0x80)) return null; // non-minimal
    s++;
  }
  if (e - s > max) return null;
  return [s, e, e];
}

/** Strict DER ECDSA-Sig-Value to [r, s] limbs, or null. */
export function parseDerSignature(C: Curve, der: Uint8Array): Int32Array[] | null {
  const X = ctx(C), L = der.length;
  if (L < 2 || der[0] !== 0x30) return null;
  let i: number, n: number;
  if (der[1] < 0x80) {
    n = der[1];
    i = 2;
  } else if (der[1] === 0x81 && L > 2 && der[2] >= 0x80) {
    n = der[2];
    i = 3;
  } else return null;
  if (i + n !== L) return null;
  const a = derInt(der, i, L, C.size);
  if (!a) return null;
  const b = derInt(der, a[2], L, C.size);
  if (!b || b[2] !== L) return null;
  const r = new Int32Array(X.N), s = new Int32Array(X.N);
  limbsFromBytes(r, der, a[0], a[1] - a[0]);
  limbsFromBytes(s, der, b[0], b[1] - b[0]);
  return [r, s];
}

/** r, s in [1, n-1], the public point decoded: the verification Job. */
class VerifyJob implements Job<boolean> {
  C: Curve;
  X: EcCtx;
  q: Int32Array[];
  e: Int32Array;
  r: Int32Array;
  div: DivN | null;
  u1: Int32Array | null;
  dual: DualMulJob | null;
  pt: JPoint | null;
  res: boolean;
  constructor(C: Curve, q: Int32Array[], e: Int32Array, r: Int32Array, s: Int32Array) {
    this.C = C;
    this.X = ctx(C);
    this.q = q;
    this.e = e;
    this.r = r;
    // w = R/s mod n, so that montN(e, w) = e/s and montN(r, w) = r/s
    this.div = new DivN(this.X, this.X.rn, s);
    this.u1 = null;
    this.dual = null;
    this.pt = null;
    this.res = false;
  }
  step(): boolean {
    const X = this.X;
    if (this.div) {
      if (!this.div.step()) return false;
      if (!this.u1) {
        this.u1 = new Int32Array(X.N);
        montN(X, this.u1, this.e, this.div.result()); // u1 = e/s
        return false;
      }
      const u2 = new Int32Array(X.N);
      montN(X, u2, this.r, this.div.result()); // u2 = r/s
      this.dual = new DualMulJob(this.C, this.u1, u2, this.q[0], this.q[1]);
      this.div = null;
      return false;
    }
    const d = this.dual;
    if (d) {
      if (d.step()) {
        this.pt = d.result();
        this.dual = null;
      }
      return false;
    }
    this.res = jacobianXModNEquals(X, this.pt as JPoint, this.r);
    return true;
  }
  result(): boolean {
    return this.res;
  }
}

function verifyJob(C: Curve, publicPoint: Uint8Array, digest: Uint8Array, rs: Int32Array[] | null): Job<boolean> {
  const q = decodePoint(C, publicPoint); // throws CRYPTO_BAD_POINT
  const X = ctx(C);
  if (!rs || !scalarInRange(X, rs[0]) || !scalarInRange(X, rs[1])) return doneJob(false);
  const e = scalarFromBytes(X, digest.length > C.size ? digest.subarray(0, C.size) : digest) as Int32Array;
  return new VerifyJob(C, q, e, rs[0], rs[1]);
}

/** ECDSA verification with a DER signature, as a Job (each step one point operation or
 *  similar: under ~3 ms for P-256, ~6 ms for P-384 on the release interpreter). */
export function ecdsaVerifyJob(C: Curve, publicPoint: Uint8Array, digest: Uint8Array, derSig: Uint8Array): Job<boolean> {
  return verifyJob(C, publicPoint, digest, parseDerSignature(C, derSig));
}

/** ECDSA verification with a P1363 signature r‖s (2*C.size bytes), as a Job. */
export function ecdsaVerifyP1363Job(C: Curve, publicPoint: Uint8Array, digest: Uint8Array, rs: Uint8Array): Job<boolean> {
  let v: Int32Array[] | null = null;
  if (rs.length === 2 * C.size) {
    const X = ctx(C), r = new Int32Array(X.N), s = new Int32Array(X.N);
    limbsFromBytes(r, rs, 0, C.size);
    limbsFromBytes(s, rs, C.size, C.size);
    v = [r, s];
  }
  return verifyJob(C, publicPoint, digest, v);
}

/** ECDSA verification, DER signature, synchronously (P-256 ~0.7 s on the release interpreter). */
export function ecdsaVerify(C: Curve, publicPoint: Uint8Array, digest: Uint8Array, derSig: Uint8Array): boolean {
  return runSync(ecdsaVerifyJob(C, publicPoint, digest, derSig));
}

/** ECDSA verification, P1363 signature r‖s, synchronously. */
export function ecdsaVerifyP1363(C: Curve, publicPoint: Uint8Array, digest: Uint8Array, rs: Uint8Array): boolean {
  return runSync(ecdsaVerifyP1363Job(C, publicPoint, digest, rs));
}
