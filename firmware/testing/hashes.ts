// Internals exposed to vector tests and benchmarks (filled by the hashes family).
import { SHA256, SHA384, SHA512 } from "../crypto/sha2";
import { portableSha256 } from "../crypto/sha256";
import { portableSha384, portableSha512 } from "../crypto/sha512";
import { nativeSha256, nativeSha384, nativeSha512 } from "../crypto/sha2-native";
import { hmac, Hmac } from "../crypto/hmac";
import { hkdfExtract, hkdfExpand, hkdf, hkdfExpandLabel, deriveSecret } from "../crypto/hkdf";
import { prf12 } from "../crypto/prf12";

export const hashes = {
  // What the library uses on this board.
  SHA256: SHA256,
  SHA384: SHA384,
  SHA512: SHA512,
  // Both implementations, for cross-checks and benchmarks (tests only).
  portableSha256: portableSha256,
  portableSha384: portableSha384,
  portableSha512: portableSha512,
  nativeSha256: nativeSha256,
  nativeSha384: nativeSha384,
  nativeSha512: nativeSha512,
  hmac: hmac,
  Hmac: Hmac,
  hkdfExtract: hkdfExtract,
  hkdfExpand: hkdfExpand,
  hkdf: hkdf,
  hkdfExpandLabel: hkdfExpandLabel,
  deriveSecret: deriveSecret,
  prf12: prf12,
};
