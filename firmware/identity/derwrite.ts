// A minimal DER writer for what the board makes itself (CSRs, its private key file): the
// reader is x509/der.ts. Elements are built bottom-up as Uint8Arrays; lengths in the minimal form.
import { concat, toBinary } from "../util/bytes";

declare function btoa(s: string): string;

/** Length octets of n (definite, minimal; n < 2^24). */
function lenOctets(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 255];
  return [0x83, n >> 16, (n >> 8) & 255, n & 255];
}

/** One TLV: tag, length, content. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const l = lenOctets(content.length);
  const out = new Uint8Array(1 + l.length + content.length);
  out[0] = tag;
  for (let i = 0; i < l.length; i++) out[1 + i] = l[i];
  out.set(content, 1 + l.length);
  return out;
}

/** A constructed element (SEQUENCE 0x30, SET 0x31, [n] 0xa0+n) of the given parts. */
export function cons(tag: number, parts: Uint8Array[]): Uint8Array {
  return tlv(tag, concat(parts));
}

/** A non-negative INTEGER from big-endian magnitude bytes (leading zeros dropped, a sign octet added). */
export function uint(mag: Uint8Array): Uint8Array {
  let s = 0;
  while (s < mag.length - 1 && mag[s] === 0) s++;
  const v = mag.subarray(s);
  if (v.length && (v[0] & 0x80) === 0) return tlv(0x02, v);
  const out = new Uint8Array(v.length + 1);
  out.set(v, 1);
  return tlv(0x02, out);
}

/** A small INTEGER (0..127). */
export function small(n: number): Uint8Array {
  return tlv(0x02, new Uint8Array([n]));
}

/** An OBJECT IDENTIFIER from its content octets as a byte string (the form of x509/oids.ts). */
export function oid(bin: string): Uint8Array {
  return tlv(0x06, text(bin));
}

/** Bytes of a byte string (characters 0..255). */
export function text(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A BIT STRING with no unused bits. */
export function bits(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out.set(b, 1);
  return tlv(0x03, out);
}

/** PEM text of der under label, 64-column base64 (the interpreter's native btoa over a byte string). */
export function pem(label: string, der: Uint8Array): string {
  const b = btoa(toBinary(der));
  let out = "-----BEGIN " + label + "-----\n";
  for (let i = 0; i < b.length; i += 64) out += b.substr(i, 64) + "\n";
  return out + "-----END " + label + "-----\n";
}
