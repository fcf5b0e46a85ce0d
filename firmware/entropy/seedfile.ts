// The seed file: two Storage slots, ".etls-seed0" and ".etls-seed1", each one record
//   [generation: 4 bytes LE][seed: 32 bytes][check: first 4 bytes of SHA-256(generation || seed)]
// At boot both slots are read whole (whatever they hold: valid, torn, 0xFF-filled or missing)
// and mixed into the DRBG's personalization string; then, before any output is returned, a new
// record (generation = newest valid + 1, seed = DRBG output) replaces the OLDER slot. The newest
// valid record is therefore never touched, so its generation only grows, and no two boots that
// returned output have read the same slot contents, even with a deterministic physical source.
// Espruino's Storage.write erases the old file before writing the new one (src/jsflash.c
// jsfWriteFile), so a power cut can leave the slot being written missing or 0xFF-tailed; the
// other slot still holds the newest record and the torn slot's bytes differ from any earlier
// state. A boot whose rewrite fails returns no output (index.ts).

import type { HashAlg } from "../crypto/types";

declare function require(name: string): any;
declare const E: any;

export const SEED_FILES = [".etls-seed0", ".etls-seed1"];
const RECORD = 40;

export interface Seeds {
  /** Both slots as read, each as [present 0/1][length: 2 bytes][bytes]: unambiguous. */
  raw: Uint8Array;
  /** Newest valid generation (0 when none). */
  gen: number;
  /** Slot the next record goes to (the one not holding the newest valid record). */
  next: number;
}

function checkOf(alg: HashAlg, rec: Uint8Array): Uint8Array {
  return alg.hash(rec.subarray(0, 36)).subarray(0, 4);
}

export function readSeeds(alg: HashAlg): Seeds {
  const S = require("Storage");
  const parts: Uint8Array[] = [];
  let total = 0, gen = 0, newest = -1;
  for (let i = 0; i < 2; i++) {
    const f = S.read(SEED_FILES[i]);
    // A flash-backed string: copy it (it dies if the file is rewritten). Never typeof it.
    const b: Uint8Array = f === undefined || f === null ? new Uint8Array(0) : E.toUint8Array(f);
    const head = new Uint8Array(3);
    head[0] = f === undefined || f === null ? 0 : 1;
    head[1] = (b.length >> 8) & 255;
    head[2] = b.length & 255;
    parts.push(head, b);
    total += 3 + b.length;
    if (b.length === RECORD) {
      const c = checkOf(alg, b);
      if (c[0] === b[36] && c[1] === b[37] && c[2] === b[38] && c[3] === b[39]) {
        const g = b[0] + b[1] * 256 + b[2] * 65536 + b[3] * 16777216;
        if (newest < 0 || g > gen) { gen = g; newest = i; }
      }
    }
  }
  const raw = new Uint8Array(total);
  let o = 0;
  for (let i = 0; i < parts.length; i++) { raw.set(parts[i], o); o += parts[i].length; }
  return { raw: raw, gen: gen, next: newest === 0 ? 1 : 0 };
}

/** Writes the record for `gen` into slot `slot`; returns "" or why it failed. */
export function writeSeed(alg: HashAlg, slot: number, gen: number, seed: Uint8Array): string {
  const rec = new Uint8Array(RECORD);
  rec[0] = gen & 255;
  rec[1] = (gen >>> 8) & 255;
  rec[2] = (gen >>> 16) & 255;
  rec[3] = (gen >>> 24) & 255;
  rec.set(seed.subarray(0, 32), 4);
  rec.set(checkOf(alg, rec), 36);
  try {
    if (require("Storage").write(SEED_FILES[slot], E.toString(rec)) === false) return "Storage.write returned false (Storage full?)";
  } catch (e: any) {
    return "Storage.write threw " + (e && e.message ? e.message : String(e));
  }
  return "";
}
