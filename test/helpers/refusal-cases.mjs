// The certificate-refusal cases shared by the TLS 1.3 (test/tls/refusals.test.mjs) and TLS 1.2
// (test/tls12/refusals.test.mjs) refusal tests: one trusted root + intermediate, a bent leaf (or
// chain) per case with the error code and alert the client must give, and the board app that
// connects and reports what it saw.
//
// Expected alerts (RFC 8446 §6.2, RFC 5246 §7.2.2 and the mapping in firmware/tls/alerts.ts):
//   certificate_expired (45)   expired, not yet valid
//   unknown_ca (48)            self-signed, unknown CA, missing intermediate (no anchor reached)
//   bad_certificate (42)       wrong host, bad signature, CA:false intermediate, wrong EKU
//   insufficient_security (71) RSA-1024 key, SHA-1 signature (WEAK_KEY / WEAK_ALGORITHM)
import { Pki } from "../../tools/lib/pki.mjs";
import { connectApp, until } from "./tls-connect-app.mjs";

export const pki = new Pki();
export const root = pki.cert("root", { ca: true, cn: "refusals root", days: 3650 });
export const inter = pki.cert("inter", { ca: true, cn: "refusals intermediate", issuer: root, days: 365 });
const LOCAL = ["DNS:localhost", "IP:127.0.0.1"];
export const leaf = (name, opts = {}) => pki.cert(name, { issuer: inter, cn: "localhost", san: LOCAL, ...opts });
export const good = { root, inter, leaf: leaf("good") };

export function derToPem(der) {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function badSignature() {
  const der = Buffer.from(good.leaf.der);
  der[der.length - 1] ^= 0x01; // last byte of the ECDSA signature's s: still DER, no longer valid
  return derToPem(der);
}

// An end-entity certificate (CA:FALSE, digitalSignature only) used to sign a leaf.
const noCaInter = pki.cert("inter-noca", { issuer: root, cn: "refusals not-a-CA", keyUsage: "digitalSignature", eku: null, days: 365 });
const underNoCa = pki.cert("leaf-noca", { issuer: noCaInter, cn: "localhost", san: LOCAL });
const rogue = new Pki().chain({ label: "rogue" });
const selfSigned = pki.cert("selfsigned", { cn: "localhost", san: LOCAL });

/** { name, leaf (key and default certificate), certPem (certificates sent, default leaf +
 *  intermediate), servername (name the board asks for, default the host), code, alert, tls
 *  (server options) }. */
export const CERT_CASES = [
  { name: "expired", leaf: leaf("expired", { startDaysAgo: 40, days: 30 }), code: "CERT_EXPIRED", alert: 45 },
  { name: "not yet valid", leaf: leaf("future", { startDaysAgo: -2, days: 30 }), code: "CERT_NOT_YET_VALID", alert: 45 },
  { name: "wrong host", leaf: leaf("otherhost", { cn: "example.com", san: ["DNS:example.com", "DNS:www.example.com"] }), code: "NAME_MISMATCH", alert: 42 },
  { name: "wrong host (servername wrong.example, good chain)", leaf: good.leaf, servername: "wrong.example", code: "NAME_MISMATCH", alert: 42 },
  { name: "self-signed", leaf: selfSigned, certPem: selfSigned.pem, code: "UNKNOWN_ISSUER", alert: 48 },
  { name: "unknown CA", leaf: rogue.leaf, certPem: rogue.leaf.pem + rogue.inter.pem, code: "UNKNOWN_ISSUER", alert: 48 },
  { name: "missing intermediate", leaf: good.leaf, certPem: good.leaf.pem, code: "UNKNOWN_ISSUER", alert: 48 },
  { name: "bad signature", leaf: good.leaf, certPem: badSignature() + inter.pem, code: "BAD_SIGNATURE", alert: 42 },
  { name: "CA:false intermediate", leaf: underNoCa, certPem: underNoCa.pem + noCaInter.pem, code: "NOT_A_CA", alert: 42 },
  { name: "wrong EKU (clientAuth only)", leaf: leaf("clientauth", { eku: "clientAuth" }), code: "EKU_MISMATCH", alert: 42 },
  // Node refuses to serve these at its default security level: SECLEVEL=0 for the test server.
  { name: "RSA-1024 key", leaf: leaf("rsa1024", { key: "rsa1024" }), code: "WEAK_KEY", alert: 71, tls: { ciphers: "DEFAULT@SECLEVEL=0" } },
  { name: "SHA-1 signature", leaf: leaf("sha1", { hash: "sha1" }), code: "WEAK_ALGORITHM", alert: 71, tls: { ciphers: "DEFAULT@SECLEVEL=0" } },
];

/** The board connects to local `port` trusting the refusals root (test/helpers/tls-connect-app.mjs). */
export const connect = (port, { host = "localhost", servername = "", send = "" } = {}) => connectApp(port, { ca: root.pem, host, servername, send });
export { until };
