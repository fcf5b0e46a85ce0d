// The OTA manifest/envelope verifier (firmware/ota/format.ts, keys.ts), in the order the updater
// runs it: parseEnvelope, signature count against a key set (countJob), requireThreshold, then
// parseManifest; every rotation payload through parseKeySet. Invariants: coded errors only, and a
// manifest accepted only when Node's Ed25519 finds `threshold` distinct keys of the set that
// signed its payload.
import crypto from "node:crypto";
import { fuzzFirmware, coded, latin1, fromLatin1, Violation } from "../engine.mjs";

// Fixed test keys (seeds derived from names: these sign fuzz seeds only).
const priv = (name) => crypto.createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), crypto.createHash("sha256").update(name).digest()]), format: "der", type: "pkcs8" });
const KEYS = ["fuzz ota key 1", "fuzz ota key 2", "fuzz ota key 3"].map(priv);
const pubHex = (k) => crypto.createPublicKey(k).export({ format: "der", type: "spki" }).subarray(12).toString("hex");
const SET = { version: 1, threshold: 2, keys: KEYS.slice(0, 2).map(pubHex) };

export default {
  async setup() {
    const fw = await fuzzFirmware();
    const F = fw.T.fuzz;
    const set = { version: SET.version, threshold: SET.threshold, keys: SET.keys.slice() };
    return { fw, F, set };
  },
  seeds(ctx) {
    const { F } = ctx;
    const sign = (context, payload, keys) => ({ payload, signatures: keys.map((k) => ({ key: pubHex(k), sig: crypto.sign(null, Buffer.from(context + payload, "latin1"), k).toString("hex") })) });
    const m = { type: "ca-manifest", version: 7, created: 1763700000, expires: 1766300000, size: 59836, sha256: "ab".repeat(32), minLibrary: "0.1.0", image: "https://example.com/ca.bin" };
    const ks = { type: "ota-keys", version: 2, threshold: 1, keys: [pubHex(KEYS[2])] };
    const env = (payload, keys, rot) => fromLatin1(JSON.stringify({ ...sign(F.MANIFEST_CONTEXT, payload, keys), ...(rot ? { rotations: rot } : {}) }));
    return [
      env(JSON.stringify(m), KEYS.slice(0, 2)),
      env(JSON.stringify(m), [KEYS[0], KEYS[0], KEYS[2]]),
      env(JSON.stringify({ ...m, version: 0 }), KEYS.slice(0, 2)),
      env(JSON.stringify(m), KEYS.slice(0, 2), [sign(F.KEYS_CONTEXT, JSON.stringify(ks), KEYS.slice(0, 2))]),
    ];
  },
  run(ctx, input) {
    const { F, fw, set } = ctx;
    const env = coded(() => F.parseEnvelope(latin1(input)), "parseEnvelope");
    if (env.err) return;
    const e = env.ok;
    for (let i = 0; i < e.rotations.length; i++) coded(() => F.parseKeySet(e.rotations[i].payload), "parseKeySet");
    coded(() => F.parseManifest(e.payload), "parseManifest");
    const n = coded(() => fw.T.util.runSync(F.countJob(set, F.MANIFEST_CONTEXT, e)), "countJob");
    if (n.err) return;
    if (coded(() => F.requireThreshold(set, n.ok, "the manifest"), "requireThreshold").err) return;
    // Accepted: check the signatures with Node.
    const msg = Buffer.from(F.MANIFEST_CONTEXT + e.payload, "latin1");
    const good = new Set();
    for (const s of e.signatures) {
      if (!SET.keys.includes(s.key)) continue;
      const pub = crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(s.key, "hex")]), format: "der", type: "spki" });
      if (crypto.verify(null, msg, pub, Buffer.from(s.sig, "hex"))) good.add(s.key);
    }
    if (good.size < SET.threshold) throw new Violation(`manifest accepted with ${good.size} valid signature(s) of ${SET.threshold} needed (library counted ${n.ok})`);
  },
};
