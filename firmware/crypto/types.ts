// The one interface where native (require("crypto")) and portable implementations meet.
// The board profile picks the implementation at build time; callers import only these types
// and the selectors in ./select.ts.
import type { Job } from "../util/job";

/** Incremental hash. update() may be called any number of times; digest() does not
 *  end the object's use: it returns the hash of everything so far (TLS transcripts need
 *  intermediate hashes), and further updates continue from there. */
export interface Hash {
  readonly outputLen: number;
  readonly blockLen: number;
  update(data: Uint8Array): Hash;
  digest(): Uint8Array;
  /** Independent copy of the current state. */
  clone(): Hash;
}

export interface HashAlg {
  readonly name: string; // "SHA-256"
  readonly outputLen: number;
  readonly blockLen: number;
  create(): Hash;
  /** One-shot hash. */
  hash(data: Uint8Array): Uint8Array;
}

/** AES block encryption with an expanded key (GCM needs only the forward direction). */
export interface AesBlock {
  /** Encrypt the 16 bytes at src[so..so+16) into dst[do..do+16); src and dst may alias. */
  encrypt(src: Uint8Array, so: number, dst: Uint8Array, dOff: number): void;
  /** Encrypt many consecutive counter blocks at once (native paths do this in one call):
   *  fills out[0..n*16) with E(ctr), E(ctr+1), ... incrementing the last 4 bytes of ctr (GCM inc32);
   *  ctr is advanced past the blocks used. */
  ctrKeystream(ctr: Uint8Array, out: Uint8Array, n: number): void;
}

/** AEAD as TLS uses it: the tag is appended to the ciphertext. */
export interface Aead {
  readonly keyLen: number;
  readonly nonceLen: number;
  readonly tagLen: number;
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Returns null when authentication fails (never partial plaintext). */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null;
  /** Like open, but decrypts data[0..length - tagLen) where it is (no copy: a 16 KB record
   *  needs no second 16 KB). data must start 4-byte aligned in its buffer. False, with data
   *  untouched, when authentication fails. */
  openInPlace(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): boolean;
  /** openInPlace as a Job of small steps (aeadjob.ts), for records too big for one slice. */
  openJob(nonce: Uint8Array, aad: Uint8Array, data: Uint8Array): Job<boolean>;
}
