// Distinguished names.
//
// Comparison choice: names are compared BYTE-FOR-BYTE on their DER encoding, as webpki
// (rustls) does, not after the RFC 5280 §7.1 normalisation (case folding, whitespace
// squeezing, string-type conversion). Reasons: (1) it is what the Web PKI relies on in
// practice: CAs copy the issuer's subject bytes into the issued certificate's issuer field
// (CA/B Forum BR 7.1.4.1 requires it), so normalisation only matters for certificates that
// already break the profile; (2) it is cheap on the interpreter and lets the CA store find an
// issuer by comparing flash bytes in place, with no RAM copy and no Unicode tables; (3) it can
// only make path building fail (UNKNOWN_ISSUER), never accept a path a normalising validator
// would refuse. directoryName name constraints compare RDNs byte-for-byte in the same way.

import { Der, T_SEQUENCE, T_SET, T_BMP, T_UNIVERSAL_STR, sameBytes, badDer, bytesEqual } from "./der";
import type { Bytes } from "./der";
import { AT_NAMES, oidText } from "./oids";

/** Byte-exact comparison of two DER Names (either representation). */
export function nameEquals(a: Bytes, b: Bytes): boolean {
  return sameBytes(a, b);
}

/** Validates the structure of the Name whose value (RDNSequence content) is d's remaining
 *  range: SEQUENCE OF SET SIZE(1..MAX) OF SEQUENCE { type OID, value ANY }.
 *  Returns the number of RDNs. */
export function checkNameBody(d: Der): number {
  let n = 0;
  while (d.more()) {
    const rdn = d.seq(T_SET);
    if (!rdn.more()) badDer("empty RDN");
    while (rdn.more()) {
      const atv = rdn.seq(T_SEQUENCE);
      atv.oid();
      atv.next(-1);
      atv.done();
    }
    n++;
  }
  return n;
}

/** Number of RDNs of a DER Name (0 = empty name). */
export function rdnCount(name: Bytes): number {
  const d = new Der(name, 0, name.length);
  d.next(T_SEQUENCE);
  d.done();
  return checkNameBody(d.enter());
}

/** Values (content octets, with their string tag) of every attribute of type `typeHex`. */
export function findAttrs(name: Bytes, typeOid: string): { tag: number; v: Uint8Array }[] {
  const out: { tag: number; v: Uint8Array }[] = [];
  const d = new Der(name, 0, name.length).seq(T_SEQUENCE);
  while (d.more()) {
    const rdn = d.seq(T_SET);
    while (rdn.more()) {
      const atv = rdn.seq(T_SEQUENCE);
      if (atv.oid() === typeOid) {
        atv.next(-1);
        out.push({ tag: atv.tag, v: atv.bytes() });
      }
    }
  }
  return out;
}

/** True when the RDN sequence of `prefix` is an initial part of the one of `name`
 *  (RFC 5280 directoryName constraint matching, RDNs compared byte-for-byte). */
export function rdnPrefix(prefix: Bytes, pStart: number, pEnd: number, name: Bytes): boolean {
  const a = new Der(prefix, pStart, pEnd);
  const b = new Der(name, 0, name.length).seq(T_SEQUENCE);
  while (a.more()) {
    a.next(T_SET);
    if (!b.more()) return false;
    b.next(T_SET);
    if (!bytesEqual(prefix, a.hs, a.ve, name, b.hs, b.ve)) return false;
  }
  return true;
}

function valueText(d: Der): string {
  const t = d.tag;
  let s = "";
  if (t === T_BMP || t === T_UNIVERSAL_STR) {
    const w = t === T_BMP ? 2 : 4;
    for (let i = d.vs; i + w <= d.ve; i += w) {
      const c = d.b(i + w - 1) + 256 * d.b(i + w - 2);
      s += c >= 32 && c < 127 && (w === 2 || d.b(i) + d.b(i + 1) === 0) ? String.fromCharCode(c) : "?";
    }
    return s;
  }
  if (t < 0x0c || t > 0x1e) return "#" + d.hex();
  for (let i = d.vs; i < d.ve; i++) {
    const c = d.b(i);
    if (c === 0x2c || c === 0x2b || c === 0x5c || c === 0x3d) s += "\\" + String.fromCharCode(c);
    else if (c >= 32 && c < 127) s += String.fromCharCode(c);
    else s += "\\" + (c < 16 ? "0" : "") + c.toString(16);
  }
  return s;
}

/** Printable form of a DER Name for messages: "C=US, O=Example, CN=host", attributes in DER
 *  order, multi-valued RDNs joined with "+". Never throws; garbage prints as "<bad name>". */
export function nameToString(name: Bytes): string {
  try {
    let s = "";
    const d = new Der(name, 0, name.length).seq(T_SEQUENCE);
    while (d.more()) {
      const rdn = d.seq(T_SET);
      let first = true;
      while (rdn.more()) {
        const atv = rdn.seq(T_SEQUENCE);
        const oid = atv.oid();
        atv.next(-1);
        const short = AT_NAMES[oid];
        s += (first ? (s ? ", " : "") : "+") + (short ? short : oidText(oid)) + "=" + valueText(atv);
        first = false;
      }
      if (s.length > 300) return s.substring(0, 300) + "...";
    }
    return s;
  } catch (e) {
    return "<bad name>";
  }
}
