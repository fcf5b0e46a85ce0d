// The one place where X.509 meets the signature primitives.
//
// verifySignature(sigAlg, spki, tbs, signature) hashes the signed bytes and dispatches to the
// crypto module. The caller (path.ts) has already checked that the algorithm is allowed and
// fits the key (sigAlgIssue); here an unfit pair simply does not verify.
// verifySignatureJob is the same as a Job: the hash is one step, the public-key operation is
// stepped through the crypto module's Job form where it has one.

import type { HashAlg } from "../crypto/types";
import type { Job } from "../util/job";
import { runSync, doneJob } from "../util/job";
import { SHA256, SHA384, SHA512 } from "../crypto/sha2";
import { rsaVerifyPkcs1Job, rsaVerifyPssJob } from "../crypto/rsa";
import { ecdsaVerifyJob } from "../crypto/ecdsa";
import { P256, P384 } from "../crypto/ecurve";
import { ed25519VerifyJob } from "../crypto/ed25519";
import type { SigAlg, PublicKeyInfo } from "./cert";
import { SIG_RSA_PKCS1, SIG_RSA_PSS, SIG_ECDSA, SIG_ED25519, KEY_RSA, KEY_EC, KEY_ED25519, H_SHA256, H_SHA384, H_SHA512 } from "./cert";

/** The hash of a signature algorithm, null when we have none for it (SHA-1, none). */
export function hashFor(h: number): HashAlg | null {
  return h === H_SHA256 ? SHA256 : h === H_SHA384 ? SHA384 : h === H_SHA512 ? SHA512 : null;
}

/**
 * verifySignature as a Job: the first step hashes `tbs`, later steps run the public-key
 * operation (the crypto module's Job form where it has one). A malformed signature does not
 * verify; a key the crypto module refuses (CRYPTO_BAD_KEY, CRYPTO_BAD_POINT) throws its
 * EtError from step().
 */
export function verifySignatureJob(sigAlg: SigAlg, spki: PublicKeyInfo, tbs: Uint8Array, signature: Uint8Array): Job<boolean> {
  const k = sigAlg.kind;
  if (k === SIG_ED25519) {
    return spki.kind === KEY_ED25519 ? ed25519VerifyJob(spki.point as Uint8Array, tbs, signature) : doneJob(false);
  }
  const h = hashFor(sigAlg.hash);
  if (h === null) return doneJob(false);
  const rsa = k === SIG_RSA_PKCS1 || k === SIG_RSA_PSS;
  if (rsa ? spki.kind !== KEY_RSA : k !== SIG_ECDSA || spki.kind !== KEY_EC) return doneJob(false);
  let inner: Job<boolean> | null = null;
  let res = false;
  let fin = false;
  return {
    step: function (): boolean {
      if (fin) return true;
      if (inner === null) {
        const digest = h.hash(tbs);
        if (rsa) {
          const n = spki.n as Uint8Array;
          const e = spki.e as Uint8Array;
          inner = k === SIG_RSA_PKCS1 ? rsaVerifyPkcs1Job(n, e, h, digest, signature) : rsaVerifyPssJob(n, e, h, digest, signature, sigAlg.saltLen);
        } else inner = ecdsaVerifyJob(spki.curve === "P256" ? P256 : P384, spki.point as Uint8Array, digest, signature);
        return false;
      }
      if (!inner.step()) return false;
      res = inner.result();
      fin = true;
      return true;
    },
    result: function (): boolean {
      return res;
    },
  };
}

/** True when `signature` over `tbs` verifies with `spki` under `sigAlg` (synchronously). */
export function verifySignature(sigAlg: SigAlg, spki: PublicKeyInfo, tbs: Uint8Array, signature: Uint8Array): boolean {
  return runSync(verifySignatureJob(sigAlg, spki, tbs, signature));
}
