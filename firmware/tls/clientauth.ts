// Client authentication, shared by the TLS 1.3 and 1.2 clients: the server's CertificateRequest,
// the scheme both sides accept, our Certificate message, our CertificateVerify (signed through
// identity/sign.ts, a Job run by the engine like verification), and the error an application
// sees when the server refuses the device.
import type { Job } from "../util/job";
import { andThen } from "../util/job";
import { KEY_EC, KEY_ED25519, KEY_RSA } from "../x509/cert";
import { signJob, signatureSchemes } from "../identity/sign";
import { Reader, Writer } from "./codec";
import * as C from "./constants";
import { tlsFail, A_HANDSHAKE_FAILURE, A_MISSING_EXTENSION, decodeError } from "./alerts";
import { handshakeMessage, readExtensions } from "./messages";
import type { ClientIdentity } from "./handshake-common";

export interface CertRequest {
  /** TLS 1.3 certificate_request_context; null in TLS 1.2. */
  context: Uint8Array | null;
  /** SignatureSchemes the server accepts for our CertificateVerify. */
  schemes: number[];
  /** TLS 1.2 certificate_types (1 rsa_sign, 64 ecdsa_sign); null in TLS 1.3. */
  types: number[] | null;
}

function schemeList(r: Reader): number[] {
  const list = r.vec(2);
  const out: number[] = [];
  if (list.left() < 2 || list.left() & 1) decodeError("empty or odd signature algorithm list");
  while (list.left() > 0) out.push(list.u16());
  return out;
}

/** Checks the form of a certificate_authorities list, DistinguishedName<1..2^16-1> each; the
 *  configured chain is sent whatever they name. `empty`: an empty list is well-formed (TLS 1.2). */
function checkAuthorities(list: Reader, empty: boolean): void {
  let ok = empty || list.left() > 0;
  while (list.left() > 0) if (!list.vecBytes(2).length) ok = false;
  if (!ok) decodeError("bad certificate_authorities");
}

/** TLS 1.3 CertificateRequest (RFC 8446 §4.3.2): context, extensions (signature_algorithms
 *  required; certificate_authorities (§4.2.4, authorities<3..2^16-1>) checked for form and not
 *  used; others ignored). */
export function parseCertRequest13(body: Uint8Array): CertRequest {
  const r = new Reader(body);
  const context = r.vecBytes(1);
  // Zero length unless the request is post-handshake (§4.3.2), which this client never offers.
  if (context.length) decodeError("CertificateRequest with a request context in the handshake");
  const ext = readExtensions(r, null, "CertificateRequest");
  const sa = ext[C.EXT_SIGNATURE_ALGORITHMS];
  if (!sa) tlsFail(A_MISSING_EXTENSION, "TLS_MISSING_EXTENSION", "CertificateRequest without signature_algorithms");
  const sr = new Reader(sa);
  const schemes = schemeList(sr);
  sr.done();
  const ca = ext[C.EXT_CERTIFICATE_AUTHORITIES];
  if (ca) {
    const cr = new Reader(ca);
    checkAuthorities(cr.vec(2), false);
    cr.done();
  }
  return { context: context, schemes: schemes, types: null };
}

/** TLS 1.2 CertificateRequest (RFC 5246 §7.4.4). */
export function parseCertRequest12(body: Uint8Array): CertRequest {
  const r = new Reader(body);
  const t = r.vecBytes(1);
  if (!t.length) decodeError("CertificateRequest without certificate types");
  const types: number[] = [];
  for (let i = 0; i < t.length; i++) types.push(t[i]);
  const schemes = schemeList(r);
  checkAuthorities(r.vec(2), true);
  r.done();
  return { context: null, schemes: schemes, types: types };
}

function hex(n: number): string { return "0x" + ("000" + n.toString(16)).substr(-4); }

/** The scheme for our CertificateVerify: the key's best one the server accepts. TLS 1.3 has no
 *  rsa_pkcs1_* here (§4.2.3). None: TLS_NO_SIGNATURE_SCHEME, before anything is sent. */
export function chooseScheme(id: ClientIdentity, req: CertRequest): number {
  const key = id.key;
  if (req.types) {
    // ecdsa_sign (64) covers EdDSA keys too (RFC 8422 §5.5); the scheme check below then needs
    // ed25519 among the server's signature algorithms.
    const want = key.kind === KEY_RSA ? 1 : key.kind === KEY_EC || key.kind === KEY_ED25519 ? 64 : -1;
    if (req.types.indexOf(want) < 0) {
      tlsFail(A_HANDSHAKE_FAILURE, "TLS_NO_SIGNATURE_SCHEME", "the server accepts client certificate types " + req.types.join(",") + " only, not this key's (" + (key.kind === KEY_RSA ? "RSA" : key.curve || "Ed25519") + ")");
    }
  }
  const mine = signatureSchemes(key);
  for (let i = 0; i < mine.length; i++) {
    const s = mine[i];
    if (req.context && (s === C.SIG_RSA_PKCS1_SHA256 || s === C.SIG_RSA_PKCS1_SHA384 || s === C.SIG_RSA_PKCS1_SHA512)) continue;
    if (req.schemes.indexOf(s) >= 0) return s;
  }
  const offered: string[] = [];
  for (let i = 0; i < req.schemes.length; i++) offered.push(hex(req.schemes[i]));
  const own: string[] = [];
  for (let i = 0; i < mine.length; i++) own.push(hex(mine[i]));
  return tlsFail(A_HANDSHAKE_FAILURE, "TLS_NO_SIGNATURE_SCHEME", "no signature scheme both sides accept for the client certificate: the server accepts " +
    offered.join(" ") + ", this key can make " + own.join(" "));
}

/** Certificate message: TLS 1.3 (context, per-entry empty extensions) or 1.2 (context null).
 *  An empty chain answers a request when no identity is configured. */
export function certificateMessage(chain: Uint8Array[], context: Uint8Array | null): Uint8Array {
  let n = 8;
  for (let i = 0; i < chain.length; i++) n += chain[i].length + 5;
  const w = new Writer(n);
  if (context) w.vecBytes(1, context);
  w.start(3);
  for (let i = 0; i < chain.length; i++) {
    w.vecBytes(3, chain[i]);
    if (context) w.u16(0);
  }
  w.close();
  return handshakeMessage(C.HT_CERTIFICATE, w.result());
}

/** Our CertificateVerify message: `content` signed with `scheme` (sliced Job). */
export function signCertificateVerifyJob(id: ClientIdentity, scheme: number, content: Uint8Array, random: (n: number) => Uint8Array): Job<Uint8Array> {
  let msg: Uint8Array | null = null;
  const j = andThen(signJob(id.key, scheme, content, random), function (sig: Uint8Array) {
    msg = handshakeMessage(C.HT_CERTIFICATE_VERIFY, new Writer(sig.length + 4).u16(scheme).vecBytes(2, sig).result());
    return null;
  });
  return { step: j.step, result: function () { return msg as Uint8Array; } };
}
