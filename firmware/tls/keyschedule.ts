// The TLS 1.3 key schedule (RFC 8446 §7.1) for one connection's cipher suite.
import { hkdfExtract, hkdfExpandLabel, deriveSecret } from "../crypto/hkdf";
import { hmac } from "../crypto/hmac";
import type { Suite } from "./suites";
import { cipherState } from "./record";
import type { CipherState } from "./record";

export class KeySchedule {
  suite: Suite;
  private secret: Uint8Array;
  private emptyHash: Uint8Array;

  /** psk: the resumption or external PSK, or null for a full handshake (all-zero IKM). */
  constructor(suite: Suite, psk: Uint8Array | null) {
    this.suite = suite;
    const L = suite.hash.outputLen;
    this.emptyHash = suite.hash.hash(new Uint8Array(0));
    this.secret = hkdfExtract(suite.hash, new Uint8Array(L), psk || new Uint8Array(L));
  }

  /** Early secret stage: the binder key, for an external PSK ("ext binder") or a resumption
   *  one ("res binder"): the labels keep one kind from passing for the other (§7.1). */
  binderKey(external: boolean): Uint8Array {
    return deriveSecret(this.suite.hash, this.secret, external ? "ext binder" : "res binder", this.emptyHash);
  }

  /** Mixes in the (EC)DHE shared secret: the handshake secret. */
  handshake(shared: Uint8Array): void {
    const h = this.suite.hash;
    this.secret = hkdfExtract(h, deriveSecret(h, this.secret, "derived", this.emptyHash), shared);
  }

  /** The master secret (after the handshake secret). */
  master(): void {
    const h = this.suite.hash;
    this.secret = hkdfExtract(h, deriveSecret(h, this.secret, "derived", this.emptyHash), new Uint8Array(h.outputLen));
  }

  /** A traffic secret of the current stage: "c hs traffic", "s ap traffic", "res master", ... */
  derive(label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.suite.hash, this.secret, label, transcriptHash);
  }

  /** Record protection keys from a traffic secret. */
  cipher(trafficSecret: Uint8Array, writing?: boolean): CipherState {
    const h = this.suite.hash;
    const key = hkdfExpandLabel(h, trafficSecret, "key", new Uint8Array(0), this.suite.keyLen);
    const iv = hkdfExpandLabel(h, trafficSecret, "iv", new Uint8Array(0), 12);
    return cipherState(this.suite.aead(key, writing), iv);
  }

  /** verify_data of a Finished message (§4.4.4). */
  finished(baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
    const h = this.suite.hash;
    const fk = hkdfExpandLabel(h, baseKey, "finished", new Uint8Array(0), h.outputLen);
    return hmac(h, fk, transcriptHash);
  }

  /** The next application traffic secret (KeyUpdate, §7.2). */
  nextTraffic(secret: Uint8Array): Uint8Array {
    return hkdfExpandLabel(this.suite.hash, secret, "traffic upd", new Uint8Array(0), this.suite.hash.outputLen);
  }

  /** The PSK of a NewSessionTicket (§4.6.1). */
  ticketPsk(resumptionMaster: Uint8Array, nonce: Uint8Array): Uint8Array {
    return hkdfExpandLabel(this.suite.hash, resumptionMaster, "resumption", nonce, this.suite.hash.outputLen);
  }
}
