// The last-known-good time floor in Storage: two slots, ".etls-floor0" and ".etls-floor1",
// each one 16-byte record
//   "TF" 0x01 0x00 | generation: 4 bytes LE | floor: 4 bytes LE (Unix seconds) | CRC-32 of the 12 bytes before
// The floor read at boot is the highest floor among the valid records; a new record goes to the
// slot NOT holding the newest valid one, so a power cut during a write (Storage.write erases the
// old file first and may leave it missing, short or 0xFF-tailed) leaves the other slot intact.
// A record is only written to raise the floor; nothing here ever writes a lower one.

declare function require(name: string): any;

export const FLOOR_FILES = [".etls-floor0", ".etls-floor1"];
const RECORD = 16;

export interface FloorRecord {
  /** Highest valid floor stored (0 when none). */
  floor: number;
  /** Generation of the newest valid record (0 when none). */
  gen: number;
  /** Slot the next record goes to. */
  next: number;
  /** Valid records found (0, 1 or 2). */
  valid: number;
}

/** CRC-32 (IEEE 802.3, reflected) of s[0..n), bitwise: 12 bytes need no table. */
function crc32(s: string, n: number): number {
  let c = -1;
  for (let i = 0; i < n; i++) {
    c ^= s.charCodeAt(i);
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xEDB88320 & -(c & 1));
  }
  return (c ^ -1) >>> 0;
}

function le32(v: number): string {
  return String.fromCharCode(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
}

function rd32(s: string, o: number): number {
  return s.charCodeAt(o) + s.charCodeAt(o + 1) * 256 + s.charCodeAt(o + 2) * 65536 + s.charCodeAt(o + 3) * 16777216;
}

/** The 16-byte record for (gen, floor). */
export function floorRecord(gen: number, floor: number): string {
  const head = "TF\x01\x00" + le32(gen) + le32(floor);
  return head + le32(crc32(head, 12));
}

/** The floor (or -1) a record holds when it is whole and its checksum matches. */
export function parseFloorRecord(s: string): number[] | null {
  if (s.length !== RECORD || s.substr(0, 4) !== "TF\x01\x00") return null;
  if (rd32(s, 12) !== crc32(s, 12)) return null;
  return [rd32(s, 4), rd32(s, 8)];
}

export function readFloor(): FloorRecord {
  const S = require("Storage");
  let floor = 0, gen = 0, newest = -1, valid = 0;
  for (let i = 0; i < 2; i++) {
    let r: number[] | null = null;
    try {
      const f = S.read(FLOOR_FILES[i]);
      // A flash-backed string: copy it to a plain string before parsing (never typeof it).
      if (f !== undefined && f !== null) r = parseFloorRecord(String(f.length === RECORD ? f.substr(0, RECORD) : ""));
    } catch (e) { r = null; }
    if (r === null) continue;
    valid++;
    if (r[1] > floor) floor = r[1];
    if (newest < 0 || r[0] > gen) { gen = r[0]; newest = i; }
  }
  return { floor: floor, gen: gen, next: newest === 0 ? 1 : 0, valid: valid };
}

/** Writes `floor` as generation rec.gen + 1 into rec.next; updates rec; returns "" or why it failed. */
export function writeFloor(rec: FloorRecord, floor: number): string {
  const gen = rec.gen + 1;
  try {
    if (require("Storage").write(FLOOR_FILES[rec.next], floorRecord(gen, floor)) === false) return "Storage.write returned false (Storage full?)";
  } catch (e: any) {
    return "Storage.write threw " + (e && e.message ? e.message : String(e));
  }
  rec.gen = gen;
  rec.next = rec.next === 0 ? 1 : 0;
  if (floor > rec.floor) rec.floor = floor;
  rec.valid = rec.valid < 2 ? rec.valid + 1 : 2;
  return "";
}
