// require("Storage") of the board mock, over a Flash (flash.mjs).
import { Flash, FlashViewError } from "./flash.mjs";

/**
 * A flash-backed string: what Storage.read returns on the board. Reading it costs no RAM
 * there; here it reads the file's bytes in place and fails loudly once the file is gone
 * (on the board every reference becomes null). It is not a primitive string: firmware must
 * not test `typeof` on Storage reads, only read them (charCodeAt, length, substr, E.toUint8Array).
 */
export class FlashString {
  constructor(rec, offset, length) { this.rec = rec; this.offset = offset; this.len = length; }
  live() { if (!this.rec.alive) throw new FlashViewError(this.rec.name); return this.rec.bytes; }
  get length() { this.live(); return this.len; }
  charCodeAt(i) { const b = this.live(); return i >= 0 && i < this.len ? b[this.offset + i] : NaN; }
  charAt(i) { const c = this.charCodeAt(i); return c === c ? String.fromCharCode(c) : ""; }
  toString() { const b = this.live(); return Buffer.from(b.subarray(this.offset, this.offset + this.len)).toString("latin1"); }
  valueOf() { return this.toString(); }
  substr(s, n) { return this.toString().substr(s, n); }
  substring(a, b) { return this.toString().substring(a, b); }
  slice(a, b) { return this.toString().slice(a, b); }
  indexOf(x, from) { return this.toString().indexOf(x, from); }
  split(x) { return this.toString().split(x); }
  /** Bytes of the view without copying (used by the mock's E.toUint8Array). */
  bytes() { const b = this.live(); return b.subarray(this.offset, this.offset + this.len); }
}

export function storageModule(flash, realm) {
  const name = (n) => Flash.normalizeName(n);

  function write(fileName, data, offset, size) {
    const n = name(fileName);
    const bytes = realm.writtenBytes(data);
    if (offset === undefined) offset = 0;
    let rec = flash.files.get(n);
    const creating = !rec || offset === 0;
    if (creating) {
      if (offset > 0) throw new Error(`Storage.write: offset ${offset} on missing file "${n}"`);
      const total = size === undefined ? bytes.length : size;
      if (total === 0) throw new Error("Storage.write: can't write an empty file");
      if (bytes.length > total) throw new Error(`Storage.write: ${bytes.length} bytes do not fit a ${total}-byte file`);
      flash.beginWrite();
      rec = flash.create(n, total);
      if (!rec) return false;
      rec.bytes.set(bytes, 0);
      return true;
    }
    if (!rec) throw new Error(`Storage.write: offset ${offset} on missing file "${n}"`);
    if (offset + bytes.length > rec.bytes.length) throw new Error(`Storage.write: write past the end of "${n}"`);
    for (let i = 0; i < bytes.length; i++) {
      const old = rec.bytes[offset + i];
      if (old !== 0xff && old !== bytes[i]) throw new Error(`Storage.write: "${n}" byte ${offset + i} is already written`);
    }
    flash.beginWrite();
    rec.bytes.set(bytes, offset);
    return true;
  }

  function read(fileName, offset, length) {
    const rec = flash.files.get(name(fileName));
    if (!rec) return undefined;
    const o = offset || 0;
    if (o > rec.bytes.length) return undefined;
    const l = length === undefined ? rec.bytes.length - o : Math.min(length, rec.bytes.length - o);
    return new FlashString(rec, o, l);
  }

  function readArrayBuffer(fileName) {
    const rec = flash.files.get(name(fileName));
    if (!rec) return undefined;
    // Read-only on the board (stores are silently ignored): a copy keeps flash unchanged.
    const buf = new realm.ArrayBuffer(rec.bytes.length);
    new realm.Uint8Array(buf).set(rec.bytes);
    rec.buffers.push(buf);
    return buf;
  }

  function list(re, filter) {
    let names = [...flash.files.keys()].filter((n) => !n.includes("\u0001"));
    if (filter && filter.sf) names = [...new Set([...flash.files.keys()].filter((n) => n.includes("\u0001")).map((n) => n.split("\u0001")[0]))];
    if (re) names = names.filter((n) => (typeof re === "string" ? n.includes(re) : re.test(n)));
    return realm.array(names);
  }

  return {
    write,
    read,
    readArrayBuffer,
    readJSON(fileName, noExceptions) {
      const s = read(fileName);
      if (s === undefined) return undefined;
      try { return realm.parseJSON(s.toString()); } catch (e) { if (noExceptions) return undefined; throw e; }
    },
    writeJSON(fileName, obj) { return write(fileName, realm.stringifyJSON(obj)); },
    erase(fileName) { flash.erase(name(fileName)); },
    eraseAll() { for (const n of [...flash.files.keys()]) flash.erase(n); flash.compact(); },
    list,
    compact() { flash.compact(); },
    getFree() { return flash.free(); },
    getStats() {
      let fileBytes = 0;
      for (const r of flash.files.values()) fileBytes += r.bytes.length;
      return { totalBytes: flash.capacity, freeBytes: flash.free(), fileBytes, fileCount: flash.files.size, trashBytes: flash.trashBytes };
    },
    open() { throw new Error("Storage.open (StorageFile) is not emulated by the board mock; use write with offsets"); },
  };
}
