// X25519 (RFC 7748 §5) on the field of ./field25519.ts: Montgomery ladder over the 255 bits of
// the clamped scalar, then one inversion.
//
// The ladder keeps its two points as sums and differences: (A, B) = (x2 + z2, x2 - z2) and
// (C, D) = (x3 + z3, x3 - z3), the values RFC 7748's step starts with. One step is then
//   AA = A^2, BB = B^2, DA = D A, (P, M) = (DA + CB, DA - CB), x3 = P^2, z3 = x1 M^2,
//   (C, D) = (x3 + z3, x3 - z3), x2 = AA BB, E = AA - BB, z2 = E (AA + a24 E),
//   (A, B) = (x2 + z2, x2 - z2)
// where every "(u + v, u - v)" is produced by the output stage of the multiplication that
// computes v (feMulPM): no separate additions, and all multiplications are plain ones (which
// can use the native column sums). 4 squarings, 5 multiplications and the a24 step per bit.
// At the end x2 / z2 = (A + B) / (A - B). Bounds: A..D, P, M are sums of two reduced values
// (2R), so every product is at most 2 * 2 (see field25519.ts).
//
// Side channels: the ladder swaps (A, B) and (C, D) by exchanging array references when the
// scalar bit changes, i.e. a branch on a secret bit. An arithmetic (masked) swap would cost
// about 10% more time (44 limbs read, masked and written back per bit) and buy nothing real
// here: the interpreter is not constant-time anyway (small integers and doubles take
// different paths), and the TLS use is ephemeral keys (one scalar multiplication per key),
// where timing leaks cannot be averaged over repetitions. The comb of x25519BaseJob looks
// table entries up by secret digits, for the same reasons.

import { EtError } from "../errors";
import type { Job } from "../util/job";
import { runSync } from "../util/job";
import { EdCtx, pt, ptDbl, ptAddTab, b64 } from "./ed25519";
import type { Pt } from "./ed25519";
import { type Fe, fe, feMul, feMulPM, feSqr, feA24, feAdd, feSub, feCarry, feFromBytes, feToBytes, FePow } from "./field25519";

/** Ladder bits per Job step: ~1.3 ms each on the release interpreter (x86). */
export const X25519_BITS_PER_STEP = 4;
/** Squarings/multiplications of the final inversion per Job step (~0.11 ms each). */
export const X25519_INV_PER_STEP = 40;

function clampScalar(scalar: Uint8Array): Uint8Array {
  if (scalar.length !== 32) throw new EtError("CRYPTO_BAD_KEY", "X25519 scalar must be 32 bytes");
  const k = new Uint8Array(32);
  k.set(scalar);
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
  return k;
}

/**
 * X25519(scalar, u) as a Job: the ladder in slices of X25519_BITS_PER_STEP bits, then the
 * inversion in slices. The result is the 32-byte shared secret (or public key for u = 9).
 * Throws EtError("CRYPTO_ZERO_SHARED_SECRET") from step() when the result is all zeros
 * (u of small order; RFC 7748 §6.1, RFC 8446 §7.4.2 require aborting).
 */
export function x25519Job(scalar: Uint8Array, u: Uint8Array): Job<Uint8Array> {
  if (u.length !== 32) throw new EtError("CRYPTO_BAD_KEY", "X25519 u-coordinate must be 32 bytes");
  const k = clampScalar(scalar);
  const x1 = fe();
  feFromBytes(x1, u, 0); // masks bit 255, accepts non-canonical u (RFC 7748 §5)
  // x2 = 1, z2 = 0: A = B = 1. x3 = u, z3 = 1: C = u + 1, D = u - 1.
  let A = fe(), B = fe(), C = fe(), D = fe();
  A[0] = 1;
  B[0] = 1;
  C.set(x1);
  C[0] += 1;
  D.set(x1);
  D[0] -= 1;
  const aa = fe(), bb = fe(), da = fe(), p = fe(), m = fe(), x2 = fe(), x3 = fe(), e = fe(), f = fe();
  let bit = 254, swap = 0;
  let inv: FePow | null = null;
  let res: Uint8Array | null = null;
  const zi = fe();

  function ladder(n: number): void {
    let t: Fe, kt = 0;
    // Local copies of the hot functions: a module-level name costs a scope scan per call.
    const mul = feMul, mulPM = feMulPM, sqr = feSqr, a24 = feA24;
    while (n-- > 0 && bit >= 0) {
      kt = (k[bit >> 3] >> (bit & 7)) & 1;
      if (swap ^ kt) {
        t = A; A = C; C = t;
        t = B; B = D; D = t;
      }
      swap = kt;
      sqr(aa, A); // AA = (x2 + z2)^2
      sqr(bb, B); // BB = (x2 - z2)^2
      mul(da, D, A); // DA = (x3 - z3)(x2 + z2)
      mulPM(p, m, C, B, da); // CB = (x3 + z3)(x2 - z2); p = DA + CB, m = DA - CB
      sqr(x3, p); // x3 = (DA + CB)^2
      sqr(m, m); // (DA - CB)^2
      mulPM(C, D, m, x1, x3); // z3 = x1 (DA - CB)^2; C = x3 + z3, D = x3 - z3
      mul(x2, aa, bb); // x2 = AA BB
      a24(e, f, aa, bb); // E = AA - BB, F = AA + a24 E
      mulPM(A, B, e, f, x2); // z2 = E F; A = x2 + z2, B = x2 - z2
      bit--;
    }
    if (bit < 0 && swap) {
      t = A; A = C; C = t;
      t = B; B = D; D = t;
      swap = 0;
    }
  }

  return {
    step: function (): boolean {
      if (res) return true;
      if (bit >= 0) {
        ladder(X25519_BITS_PER_STEP);
        return false;
      }
      if (!inv) {
        feSub(e, A, B); // 2 z2 (4R: carried before it is squared)
        feCarry(e, e);
        inv = new FePow(zi, e, false);
      }
      if (!inv.run(X25519_INV_PER_STEP)) return false;
      feAdd(f, A, B); // 2 x2
      feMul(x2, f, zi);
      const out = new Uint8Array(32);
      feToBytes(out, 0, x2);
      let d = 0;
      for (let i = 0; i < 32; i++) d |= out[i];
      if (d === 0) throw new EtError("CRYPTO_ZERO_SHARED_SECRET", "X25519 result is all zeros (small-order public value)");
      res = out;
      return true;
    },
    result: function (): Uint8Array {
      if (!res) throw new EtError("CRYPTO_NOT_DONE", "X25519 job not finished");
      return res;
    },
  };
}

/** X25519(scalar, u), synchronously. Throws EtError("CRYPTO_ZERO_SHARED_SECRET") on an all-zero result. */
export function x25519(scalar: Uint8Array, u: Uint8Array): Uint8Array {
  return runSync(x25519Job(scalar, u));
}

/**
 * The fixed-base comb table: entry j - 1 (j = 1..15) is sum over the bits i of j of
 * 2^(64 i) B, B the Ed25519 base point, affine as y+x, y-x, 2d x y (32 bytes little-endian
 * each, 96 per point), base64. Generated offline with BigInt arithmetic; the unit tests
 * recompute it. 1440 bytes, decoded per call (not kept in RAM).
 */
export function combTable(): Uint8Array {
  return b64("hTuM9caTvC8ZDoz7xi2Tz8JCPWSYSAsnZbrUMzqdzwc+kUDXBTkQnbO+QNEFnzn9CYqPaDSEwaVnEviYki/9RGiqeocFEsmr" +
  "nsSqzCPo2SaMWUPdy30bWqhlDJ9oexFvFfXRd+dlKs3xYKqPh5GJVOUGvNq8O7ex+8l8qct4SGX+sPaNx44TURv1deWJ2pdT" +
  "ufF6cR16IAlQ1iAruv0CIaHmXAUF5J6WKa1REminvDYVpH2qF/UaOrqy7CnbJdcK6FkeYIXFVQBgDkhmKzSTh0zkRf7QqhQ+" +
  "K88TSObY6iakYoSctrh1y9cc02fFb9gt9kITiOxyGc0vL8EPl7V1CUOnW9oDI89jbrrxUoGdvwTaZ3Oq0JA3M+rF9p1HcEZT" +
  "oo6trL8EO1iE6IsU6EO3KdvFEAg7WB4rqruzjuVJVCtHvj3rYnU6X7igvY5UOOr3mXJ0RTHlwwBR1ScW5+kEE/6c3GrSFJh4" +
  "C91Iiz+rGzwKxnn5/+EP2pPWLXwt3mhESGe8440nGCH3DrLQYP0f55ixe8ZRvlH1TT1U0GQ2oSbuOaMTOy1SKSmV2GxQJVKF" +
  "8fD0rNQ66t8udEJ5umvXSR3mVo0zQvoUmilRw0Y5HRmFsa2nbVd9JMLt/Kjjrx9OTARqIz0F5xXjh407sbzdPCioIdPSYJlR" +
  "pLvFDw+aVU4ccBKcdugA/l87nAMK3NyVG+sCDEtFacEMU4df0yFwch4k3ycHBHGlNg2QsqrvRd/emqZgXNtu/h3Auwcwt/xk" +
  "ypDTb8xY7zj8mBoXdWV471/WQsSPt1CI74bQb23GNG8E3Jg4tMvzkye3B0Oy/5EHHZg0zpaAvddtn4SLjotZC4n2wgyKwc8R" +
  "Ks4ptQdGEYFAWQvARsCbCshmrLGwKCFBwBoMyJ3MbaY2pDgb9Fygl8bX25W+8+unq31+jfa4oH2mdVY4FCB47+ip/aown2Si" +
  "y6jfXFDr0UyzwE0duloRRnbatcNTGQ/Um54RIXNvrB1gWbL+IWDMA0tLZ4N+iF9a9MGiDBhgjQpA32jM27BegZlOL7hHeubX" +
  "wBV/YJAooEWE8UH90Wbz/h7hzwERSmmLTadQAV7hOUu6UdNqPfATQMxl4G7cggK9RuZKIv2UuTZ06Lz+2JpOU09u8NnBVSJI" +
  "APjOcc/qAzy7/orKRHU2kHfEKWoo6j84YlRlvLCThU6MY+WjShHeEg3yxCmpSiq6oxOLe53SsFZEeZt7SRq5awbS58VG5kkq" +
  "RcRjks35PrGeUqvt6GyrUJvj67B5fc8gSFznik6P0stgCwBEkQLePHAhvJjIuTs3hghXn1OIEXzKff7wnZO0fc5RqcsPuQ71" +
  "HR1+NRzmiwmdRpmIN2I1AgNMWuH67/YgBY53PJQKRy9n3pn8Awr1eYMUBtGIAdI43xVjDq0R6COQsq7iBQ1lC2xYXadZD7q3" +
  "7k0fXtTtPgQXMgfH8kfB9gzSr/MZuVHGAvhBcP3bjyU+B0VPqU88F8T5jZJg6nE9LVZzMwZ4fluyUpWiTFGw2XLEPJkkcCoe" +
  "H4Fc1LwPGmADCOySfby3JH9A0hcr5sqgJlsiBu5Dy1+k+wk1uQkFMXUbYwV2s40NhxxAUrrM3pdz57IR9ElGBF8hmJWtJA0M" +
  "jGI2zCaQfxvq3BZwVS+OM4/lwFz6G4oMTBAdaLUD541Fy2MSWXovPWNs5RwXDHGuyubD/H58hWvAASiLtFbSecQPQDysvp9+" +
  "QbozRx2rUafKikHd9SveCX9o8O/zD/E7onvj8TTqul5NA2YdJmGe5MpCssMqbkZbQrj7R2frfhOLGoFgdVzfeZrI+HFvpyta" +
  "wv/IO1YqlQk8+H7cS8uooibCk1/6xrWWpeNkBhvr69Qvz8bl3EqbQMRQQ4O5PdVEtAX1pQWTKYkv/0lZovoi+2R9ZQSnaLlp");
}

/** Comb columns per Job step (~1.7 ms each on the release interpreter). */
export const X25519_COMB_COLS_PER_STEP = 2;

/**
 * [k]B for a 32-byte little-endian k (bits 0..255) on the Ed25519 curve with a 4-tooth comb
 * (teeth 64 bits apart, the 15 sums of teeth precomputed: combTable): 63 doublings and at most
 * 64 additions of table points, X25519_COMB_COLS_PER_STEP columns per run(). Shared by X25519's
 * public key and Ed25519 signing. The result P is in extended coordinates (T not kept).
 */
export class EdCombMul {
  k: Uint8Array;
  x: EdCtx;
  P: Pt;
  tab: Uint8Array;
  q: Fe[];
  col: number;
  started: boolean;
  constructor(k: Uint8Array) {
    this.k = k;
    this.x = new EdCtx();
    this.P = pt();
    this.tab = combTable();
    this.q = [fe(), fe(), fe()];
    this.col = 63;
    this.started = false;
  }
  bit(i: number): number {
    return (this.k[i >> 3] >> (i & 7)) & 1;
  }
  /** A few columns; true when P = [k]B. */
  run(): boolean {
    const x = this.x, P = this.P;
    let n = X25519_COMB_COLS_PER_STEP, d = 0, col = this.col;
    while (n-- > 0 && col >= 0) {
      d = this.bit(col) | (this.bit(col + 64) << 1) | (this.bit(col + 128) << 2) | (this.bit(col + 192) << 3);
      if (this.started) ptDbl(x, P, P, d !== 0);
      if (d !== 0) {
        ptAddTab(x, P, P, this.tab, d - 1, this.q, false, false);
        this.started = true;
      }
      col--;
    }
    this.col = col;
    return col < 0;
  }
}

/**
 * X25519(scalar, 9), the public key, as a Job. Not the ladder: [k]B on the birationally
 * equivalent Edwards curve by the comb (EdCombMul), then u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y)
 * (RFC 7748 §4.1). About half the work of the ladder. The clamped scalar is used as is (bits
 * 0..254; clamping makes bit 255 zero).
 */
export function x25519BaseJob(scalar: Uint8Array): Job<Uint8Array> {
  const comb = new EdCombMul(clampScalar(scalar)), P = comb.P;
  const zi = fe(), num = fe(), den = fe();
  let combing = true, inv: FePow | null = null, res: Uint8Array | null = null;
  return {
    step: function (): boolean {
      if (res) return true;
      if (combing) {
        if (comb.run()) combing = false;
        return false;
      }
      if (!inv) {
        feSub(den, P.Z, P.Y); // 2R: carried before it is squared
        feCarry(den, den);
        inv = new FePow(zi, den, false);
      }
      if (!inv.run(X25519_INV_PER_STEP)) return false;
      feAdd(num, P.Z, P.Y);
      feMul(num, num, zi);
      const out = new Uint8Array(32);
      feToBytes(out, 0, num);
      res = out;
      return true;
    },
    result: function (): Uint8Array {
      if (!res) throw new EtError("CRYPTO_NOT_DONE", "X25519 job not finished");
      return res;
    },
  };
}

/** The X25519 public key of a private scalar: X25519(scalar, 9) (by the comb: x25519BaseJob). */
export function x25519Base(scalar: Uint8Array): Uint8Array {
  return runSync(x25519BaseJob(scalar));
}
