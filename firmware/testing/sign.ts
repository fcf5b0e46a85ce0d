// Internals exposed to the signing tests and benchmarks (identity/, crypto/*-sign.ts).
import { SHA256, SHA384, SHA512 } from "../crypto/sha2";
import { P256, P384 } from "../crypto/ecurve";
import { BaseMulJob } from "../crypto/ecbase";
import { EcdsaSignJob, Rfc6979, ecdsaDer } from "../crypto/ecdsa-sign";
import { rsaSignJob, RsaSignJob, CrtJob } from "../crypto/rsa-sign";
import { ModPowJob } from "../crypto/modpow";
import { BlindPairJob, smallInverse } from "../crypto/rsa-blind";
import { ed25519PublicKey, ed25519SignJob } from "../crypto/ed25519-sign";
import { mulBytes, montCtx, limbsFromBytes, limbsToBytes, longDivStart, longDivStep, longDivResult } from "../crypto/bignum";
import { parsePrivateKey, keyMatchesSpki } from "../identity/key";
import { signatureSchemes, signJob } from "../identity/sign";
import { runSync, runSliced } from "../util/job";

export const sign = {
  SHA256: SHA256,
  SHA384: SHA384,
  SHA512: SHA512,
  P256: P256,
  P384: P384,
  BaseMulJob: BaseMulJob,
  EcdsaSignJob: EcdsaSignJob,
  Rfc6979: Rfc6979,
  ecdsaDer: ecdsaDer,
  rsaSignJob: rsaSignJob,
  RsaSignJob: RsaSignJob,
  CrtJob: CrtJob,
  ModPowJob: ModPowJob,
  BlindPairJob: BlindPairJob,
  smallInverse: smallInverse,
  montCtx: montCtx,
  limbsFromBytes: limbsFromBytes,
  limbsToBytes: limbsToBytes,
  longDivStart: longDivStart,
  longDivStep: longDivStep,
  longDivResult: longDivResult,
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
