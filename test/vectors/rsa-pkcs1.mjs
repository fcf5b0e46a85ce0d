// Wycheproof RSASSA-PKCS1-v1_5 verification: 2048/3072/4096-bit keys with SHA-256/384/512
// (e = 65537, plus a few e = 3 groups with small and near-n signatures).
// The one "acceptable" case per file is MissingNull (DigestInfo without the NULL parameter):
// we decide it INVALID. RFC 8017 §9.2 (note 1) encodes the AlgorithmIdentifier of SHA-2 with
// NULL parameters, and our verifier re-encodes exactly that block and compares it whole, as
// webpki and BoringSSL do; both reject the NULL-less form.
export default {
  family: "rsa-pkcs1",
  files: [
    "rsa_signature_2048_sha256_test.json", "rsa_signature_2048_sha384_test.json", "rsa_signature_2048_sha512_test.json",
    "rsa_signature_3072_sha256_test.json", "rsa_signature_3072_sha384_test.json", "rsa_signature_3072_sha512_test.json",
    "rsa_signature_4096_sha256_test.json", "rsa_signature_4096_sha384_test.json", "rsa_signature_4096_sha512_test.json",
  ],
  cases(json, file) {
    const out = [];
    for (const g of json.testGroups) {
      const hash = g.sha.replace("-", ""); // "SHA-256" -> "SHA256"
      for (const t of g.tests) {
        let expect = t.result;
        if (expect === "acceptable") {
          if (t.flags.length === 1 && t.flags[0] === "MissingNull") expect = "invalid"; // see above
          else throw new Error("rsa-pkcs1: undecided acceptable case " + file + "#" + t.tcId);
        }
        out.push({ id: file + "#" + t.tcId, expect: expect, hash: hash, n: g.publicKey.modulus, e: g.publicKey.publicExponent, msg: t.msg, sig: t.sig });
      }
    }
    return out;
  },
  check: function (T, c) {
    var R = T.rsa, U = T.util;
    var H = R[c.hash];
    var ok = R.verifyPkcs1(U.fromHex(c.n), U.fromHex(c.e), H, H.hash(U.fromHex(c.msg)), U.fromHex(c.sig));
    return c.expect === "valid" ? ok === true : ok === false;
  },
};
