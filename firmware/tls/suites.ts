// TLS 1.3 cipher suites: AEAD and hash of each (RFC 8446 §B.4).
import type { Aead, HashAlg } from "../crypto/types";
import { SHA256, SHA384 } from "../crypto/sha2";
import { aesGcm } from "../crypto/gcm";
import { chacha20Poly1305 } from "../crypto/chacha20poly1305";
import { TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 } from "./constants";

export interface Suite {
  id: number;
  name: string;
  hash: HashAlg;
  keyLen: number;
  /** The AEAD for a key; `writing` marks a key that only seals (see aesGcm). */
  aead: (key: Uint8Array, writing?: boolean) => Aead;
}

// Forwarders rather than the functions themselves: the AEADs are lazy layers (tools/lib/layers.mjs),
// evaluated when a key is made, and this table is resident.
export function gcmAead(key: Uint8Array, writing?: boolean): Aead {
  return aesGcm(key, writing);
}
export function chachaAead(key: Uint8Array): Aead {
  return chacha20Poly1305(key);
}

/** In order of preference. */
export const SUITES13: Suite[] = [
  { id: TLS_AES_128_GCM_SHA256, name: "TLS_AES_128_GCM_SHA256", hash: SHA256, keyLen: 16, aead: gcmAead },
  { id: TLS_CHACHA20_POLY1305_SHA256, name: "TLS_CHACHA20_POLY1305_SHA256", hash: SHA256, keyLen: 32, aead: chachaAead },
  { id: TLS_AES_256_GCM_SHA384, name: "TLS_AES_256_GCM_SHA384", hash: SHA384, keyLen: 32, aead: gcmAead },
];

export function findSuite(list: Suite[], id: number): Suite | null {
  for (let i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
  return null;
}
