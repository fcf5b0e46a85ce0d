// The blinding pair of RSA signing (Kocher): vi = r^e mod n and vf = 1/r mod n for a secret
// random r. rsa-sign.ts multiplies the message by vi before the private exponentiation and the
// result by vf after it, so the exponentiation never sees the message; after each signature
// the pair is squared (vi^2, vf^2 are a pair again).
//
// r is the product of six random odd 30-bit numbers r_i (2^29 <= r_i < 2^30: 28 random bits
// each, 168 in all). r^e mod n is then a full-size residue that no one can predict, and 1/r
// costs six small extended Euclids instead of a private-key exponentiation (Fermat, as the
// first version did, cost as much as a signature): with Q = floor(n / r_i) and rho = n - Q r_i,
// Euclid on (r_i, rho) < 2^30 in doubles gives a r_i + b rho = 1, hence
// 1/r_i = a - b Q (mod n), where |b Q| < n. vi needs r^e: 17 products for e = 65537.

import { EtError } from "../errors";
import type { Job } from "../util/job";
import { addLimbs, loadX, loadY, montMul, readX, reduce } from "./bignum";
import type { MontCtx } from "./bignum";
import { ModPowJob } from "./modpow";

/** Blinding pair and cached R^2 values of one key (Montgomery form mod n). */
export interface RsaBlind {
  vi: Int32Array;
  vf: Int32Array;
  r2n: Int32Array;
  r2p: Int32Array;
  r2q: Int32Array;
}

/** Factors of r. */
const FACTORS = 6;

/** One Montgomery product a·b/R, below 2N' and congruent mod N (modN reduces it fully). */
export function mm(C: MontCtx, a: Int32Array, b: Int32Array): Int32Array {
  loadX(C, a);
  loadY(C, b);
  montMul(C);
  return readX(C);
}

/** A = A·k + add over n limbs (k, add < 2^30: each limb product stays below 2^53). */
function mulSmall(A: Int32Array, k: number, add: number): void {
  let c = add;
  for (let i = 0; i < A.length; i++) {
    const v = A[i] * k + c, l = v % 4194304;
    A[i] = l;
    c = (v - l) / 4194304;
  }
  if (c) throw new EtError("CRYPTO_RANGE", "blinding product overflows");
}

/** 1/r mod N (n limbs in [0, N)) for odd 2^29 <= r < 2^30 coprime to N. */
export function smallInverse(C: MontCtx, r: number): Int32Array {
  const N = C.N, n = C.n, Q = new Int32Array(n);
  let rem = 0, i: number;
  for (i = C.h; i >= 0; i--) {
    const cur = rem * 4194304 + N[i]; // < 2^52
    let d = Math.floor(cur / r);
    rem = cur - d * r;
    if (rem < 0) { d--; rem += r; } else if (rem >= r) { d++; rem -= r; } // a quotient rounded up or down
    Q[i] = d;
  }
  let x0 = r, x1 = rem, a0 = 1, a1 = 0, b0 = 0, b1 = 1, t: number, u: number;
  while (x1 > 0) {
    t = Math.floor(x0 / x1);
    u = x0 - t * x1; x0 = x1; x1 = u;
    u = a0 - t * a1; a0 = a1; a1 = u;
    u = b0 - t * b1; b0 = b1; b1 = u;
  }
  if (x0 !== 1 || b0 === 0) throw new EtError("CRYPTO_BAD_KEY", "RSA modulus has a small factor");
  // a0 r + b0 rho = 1 with rho = N - Q r, so 1/r = a0 - b0 Q (mod N); a0 and b0 have opposite
  // signs, |b0| <= r/2 and |a0| < r, so |b0| Q + |a0| < N
  if (b0 < 0) {
    mulSmall(Q, -b0, a0); // a0 + |b0| Q
    reduce(C, Q, 0);
    return Q;
  }
  mulSmall(Q, b0, -a0); // -(a0 - b0 Q) = b0 Q + |a0|, in (0, N)
  const v = new Int32Array(N);
  reduce(C, v, addLimbs(v, Q, n, -1));
  return v;
}

/**
 * Makes a blinding pair into `b` (its r2n too) as a Job: the random factors and r^e (a
 * ModPowJob), then one small inverse and one product per step.
 */
export class BlindPairJob implements Job<RsaBlind> {
  C: MontCtx;
  b: RsaBlind;
  rs: number[];
  pow: ModPowJob;
  /** The factor whose inverse comes next (-1 while r^e is computed) and the product of the
   *  inverses so far (Montgomery form). */
  i: number;
  acc: Int32Array | null;
  v: Int32Array | null;
  done: boolean;
  constructor(C: MontCtx, b: RsaBlind, e: number, random: (n: number) => Uint8Array) {
    const rb = random(4 * FACTORS), r = new Int32Array(C.n);
    this.rs = [];
    r[0] = 1;
    for (let i = 0; i < FACTORS; i++) {
      const k = ((rb[4 * i] & 31) * 16777216 + rb[4 * i + 1] * 65536 + rb[4 * i + 2] * 256 + rb[4 * i + 3]) | 536870913;
      this.rs.push(k);
      mulSmall(r, k, 0);
    }
    const eb = new Uint8Array([e / 16777216 & 255, (e >> 16) & 255, (e >> 8) & 255, e & 255]);
    this.C = C;
    this.b = b;
    this.pow = new ModPowJob(C, r, eb, null);
    this.i = -1;
    this.acc = this.v = null;
    this.done = false;
  }
  step(): boolean {
    const C = this.C, b = this.b;
    if (this.done) return true;
    if (this.i < 0) {
      if (!this.pow.step()) return false;
      b.r2n = this.pow.r2();
      b.vi = mm(C, this.pow.result(), b.r2n); // r^e R
      this.i = 0;
      return false;
    }
    // a step for 1/r_i R, and one for its product with the others (~a product each)
    if (!this.v) {
      this.v = mm(C, smallInverse(C, this.rs[this.i]), b.r2n);
      if (this.acc) return false;
    }
    this.acc = this.acc ? mm(C, this.acc, this.v) : this.v;
    this.v = null;
    if (++this.i < FACTORS) return false;
    b.vf = this.acc; // 1/r R
    this.done = true;
    return true;
  }
  result(): RsaBlind {
    if (!this.done) throw new EtError("JOB_NOT_DONE", "blinding pair read before the job finished");
    return this.b;
  }
}
