// Server identity (RFC 6125 / RFC 9525, CA/B Forum BR):
// - only subjectAltName is consulted (no fallback to the subject's CN);
// - DNS names compare case-insensitively (ASCII only; IDNs must already be A-labels);
// - a wildcard is accepted only as the whole leftmost label ("*.example.com"), matches
//   exactly one label (never the bare "example.com", never "a.b.example.com"), and needs at
//   least two labels after it ("*.com" matches nothing);
// - a host that is an IP address (IPv4 dotted decimal, IPv6 text) matches only iPAddress
//   entries, compared as bytes; a dNSName that looks like an address never matches it.

import { Der, T_SEQUENCE } from "./der";
import type { Bytes } from "./der";

/** GeneralName tags (context-specific) as they appear in subjectAltName. */
export const GN_OTHER = 0xa0;
export const GN_RFC822 = 0x81;
export const GN_DNS = 0x82;
export const GN_DIRECTORY = 0xa4;
export const GN_URI = 0x86;
export const GN_IP = 0x87;

/** Strict IPv4 dotted decimal (4 parts, 0..255, no leading zeros). */
export function parseIpv4(s: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let part = 0;
  let v = -1;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || part > 3) return null;
      out[part++] = v;
      v = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && v === 0) return null; // leading zero
      v = (v < 0 ? 0 : v) * 10 + c - 48;
      if (v > 255) return null;
      digits++;
    } else return null;
  }
  return part === 4 ? out : null;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** IPv6 text (RFC 4291 §2.2: groups of 1-4 hex digits, one "::", optional dotted IPv4 tail). */
export function parseIpv6(s: string): Uint8Array | null {
  const out = new Uint8Array(16);
  let n = 0; // groups written
  let gap = -1; // group index where "::" was
  let i = 0;
  const L = s.length;
  if (L < 2) return null;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return null;
    gap = 0;
    i = 2;
    if (i === L) return out; // "::"
  }
  while (i < L) {
    // an IPv4 tail?
    let j = i;
    while (j < L && hexVal(s.charCodeAt(j)) >= 0) j++;
    if (j < L && s.charCodeAt(j) === 46) {
      if (n > 6) return null;
      const v4 = parseIpv4(s.substring(i));
      if (v4 === null) return null;
      out.set(v4, n * 2);
      n += 2;
      i = L;
      break;
    }
    if (j === i || j - i > 4 || n >= 8) return null;
    let v = 0;
    for (let k = i; k < j; k++) v = v * 16 + hexVal(s.charCodeAt(k));
    out[n * 2] = v >> 8;
    out[n * 2 + 1] = v & 255;
    n++;
    i = j;
    if (i === L) break;
    if (s.charCodeAt(i) !== 58) return null;
    i++;
    if (i < L && s.charCodeAt(i) === 58) {
      if (gap >= 0) return null;
      gap = n;
      i++;
      if (i === L) break;
    } else if (i === L) return null; // trailing single ":"
  }
  if (gap < 0) return n === 8 ? out : null;
  if (n > 7) return null;
  // move the groups after the gap to the end
  const tail = n - gap;
  for (let k = tail - 1; k >= 0; k--) {
    out[(8 - tail + k) * 2] = out[(gap + k) * 2];
    out[(8 - tail + k) * 2 + 1] = out[(gap + k) * 2 + 1];
  }
  for (let k = gap; k < 8 - tail; k++) out[k * 2] = out[k * 2 + 1] = 0;
  return out;
}

/** Address bytes of an IP literal, or null if `s` is not one. */
export function parseIp(s: string): Uint8Array | null {
  return s.indexOf(":") >= 0 ? parseIpv6(s) : parseIpv4(s);
}

/** Canonical text of a 4- or 16-byte address (IPv6 per RFC 5952 §4). */
export function ipToText(b: Uint8Array): string {
  if (b.length === 4) return b[0] + "." + b[1] + "." + b[2] + "." + b[3];
  if (b.length !== 16) return "";
  // longest run (>= 2) of zero groups, first one on ties
  let best = -1;
  let bestLen = 1;
  for (let g = 0; g < 8; ) {
    if (b[g * 2] === 0 && b[g * 2 + 1] === 0) {
      let e = g;
      while (e < 8 && b[e * 2] === 0 && b[e * 2 + 1] === 0) e++;
      if (e - g > bestLen) {
        best = g;
        bestLen = e - g;
      }
      g = e;
    } else g++;
  }
  let s = "";
  for (let g = 0; g < 8; g++) {
    if (g === best) {
      s += "::";
      g += bestLen - 1;
      continue;
    }
    if (s.length > 0 && s.charAt(s.length - 1) !== ":") s += ":";
    s += (b[g * 2] * 256 + b[g * 2 + 1]).toString(16);
  }
  return s;
}

/** ASCII lower case (leaves other bytes alone). */
export function lowerAscii(s: string): string {
  let r = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    r += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s.charAt(i);
  }
  return r;
}

/** Preferred name syntax (RFC 1034 §3.5 + RFC 1123 §2.1): labels of 1-63 letters, digits and
 *  hyphens, not starting or ending with a hyphen, at most 253 octets, no trailing dot.
 *  With `wildcard`, the first label may be exactly "*". */
export function isDnsName(s: string, wildcard: boolean): boolean {
  const L = s.length;
  if (L === 0 || L > 253) return false;
  let start = 0;
  if (wildcard && L > 2 && s.charCodeAt(0) === 42 && s.charCodeAt(1) === 46) start = 2;
  let lab = 0;
  let prev = 46;
  for (let i = start; i < L; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (lab === 0 || prev === 45) return false;
      lab = 0;
    } else {
      const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45;
      if (!ok || (lab === 0 && c === 45) || ++lab > 63) return false;
    }
    prev = c;
  }
  return lab > 0 && prev !== 45;
}

/** All decimal digits: a top-level label like that means the host is a mistyped address. */
function isNumericLabel(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Does the presented (SAN) dNSName `pat` match the reference `host`? Both lower case,
 *  `host` a valid DNS name (sanMatchesHost checks it). `pat` needs no syntax check of its own:
 *  it matches only when it equals `host`, or is "*" and a suffix of `host` that starts at a dot
 *  (host.substring(dot); a valid name has no leading dot, and with no dot at all the substring
 *  is the whole host, which starts with no dot either), so a matching `pat` is a valid name
 *  or a valid wildcard name. */
export function dnsMatches(pat: string, host: string): boolean {
  if (pat.charCodeAt(0) !== 42) return pat === host;
  const suffix = pat.substring(1); // ".example.com"
  if (suffix.indexOf(".", 1) < 0) return false; // "*.com": needs two labels after the wildcard
  return host.substring(host.indexOf(".")) === suffix;
}

/** Calls f(tag, der) for each GeneralName of a GeneralNames DER (SEQUENCE); stops and
 *  returns true when f returns true. */
export function eachGeneralName(gn: Bytes, f: (tag: number, d: Der) => boolean): boolean {
  const d = new Der(gn, 0, gn.length).seq(T_SEQUENCE);
  while (d.more()) {
    d.next(-1);
    if (f(d.tag, d)) return true;
  }
  return false;
}

/** True when the subjectAltName DER `san` contains an entry for `host` (DNS name, or IP
 *  literal, IPv6 possibly in URL brackets). A null `san` matches nothing. */
export function sanMatchesHost(san: Uint8Array | null, host: string): boolean {
  if (san === null) return false;
  if (host.length > 2 && host.charCodeAt(0) === 91 && host.charCodeAt(host.length - 1) === 93) host = host.substring(1, host.length - 1); // "[::1]" as in URLs
  const ip = parseIp(host);
  if (ip !== null) {
    return eachGeneralName(san, function (tag, d) {
      if (tag !== GN_IP || d.len() !== ip.length) return false;
      for (let i = 0; i < ip.length; i++) if (d.b(d.vs + i) !== ip[i]) return false;
      return true;
    });
  }
  let h = lowerAscii(host);
  if (h.length > 1 && h.charCodeAt(h.length - 1) === 46) h = h.substring(0, h.length - 1); // absolute form
  if (!isDnsName(h, false) || isNumericLabel(h.substring(h.lastIndexOf(".") + 1))) return false;
  return eachGeneralName(san, function (tag, d) {
    return tag === GN_DNS && dnsMatches(lowerAscii(d.text()), h);
  });
}
