// base^exp mod N for a secret exponent of any length (RSA CRT halves), on the Montgomery
// products of bignum.ts, in slices: each step is up to 4 whole products for n <= 48 limbs (2
// for n <= 72, else 1; a product is ~1.7 ms for n = 48 on the reference interpreter), up to
// 128 columns of one product for n > 128, one long-division slice, or a table load.
//
// Left-to-right sliding windows of WINDOW bits (decoded as they are reached) over a table of the
// odd powers base^1..base^31 (16 copies of the 2n-limb X buffer): for a 1024-bit exponent ~1024
// squarings and ~170 multiplications.
// The sequence of squarings and multiplications follows the exponent's bits, and the table is
// indexed by them: like the rest of this interpreter's arithmetic it is not constant-time. RSA
// signing blinds the base (rsa-sign.ts), so these timings do not depend on the message.

import { EtError } from "../errors";
import type { Job } from "../util/job";
import {
  bitLength, loadX, loadY, longDivResult, longDivStart, longDivStep, modN, montChunk, montMul, montParts, readX,
} from "./bignum";
import type { LongDiv, MontCtx } from "./bignum";

/** Bits per window: 16 odd powers. */
const WINDOW = 5;

// Operation codes (an op is a code plus an index).
const SQR = 0; // x = x^2
const MUL = 1000; // x = x·T[j]
const START = 2000; // x = T[j] (no product)
const TOMONT = 3000; // T[0] = base·R^2·R^-1
const B2 = 3001; // b2 = T[0]^2
const TAB = 3100; // T[j] = T[j-1]·b2
const LEAVE = 4000; // x = x·1 (out of the Montgomery form)
const R2SQR = 5000; // a squaring of the R^2 chain; the third one leaves R^2

/** The ops before the exponent's: R^2 (when not given), base·R, the table of odd powers. */
function prologue(haveR2: boolean): Int16Array {
  const ops = new Int16Array(24);
  let no = 0, j: number;
  if (!haveR2) for (j = 0; j < 3; j++) ops[no++] = R2SQR;
  ops[no++] = TOMONT;
  ops[no++] = B2;
  for (j = 1; j < 1 << (WINDOW - 1); j++) ops[no++] = TAB + j;
  return ops.subarray(0, no);
}

/**
 * base^exp mod N as a Job: C = montCtx(N); base as n limbs below N; exp big-endian, not zero;
 * r2 = R^2 mod N from an earlier job on the same C (r2() gives it afterwards), or null to compute
 * it here. The result is n limbs in [0, N).
 */
export class ModPowJob implements Job<Int32Array> {
  C: MontCtx;
  base: Int32Array;
  ops: Int16Array;
  pc: number;
  /** The exponent, its next bit to read (top down), and the window decoder's state. */
  exp: Uint8Array;
  bi: number;
  first: boolean;
  sq: number;
  mul: number;
  op: number;
  part: number;
  parts: number;
  /** Whole products per step (n <= 128). */
  per: number;
  div: LongDiv | null;
  R2: Int32Array | null;
  /** The odd powers base^1, base^3, ... as copies of X, and base^2 as a copy of Y. */
  T: Int32Array[];
  b2: Int32Array | null;
  out: Int32Array | null;
  constructor(C: MontCtx, base: Int32Array, exp: Uint8Array, r2: Int32Array | null) {
    if (bitLength(exp) === 0) throw new EtError("CRYPTO_RANGE", "exponent is zero");
    this.C = C;
    this.base = base;
    this.ops = prologue(r2 !== null);
    this.pc = 0;
    this.exp = exp;
    this.bi = bitLength(exp) - 1;
    this.first = true;
    this.sq = 0;
    this.mul = -1;
    this.op = 0;
    this.part = 0;
    this.parts = montParts(C);
    this.per = C.n > 72 ? 1 : C.n > 48 ? 2 : 4;
    this.R2 = r2;
    this.div = r2 ? null : longDivStart(C, null, C.n + (C.n >> 3) + 1); // 2^(22(n + n/8)) mod N
    this.T = [];
    this.b2 = null;
    this.out = null;
  }
  /**
   * Loads the product's operands (at its first chunk). False for ops without a product. The
   * table holds whole copies of X after each product (the odd power in the even slots; the odd
   * slots' old reduction factors are harmless, see bignum.ts) and b2 a whole copy of Y, so a
   * multiplication loads its operand with one native copy instead of a loop.
   */
  load(op: number): boolean {
    const C = this.C;
    if (op >= MUL && op < START) C.X.set(this.T[op - MUL]); // x is in Y already
    else if (op >= START && op < TOMONT) {
      C.X.set(this.T[op - START]);
      loadY(C, readX(C));
      return false;
    } else if (op === TOMONT) {
      loadX(C, this.base);
      loadY(C, this.R2 as Int32Array);
    } else if (op > TAB && op < LEAVE) {
      C.X.set(this.T[op - TAB - 1]);
      C.Y.set(this.b2 as Int32Array);
    } else if (op === LEAVE) {
      const one = new Int32Array(C.n);
      one[0] = 1;
      loadY(C, one);
    }
    return true;
  }
  step(): boolean {
    const C = this.C;
    if (this.out) return true;
    if (this.div) {
      if (longDivStep(C, this.div)) {
        const r = longDivResult(C, this.div);
        loadX(C, r);
        loadY(C, r);
        this.div = null;
      }
      return false;
    }
    if (this.parts > 1) {
      // a product in chunks of at most 128 columns (n > 128)
      if (this.part === 0) {
        this.op = this.nextOp();
        if (!this.load(this.op)) return false;
      }
      montChunk(C, this.part++);
      if (this.part < 2 * this.parts) return false;
      this.part = 0;
      return this.keep(this.op);
    }
    // whole products, `per` of them per step (the job's own bookkeeping costs about a third of
    // a 48-limb product on the interpreter, so it is not paid for every one)
    for (let k = this.per; k > 0;) {
      const op = this.nextOp();
      if (op === SQR) {
        montMul(C); // X and Y already hold x
        k--;
      } else if (this.load(op)) {
        montMul(C);
        k--;
        if (this.keep(op)) return true;
      }
    }
    return false;
  }
  /** After the product of `op`: keep what the op makes; true when that was the last. */
  keep(op: number): boolean {
    const C = this.C;
    if (op === TOMONT || (op > TAB && op < LEAVE)) this.T.push(new Int32Array(C.X));
    else if (op === B2) this.b2 = new Int32Array(C.Y);
    else if (op === R2SQR && this.pc === 3) this.R2 = readX(C);
    else if (op === LEAVE) {
      this.out = modN(C, readX(C));
      this.T = [];
      return true;
    }
    return false;
  }
  bit(k: number): number {
    const e = this.exp;
    return (e[e.length - 1 - (k >> 3)] >> (k & 7)) & 1;
  }
  /**
   * The next op: the prologue, then left-to-right sliding windows of the exponent decoded as
   * they are reached (a window of width w is w squarings and one multiplication by the odd
   * power it reads; the first window is a table load), then LEAVE.
   */
  nextOp(): number {
    if (this.pc < this.ops.length) return this.ops[this.pc++];
    if (this.sq > 0) {
      this.sq--;
      return SQR;
    }
    if (this.mul >= 0) {
      const m = this.mul;
      this.mul = -1;
      return MUL + m;
    }
    const i = this.bi;
    if (i < 0) return LEAVE;
    if (!this.bit(i)) {
      this.bi--;
      return SQR;
    }
    let l = i - WINDOW + 1 > 0 ? i - WINDOW + 1 : 0, v = 0, j: number;
    while (!this.bit(l)) l++;
    for (j = i; j >= l; j--) v = 2 * v + this.bit(j);
    this.bi = l - 1;
    if (this.first) {
      this.first = false;
      return START + (v >> 1);
    }
    this.sq = i - l;
    this.mul = v >> 1;
    return SQR;
  }
  /** R^2 mod N (< 2N), for further jobs on the same modulus. */
  r2(): Int32Array {
    return this.R2 as Int32Array;
  }
  result(): Int32Array {
    if (!this.out) throw new EtError("JOB_NOT_DONE", "modular power read before the job finished");
    return this.out;
  }
}
