// SHA-256/384/512 over the interpreter's native require("crypto") functions.
// The natives are one-shot only (FACTS §4), so the incremental Hash keeps every byte it was
// given in a growing buffer and digest() hashes the whole buffer. That costs RAM equal to the
// data hashed so far (a TLS transcript: a few KB) but the native hash itself is ~100x faster
// than the portable one.

import type { Hash, HashAlg } from "./types";

declare function require(n: string): any;

let cryptoMod: any = null;

function natives(): any {
  if (cryptoMod === null) cryptoMod = require("crypto");
  return cryptoMod;
}

/** Calls the native one-shot function `fname` on data; the native result is an ArrayBuffer. */
function nativeHash(fname: string, data: Uint8Array): Uint8Array {
  const r = natives()[fname](data);
  return new Uint8Array(r);
}

class NativeHash implements Hash {
  readonly outputLen: number;
  readonly blockLen: number;
  f: string;
  buf: Uint8Array;
  n: number;
  constructor(f: string, outputLen: number, blockLen: number, buf: Uint8Array, n: number) {
    this.f = f;
    this.outputLen = outputLen;
    this.blockLen = blockLen;
    this.buf = buf;
    this.n = n;
  }
  update(data: Uint8Array): Hash {
    const need = this.n + data.length;
    if (need > this.buf.length) {
      // Grow to what is needed, rounded to 256 (a transcript grows in a few big messages;
      // doubling would leave up to twice its size unused).
      const nb = new Uint8Array((need + 255) & ~255);
      nb.set(this.buf.subarray(0, this.n));
      this.buf = nb;
    }
    this.buf.set(data, this.n);
    this.n = need;
    return this;
  }
  digest(): Uint8Array {
    return nativeHash(this.f, this.buf.subarray(0, this.n));
  }
  clone(): Hash {
    // Copy only what is used: clones are often short-lived (HMAC, transcript peeks).
    const nb = new Uint8Array(this.n);
    nb.set(this.buf.subarray(0, this.n));
    // Not `new NativeHash` inside the class: the bundler may emit a named class expression,
    // whose name the interpreter does not bind inside the class (FACTS §2).
    return make(this.f, this.outputLen, this.blockLen, nb, this.n);
  }
}

function make(f: string, outputLen: number, blockLen: number, buf: Uint8Array, n: number): Hash {
  return new NativeHash(f, outputLen, blockLen, buf, n);
}

function nativeAlg(name: string, f: string, outputLen: number, blockLen: number): HashAlg {
  return {
    name: name,
    outputLen: outputLen,
    blockLen: blockLen,
    create: function (): Hash {
      return make(f, outputLen, blockLen, new Uint8Array(0), 0);
    },
    hash: function (data: Uint8Array): Uint8Array {
      return nativeHash(f, data);
    },
  };
}

export const nativeSha256: HashAlg = /*#__PURE__*/ nativeAlg("SHA-256", "SHA256", 32, 64);
export const nativeSha384: HashAlg = /*#__PURE__*/ nativeAlg("SHA-384", "SHA384", 48, 128);
export const nativeSha512: HashAlg = /*#__PURE__*/ nativeAlg("SHA-512", "SHA512", 64, 128);
