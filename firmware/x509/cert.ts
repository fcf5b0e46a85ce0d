// X.509 v3 certificate parsing (RFC 5280 §4) with strict DER.
//
// parseCert() throws BAD_DER only when the outer structure cannot be read (then nothing about
// the certificate is known). Problems found inside extensions, and profile violations that
// do not depend on where the certificate sits in a path, are recorded in `problem` (the
// first one) instead: the certificate can still be named in error messages, an unrelated
// broken intermediate or anchor does not spoil a validation that does not use it, and the
// path validator refuses any certificate with a problem when it tries to use it.
// Everything that is a Uint8Array in a Certificate is a view into `der` (no copies).

import { EtError } from "../errors";
import { Der, T_SEQUENCE, T_INTEGER, T_OCTET_STRING, T_BOOLEAN, T_UTCTIME, T_GENTIME, T_OID, badDer, bytesEqual, bytesOf, isStr } from "./der";
import type { Bytes } from "./der";
import * as O from "./oids";
import { checkNameBody, nameToString } from "./name";
import { checkNameConstraintsDer } from "./constraints";
import { GN_DNS, GN_IP, GN_DIRECTORY, GN_OTHER, GN_RFC822, GN_URI } from "./hostname";

// ---- public keys -------------------------------------------------------------------------

export const KEY_UNSUPPORTED = 0;
export const KEY_RSA = 1;
export const KEY_EC = 2;
export const KEY_ED25519 = 3;

export interface PublicKeyInfo {
  kind: number;
  /** The whole SubjectPublicKeyInfo TLV. */
  der: Uint8Array;
  /** Algorithm OID (content hex). */
  alg: string;
  /** RSA modulus bits, EC curve bits, 256 for Ed25519. */
  bits: number;
  /** RSA modulus and exponent, big-endian without sign octet. */
  n: Uint8Array | null;
  e: Uint8Array | null;
  /** EC: "P256" | "P384". */
  curve: string;
  /** EC: uncompressed point (04 || X || Y); Ed25519: the 32-byte key. */
  point: Uint8Array | null;
  /** KEY_UNSUPPORTED: why (for the error message). */
  why: string;
}

function bitLength(a: Uint8Array): number {
  if (a.length === 0) return 0;
  let top = a[0];
  let b = 0;
  while (top > 0) {
    b++;
    top >>= 1;
  }
  return (a.length - 1) * 8 + b;
}

/** The key with its own copy of the bytes: views into a certificate would keep the whole
 *  message it arrived in (a few KB) alive for as long as the key is kept. */
export function ownKey(k: PublicKeyInfo): PublicKeyInfo {
  const der = new Uint8Array(k.der.length);
  der.set(k.der);
  const at = function (v: Uint8Array | null): Uint8Array | null {
    if (!v) return null;
    const o = v.byteOffset - k.der.byteOffset;
    if (v.buffer === k.der.buffer && o >= 0 && o + v.length <= der.length) return der.subarray(o, o + v.length);
    const c = new Uint8Array(v.length);
    c.set(v);
    return c;
  };
  return { kind: k.kind, der: der, alg: k.alg, bits: k.bits, n: at(k.n), e: at(k.e), curve: k.curve, point: at(k.point), why: k.why };
}

/** Parses the SubjectPublicKeyInfo TLV spanning src[start,end). Malformed DER throws BAD_DER;
 *  a well-formed key of an algorithm or curve we do not implement gives KEY_UNSUPPORTED. */
export function parseSpki(src: Bytes, start: number, end: number): PublicKeyInfo {
  const d = new Der(src, start, end);
  const s = d.seq(T_SEQUENCE);
  d.done();
  const k: PublicKeyInfo = { kind: KEY_UNSUPPORTED, der: d.tlv(), alg: "", bits: 0, n: null, e: null, curve: "", point: null, why: "" };
  const alg = s.seq(T_SEQUENCE);
  const oid = alg.oid();
  k.alg = oid;
  const ks = s.bitsWhole();
  const ke = s.ve;
  s.done();
  if (oid === O.OID_RSA_ENCRYPTION) {
    alg.nul();
    alg.done();
    const r = new Der(src, ks, ke);
    const rs = r.seq(T_SEQUENCE);
    r.done();
    const n = rs.posInt();
    const e = rs.posInt();
    rs.done();
    if ((n[n.length - 1] & 1) === 0 || n.length < 64) badDer("bad RSA modulus");
    if ((e[e.length - 1] & 1) === 0 || e.length > 4 || (e.length === 1 && e[0] < 3)) badDer("bad RSA exponent");
    k.kind = KEY_RSA;
    k.n = n;
    k.e = e;
    k.bits = bitLength(n);
  } else if (oid === O.OID_EC_PUBLIC_KEY) {
    if (alg.peek() !== T_OID) {
      k.why = "EC key with explicit curve parameters";
      return k;
    }
    const c = alg.oid();
    alg.done();
    const len = ke - ks;
    const first = d.b(ks);
    if (c === O.OID_P256 || c === O.OID_P384) {
      const want = c === O.OID_P256 ? 65 : 97;
      if (first !== 4 || len !== want) {
        k.why = "EC point not in uncompressed form";
        return k;
      }
      k.kind = KEY_EC;
      k.curve = c === O.OID_P256 ? "P256" : "P384";
      k.bits = c === O.OID_P256 ? 256 : 384;
      k.point = bytesOf(src, ks, ke);
    } else k.why = "EC curve " + O.oidText(c);
  } else if (oid === O.OID_ED25519) {
    alg.done();
    if (ke - ks !== 32) badDer("bad Ed25519 key");
    k.kind = KEY_ED25519;
    k.bits = 256;
    k.point = bytesOf(src, ks, ke);
  } else k.why = "key algorithm " + O.oidText(oid);
  return k;
}

// ---- signature algorithms -----------------------------------------------------------------

export const SIG_UNSUPPORTED = 0;
export const SIG_RSA_PKCS1 = 1;
export const SIG_RSA_PSS = 2;
export const SIG_ECDSA = 3;
export const SIG_ED25519 = 4;

export const H_NONE = 0;
export const H_SHA1 = 1;
export const H_SHA256 = 2;
export const H_SHA384 = 3;
export const H_SHA512 = 4;

export interface SigAlg {
  kind: number;
  hash: number;
  /** RSASSA-PSS salt length. */
  saltLen: number;
  /** Algorithm OID (content hex) for messages. */
  oid: string;
}

function hashOfOid(h: string): number {
  return h === O.OID_SHA256 ? H_SHA256 : h === O.OID_SHA384 ? H_SHA384 : h === O.OID_SHA512 ? H_SHA512 : h === O.OID_SHA1 ? H_SHA1 : H_NONE;
}

/** Reads a hash AlgorithmIdentifier (parameters NULL or absent). */
function pssHash(d: Der): number {
  const a = d.seq(T_SEQUENCE);
  const h = hashOfOid(a.oid());
  if (a.more()) a.nul();
  a.done();
  return h;
}

/** Parses an AlgorithmIdentifier for a signature (cursor `a` over its content). */
export function parseSigAlg(a: Der): SigAlg {
  const oid = a.oid();
  const r: SigAlg = { kind: SIG_UNSUPPORTED, hash: H_NONE, saltLen: 0, oid: oid };
  let h = H_NONE;
  if (oid === O.OID_SHA256_RSA) h = H_SHA256;
  else if (oid === O.OID_SHA384_RSA) h = H_SHA384;
  else if (oid === O.OID_SHA512_RSA) h = H_SHA512;
  else if (oid === O.OID_SHA1_RSA) h = H_SHA1;
  if (h !== H_NONE) {
    a.nul(); // RFC 4055: parameters MUST be NULL
    a.done();
    r.kind = SIG_RSA_PKCS1;
    r.hash = h;
    return r;
  }
  if (oid === O.OID_ECDSA_SHA256) h = H_SHA256;
  else if (oid === O.OID_ECDSA_SHA384) h = H_SHA384;
  else if (oid === O.OID_ECDSA_SHA512) h = H_SHA512;
  else if (oid === O.OID_ECDSA_SHA1) h = H_SHA1;
  if (h !== H_NONE) {
    a.done(); // RFC 5758: parameters absent
    r.kind = SIG_ECDSA;
    r.hash = h;
    return r;
  }
  if (oid === O.OID_ED25519) {
    a.done();
    r.kind = SIG_ED25519;
    return r;
  }
  if (oid === O.OID_RSASSA_PSS) {
    // RSASSA-PSS-params with explicit hash, MGF1 over the same hash, salt = hash length,
    // default trailer (the web-PKI profile; SHA-1 defaults are not accepted).
    const p = a.seq(T_SEQUENCE);
    a.done();
    if (!p.opt(0xa0)) return r;
    h = pssHash(p.enter());
    if (!p.opt(0xa1)) return r;
    const m = p.enter().seq(T_SEQUENCE);
    if (m.oid() !== O.OID_MGF1) return r;
    const mh = pssHash(m);
    m.done();
    if (!p.opt(0xa2)) return r;
    const salt = p.enter().smallInt();
    p.done(); // a trailerField ([3]) is trailing bytes here: only its default is allowed, and DER omits defaults
    if (h === H_NONE || h === H_SHA1 || mh !== h || salt !== (h === H_SHA256 ? 32 : h === H_SHA384 ? 48 : 64)) return r;
    r.kind = SIG_RSA_PSS;
    r.hash = h;
    r.saltLen = salt;
    return r;
  }
  return r;
}

// ---- time ---------------------------------------------------------------------------------

/** Days since 1970-01-01 of a proleptic Gregorian date (days-from-civil, y >= 0). */
export function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two decimal digits at d's offset i. */
function dig2(d: Der, i: number): number {
  const a = d.b(i) - 48;
  const b = d.b(i + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) badDer("bad time digit");
  return a * 10 + b;
}

/** Reads a UTCTime (YYMMDDHHMMSSZ, 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ) and
 *  returns seconds since 1970. Fractions, offsets and missing seconds are refused. */
export function readTime(d: Der): number {
  d.next(-1);
  const utc = d.tag === T_UTCTIME;
  if (!utc && d.tag !== T_GENTIME) badDer("bad time tag");
  const n = d.len();
  if (n !== (utc ? 13 : 15) || d.b(d.ve - 1) !== 0x5a) badDer("bad time format");
  let k = d.vs;
  let y: number;
  if (utc) {
    y = dig2(d, k);
    y += y < 50 ? 2000 : 1900;
    k += 2;
  } else {
    y = dig2(d, k) * 100 + dig2(d, k + 2);
    k += 4;
  }
  const mo = dig2(d, k);
  const da = dig2(d, k + 2);
  const hh = dig2(d, k + 4);
  const mi = dig2(d, k + 6);
  const ss = dig2(d, k + 8);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (mo < 1 || mo > 12 || da < 1 || da > MONTH_DAYS[mo - 1] + (mo === 2 && leap ? 1 : 0) || hh > 23 || mi > 59 || ss > 59) badDer("bad time value");
  return daysFromCivil(y, mo, da) * 86400 + hh * 3600 + mi * 60 + ss;
}

// ---- certificate --------------------------------------------------------------------------

/** Key usage bits (bit i = KeyUsage named bit i). */
export const KU_DIGITAL_SIGNATURE = 1;
export const KU_KEY_ENCIPHERMENT = 4;
export const KU_KEY_AGREEMENT = 16;
export const KU_KEY_CERT_SIGN = 32;
export const KU_CRL_SIGN = 64;

export interface Certificate {
  der: Uint8Array;
  /** The TBSCertificate TLV (what the issuer signed). */
  tbs: Uint8Array;
  version: number;
  /** Serial number content octets (two's complement, as encoded). */
  serial: Uint8Array;
  sigAlg: SigAlg;
  signature: Uint8Array;
  /** DER Names (whole TLVs), compared byte-for-byte. */
  issuer: Uint8Array;
  subject: Uint8Array;
  subjectEmpty: boolean;
  /** issuer == subject (byte-for-byte). */
  selfIssued: boolean;
  notBefore: number;
  notAfter: number;
  spki: PublicKeyInfo;
  /** basicConstraints: -1 absent, 0 cA false, 1 cA true. */
  bc: number;
  bcCritical: boolean;
  /** pathLenConstraint, -1 when absent. */
  pathLen: number;
  /** keyUsage bits (KU_*), -1 when absent. */
  ku: number;
  /** extKeyUsage OIDs (content hex), null when absent. */
  eku: string[] | null;
  ekuCritical: boolean;
  /** subjectAltName GeneralNames TLV, null when absent. */
  san: Uint8Array | null;
  sanCritical: boolean;
  /** nameConstraints value TLV, null when absent. */
  nc: Uint8Array | null;
  /** authorityKeyIdentifier present / its keyIdentifier / whether it names issuer+serial. */
  akiPresent: boolean;
  akiKeyId: Uint8Array | null;
  akiIssuerSerial: boolean;
  /** subjectKeyIdentifier, null when absent. */
  ski: Uint8Array | null;
  /** OID text of the first critical extension we do not process, else "". */
  unknownCritical: string;
  /** First position-independent problem (BAD_DER / BAD_CERT / ...), else null. */
  problem: EtError | null;
  /** Printable subject, filled on first use by subjectText(). */
  subjectStr: string | null;
}

/** Printable subject of a certificate (cached). */
export function subjectText(c: Certificate): string {
  if (c.subjectStr === null) c.subjectStr = nameToString(c.subject);
  return c.subjectStr;
}

function problem(c: Certificate, code: string, msg: string): void {
  if (c.problem === null) c.problem = new EtError(code, msg, { depth: -1, subject: "" });
}

function ia5Ascii(d: Der): void {
  if (d.maxByte() > 127) badDer("non-ASCII IA5String");
}

/** Validates a GeneralNames SEQUENCE (subjectAltName): at least one entry, each well formed. */
function checkGeneralNames(d: Der): void {
  if (!d.more()) badDer("empty GeneralNames");
  while (d.more()) {
    d.next(-1);
    const t = d.tag;
    if (t === GN_DNS || t === GN_RFC822 || t === GN_URI) ia5Ascii(d);
    else if (t === GN_IP) {
      if (d.len() !== 4 && d.len() !== 16) badDer("iPAddress of " + d.len() + " octets");
    } else if (t === GN_DIRECTORY) {
      const x = d.enter();
      const nm = x.seq(T_SEQUENCE);
      x.done();
      checkNameBody(nm);
    } else if (t === GN_OTHER) {
      const x = d.enter();
      x.oid();
      x.next(0xa0);
      x.done();
    } else if (t < 0x80 || (t & 0x1f) > 8) badDer("bad GeneralName tag");
  }
}

function parseExtension(c: Certificate, oid: string, crit: boolean, v: Der): void {
  // v: cursor over the extnValue octets
  if (oid === O.EXT_BASIC_CONSTRAINTS) {
    const s = v.seq(T_SEQUENCE);
    v.done();
    let ca = false;
    if (s.peek() === T_BOOLEAN) {
      ca = s.bool();
      if (!ca) badDer("basicConstraints cA FALSE encoded");
    }
    if (s.peek() === T_INTEGER) {
      c.pathLen = s.smallInt();
      if (!ca) problem(c, "BAD_CERT", "pathLenConstraint without cA");
    }
    s.done();
    c.bc = ca ? 1 : 0;
    c.bcCritical = crit;
  } else if (oid === O.EXT_KEY_USAGE) {
    c.ku = v.bitList();
    v.done();
    if (c.ku === 0) problem(c, "BAD_CERT", "keyUsage with no bit set");
  } else if (oid === O.EXT_EXT_KEY_USAGE) {
    const s = v.seq(T_SEQUENCE);
    v.done();
    const list: string[] = [];
    while (s.more()) list.push(s.oid());
    if (list.length === 0) problem(c, "BAD_CERT", "empty extKeyUsage");
    c.eku = list;
    c.ekuCritical = crit;
  } else if (oid === O.EXT_SUBJECT_ALT_NAME) {
    v.next(T_SEQUENCE);
    const whole = v.tlv();
    const s = v.enter();
    v.done();
    checkGeneralNames(s);
    c.san = whole;
    c.sanCritical = crit;
  } else if (oid === O.EXT_NAME_CONSTRAINTS) {
    checkNameConstraintsDer(v.s, v.p, v.end);
    c.nc = bytesOf(v.s, v.p, v.end);
  } else if (oid === O.EXT_AUTHORITY_KEY_ID) {
    if (crit) problem(c, "BAD_CERT", "authorityKeyIdentifier marked critical");
    const s = v.seq(T_SEQUENCE);
    v.done();
    c.akiPresent = true;
    if (s.opt(0x80)) c.akiKeyId = s.bytes();
    let n = 0;
    if (s.opt(0xa1)) {
      checkGeneralNames(s.enter());
      n++;
    }
    if (s.opt(0x82)) n++;
    s.done();
    if (n === 1) badDer("authorityCertIssuer and authorityCertSerialNumber must come together");
    c.akiIssuerSerial = n === 2;
  } else if (oid === O.EXT_SUBJECT_KEY_ID) {
    if (crit) problem(c, "BAD_CERT", "subjectKeyIdentifier marked critical");
    v.next(T_OCTET_STRING);
    v.done();
    c.ski = v.bytes();
  } else if (oid === O.EXT_AUTHORITY_INFO_ACCESS || oid === O.EXT_SUBJECT_INFO_ACCESS) {
    if (crit) problem(c, "BAD_CERT", "information access extension marked critical");
    const s = v.seq(T_SEQUENCE);
    v.done();
    if (!s.more()) badDer("empty AccessDescriptions");
    while (s.more()) {
      const ad = s.seq(T_SEQUENCE);
      ad.oid();
      ad.next(-1);
      ad.done();
    }
  } else if (oid === O.EXT_CERTIFICATE_POLICIES) {
    // Not enforced (the validator runs with any-policy); only its shape is checked.
    const s = v.seq(T_SEQUENCE);
    v.done();
    if (!s.more()) badDer("empty certificatePolicies");
  } else if (crit) {
    // policyConstraints, policyMappings, inhibitAnyPolicy, CRL distribution points and
    // everything else: fine while non-critical, refused when critical.
    if (c.unknownCritical === "") c.unknownCritical = O.oidText(oid);
  }
}

/**
 * Parses a DER certificate (a Uint8Array, or a byte string, which is copied once). Throws
 * BAD_DER when the certificate structure is unreadable; other defects go to `problem` (see the
 * top of this file).
 */
export function parseCert(input: Bytes): Certificate {
  const der = isStr(input) ? bytesOf(input, 0, input.length) : (input as Uint8Array);
  const top = new Der(der, 0, der.length);
  const cs = top.seq(T_SEQUENCE);
  top.done();
  cs.next(T_SEQUENCE);
  const tbs = cs.tlv();
  const t = cs.enter();
  const oa = cs.seq(T_SEQUENCE);
  const outerAlgS = cs.hs;
  const outerAlgE = cs.ve;
  const sigStart = cs.bitsWhole();
  const signature = der.subarray(sigStart, cs.ve);
  cs.done();

  let version = 1;
  if (t.peek() === 0xa0) {
    const v = t.seq(0xa0);
    const n = v.smallInt();
    v.done();
    if (n === 0) badDer("version 1 encoded explicitly");
    if (n > 2) badDer("unknown version");
    version = n + 1;
  }
  t.next(T_INTEGER);
  t.checkInt(); // sign and length rules are path rules (path.ts): some roots have serial 0
  const serial = t.bytes();
  const ia = t.seq(T_SEQUENCE);
  const innerAlgS = t.hs;
  const innerAlgE = t.ve;
  t.next(T_SEQUENCE);
  const issuer = t.tlv();
  const issuerRdns = checkNameBody(t.enter());
  const val = t.seq(T_SEQUENCE);
  const notBefore = readTime(val);
  const notAfter = readTime(val);
  val.done();
  t.next(T_SEQUENCE);
  const subject = t.tlv();
  const subjectRdns = checkNameBody(t.enter());
  t.next(T_SEQUENCE);
  const spkiS = t.hs;
  const spkiE = t.ve;
  const uid1 = t.opt(0x81);
  const uid2 = t.opt(0x82);
  if ((uid1 || uid2) && version < 2) badDer("unique identifiers in a v1 certificate");
  let exts: Der | null = null;
  if (t.peek() === 0xa3) {
    if (version < 3) badDer("extensions in a pre-v3 certificate");
    const x = t.seq(0xa3);
    exts = x.seq(T_SEQUENCE);
    x.done();
  }
  t.done();

  const c: Certificate = {
    der: der,
    tbs: tbs,
    version: version,
    serial: serial,
    sigAlg: parseSigAlg(oa),
    signature: signature,
    issuer: issuer,
    subject: subject,
    subjectEmpty: subjectRdns === 0,
    selfIssued: bytesEqual(issuer, 0, issuer.length, subject, 0, subject.length),
    notBefore: notBefore,
    notAfter: notAfter,
    spki: { kind: KEY_UNSUPPORTED, der: der.subarray(spkiS, spkiE), alg: "", bits: 0, n: null, e: null, curve: "", point: null, why: "malformed key" },
    bc: -1,
    bcCritical: false,
    pathLen: -1,
    ku: -1,
    eku: null,
    ekuCritical: false,
    san: null,
    sanCritical: false,
    nc: null,
    akiPresent: false,
    akiKeyId: null,
    akiIssuerSerial: false,
    ski: null,
    unknownCritical: "",
    problem: null,
    subjectStr: null,
  };
  try {
    c.spki = parseSpki(der, spkiS, spkiE);
  } catch (e) {
    problem(c, "BAD_DER", "public key: " + (e as EtError).message);
  }
  if (!bytesEqual(der, innerAlgS, innerAlgE, der, outerAlgS, outerAlgE)) problem(c, "BAD_CERT", "the two signature algorithm fields differ");
  parseSigAlg(ia); // same bytes, but checks the inner copy's shape too
  if (issuerRdns === 0) problem(c, "BAD_CERT", "empty issuer name");

  if (exts !== null) {
    if (!exts.more()) problem(c, "BAD_DER", "empty extensions");
    const seen: string[] = [];
    while (exts.more()) {
      const e = exts.seq(T_SEQUENCE);
      const oid = e.oid();
      let crit = false;
      if (e.peek() === T_BOOLEAN) {
        crit = e.bool();
        if (!crit) badDer("extension critical FALSE encoded");
      }
      e.next(T_OCTET_STRING);
      e.done();
      if (seen.indexOf(oid) >= 0) problem(c, "BAD_CERT", "duplicate extension " + O.oidText(oid));
      seen.push(oid);
      try {
        parseExtension(c, oid, crit, e.enter());
      } catch (err) {
        problem(c, (err as EtError).code ? (err as EtError).code : "BAD_DER", "extension " + O.oidText(oid) + ": " + (err as EtError).message);
      }
    }
  }
  // Profile rules that do not depend on the certificate's place in a path.
  if (c.subjectEmpty) {
    if (c.bc === 1) problem(c, "BAD_CERT", "CA certificate with an empty subject");
    if (c.san === null || !c.sanCritical) problem(c, "BAD_CERT", "empty subject needs a critical subjectAltName");
  }
  // keyCertSign without cA depends on the place: a leaf is malformed (path.ts), an issuer is NOT_A_CA
  return c;
}

/** Parses one PEM block or more from text: returns the DER of each "CERTIFICATE" block. */
export function pemCerts(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const BEGIN = "-----BEGIN CERTIFICATE-----";
  const END = "-----END CERTIFICATE-----";
  let i = text.indexOf(BEGIN);
  while (i >= 0) {
    const j = text.indexOf(END, i);
    if (j < 0) badDer("PEM block without END line");
    out.push(base64Decode(text.substring(i + BEGIN.length, j)));
    // after the whole END line: a BEGIN made of its last dashes is not a block (fuzzing)
    i = text.indexOf(BEGIN, j + END.length);
  }
  return out;
}

declare const atob: any, btoa: any, E: any;

/** Strict base64 (whitespace ignored, padding checked); BAD_DER on garbage. */
export function base64Decode(s: string): Uint8Array {
  // The interpreter's native atob takes garbage silently (FACTS §4), so its result is kept only
  // when btoa gives the same text back: then the text was canonical base64 (padding, no stray
  // characters, zero trailing bits). ~25x faster than the loop below, which a PEM RSA key
  // (1.7 KB of base64, ~30 ms on the reference interpreter) made the longest step of tls.connect.
  if (typeof atob === "function" && typeof btoa === "function" && typeof E !== "undefined" && E.toUint8Array) {
    const t = s.split("\n").join("").split("\r").join("").split(" ").join("").split("\t").join("");
    let bin: any = null;
    // (atob("=") and atob("==") never return on Espruino 2v29; canonical base64 is whole
    // 4-character groups, and atob returned on every such string of 4 and 8 characters tried)
    if ((t.length & 3) === 0) {
      try { bin = atob(t); } catch (e) { bin = null; }
    }
    if (typeof bin !== "string" || btoa(bin) !== t) badDer("bad base64");
    return E.toUint8Array(bin);
  }
  const buf = new Uint8Array((s.length * 3) >> 2);
  let n = 0;
  let acc = 0;
  let bits = 0;
  let pad = 0;
  let chars = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let v = -1;
    if (c >= 65 && c <= 90) v = c - 65;
    else if (c >= 97 && c <= 122) v = c - 71;
    else if (c >= 48 && c <= 57) v = c + 4;
    else if (c === 43) v = 62;
    else if (c === 47) v = 63;
    else if (c === 61) {
      pad++;
      chars++;
      continue;
    } else if (c === 32 || c === 10 || c === 13 || c === 9) continue;
    else badDer("bad base64");
    if (pad > 0) badDer("base64 data after padding");
    chars++;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf[n++] = (acc >> bits) & 255;
    }
  }
  if (pad > 2 || (chars & 3) !== 0 || (acc & ((1 << bits) - 1)) !== 0) badDer("bad base64 padding");
  return buf.subarray(0, n);
}
