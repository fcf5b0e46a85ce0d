// Wycheproof X25519 (x25519_test.json: raw 32-byte u-coordinates and unclamped scalars).
// Decisions on the "acceptable" cases (the file has no "invalid" ones):
//  - an all-zero shared secret (flag ZeroSharedSecret: low-order public values) is "invalid":
//    RFC 8446 §7.4.2 requires TLS to abort, so x25519 throws CRYPTO_ZERO_SHARED_SECRET;
//  - everything else is "valid" and must give exactly `shared`, computed per RFC 7748 §5:
//    twist points (Twist), non-canonical u >= p (NonCanonicalPublic: reduced mod p after
//    masking bit 255), small/special public keys, edge-case multiplications. RFC 7748 §5 and §7
//    define these results; the ladder has no special cases, so it computes them.
export default {
  family: "x25519",
  files: ["x25519_test.json"],
  realSample: 24,
  cases(json, file) {
    const out = [];
    const zero = "00".repeat(32);
    for (const g of json.testGroups) {
      if (g.curve !== "curve25519") throw new Error("x25519: unexpected curve " + g.curve);
      for (const t of g.tests) {
        let expect = t.result;
        if (expect === "invalid") throw new Error("x25519: unexpected invalid case " + t.tcId);
        const isZero = t.shared === zero;
        if (isZero !== (t.flags.indexOf("ZeroSharedSecret") >= 0)) throw new Error("x25519: ZeroSharedSecret flag mismatch " + t.tcId);
        if (isZero) expect = "invalid";
        else if (expect === "acceptable") expect = "valid";
        out.push({ id: file + "#" + t.tcId, expect: expect, public: t.public, private: t.private, shared: t.shared });
      }
    }
    return out;
  },
  check: function (T, c) {
    var X = T.c25519, u = T.util, out;
    try {
      out = X.x25519(u.fromHex(c.private), u.fromHex(c.public));
    } catch (e) {
      return c.expect === "invalid" && !!e && e.code === "CRYPTO_ZERO_SHARED_SECRET";
    }
    return c.expect === "valid" && u.toHex(out) === c.shared;
  },
};
