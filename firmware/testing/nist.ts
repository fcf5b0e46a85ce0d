// Internals exposed to vector tests, unit tests and benchmarks (filled by the nist family).
import { SHA256, SHA384 } from "../crypto/sha2";
import { runSync } from "../util/job";
import {
  FP256, FP384, FeInv, feInv, feCanon, feIsZero, feEq, feToMont, feFromMont, limbsFromBytes,
  limbsToBytes, limbsCmp,
} from "../crypto/ecfield";
import {
  P256, P384, ctx, newPoint, pointDouble, pointAdd, pointAddAffine, onCurve, decodePoint,
  encodePoint, ToAffine, MulJob, DualMulJob, DivN, montN, scalarFromBytes, scalarInRange,
  jacobianXModNEquals, ecReleaseCaches,
} from "../crypto/ecurve";
import { ecdhJob, ecdhP256, ecdhP384, ecPublicKey, ecPublicKeyJob, ecPointFromSpki } from "../crypto/ecdh";
import {
  ecdsaVerify, ecdsaVerifyJob, ecdsaVerifyP1363, ecdsaVerifyP1363Job, parseDerSignature,
} from "../crypto/ecdsa";

export const nist = {
  SHA256: SHA256,
  SHA384: SHA384,
  runSync: runSync,
  P256: P256,
  P384: P384,
  ecdhJob: ecdhJob,
  ecdhP256: ecdhP256,
  ecdhP384: ecdhP384,
  ecPublicKey: ecPublicKey,
  ecPublicKeyJob: ecPublicKeyJob,
  ecPointFromSpki: ecPointFromSpki,
  ecdsaVerify: ecdsaVerify,
  ecdsaVerifyJob: ecdsaVerifyJob,
  ecdsaVerifyP1363: ecdsaVerifyP1363,
  ecdsaVerifyP1363Job: ecdsaVerifyP1363Job,
  parseDerSignature: parseDerSignature,
  // internals (unit tests, benchmarks)
  FP256: FP256,
  FP384: FP384,
  FeInv: FeInv,
  feInv: feInv,
  feCanon: feCanon,
  feIsZero: feIsZero,
  feEq: feEq,
  feToMont: feToMont,
  feFromMont: feFromMont,
  limbsFromBytes: limbsFromBytes,
  limbsToBytes: limbsToBytes,
  limbsCmp: limbsCmp,
  ctx: ctx,
  newPoint: newPoint,
  pointDouble: pointDouble,
  pointAdd: pointAdd,
  pointAddAffine: pointAddAffine,
  onCurve: onCurve,
  decodePoint: decodePoint,
  encodePoint: encodePoint,
  ToAffine: ToAffine,
  MulJob: MulJob,
  DualMulJob: DualMulJob,
  DivN: DivN,
  montN: montN,
  scalarFromBytes: scalarFromBytes,
  scalarInRange: scalarInRange,
  jacobianXModNEquals: jacobianXModNEquals,
  ecReleaseCaches: ecReleaseCaches,
};
