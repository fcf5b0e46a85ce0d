// Wycheproof HKDF-SHA256/384. "invalid" cases ask for more than 255 * HashLen bytes: the
// library must refuse with the HKDF_LENGTH error. No "acceptable" cases exist in these files.
export default {
  family: "hkdf",
  files: ["hkdf_sha256_test.json", "hkdf_sha384_test.json"],
  cases(json, file) {
    const out = [];
    const hash = file.indexOf("sha384") >= 0 ? "SHA384" : "SHA256";
    for (const g of json.testGroups) {
      for (const t of g.tests) {
        if (t.result === "acceptable") throw new Error("hkdf: undecided acceptable case " + t.tcId);
        out.push({ id: file + "#" + t.tcId, expect: t.result, hash: hash, ikm: t.ikm, salt: t.salt, info: t.info, size: t.size, okm: t.okm });
      }
    }
    return out;
  },
  check: function (T, c) {
    var H = T.hashes, u = T.util;
    var okm;
    try {
      okm = H.hkdf(H[c.hash], u.fromHex(c.ikm), u.fromHex(c.salt), u.fromHex(c.info), c.size);
    } catch (e) {
      return c.expect === "invalid" && e && e.code === "HKDF_LENGTH";
    }
    if (c.expect !== "valid") return false;
    return u.toHex(okm) === c.okm;
  },
};
