// TLS 1.2 PRF (RFC 5246 §5): PRF(secret, label, seed) = P_hash(secret, label + seed), where
// P_hash = HMAC(secret, A(1) + s) + HMAC(secret, A(2) + s) + ..., A(0) = s, A(i) = HMAC(secret, A(i-1)).

import type { HashAlg } from "./types";
import { Hmac } from "./hmac";

export function prf12(alg: HashAlg, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const ll = label.length;
  const s = new Uint8Array(ll + seed.length);
  for (let i = 0; i < ll; i++) s[i] = label.charCodeAt(i);
  s.set(seed, ll);
  const keyed = new Hmac(alg, secret);
  const hl = alg.outputLen;
  const out = new Uint8Array(length);
  let a = keyed.clone().update(s).digest();
  let o = 0;
  while (o < length) {
    const t = keyed.clone().update(a).update(s).digest();
    const n = length - o < hl ? length - o : hl;
    out.set(n < hl ? t.subarray(0, n) : t, o);
    o += n;
    if (o < length) a = keyed.clone().update(a).digest();
  }
  return out;
}
