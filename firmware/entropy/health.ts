// Health tests on raw noise-source samples (NIST SP 800-90B §4.4: repetition count and adaptive
// proportion tests, run continuously and as the start-up test), plus one developer-defined test
// for a known failure mode of these sources, a bit bias (SP 800-90B §4.3 lets a design add tests
// for its known failure modes; §4.5 covers developer-defined tests).
//
// A raw sample is one 32-bit word from the source (RNG register, E.hwRand(), 4 bytes of
// /dev/urandom). H is the stated min-entropy per sample, in bits, from the board profile
// (entropy.minEntropyBitsPerSample, an integer 1..8; tools/lib/boards.mjs enforces the range).
// False-positive probability of every test: alpha = 2^-20 per window/run, as §4.4 recommends.
//
// Cut-offs, written as literals (no Math.pow on the board; FACTS §2). Derivation (computed with
// exact rationals; the bit test's irrational p with 80-digit decimals):
//   from fractions import Fraction as F; from math import comb
//   def crit(n, p, a):                        # CRITBINOM: smallest k with P[X <= k] >= a
//       c = 0
//       for k in range(n + 1):
//           c += comb(n, k) * p**k * (1 - p)**(n - k)
//           if c >= a: return k
//   [1 + crit(512, F(1, 2**H), 1 - F(1, 2**20)) for H in range(1, 9)]
//   Repetition count test (§4.4.1): C = 1 + ceil(-log2(alpha) / H) = 1 + ceil(20 / H)
//     H:  1   2   3   4   5   6   7   8
//     C: 21  11   8   6   5   5   4   4
//   Adaptive proportion test (§4.4.2), non-binary samples, window W = 512:
//     C = 1 + CRITBINOM(W, 2^-H, 1 - alpha), CRITBINOM(n, p, a) = the smallest k with
//     P[Binomial(n, p) <= k] >= a.
//     H:   1    2    3   4   5   6   7   8
//     C: 311  177  103  62  39  25  18  13
//   Bit proportion test (vendor-defined): the adaptive proportion test applied to the sample
//   stream read as bits (binary samples, W = 1024 bits = 32 words) with a per-bit min-entropy
//   of 0.5: C = 1 + CRITBINOM(1024, 2^-0.5, 1 - 2^-20) = 793.
//     Why a separate per-bit figure: every source here is whitened before we see it (the ESP
//     RNG register by hardware, E.hwRand by XOR-folding 32 ADC reads, /dev/urandom by the
//     kernel), so its bits are near-fair even when its unpredictability is far lower than 32
//     bits per word; a bit that is the same value 77% or more of the time (793/1024) means the
//     whitening or the physical source broke (e.g. an ADC stuck at a rail). The word-level
//     tests with the low stated H cannot see such a bias: a word whose bits are each 1 with
//     probability 0.9 still has 4.9 bits of min-entropy.

/** Index = H (bits per sample, 1..8). */
const RCT_CUTOFF = [0, 21, 11, 8, 6, 5, 5, 4, 4];
const APT_CUTOFF = [0, 311, 177, 103, 62, 39, 25, 18, 13];
export const APT_WINDOW = 512;
/** Bit proportion test: cut-off over a window of 32 words (1024 bits). */
export const BIT_CUTOFF = 793;
/** Samples in the start-up test (SP 800-90B §4.3: the continuous tests over at least 1024
 *  consecutive samples before any output). */
export const STARTUP_SAMPLES = 1024;

/** Which test failed (0 = none). */
export const OK = 0;
export const RCT = 1;
export const APT = 2;
export const BITS = 3;

export function testName(t: number): string {
  return t === RCT ? "repetition count test (SP 800-90B 4.4.1)"
    : t === APT ? "adaptive proportion test (SP 800-90B 4.4.2)"
    : "bit proportion test (vendor-defined, SP 800-90B 4.5)";
}

let pcTable: Uint8Array | null = null;

function popcounts(): Uint8Array {
  if (pcTable === null) {
    pcTable = new Uint8Array(256);
    for (let i = 1; i < 256; i++) pcTable[i] = (i & 1) + pcTable[i >> 1];
  }
  return pcTable;
}

/** Continuous health-test state over every sample the source ever gave (start-up included). */
export class Health {
  h: number;
  rctC: number;
  aptC: number;
  // repetition count test
  last: number;
  run: number;
  // adaptive proportion test
  aptA: number;
  aptB: number;
  aptN: number;
  // bit proportion test
  bitFirst: number;
  bitOnes: number;
  bitN: number;
  /** Samples tested so far. */
  count: number;
  /** Popcount of each byte value (256 bytes, shared). */
  pc: Uint8Array;
  /** Explanation of the failure (empty while healthy). */
  why: string;

  constructor(h: number) {
    if (!(h >= 1 && h <= 8 && h === Math.floor(h))) h = 1; // the profile check makes this unreachable
    this.h = h;
    this.rctC = RCT_CUTOFF[h];
    this.aptC = APT_CUTOFF[h];
    this.last = -1;
    this.run = 0;
    this.aptA = 0;
    this.aptB = 0;
    this.aptN = 0;
    this.bitFirst = 0;
    this.bitOnes = 0;
    this.bitN = 0;
    this.count = 0;
    this.why = "";
    this.pc = popcounts();
  }

  /** Runs the tests on s[0..n); returns OK or the failing test (and sets `why`). Hot: one pass,
   *  few tokens per iteration (the interpreter re-reads the loop text every time), popcount by
   *  byte table. */
  check(s: Uint32Array, n: number): number {
    let x: number, i = 0;
    const P = this.pc, rc = this.rctC, ac = this.aptC;
    let l = this.last, r = this.run, a = this.aptA, b = this.aptB, an = this.aptN;
    let o = this.bitOnes, bn = this.bitN, bf = this.bitFirst, fail = OK;
    while (i < n) {
      x = s[i++];
      if (x === l) {
        if (++r >= rc) { fail = RCT; break; }
      } else { l = x; r = 1; }
      if (an) {
        if (x === a && ++b >= ac) { fail = APT; break; }
        if (++an >= 512) an = 0;
      } else { a = x; b = 1; an = 1; }
      o += P[x & 255] + P[(x >> 8) & 255] + P[(x >> 16) & 255] + P[x >>> 24];
      if (bn) {
        if (++bn >= 32) {
          if ((bf ? o : 1024 - o) >= BIT_CUTOFF) { fail = BITS; break; }
          bn = 0;
          o = 0;
        }
      } else { bf = x & 1; bn = 1; }
    }
    this.count += i;
    this.last = l; this.run = r; this.aptA = a; this.aptB = b; this.aptN = an;
    this.bitFirst = bf; this.bitOnes = o; this.bitN = bn;
    if (fail === RCT) this.why = r + " identical samples in a row (0x" + (l >>> 0).toString(16) + "; cut-off " + rc + " for H = " + this.h + " bits/sample)";
    else if (fail === APT) this.why = "one value 0x" + (a >>> 0).toString(16) + " " + b + " times in a window of 512 samples (cut-off " + ac + " for H = " + this.h + " bits/sample)";
    else if (fail === BITS) this.why = "bit value " + bf + " " + (bf ? o : 1024 - o) + " times in a window of 1024 bits (cut-off " + BIT_CUTOFF + ")";
    return fail;
  }
}
