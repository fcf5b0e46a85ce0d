// ECDH on P-256 / P-384 (SEC1 §3.3.1, as TLS uses it: the shared secret is the x coordinate,
// C.size bytes, big-endian) and our key share (the uncompressed public point).
//
// Inputs:
//   - private keys are big-endian integers of any length (leading zeros allowed, shorter
//     than C.size allowed) and must be in [1, n-1], else EtError CRYPTO_BAD_SCALAR;
//   - peer points must be SEC1 uncompressed 04‖X‖Y on the curve, else CRYPTO_BAD_POINT
//     (compressed points are refused: TLS 1.3 key shares are uncompressed, RFC 8446 §4.2.8.2).
// Cost on the release interpreter (x86): see the nist helper report (P-256 ~0.7 s).

import { EtError } from "../errors";
import type { Job } from "../util/job";
import { runSync } from "../util/job";
import {
  P256, P384, ctx, decodePoint, encodePoint, MulJob, ToAffine, scalarFromBytes, scalarInRange,
} from "./ecurve";
import type { Curve, JPoint } from "./ecurve";
import { feFromMont, limbsToBytes } from "./ecfield";
import { BaseMulJob } from "./ecbase";

/** The private scalar as limbs; throws CRYPTO_BAD_SCALAR unless it is in [1, n-1]. */
function privScalar(C: Curve, priv: Uint8Array): Int32Array {
  const k = scalarFromBytes(ctx(C), priv);
  if (!k || !scalarInRange(ctx(C), k)) throw new EtError("CRYPTO_BAD_SCALAR", C.name + ": private key out of range");
  return k;
}

/** k*P then the affine result, as one Job; out() turns the affine point into the result. */
class PointJob<T> implements Job<T> {
  m: MulJob | BaseMulJob;
  a: ToAffine | null;
  out: (x: Int32Array, y: Int32Array) => T;
  res: T | null;
  constructor(m: MulJob | BaseMulJob, out: (x: Int32Array, y: Int32Array) => T) {
    this.m = m;
    this.a = null;
    this.out = out;
    this.res = null;
  }
  step(): boolean {
    if (!this.a) {
      if (!this.m.step()) return false;
      const p: JPoint = this.m.result();
      this.a = new ToAffine(this.m.X, p);
      return false;
    }
    if (!this.a.step()) return false;
    const xy = this.a.result();
    this.res = this.out(xy[0], xy[1]);
    return true;
  }
  result(): T {
    return this.res as T;
  }
}

/**
 * ECDH as a Job: the shared secret x(priv*peer), C.size bytes. Input errors are thrown
 * here, before any step.
 */
export function ecdhJob(C: Curve, priv: Uint8Array, peerPoint: Uint8Array): Job<Uint8Array> {
  const k = privScalar(C, priv);
  const q = decodePoint(C, peerPoint);
  const F = C.F, L = C.size;
  return new PointJob<Uint8Array>(new MulJob(C, k, q[0], q[1]), function (x: Int32Array) {
    const t = new Int32Array(F.N), out = new Uint8Array(L);
    feFromMont(F, t, x);
    limbsToBytes(t, out, 0, L);
    return out;
  });
}

/** P-256 ECDH shared secret (32 bytes), synchronously (~0.7 s on the release interpreter). */
export function ecdhP256(privateKey: Uint8Array, peerPoint: Uint8Array): Uint8Array {
  return runSync(ecdhJob(P256, privateKey, peerPoint));
}

/** P-384 ECDH shared secret (48 bytes), synchronously. */
export function ecdhP384(privateKey: Uint8Array, peerPoint: Uint8Array): Uint8Array {
  return runSync(ecdhJob(P384, privateKey, peerPoint));
}

/** Our public key priv*G as a Job (the comb of ecbase.ts): the uncompressed point 04‖X‖Y (1 + 2*C.size bytes). */
export function ecPublicKeyJob(C: Curve, priv: Uint8Array): Job<Uint8Array> {
  const k = privScalar(C, priv);
  return new PointJob<Uint8Array>(new BaseMulJob(C, k), function (x: Int32Array, y: Int32Array) {
    return encodePoint(C, x, y);
  });
}

/** Our public key priv*G (uncompressed point), synchronously. */
export function ecPublicKey(C: Curve, priv: Uint8Array): Uint8Array {
  return runSync(ecPublicKeyJob(C, priv));
}

// DER of SubjectPublicKeyInfo { AlgorithmIdentifier { id-ecPublicKey, namedCurve }, BIT STRING }
// up to the point: with a named curve and an uncompressed point, strict DER allows exactly one
// encoding, so a byte comparison is a complete strict parser.
const SPKI_P256 = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
const SPKI_P384 = "3076301006072a8648ce3d020106052b81040022036200";

/**
 * The SEC1 point inside a DER SubjectPublicKeyInfo for C (id-ecPublicKey with the named curve,
 * uncompressed point). Anything else (BER, explicit curve parameters, another curve, a
 * compressed point, trailing bytes) throws CRYPTO_BAD_POINT. The point itself is checked
 * when it is used (decodePoint). Returns a view into spki.
 */
export function ecPointFromSpki(C: Curve, spki: Uint8Array): Uint8Array {
  const h = C === P256 ? SPKI_P256 : SPKI_P384, n = h.length >> 1;
  let ok = spki.length === n + 2 * C.size + 1;
  for (let i = 0; ok && i < n; i++) if (spki[i] !== parseInt(h.substr(2 * i, 2), 16)) ok = false;
  if (!ok) throw new EtError("CRYPTO_BAD_POINT", C.name + ": not a DER SubjectPublicKeyInfo with a named-curve uncompressed point");
  return spki.subarray(n);
}
