// TLS 1.3 CertificateVerify (RFC 8446 §4.4.3): the content either side signs (ours is signed in
// clientauth.ts), and the check of the server's: the signature scheme must fit the leaf key (TLS 1.3
// binds ECDSA schemes to curves, and RSA to PSS), then the X.509 signature code verifies. Also the
// TLS 1.2 ServerKeyExchange's scheme to the X.509 algorithm (schemeAlg12).
import type { Job } from "../util/job";
import { doneJob } from "../util/job";
import type { PublicKeyInfo, SigAlg } from "../x509/cert";
import { KEY_EC, KEY_ED25519, KEY_RSA, SIG_ECDSA, SIG_ED25519, SIG_RSA_PKCS1, SIG_RSA_PSS, H_NONE, H_SHA256, H_SHA384, H_SHA512 } from "../x509/cert";
import { KX_ECDHE_ECDSA } from "./suites12";
import { verifySignatureJob } from "../x509/sigverify";
import * as C from "./constants";
import { tlsFail, A_BAD_CERTIFICATE, A_ILLEGAL_PARAMETER } from "./alerts";

/** Who the server proved to be: the validated leaf's key and a printable subject. */
export interface PeerIdentity {
  spki: PublicKeyInfo;
  subject: string;
  /** Seconds since 1970 after which the validated chain expires. */
  notAfter: number;
  /** The leaf's keyUsage bits (KU_* of x509/cert.ts), -1 when it has no keyUsage extension. */
  ku: number;
  /** True when the chain's signatures were not checked again: the verified-chain cache
   *  (chaincache.ts) knew it (validity time and host name were checked). */
  cached?: boolean;
}

/** With keyUsage present the leaf must allow the use the handshake makes of its key (RFC 5280
 *  §4.2.1.3, RFC 5246 §7.4.2): digitalSignature for a signature (TLS 1.3 CertificateVerify,
 *  TLS 1.2 ServerKeyExchange), keyEncipherment for TLS 1.2 RSA key transport. */
export function checkKeyUsage(peer: PeerIdentity, bit: number, name: string): void {
  // `name`: the bit's name, for the message.
  if (peer.ku >= 0 && (peer.ku & bit) === 0) {
    tlsFail(A_BAD_CERTIFICATE, "TLS_BAD_KEY_USAGE", "keyUsage lacks " + name);
  }
}

function schemeAlg(scheme: number, key: PublicKeyInfo): SigAlg | null {
  const k = key.kind;
  const alg = function (kind: number, hash: number, salt: number): SigAlg { return { kind: kind, hash: hash, saltLen: salt, oid: "" }; };
  if (scheme === C.SIG_ECDSA_SECP256R1_SHA256) return k === KEY_EC && key.curve === "P256" ? alg(SIG_ECDSA, H_SHA256, 0) : null;
  if (scheme === C.SIG_ECDSA_SECP384R1_SHA384) return k === KEY_EC && key.curve === "P384" ? alg(SIG_ECDSA, H_SHA384, 0) : null;
  if (scheme === C.SIG_RSA_PSS_RSAE_SHA256) return k === KEY_RSA ? alg(SIG_RSA_PSS, H_SHA256, 32) : null;
  if (scheme === C.SIG_RSA_PSS_RSAE_SHA384) return k === KEY_RSA ? alg(SIG_RSA_PSS, H_SHA384, 48) : null;
  if (scheme === C.SIG_RSA_PSS_RSAE_SHA512) return k === KEY_RSA ? alg(SIG_RSA_PSS, H_SHA512, 64) : null;
  if (scheme === C.SIG_ED25519) return k === KEY_ED25519 ? alg(SIG_ED25519, H_NONE, 0) : null;
  return null; // rsa_pkcs1_* are for certificates only in TLS 1.3
}

/** What a TLS 1.3 CertificateVerify signs (§4.4.3): 64 spaces, the context string for the
 *  side that signs, a zero byte, the transcript hash. Used to verify the server's and to sign ours. */
export function certificateVerifyContent(server: boolean, th: Uint8Array): Uint8Array {
  const label = server ? "TLS 1.3, server CertificateVerify" : "TLS 1.3, client CertificateVerify";
  const content = new Uint8Array(64 + label.length + 1 + th.length);
  content.fill(32, 0, 64);
  for (let i = 0; i < label.length; i++) content[64 + i] = label.charCodeAt(i);
  content.set(th, 65 + label.length);
  return content;
}

export function certificateVerifyJob(scheme: number, key: PublicKeyInfo, content: Uint8Array, sig: Uint8Array): Job<boolean> {
  const alg = schemeAlg(scheme, key);
  if (!alg) return tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SIGNATURE_SCHEME", "signature scheme 0x" + scheme.toString(16) + " does not fit the server's key");
  if (sig.length === 0) return doneJob(false);
  return verifySignatureJob(alg, key, content, sig);
}

/** SignatureScheme of a ServerKeyExchange (RFC 5246 §7.4.1.4.1, RFC 8446 code points) to the
 *  X.509 signature algorithm, when it fits the suite and the certificate key; else null. */
export function schemeAlg12(scheme: number, kx: number, kind: number): SigAlg | null {
  const alg = function (k: number, hash: number, salt: number): SigAlg { return { kind: k, hash: hash, saltLen: salt, oid: "" }; };
  if (kx === KX_ECDHE_ECDSA) {
    if (kind === KEY_EC) {
      // In TLS 1.2 the ECDSA code points name the hash only; any of our curves may sign.
      if (scheme === C.SIG_ECDSA_SECP256R1_SHA256) return alg(SIG_ECDSA, H_SHA256, 0);
      if (scheme === C.SIG_ECDSA_SECP384R1_SHA384) return alg(SIG_ECDSA, H_SHA384, 0);
    }
    if (kind === KEY_ED25519 && scheme === C.SIG_ED25519) return alg(SIG_ED25519, H_NONE, 0);
    return null;
  }
  if (kind !== KEY_RSA) return null;
  if (scheme === C.SIG_RSA_PKCS1_SHA256) return alg(SIG_RSA_PKCS1, H_SHA256, 0);
  if (scheme === C.SIG_RSA_PKCS1_SHA384) return alg(SIG_RSA_PKCS1, H_SHA384, 0);
  if (scheme === C.SIG_RSA_PKCS1_SHA512) return alg(SIG_RSA_PKCS1, H_SHA512, 0);
  if (scheme === C.SIG_RSA_PSS_RSAE_SHA256) return alg(SIG_RSA_PSS, H_SHA256, 32);
  if (scheme === C.SIG_RSA_PSS_RSAE_SHA384) return alg(SIG_RSA_PSS, H_SHA384, 48);
  if (scheme === C.SIG_RSA_PSS_RSAE_SHA512) return alg(SIG_RSA_PSS, H_SHA512, 64);
  return null;
}
