// Wycheproof RSASSA-PSS verification with MGF1 over the same hash and a fixed salt length
// (sLen from the group: 32 for SHA-256, 48 for SHA-384, 64 for SHA-512), 2048/3072/4096-bit
// keys. These files have only "valid" and "invalid" results (no "acceptable" case to decide).
export default {
  family: "rsa-pss",
  files: [
    "rsa_pss_2048_sha256_mgf1_32_test.json", "rsa_pss_2048_sha384_mgf1_48_test.json",
    "rsa_pss_3072_sha256_mgf1_32_test.json",
    "rsa_pss_4096_sha256_mgf1_32_test.json", "rsa_pss_4096_sha512_mgf1_64_test.json",
  ],
  cases(json, file) {
    const out = [];
    for (const g of json.testGroups) {
      if (g.mgf !== "MGF1" || g.mgfSha !== g.sha) throw new Error("rsa-pss: unexpected MGF in " + file);
      const hash = g.sha.replace("-", "");
      for (const t of g.tests) {
        if (t.result === "acceptable") throw new Error("rsa-pss: undecided acceptable case " + file + "#" + t.tcId);
        out.push({ id: file + "#" + t.tcId, expect: t.result, hash: hash, sLen: g.sLen, n: g.publicKey.modulus, e: g.publicKey.publicExponent, msg: t.msg, sig: t.sig });
      }
    }
    return out;
  },
  check: function (T, c) {
    var R = T.rsa, U = T.util;
    var H = R[c.hash];
    var ok = R.verifyPss(U.fromHex(c.n), U.fromHex(c.e), H, H.hash(U.fromHex(c.msg)), U.fromHex(c.sig), c.sLen);
    return c.expect === "valid" ? ok === true : ok === false;
  },
};
