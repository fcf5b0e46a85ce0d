// Internals exposed to the signing tests and benchmarks (identity/, crypto/*-sign.ts).
import { SHA256, SHA384, SHA512 } from "../crypto/sha2";
import { P256, P384 } from "../crypto/ecurve";
import { EcdsaSignJob, Rfc6979, ecdsaDer } from "../crypto/ecdsa-sign";
import { rsaSignJob } from "../crypto/rsa-sign";
import { ed25519PublicKey, ed25519SignJob } from "../crypto/ed25519-sign";
import { mulBytes } from "../crypto/bignum";
import { parsePrivateKey, keyMatchesSpki } from "../identity/key";
import { signatureSchemes, signJob } from "../identity/sign";
import { runSync, runSliced } from "../util/job";

export const sign = {
  SHA256: SHA256,
  SHA384: SHA384,
  SHA512: SHA512,
  P256: P256,
  P384: P384,
  EcdsaSignJob: EcdsaSignJob,
  Rfc6979: Rfc6979,
  ecdsaDer: ecdsaDer,
  rsaSignJob: rsaSignJob,
  ed25519PublicKey: ed25519PublicKey,
  ed25519SignJob: ed25519SignJob,
  mulBytes: mulBytes,
  parsePrivateKey: parsePrivateKey,
  keyMatchesSpki: keyMatchesSpki,
  signatureSchemes: signatureSchemes,
  signJob: signJob,
  runSync: runSync,
  runSliced: runSliced,
};
