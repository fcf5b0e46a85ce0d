// The CA store reader (firmware/castore/store.ts) over a mutated store image in the board's
// Storage: open with the full check, every anchor read (subject, key rebuilt as SPKI), lookups by
// issuer and by key id. Most inputs get their header's body SHA-256 fixed after mutation, so the
// record parsing behind the integrity check is reached too. Invariants: coded errors only, and
// a rebuilt key is a SubjectPublicKeyInfo the X.509 code parses (or a coded error).
import crypto from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fuzzFirmware, coded, latin1, Violation } from "../engine.mjs";
import { chainCases } from "../seeds.mjs";
import { buildImage, anchorFromCertDer } from "../../castore/format.mjs";
import { pemBlocks } from "../../castore/der.mjs";
import { MOZILLA_BUNDLE } from "../../castore/anchors.mjs";

const NAME = "fz.ca";

export default {
  async setup() {
    const fw = await fuzzFirmware();
    return { fw, T: fw.T, S: fw.board.require("Storage"), n: 0 };
  },
  seeds() {
    const certs = chainCases({ limbo: false }).flatMap((c) => [...c.anchors, c.chain[1]]);
    const seeds = [buildImage(certs.map((d) => anchorFromCertDer(d)), { version: 3, created: 1763700000 }).image];
    if (existsSync(MOZILLA_BUNDLE)) {
      const moz = pemBlocks(readFileSync(MOZILLA_BUNDLE, "latin1")).slice(0, 12).map((b) => anchorFromCertDer(b.der));
      seeds.push(buildImage(moz, { version: 9, created: 1763700000 }).image);
    }
    return seeds.map((b) => new Uint8Array(b));
  },
  run(ctx, input) {
    const { T, S } = ctx;
    const img = Buffer.from(input);
    if (img.length >= 56 && img[img.length - 1] % 8 !== 0) crypto.createHash("sha256").update(img.subarray(56)).digest().copy(img, 24);
    if (++ctx.n % 200 === 0) S.compact();
    S.erase(NAME);
    if (img.length && !S.write(NAME, latin1(img))) { S.compact(); if (!S.write(NAME, latin1(img))) return; }
    const st = coded(() => T.castore.open(NAME, true), "castore.open");
    if (st.err) return;
    const store = st.ok;
    const count = Math.min(store.count, 64);
    for (let i = 0; i < count; i++) {
      const a = coded(() => store.get(i), "get");
      if (a.err) continue;
      const anchor = a.ok;
      coded(() => store.findByIssuer(anchor.subject), "findByIssuer");
      const k = coded(() => anchor.spki, "spki");
      if (k.ok) {
        if (!(k.ok.length > 0)) throw new Violation("empty SPKI");
        coded(() => T.x509t.parseSpki(k.ok, 0, k.ok.length), "parseSpki");
        coded(() => store.findByKeyId(ctx.fw.board.realm.u8(crypto.createHash("sha1").update(Buffer.from(k.ok)).digest())), "findByKeyId");
      }
    }
  },
};
