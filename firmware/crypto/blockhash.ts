// The incremental driver shared by the portable SHA-256 and SHA-384/512 (FIPS 180-4 §5.1
// padding, big-endian length): it buffers a partial block and hands whole runs of blocks to
// the algorithm's compress function, which loops over them with its state in locals. The
// driver's own cost is per update() call, not per block.

import type { Hash, HashAlg } from "./types";

/** Compresses the whole blocks d[p..end) into the chaining state H (32-bit words, big-endian
 *  order of the output). */
export type Compress = (H: Int32Array, d: Uint8Array, p: number, end: number) => void;

class BlockHash implements Hash {
  readonly outputLen: number;
  readonly blockLen: number;
  /** The algorithm's compress function. */
  c: Compress;
  /** Chaining state. */
  s: Int32Array;
  /** Partial block and its fill. */
  buf: Uint8Array;
  n: number;
  /** Total bytes hashed (exact below 2^53). */
  len: number;
  constructor(outputLen: number, blockLen: number, c: Compress, s: Int32Array, buf: Uint8Array, n: number, len: number) {
    this.outputLen = outputLen;
    this.blockLen = blockLen;
    this.c = c;
    this.s = s;
    this.buf = buf;
    this.n = n;
    this.len = len;
  }
  update(data: Uint8Array): Hash {
    const len = data.length, bl = this.blockLen, buf = this.buf;
    let p = 0;
    this.len += len;
    if (this.n > 0) {
      p = bl - this.n;
      if (p > len) p = len;
      buf.set(data.subarray(0, p), this.n);
      this.n += p;
      if (this.n < bl) return this;
      this.c(this.s, buf, 0, bl);
      this.n = 0;
    }
    const full = len - ((len - p) & (bl - 1));
    if (full > p) this.c(this.s, data, p, full);
    if (full < len) {
      buf.set(data.subarray(full), 0);
      this.n = len - full;
    }
    return this;
  }
  digest(): Uint8Array {
    // Pad into a scratch copy so the object stays usable (TLS transcript hashes).
    const s = new Int32Array(this.s);
    const n = this.n, bl = this.blockLen;
    // The length field is 8 bytes (SHA-256) or 16 (SHA-384/512); only its low 64 bits can be
    // non-zero here.
    const blk = new Uint8Array(n < bl - (bl >> 3) ? bl : 2 * bl);
    blk.set(this.buf.subarray(0, n), 0);
    blk[n] = 0x80;
    const e = blk.length;
    const hi = (this.len / 536870912) >>> 0;
    const lo = (this.len * 8) >>> 0;
    blk[e - 8] = hi >>> 24; blk[e - 7] = hi >>> 16; blk[e - 6] = hi >>> 8; blk[e - 5] = hi;
    blk[e - 4] = lo >>> 24; blk[e - 3] = lo >>> 16; blk[e - 2] = lo >>> 8; blk[e - 1] = lo;
    this.c(s, blk, 0, e);
    const out = new Uint8Array(this.outputLen);
    for (let i = 0; i < out.length; i += 4) {
      const v = s[i >> 2];
      out[i] = v >>> 24; out[i + 1] = v >>> 16; out[i + 2] = v >>> 8; out[i + 3] = v;
    }
    return out;
  }
  clone(): Hash {
    // Not `new BlockHash` here: the bundler may turn the class into a named class expression,
    // whose name the interpreter does not bind inside the class (FACTS §2).
    return make(this.outputLen, this.blockLen, this.c, new Int32Array(this.s), new Uint8Array(this.buf), this.n, this.len);
  }
}

function make(outputLen: number, blockLen: number, c: Compress, s: Int32Array, buf: Uint8Array, n: number, len: number): Hash {
  return new BlockHash(outputLen, blockLen, c, s, buf, n, len);
}

/** A HashAlg over `compress` (blockLen 64 or 128) starting from the state `iv`. */
export function blockHashAlg(name: string, outputLen: number, blockLen: number, compress: Compress, iv: Int32Array): HashAlg {
  const create = function (): Hash {
    return make(outputLen, blockLen, compress, new Int32Array(iv), new Uint8Array(blockLen), 0, 0);
  };
  return {
    name: name,
    outputLen: outputLen,
    blockLen: blockLen,
    create: create,
    hash: function (data: Uint8Array): Uint8Array {
      return create().update(data).digest();
    },
  };
}
