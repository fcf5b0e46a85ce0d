// AES-GCM (128/192/256-bit keys, IVs of 8 to 2056 bits, 128-bit tags): Wycheproof aes_gcm_test.json.
// Each case runs on both AES paths, the board's (native ECB where the board has it) and the
// portable AES, and with both GHASH table sizes.
export default {
  family: "aes-gcm",
  files: ["aes_gcm_test.json"],
  cases(json, file) {
    const out = [];
    for (const g of json.testGroups) {
      for (const t of g.tests) {
        // The file has no "acceptable" case; refuse to guess if a new version adds one.
        if (t.result !== "valid" && t.result !== "invalid") throw new Error(`${file}#${t.tcId}: undecided result ${t.result}`);
        // A zero-length IV (flag ZeroLengthIv) is invalid by SP 800-38D: the library throws BAD_NONCE.
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
    // the same ciphertext at an odd offset of a bigger buffer (as inside a received record)
    var big = new Uint8Array(ctt.length + 1);
    big.set(ctt, 1);
    var odd = big.subarray(1);
    var makers = [A.aesGcm, A.aesGcmPortable, A.aesGcmSmall];
    for (var i = 0; i < makers.length; i++) {
      var g = makers[i](key);
      if (c.expect === "valid") {
        if (u.toHex(g.seal(iv, aad, msg)) !== want) return false;
        var p = g.open(iv, aad, ctt);
        if (p === null || u.toHex(p) !== c.msg) return false;
        p = g.open(iv, aad, odd);
        if (p === null || u.toHex(p) !== c.msg) return false;
      } else {
        var r = null;
        try {
          r = g.open(iv, aad, ctt);
        } catch (e) {
          if (!(e && typeof e.code === "string")) return false;
          r = null;
        }
        if (r !== null) return false;
      }
    }
    return true;
  },
};
