// Which Storage file holds the active CA store, for code that must not depend on the updater
// (the CA store module's default name, without a cycle: this imports no store code).
// Slot 0 is the store's usual file name, slot 1 that name + ".b"; the newest valid OTA state
// record says which is active (slot 0 when there is none).
import { loadState } from "./state";

/** Name of slot i (0 or 1) for a store whose usual file is `base`. */
export function slotName(base: string, i: number): string {
  return i === 0 ? base : base + ".b";
}

/** The file the active store is in, per the OTA state record (no store is opened). */
export function activeStoreName(base: string): string {
  const s = loadState();
  return slotName(base, s === null ? 0 : s.state.slot);
}
