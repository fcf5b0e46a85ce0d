// TLS 1.2 client certificates against the scripted server (test/helpers/tls12-script.mjs), which
// sends a CertificateRequest of our making and checks the client's CertificateVerify with Node's
// crypto over the handshake messages. The certificate_types rule (RFC 5246 §7.4.4, RFC 8422 §5.5):
// ecdsa_sign (64) asks for an ECDSA- or EdDSA-capable key, rsa_sign (1) for an RSA key; the
// scheme must also be among the request's supported_signature_algorithms. Found by BoGo
// (Client-SignDefault-Ed25519-TLS12): an Ed25519 device key was refused under ecdsa_sign.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { handshake } from "../helpers/tls12-script.mjs";
import { conformance, refused, completed } from "../helpers/tls12-conformance.mjs";
import { Pki } from "../../tools/lib/pki.mjs";

const T = { timeout: 60000 };
const { once } = conformance("tls12 clientauth");
const pki = new Pki();
const deviceCa = pki.cert("deviceca", { ca: true, cn: "device ca", days: 3650 });
const DEVICES = {
  ed25519: pki.cert("device-ed25519", { issuer: deviceCa, key: "ed25519", eku: "clientAuth" }),
  p256: pki.cert("device-p256", { issuer: deviceCa, eku: "clientAuth" }),
};
/** connectApp options for a device: its PEM key and certificate. */
const device = (name) => ({ key: readFileSync(DEVICES[name].keyFile, "utf8"), cert: DEVICES[name].pem });

/** A CertificateRequest: certificate_types, supported_signature_algorithms, no authorities. */
function certRequest(types, schemes) {
  const s = Buffer.alloc(2 + schemes.length * 2);
  s.writeUInt16BE(schemes.length * 2, 0);
  schemes.forEach((x, i) => s.writeUInt16BE(x, 2 + i * 2));
  return handshake(13, Buffer.concat([Buffer.from([types.length, ...types]), s, Buffer.from([0, 0])]));
}
const askWith = (types, schemes) => ({ flight1: ["SH", "Cert", "SKE", () => ({ hs: certRequest(types, schemes) }), "SHD"] });

function signedWith(res, name, scheme) {
  completed(res);
  assert.equal(res.out.clientCerts.length, 1);
  assert.ok(res.out.clientCerts[0].equals(DEVICES[name].der), "the server got the device certificate");
  assert.deepEqual(res.out.certVerify, { scheme, verified: true }, "the CertificateVerify verifies with Node's crypto");
}

test("Ed25519 device key, certificate_types [ecdsa_sign], ed25519 among the schemes: signs with ed25519 (0x0807), RFC 8422 §5.5", T, async () => {
  signedWith(await once(askWith([64], [0x0403, 0x0807]), undefined, device("ed25519")), "ed25519", 0x0807);
});

test("Ed25519 device key, certificate_types [rsa_sign, ecdsa_sign]: signs with ed25519", T, async () => {
  signedWith(await once(askWith([1, 64], [0x0804, 0x0807, 0x0403]), undefined, device("ed25519")), "ed25519", 0x0807);
});

test("P-256 device key, certificate_types [ecdsa_sign]: signs with ecdsa_secp256r1_sha256 (0x0403)", T, async () => {
  signedWith(await once(askWith([64], [0x0807, 0x0403]), undefined, device("p256")), "p256", 0x0403);
});

function noScheme(res, message) {
  refused(res, "TLS_NO_SIGNATURE_SCHEME", 40, false);
  assert.match(res.r.message, message);
  assert.equal(res.out.clientCerts, undefined, "no certificate was sent");
}

test("Ed25519 device key, certificate_types [rsa_sign] only -> TLS_NO_SIGNATURE_SCHEME, handshake_failure (40), nothing sent", T, async () => {
  noScheme(await once(askWith([1], [0x0807, 0x0804]), undefined, device("ed25519")), /client certificate types 1 only, not this key's \(Ed25519\)/);
});

test("Ed25519 device key, ecdsa_sign but ed25519 not among the schemes -> TLS_NO_SIGNATURE_SCHEME, nothing sent", T, async () => {
  noScheme(await once(askWith([64], [0x0403, 0x0503]), undefined, device("ed25519")), /the server accepts 0x0403 0x0503, this key can make 0x0807/);
});

test("Ed25519 device key, certificate_types of other kinds only (rsa_fixed_dh 3, ecdsa_fixed_ecdh 66) -> TLS_NO_SIGNATURE_SCHEME", T, async () => {
  noScheme(await once(askWith([3, 66], [0x0807]), undefined, device("ed25519")), /client certificate types 3,66 only/);
});
