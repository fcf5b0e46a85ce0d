// The device's private key: parsing every form users have (PEM PKCS#8 / SEC1 / PKCS#1, the
// same as DER bytes or a DER byte string) into one shape, PrivateKey, with the public half as
// a PublicKeyInfo built by the certificate parser (so it compares byte for byte with a
// certificate's key).
//
// Consistency: RSA keys are checked at parse time (n = p q, sizes, exponent; the product is one
// native dot product per column, ~5 ms for RSA-2048 on the reference interpreter); the signature
// itself is checked with the public exponent before it leaves rsa-sign.ts. An EC or Ed25519
// key whose file carries the public key is taken with that public key (checking d*G = Q
// would cost a scalar multiplication, seconds on a board, and a wrong Q leaks nothing: the
// peer's verification fails); without one, the public key has to be computed (one comb
// multiplication, ~0.2-0.7 s on the reference interpreter): parsePrivateKeyJob leaves it to a
// Job, which tls.connect runs in slices before the connection opens (tls/options.ts).
// keyMatchesSpki() compares the public key with the certificate's key.
// Errors: KEY_ENCRYPTED for encrypted keys, BAD_KEY for everything else; never key bytes.

import { EtError } from "../errors";
import { base64Decode, parseSpki, KEY_EC, KEY_ED25519, KEY_RSA } from "../x509/cert";
import type { PublicKeyInfo } from "../x509/cert";
import { concat, fromBinary, fromHex } from "../util/bytes";
import { P256, P384, ctx, decodePoint, scalarFromBytes, scalarInRange } from "../crypto/ecurve";
import { ecPublicKeyJob } from "../crypto/ecdh";
import { bitLength, cmpBytes, mulBytes, stripZeros } from "../crypto/bignum";
import { ed25519PublicKeyJob } from "../crypto/ed25519-sign";
import type { Job } from "../util/job";
import { doneJob, mapJob, runSync } from "../util/job";
import { derForm, keyFail, parsePkcs1, parsePkcs8, parseSec1 } from "./key-der";
import type { RawKey } from "./key-der";
import { cons, bits, uint } from "./derwrite";

export interface PrivateKey {
  /** KEY_RSA | KEY_EC | KEY_ED25519 (x509/cert.ts). */
  kind: number;
  /** "P256" | "P384" for EC, "" otherwise. */
  curve: string;
  /** RSA modulus bits; 256 / 384 for EC; 256 for Ed25519. */
  bits: number;
  /** The public half, as a certificate's key. */
  spki: PublicKeyInfo;
  /** EC: the scalar (curve size, big-endian); Ed25519: the 32-byte seed; RSA: null. */
  secret: Uint8Array | null;
  /** RSA: n, e, d, p, q, dp, dq, qi (big-endian); null otherwise. */
  rsa: Uint8Array[] | null;
  /** RSA blinding state kept between signatures (rsa-sign.ts); null until the first one. */
  blind: any;
}

// SubjectPublicKeyInfo prefixes up to the key bytes (named curve, uncompressed point; Ed25519).
const SPKI_P256 = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
const SPKI_P384 = "3076301006072a8648ce3d020106052b81040022036200";
const SPKI_ED25519 = "302a300506032b6570032100";

function spkiOf(der: Uint8Array): PublicKeyInfo {
  return parseSpki(der, 0, der.length);
}

function rsaSpki(n: Uint8Array, e: Uint8Array): PublicKeyInfo {
  const alg = fromHex("300d06092a864886f70d0101010500");
  return spkiOf(cons(0x30, [alg, bits(cons(0x30, [uint(n), uint(e)]))]));
}

function newKey(kind: number, curve: string, bits: number, spki: PublicKeyInfo): PrivateKey {
  return { kind: kind, curve: curve, bits: bits, spki: spki, secret: null, rsa: null, blind: null };
}

/** The key once its public key `pub` is known: at once (`pub` given) or by `job`. */
function withPublic(pub: Uint8Array | null, job: () => Job<Uint8Array>, make: (pub: Uint8Array) => PrivateKey): Job<PrivateKey> {
  return pub ? doneJob(make(pub)) : mapJob(job(), make);
}

function ecKey(r: RawKey): Job<PrivateKey> {
  const C = r.curve === "P256" ? P256 : P384, X = ctx(C), sk = r.secret as Uint8Array;
  const d = scalarFromBytes(X, sk);
  if (!d || !scalarInRange(X, d)) keyFail("EC private key out of range");
  if (r.pub) decodePoint(C, r.pub); // on the curve, uncompressed (CRYPTO_BAD_POINT -> BAD_KEY)
  return withPublic(r.pub, function () { return ecPublicKeyJob(C, sk); }, function (pub: Uint8Array) {
    const k = newKey(KEY_EC, r.curve, C.size * 8, spkiOf(concat([fromHex(C === P256 ? SPKI_P256 : SPKI_P384), pub])));
    k.secret = sk;
    return k;
  });
}

function edKey(r: RawKey): Job<PrivateKey> {
  const seed = r.secret as Uint8Array;
  if (r.pub && r.pub.length !== 32) keyFail("Ed25519 public key is not 32 bytes");
  return withPublic(r.pub, function () { return ed25519PublicKeyJob(seed); }, function (pub: Uint8Array) {
    const k = newKey(KEY_ED25519, "", 256, spkiOf(concat([fromHex(SPKI_ED25519), pub])));
    k.secret = seed;
    return k;
  });
}

function isOdd(v: Uint8Array): boolean {
  return v.length > 0 && (v[v.length - 1] & 1) === 1;
}

function rsaKey(r: RawKey): PrivateKey {
  const p = r.rsa as Uint8Array[], n = p[0], e = p[1], P = p[3], Q = p[4];
  const bits = bitLength(n);
  if (bits < 1024 || bits > 4096 || !isOdd(n)) keyFail("RSA modulus of " + bits + " bits (1024..4096, odd, supported)");
  if (!isOdd(e) || stripZeros(e).length > 4 || cmpBytes(e, new Uint8Array([3])) < 0) keyFail("RSA public exponent not odd, >= 3 and < 2^32");
  if (!isOdd(P) || !isOdd(Q) || cmpBytes(mulBytes(P, Q), n) !== 0) keyFail("RSA key: n is not p*q");
  if (cmpBytes(p[5], P) >= 0 || cmpBytes(p[6], Q) >= 0 || cmpBytes(p[7], P) >= 0) keyFail("RSA key: CRT values out of range");
  const k = newKey(KEY_RSA, "", bits, rsaSpki(n, e));
  k.rsa = p;
  return k;
}

/** Parses DER bytes of any supported form. */
function fromDer(der: Uint8Array, form: string): Job<PrivateKey> {
  const f = form === "" ? derForm(der) : form;
  if (f === "ENCRYPTED") throw new EtError("KEY_ENCRYPTED", "the private key is encrypted (PKCS#8 EncryptedPrivateKeyInfo): decrypt it first (openssl pkcs8 -nocrypt / openssl pkey)");
  let r: RawKey;
  if (f === "PKCS8") r = parsePkcs8(der, 0, der.length);
  else if (f === "SEC1") r = parseSec1(der, 0, der.length, "");
  else r = parsePkcs1(der, 0, der.length);
  if (r.alg === "EC") return ecKey(r);
  if (r.alg === "ED25519") return edKey(r);
  return doneJob(rsaKey(r));
}

const LABELS = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"];
const FORMS = ["PKCS8", "SEC1", "PKCS1"];

/** The DER and form of the first private key block of PEM text. */
function fromPem(text: string): Job<PrivateKey> {
  if (text.indexOf("-----BEGIN ENCRYPTED PRIVATE KEY-----") >= 0) {
    throw new EtError("KEY_ENCRYPTED", "the private key is encrypted (ENCRYPTED PRIVATE KEY): decrypt it first (openssl pkey -in key.pem -out plain.pem)");
  }
  let at = text.indexOf("-----BEGIN ");
  while (at >= 0) {
    const le = text.indexOf("-----", at + 11);
    if (le < 0) break;
    const label = text.substring(at + 11, le), li = LABELS.indexOf(label);
    const endLine = "-----END " + label + "-----", body = le + 5, end = text.indexOf(endLine, body);
    if (end < 0) keyFail("PEM block " + label + " without its END line");
    if (li >= 0) {
      const b = text.substring(body, end);
      if (b.indexOf("ENCRYPTED") >= 0 || b.indexOf("DEK-Info") >= 0) {
        throw new EtError("KEY_ENCRYPTED", "the private key is encrypted (Proc-Type: 4,ENCRYPTED): decrypt it first (openssl pkey -in key.pem -out plain.pem)");
      }
      if (b.indexOf(":") >= 0) keyFail("PEM headers in a private key block");
      return fromDer(base64Decode(b), FORMS[li]);
    }
    at = text.indexOf("-----BEGIN ", end + endLine.length);
  }
  return keyFail("no PRIVATE KEY block in the PEM text");
}

/**
 * PEM text (PKCS#8 "PRIVATE KEY", SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY") or DER
 * (Uint8Array, or a byte string as atob() and Storage.read() give; PKCS#8, SEC1 or PKCS#1
 * detected) to a PrivateKey, as a Job that still has to compute the public key of an EC or
 * Ed25519 key file without one (a finished Job otherwise). Parsing and every check happen here,
 * synchronously: encrypted keys throw EtError KEY_ENCRYPTED; anything unparseable or
 * inconsistent BAD_KEY. Errors never contain key bytes.
 */
export function parsePrivateKeyJob(input: Uint8Array | string): Job<PrivateKey> {
  try {
    if (typeof input === "string") {
      if (input.indexOf("-----BEGIN") >= 0) return fromPem(input);
      return fromDer(fromBinary(input), "");
    }
    if (input && input.length > 10 && input[0] === 0x2d && input[1] === 0x2d) {
      let s = "";
      for (let i = 0; i < input.length; i++) s += String.fromCharCode(input[i]);
      return fromPem(s);
    }
    if (!input || typeof input.length !== "number") keyFail("a private key must be PEM text or DER bytes");
    return fromDer(input, "");
  } catch (e) {
    const c = e && (e as EtError).code;
    if (c === "KEY_ENCRYPTED" || c === "BAD_KEY") throw e;
    throw new EtError("BAD_KEY", "private key: " + (c ? (e as EtError).message : "unreadable"), c);
  }
}

/** parsePrivateKeyJob run to the end at once (the public key of a file without one included). */
export function parsePrivateKey(input: Uint8Array | string): PrivateKey {
  return runSync(parsePrivateKeyJob(input));
}

function same(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (!a || !b) return false;
  return cmpBytes(a, b) === 0 && a.length > 0;
}

/** True when `key` is the private half of `spki` (the public key bytes compared). */
export function keyMatchesSpki(key: PrivateKey, spki: PublicKeyInfo): boolean {
  const k = key.spki;
  if (!spki || k.kind !== spki.kind) return false;
  if (k.kind === KEY_RSA) return same(k.n, spki.n) && same(k.e, spki.e);
  if (k.kind === KEY_EC && k.curve !== spki.curve) return false;
  const a = k.point, b = spki.point;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
