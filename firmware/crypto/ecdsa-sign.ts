// ECDSA signing on P-256 / P-384 (FIPS 186-5 §6.4.1) with hedged deterministic nonces.
//
//   - Nonce: RFC 6979 §3.2 HMAC-DRBG over int2octets(d) ‖ bits2octets(h1), with extra bytes
//     k' appended to the first two HMAC inputs (§3.6 "additional data"). The caller passes
//     fresh DRBG output as k': a broken RNG then still gives RFC 6979's safety, and a fault in
//     the deterministic computation does not repeat k for the same message (hedged signing).
//     With k' empty the signatures are exactly RFC 6979's (tests: A.2.5, A.2.6).
//   - R = k*G with the regular signed comb of ecbase.ts (one doubling and one addition per
//     column whatever k is), then ToAffine; r = x mod n.
//   - s = (e + r*d) / k mod n in one binary division (DivN), with numerator and denominator
//     both multiplied by a random b (the division's timing depends on its inputs; blinding
//     keeps it from depending on k alone). Montgomery products supply the R factors:
//     c = (e + r d)/R and a = k/R, so c/a = (e + r d)/k.
//   - Output: DER Ecdsa-Sig-Value (minimal INTEGERs). High s is left as it is: TLS and
//     X.509 verifiers accept both.
// Every step is one point operation, one division slice, or the HMAC work of one nonce
// candidate (a few native hashes): within the bounds of ecurve.ts's header.

import { EtError } from "../errors";
import type { Job } from "../util/job";
import type { HashAlg } from "./types";
import { hmac } from "./hmac";
import { concat } from "../util/bytes";
import { ctx, DivN, montN, ToAffine, scalarFromBytes, scalarInRange } from "./ecurve";
import { BaseMulJob } from "./ecbase";
import type { Curve, EcCtx } from "./ecurve";
import { feFromMont, limbsCmp, limbsSub, limbsToBytes } from "./ecfield";

/** bits2int (RFC 6979 §2.3.2) for qlen = 8*size: the leftmost size bytes as limbs. */
function bits2int(X: EcCtx, h: Uint8Array): Int32Array {
  return scalarFromBytes(X, h.length > X.size ? h.subarray(0, X.size) : h) as Int32Array;
}

/** x mod n for x < 2n (one conditional subtraction), in place. */
function modNOnce(X: EcCtx, x: Int32Array): Int32Array {
  if (limbsCmp(x, X.n) >= 0) limbsSub(x, X.n);
  return x;
}

function scalarBytes(X: EcCtx, k: Int32Array): Uint8Array {
  const b = new Uint8Array(X.size);
  limbsToBytes(k, b, 0, X.size);
  return b;
}

/**
 * RFC 6979 §3.2 nonce generator: next() gives the candidates k in order (each one already
 * checked to be in [1, n-1]; a rejected T is skipped as step h.3 says).
 */
export class Rfc6979 {
  X: EcCtx;
  H: HashAlg;
  K: Uint8Array;
  V: Uint8Array;
  first: boolean;
  constructor(X: EcCtx, H: HashAlg, priv: Uint8Array, digest: Uint8Array, extra: Uint8Array) {
    this.X = X;
    this.H = H;
    const hl = H.outputLen, z0 = new Uint8Array([0]), z1 = new Uint8Array([1]);
    const x = priv, h1 = scalarBytes(X, modNOnce(X, bits2int(X, digest)));
    let V: Uint8Array = new Uint8Array(hl), K: Uint8Array = new Uint8Array(hl);
    V.fill(1);
    K = hmac(H, K, concat([V, z0, x, h1, extra]));
    V = hmac(H, K, V);
    K = hmac(H, K, concat([V, z1, x, h1, extra]));
    V = hmac(H, K, V);
    this.K = K;
    this.V = V;
    this.first = true;
  }
  /** The next candidate k (limbs), in [1, n-1]. */
  next(): Int32Array {
    const X = this.X, H = this.H, z0 = new Uint8Array([0]);
    for (;;) {
      if (!this.first) {
        this.K = hmac(H, this.K, concat([this.V, z0]));
        this.V = hmac(H, this.K, this.V);
      }
      this.first = false;
      const T = new Uint8Array(X.size);
      let t = 0;
      while (t < X.size) {
        this.V = hmac(H, this.K, this.V);
        const take = X.size - t < this.V.length ? X.size - t : this.V.length;
        T.set(this.V.subarray(0, take), t);
        t += take;
      }
      const k = bits2int(X, T);
      if (scalarInRange(X, k)) return k;
    }
  }
}

/** Minimal DER INTEGER of a non-negative big-endian value. */
function derInteger(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const pad = v[i] & 0x80 ? 1 : 0, len = v.length - i + pad, out = new Uint8Array(2 + len);
  out[0] = 2;
  out[1] = len;
  out.set(v.subarray(i), 2 + pad);
  return out;
}

/** DER Ecdsa-Sig-Value { r, s } (short-form lengths: at most 2*(2+49) content bytes). */
export function ecdsaDer(r: Uint8Array, s: Uint8Array): Uint8Array {
  const a = derInteger(r), b = derInteger(s), out = new Uint8Array(2 + a.length + b.length);
  out[0] = 0x30;
  out[1] = a.length + b.length;
  out.set(a, 2);
  out.set(b, 2 + a.length);
  return out;
}

/** The Montgomery-product "1" (limb 0 = 1). */
function oneLimbs(N: number): Int32Array {
  const o = new Int32Array(N);
  o[0] = 1;
  return o;
}

/** A random scalar in [1, n-1] from `random` (rejection sampling on the leftmost bytes). */
function randomScalar(X: EcCtx, random: (n: number) => Uint8Array): Int32Array {
  for (let i = 0; i < 64; i++) {
    const k = scalarFromBytes(X, random(X.size)) as Int32Array;
    if (scalarInRange(X, k)) return k;
  }
  throw new EtError("ENTROPY_FAILED", "no usable random scalar");
}

/**
 * ECDSA signature of `digest` (the message's hash under H; truncated to the bit length of n)
 * with the private key `priv` (big-endian, in [1, n-1], else CRYPTO_BAD_SCALAR), as a Job.
 * `extra` is RFC 6979's k' (empty: plain RFC 6979); `random` supplies the blinding factor.
 * Result: DER Ecdsa-Sig-Value.
 */
export class EcdsaSignJob implements Job<Uint8Array> {
  C: Curve;
  X: EcCtx;
  d: Int32Array;
  e: Int32Array;
  gen: Rfc6979;
  random: (n: number) => Uint8Array;
  k: Int32Array | null;
  mul: BaseMulJob | null;
  aff: ToAffine | null;
  r: Int32Array | null;
  div: DivN | null;
  out: Uint8Array | null;
  constructor(C: Curve, H: HashAlg, priv: Uint8Array, digest: Uint8Array, extra: Uint8Array, random: (n: number) => Uint8Array) {
    const X = ctx(C), d = scalarFromBytes(X, priv);
    if (!d || !scalarInRange(X, d)) throw new EtError("CRYPTO_BAD_SCALAR", C.name + ": private key out of range");
    this.C = C;
    this.X = X;
    this.d = d;
    this.e = modNOnce(X, bits2int(X, digest));
    this.gen = new Rfc6979(X, H, scalarBytes(X, d), digest, extra);
    this.random = random;
    this.k = this.r = null;
    this.mul = null;
    this.aff = null;
    this.div = null;
    this.out = null;
  }
  step(): boolean {
    const X = this.X;
    if (this.out) return true;
    if (this.mul) {
      if (this.mul.step()) {
        this.aff = new ToAffine(X, this.mul.result());
        this.mul = null;
      }
      return false;
    }
    if (this.aff) {
      if (this.aff.step()) {
        this.startDivision(this.aff.result()[0]);
        this.aff = null;
      }
      return false;
    }
    if (this.div) {
      if (!this.div.step()) return false;
      const s = this.div.result();
      this.div = null;
      if (!scalarInRange(X, s)) return false; // s = 0: next nonce (probability ~2^-256)
      this.out = ecdsaDer(scalarBytes(X, this.r as Int32Array), scalarBytes(X, s));
      return true;
    }
    // next nonce candidate (RFC 6979 §3.2 h), then R = k*G
    this.k = this.gen.next();
    this.mul = new BaseMulJob(this.C, this.k);
    return false;
  }
  /** r = x mod n from R's Montgomery-domain x; the blinded division c/a = (e + r d)/k. */
  startDivision(xm: Int32Array): void {
    const X = this.X, N = X.N, one = oneLimbs(N), x = new Int32Array(N);
    feFromMont(X.F, x, xm);
    const r = modNOnce(X, x);
    this.r = r;
    if (!scalarInRange(X, r)) return; // r = 0: next nonce
    const b = randomScalar(X, this.random), a = new Int32Array(N), c = new Int32Array(N), u = new Int32Array(N);
    montN(X, a, this.k as Int32Array, one); // k/R
    montN(X, a, a, b); // b k / R^2
    montN(X, u, r, this.d); // r d / R
    montN(X, c, this.e, one); // e / R
    let carry = 0, s: number;
    for (let i = 0; i < N; i++) {
      s = c[i] + u[i] + carry;
      c[i] = i < N - 1 ? s & 16777215 : s; // the top limb keeps the carry (P-384: 2n > 2^(24N))
      carry = s >> 24;
    }
    modNOnce(X, c); // (e + r d)/R: both terms < n, the sum < 2n
    montN(X, c, c, b); // b (e + r d) / R^2
    this.div = new DivN(X, c, a);
  }
  result(): Uint8Array {
    if (!this.out) throw new EtError("JOB_NOT_DONE", "ECDSA signature read before the job finished");
    return this.out;
  }
}
