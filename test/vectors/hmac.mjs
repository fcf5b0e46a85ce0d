// Wycheproof HMAC-SHA256/384. Groups with tagSize < the hash size test truncated tags:
// the expected tag is the first tagSize/8 bytes of the MAC. There are no "acceptable" cases
// in these files; an "invalid" case (modified tag) must not verify.
export default {
  family: "hmac",
  files: ["hmac_sha256_test.json", "hmac_sha384_test.json"],
  cases(json, file) {
    const out = [];
    const hash = file.indexOf("sha384") >= 0 ? "SHA384" : "SHA256";
    for (const g of json.testGroups) {
      for (const t of g.tests) {
        if (t.result === "acceptable") throw new Error("hmac: undecided acceptable case " + t.tcId);
        out.push({ id: file + "#" + t.tcId, expect: t.result, hash: hash, tagLen: g.tagSize / 8, key: t.key, msg: t.msg, tag: t.tag });
      }
    }
    return out;
  },
  check: function (T, c) {
    var H = T.hashes;
    var key = T.util.fromHex(c.key), msg = T.util.fromHex(c.msg), tag = T.util.fromHex(c.tag);
    var mac = H.hmac(H[c.hash], key, msg).subarray(0, c.tagLen);
    // Incremental path too: split the message in two and reuse a keyed clone.
    var k = new H.Hmac(H[c.hash], key);
    var half = msg.length >> 1;
    var mac2 = k.clone().update(msg.subarray(0, half)).update(msg.subarray(half)).digest().subarray(0, c.tagLen);
    var ok = T.util.ctEqual(mac, tag);
    if (!T.util.ctEqual(mac, mac2)) return false;
    return c.expect === "valid" ? ok : !ok;
  },
};
