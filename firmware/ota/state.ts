// The OTA state record: which slot holds the active CA store, the highest manifest version
// ever accepted (anti-rollback floor), the installed manifest's dates, the current key set.
//
// It is the "pointer" of the update: written last, after the new store was written and
// verified from flash. Two files hold it, STATE_FILES[0] and [1], written alternately: each
// write replaces the OLDER record and leaves the newer one untouched, so a power cut during a
// write (on a real flash a half-written file, on some Storage versions the old copy already
// erased) always leaves one complete record. Each record is one line of JSON followed by a
// line with the SHA-256 of that JSON (hex); the valid record with the highest `seq` wins.
import { EtError } from "../errors";
import { ascii, toHex } from "../util/bytes";
import { SHA256 } from "../crypto/sha2";
import type { KeySet } from "./format";

declare function require(n: string): any;

export const STATE_FILES = ["ota.state.0", "ota.state.1"];

export interface OtaState {
  /** Increases with every record written. */
  seq: number;
  /** Active slot (index into the slot names). */
  slot: number;
  /** The slot kept for a roll-back while trial is set, else -1. */
  prev: number;
  /** 1 while the new store has not yet passed its health check. */
  trial: number;
  /** Store version of the active slot. */
  version: number;
  /** Highest manifest version ever accepted: anything <= floor is refused. */
  floor: number;
  /** The active store's manifest: created and expires (0 when it came without one). */
  created: number;
  expires: number;
  /** SHA-256 (hex) of the active store image, "" if unknown. */
  sha256: string;
  /** Last version rolled back after a failed health check (0: none). */
  rejected: number;
  keys: KeySet;
  /** While trial: the store to return to (its slot and manifest facts), else null. */
  back: { slot: number; version: number; created: number; expires: number; sha256: string } | null;
}

function storage(): any { return require("Storage"); }

function checksum(json: string): string {
  return toHex(SHA256.hash(ascii(json)));
}

/** Parses one record file; null when it is missing, cut short or corrupt. */
export function parseRecord(text: string | undefined): OtaState | null {
  if (text === undefined || text === null) return null;
  const s = String(text);
  const nl = s.indexOf("\n");
  if (nl < 0 || s.length !== nl + 65) return null;
  const json = s.substr(0, nl);
  if (checksum(json) !== s.substr(nl + 1, 64)) return null;
  let o: any;
  try { o = JSON.parse(json); } catch (e) { return null; }
  if (!o || typeof o.seq !== "number" || (o.slot !== 0 && o.slot !== 1) || !o.keys || !o.keys.keys) return null;
  return o as OtaState;
}

/** The newest valid record and the file it is in, or null. */
export function loadState(): { state: OtaState; file: number } | null {
  const st = storage();
  let best: OtaState | null = null, file = -1;
  for (let i = 0; i < 2; i++) {
    const r = parseRecord(st.read(STATE_FILES[i]));
    if (r !== null && (best === null || r.seq > best.seq)) { best = r; file = i; }
  }
  return best === null ? null : { state: best, file: file };
}

/**
 * Writes `s` as the next record (seq = previous + 1) into the file not holding the newest
 * record. Throws OTA_STORAGE_FULL / OTA_WRITE_FAILED; the previous record then still stands.
 */
export function saveState(s: OtaState, newestFile: number): number {
  const file = newestFile === 0 ? 1 : 0;
  const json = JSON.stringify(s);
  let ok: any;
  try {
    ok = storage().write(STATE_FILES[file], json + "\n" + checksum(json));
  } catch (e) {
    // A power cut in the board mock (or any other throw) must not be turned into a status.
    if (e && (e as any).code === "POWER_CUT") throw e;
    throw new EtError("OTA_WRITE_FAILED", "writing the OTA state record failed: " + e);
  }
  if (!ok) throw new EtError("OTA_STORAGE_FULL", "no room in Storage for the OTA state record");
  return file;
}
