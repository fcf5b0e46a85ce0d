// Wycheproof ECDSA verification: P-256/SHA-256 and P-384/SHA-384, DER and P1363 signatures.
// There are no "acceptable" cases in these files: every BER/DER deviation is "invalid" and
// must not verify (our DER parser is strict), as must r or s outside [1, n-1].
// The public keys are all valid points (group publicKey.uncompressed); the message is hashed
// on the board with the library's SHA-256/SHA-384 and the digest is verified.
export default {
  family: "ecdsa",
  files: [
    "ecdsa_secp256r1_sha256_test.json", "ecdsa_secp384r1_sha384_test.json",
    "ecdsa_secp256r1_sha256_p1363_test.json", "ecdsa_secp384r1_sha384_p1363_test.json",
  ],
  cases(json, file) {
    const out = [];
    const p1363 = json.schema.indexOf("p1363") >= 0;
    for (const g of json.testGroups) {
      const curve = g.publicKey.curve === "secp384r1" ? "P-384" : g.publicKey.curve === "secp256r1" ? "P-256" : null;
      if (!curve) throw new Error("ecdsa: unexpected curve " + g.publicKey.curve);
      const hash = g.sha === "SHA-384" ? "SHA384" : g.sha === "SHA-256" ? "SHA256" : null;
      if (!hash) throw new Error("ecdsa: unexpected hash " + g.sha);
      for (const t of g.tests) {
        if (t.result === "acceptable") throw new Error("ecdsa: undecided acceptable case " + file + "#" + t.tcId);
        out.push({ id: file + "#" + t.tcId, expect: t.result, curve: curve, hash: hash, p1363: p1363, key: g.publicKey.uncompressed, msg: t.msg, sig: t.sig });
      }
    }
    return out;
  },
  check: function (T, c) {
    var N = T.nist, u = T.util;
    var C = c.curve === "P-384" ? N.P384 : N.P256;
    var d = N[c.hash].hash(u.fromHex(c.msg));
    var key = u.fromHex(c.key), sig = u.fromHex(c.sig);
    var ok = c.p1363 ? N.ecdsaVerifyP1363(C, key, d, sig) : N.ecdsaVerify(C, key, d, sig);
    return ok === (c.expect === "valid");
  },
};
