// PKCS#10 certification requests (RFC 2986) made on the board: the subject and SANs the
// application gives, the device's public key, and (by the caller) a signature with its private
// key. Names are checked here so a broker or CA never sees a request we would not parse ourselves.
import { EtError } from "../errors";
import { cons, tlv, oid, small, bits, text } from "./derwrite";
import { OID_EC_PUBLIC_KEY, OID_P256, EXT_SUBJECT_ALT_NAME } from "../x509/oids";

/** Subject attributes we write, in this order (C first, CN last, as CAs print them). */
const ATTRS: string[][] = [
  // [option name, OID content octets, string tag (PrintableString 0x13 / UTF8String 0x0c)]
  ["C", "\x55\x04\x06", "\x13"],
  ["ST", "\x55\x04\x08", "\x0c"],
  ["L", "\x55\x04\x07", "\x0c"],
  ["O", "\x55\x04\x0a", "\x0c"],
  ["OU", "\x55\x04\x0b", "\x0c"],
  ["CN", "\x55\x04\x03", "\x0c"],
  ["serialNumber", "\x55\x04\x05", "\x13"],
];
const EXTENSION_REQUEST = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x0e"; // 1.2.840.113549.1.9.14

function bad(code: string, message: string, detail?: any): never {
  throw new EtError(code, message, detail);
}

/** PrintableString's alphabet (X.680 §41.4). */
function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (!((c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || " '()+,-./:=?".indexOf(c) >= 0)) return false;
  }
  return true;
}

/** The subject Name from { CN, O, OU, C, ST, L, serialNumber }; unknown keys and odd values are IDENTITY_BAD_SUBJECT. */
export function subjectName(subject: any): Uint8Array {
  if (subject === undefined || subject === null) subject = {};
  if (typeof subject !== "object") bad("IDENTITY_BAD_SUBJECT", "subject must be an object such as { CN: \"device-01\", O: \"Example\" }");
  const known: any = {};
  for (let i = 0; i < ATTRS.length; i++) known[ATTRS[i][0]] = 1;
  const keys = Object.keys(subject);
  for (let i = 0; i < keys.length; i++) {
    if (!known[keys[i]]) bad("IDENTITY_BAD_SUBJECT", "subject attribute " + keys[i] + " is not supported (use CN, O, OU, C, ST, L, serialNumber)", { attribute: keys[i] });
  }
  const rdns: Uint8Array[] = [];
  for (let i = 0; i < ATTRS.length; i++) {
    const a = ATTRS[i];
    const v = subject[a[0]];
    if (v === undefined) continue;
    if (typeof v !== "string" || !v.length || v.length > 64) bad("IDENTITY_BAD_SUBJECT", "subject " + a[0] + " must be a string of 1 to 64 characters", { attribute: a[0] });
    for (let j = 0; j < v.length; j++) {
      const c = v.charCodeAt(j);
      if (c < 0x20 || c > 0x7e) bad("IDENTITY_BAD_SUBJECT", "subject " + a[0] + " must be printable ASCII (byte " + c + " at " + j + ")", { attribute: a[0] });
    }
    if (a[2] === "\x13" && !printable(v)) bad("IDENTITY_BAD_SUBJECT", "subject " + a[0] + " may hold only letters, digits and ' ()+,-./:=?", { attribute: a[0] });
    if (a[0] === "C" && (v.length !== 2 || v.toUpperCase() !== v)) bad("IDENTITY_BAD_SUBJECT", "subject C is a two-letter country code such as \"DE\"", { attribute: "C" });
    rdns.push(cons(0x31, [cons(0x30, [oid(a[1]), tlv(a[2].charCodeAt(0), text(v))])]));
  }
  if (!rdns.length) bad("IDENTITY_BAD_SUBJECT", "the subject needs at least one attribute (usually CN)");
  return cons(0x30, rdns);
}

/** A DNS name we would accept as a host name: LDH labels of 1..63, total <= 253, no trailing dot. */
function dnsName(n: any): Uint8Array {
  let ok = typeof n === "string" && n.length > 0 && n.length <= 253;
  const labels = ok ? (n as string).split(".") : [];
  for (let i = 0; ok && i < labels.length; i++) {
    const l = labels[i];
    ok = l.length > 0 && l.length <= 63 && l.charAt(0) !== "-" && l.charAt(l.length - 1) !== "-";
    for (let j = 0; ok && j < l.length; j++) {
      const c = l.charAt(j);
      ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "-";
    }
  }
  if (!ok) bad("IDENTITY_BAD_SAN", "dns entry \"" + n + "\" is not a host name (letters, digits, hyphens; dot-separated labels)", { dns: n });
  return tlv(0x82, text((n as string).toLowerCase()));
}

/** An IPv4 address a.b.c.d as an iPAddress GeneralName. */
function ipAddress(a: any): Uint8Array {
  const parts = typeof a === "string" ? a.split(".") : [];
  let ok = parts.length === 4;
  const out = new Uint8Array(4);
  for (let i = 0; ok && i < 4; i++) {
    const p = parts[i];
    ok = p.length > 0 && p.length <= 3 && (p.length === 1 || p.charAt(0) !== "0");
    for (let j = 0; ok && j < p.length; j++) ok = p.charAt(j) >= "0" && p.charAt(j) <= "9";
    const v = ok ? parseInt(p, 10) : -1;
    ok = ok && v <= 255;
    out[i] = v;
  }
  if (!ok) bad("IDENTITY_BAD_SAN", "ip entry \"" + a + "\" is not an IPv4 address a.b.c.d", { ip: a });
  return tlv(0x87, out);
}

function list(v: any, what: string): any[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (!Array.isArray(v)) bad("IDENTITY_BAD_SAN", what + " must be a string or an array of strings");
  return v;
}

/** The [0] attributes: an extensionRequest with subjectAltName when dns/ip are given, else none. */
function attributes(dns: any, ip: any): Uint8Array {
  const names: Uint8Array[] = [];
  const d = list(dns, "dns"), a = list(ip, "ip");
  for (let i = 0; i < d.length; i++) names.push(dnsName(d[i]));
  for (let i = 0; i < a.length; i++) names.push(ipAddress(a[i]));
  if (!names.length) return tlv(0xa0, new Uint8Array(0));
  const san = cons(0x30, [oid(EXT_SUBJECT_ALT_NAME), tlv(0x04, cons(0x30, names))]);
  return cons(0xa0, [cons(0x30, [oid(EXTENSION_REQUEST), cons(0x31, [cons(0x30, [san])])])]);
}

/** SubjectPublicKeyInfo of a P-256 public point (uncompressed 04||X||Y). */
export function p256Spki(point: Uint8Array): Uint8Array {
  return cons(0x30, [cons(0x30, [oid(OID_EC_PUBLIC_KEY), oid(OID_P256)]), bits(point)]);
}

/** CertificationRequestInfo: the bytes the device key signs. Checks subject, dns and ip first. */
export function requestInfo(subject: any, dns: any, ip: any, spki: Uint8Array): Uint8Array {
  return cons(0x30, [small(0), subjectName(subject), spki, attributes(dns, ip)]);
}

/** The whole CertificationRequest from the signed info, the signature algorithm OID, and the DER signature. */
export function request(info: Uint8Array, sigAlg: string, signature: Uint8Array): Uint8Array {
  // ecdsa-with-SHA256 and friends take no parameters (RFC 5758 §3.2): the AlgorithmIdentifier is just the OID.
  return cons(0x30, [info, cons(0x30, [oid(sigAlg)]), bits(signature)]);
}
