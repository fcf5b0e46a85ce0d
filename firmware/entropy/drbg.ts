// HMAC_DRBG with SHA-256 (NIST SP 800-90A Rev. 1 §10.1.2), no prediction resistance.
// The HMAC is computed directly over the one-shot hash (natively: two native SHA-256 calls per
// HMAC) with the padded key blocks prepared once per key, since K changes at every Update.
// Security strength 256 bits; the caller supplies entropy input and nonce (index.ts).

import type { HashAlg } from "../crypto/types";

/** Generate requests between reseeds (SP 800-90A Table 2 allows up to 2^48). */
export const RESEED_INTERVAL = 1024;
/** Largest request: 2^19 bits (SP 800-90A Table 2, max_number_of_bits_per_request). */
export const MAX_REQUEST = 65536;

export class HmacDrbg {
  alg: HashAlg;
  K: Uint8Array;
  V: Uint8Array;
  /** Generate requests since the last (re)seed, plus 1 (SP 800-90A's reseed_counter). */
  reseedCounter: number;
  /** [K ^ ipad (64 bytes) | V (32 bytes)]: the inner block of HMAC(K, V). */
  ib: Uint8Array;
  /** [K ^ opad (64 bytes) | inner digest (32 bytes)]. */
  ob: Uint8Array;
  /** 32-bit views of K, ib and ob (the pads are XORed a word at a time). */
  kw: Uint32Array;
  iw: Uint32Array;
  ow: Uint32Array;

  /** Instantiate (§10.1.2.3): seed_material = entropy_input || nonce || personalization_string. */
  constructor(alg: HashAlg, entropy: Uint8Array, nonce: Uint8Array, pers: Uint8Array | null) {
    this.alg = alg;
    this.K = new Uint8Array(32);
    this.V = new Uint8Array(32);
    this.V.fill(1);
    this.ib = new Uint8Array(96);
    this.ob = new Uint8Array(96);
    this.ib.fill(0x36, 32, 64); // the key is 32 bytes: the rest of each pad block never changes
    this.ob.fill(0x5c, 32, 64);
    this.kw = new Uint32Array(this.K.buffer);
    this.iw = new Uint32Array(this.ib.buffer);
    this.ow = new Uint32Array(this.ob.buffer);
    this.reseedCounter = 1;
    this.update(entropy, nonce, pers);
  }

  /** Prepares ib/ob for the key K (unrolled: 8 words). */
  key(): void {
    const k = this.kw, i = this.iw, o = this.ow;
    i[0] = k[0] ^ 0x36363636; o[0] = k[0] ^ 0x5c5c5c5c;
    i[1] = k[1] ^ 0x36363636; o[1] = k[1] ^ 0x5c5c5c5c;
    i[2] = k[2] ^ 0x36363636; o[2] = k[2] ^ 0x5c5c5c5c;
    i[3] = k[3] ^ 0x36363636; o[3] = k[3] ^ 0x5c5c5c5c;
    i[4] = k[4] ^ 0x36363636; o[4] = k[4] ^ 0x5c5c5c5c;
    i[5] = k[5] ^ 0x36363636; o[5] = k[5] ^ 0x5c5c5c5c;
    i[6] = k[6] ^ 0x36363636; o[6] = k[6] ^ 0x5c5c5c5c;
    i[7] = k[7] ^ 0x36363636; o[7] = k[7] ^ 0x5c5c5c5c;
  }

  /** V = HMAC(K, V), with the key already prepared. */
  nextV(): void {
    this.ib.set(this.V, 64);
    this.ob.set(this.alg.hash(this.ib), 64);
    this.V = this.alg.hash(this.ob);
  }

  /** HMAC_DRBG_Update (§10.1.2.2) with provided_data = a || b || c (any may be null/empty). */
  update(a: Uint8Array | null, b: Uint8Array | null, c: Uint8Array | null): void {
    const la = a ? a.length : 0, lb = b ? b.length : 0, lc = c ? c.length : 0;
    const len = la + lb + lc;
    // [K ^ ipad | V | round byte | provided_data]
    const m = new Uint8Array(97 + len);
    let round = 0;
    if (a) m.set(a, 97);
    if (b) m.set(b, 97 + la);
    if (c) m.set(c, 97 + la + lb);
    for (;;) {
      this.key();
      m.set(this.ib.subarray(0, 64), 0);
      m.set(this.V, 64);
      m[96] = round;
      this.ob.set(this.alg.hash(m), 64);
      this.K.set(this.alg.hash(this.ob));
      this.key();
      this.nextV();
      if (len === 0 || round === 1) return;
      round = 1;
    }
  }

  /** Reseed (§10.1.2.4): seed_material = entropy_input || additional_input. */
  reseed(entropy: Uint8Array, additional: Uint8Array | null): void {
    this.update(entropy, additional, null);
    this.reseedCounter = 1;
  }

  /** Generate (§10.1.2.5): n bytes, or null when a reseed is required first. */
  generate(n: number, additional: Uint8Array | null): Uint8Array | null {
    if (this.reseedCounter > RESEED_INTERVAL) return null;
    if (n > MAX_REQUEST) return null;
    if (additional && additional.length) this.update(additional, null, null);
    const out = new Uint8Array(n);
    this.key();
    let o = 0;
    while (o < n) {
      this.nextV();
      if (n - o >= 32) out.set(this.V, o);
      else out.set(this.V.subarray(0, n - o), o);
      o += 32;
    }
    this.update(additional, null, null);
    this.reseedCounter++;
    return out;
  }
}
