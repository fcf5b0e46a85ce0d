// TLS 1.2 cipher suites we speak (all AEAD): ECDHE with ECDSA or RSA signatures, AES-GCM
// (RFC 5288/5289) and ChaCha20-Poly1305 (RFC 7905); plain RSA key exchange only on request;
// with a pre-shared key, ECDHE-PSK (RFC 7905) and PSK (RFC 5487, RFC 7905) suites first.
import type { Aead, HashAlg } from "../crypto/types";
import { SHA256, SHA384 } from "../crypto/sha2";
import { gcmAead, chachaAead } from "./suites";
import { V12_EXPLICIT, V12_XOR } from "./record12";

/** Key exchange kinds. */
export const KX_ECDHE_ECDSA = 1;
export const KX_ECDHE_RSA = 2;
/** RSA key transport: no forward secrecy (whoever gets the server's key later reads the traffic). */
export const KX_RSA = 3;
/** Pre-shared key (RFC 4279), and with an ECDHE exchange (RFC 5489): no certificate. */
export const KX_PSK = 4;
export const KX_ECDHE_PSK = 5;

export const TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b;
export const TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c;
export const TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f;
export const TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030;
export const TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8;
export const TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9;
export const TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c;
export const TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccac;
export const TLS_PSK_WITH_AES_128_GCM_SHA256 = 0x00a8;
export const TLS_PSK_WITH_AES_256_GCM_SHA384 = 0x00a9;
export const TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 = 0xccab;

export interface Suite12 {
  id: number;
  name: string;
  kx: number;
  /** PRF and transcript hash. */
  hash: HashAlg;
  keyLen: number;
  /** Fixed IV bytes from the key block: 4 (GCM salt) or 12 (ChaCha20). */
  ivLen: number;
  /** record12.ts nonce construction. */
  v12: number;
  aead: (key: Uint8Array, writing?: boolean) => Aead;
}

function s(id: number, name: string, kx: number, hash: HashAlg, keyLen: number, chacha: boolean): Suite12 {
  return { id: id, name: name, kx: kx, hash: hash, keyLen: keyLen, ivLen: chacha ? 12 : 4, v12: chacha ? V12_XOR : V12_EXPLICIT, aead: chacha ? chachaAead : gcmAead };
}

/** In order of preference (the PSK ones are offered only with a PSK, the RSA one only when enabled). */
export const SUITES12: Suite12[] = [
  s(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", KX_ECDHE_ECDSA, SHA256, 16, false),
  s(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", KX_ECDHE_RSA, SHA256, 16, false),
  s(TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", KX_ECDHE_ECDSA, SHA256, 32, true),
  s(TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", KX_ECDHE_RSA, SHA256, 32, true),
  s(TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", KX_ECDHE_ECDSA, SHA384, 32, false),
  s(TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", KX_ECDHE_RSA, SHA384, 32, false),
  s(TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256", KX_RSA, SHA256, 16, false),
  s(TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", KX_ECDHE_PSK, SHA256, 32, true),
  s(TLS_PSK_WITH_AES_128_GCM_SHA256, "TLS_PSK_WITH_AES_128_GCM_SHA256", KX_PSK, SHA256, 16, false),
  s(TLS_PSK_WITH_AES_256_GCM_SHA384, "TLS_PSK_WITH_AES_256_GCM_SHA384", KX_PSK, SHA384, 32, false),
  s(TLS_PSK_WITH_CHACHA20_POLY1305_SHA256, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", KX_PSK, SHA256, 32, true),
];

export function isPskKx(kx: number): boolean {
  return kx === KX_PSK || kx === KX_ECDHE_PSK;
}

export function findSuite12(id: number): Suite12 | null {
  for (let i = 0; i < SUITES12.length; i++) if (SUITES12[i].id === id) return SUITES12[i];
  return null;
}

/** The suite ids to offer: with a PSK its suites first (only them without trust anchors), then
 *  the ECDHE ones, plus RSA key exchange when the application asks. */
export function suites12(rsaKeyExchange: boolean, psk: boolean, pskOnly: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < SUITES12.length && psk; i++) if (isPskKx(SUITES12[i].kx)) out.push(SUITES12[i].id);
  if (pskOnly) return out;
  for (let i = 0; i < SUITES12.length; i++) {
    const kx = SUITES12[i].kx;
    if (!isPskKx(kx) && (kx !== KX_RSA || rsaKeyExchange)) out.push(SUITES12[i].id);
  }
  return out;
}
