// The TLS 1.3 PSK offered in a ClientHello (RFC 8446 §4.2.11): a resumption ticket from an
// earlier connection or the application's external PSK. Both go through the same code: one
// identity, one binder (HMAC over the truncated ClientHello, keyed from the one KeySchedule
// started with the PSK), one handshake with the PSK as the key schedule's input.
import type { Hash, HashAlg } from "../crypto/types";
import { KeySchedule } from "./keyschedule";
import type { Suite } from "./suites";
import { SUITES13, findSuite } from "./suites";
import type { PskOffer } from "./messages";
import type { ExternalPsk } from "./psk";
import { pskIdentityText } from "./psk";
import { ascii } from "../util/bytes";
import type { SessionTicket } from "./client-types";

declare function getTime(): number;

export interface PskCandidate {
  identity: Uint8Array;
  key: Uint8Array;
  hash: HashAlg;
  /** The resumption ticket, or null for an external PSK ("ext binder", no ticket age). */
  ticket: SessionTicket | null;
  /** External PSK: the identity as text (reported once the server accepts it). */
  name: string;
}

/** The first suite of our list with `hash` (the binder's key schedule needs one). */
function suiteOf(hash: HashAlg): Suite {
  for (let i = 0; i < SUITES13.length; i++) if (SUITES13[i].hash === hash) return SUITES13[i];
  return SUITES13[0];
}

/** What to offer: the external PSK when the application gave one, else the ticket in hand. */
export function pskCandidate(ext: ExternalPsk | null | undefined, t: SessionTicket | null | undefined): PskCandidate | null {
  if (ext) {
    let name: string;
    try {
      name = pskIdentityText(ext, "");
    } catch (e) {
      // An identity function of the TLS 1.2 hint may have none without a hint: no TLS 1.3 PSK then.
      if (typeof ext.identity === "function") return null;
      throw e;
    }
    return { identity: ascii(name), key: ext.key, hash: ext.hash, ticket: null, name: name };
  }
  const suite = t ? findSuite(SUITES13, t.suite) : null;
  if (!t || !suite) return null;
  return { identity: t.ticket, key: t.psk, hash: suite.hash, ticket: t, name: "" };
}

/** The pre_shared_key identity to put in the ClientHello, or null when a ticket is no longer
 *  usable (too old, or for another host). */
export function pskOfferFor(c: PskCandidate, host: string): PskOffer | null {
  const t = c.ticket;
  if (!t) return { identity: c.identity, age: 0, binderLen: c.hash.outputLen }; // external: age 0 (§4.2.11)
  const age = getTime() - t.received;
  if (age < 0 || age >= t.lifetime || t.host !== host) return null;
  // obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32
  return { identity: t.ticket, age: (Math.floor(age * 1000) + t.ageAdd) % 4294967296, binderLen: c.hash.outputLen };
}

/** Writes the binder into the last bytes of `msg`: HMAC over the transcript up to the truncated
 *  ClientHello (everything before the binders list), keyed from the binder key (§4.2.11.2).
 *  `th`: the transcript before this ClientHello (after a HelloRetryRequest), or null. */
export function writeBinder(c: PskCandidate, msg: Uint8Array, th: Hash | null): void {
  const n = c.hash.outputLen;
  const h = th ? th.clone() : c.hash.create();
  h.update(msg.subarray(0, msg.length - n - 3));
  const ks = new KeySchedule(suiteOf(c.hash), c.key);
  msg.set(ks.finished(ks.binderKey(!c.ticket), h.digest()), msg.length - n);
}
