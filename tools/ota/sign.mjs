// Host side of signed CA list updates (docs/ota.md): Ed25519 keys with node:crypto, manifests
// and key rotations signed over their exact payload text, and verification for `ota inspect`.
// The board's reader is firmware/ota/format.ts + keys.ts; the tests check both agree.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";

export const MANIFEST_CONTEXT = "espruino-tls ota manifest v1\n";
export const KEYS_CONTEXT = "espruino-tls ota keys v1\n";
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

/** A new Ed25519 key pair: { privatePem, publicKey (64 hex) }. */
export function generateKey() {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { privatePem: privateKey.export({ type: "pkcs8", format: "pem" }), publicKey: publicHex(privateKey) };
}

/** 64-hex raw public key of a private or public KeyObject / PEM. */
export function publicHex(key) {
  const k = typeof key === "string" || Buffer.isBuffer(key) ? loadKey(key) : key;
  const pub = k.type === "private" ? createPublicKey(k) : k;
  if (pub.asymmetricKeyType !== "ed25519") throw new Error(`not an Ed25519 key (${pub.asymmetricKeyType})`);
  const der = pub.export({ type: "spki", format: "der" });
  return der.subarray(der.length - 32).toString("hex");
}

/** A private key from PEM text, or a file holding it. */
export function loadKey(pemOrFile) {
  let text = String(pemOrFile);
  if (!text.includes("-----BEGIN")) text = readFileSync(text, "utf8");
  try {
    const k = createPrivateKey(text);
    if (k.asymmetricKeyType !== "ed25519") throw new Error(`${k.asymmetricKeyType} key: OTA signing keys are Ed25519 (espruino-tls keygen)`);
    return k;
  } catch (e) {
    if (/Ed25519/.test(e.message)) throw e;
    try { return createPublicKey(text); } catch { throw new Error(`not a PEM private key: ${e.message}`); }
  }
}

export const keyId = (hex) => hex.slice(0, 16);

function ascii(payload) {
  if (!/^[\x20-\x7e]*$/.test(payload)) throw new Error("payload must be printable ASCII (the board signs bytes, not Unicode)");
  return payload;
}

/** Signs `payload` (text) for `context` with each private key: [{ key, sig }]. */
export function signPayload(context, payload, keys) {
  ascii(payload);
  return keys.map((k) => {
    const key = typeof k === "string" || Buffer.isBuffer(k) ? loadKey(k) : k;
    return { key: publicHex(key), sig: sign(null, Buffer.from(context + payload, "latin1"), key).toString("hex") };
  });
}

export function verifySig(context, payload, s) {
  const pub = createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(s.key, "hex")]), format: "der", type: "spki" });
  return verify(null, Buffer.from(context + payload, "latin1"), pub, Buffer.from(s.sig, "hex"));
}

const sha256 = (b) => createHash("sha256").update(b).digest("hex");

/**
 * The manifest document for a store image. o: { image: Buffer, version?, created?, expires?
 * (seconds) | days?, minLibrary, imageUrl, keys: [private keys], rotations?: [signed key sets],
 * payloadExtra?: fields to add (tests) }. The store version defaults to the image header's.
 */
export function signManifest(o) {
  const image = Buffer.from(o.image);
  const headerVersion = image.length >= 12 && image.subarray(0, 4).toString("latin1") === "ETCA" ? image.readUInt32BE(8) : undefined;
  const version = o.version ?? headerVersion;
  if (!Number.isInteger(version) || version < 1) throw new Error("store version must be an integer >= 1 (or come from the image header)");
  if (headerVersion !== undefined && headerVersion !== version && !o.allowVersionMismatch) {
    throw new Error(`the image header says store version ${headerVersion}, not ${version}: rebuild the store with --version ${version}`);
  }
  const created = o.created ?? Math.floor(Date.now() / 1000);
  const expires = o.expires ?? created + Math.round((o.days ?? 90) * 86400);
  if (!(expires > created)) throw new Error("expires must be after created");
  const m = {
    type: "ca-manifest", version, created, expires, size: image.length, sha256: sha256(image),
    minLibrary: o.minLibrary, image: o.imageUrl || `castore-${version}.bin`, ...o.payloadExtra,
  };
  if (!/^\d+\.\d+\.\d+$/.test(String(m.minLibrary))) throw new Error("minLibrary must be a version x.y.z");
  if (!o.keys || !o.keys.length) throw new Error("no signing key (--key <private.pem>)");
  const payload = JSON.stringify(m);
  return { payload, signatures: signPayload(MANIFEST_CONTEXT, payload, o.keys), rotations: o.rotations || [] };
}

/** A key rotation to key set `version` (>= 2): { version, threshold, keys: [public hex] },
 *  signed with the private keys of the current set (version - 1). */
export function signRotation(o) {
  if (!Number.isInteger(o.version) || o.version < 2) throw new Error("a key set version is an integer >= 2 (version 1 is the compiled set)");
  const keys = o.keys.map((k) => (/^[0-9a-f]{64}$/.test(k) ? k : publicHex(k)));
  if (new Set(keys).size !== keys.length) throw new Error("a key is listed twice");
  const threshold = o.threshold ?? 1;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys.length) throw new Error(`threshold must be 1..${keys.length}`);
  const payload = JSON.stringify({ type: "ota-keys", version: o.version, threshold, keys, created: o.created ?? Math.floor(Date.now() / 1000) });
  return { payload, signatures: signPayload(KEYS_CONTEXT, payload, o.signers) };
}

/** Counts distinct valid keys of `set` ({ threshold, keys }) over a signed document, as the board does. */
export function countValid(set, context, doc) {
  const counted = new Set();
  for (const s of doc.signatures || []) {
    if (!set.keys.includes(s.key) || counted.has(s.key)) continue;
    try { if (verifySig(context, doc.payload, s)) counted.add(s.key); } catch { /* malformed */ }
  }
  return counted.size;
}

/**
 * What the board would conclude about a manifest document, without a board: the key set after
 * the rotations (starting from `keys`, the compiled set { threshold, keys }), whether the manifest
 * verifies, the manifest fields, and (with an image) whether its size and SHA-256 match.
 */
export function inspectManifest(doc, keys, image) {
  const env = typeof doc === "string" || Buffer.isBuffer(doc) ? JSON.parse(String(doc)) : doc;
  const out = { rotations: [], problems: [] };
  let set = keys ? { version: 1, threshold: keys.threshold ?? 1, keys: keys.keys } : null;
  for (const r of env.rotations || []) {
    const ks = JSON.parse(r.payload);
    const row = { version: ks.version, threshold: ks.threshold, keys: ks.keys.map(keyId), signedBy: r.signatures.map((s) => keyId(s.key)) };
    if (set) {
      if (ks.version <= set.version) row.result = "already applied";
      else if (ks.version !== set.version + 1) { row.result = `gap: follows key set ${set.version}`; out.problems.push(row.result); }
      else {
        const n = countValid(set, KEYS_CONTEXT, r);
        row.valid = n;
        if (n >= set.threshold) { row.result = "accepted"; set = { version: ks.version, threshold: ks.threshold, keys: ks.keys }; }
        else { row.result = `refused: ${n} of ${set.threshold} signatures`; out.problems.push(`rotation ${ks.version} ${row.result}`); }
      }
    }
    out.rotations.push(row);
  }
  out.manifest = JSON.parse(env.payload);
  out.signatures = env.signatures.map((s) => ({ key: keyId(s.key), valid: (() => { try { return verifySig(MANIFEST_CONTEXT, env.payload, s); } catch { return false; } })() }));
  if (set) {
    out.keySet = { version: set.version, threshold: set.threshold, keys: set.keys.map(keyId) };
    out.valid = countValid(set, MANIFEST_CONTEXT, env);
    out.verified = out.valid >= set.threshold;
    if (!out.verified) out.problems.push(`manifest signed by ${out.valid} of the ${set.threshold} key(s) needed from key set ${set.version}`);
  }
  const now = Date.now() / 1000;
  if (out.manifest.expires <= now) out.problems.push(`expired at ${new Date(out.manifest.expires * 1000).toISOString()}`);
  if (image) {
    const img = Buffer.from(image);
    if (img.length !== out.manifest.size) out.problems.push(`image is ${img.length} bytes, the manifest says ${out.manifest.size}`);
    if (sha256(img) !== out.manifest.sha256) out.problems.push("image SHA-256 differs from the manifest");
    if (img.length >= 12 && img.readUInt32BE(8) !== out.manifest.version) out.problems.push(`image header says store version ${img.readUInt32BE(8)}`);
  }
  return out;
}

/** ota-keys.json contents: { threshold, keys: [{ id, publicKey, note? }] }. */
export function readKeysFile(file) {
  const j = JSON.parse(readFileSync(file, "utf8"));
  return { threshold: j.threshold ?? 1, keys: (j.keys || []).map((k) => (typeof k === "string" ? k : k.publicKey)), raw: j };
}
