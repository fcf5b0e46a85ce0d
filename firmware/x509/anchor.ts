// Trust anchors and where the path builder finds them.
//
// A trust anchor is what RFC 5280 §6.1.1(d) calls trust anchor information: a subject name
// and a public key, plus the optional limits the CA store keeps (name constraints, not-after,
// distrust-after). The CA store (issue 6) implements AnchorSource over flash; `memoryAnchors`
// is the simple in-RAM one for anchors given as certificates or objects.
//
// When an anchor carries its full certificate (`cert`), the validator also enforces that
// certificate's own rules (validity, basicConstraints critical cA, keyUsage keyCertSign,
// pathLenConstraint, extKeyUsage, unknown critical extensions, SKI/AKI shape): the strict
// web-PKI reading of a root certificate used as an anchor. Anchors without `cert` are
// name + key (+ limits) only; a few old roots in Mozilla's set (e.g. Go Daddy Class 2,
// Starfield Class 2) only pass in that form.

import type { Bytes } from "./der";
import { bytesEqual } from "./der";
import type { Certificate, PublicKeyInfo } from "./cert";
import { parseCert } from "./cert";

export interface TrustAnchor {
  /** Subject DER Name (whole TLV), compared byte-for-byte with the issuer of the certificate
   *  it vouches for. May be a flash-backed byte string. */
  subject: Bytes;
  /** Public key: parsed, or the SubjectPublicKeyInfo DER (parsed when used). */
  spki: PublicKeyInfo | Bytes;
  /** NameConstraints extension value (the SEQUENCE TLV), if the anchor is constrained. */
  nameConstraints?: Bytes | null;
  /** Seconds since 1970 after which the anchor is not used. */
  notAfter?: number;
  /** Seconds since 1970: leaf certificates whose notBefore is later are refused. */
  distrustAfter?: number;
  /** The anchor's certificate, when it came from one (its rules are then enforced). */
  cert?: Certificate | null;
  /** A name for messages (defaults to the printable subject). */
  label?: string;
}

/** Where path building looks for anchors: every anchor whose subject is byte-equal to
 *  `issuerDer` (the issuer field of the certificate being chained). */
export interface AnchorSource {
  findByIssuer(issuerDer: Uint8Array): TrustAnchor[];
}

/** Anchor from a certificate (DER or parsed). With `keyOnly` the certificate's extensions
 *  are not enforced (name + key + notAfter only), as the CA store keeps anchors. */
export function anchorFromCert(c: Certificate | Bytes, keyOnly?: boolean): TrustAnchor {
  const cert: Certificate = (c as any).tbs !== undefined ? (c as Certificate) : parseCert(c as Bytes);
  if (keyOnly) return { subject: cert.subject, spki: cert.spki, nameConstraints: cert.nc, notAfter: cert.notAfter, cert: null };
  return { subject: cert.subject, spki: cert.spki, nameConstraints: cert.nc, cert: cert };
}

/** An AnchorSource over anchors held in RAM (linear search by subject). */
export function memoryAnchors(list: TrustAnchor[]): AnchorSource {
  return {
    findByIssuer: function (issuerDer: Uint8Array): TrustAnchor[] {
      const out: TrustAnchor[] = [];
      for (let i = 0; i < list.length; i++) {
        const s = list[i].subject;
        if (bytesEqual(s, 0, s.length, issuerDer, 0, issuerDer.length)) out.push(list[i]);
      }
      return out;
    },
  };
}
