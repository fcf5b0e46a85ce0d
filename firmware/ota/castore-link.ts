// The updater's link to the CA store module (firmware/castore/store.ts): slot 0 is the store's
// default file, and opening a slot always re-checks its header and body SHA-256.
import { open, forget, DEFAULT_NAME } from "../castore/store";
import type { CaStore } from "../castore/store";

export const STORE_NAME = DEFAULT_NAME;

export function openStoreFile(name: string): CaStore {
  return open(name, true);
}

/** After a slot was rewritten or erased: the kept store must be re-opened. */
export function forgetStores(): void {
  forget();
}
