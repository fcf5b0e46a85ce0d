// k*G for secret scalars on P-256 / P-384 (ECDSA nonces, key generation, key shares) with a
// regular signed comb: ~d = 52 (P-256) / 77 (P-384) doublings and as many mixed additions,
// against ~4x as many doublings for the windowed MulJob of ecurve.ts.
//
// Recoding (Hamburg's signed all-odd comb): make k odd (k -> n - k negates the result), then
// k = sum over t < w*d of s_t 2^t with s_t = +1 where bit t+1 of k is 1, -1 where it is 0, and
// s_(wd-1) = +1 (this is m = (k + 2^(wd) - 1) / 2 read as signs; needs 2^(wd-1) > k).
// Column i (d-1 down to 0) adds sum_j s_(i+jd) 2^(jd) G, j < w = 5: one of 16 table points
// T[v] = 2^(4d) G + sum_(j<4) (2 b_j - 1) 2^(jd) G, or its negation when the top sign is -1 (all
// signs flip: index v XOR 15). Every column costs one doubling and one mixed addition whatever
// k is; the table is indexed by secret bits (no real constant time exists on this interpreter,
// see ecurve.ts).
//
// The table (16 affine points in the Montgomery domain, ~1.4 KB for P-256) is built on first
// use, in slices, and cached in the curve's context (ecReleaseCaches drops it): ~230 point
// operations and one batched inversion.

import type { Job } from "../util/job";
import { BatchAffineJob, ctx, newPoint, pointAdd, pointAddAffine, pointCopy, pointDouble } from "./ecurve";
import type { Curve, EcCtx, JPoint } from "./ecurve";
import { limbsSub } from "./ecfield";

/** Teeth of the comb (table of 2^(TEETH-1) points). */
const TEETH = 5;

/** Columns: 2^(TEETH*d - 1) must exceed every scalar (< 2^(8 size)). */
function columns(X: EcCtx): number {
  return ((8 * X.size + TEETH) / TEETH) | 0;
}

function negated(X: EcCtx, p: JPoint): JPoint {
  const q = newPoint(X.N);
  pointCopy(q, p);
  X.F.sub(q.y, X.zero, p.y);
  return q;
}

/** Builds X.comb: one point operation, product batch, inversion slice or conversion per step. */
class CombTabJob implements Job<boolean> {
  X: EcCtx;
  d: number;
  /** 2^(jd) G for j = 0..4, and D_j = 2^(jd+1) G for j = 0..3. */
  g: JPoint[];
  ds: JPoint[];
  cur: JPoint;
  dbl: number;
  t: JPoint[];
  conv: BatchAffineJob | null;
  constructor(X: EcCtx) {
    const p = newPoint(X.N);
    p.x.set(X.gx);
    p.y.set(X.gy);
    p.z.set(X.F.one);
    this.X = X;
    this.d = columns(X);
    this.g = [p];
    this.ds = [];
    this.cur = newPoint(X.N);
    pointCopy(this.cur, p);
    this.dbl = 0;
    this.t = [];
    this.conv = null;
  }
  step(): boolean {
    const X = this.X, g = this.g, ds = this.ds, t = this.t, N = X.N;
    let p: JPoint;
    if (X.comb) return true;
    if (g.length < TEETH) {
      // d doublings from 2^((j-1)d) G to 2^(jd) G; the first one gives D_(j-1)
      pointDouble(X, this.cur, this.cur);
      const first = this.dbl === 0, last = ++this.dbl === this.d;
      if (first || last) {
        p = newPoint(N);
        pointCopy(p, this.cur);
        if (first) ds.push(p);
        if (last) {
          g.push(p);
          this.dbl = 0;
        }
      }
      return false;
    }
    if (t.length === 0) {
      // T[0]: all four low signs -1
      p = newPoint(N);
      pointCopy(p, g[TEETH - 1]);
      for (let j = 0; j < TEETH - 1; j++) pointAdd(X, p, p, negated(X, g[j]));
      t.push(p);
      return false;
    }
    if (t.length < 16) {
      // T[v] = T[v without its lowest set bit j] + D_j (sign j from -1 to +1)
      const v = t.length;
      let j = 0;
      while (!((v >> j) & 1)) j++;
      p = newPoint(N);
      pointAdd(X, p, t[v ^ (1 << j)], ds[j]);
      t.push(p);
      return false;
    }
    return this.toAffine();
  }
  /** Batch conversion to affine (ecurve.ts BatchAffineJob), four points per step. */
  toAffine(): boolean {
    const X = this.X;
    if (!this.conv) this.conv = new BatchAffineJob(X, this.t, 4);
    if (!this.conv.step()) return false;
    X.comb = this.conv.result();
    this.t = this.g = this.ds = [];
    this.conv = null;
    return true;
  }
  result(): boolean {
    return true;
  }
}

/**
 * k*G for a secret k in [1, n-1] (limbs), as a Job with a Jacobian result: the comb table on
 * first use, then one doubling and one mixed addition per step.
 */
export class BaseMulJob implements Job<JPoint> {
  X: EcCtx;
  k: Int32Array;
  neg: boolean;
  d: number;
  i: number;
  tab: CombTabJob | null;
  acc: JPoint;
  ny: Int32Array;
  constructor(C: Curve, k: Int32Array) {
    const X = ctx(C);
    this.X = X;
    this.k = new Int32Array(k);
    this.neg = (k[0] & 1) === 0;
    if (this.neg) {
      const t = new Int32Array(X.n);
      limbsSub(t, k);
      this.k = t;
    }
    this.d = columns(X);
    this.i = this.d - 1;
    this.tab = X.comb ? null : new CombTabJob(X);
    this.acc = newPoint(X.N);
    this.ny = new Int32Array(X.N);
  }
  /** Bit t+1 of the odd k, as the sign digit s_t (1 for +1); the top digit is +1. */
  sbit(t: number): number {
    const d = this.d;
    if (t === TEETH * d - 1) return 1;
    t++;
    const li = (t / 24) | 0;
    return li < this.k.length ? (this.k[li] >> (t - 24 * li)) & 1 : 0;
  }
  step(): boolean {
    const X = this.X, F = X.F, acc = this.acc, d = this.d, i = this.i;
    if (this.tab) {
      if (this.tab.step()) this.tab = null;
      return false;
    }
    let v = 0;
    for (let j = 0; j < TEETH - 1; j++) v |= this.sbit(i + j * d) << j;
    const top = this.sbit(i + (TEETH - 1) * d), e = top ? v : v ^ 15;
    const tab = X.comb as Int32Array[], gx = tab[2 * e];
    let gy = tab[2 * e + 1];
    if (!top) {
      F.sub(this.ny, X.zero, gy);
      gy = this.ny;
    }
    if (i === d - 1) {
      acc.x.set(gx);
      acc.y.set(gy);
      acc.z.set(F.one);
    } else {
      pointDouble(X, acc, acc);
      pointAddAffine(X, acc, acc, gx, gy);
    }
    this.i = i - 1;
    if (this.i >= 0) return false;
    if (this.neg) F.sub(acc.y, X.zero, acc.y);
    return true;
  }
  result(): JPoint {
    return this.acc;
  }
}
