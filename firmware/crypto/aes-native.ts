// AES block encryption through the board's require("crypto").AES (FACTS §4).
// ECB mode only: it gives raw block encryptions. A native call costs mostly the allocation of
// its output, so ctrKeystream builds all its counter blocks in one buffer and encrypts them
// with one call. Native errors are printed and the call returns undefined: checked here.

import type { AesBlock } from "./types";
import { EtError } from "../errors";

declare function require(n: string): any;

let nativeAes: any = null;

function ecb(data: Uint8Array, key: Uint8Array, opts: any): Uint8Array {
  if (!nativeAes) {
    const c = require("crypto");
    nativeAes = c && c.AES;
    if (!nativeAes) throw new EtError("NO_NATIVE_AES", "require('crypto').AES is missing on this board");
  }
  const r = nativeAes.encrypt(data, key, opts);
  if (!r) throw new EtError("AES_FAILED", "native AES-ECB failed");
  return new Uint8Array(r);
}

/** AES through require("crypto").AES in ECB mode (a class: methods shared, ~10 JsVars a key). */
class NativeAes implements AesBlock {
  k: Uint8Array;
  o: any;
  constructor(key: Uint8Array) {
    this.k = new Uint8Array(key.length);
    this.k.set(key);
    this.o = { mode: "ECB" };
  }
  encrypt(src: Uint8Array, so: number, dst: Uint8Array, dOff: number): void {
    dst.set(ecb(src.subarray(so, so + 16), this.k, this.o), dOff);
  }
  ctrKeystream(ctr: Uint8Array, out: Uint8Array, nb: number): void {
    if (nb > 0) {
      const head = ctr.subarray(0, 12);
      let c = ((ctr[12] << 24) | (ctr[13] << 16) | (ctr[14] << 8) | ctr[15]) >>> 0;
      let o = 0;
      for (let i = 0; i < nb; i++) {
        out.set(head, o);
        out[o + 12] = c >>> 24;
        out[o + 13] = c >>> 16;
        out[o + 14] = c >>> 8;
        out[o + 15] = c;
        c = (c + 1) >>> 0;
        o += 16;
      }
      out.set(ecb(o === out.length ? out : out.subarray(0, o), this.k, this.o));
      ctr[12] = c >>> 24;
      ctr[13] = c >>> 16;
      ctr[14] = c >>> 8;
      ctr[15] = c;
    }
  }
}

export function nativeAesBlock(key: Uint8Array): AesBlock {
  const n = key.length;
  if (n !== 16 && n !== 24 && n !== 32) throw new EtError("BAD_KEY", "AES key must be 16, 24 or 32 bytes");
  return new NativeAes(key);
}
