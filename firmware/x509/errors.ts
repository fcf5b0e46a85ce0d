// X.509 error codes. Every failure is an EtError whose `code` is one of these stable
// UPPER_SNAKE strings and whose `detail` says which certificate failed:
//   { depth, subject }  depth 0 = the server's (leaf) certificate, 1 = the certificate that
//   issued it, ...; the trust anchor has the depth just above the last certificate of the
//   path. -1 when no single certificate is to blame. `subject` is a printable name.

import { EtError } from "../errors";

export const CERT_EXPIRED = "CERT_EXPIRED";
export const CERT_NOT_YET_VALID = "CERT_NOT_YET_VALID";
/** No trust anchor (and no presented intermediate) issued this certificate. */
export const UNKNOWN_ISSUER = "UNKNOWN_ISSUER";
export const BAD_SIGNATURE = "BAD_SIGNATURE";
/** The expected host name / IP address is not in the leaf's subjectAltName. */
export const NAME_MISMATCH = "NAME_MISMATCH";
/** An issuing certificate is not a CA (basicConstraints cA, keyUsage keyCertSign),
 *  or a CA certificate is presented as the server's certificate. */
export const NOT_A_CA = "NOT_A_CA";
/** pathLenConstraint, the maximum number of intermediates, or the caller's max depth. */
export const PATH_TOO_LONG = "PATH_TOO_LONG";
/** extendedKeyUsage present without serverAuth (or keyUsage without a required bit). */
export const EKU_MISMATCH = "EKU_MISMATCH";
export const NAME_CONSTRAINT_VIOLATION = "NAME_CONSTRAINT_VIOLATION";
/** RSA modulus below the minimum (2048 bits by default) or not a multiple of 8 bits. */
export const WEAK_KEY = "WEAK_KEY";
/** A SHA-1 signature (refused unless options.allowSha1). */
export const WEAK_ALGORITHM = "WEAK_ALGORITHM";
/** Signature or key algorithm this library does not implement (DSA, P-192, explicit curves...). */
export const UNSUPPORTED_ALGORITHM = "UNSUPPORTED_ALGORITHM";
/** Not valid DER, or a structure that X.509 forbids. */
export const BAD_DER = "BAD_DER";
/** Well-formed DER that breaks an RFC 5280 / CA/B Forum rule the validator enforces
 *  (duplicate extension, critical AKI, empty issuer, CN not in SAN, negative serial...). */
export const BAD_CERT = "BAD_CERT";
export const UNKNOWN_CRITICAL_EXTENSION = "UNKNOWN_CRITICAL_EXTENSION";
/** No validation time was given (the clock is not trusted). */
export const TIME_UNKNOWN = "TIME_UNKNOWN";
/** The signature-check budget or the path-search budget ran out (hostile chain). */
export const BUDGET_EXCEEDED = "BUDGET_EXCEEDED";
/** The trust anchor is distrusted for certificates issued after its distrust date. */
export const ANCHOR_DISTRUSTED = "ANCHOR_DISTRUSTED";

/** Builds the error; `subject` is the printable subject of the failing certificate. */
export function x509Error(code: string, message: string, depth: number, subject: string): EtError {
  return new EtError(code, message + (depth >= 0 ? " (certificate at depth " + depth + (subject ? ": " + subject : "") + ")" : ""), { depth: depth, subject: subject });
}
