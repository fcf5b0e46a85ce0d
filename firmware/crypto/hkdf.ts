// HKDF (RFC 5869) and the TLS 1.3 key schedule helpers HKDF-Expand-Label and Derive-Secret
// (RFC 8446 §7.1).

import type { HashAlg } from "./types";
import { Hmac, hmac } from "./hmac";
import { EtError } from "../errors";

/** HKDF-Extract: PRK = HMAC(salt, ikm). An empty salt means HashLen zero bytes (the same
 *  HMAC key after zero padding). */
export function hkdfExtract(alg: HashAlg, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(alg, salt, ikm);
}

/** HKDF-Expand: OKM of `length` bytes; throws HKDF_LENGTH when length > 255 * HashLen. */
export function hkdfExpand(alg: HashAlg, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hl = alg.outputLen;
  if (length > 255 * hl || length < 0) {
    throw new EtError("HKDF_LENGTH", "HKDF output too long", { length: length, max: 255 * hl });
  }
  if (length <= hl) {
    // One block (every TLS 1.3 secret and key): T(1) = HMAC(PRK, info || 0x01), one-shot.
    const m = new Uint8Array(info.length + 1);
    m.set(info);
    m[info.length] = 1;
    const t1 = hmac(alg, prk, m);
    return length < hl ? t1.subarray(0, length) : t1;
  }
  const keyed = new Hmac(alg, prk);
  const out = new Uint8Array(length);
  const ctr = new Uint8Array(1);
  let t: Uint8Array | null = null;
  let o = 0;
  let i = 1;
  while (o < length) {
    const m = keyed.clone();
    if (t !== null) m.update(t);
    ctr[0] = i;
    t = m.update(info).update(ctr).digest();
    const n = length - o < hl ? length - o : hl;
    out.set(n < hl ? t.subarray(0, n) : t, o);
    o += n;
    i++;
  }
  return out;
}

/** Full HKDF: Expand(Extract(salt, ikm), info, length). */
export function hkdf(alg: HashAlg, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdfExpand(alg, hkdfExtract(alg, salt, ikm), info, length);
}

/** HKDF-Expand-Label(secret, label, context, length) with the "tls13 " label prefix. */
export function hkdfExpandLabel(alg: HashAlg, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const full = "tls13 " + label;
  const ll = full.length;
  const cl = context.length;
  if (ll > 255 || cl > 255 || length > 65535) {
    throw new EtError("HKDF_LABEL", "HKDF label, context or length too long", { label: label });
  }
  // struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel
  const info = new Uint8Array(4 + ll + cl);
  info[0] = length >> 8;
  info[1] = length;
  info[2] = ll;
  for (let i = 0; i < ll; i++) info[3 + i] = full.charCodeAt(i);
  info[3 + ll] = cl;
  info.set(context, 4 + ll);
  return hkdfExpand(alg, secret, info, length);
}

/** Derive-Secret(secret, label, messages) given Transcript-Hash(messages). */
export function deriveSecret(alg: HashAlg, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  return hkdfExpandLabel(alg, secret, label, transcriptHash, alg.outputLen);
}
