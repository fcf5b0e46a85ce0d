// Internals exposed to vector tests and benchmarks (Curve25519 family).
import { fe, feInt, feMul, feSqr, feMulPM, feA24, feCarry, feAdd, feSub, feFromBytes, feToBytes, feBytes, feInvert, fePow22523 } from "../crypto/field25519";
import { x25519, x25519Base, x25519Job, x25519BaseJob, combTable } from "../crypto/x25519";
import { ed25519Verify, ed25519VerifyJob, b64, oddBTable, edConstantsHex } from "../crypto/ed25519";

export const c25519 = {
  x25519: x25519,
  x25519Base: x25519Base,
  x25519Job: x25519Job,
  x25519BaseJob: x25519BaseJob,
  ed25519Verify: ed25519Verify,
  ed25519VerifyJob: ed25519VerifyJob,
  b64: b64,
  oddBTable: oddBTable,
  combTable: combTable,
  edConstantsHex: edConstantsHex,
  fe: fe,
  feInt: feInt,
  feMul: feMul,
  feSqr: feSqr,
  feMulPM: feMulPM,
  feA24: feA24,
  feCarry: feCarry,
  feAdd: feAdd,
  feSub: feSub,
  feFromBytes: feFromBytes,
  feToBytes: feToBytes,
  feBytes: feBytes,
  feInvert: feInvert,
  fePow22523: fePow22523,
};
