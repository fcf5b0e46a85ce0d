// identity.generate(options, cb): a device key pair made on the board from the DRBG, the private
// key stored in Storage (PKCS#8 DER), and a PKCS#10 request signed by it for a CA (AWS IoT's
// CreateCertificateFromCsr, `espruino-tls localca sign`, any private CA). The private key is never
// returned, printed, sent, or put into an error or event: only the Storage file holds it.
// The scalar multiplication and the signature run sliced (util/job.ts), so the board keeps serving.
import { EtError } from "../errors";
import type { Job } from "../util/job";
import { runSliced } from "../util/job";
import { toBinary } from "../util/bytes";
import { random } from "../entropy/index";
import { P256 } from "../crypto/ecurve";
import { ecPublicKeyJob } from "../crypto/ecdh";
import { OID_EC_PUBLIC_KEY, OID_P256, OID_ECDSA_SHA256 } from "../x509/oids";
import { cons, tlv, oid, small, bits, pem } from "./derwrite";
import { requestInfo, request, p256Spki } from "./csr";
import { parsePrivateKey } from "./key";
import { signJob } from "./sign";

declare function require(name: string): any;

/** Longest Storage name: a longer one would be silently truncated by the board (FACTS §5). */
const NAME_MAX = 28;
export const DEFAULT_KEY_NAME = "etls.key";
/** TLS SignatureScheme ecdsa_secp256r1_sha256: the scheme the CSR is signed with. */
const ECDSA_P256_SHA256 = 0x0403;

export interface GenerateOptions {
  /** Only "P-256" for now (the default). */
  curve?: string;
  /** Storage file for the private key (default "etls.key"), at most 28 characters. */
  name?: string;
  /** Replace an existing key file (default false: a registered device key is not lost by accident). */
  overwrite?: boolean;
  /** { CN, O, OU, C, ST, L, serialNumber } */
  subject?: any;
  /** subjectAltName dNSName entries. */
  dns?: string | string[];
  /** subjectAltName iPAddress entries (IPv4). */
  ip?: string | string[];
}

export interface GenerateResult {
  /** The PKCS#10 request, PEM "CERTIFICATE REQUEST". */
  csr: string;
  /** The public key, PEM "PUBLIC KEY" (SubjectPublicKeyInfo). */
  publicKey: string;
  /** The Storage file holding the private key. */
  name: string;
  curve: string;
}

/** PKCS#8 PrivateKeyInfo of a P-256 key, with the public point inside the SEC1 structure. */
function pkcs8(d: Uint8Array, point: Uint8Array): Uint8Array {
  const sec1 = cons(0x30, [small(1), tlv(0x04, d), cons(0xa1, [bits(point)])]);
  return cons(0x30, [small(0), cons(0x30, [oid(OID_EC_PUBLIC_KEY), oid(OID_P256)]), tlv(0x04, sec1)]);
}

/** Checks the options; returns the Storage name. Throws coded errors, nothing touched yet. */
function checkOptions(o: GenerateOptions): string {
  if (o.curve !== undefined && o.curve !== "P-256") {
    throw new EtError("IDENTITY_BAD_CURVE", "curve " + o.curve + " is not supported for device keys (use \"P-256\")", { curve: o.curve });
  }
  const name = o.name === undefined ? DEFAULT_KEY_NAME : o.name;
  if (typeof name !== "string" || !name.length || name.length > NAME_MAX) {
    throw new EtError("IDENTITY_BAD_NAME", "the key's Storage name must be 1 to " + NAME_MAX + " characters (got " + (typeof name === "string" ? name.length : typeof name) + "); longer names would be truncated by the board", { name: name });
  }
  if (!o.overwrite && require("Storage").read(name) !== undefined) {
    throw new EtError("IDENTITY_KEY_EXISTS", "Storage already holds " + name + ": pass overwrite: true to replace that key (a certificate issued for it stops working)", { name: name });
  }
  return name;
}

/** A fresh private scalar from the DRBG and the job computing its public point (retries the
 *  ~2^-32 chance of a value outside [1, n-1]). */
function newKey(): { d: Uint8Array; job: Job<Uint8Array> } {
  for (let i = 0; i < 8; i++) {
    const d = random(32);
    try {
      return { d: d, job: ecPublicKeyJob(P256, d) };
    } catch (e) {
      d.fill(0);
      if ((e as EtError).code !== "CRYPTO_BAD_SCALAR") throw e;
    }
  }
  throw new EtError("ENTROPY_FAILED", "8 random scalars in a row were outside the P-256 range");
}

/**
 * Makes the key pair, signs a CSR with it, stores the private key, then calls cb(null, result).
 * On any failure cb(err) with a coded EtError and no key stored.
 */
export function generate(o: GenerateOptions, cb: (err: EtError | null, r?: GenerateResult) => void): void {
  let name: string, k: { d: Uint8Array; job: Job<Uint8Array> };
  try {
    if (!o || typeof o !== "object") o = {};
    name = checkOptions(o);
    requestInfo(o.subject, o.dns, o.ip, p256Spki(new Uint8Array(65))); // names checked before the slow part
    k = newKey();
  } catch (e) {
    setTimeout(function () { cb(e as EtError); }, 0);
    return;
  }
  runSliced(k.job, function (err: any, point?: Uint8Array) {
    if (err) { k.d.fill(0); cb(err); return; }
    const der = pkcs8(k.d, point as Uint8Array);
    k.d.fill(0);
    const spki = p256Spki(point as Uint8Array);
    const info = requestInfo(o.subject, o.dns, o.ip, spki);
    let job: Job<Uint8Array>;
    try {
      job = signJob(parsePrivateKey(der), ECDSA_P256_SHA256, info, random);
    } catch (e) {
      der.fill(0);
      cb(e as EtError);
      return;
    }
    runSliced(job, function (err2: any, sig?: Uint8Array) {
      if (err2) { der.fill(0); cb(err2); return; }
      const S = require("Storage");
      // E.toString of a whole Uint8Array returns a string sharing its memory on the interpreter
      // (measured: filling the array afterwards zeroes the string), so der is wiped only after
      // the write and its check.
      const bin = toBinary(der);
      let ok = false;
      try { ok = S.write(name, bin) !== false && "" + S.read(name) === bin; } catch (e) { ok = false; }
      der.fill(0);
      if (!ok) {
        try { S.erase(name); } catch (e) { /* nothing written */ }
        cb(new EtError("IDENTITY_STORAGE_FULL", "the private key could not be written to Storage as " + name + " or did not read back (full? try require(\"Storage\").compact())", { name: name }));
        return;
      }
      cb(null, {
        csr: pem("CERTIFICATE REQUEST", request(info, OID_ECDSA_SHA256, sig as Uint8Array)),
        publicKey: pem("PUBLIC KEY", spki), name: name, curve: "P-256",
      });
    });
  });
}
