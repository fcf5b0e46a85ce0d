// PKCS#10 certificate signing requests on the host (RFC 2986): parse, and verify the
// self-signature with Node's crypto (independent of OpenSSL, which the tests use as the second
// opinion). Used by `espruino-tls csr` and by `localca sign` before it issues anything.
import { createPublicKey, verify as verifySig } from "node:crypto";
import { tlv, children, value, whole, oidText, pemBlocks, nameText } from "../castore/der.mjs";

const SIG_ALGS = {
  "1.2.840.10045.4.3.2": { name: "ecdsa-with-SHA256", hash: "sha256" },
  "1.2.840.10045.4.3.3": { name: "ecdsa-with-SHA384", hash: "sha384" },
  "1.2.840.10045.4.3.4": { name: "ecdsa-with-SHA512", hash: "sha512" },
  "1.2.840.113549.1.1.11": { name: "sha256WithRSAEncryption", hash: "sha256" },
  "1.2.840.113549.1.1.12": { name: "sha384WithRSAEncryption", hash: "sha384" },
  "1.2.840.113549.1.1.13": { name: "sha512WithRSAEncryption", hash: "sha512" },
  "1.3.101.112": { name: "Ed25519", hash: null },
};
const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const SAN = "2.5.29.17";

/** The DER of a CSR file (PEM "CERTIFICATE REQUEST" or DER); throws naming what it holds otherwise. */
export function csrDer(buf, file = "input") {
  const text = buf.toString("latin1");
  if (text.includes("-----BEGIN ")) {
    const blocks = pemBlocks(text).filter((b) => /CERTIFICATE REQUEST$/.test(b.label));
    if (!blocks.length) throw new Error(`${file}: no PEM "CERTIFICATE REQUEST" block (found: ${pemBlocks(text).map((b) => b.label).join(", ") || "none"})`);
    return blocks[0].der;
  }
  return buf;
}

/** SubjectAltName GeneralNames to ["DNS:x", "IP:a.b.c.d", "email:x", "URI:x", "other:[tag]"]. */
export function generalNames(b, seqEl) {
  return children(b, seqEl).map((g) => {
    const v = value(b, g);
    switch (g.tag) {
      case 0x82: return "DNS:" + v.toString("latin1");
      case 0x81: return "email:" + v.toString("latin1");
      case 0x86: return "URI:" + v.toString("latin1");
      case 0x87:
        if (v.length === 4) return "IP:" + [...v].join(".");
        if (v.length === 16) return "IP:" + [0, 2, 4, 6, 8, 10, 12, 14].map((i) => v.readUInt16BE(i).toString(16)).join(":");
        return "IP:<" + v.length + " bytes>";
      default: return `other:[${g.tag & 0x1f}]`;
    }
  });
}

function keyText(k) {
  const t = k.asymmetricKeyType, d = k.asymmetricKeyDetails || {};
  if (t === "rsa") return `RSA-${d.modulusLength}`;
  if (t === "ec") return `EC ${({ prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" })[d.namedCurve] || d.namedCurve}`;
  return t;
}

/**
 * Parses and verifies a CSR. Returns { subject (text), subjectDer, sans, key (text), spki (DER),
 * publicKey (KeyObject), sigAlg, signatureValid, extensions (OIDs requested), version }.
 * Structural problems throw; a bad signature gives signatureValid false.
 */
export function inspectCsr(buf, file = "input") {
  const b = Buffer.from(csrDer(buf, file));
  let top;
  try { top = tlv(b, 0); } catch (e) { throw new Error(`${file}: not DER: ${e.message}`); }
  if (top.tag !== 0x30 || top.ve !== b.length) throw new Error(`${file}: not a PKCS#10 request (trailing data or not a SEQUENCE)`);
  const [info, alg, sig] = children(b, top);
  if (!info || !alg || !sig || info.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03) throw new Error(`${file}: not a PKCS#10 request`);
  const [ver, subj, spki, attrs] = children(b, info);
  if (!ver || ver.tag !== 0x02 || !subj || subj.tag !== 0x30 || !spki || spki.tag !== 0x30 || !attrs || attrs.tag !== 0xa0) {
    throw new Error(`${file}: CertificationRequestInfo is not { version, subject, subjectPKInfo, [0] attributes }`);
  }
  const version = value(b, ver)[0];
  const sigOid = oidText(value(b, children(b, alg)[0]));
  const algInfo = SIG_ALGS[sigOid];
  const spkiDer = whole(b, spki);
  const publicKey = createPublicKey({ key: spkiDer, format: "der", type: "spki" });
  const sans = [];
  const extensions = [];
  for (const attr of children(b, attrs)) {
    const [oid, set] = children(b, attr);
    if (oidText(value(b, oid)) !== EXTENSION_REQUEST) continue;
    for (const exts of children(b, set)) {
      for (const ext of children(b, exts)) {
        const parts = children(b, ext);
        const extOid = oidText(value(b, parts[0]));
        extensions.push(extOid);
        if (extOid === SAN) {
          const octets = parts[parts.length - 1];
          sans.push(...generalNames(b, tlv(b, octets.vs, octets.ve)));
        }
      }
    }
  }
  const sigBits = value(b, sig);
  if (sigBits[0] !== 0) throw new Error(`${file}: signature BIT STRING has unused bits`);
  let signatureValid = false;
  if (algInfo) {
    signatureValid = verifySig(algInfo.hash, whole(b, info), publicKey, sigBits.subarray(1));
  }
  return {
    version, subject: nameText(whole(b, subj)), subjectDer: whole(b, subj), sans, key: keyText(publicKey), spki: spkiDer,
    publicKey, sigAlg: algInfo ? algInfo.name : sigOid, sigAlgKnown: !!algInfo, signatureValid, extensions, der: b,
  };
}
