// Ephemeral key exchange for TLS 1.3 key shares and TLS 1.2 ECDHE: X25519 (RFC 7748), P-256 and
// P-384 ECDH (SEC 1). All are long public-key operations, so all are Jobs. P-384 is offered last
// (supported_groups only, no key share): it costs time only when a server asks for it.
import type { Job } from "../util/job";
import { andThen, mapJob } from "../util/job";
import { dropLayer } from "../layers";
import { x25519BaseJob, x25519Job } from "../crypto/x25519";
import { ecdhJob, ecPublicKeyJob } from "../crypto/ecdh";
import { P256, P384 } from "../crypto/ecurve";
import type { Curve } from "../crypto/ecurve";
import { GROUP_SECP256R1, GROUP_SECP384R1, GROUP_X25519 } from "./constants";
import { tlsFail, A_ILLEGAL_PARAMETER } from "./alerts";

export interface Ephemeral {
  group: number;
  priv: Uint8Array;
  pub: Uint8Array;
}

/** The NIST curve of a group, null for X25519 or an unknown group. */
function nistCurve(group: number): Curve | null {
  return group === GROUP_SECP256R1 ? P256 : group === GROUP_SECP384R1 ? P384 : null;
}

/** A fresh key pair for `group` from random bytes. X25519 clamps any 32 bytes; a P-256/P-384
 *  scalar must lie in [1, n-1], so the rare draw outside (odds about 2^-32) is drawn again. */
export function keyShareJob(group: number, random: (n: number) => Uint8Array): Job<Ephemeral> {
  const curve = nistCurve(group);
  const size = curve ? curve.size : 32;
  let priv = random(size);
  let pubJob: Job<Uint8Array> | null = null;
  if (group === GROUP_X25519) pubJob = x25519BaseJob(priv);
  else if (curve) {
    for (let tries = 0; pubJob === null; tries++) {
      try {
        pubJob = ecPublicKeyJob(curve, priv);
      } catch (e) {
        if ((e as any).code !== "CRYPTO_BAD_SCALAR" || tries > 4) throw e;
        priv = random(size);
      }
    }
  } else return tlsFail(A_ILLEGAL_PARAMETER, "TLS_UNSUPPORTED_GROUP", "group " + group);
  let res: Ephemeral | null = null;
  const j = andThen(pubJob as Job<Uint8Array>, function (pub: Uint8Array) { res = { group: group, priv: priv, pub: pub }; return null; });
  return { step: j.step, result: function () { return res as Ephemeral; } };
}

/** The shared secret with the peer's key share; invalid shares are illegal_parameter. */
export function sharedSecretJob(mine: Ephemeral, peer: Uint8Array): Job<Uint8Array> {
  if (mine.group === GROUP_X25519) {
    if (peer.length !== 32) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_KEY_SHARE", "X25519 key share of " + peer.length + " bytes");
    return mapJob(x25519Job(mine.priv, peer), function (z: Uint8Array) { dropLayer("c25519"); return z; });
  }
  const curve = nistCurve(mine.group) as Curve;
  if (peer.length !== 1 + 2 * curve.size || peer[0] !== 4) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_KEY_SHARE", curve.name + " key share is not an uncompressed point");
  try {
    return ecdhJob(curve, mine.priv, peer);
  } catch (e) {
    return tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_KEY_SHARE", curve.name + " key share is not a point on the curve");
  }
}
