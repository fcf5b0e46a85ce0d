// The DER forms of a private key: PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208, 5958),
// SEC1 ECPrivateKey (RFC 5915) and PKCS#1 RSAPrivateKey (RFC 8017 A.1.2), read with the strict
// X.509 DER reader. Every function here throws (BAD_DER from the reader, or its own message);
// key.ts turns any failure into BAD_KEY. Messages name the structure, never key bytes.

import { EtError } from "../errors";
import { Der, T_BIT_STRING, T_INTEGER, T_OCTET_STRING, T_SEQUENCE, bytesOf } from "../x509/der";
import * as O from "../x509/oids";
import { stripZeros } from "../crypto/bignum";

/** What a DER private key holds before the public half is derived or checked. */
export interface RawKey {
  /** "EC", "RSA" or "ED25519". */
  alg: string;
  /** EC: "P256" | "P384". */
  curve: string;
  /** EC scalar (left-padded to the curve size) or Ed25519 seed. */
  secret: Uint8Array | null;
  /** The public key the file carries (EC point 04‖X‖Y, Ed25519 32 bytes), or null. */
  pub: Uint8Array | null;
  /** RSA: n, e, d, p, q, dp, dq, qi (big-endian, no sign octet). */
  rsa: Uint8Array[] | null;
}

export function keyFail(msg: string): never {
  throw new EtError("BAD_KEY", msg);
}

function rawKey(alg: string): RawKey {
  return { alg: alg, curve: "", secret: null, pub: null, rsa: null };
}

function curveOf(oid: string): string {
  if (oid === O.OID_P256) return "P256";
  if (oid === O.OID_P384) return "P384";
  return keyFail("EC key on an unsupported curve " + O.oidText(oid));
}

/** Copy of the value of the element just read (keys must not alias the caller's buffer). */
function own(d: Der): Uint8Array {
  const v = d.bytes(), c = new Uint8Array(v.length);
  c.set(v);
  return c;
}

/** Copy of a positive INTEGER's magnitude. */
function ownInt(d: Der): Uint8Array {
  const v = d.posInt(), c = new Uint8Array(v.length);
  c.set(v);
  return c;
}

/** PKCS#1 RSAPrivateKey: two-prime only (version 0). */
export function parsePkcs1(src: Uint8Array, start: number, end: number): RawKey {
  const d = new Der(src, start, end), s = d.seq(T_SEQUENCE);
  d.done();
  if (s.smallInt() !== 0) keyFail("RSA key with more than two primes (or an unknown version)");
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) parts.push(ownInt(s));
  s.done();
  const k = rawKey("RSA");
  k.rsa = parts;
  return k;
}

/** SEC1 ECPrivateKey; `outerCurve` is the PKCS#8 algorithm's curve ("" for a bare SEC1 key). */
export function parseSec1(src: Uint8Array, start: number, end: number, outerCurve: string): RawKey {
  const d = new Der(src, start, end), s = d.seq(T_SEQUENCE);
  d.done();
  if (s.smallInt() !== 1) keyFail("EC private key version is not 1");
  s.next(T_OCTET_STRING);
  const sk = own(s);
  let curve = outerCurve;
  if (s.peek() === 0xa0) {
    const p = s.seq(0xa0);
    const c = curveOf(p.oid());
    p.done();
    if (outerCurve !== "" && c !== outerCurve) keyFail("EC key names two different curves");
    curve = c;
  }
  let pub: Uint8Array | null = null;
  if (s.peek() === 0xa1) {
    const p = s.seq(0xa1);
    const at = p.bitsWhole();
    pub = bytesOf(src, at, p.ve);
    p.done();
    pub = new Uint8Array(pub);
  }
  s.done();
  if (curve === "") keyFail("EC private key without its curve");
  const size = curve === "P256" ? 32 : 48;
  if (sk.length !== size) {
    // RFC 5915 wants exactly the curve size; accept a shorter value (some writers strip zeros)
    const v = stripZeros(sk);
    if (v.length > size) keyFail("EC private key longer than the curve");
    const pad = new Uint8Array(size);
    pad.set(v, size - v.length);
    const k0 = rawKey("EC");
    k0.curve = curve;
    k0.secret = pad;
    k0.pub = pub;
    return k0;
  }
  const k = rawKey("EC");
  k.curve = curve;
  k.secret = sk;
  k.pub = pub;
  return k;
}

/** PKCS#8 PrivateKeyInfo (v1) or OneAsymmetricKey (v2, with the public key). */
export function parsePkcs8(src: Uint8Array, start: number, end: number): RawKey {
  const d = new Der(src, start, end), s = d.seq(T_SEQUENCE);
  d.done();
  const ver = s.smallInt();
  if (ver > 1) keyFail("PKCS#8 version " + ver);
  const alg = s.seq(T_SEQUENCE);
  const oid = alg.oid();
  s.next(T_OCTET_STRING);
  const ks = s.vs, ke = s.ve;
  if (s.peek() === 0xa0) s.next(0xa0); // attributes: ignored
  let pub: Uint8Array | null = null;
  if (s.peek() === 0x81) {
    if (ver !== 1) keyFail("PKCS#8 v1 with a public key");
    s.next(0x81);
    if (s.len() < 1 || s.b(s.vs) !== 0) keyFail("bad public key BIT STRING");
    pub = bytesOf(src, s.vs + 1, s.ve);
    pub = new Uint8Array(pub);
  }
  s.done();
  let k: RawKey;
  if (oid === O.OID_RSA_ENCRYPTION) {
    if (alg.more()) alg.nul();
    alg.done();
    k = parsePkcs1(src, ks, ke);
  } else if (oid === O.OID_EC_PUBLIC_KEY) {
    const c = curveOf(alg.oid());
    alg.done();
    k = parseSec1(src, ks, ke, c);
    if (pub && k.pub && !sameBytes(pub, k.pub)) keyFail("EC key carries two different public keys");
    if (pub) k.pub = pub;
  } else if (oid === O.OID_ED25519) {
    alg.done();
    const c = new Der(src, ks, ke);
    c.next(T_OCTET_STRING);
    c.done();
    if (c.len() !== 32) keyFail("Ed25519 private key is not 32 bytes");
    k = rawKey("ED25519");
    k.secret = own(c);
    k.pub = pub;
  } else {
    return keyFail("private key algorithm " + O.oidText(oid) + " is not supported");
  }
  return k;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let x = 0;
  for (let i = 0; i < a.length; i++) x |= a[i] ^ b[i];
  return x === 0;
}

/**
 * Which DER form: "PKCS8", "SEC1", "PKCS1", or "ENCRYPTED" (PKCS#8 EncryptedPrivateKeyInfo:
 * SEQUENCE { SEQUENCE { OID, ... }, OCTET STRING }). Anything else throws.
 */
export function derForm(src: Uint8Array): string {
  const d = new Der(src, 0, src.length), s = d.seq(T_SEQUENCE);
  d.done();
  const t = s.peek();
  if (t === T_SEQUENCE) {
    const a = s.seq(T_SEQUENCE);
    if (a.peek() === 0x06 && s.peek() === T_OCTET_STRING) return "ENCRYPTED";
    return keyFail("not a private key (a certificate or public key?)");
  }
  s.next(T_INTEGER);
  const n = s.peek();
  if (n === T_SEQUENCE) return "PKCS8";
  if (n === T_OCTET_STRING) return "SEC1";
  if (n === T_INTEGER) return "PKCS1";
  if (n === T_BIT_STRING) keyFail("not a private key");
  return keyFail("not a private key");
}
