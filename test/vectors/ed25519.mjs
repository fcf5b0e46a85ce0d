// Wycheproof Ed25519 verification (ed25519_test.json). The file has only "valid" and "invalid"
// cases (no "acceptable" ones): valid signatures must verify; malleable S (S >= L), bad
// encodings of R or A, truncated or padded signatures and wrong signatures must not.
// Lengths are part of the test: a signature that is not exactly 64 bytes fails verification.
export default {
  family: "ed25519",
  files: ["ed25519_test.json"],
  realSample: 16,
  cases(json, file) {
    const out = [];
    for (const g of json.testGroups) {
      if (g.publicKey.curve !== "edwards25519") throw new Error("ed25519: unexpected curve " + g.publicKey.curve);
      for (const t of g.tests) {
        if (t.result === "acceptable") throw new Error("ed25519: undecided acceptable case " + t.tcId);
        out.push({ id: file + "#" + t.tcId, expect: t.result, pk: g.publicKey.pk, msg: t.msg, sig: t.sig });
      }
    }
    return out;
  },
  check: function (T, c) {
    var u = T.util;
    var ok = T.c25519.ed25519Verify(u.fromHex(c.pk), u.fromHex(c.msg), u.fromHex(c.sig));
    return c.expect === "valid" ? ok === true : ok === false;
  },
};
