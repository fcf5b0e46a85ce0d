// ChaCha20-Poly1305 AEAD (RFC 8439 §2.8), 96-bit nonces only (TLS 1.2 and 1.3).

import type { Aead } from "./types";
import { EtError } from "../errors";
import { copyOf, ctEqual } from "../util/bytes";
import { chachaState, chachaXorWords, chachaXorInPlace } from "./chacha20";
import { polyInit, polyBlocks, polyFinish } from "./poly1305";
import { blockWords, tailWords } from "./words";
import type { Job } from "../util/job";
import { doneJob, runSync } from "../util/job";
import { openJob } from "./aeadjob";

/** Poly1305 key = first 32 bytes of keystream block 0; leaves s[12] at 1. */
function polyKey(s: Int32Array): Float64Array {
  const ks = new Int32Array(16);
  chachaXorWords(s, ks, 0, 1);
  return polyInit(new Uint8Array(ks.buffer, 0, 32));
}

/** Absorbs d[0..n) zero-padded to a multiple of 16 bytes (RFC 8439 pad16). */
function absorb(p: Float64Array, d: Uint8Array, n: number): void {
  const full = n >> 4;
  if (full > 0) polyBlocks(p, blockWords(d, full), 0, full, 1);
  if (n & 15) polyBlocks(p, tailWords(d, full << 4, n), 0, 1, 1);
}

/** Finishes the tag (aad and n bytes of ciphertext absorbed) into out[o..o+16). */
function macEnd(p: Float64Array, aadLen: number, n: number, out: Uint8Array, o: number): void {
  const l = new Int32Array(4);
  l[0] = aadLen;
  l[2] = n;
  polyBlocks(p, l, 0, 1, 1);
  polyFinish(p, out, o);
}

class ChaCha20Poly1305 implements Aead {
  keyLen = 32;
  nonceLen = 12;
  tagLen = 16;
  k: Uint8Array;
  constructor(key: Uint8Array) {
    this.k = new Uint8Array(32);
    this.k.set(key);
  }
  seal(nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
    const s = chachaState(this.k, nonce, 0);
    const p = polyKey(s);
    const n = pt.length;
    const out = new Uint8Array(n + 16);
    out.set(pt);
    chachaXorInPlace(s, out, n);
    absorb(p, aad, aad.length);
    absorb(p, out, n);
    macEnd(p, aad.length, n, out, n);
    return out;
  }
  open(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array | null {
    const c = copyOf(data);
    return this.openInPlace(nonce, aad, c) ? c.subarray(0, c.length - 16) : null;
  }
  openInPlace(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): boolean {
    return runSync(this.openJob(nonce, aad, data));
  }
  openJob(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Job<boolean> {
    const s = chachaState(this.k, nonce, 0);
    const n = data.length - 16;
    if (n < 0) return doneJob(false);
    const p = polyKey(s);
    absorb(p, aad, aad.length);
    // the steps are whole ChaCha20 blocks: the counter in s runs on from one to the next
    return openJob(n, function (o: number, m: number) { absorb(p, data.subarray(o, o + m), m); }, function () {
      const tag = new Uint8Array(16);
      macEnd(p, aad.length, n, tag, 0);
      return ctEqual(tag, data.subarray(n));
    }, function (o: number, m: number) { chachaXorInPlace(s, data.subarray(o, o + m), m); });
  }
}

/** ChaCha20-Poly1305 with a 32-byte key (throws EtError BAD_KEY otherwise); nonces must be 12 bytes. */
export function chacha20Poly1305(key: Uint8Array): Aead {
  if (key.length !== 32) throw new EtError("BAD_KEY", "ChaCha20-Poly1305 key must be 32 bytes");
  return new ChaCha20Poly1305(key);
}
