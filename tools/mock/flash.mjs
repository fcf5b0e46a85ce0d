// Flash storage of the board mock, with the semantics of Espruino's Storage (FACTS §5):
// 28-character names (longer ones silently truncated), replace-on-write leaving trash until
// compact(), incremental writes into a file pre-filled with 0xFF, no rewriting of written bytes,
// live views that die with their file, the board's size limit, and power cuts after any write.
// A Flash outlives a board context: boot a new board on the same Flash to emulate a reboot.

export const NAME_MAX = 28;
const HEADER_BYTES = 32;
const ALIGN = 4;

export class PowerCut {
  constructor(n) { this.code = "POWER_CUT"; this.message = `power cut after flash write #${n}`; }
  toString() { return this.message; }
}

export class FlashViewError {
  constructor(name) { this.code = "FLASH_VIEW_DEAD"; this.message = `a flash view of "${name}" was used after the file was erased, overwritten or moved (it is null on the board)`; }
  toString() { return this.message; }
}

const cost = (size) => HEADER_BYTES + Math.ceil(size / ALIGN) * ALIGN;

class FileRecord {
  constructor(name, size) {
    this.name = name;
    this.bytes = new Uint8Array(size).fill(0xff);
    this.alive = true;
    this.buffers = []; // ArrayBuffers handed out by readArrayBuffer, detached when the file dies
  }
  kill() {
    this.alive = false;
    for (const b of this.buffers) { try { structuredClone(b, { transfer: [b] }); } catch { /* already detached */ } }
    this.buffers = [];
  }
}

export class Flash {
  constructor(capacity) {
    this.capacity = capacity;
    this.files = new Map();
    this.trashBytes = 0;
    this.writes = 0; // flash write operations so far
    this.cutAfter = Infinity; // power is cut after this many write operations
    this.dead = false;
  }

  /** A copy of this flash as the next boot sees it: the same files, no live views. */
  reboot() {
    const f = new Flash(this.capacity);
    for (const [n, r] of this.files) { const c = new FileRecord(n, r.bytes.length); c.bytes.set(r.bytes); f.files.set(n, c); }
    f.trashBytes = this.trashBytes;
    return f;
  }

  /** Cut the power after `n` more write operations: the n+1-th and all later ones fail. */
  cutPowerAfter(n) { this.cutAfter = this.writes + n; }

  beginWrite() {
    if (this.dead || this.writes >= this.cutAfter) { this.dead = true; throw new PowerCut(this.writes); }
    this.writes++;
  }

  used() { let u = this.trashBytes; for (const r of this.files.values()) u += cost(r.bytes.length); return u; }
  free() { return this.capacity - this.used(); }

  static normalizeName(name) { return String(name).substr(0, NAME_MAX); }

  /** Makes room for `need` bytes, compacting when trash would help. The old copy of a file
   *  being replaced still takes its space: the new copy is written before the old is dropped. */
  reserve(need) {
    if (this.free() >= need) return true;
    if (this.trashBytes > 0 && this.free() + this.trashBytes >= need) this.compact();
    return this.free() >= need;
  }

  create(name, size) {
    const old = this.files.get(name);
    if (!this.reserve(cost(size))) return null;
    if (old) { old.kill(); this.files.delete(name); this.trashBytes += cost(old.bytes.length); }
    const rec = new FileRecord(name, size);
    this.files.set(name, rec);
    return rec;
  }

  erase(name) {
    const rec = this.files.get(name);
    if (!rec) return;
    this.beginWrite();
    rec.kill();
    this.files.delete(name);
    this.trashBytes += cost(rec.bytes.length);
  }

  compact() {
    this.beginWrite();
    // Files move: every view dies, as flash-backed strings point at the old place.
    const moved = new Map();
    for (const [n, r] of this.files) { const c = new FileRecord(n, r.bytes.length); c.bytes.set(r.bytes); r.kill(); moved.set(n, c); }
    this.files = moved;
    this.trashBytes = 0;
  }
}
