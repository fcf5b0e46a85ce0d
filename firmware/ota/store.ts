// The two CA store slots and how the updater opens and hashes them.
// A slot is one Storage file holding a whole store image (docs/castore-format.md); opening it
// checks the image's own SHA-256 (the CA store module), and the updater also compares the
// SHA-256 of the whole file with the signed manifest.
import { NATIVE_SHA256 } from "../board";
import { EtError } from "../errors";
import { toHex } from "../util/bytes";
import { SHA256 } from "../crypto/sha2";
import type { AnchorSource } from "../x509/anchor";
import { STORE_NAME, openStoreFile, forgetStores } from "./castore-link";
import { slotName } from "./active";

export { forgetStores };

declare function require(n: string): any;
declare const E: any;

/** What the updater needs of an opened store. */
export interface CaStore extends AnchorSource {
  version: number;
  count: number;
  name: string;
  findByKeyId(kid: Uint8Array): any[];
}

/** Slot 0 is the store's usual file (what a board is first flashed with); slot 1 its twin. */
export const SLOTS = [slotName(STORE_NAME, 0), slotName(STORE_NAME, 1)];

/** Opens and checks the store in slot i; throws the store's EtError when it is unusable. */
export function openSlot(i: number): CaStore {
  return openStoreFile(SLOTS[i]);
}

/** Bytes in the slot's file, or -1 when there is none. */
export function slotSize(i: number): number {
  const s = require("Storage").read(SLOTS[i]);
  return s === undefined ? -1 : s.length;
}

/**
 * SHA-256 (hex) of the whole file in slot i, read from flash. With native SHA-256 the
 * flash-backed string goes straight to the native function (memory-mapped on devices, no
 * JsVars); otherwise the portable hash reads it 512 bytes at a time.
 */
export function hashSlot(i: number): string {
  const st = require("Storage");
  const name = SLOTS[i];
  const s = st.read(name);
  if (s === undefined) throw new EtError("OTA_SLOT_MISSING", "slot file " + name + " is missing");
  if (NATIVE_SHA256) return toHex(new Uint8Array(require("crypto").SHA256(s)));
  const h = SHA256.create();
  const n = s.length;
  for (let o = 0; o < n; o += 512) h.update(E.toUint8Array(st.read(name, o, n - o < 512 ? n - o : 512)));
  return toHex(h.digest());
}
