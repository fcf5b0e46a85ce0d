// ChaCha20-Poly1305 (RFC 8439): Wycheproof chacha20_poly1305_test.json.
export default {
  family: "chacha20-poly1305",
  files: ["chacha20_poly1305_test.json"],
  cases(json, file) {
    const out = [];
    for (const g of json.testGroups) {
      for (const t of g.tests) {
        // The file has no "acceptable" case; refuse to guess if a new version adds one.
        if (t.result !== "valid" && t.result !== "invalid") throw new Error(`${file}#${t.tcId}: undecided result ${t.result}`);
        // Nonces other than 96 bits (flag InvalidNonceSize) are invalid: the library throws BAD_NONCE.
        out.push({ id: `${file}#${t.tcId}`, expect: t.result, key: t.key, iv: t.iv, aad: t.aad, msg: t.msg, ct: t.ct, tag: t.tag });
      }
    }
    return out;
  },
  check: function (T, c) {
    var u = T.util, A = T.aead;
    var key = u.fromHex(c.key), iv = u.fromHex(c.iv), aad = u.fromHex(c.aad), msg = u.fromHex(c.msg);
    var want = c.ct + c.tag;
    var ctt = u.fromHex(want);
    var g = A.chacha20Poly1305(key);
    if (c.expect === "valid") {
      if (u.toHex(g.seal(iv, aad, msg)) !== want) return false;
      var p = g.open(iv, aad, ctt);
      if (p === null || u.toHex(p) !== c.msg) return false;
      // the same ciphertext at an odd offset of a bigger buffer (as inside a received record)
      var big = new Uint8Array(ctt.length + 1);
      big.set(ctt, 1);
      p = g.open(iv, aad, big.subarray(1));
      return p !== null && u.toHex(p) === c.msg;
    }
    var r = null;
    try {
      r = g.open(iv, aad, ctt);
    } catch (e) {
      if (!(e && typeof e.code === "string")) return false;
      r = null;
    }
    return r === null;
  },
};
