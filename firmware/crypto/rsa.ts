// RSA signature verification (RFC 8017): RSASSA-PKCS1-v1_5 and RSASSA-PSS with MGF1.
//
// PKCS#1 v1.5 is checked by re-encoding: the expected EMSA-PKCS1-v1_5 block (DigestInfo with
// the NULL parameter) is built from the digest and compared with the whole recovered block in
// constant time; the recovered block is never parsed, so no padding or ASN.1 leniency exists
// to exploit (Bleichenbacher-style forgeries against lax parsers).
//
// Bad keys (modulus even, outside 1024..4096 bits, exponent even, < 3 or >= 2^33) throw
// EtError("CRYPTO_BAD_KEY"); bad signatures (wrong length, value >= modulus, wrong padding)
// return false. The exponent limit follows BoringSSL and webpki (at most 33 bits).

import { EtError } from "../errors";
import type { HashAlg } from "./types";
import type { Job } from "../util/job";
import { doneJob, runSync } from "../util/job";
import { ctEqual } from "../util/bytes";
import { bitLength, stripZeros, cmpBytes, modExpJob } from "./bignum";

/** Smallest and largest moduli verification accepts (X.509 policy may ask for more). */
export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 4096;

/** Bit length of a big-endian modulus (leading zero bytes ignored). */
export function rsaModulusBits(modulus: Uint8Array): number {
  return bitLength(modulus);
}

/** Validates the key; returns the modulus without leading zeros and e as a number. */
function checkKey(modulus: Uint8Array, exponent: Uint8Array): { N: Uint8Array; e: number } {
  const N = stripZeros(modulus);
  const bits = bitLength(N);
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
    throw new EtError("CRYPTO_BAD_KEY", "RSA modulus of " + bits + " bits is outside " + RSA_MIN_BITS + ".." + RSA_MAX_BITS, bits);
  }
  if ((N[N.length - 1] & 1) === 0) throw new EtError("CRYPTO_BAD_KEY", "RSA modulus is even");
  const eb = stripZeros(exponent);
  if (eb.length > 5) throw new EtError("CRYPTO_BAD_KEY", "RSA exponent longer than 33 bits");
  let e = 0;
  for (let i = 0; i < eb.length; i++) e = e * 256 + eb[i];
  if (e < 3 || e >= 8589934592 || e % 2 !== 1) throw new EtError("CRYPTO_BAD_KEY", "RSA exponent must be odd, >= 3 and < 2^33", e);
  return { N: N, e: e };
}

/** Runs `job`, then (in a step of its own) maps its result through f. */
function thenJob<T>(job: Job<Uint8Array>, f: (em: Uint8Array) => T): Job<T> {
  let inner = false, done = false;
  let res: T | undefined;
  return {
    step: function (): boolean {
      if (done) return true;
      if (!inner) {
        inner = job.step();
        return false;
      }
      res = f(job.result());
      done = true;
      return true;
    },
    result: function (): T {
      if (!done) throw new EtError("JOB_NOT_DONE", "RSA result read before the job finished");
      return res as T;
    },
  };
}

/** DER DigestInfo prefix for the hash (AlgorithmIdentifier with NULL parameters, RFC 8017 §9.2 note 1). */
export function digestInfoPrefix(hash: HashAlg): Uint8Array {
  const id = hash.name === "SHA-256" ? 1 : hash.name === "SHA-384" ? 2 : hash.name === "SHA-512" ? 3 : 0;
  if (id === 0) throw new EtError("CRYPTO_UNSUPPORTED", "no PKCS#1 DigestInfo for " + hash.name);
  const L = hash.outputLen;
  // SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.id, NULL }, OCTET STRING (L bytes) }
  return new Uint8Array([0x30, 0x11 + L, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, id, 0x05, 0x00, 0x04, L]);
}

/** RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) as a Job. */
export function rsaVerifyPkcs1Job(modulus: Uint8Array, exponent: Uint8Array, hash: HashAlg, digest: Uint8Array, sig: Uint8Array): Job<boolean> {
  const key = checkKey(modulus, exponent);
  const N = key.N;
  const k = N.length;
  const prefix = digestInfoPrefix(hash);
  const tLen = prefix.length + digest.length;
  if (sig.length !== k || digest.length !== hash.outputLen || k < tLen + 11 || cmpBytes(sig, N) >= 0) return doneJob(false);
  // EM = 00 01 FF..FF 00 || DigestInfo || digest
  const want = new Uint8Array(k);
  want[1] = 1;
  for (let i = 2; i < k - tLen - 1; i++) want[i] = 255;
  want.set(prefix, k - tLen);
  want.set(digest, k - digest.length);
  return thenJob(modExpJob(N, sig, key.e), function (em: Uint8Array): boolean {
    return ctEqual(em, want);
  });
}

/** MGF1 (RFC 8017 §B.2.1) with `hash`: `len` bytes of mask from `seed`. */
export function mgf1(hash: HashAlg, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const buf = new Uint8Array(seed.length + 4);
  buf.set(seed);
  const s = seed.length;
  let off = 0, ctr = 0;
  while (off < len) {
    buf[s] = (ctr >>> 24) & 255;
    buf[s + 1] = (ctr >>> 16) & 255;
    buf[s + 2] = (ctr >>> 8) & 255;
    buf[s + 3] = ctr & 255;
    const hsh = hash.hash(buf);
    const take = len - off < hsh.length ? len - off : hsh.length;
    out.set(hsh.subarray(0, take), off);
    off += take;
    ctr++;
  }
  return out;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) of the recovered integer `m` (k bytes, big-endian). */
function pssCheck(hash: HashAlg, digest: Uint8Array, saltLen: number, modBits: number, m: Uint8Array): boolean {
  const emBits = modBits - 1;
  const emLen = (emBits + 7) >> 3;
  // I2OSP(m, emLen): when emLen = k - 1 the first byte of m must be zero.
  if (m.length > emLen && m[0] !== 0) return false;
  const EM = m.subarray(m.length - emLen);
  const hLen = hash.outputLen;
  if (emLen < hLen + saltLen + 2) return false;
  if (EM[emLen - 1] !== 0xbc) return false;
  const dbLen = emLen - hLen - 1;
  const H = EM.subarray(dbLen, dbLen + hLen);
  const topMask = 255 >> (8 * emLen - emBits); // bits of the first byte that belong to emBits
  if (EM[0] & ~topMask & 255) return false;
  const DB = mgf1(hash, H, dbLen);
  for (let i = 0; i < dbLen; i++) DB[i] ^= EM[i];
  DB[0] &= topMask;
  const ps = dbLen - saltLen - 1;
  let bad = DB[ps] ^ 1;
  for (let i = 0; i < ps; i++) bad |= DB[i];
  if (bad) return false;
  // M' = 00 x 8 || mHash || salt
  const M2 = new Uint8Array(8 + hLen + saltLen);
  M2.set(digest, 8);
  M2.set(DB.subarray(dbLen - saltLen), 8 + hLen);
  return ctEqual(hash.hash(M2), H);
}

/** RSASSA-PSS verification (RFC 8017 §8.1.2) with MGF1 over the same hash, as a Job. */
export function rsaVerifyPssJob(modulus: Uint8Array, exponent: Uint8Array, hash: HashAlg, digest: Uint8Array, sig: Uint8Array, saltLen: number): Job<boolean> {
  const key = checkKey(modulus, exponent);
  const N = key.N;
  const modBits = bitLength(N);
  if (sig.length !== N.length || digest.length !== hash.outputLen || !(saltLen >= 0 && saltLen % 1 === 0) || cmpBytes(sig, N) >= 0) return doneJob(false);
  return thenJob(modExpJob(N, sig, key.e), function (m: Uint8Array): boolean {
    return pssCheck(hash, digest, saltLen, modBits, m);
  });
}

/** RSASSA-PKCS1-v1_5 verification, synchronously (~0.1 s for RSA-2048 on the Linux interpreter). */
export function rsaVerifyPkcs1(modulus: Uint8Array, exponent: Uint8Array, hash: HashAlg, digest: Uint8Array, sig: Uint8Array): boolean {
  return runSync(rsaVerifyPkcs1Job(modulus, exponent, hash, digest, sig));
}

/** RSASSA-PSS verification, synchronously. */
export function rsaVerifyPss(modulus: Uint8Array, exponent: Uint8Array, hash: HashAlg, digest: Uint8Array, sig: Uint8Array, saltLen: number): boolean {
  return runSync(rsaVerifyPssJob(modulus, exponent, hash, digest, sig, saltLen));
}
