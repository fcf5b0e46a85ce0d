// RSA signing (RFC 8017): RSASSA-PKCS1-v1_5 (§8.2.1) and RSASSA-PSS (§8.1.1, MGF1 with the
// same hash, salt as long as the hash, as TLS 1.3 requires), with the private operation by the
// Chinese remainder theorem, base blinding, and a check of every signature before it is
// returned.
//
//   - CRT (Garner): s1 = c^dp mod p, s2 = c^dq mod q, h = qi (s1 - s2) mod p, s = s2 + q h.
//     Each half is a ModPowJob (modpow.ts) on a modulus of half the size: ~4x less work than
//     one full exponentiation.
//   - Blinding (Kocher's pair): vi = r^e, vf = r^-1 mod n for a random r; c = m vi, s = s' vf,
//     so the exponentiations never see the message. The pair is made once per key
//     (rsa-blind.ts: r^e and six small inverses, a few percent of a signature) and squared after
//     each use (vi^2, vf^2 are a pair again). It is kept in Montgomery form mod n on the key
//     object (key.blind), with R^2 mod n, p and q (so later signatures skip those long divisions).
//   - Fault check: s^e mod n must give the encoded message back. A CRT signature with one
//     faulty half reveals a prime factor of n (gcd(s^e - m, n)), so a mismatch throws
//     CRYPTO_SIGN_FAULT and the signature is never returned.

import { EtError } from "../errors";
import type { Job } from "../util/job";
import type { HashAlg } from "./types";
import {
  addLimbs, bitLength, cmpBytes, limbsFromBytes, limbsToBytes, longDivResult, longDivStart, longDivStep,
  modExpJob, modN, montCtx, reduce, stripZeros,
} from "./bignum";
import type { LongDiv, MontCtx } from "./bignum";
import { ModPowJob } from "./modpow";
import { BlindPairJob, mm } from "./rsa-blind";
import type { RsaBlind } from "./rsa-blind";
import { digestInfoPrefix, mgf1 } from "./rsa";

/** EMSA-PKCS1-v1_5: 00 01 FF..FF 00 DigestInfo digest, k bytes. */
function emPkcs1(H: HashAlg, digest: Uint8Array, k: number): Uint8Array {
  const pre = digestInfoPrefix(H), t = pre.length + digest.length;
  if (k < t + 11) throw new EtError("CRYPTO_BAD_KEY", "RSA modulus too short for this hash");
  const em = new Uint8Array(k);
  em[1] = 1;
  for (let i = 2; i < k - t - 1; i++) em[i] = 255;
  em.set(pre, k - t);
  em.set(digest, k - digest.length);
  return em;
}

/** EMSA-PSS-ENCODE with sLen = hLen, as a k-byte integer (a leading 0 when emLen < k). */
function emPss(H: HashAlg, digest: Uint8Array, modBits: number, k: number, salt: Uint8Array): Uint8Array {
  const hl = H.outputLen, emBits = modBits - 1, emLen = (emBits + 7) >> 3, sl = salt.length;
  if (emLen < hl + sl + 2) throw new EtError("CRYPTO_BAD_KEY", "RSA modulus too short for PSS with this hash");
  const m2 = new Uint8Array(8 + hl + sl);
  m2.set(digest, 8);
  m2.set(salt, 8 + hl);
  const h = H.hash(m2), dbLen = emLen - hl - 1, db = mgf1(H, h, dbLen);
  db[dbLen - sl - 1] ^= 1;
  for (let i = 0; i < sl; i++) db[dbLen - sl + i] ^= salt[i];
  db[0] &= 255 >> (8 * emLen - emBits);
  const em = new Uint8Array(k);
  em.set(db, k - emLen);
  em.set(h, k - hl - 1);
  em[k - 1] = 0xbc;
  return em;
}

/**
 * x^a mod n by CRT as a Job: x as n-limbs of cn (below n), the exponents ap (mod p) and aq
 * (mod q). Steps: x mod p, x mod q (long divisions), the two ModPowJobs, then Garner's
 * recombination with Montgomery products (qi R_p from R^2 mod p; q h computed mod n as
 * (q)·(h R_n)/R_n, exact because q h < n). Needs b.r2n; fills b.r2p / b.r2q when empty.
 */
export class CrtJob implements Job<Int32Array> {
  parts: Uint8Array[];
  b: RsaBlind;
  cn: MontCtx;
  cp: MontCtx;
  cq: MontCtx;
  x: Int32Array;
  ap: Uint8Array;
  aq: Uint8Array;
  ph: number;
  div: LongDiv | null;
  pow: ModPowJob | null;
  /** The two halves (exposed: the fault-injection test alters s1). */
  s1: Int32Array | null;
  s2: Int32Array | null;
  /** h, then q h (the recombination between its steps). */
  h: Int32Array | null;
  out: Int32Array | null;
  constructor(parts: Uint8Array[], b: RsaBlind, cn: MontCtx, cp: MontCtx, cq: MontCtx, x: Int32Array, ap: Uint8Array, aq: Uint8Array) {
    this.parts = parts;
    this.b = b;
    this.cn = cn;
    this.cp = cp;
    this.cq = cq;
    this.x = x;
    this.ap = ap;
    this.aq = aq;
    this.ph = 0;
    this.div = this.pow = null;
    this.s1 = this.s2 = this.h = this.out = null;
  }
  step(): boolean {
    const b = this.b, P = this.ph < 2;
    const C = P ? this.cp : this.cq;
    if (this.out) return true;
    if (this.ph === 0 || this.ph === 2) {
      // x mod p (ph 0) or x mod q (ph 2)
      if (!this.div) this.div = longDivStart(C, this.x, this.cn.n);
      if (!longDivStep(C, this.div)) return false;
      const xr = longDivResult(C, this.div);
      this.div = null;
      const r2 = P ? b.r2p : b.r2q;
      this.pow = new ModPowJob(C, xr, P ? this.ap : this.aq, r2.length ? r2 : null);
      this.ph++;
      return false;
    }
    if (this.ph === 1 || this.ph === 3) {
      const j = this.pow as ModPowJob;
      if (!j.step()) return false;
      if (P) {
        this.s1 = j.result();
        b.r2p = j.r2();
      } else {
        this.s2 = j.result();
        b.r2q = j.r2();
      }
      this.pow = null;
      this.ph++;
      return false;
    }
    this.combine();
    return this.out !== null;
  }
  /** s = s2 + q (qi (s1 - s2) mod p), as n-limbs of cn, in four steps of at most two products. */
  combine(): void {
    const cp = this.cp, cn = this.cn, np = cp.n;
    if (this.ph === 4) {
      const s2p = limbsFromBytes(limbsToBytes(this.s2 as Int32Array, this.cq.len + 1), np);
      reduce(cp, s2p, 0);
      const t = new Int32Array(this.s1 as Int32Array);
      reduce(cp, t, addLimbs(t, s2p, np, -1));
      const qiR = mm(cp, limbsFromBytes(this.parts[7], np), this.b.r2p); // qi R_p
      this.h = modN(cp, mm(cp, qiR, t)); // qi (s1 - s2) mod p
    } else if (this.ph === 5) {
      this.h = mm(cn, limbsFromBytes(limbsToBytes(this.h as Int32Array, cp.len), cn.n), this.b.r2n); // h R_n
    } else if (this.ph === 6) {
      this.h = modN(cn, mm(cn, limbsFromBytes(this.parts[4], cn.n), this.h as Int32Array)); // q h (< n)
    } else {
      const s = this.h as Int32Array, s2n = limbsFromBytes(limbsToBytes(this.s2 as Int32Array, this.cq.len + 1), cn.n);
      reduce(cn, s, addLimbs(s, s2n, cn.n, 1));
      this.out = s;
    }
    this.ph++;
  }
  result(): Int32Array {
    return this.out as Int32Array;
  }
}

function eNumber(e: Uint8Array): number {
  let v = 0;
  const s = stripZeros(e);
  for (let i = 0; i < s.length; i++) v = v * 256 + s[i];
  return v;
}

/**
 * The signing Job: parts = [n, e, d, p, q, dp, dq, qi] (big-endian), holder.blind keeps the
 * blinding state between signatures, digest = H(message), pss selects RSASSA-PSS (salt from
 * `random`). Result: the k-byte signature, checked with e before it is returned.
 */
export class RsaSignJob implements Job<Uint8Array> {
  parts: Uint8Array[];
  holder: { blind: any };
  b: RsaBlind;
  em: Uint8Array;
  k: number;
  e: number;
  cn: MontCtx | null;
  cp: MontCtx | null;
  cq: MontCtx | null;
  ph: number;
  sub: Job<any> | null;
  /** The running CRT job (exposed for the fault-injection test). */
  crt: CrtJob | null;
  /** The unblinding factor that goes with the vi used (the key's pair may move on meanwhile);
   *  the new vi between the two squaring steps. */
  vf: Int32Array | null;
  random: (n: number) => Uint8Array;
  sig: Uint8Array | null;
  out: Uint8Array | null;
  constructor(parts: Uint8Array[], holder: { blind: any }, H: HashAlg, digest: Uint8Array, pss: boolean, random: (n: number) => Uint8Array) {
    const n = stripZeros(parts[0]), k = n.length;
    this.parts = parts;
    this.holder = holder;
    this.b = holder.blind || { vi: new Int32Array(0), vf: new Int32Array(0), r2n: new Int32Array(0), r2p: new Int32Array(0), r2q: new Int32Array(0) };
    this.em = pss ? emPss(H, digest, bitLength(n), k, random(H.outputLen)) : emPkcs1(H, digest, k);
    this.k = k;
    this.e = eNumber(parts[1]);
    this.cn = this.cp = this.cq = null;
    this.ph = 0;
    this.sub = this.crt = null;
    this.vf = null;
    this.random = random;
    this.sig = this.out = null;
  }
  step(): boolean {
    if (this.out) return true;
    const ph = this.ph, b = this.b;
    if (ph === 0) {
      // one context per step
      if (!this.cn) this.cn = montCtx(this.parts[0]);
      else if (!this.cp) this.cp = montCtx(this.parts[3]);
      else {
        this.cq = montCtx(this.parts[4]);
        // the pair of the previous signature, squared (ph 4), or a new one (ph 1)
        this.ph = b.vi.length ? 4 : 1;
        if (this.ph === 1) this.sub = new BlindPairJob(this.cn, b, this.e, this.random);
      }
      return false;
    }
    const cn = this.cn as MontCtx;
    if (ph === 1) {
      if (!(this.sub as Job<any>).step()) return false;
      this.sub = null;
      this.holder.blind = b;
      this.ph = 3; // the fresh pair is used as it is
      return false;
    }
    if (ph === 5) {
      const j = this.sub as CrtJob;
      if (!j.step()) return false;
      this.sub = null;
      // s' = (m vi)^d; s = s' vf; then the check
      this.sig = limbsToBytes(modN(cn, mm(cn, j.result(), this.vf as Int32Array)), this.k);
      this.sub = modExpJob(this.parts[0], this.sig, this.e);
      this.ph = 6;
      return false;
    }
    if (ph === 4) {
      // the pair of the previous signature, squared: vi^2 now, vf^2 in the next step, and the
      // key's pair replaced in one step (a job dropped in between leaves it consistent)
      this.vf = mm(cn, b.vi, b.vi);
      this.ph = 2;
      return false;
    }
    if (ph === 2) {
      const vi = this.vf as Int32Array;
      b.vf = mm(cn, b.vf, b.vf);
      b.vi = vi;
      this.ph = 3;
      return false;
    }
    if (ph === 3) {
      const c = mm(cn, limbsFromBytes(this.em, cn.n), b.vi); // m vi
      this.vf = b.vf;
      this.crt = new CrtJob(this.parts, b, cn, this.cp as MontCtx, this.cq as MontCtx, c, this.parts[5], this.parts[6]);
      this.sub = this.crt;
      this.ph = 5;
      return false;
    }
    const j = this.sub as Job<Uint8Array>;
    if (!j.step()) return false;
    if (cmpBytes(j.result(), this.em) !== 0) {
      this.holder.blind = null; // start over with a fresh pair next time
      throw new EtError("CRYPTO_SIGN_FAULT", "the RSA signature did not verify with the public key: not sent (fault in the computation, or an inconsistent key)");
    }
    this.out = this.sig;
    this.crt = null;
    return true;
  }
  result(): Uint8Array {
    if (!this.out) throw new EtError("JOB_NOT_DONE", "RSA signature read before the job finished");
    return this.out;
  }
}

/** RSA signature as a Job (see RsaSignJob). */
export function rsaSignJob(parts: Uint8Array[], holder: { blind: any }, H: HashAlg, digest: Uint8Array, pss: boolean, random: (n: number) => Uint8Array): Job<Uint8Array> {
  return new RsaSignJob(parts, holder, H, digest, pss, random);
}
