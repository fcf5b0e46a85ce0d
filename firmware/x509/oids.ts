// Object identifiers, as byte strings of their DER content octets: Der.oid() returns that
// form natively (E.toString / substring), so recognising an OID is one string comparison and
// no OID is ever decoded to text except for messages (oidText).

// Public key algorithms
export const OID_RSA_ENCRYPTION = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"; // 1.2.840.113549.1.1.1
export const OID_EC_PUBLIC_KEY = "\x2a\x86\x48\xce\x3d\x02\x01"; // 1.2.840.10045.2.1
export const OID_ED25519 = "\x2b\x65\x70"; // 1.3.101.112
export const OID_P256 = "\x2a\x86\x48\xce\x3d\x03\x01\x07"; // 1.2.840.10045.3.1.7 prime256v1
export const OID_P384 = "\x2b\x81\x04\x00\x22"; // 1.3.132.0.34 secp384r1

// Signature algorithms
export const OID_SHA1_RSA = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x05"; // 1.2.840.113549.1.1.5
export const OID_SHA256_RSA = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"; // .11
export const OID_SHA384_RSA = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0c"; // .12
export const OID_SHA512_RSA = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0d"; // .13
export const OID_RSASSA_PSS = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"; // .10
export const OID_MGF1 = "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x08"; // .8
export const OID_ECDSA_SHA1 = "\x2a\x86\x48\xce\x3d\x04\x01"; // 1.2.840.10045.4.1
export const OID_ECDSA_SHA256 = "\x2a\x86\x48\xce\x3d\x04\x03\x02"; // 1.2.840.10045.4.3.2
export const OID_ECDSA_SHA384 = "\x2a\x86\x48\xce\x3d\x04\x03\x03"; // .3
export const OID_ECDSA_SHA512 = "\x2a\x86\x48\xce\x3d\x04\x03\x04"; // .4

// Hash algorithms (RSASSA-PSS parameters)
export const OID_SHA1 = "\x2b\x0e\x03\x02\x1a"; // 1.3.14.3.2.26
export const OID_SHA256 = "\x60\x86\x48\x01\x65\x03\x04\x02\x01"; // 2.16.840.1.101.3.4.2.1
export const OID_SHA384 = "\x60\x86\x48\x01\x65\x03\x04\x02\x02"; // .2
export const OID_SHA512 = "\x60\x86\x48\x01\x65\x03\x04\x02\x03"; // .3

// Certificate extensions (2.5.29.x = 55 1d x)
export const EXT_SUBJECT_KEY_ID = "\x55\x1d\x0e"; // 14
export const EXT_KEY_USAGE = "\x55\x1d\x0f"; // 15
export const EXT_SUBJECT_ALT_NAME = "\x55\x1d\x11"; // 17
export const EXT_ISSUER_ALT_NAME = "\x55\x1d\x12"; // 18
export const EXT_BASIC_CONSTRAINTS = "\x55\x1d\x13"; // 19
export const EXT_NAME_CONSTRAINTS = "\x55\x1d\x1e"; // 30
export const EXT_CRL_DISTRIBUTION_POINTS = "\x55\x1d\x1f"; // 31
export const EXT_CERTIFICATE_POLICIES = "\x55\x1d\x20"; // 32
export const EXT_POLICY_MAPPINGS = "\x55\x1d\x21"; // 33
export const EXT_AUTHORITY_KEY_ID = "\x55\x1d\x23"; // 35
export const EXT_POLICY_CONSTRAINTS = "\x55\x1d\x24"; // 36
export const EXT_EXT_KEY_USAGE = "\x55\x1d\x25"; // 37
export const EXT_FRESHEST_CRL = "\x55\x1d\x2e"; // 46
export const EXT_INHIBIT_ANY_POLICY = "\x55\x1d\x36"; // 54
export const EXT_AUTHORITY_INFO_ACCESS = "\x2b\x06\x01\x05\x05\x07\x01\x01"; // 1.3.6.1.5.5.7.1.1
export const EXT_SUBJECT_INFO_ACCESS = "\x2b\x06\x01\x05\x05\x07\x01\x0b"; // 1.3.6.1.5.5.7.1.11
export const EXT_SCT_LIST = "\x2b\x06\x01\x04\x01\xd6\x79\x02\x04\x02"; // 1.3.6.1.4.1.11129.2.4.2

// Extended key usages
export const EKU_SERVER_AUTH = "\x2b\x06\x01\x05\x05\x07\x03\x01"; // 1.3.6.1.5.5.7.3.1
export const EKU_CLIENT_AUTH = "\x2b\x06\x01\x05\x05\x07\x03\x02"; // 1.3.6.1.5.5.7.3.2
export const EKU_ANY = "\x55\x1d\x25\x00"; // 2.5.29.37.0

// Name attribute types
export const AT_COMMON_NAME = "\x55\x04\x03"; // 2.5.4.3
export const AT_EMAIL = "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01"; // 1.2.840.113549.1.9.1

/** Short names for printing distinguished names (others print as dotted OIDs). */
export const AT_NAMES: { [oid: string]: string } = {
  "\x55\x04\x03": "CN",
  "\x55\x04\x04": "SN",
  "\x55\x04\x05": "serialNumber",
  "\x55\x04\x06": "C",
  "\x55\x04\x07": "L",
  "\x55\x04\x08": "ST",
  "\x55\x04\x09": "street",
  "\x55\x04\x0a": "O",
  "\x55\x04\x0b": "OU",
  "\x55\x04\x0c": "title",
  "\x55\x04\x2a": "GN",
  "\x55\x04\x2e": "dnQualifier",
  "\x55\x04\x61": "organizationIdentifier",
  "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01": "emailAddress",
  "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19": "DC",
  "\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x01": "UID",
};

/** Dotted text of an OID given as its content octets (byte string), for messages. */
export function oidText(bin: string): string {
  let s = "";
  let v = 0;
  let first = true;
  for (let i = 0; i < bin.length; i++) {
    const c = bin.charCodeAt(i) & 255;
    v = v * 128 + (c & 127);
    if (c < 128) {
      if (first) {
        const a = v < 80 ? Math.floor(v / 40) : 2;
        s = a + "." + (v - a * 40);
        first = false;
      } else s += "." + v;
      v = 0;
    }
  }
  return s;
}
