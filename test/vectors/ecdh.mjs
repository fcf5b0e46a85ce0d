// Wycheproof ECDH on P-256 and P-384.
//  - *_ecpoint_test.json: the peer key is a raw SEC1 point (the TLS key_share form).
//  - ecdh_secp256r1_test.json: the peer key is a DER SubjectPublicKeyInfo, taken apart on the
//    board by ecPointFromSpki (a strict byte-exact parser: with a named curve and an
//    uncompressed point, DER allows exactly one encoding).
// Decisions on "acceptable" cases (we reject all of them, so they are expected "invalid"):
//  - CompressedPoint/CompressedPublic: TLS 1.3 key shares must be uncompressed
//    (RFC 8446 §4.2.8.2), so decodePoint refuses 02/03 points (CRYPTO_BAD_POINT).
//  - InvalidAsn (BER or otherwise sloppy SPKI encodings): strict DER only.
//  - UnnamedCurve/UnusedParam (explicit curve parameters in the SPKI, even correct ones): we
//    accept only the named-curve OID form, as RFC 5480 §2.1.1 requires for PKIX.
// Private keys may carry a leading 00 byte or be shorter than the field: they are integers.
// Errors must be ours: CRYPTO_BAD_POINT (peer key) or CRYPTO_BAD_SCALAR (private key).
export default {
  family: "ecdh",
  files: ["ecdh_secp256r1_ecpoint_test.json", "ecdh_secp384r1_ecpoint_test.json", "ecdh_secp256r1_test.json"],
  cases(json, file) {
    const out = [];
    for (const g of json.testGroups) {
      const curve = g.curve === "secp384r1" ? "P-384" : g.curve === "secp256r1" ? "P-256" : null;
      if (!curve) throw new Error("ecdh: unexpected curve " + g.curve);
      const spki = g.encoding === "asn";
      if (!spki && g.encoding !== "ecpoint") throw new Error("ecdh: unexpected encoding " + g.encoding);
      for (const t of g.tests) {
        let expect = t.result;
        if (expect === "acceptable") {
          const f = t.flags;
          const known = f.indexOf("CompressedPublic") >= 0 || f.indexOf("InvalidAsn") >= 0 || f.indexOf("UnnamedCurve") >= 0;
          if (!known) throw new Error("ecdh: undecided acceptable case " + file + "#" + t.tcId + " " + f.join(","));
          expect = "invalid";
        }
        out.push({ id: file + "#" + t.tcId, expect: expect, curve: curve, spki: spki, public: t.public, private: t.private, shared: t.shared });
      }
    }
    return out;
  },
  check: function (T, c) {
    var N = T.nist, u = T.util;
    var C = c.curve === "P-384" ? N.P384 : N.P256;
    var out;
    try {
      var pub = u.fromHex(c.public);
      if (c.spki) pub = N.ecPointFromSpki(C, pub);
      out = N.runSync(N.ecdhJob(C, u.fromHex(c.private), pub));
    } catch (e) {
      return c.expect === "invalid" && !!e && (e.code === "CRYPTO_BAD_POINT" || e.code === "CRYPTO_BAD_SCALAR");
    }
    if (c.expect !== "valid") return false;
    return u.toHex(out) === c.shared;
  },
};
