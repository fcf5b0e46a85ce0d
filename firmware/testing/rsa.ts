// Internals exposed to vector tests and benchmarks (filled by the rsa family).
import { SHA256, SHA384, SHA512 } from "../crypto/sha2";
import { rsaVerifyPkcs1, rsaVerifyPss, rsaVerifyPkcs1Job, rsaVerifyPssJob, rsaModulusBits } from "../crypto/rsa";
import { modExp, modExpJob, modN, montCtx, montMul, loadX, loadY, readX, limbsFromBytes, limbsToBytes, cmpBytes, bitLength } from "../crypto/bignum";

export const rsa = {
  SHA256: SHA256,
  SHA384: SHA384,
  SHA512: SHA512,
  verifyPkcs1: rsaVerifyPkcs1,
  verifyPss: rsaVerifyPss,
  verifyPkcs1Job: rsaVerifyPkcs1Job,
  verifyPssJob: rsaVerifyPssJob,
  modulusBits: rsaModulusBits,
  modExp: modExp,
  modExpJob: modExpJob,
  montCtx: montCtx,
  montMul: montMul,
  modN: modN,
  loadX: loadX,
  loadY: loadY,
  readX: readX,
  limbsFromBytes: limbsFromBytes,
  limbsToBytes: limbsToBytes,
  cmpBytes: cmpBytes,
  bitLength: bitLength,
};
