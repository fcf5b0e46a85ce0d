// Ephemeral key exchange for TLS 1.3 key shares: X25519 (RFC 7748) and P-256 ECDH (SEC 1).
// Both are long public-key operations, so both are Jobs.
import type { Job } from "../util/job";
import { andThen } from "../util/job";
import { x25519BaseJob, x25519Job } from "../crypto/x25519";
import { ecdhJob, ecPublicKeyJob } from "../crypto/ecdh";
import { P256 } from "../crypto/ecurve";
import { GROUP_SECP256R1, GROUP_X25519 } from "./constants";
import { tlsFail, A_ILLEGAL_PARAMETER } from "./alerts";

export interface Ephemeral {
  group: number;
  priv: Uint8Array;
  pub: Uint8Array;
}

/** A fresh key pair for `group` from 32 random bytes. X25519 clamps any 32 bytes; a P-256
 *  scalar must lie in [1, n-1], so the rare draw outside (odds about 2^-32) is drawn again. */
export function keyShareJob(group: number, random: (n: number) => Uint8Array): Job<Ephemeral> {
  let priv = random(32);
  let pubJob: Job<Uint8Array> | null = null;
  if (group === GROUP_X25519) pubJob = x25519BaseJob(priv);
  else if (group === GROUP_SECP256R1) {
    for (let tries = 0; pubJob === null; tries++) {
      try {
        pubJob = ecPublicKeyJob(P256, priv);
      } catch (e) {
        if ((e as any).code !== "CRYPTO_BAD_SCALAR" || tries > 4) throw e;
        priv = random(32);
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
    return x25519Job(mine.priv, peer);
  }
  if (peer.length !== 65 || peer[0] !== 4) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_KEY_SHARE", "P-256 key share is not an uncompressed point");
  try {
    return ecdhJob(P256, mine.priv, peer);
  } catch (e) {
    return tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_KEY_SHARE", "P-256 key share is not a point on the curve");
  }
}
