// Byte helpers shared by every layer. Bytes are Uint8Array; byte strings only at the
// edges (net, Storage), converted with the interpreter's fast natives.

declare const E: any;

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i].length;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], o);
    o += parts[i].length;
  }
  return out;
}

/** Copy of a[start, end): `slice` on a typed array returns a plain Array here (FACTS §3). */
export function copyOf(a: Uint8Array, start?: number, end?: number): Uint8Array {
  const s = start === undefined ? 0 : start;
  const e = end === undefined ? a.length : end;
  const out = new Uint8Array(e - s);
  out.set(a.subarray(s, e));
  return out;
}

/** Constant-time equality: time depends on length only. */
export function ctEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export function toHex(a: Uint8Array): string {
  let s = "";
  for (let i = 0; i < a.length; i++) s += (a[i] < 16 ? "0" : "") + a[i].toString(16);
  return s;
}

export function fromHex(h: string): Uint8Array {
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

/** Byte string (net data, Storage reads) to bytes. */
export function fromBinary(s: string): Uint8Array {
  return E.toUint8Array(s);
}

/** Bytes to byte string (what socket.write and Storage.write need). */
export function toBinary(a: Uint8Array): string {
  return E.toString(a);
}

/** ASCII/Latin-1 text to bytes (protocol text such as labels and headers). */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Only hex digits (either case), at least one. Digits are tested before folding case: folded,
 *  a control character such as 0x10 reads as "0" (found by fuzzing the HTTP chunk parser). */
export function isHexText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i), l = c | 32;
    if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) return false;
  }
  return s.length > 0;
}

/** Only printable ASCII (0x20..0x7e). */
export function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}
