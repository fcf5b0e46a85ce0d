// The TLS record layer (RFC 8446 §5): framing of the incoming byte stream into records,
// size limits, and AEAD protection with per-record nonces (iv XOR sequence number).
import type { Aead } from "../crypto/types";
import { CT_APPLICATION_DATA, CT_CHANGE_CIPHER_SPEC, MAX_CIPHERTEXT_13, MAX_PLAINTEXT } from "./constants";
import { tlsFail, A_BAD_RECORD_MAC, A_DECODE_ERROR, A_RECORD_OVERFLOW, A_UNEXPECTED_MESSAGE } from "./alerts";
import { open12, seal12 } from "./record12";

export interface CipherState {
  aead: Aead;
  iv: Uint8Array;
  seq: number;
  /** TLS 1.2 protection (record12.ts: V12_EXPLICIT for AES-GCM, V12_XOR for ChaCha20); 0 or absent: TLS 1.3. */
  v12?: number;
}

export interface Record {
  type: number;
  data: Uint8Array;
}

export function cipherState(aead: Aead, iv: Uint8Array): CipherState {
  return { aead: aead, iv: iv, seq: 0 };
}

function nonceFor(cs: CipherState): Uint8Array {
  const n = new Uint8Array(cs.iv.length);
  n.set(cs.iv);
  const L = n.length;
  let lo = cs.seq % 4294967296, hi = Math.floor(cs.seq / 4294967296);
  for (let i = 0; i < 4; i++) { n[L - 1 - i] ^= lo & 255; lo = Math.floor(lo / 256); }
  for (let i = 4; i < 8; i++) { n[L - 1 - i] ^= hi & 255; hi = Math.floor(hi / 256); }
  cs.seq++;
  return n;
}

function header(type: number, version: number, len: number): Uint8Array {
  const h = new Uint8Array(5);
  h[0] = type; h[1] = version >> 8; h[2] = version & 255; h[3] = len >> 8; h[4] = len & 255;
  return h;
}

export class RecordLayer {
  private buf: Uint8Array;
  private len: number;
  read: CipherState | null;
  write: CipherState | null;
  /** Largest plaintext fragment we send (the peer's record_size_limit / max_fragment_length). */
  maxOut: number;
  /** Largest plaintext fragment we accept. */
  maxIn: number;
  /** legacy_record_version of outgoing records (0x0301 for the first ClientHello). */
  version: number;

  constructor() {
    this.buf = new Uint8Array(1024);
    this.len = 0;
    this.read = null;
    this.write = null;
    this.maxOut = MAX_PLAINTEXT;
    this.maxIn = MAX_PLAINTEXT;
    this.version = 0x0301;
  }

  push(data: Uint8Array): void {
    if (this.len + data.length > this.buf.length) {
      let size = this.buf.length;
      while (size < this.len + data.length) size *= 2;
      const nb = new Uint8Array(size);
      nb.set(this.buf.subarray(0, this.len));
      this.buf = nb;
    }
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** The next complete record, decrypted when reads are protected; null when more bytes are needed. */
  next(): Record | null {
    if (this.len < 5) return null;
    const b = this.buf;
    const type = b[0], n = (b[3] << 8) | b[4];
    if (b[1] !== 3) tlsFail(A_DECODE_ERROR, "TLS_BAD_RECORD", "record with version " + b[1] + "." + b[2]);
    if (n > MAX_CIPHERTEXT_13) tlsFail(A_RECORD_OVERFLOW, "TLS_RECORD_OVERFLOW", "record of " + n + " bytes");
    if (this.len < 5 + n) return null;
    const hdr = new Uint8Array(5);
    hdr.set(b.subarray(0, 5));
    const body = new Uint8Array(n);
    body.set(b.subarray(5, 5 + n));
    b.set(b.subarray(5 + n, this.len));
    this.len -= 5 + n;
    if (!this.read || type === CT_CHANGE_CIPHER_SPEC) {
      if (n > MAX_PLAINTEXT) tlsFail(A_RECORD_OVERFLOW, "TLS_RECORD_OVERFLOW", "plaintext record of " + n + " bytes");
      if (n === 0 && type !== CT_APPLICATION_DATA) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_EMPTY_RECORD", "empty record of type " + type);
      return { type: type, data: body };
    }
    if (this.read.v12) return { type: type, data: open12(this.read, type, body, this.maxIn) };
    if (type !== CT_APPLICATION_DATA) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNPROTECTED_RECORD", "unprotected record of type " + type + " after keys were set");
    const inner = this.read.aead.open(nonceFor(this.read), hdr, body);
    if (!inner) tlsFail(A_BAD_RECORD_MAC, "TLS_BAD_RECORD_MAC", "record failed authentication");
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    if (end === 0) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_NO_CONTENT_TYPE", "protected record without a content type");
    if (end - 1 > this.maxIn) tlsFail(A_RECORD_OVERFLOW, "TLS_RECORD_OVERFLOW", "plaintext of " + (end - 1) + " bytes over the limit of " + this.maxIn);
    return { type: inner[end - 1], data: inner.subarray(0, end - 1) };
  }

  /** Records carrying `data` of content `type`, fragmented and protected as the state requires. */
  seal(type: number, data: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let o = 0;
    do {
      const frag = data.subarray(o, Math.min(data.length, o + this.maxOut));
      o += frag.length;
      out.push(this.sealOne(type, frag));
    } while (o < data.length);
    return out;
  }

  private sealOne(type: number, frag: Uint8Array): Uint8Array {
    if (!this.write) {
      const r = new Uint8Array(5 + frag.length);
      r.set(header(type, this.version, frag.length));
      r.set(frag, 5);
      return r;
    }
    if (this.write.v12) return seal12(this.write, type, frag);
    const inner = new Uint8Array(frag.length + 1);
    inner.set(frag);
    inner[frag.length] = type;
    const hdr = header(CT_APPLICATION_DATA, 0x0303, inner.length + this.write.aead.tagLen);
    const ct = this.write.aead.seal(nonceFor(this.write), hdr, inner);
    const r = new Uint8Array(5 + ct.length);
    r.set(hdr);
    r.set(ct, 5);
    return r;
  }
}
