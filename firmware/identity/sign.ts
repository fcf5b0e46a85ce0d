// The one signing interface: TLS CertificateVerify (client now, server later) and CSRs sign
// through signJob with a TLS SignatureScheme code point; the schemes a key can make come from
// signatureSchemes (the TLS layer filters them by version and by what the peer accepts).

import { EtError } from "../errors";
import type { Job } from "../util/job";
import { KEY_EC, KEY_ED25519, KEY_RSA } from "../x509/cert";
import {
  SIG_ECDSA_SECP256R1_SHA256, SIG_ECDSA_SECP384R1_SHA384, SIG_ED25519, SIG_RSA_PKCS1_SHA256,
  SIG_RSA_PKCS1_SHA384, SIG_RSA_PKCS1_SHA512, SIG_RSA_PSS_RSAE_SHA256, SIG_RSA_PSS_RSAE_SHA384,
  SIG_RSA_PSS_RSAE_SHA512,
} from "../tls/constants";
import { SHA256, SHA384, SHA512 } from "../crypto/sha2";
import type { HashAlg } from "../crypto/types";
import { P256, P384 } from "../crypto/ecurve";
import { EcdsaSignJob } from "../crypto/ecdsa-sign";
import { rsaSignJob } from "../crypto/rsa-sign";
import { ed25519SignJob } from "../crypto/ed25519-sign";
import type { PrivateKey } from "./key";

/** TLS SignatureScheme code points this key can make, best first. */
export function signatureSchemes(key: PrivateKey): number[] {
  if (key.kind === KEY_EC) return [key.curve === "P256" ? SIG_ECDSA_SECP256R1_SHA256 : SIG_ECDSA_SECP384R1_SHA384];
  if (key.kind === KEY_ED25519) return [SIG_ED25519];
  if (key.kind === KEY_RSA) {
    return [SIG_RSA_PSS_RSAE_SHA256, SIG_RSA_PSS_RSAE_SHA384, SIG_RSA_PSS_RSAE_SHA512,
      SIG_RSA_PKCS1_SHA256, SIG_RSA_PKCS1_SHA384, SIG_RSA_PKCS1_SHA512];
  }
  return [];
}

function rsaHash(scheme: number): HashAlg | null {
  if (scheme === SIG_RSA_PSS_RSAE_SHA256 || scheme === SIG_RSA_PKCS1_SHA256) return SHA256;
  if (scheme === SIG_RSA_PSS_RSAE_SHA384 || scheme === SIG_RSA_PKCS1_SHA384) return SHA384;
  if (scheme === SIG_RSA_PSS_RSAE_SHA512 || scheme === SIG_RSA_PKCS1_SHA512) return SHA512;
  return null;
}

/**
 * Signs `message` (the whole content: the hash is taken here) with `scheme`, which must be one
 * of signatureSchemes(key) (else CRYPTO_UNSUPPORTED). ECDSA: DER Ecdsa-Sig-Value; RSA: k bytes;
 * Ed25519: 64 bytes. `random` gives fresh DRBG bytes (hedged ECDSA nonces, blinding, PSS salt).
 */
export function signJob(key: PrivateKey, scheme: number, message: Uint8Array, random: (n: number) => Uint8Array): Job<Uint8Array> {
  if (signatureSchemes(key).indexOf(scheme) < 0) {
    throw new EtError("CRYPTO_UNSUPPORTED", "this key cannot sign with scheme 0x" + scheme.toString(16), scheme);
  }
  if (key.kind === KEY_EC) {
    const C = key.curve === "P256" ? P256 : P384, H = C === P256 ? SHA256 : SHA384;
    return new EcdsaSignJob(C, H, key.secret as Uint8Array, H.hash(message), random(C.size), random);
  }
  if (key.kind === KEY_ED25519) return ed25519SignJob(key.secret as Uint8Array, key.spki.point as Uint8Array, message);
  const H = rsaHash(scheme) as HashAlg;
  const pss = scheme === SIG_RSA_PSS_RSAE_SHA256 || scheme === SIG_RSA_PSS_RSAE_SHA384 || scheme === SIG_RSA_PSS_RSAE_SHA512;
  return rsaSignJob(key.rsa as Uint8Array[], key, H, H.hash(message), pss, random);
}
