// The `x509` device API object.
//
//   x509.parse(der)                       -> Certificate (throws BAD_DER)
//   x509.fromPem(text)                    -> [der, ...] of every CERTIFICATE block
//   x509.validate(chain, opts)            -> { path, anchor } or throws EtError
//   x509.validateJob(chain, opts)         -> Job (step() until true, then result())
//   x509.verify(chain, opts, cb)          -> runs the Job in slices, cb(err, result)
//   x509.matchesHost(cert, host)          -> boolean (SAN rules of hostname.ts)
//   x509.anchor(certOrDer, keyOnly)       -> TrustAnchor
//   x509.anchors([anchor|cert|DER|PEM...]) -> AnchorSource held in RAM
//
// chain: [server certificate, intermediates in any order...] as DER Uint8Arrays or parsed.
// opts: { time (seconds since 1970, required), host, anchors (AnchorSource, or PEM text, or
// an array of TrustAnchors / parsed certificates / DER / PEM), and the limits of
// ValidateOptions in path.ts }.

import type { Job } from "../util/job";
import { runSliced } from "../util/job";
import type { Certificate } from "./cert";
import { parseCert, pemCerts, subjectText, KU_DIGITAL_SIGNATURE, KU_KEY_ENCIPHERMENT, KU_KEY_AGREEMENT, KU_KEY_CERT_SIGN } from "./cert";
import type { TrustAnchor, AnchorSource } from "./anchor";
import { anchorFromCert, memoryAnchors } from "./anchor";
import type { ValidateOptions, ValidationResult } from "./path";
import { validateJob } from "./path";
import { runSync } from "../util/job";
import { sanMatchesHost } from "./hostname";
import { nameToString } from "./name";
import { EKU_SERVER_AUTH, EKU_CLIENT_AUTH } from "./oids";

/** A TrustAnchor from a TrustAnchor, a parsed certificate or certificate DER. */
function toAnchor(x: any): TrustAnchor {
  if (x.subject !== undefined && x.spki !== undefined && x.tbs === undefined) return x as TrustAnchor;
  return anchorFromCert(x as Certificate | Uint8Array);
}

/** An AnchorSource from a source, or from a list of TrustAnchors, parsed certificates, DER
 *  (Uint8Array or byte string) or PEM text (every CERTIFICATE block in it). */
function anchorsOf(a: any): AnchorSource {
  if (a && typeof a.findByIssuer === "function") return a as AnchorSource;
  const list: TrustAnchor[] = [];
  if (typeof a === "string") a = [a];
  if (a)
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x === "string" && x.indexOf("-----BEGIN") >= 0) {
        const ders = pemCerts(x);
        for (let k = 0; k < ders.length; k++) list.push(anchorFromCert(ders[k]));
      } else list.push(toAnchor(typeof x === "string" ? parseCert(x) : x));
    }
  return memoryAnchors(list);
}

/** Copy of the caller's options with `anchors` made an AnchorSource. */
function options(opts: any): ValidateOptions {
  const o: any = {};
  for (const k in opts) o[k] = opts[k];
  o.anchors = anchorsOf(opts.anchors);
  return o as ValidateOptions;
}

function vJob(chain: (Uint8Array | Certificate)[], opts: any): Job<ValidationResult> {
  return validateJob(chain, options(opts));
}

export const x509 = {
  parse: parseCert,
  fromPem: pemCerts,
  subject: function (c: Certificate): string {
    return subjectText(c);
  },
  issuer: function (c: Certificate): string {
    return nameToString(c.issuer);
  },
  anchor: anchorFromCert,
  anchors: function (list: any[]): AnchorSource {
    return anchorsOf(list);
  },
  validateJob: vJob,
  validate: function (chain: (Uint8Array | Certificate)[], opts: any): ValidationResult {
    return runSync(vJob(chain, opts));
  },
  verify: function (chain: (Uint8Array | Certificate)[], opts: any, cb: (err: any, res?: ValidationResult) => void): void {
    let job: Job<ValidationResult>;
    try {
      job = vJob(chain, opts);
    } catch (e) {
      cb(e);
      return;
    }
    runSliced(job, cb);
  },
  matchesHost: function (c: Certificate, host: string): boolean {
    return sanMatchesHost(c.san, host);
  },
  KU_DIGITAL_SIGNATURE: KU_DIGITAL_SIGNATURE,
  KU_KEY_ENCIPHERMENT: KU_KEY_ENCIPHERMENT,
  KU_KEY_AGREEMENT: KU_KEY_AGREEMENT,
  KU_KEY_CERT_SIGN: KU_KEY_CERT_SIGN,
  EKU_SERVER_AUTH: EKU_SERVER_AUTH,
  EKU_CLIENT_AUTH: EKU_CLIENT_AUTH,
};
