// Internals exposed to X.509 tests (tools/limbo.mjs, test/unit/x509*.test.mjs).
import { Der, bytesOf, hexOf } from "../x509/der";
import { parseCert, parseSpki, pemCerts, base64Decode, daysFromCivil, subjectText } from "../x509/cert";
import { nameToString, nameEquals, rdnCount } from "../x509/name";
import { parseIp, parseIpv4, parseIpv6, ipToText, isDnsName, dnsMatches, sanMatchesHost } from "../x509/hostname";
import { checkNameConstraints, checkNameConstraintsDer } from "../x509/constraints";
import { anchorFromCert, memoryAnchors } from "../x509/anchor";
import { validateJob, validateChain } from "../x509/path";
import { verifySignature } from "../x509/sigverify";
import { x509 } from "../x509/index";

export const x509t = {
  Der: Der,
  bytesOf: bytesOf,
  hexOf: hexOf,
  parseCert: parseCert,
  parseSpki: parseSpki,
  pemCerts: pemCerts,
  base64Decode: base64Decode,
  daysFromCivil: daysFromCivil,
  subjectText: subjectText,
  nameToString: nameToString,
  nameEquals: nameEquals,
  rdnCount: rdnCount,
  parseIp: parseIp,
  parseIpv4: parseIpv4,
  parseIpv6: parseIpv6,
  ipToText: ipToText,
  isDnsName: isDnsName,
  dnsMatches: dnsMatches,
  sanMatchesHost: sanMatchesHost,
  checkNameConstraints: checkNameConstraints,
  checkNameConstraintsDer: checkNameConstraintsDer,
  anchorFromCert: anchorFromCert,
  memoryAnchors: memoryAnchors,
  validateJob: validateJob,
  validateChain: validateChain,
  verifySignature: verifySignature,
  x509: x509,
};
