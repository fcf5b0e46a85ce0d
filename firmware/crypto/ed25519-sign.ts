// Ed25519 signing (RFC 8032 §5.1.6) and the public key of a seed (§5.1.5), on the fixed-base
// comb that X25519's public key uses (x25519.ts EdCombMul) and the scalar reduction of
// verification (ed25519.ts scReduce):
//   h = SHA-512(seed), a = clamp(h[0..32)), A = [a]B;
//   r = SHA-512(h[32..64) ‖ M) mod L, R = [r]B, k = SHA-512(R ‖ A ‖ M) mod L, S = r + k a mod L.
// Deterministic by design (the nonce r depends on the secret prefix and the message), so no
// randomness is involved. The message is hashed in one step (TLS and CSR messages are small).
// Cost: two comb multiplications would be needed if A were not known; the key carries A, so a
// signature is one comb (~64 columns) and one inversion.

import { EtError } from "../errors";
import type { Job } from "../util/job";
import { runSync } from "../util/job";
import { SHA512 } from "./sha2";
import { scReduce } from "./ed25519";
import { EdCombMul, X25519_INV_PER_STEP } from "./x25519";
import { fe, feBytes, feMul, FePow } from "./field25519";
import type { Fe } from "./field25519";
import { mulBytes } from "./bignum";

function reversed(a: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
  return r;
}

/** The clamped secret scalar a and the nonce prefix of a 32-byte seed. */
function expand(seed: Uint8Array): Uint8Array[] {
  if (seed.length !== 32) throw new EtError("CRYPTO_BAD_KEY", "Ed25519 seed must be 32 bytes");
  const h = SHA512.hash(seed), a = new Uint8Array(32);
  a.set(h.subarray(0, 32));
  a[0] &= 248;
  a[31] &= 127;
  a[31] |= 64;
  return [a, h.subarray(32, 64)];
}

/** [k]B encoded (RFC 8032 §5.1.2), as a Job: the comb, the inversion of Z, the encoding. */
class EdBaseJob implements Job<Uint8Array> {
  comb: EdCombMul;
  inv: FePow | null;
  zi: Fe;
  out: Uint8Array | null;
  constructor(k: Uint8Array) {
    this.comb = new EdCombMul(k);
    this.inv = null;
    this.zi = fe();
    this.out = null;
  }
  step(): boolean {
    if (this.out) return true;
    const P = this.comb.P;
    if (!this.inv) {
      if (this.comb.run()) this.inv = new FePow(this.zi, P.Z, false);
      return false;
    }
    if (!this.inv.run(X25519_INV_PER_STEP)) return false;
    const X = fe(), Y = fe();
    feMul(X, P.X, this.zi);
    feMul(Y, P.Y, this.zi);
    const enc = feBytes(Y);
    enc[31] |= (feBytes(X)[0] & 1) << 7;
    this.out = enc;
    return true;
  }
  result(): Uint8Array {
    return this.out as Uint8Array;
  }
}

/** The Ed25519 public key of a 32-byte seed, as a Job (one comb multiplication). */
export function ed25519PublicKeyJob(seed: Uint8Array): Job<Uint8Array> {
  return new EdBaseJob(expand(seed)[0]);
}

/** The same, synchronously. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return runSync(ed25519PublicKeyJob(seed));
}

/** (r + k a) mod L for 32-byte little-endian r, k, a (r, k < L; a < 2^255). */
function muladd(r: Uint8Array, k: Uint8Array, a: Uint8Array): Uint8Array {
  const p = reversed(mulBytes(reversed(k), reversed(a))), t = new Uint8Array(64);
  let c = 0, i: number, v: number;
  for (i = 0; i < 64; i++) {
    v = p[i] + (i < 32 ? r[i] : 0) + c;
    t[i] = v & 255;
    c = v >> 8;
  }
  return scReduce(t);
}

/**
 * Ed25519 signature (64 bytes: R ‖ S) of msg with the seed and its public key A (as the key
 * file or ed25519PublicKey gives it), as a Job.
 */
export function ed25519SignJob(seed: Uint8Array, pub: Uint8Array, msg: Uint8Array): Job<Uint8Array> {
  const ex = expand(seed), a = ex[0];
  const r = scReduce(SHA512.create().update(ex[1]).update(msg).digest());
  const R = new EdBaseJob(r);
  let out: Uint8Array | null = null;
  return {
    step: function (): boolean {
      if (out) return true;
      if (!R.step()) return false;
      const Rb = R.result(), k = scReduce(SHA512.create().update(Rb).update(pub).update(msg).digest());
      const sig = new Uint8Array(64);
      sig.set(Rb, 0);
      sig.set(muladd(r, k, a), 32);
      out = sig;
      return true;
    },
    result: function (): Uint8Array {
      if (!out) throw new EtError("JOB_NOT_DONE", "Ed25519 signature read before the job finished");
      return out;
    },
  };
}
