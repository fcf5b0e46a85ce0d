// TLS 1.2 record protection with AEAD ciphers (RFC 5246 §6.2.3.3):
//   additional_data = seq_num(8) || type || version(0x0303) || length (of the plaintext)
//   AES-GCM (RFC 5288): nonce = salt(4, the "IV" of the key block) || explicit(8), where the
//     explicit part travels in front of the ciphertext; we send our sequence number there.
//   ChaCha20-Poly1305 (RFC 7905): nonce = iv(12) XOR seq_num (left-padded), nothing explicit.
// The RecordLayer (record.ts) calls these when a CipherState has `v12` set.
import type { CipherState } from "./record";
import { tlsFail, A_BAD_RECORD_MAC, A_RECORD_OVERFLOW } from "./alerts";

/** CipherState.v12 values. */
export const V12_EXPLICIT = 1;
export const V12_XOR = 2;

function putSeq(out: Uint8Array, at: number, seq: number): void {
  let lo = seq % 4294967296, hi = Math.floor(seq / 4294967296);
  for (let i = 7; i >= 4; i--) { out[at + i] = lo & 255; lo = Math.floor(lo / 256); }
  for (let i = 3; i >= 0; i--) { out[at + i] = hi & 255; hi = Math.floor(hi / 256); }
}

function aad12(seq: number, type: number, len: number): Uint8Array {
  const a = new Uint8Array(13);
  putSeq(a, 0, seq);
  a[8] = type; a[9] = 3; a[10] = 3; a[11] = len >> 8; a[12] = len & 255;
  return a;
}

function xorNonce(cs: CipherState): Uint8Array {
  const n = new Uint8Array(12);
  n.set(cs.iv);
  const s = new Uint8Array(8);
  putSeq(s, 0, cs.seq);
  for (let i = 0; i < 8; i++) n[4 + i] ^= s[i];
  return n;
}

/** What opening a TLS 1.2 record body takes: nonce, additional data, and the ciphertext with
 *  its tag (within body, so 4-byte aligned: the RecordLayer keeps record bodies aligned, and
 *  the 8-byte explicit nonce keeps the ciphertext so). Uses up the record's sequence number. */
export function open12Parts(cs: CipherState, type: number, body: Uint8Array): { nonce: Uint8Array; aad: Uint8Array; ct: Uint8Array } {
  const tag = cs.aead.tagLen;
  let nonce: Uint8Array, ct: Uint8Array;
  if (cs.v12 === V12_EXPLICIT) {
    if (body.length < 8 + tag) tlsFail(A_BAD_RECORD_MAC, "TLS_BAD_RECORD_MAC", "record too short for its explicit nonce and tag");
    nonce = new Uint8Array(12);
    nonce.set(cs.iv);
    nonce.set(body.subarray(0, 8), 4);
    ct = body.subarray(8);
  } else {
    if (body.length < tag) tlsFail(A_BAD_RECORD_MAC, "TLS_BAD_RECORD_MAC", "record shorter than its tag");
    nonce = xorNonce(cs);
    ct = body;
  }
  const aad = aad12(cs.seq, type, ct.length - tag);
  cs.seq++;
  return { nonce: nonce, aad: aad, ct: ct };
}

/** The plaintext of a record body opened in place (ok: its tag matched), or the alert. */
export function open12Plain(ok: boolean, ct: Uint8Array, tag: number, maxIn: number): Uint8Array {
  if (!ok) return tlsFail(A_BAD_RECORD_MAC, "TLS_BAD_RECORD_MAC", "record failed authentication");
  const plain = ct.subarray(0, ct.length - tag);
  if (plain.length > maxIn) tlsFail(A_RECORD_OVERFLOW, "TLS_RECORD_OVERFLOW", "plaintext of " + plain.length + " bytes over the limit of " + maxIn);
  return plain;
}

/** Decrypts one TLS 1.2 record body in place and returns the plaintext within it; fails with
 *  bad_record_mac / record_overflow. */
export function open12(cs: CipherState, type: number, body: Uint8Array, maxIn: number): Uint8Array {
  const p = open12Parts(cs, type, body);
  return open12Plain(cs.aead.openInPlace(p.nonce, p.aad, p.ct), p.ct, cs.aead.tagLen, maxIn);
}

/** One protected TLS 1.2 record (with its 5-byte header) carrying `frag`. */
export function seal12(cs: CipherState, type: number, frag: Uint8Array): Uint8Array {
  const explicit = cs.v12 === V12_EXPLICIT;
  const pre = explicit ? 8 : 0;
  let nonce: Uint8Array;
  if (explicit) {
    nonce = new Uint8Array(12);
    nonce.set(cs.iv);
    putSeq(nonce, 4, cs.seq);
  } else nonce = xorNonce(cs);
  const ct = cs.aead.seal(nonce, aad12(cs.seq, type, frag.length), frag);
  const len = pre + ct.length;
  const r = new Uint8Array(5 + len);
  r[0] = type; r[1] = 3; r[2] = 3; r[3] = len >> 8; r[4] = len & 255;
  if (explicit) r.set(nonce.subarray(4), 5);
  r.set(ct, 5 + pre);
  cs.seq++;
  return r;
}
