// Who may sign CA list updates: the key set.
//
// Version 1 is compiled into the bundle (OTA_KEYS / OTA_THRESHOLD from ota-keys.json). A key
// rotation is a key-set payload of version n + 1 signed by the current set n (a threshold of
// its keys); the device keeps the newest set it accepted in its state record (state.ts), so a
// reboot does not bring an old key back. Rotations must come in order: version n + 1 exactly,
// never a skip and never one already applied.
//
// Counting: a signature counts for the key it names, only if that key is in the set, only
// once per key (a second signature by the same key, or the same signature listed twice, adds
// nothing), and only if it verifies over the context line of its kind + payload.
import { OTA_KEYS, OTA_THRESHOLD } from "../board";
import { EtError } from "../errors";
import type { Job } from "../util/job";
import { fromHex } from "../util/bytes";
import { ed25519VerifyJob } from "../crypto/ed25519";
import type { KeySet, Signed } from "./format";
import { signedMessage, sigBytes } from "./format";

/** The key set compiled into this bundle. */
export function compiledKeys(): KeySet {
  return { version: 1, threshold: OTA_THRESHOLD, keys: OTA_KEYS.length ? OTA_KEYS.split(",") : [] };
}

/**
 * A Job that checks `doc`'s signatures against `set` over `context`. Its result is the number
 * of distinct keys of the set with a valid signature; it stops verifying as soon as the
 * threshold is met (one Ed25519 verification for the usual single-key set).
 */
export function countJob(set: KeySet, context: string, doc: Signed): Job<number> {
  const msg = signedMessage(context, doc.payload);
  const counted: string[] = [];
  let i = 0;
  let cur: Job<boolean> | null = null;
  let curKey = "";
  return {
    step: function (): boolean {
      if (cur !== null) {
        if (!cur.step()) return false;
        if (cur.result()) counted.push(curKey);
        cur = null;
        return counted.length >= set.threshold || i >= doc.signatures.length;
      }
      // Pick the next signature worth verifying (cheap checks only in this step).
      while (i < doc.signatures.length && counted.length < set.threshold) {
        const s = doc.signatures[i++];
        if (set.keys.indexOf(s.key) < 0 || counted.indexOf(s.key) >= 0) continue;
        curKey = s.key;
        cur = ed25519VerifyJob(fromHex(s.key), msg, sigBytes(s));
        return false;
      }
      return true;
    },
    result: function (): number { return counted.length; },
  };
}

/** Throws unless `count` meets the set's threshold. */
export function requireThreshold(set: KeySet, count: number, what: string): void {
  if (!set.keys.length) throw new EtError("OTA_NO_KEYS", "this bundle has no OTA keys (ota-keys.json was empty at build time): updates are refused");
  if (count < set.threshold) {
    throw new EtError("OTA_BAD_SIGNATURE", what + " is not signed by " + set.threshold + " key(s) of key set " + set.version +
      " (" + count + " valid)", { keysVersion: set.version, valid: count, needed: set.threshold });
  }
}

/** Hex of the first 8 bytes of a key, for messages and status. */
export function keyId(hex: string): string {
  return hex.substr(0, 16);
}
