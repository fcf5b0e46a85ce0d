// Ed25519 signing (RFC 8032 §5.1.6): not implemented yet.
import { EtError } from "../errors";
import type { Job } from "../util/job";

/** The Ed25519 public key of a 32-byte seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  throw new EtError("CRYPTO_UNSUPPORTED", "Ed25519 keys are not supported yet (" + seed.length + ")");
}

export function ed25519SignJob(seed: Uint8Array, pub: Uint8Array, msg: Uint8Array): Job<Uint8Array> {
  throw new EtError("CRYPTO_UNSUPPORTED", "Ed25519 signing is not implemented yet", seed.length + pub.length + msg.length);
}
