// Internals exposed to vector tests and benchmarks (AEAD family).
import { aesGcm, gcmWith } from "../crypto/gcm";
import { aesBlock } from "../crypto/aes";
import { portableAesBlock } from "../crypto/aes-portable";
import { chacha20Poly1305 } from "../crypto/chacha20poly1305";
import { chacha20 } from "../crypto/chacha20";
import { poly1305 } from "../crypto/poly1305";
import type { Aead } from "../crypto/types";

/** AES-GCM over the portable AES even on boards with native AES (to test both paths). */
function aesGcmPortable(key: Uint8Array): Aead {
  return gcmWith(portableAesBlock(key), key.length, false);
}

/** AES-GCM with the board's AES and the small (512-byte) GHASH tables. */
function aesGcmSmall(key: Uint8Array): Aead {
  return gcmWith(aesBlock(key), key.length, true);
}

export const aead = {
  aesGcm: aesGcm,
  aesGcmPortable: aesGcmPortable,
  aesGcmSmall: aesGcmSmall,
  chacha20Poly1305: chacha20Poly1305,
  chacha20: chacha20,
  poly1305: poly1305,
  aesBlock: aesBlock,
  aesBlockPortable: portableAesBlock,
};
