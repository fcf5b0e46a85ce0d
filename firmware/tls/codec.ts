// Reading and writing TLS wire structures (RFC 8446 §3): integers, length-prefixed vectors.
// Malformed input throws a decode_error alert.
import { decodeError } from "./alerts";

export class Reader {
  b: Uint8Array;
  p: number;
  end: number;
  constructor(b: Uint8Array, start?: number, end?: number) {
    this.b = b;
    this.p = start === undefined ? 0 : start;
    this.end = end === undefined ? b.length : end;
  }
  need(n: number): void {
    if (this.p + n > this.end) decodeError("message truncated");
  }
  u8(): number { this.need(1); return this.b[this.p++]; }
  u16(): number { this.need(2); const v = (this.b[this.p] << 8) | this.b[this.p + 1]; this.p += 2; return v; }
  u24(): number { this.need(3); const v = (this.b[this.p] << 16) | (this.b[this.p + 1] << 8) | this.b[this.p + 2]; this.p += 3; return v; }
  u32(): number { const hi = this.u16(); return hi * 65536 + this.u16(); }
  bytes(n: number): Uint8Array { this.need(n); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  /** A sub-reader over a vector with a 1, 2 or 3 byte length prefix. */
  vec(lenBytes: number): Reader {
    const n = lenBytes === 1 ? this.u8() : lenBytes === 2 ? this.u16() : this.u24();
    this.need(n);
    const r = new Reader(this.b, this.p, this.p + n);
    this.p += n;
    return r;
  }
  vecBytes(lenBytes: number): Uint8Array { const r = this.vec(lenBytes); return r.b.subarray(r.p, r.end); }
  left(): number { return this.end - this.p; }
  done(): void { if (this.p !== this.end) decodeError("trailing bytes in message"); }
}

export class Writer {
  b: Uint8Array;
  n: number;
  private open: number[];
  constructor(size?: number) { this.b = new Uint8Array(size || 256); this.n = 0; this.open = []; }
  room(k: number): void {
    if (this.n + k <= this.b.length) return;
    let size = this.b.length * 2;
    while (size < this.n + k) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.b.subarray(0, this.n));
    this.b = nb;
  }
  u8(v: number): Writer { this.room(1); this.b[this.n++] = v & 255; return this; }
  u16(v: number): Writer { this.room(2); this.b[this.n++] = (v >> 8) & 255; this.b[this.n++] = v & 255; return this; }
  u24(v: number): Writer { this.room(3); this.b[this.n++] = (v >> 16) & 255; this.b[this.n++] = (v >> 8) & 255; this.b[this.n++] = v & 255; return this; }
  u32(v: number): Writer { return this.u16(Math.floor(v / 65536)).u16(v & 65535); }
  bytes(a: Uint8Array): Writer { this.room(a.length); this.b.set(a, this.n); this.n += a.length; return this; }
  /** Starts a vector with a lenBytes length prefix, filled in by close(). */
  start(lenBytes: number): Writer {
    this.room(lenBytes);
    this.open.push(this.n * 4 + lenBytes);
    this.n += lenBytes;
    return this;
  }
  close(): Writer {
    const top = this.open.pop() as number;
    const at = top >> 2, lb = top & 3, len = this.n - at - lb;
    for (let i = lb - 1, v = len; i >= 0; i--, v = Math.floor(v / 256)) this.b[at + i] = v & 255;
    return this;
  }
  vecBytes(lenBytes: number, a: Uint8Array): Writer { return this.start(lenBytes).bytes(a).close(); }
  result(): Uint8Array { return this.b.subarray(0, this.n); }
}
