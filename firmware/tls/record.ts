// The TLS record layer (RFC 8446 §5): framing of the incoming byte stream into records,
// size limits, and AEAD protection with per-record nonces (iv XOR sequence number).
import type { Aead } from "../crypto/types";
import { CT_APPLICATION_DATA, CT_CHANGE_CIPHER_SPEC, MAX_CIPHERTEXT_13, MAX_PLAINTEXT } from "./constants";
import { tlsFail, A_BAD_RECORD_MAC, A_DECODE_ERROR, A_RECORD_OVERFLOW, A_UNEXPECTED_MESSAGE } from "./alerts";
import { open12, open12Parts, open12Plain, seal12 } from "./record12";
import { copyOf } from "../util/bytes";
import type { Job } from "../util/job";
import { andThen } from "../util/job";

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

/** Bytes kept free in front of a record's header in the buffer: its body then starts at
 *  offset 8, 4-byte aligned, so it can be decrypted where it is (AEAD openInPlace). */
const LEAD = 3;
/** Records from this size on keep the buffer they arrived in as their plaintext (no copy). */
const HAND_OVER = 512;
/** Protected records from this size on are decrypted in slices (openJob): about 20 ms of
 *  GHASH on the reference interpreter; smaller ones are opened at once. */
const SLICED_RECORD = 2048;

/** A TLS 1.3 record's plaintext (within its body) once its tag was checked, or the alert. */
function opened13(ok: boolean, plain: Uint8Array): Uint8Array {
  if (!ok) tlsFail(A_BAD_RECORD_MAC, "TLS_BAD_RECORD_MAC", "record failed authentication");
  return plain;
}

export class RecordLayer {
  /** Bytes received and not yet taken: buf[LEAD .. LEAD + len). */
  private buf: Uint8Array;
  private len: number;
  read: CipherState | null;
  write: CipherState | null;
  /** The head record, decrypted by openJob()'s job, for next() to hand over. */
  private opened: Record | null;
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
    this.opened = null;
    this.maxOut = MAX_PLAINTEXT;
    this.maxIn = MAX_PLAINTEXT;
    this.version = 0x0301;
  }

  push(data: Uint8Array): void {
    const b = this.buf, have = this.len;
    let need = LEAD + have + data.length;
    if (need > b.length) {
      // Once the record header is in, make room for the whole record at once: a 16 KB record
      // arriving in 536-byte pieces would otherwise be copied over and over.
      if (have + data.length >= 5) {
        const at = function (i: number): number { return i < have ? b[LEAD + i] : data[i - have]; };
        const whole = LEAD + 5 + ((at(3) << 8) | at(4));
        if (whole > need && whole <= LEAD + 5 + MAX_CIPHERTEXT_13) need = whole;
      }
      const nb = new Uint8Array((need + 511) & ~511);
      nb.set(b.subarray(LEAD, LEAD + have), LEAD);
      this.buf = nb;
    }
    this.buf.set(data, LEAD + have);
    this.len = have + data.length;
  }

  /** Drops the first n bytes taken; a buffer grown for a big record shrinks back once empty. */
  private consume(n: number): void {
    this.len -= n;
    if (this.len === 0 && this.buf.length > 1024) this.buf = new Uint8Array(1024);
    else this.buf.set(this.buf.subarray(LEAD + n, LEAD + n + this.len), LEAD);
  }

  /** The first n bytes became a record's plaintext in place: the buffer now belongs to it,
   *  and what follows moves to a new one. */
  private handOver(n: number): void {
    const rest = this.len - n;
    const nb = new Uint8Array(rest + LEAD > 1024 ? (rest + LEAD + 511) & ~511 : 1024);
    nb.set(this.buf.subarray(LEAD + n, LEAD + this.len), LEAD);
    this.buf = nb;
    this.len = rest;
  }

  /** The body length of the complete record at the head of the buffer (header checked), or -1. */
  private complete(): number {
    if (this.len < 5) return -1;
    const b = this.buf;
    const n = (b[LEAD + 3] << 8) | b[LEAD + 4];
    if (b[LEAD + 1] !== 3) tlsFail(A_DECODE_ERROR, "TLS_BAD_RECORD", "record with version " + b[LEAD + 1] + "." + b[LEAD + 2]);
    if (n > MAX_CIPHERTEXT_13) tlsFail(A_RECORD_OVERFLOW, "TLS_RECORD_OVERFLOW", "record of " + n + " bytes");
    return this.len < 5 + n ? -1 : n;
  }

  /**
   * When the record at the head is protected and SLICED_RECORD bytes or more: a Job that
   * decrypts it in slices (a 16 KB record is over half a second of MAC on the reference
   * interpreter), after which next() returns it. The record leaves the buffer at once (bytes
   * arriving meanwhile go to a new one). null when there is no such record.
   */
  openJob(): Job<void> | null {
    const n = this.complete(), cs = this.read, b = this.buf, type = b[LEAD];
    if (n < SLICED_RECORD || !cs || this.opened || type === CT_CHANGE_CIPHER_SPEC) return null;
    const body = b.subarray(LEAD + 5, LEAD + 5 + n), tag = cs.aead.tagLen, maxIn = this.maxIn;
    let job: Job<boolean>, plain: (ok: boolean) => Uint8Array;
    if (cs.v12) {
      const p = open12Parts(cs, type, body);
      job = cs.aead.openJob(p.nonce, p.aad, p.ct);
      plain = function (ok: boolean) { return open12Plain(ok, p.ct, tag, maxIn); };
    } else {
      this.checkType13(type);
      job = cs.aead.openJob(nonceFor(cs), copyOf(b.subarray(LEAD, LEAD + 5)), body);
      plain = function (ok: boolean) { return opened13(ok, body.subarray(0, n - tag)); };
    }
    this.handOver(5 + n);
    const self = this;
    return andThen(job, function (ok: boolean) {
      self.opened = { type: type, data: plain(ok) };
      return null;
    });
  }

  /** The next complete record, decrypted when reads are protected; null when more bytes are needed. */
  next(): Record | null {
    const done = this.opened;
    if (done) {
      this.opened = null;
      return this.inner(done.type, done.data);
    }
    const n = this.complete();
    if (n < 0) return null;
    const b = this.buf;
    const type = b[LEAD];
    const body = b.subarray(LEAD + 5, LEAD + 5 + n);
    if (!this.read || type === CT_CHANGE_CIPHER_SPEC) {
      if (n > MAX_PLAINTEXT) tlsFail(A_RECORD_OVERFLOW, "TLS_RECORD_OVERFLOW", "plaintext record of " + n + " bytes");
      if (n === 0 && type !== CT_APPLICATION_DATA) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_EMPTY_RECORD", "empty record of type " + type);
      const data = copyOf(body);
      this.consume(5 + n);
      return { type: type, data: data };
    }
    let inner: Uint8Array;
    if (this.read.v12) inner = open12(this.read, type, body, this.maxIn);
    else {
      this.checkType13(type);
      // header as AAD, body decrypted where it is
      inner = opened13(this.read.aead.openInPlace(nonceFor(this.read), b.subarray(LEAD, LEAD + 5), body), body.subarray(0, n - this.read.aead.tagLen));
    }
    if (n >= HAND_OVER) this.handOver(5 + n);
    else {
      inner = copyOf(inner);
      this.consume(5 + n);
    }
    return this.inner(type, inner);
  }

  private checkType13(type: number): void {
    if (type !== CT_APPLICATION_DATA) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNPROTECTED_RECORD", "unprotected record of type " + type + " after keys were set");
  }

  /** A decrypted record: TLS 1.3's inner content type and padding taken off, checks on both. */
  private inner(type: number, inner: Uint8Array): Record {
    if (!(this.read as CipherState).v12) {
      // The limit holds for TLSInnerPlaintext: content, type byte and padding (§5.4, RFC 8449 §4).
      if (inner.length > this.maxIn + 1) tlsFail(A_RECORD_OVERFLOW, "TLS_RECORD_OVERFLOW", "inner plaintext of " + inner.length + " bytes over the limit of " + (this.maxIn + 1));
      let end = inner.length;
      while (end > 0 && inner[end - 1] === 0) end--;
      if (end === 0) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_NO_CONTENT_TYPE", "protected record without a content type");
      type = inner[end - 1];
      inner = inner.subarray(0, end - 1);
      // change_cipher_spec is never protected (§5).
      if (type === CT_CHANGE_CIPHER_SPEC) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_CCS", "protected change_cipher_spec");
    }
    // Only application data may be empty (RFC 5246 §6.2.1; RFC 8446 §5.4: unexpected_message).
    if (!inner.length && type !== CT_APPLICATION_DATA) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_EMPTY_RECORD", "empty protected record of type " + type);
    return { type: type, data: inner };
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
