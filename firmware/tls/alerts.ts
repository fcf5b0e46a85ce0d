// TLS alerts (RFC 8446 §6) and the typed errors that carry them. Every failure in the TLS layer
// is an EtError whose detail.alert says which alert was sent (or received).
import { EtError } from "../errors";

export const A_CLOSE_NOTIFY = 0;
export const A_UNEXPECTED_MESSAGE = 10;
export const A_BAD_RECORD_MAC = 20;
export const A_RECORD_OVERFLOW = 22;
export const A_HANDSHAKE_FAILURE = 40;
export const A_BAD_CERTIFICATE = 42;
export const A_UNSUPPORTED_CERTIFICATE = 43;
export const A_CERTIFICATE_REVOKED = 44;
export const A_CERTIFICATE_EXPIRED = 45;
export const A_CERTIFICATE_UNKNOWN = 46;
export const A_ILLEGAL_PARAMETER = 47;
export const A_UNKNOWN_CA = 48;
export const A_DECODE_ERROR = 50;
export const A_DECRYPT_ERROR = 51;
export const A_PROTOCOL_VERSION = 70;
export const A_INSUFFICIENT_SECURITY = 71;
export const A_INTERNAL_ERROR = 80;
export const A_USER_CANCELED = 90;
export const A_MISSING_EXTENSION = 109;
export const A_UNSUPPORTED_EXTENSION = 110;
export const A_UNRECOGNIZED_NAME = 112;
export const A_NO_APPLICATION_PROTOCOL = 120;

export function tlsError(alert: number, code: string, message: string): EtError {
  return new EtError(code, message, { alert: alert });
}

export function tlsFail(alert: number, code: string, message: string): never {
  throw tlsError(alert, code, message);
}

/** The two most common refusals (one call each instead of alert + code at every site). */
export function unexpectedMessage(message: string): never {
  return tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_MESSAGE", message);
}

export function decodeError(message: string): never {
  return tlsFail(A_DECODE_ERROR, "TLS_DECODE", message);
}

// Certificate errors (X.509 codes) to the alert RFC 8446 §6.2 names for them.
const CERT_ALERTS: { [code: string]: number } = {
  CERT_EXPIRED: A_CERTIFICATE_EXPIRED,
  CERT_NOT_YET_VALID: A_CERTIFICATE_EXPIRED,
  UNKNOWN_ISSUER: A_UNKNOWN_CA,
  ANCHOR_DISTRUSTED: A_UNKNOWN_CA,
  UNSUPPORTED_ALGORITHM: A_UNSUPPORTED_CERTIFICATE,
  WEAK_KEY: A_INSUFFICIENT_SECURITY,
  WEAK_ALGORITHM: A_INSUFFICIENT_SECURITY,
  TIME_UNKNOWN: A_CERTIFICATE_UNKNOWN,
  // A key share that is off the curve or gives an all-zero X25519 secret (RFC 8446 §7.4.2).
  CRYPTO_BAD_POINT: A_ILLEGAL_PARAMETER,
  CRYPTO_ZERO_SHARED_SECRET: A_ILLEGAL_PARAMETER,
};

/** The alert to send for an error: its own, else the certificate mapping, else internal_error. */
export function alertFor(e: any): number {
  if (e && e.detail && typeof e.detail.alert === "number") return e.detail.alert;
  if (e && typeof e.code === "string") {
    const a = CERT_ALERTS[e.code];
    if (a !== undefined) return a;
    if (e.code.indexOf("CERT") >= 0 || e.code === "BAD_SIGNATURE" || e.code === "NAME_MISMATCH" || e.code === "NOT_A_CA" ||
      e.code === "PATH_TOO_LONG" || e.code === "EKU_MISMATCH" || e.code === "NAME_CONSTRAINT_VIOLATION" ||
      e.code === "BAD_DER" || e.code === "UNKNOWN_CRITICAL_EXTENSION" || e.code === "BUDGET_EXCEEDED") return A_BAD_CERTIFICATE;
  }
  return A_INTERNAL_ERROR;
}

// Alerts that, after the client answered a CertificateRequest, mean the server refused the device.
const REFUSALS: { [alert: number]: string } = {
  116: "certificate_required", 42: "bad_certificate", 48: "unknown_ca", 46: "certificate_unknown",
  49: "access_denied", 43: "unsupported_certificate", 45: "certificate_expired", 44: "certificate_revoked",
};

/**
 * The error for an alert received after we answered a CertificateRequest (`sent`: with a
 * certificate; else with an empty one), or null when the alert is not about our certificate.
 * handshake_failure and decode_error count only when we had none to send: what TLS 1.2 servers
 * send then (OpenSSL: handshake_failure; GnuTLS 3.7: decode_error).
 */
export function refusalError(alert: number, sent: boolean): EtError | null {
  const name = REFUSALS[alert] || (sent ? null : alert === A_HANDSHAKE_FAILURE ? "handshake_failure" : alert === A_DECODE_ERROR ? "decode_error" : null);
  if (!name) return null;
  const check = sent
    ? "check that the device certificate is registered and active on the server, issued by a CA the server trusts, within its validity dates, with the clientAuth usage, and sent with its intermediate certificates"
    : "the server requires a client certificate: pass `key` and `cert` (the device's private key and certificate)";
  return new EtError("CLIENT_CERT_REJECTED", "the server refused the client certificate (" + name + "): " + check, { alert: alert, name: name, received: true, sent: sent });
}

// Alerts that, during a handshake that offered an external PSK, mean the server did not accept
// our identity or key (RFC 8446 §4.2.11: decrypt_error for a binder that does not verify;
// RFC 4279 §2: unknown_psk_identity; TLS 1.2 with another key: bad_record_mac on our Finished;
// handshake_failure from servers that find no usable PSK or suite; illegal_parameter is what
// OpenSSL 3.0 sends for a binder that does not verify).
const PSK_REFUSALS: { [alert: number]: string } = {
  115: "unknown_psk_identity", 51: "decrypt_error", 20: "bad_record_mac", 40: "handshake_failure", 47: "illegal_parameter",
};

/** The error for an alert received during a PSK handshake, or null when it is not a refusal. */
export function pskRefusal(alert: number): EtError | null {
  const name = PSK_REFUSALS[alert];
  if (!name) return null;
  return new EtError("PSK_REJECTED", "the server refused the PSK (" + name + "): check its identity, key and hash",
    { alert: alert, name: name, received: true });
}
