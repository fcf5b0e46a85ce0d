// Board profiles: boards/<name>.json, one schema, validated whenever a profile is loaded.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./paths.mjs";

const NATIVE = ["SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "AES"];
const ENTROPY = ["peek32", "adc-hwrand", "os-file"];

const SCHEMA = {
  name: "string", title: "string",
  interpreter: { jsVars: "int", bytesPerJsVar: "int", source: "string" },
  storage: { bytes: "int", source: "string" },
  entropy: { source: "string", register: "string", condition: "string", reference: "string", minEntropyBitsPerSample: "number" },
  nativeCrypto: "array",
  canSetTime: "boolean",
  net: { chunkBytes: "int" },
  tls: { enabled: "boolean", recordBuffer: "int", note: "string" },
  budgets: { bundleBytes: "int", caStoreBytes: "int" },
};

function checkShape(value, shape, where, errors) {
  if (typeof shape === "object") {
    if (!value || typeof value !== "object" || Array.isArray(value)) return errors.push(`${where}: must be an object`);
    for (const k of Object.keys(value)) if (!(k in shape)) errors.push(`${where}.${k}: unknown field`);
    for (const k of Object.keys(shape)) checkShape(value[k], shape[k], `${where}.${k}`, errors);
    return;
  }
  const ok = shape === "int" ? Number.isInteger(value) && value > 0
    : shape === "array" ? Array.isArray(value)
    : typeof value === shape;
  if (!ok) errors.push(`${where}: must be ${shape === "int" ? "a positive integer" : "a " + shape}`);
}

export function validateProfile(p, file) {
  const errors = [];
  checkShape(p, SCHEMA, "profile", errors);
  if (!errors.length) {
    if (file && p.name !== path.basename(file, ".json")) errors.push(`profile.name: "${p.name}" differs from the file name`);
    for (const n of p.nativeCrypto) if (!NATIVE.includes(n)) errors.push(`profile.nativeCrypto: unknown function "${n}"`);
    if (!ENTROPY.includes(p.entropy.source)) errors.push(`profile.entropy.source: must be one of ${ENTROPY.join(", ")}`);
    const reg = Number(p.entropy.register);
    if (!/^0x[0-9a-fA-F]{1,8}$|^0$/.test(p.entropy.register)) errors.push("profile.entropy.register: must be a hex address or 0");
    else if ((p.entropy.source === "peek32") !== (reg !== 0)) errors.push("profile.entropy.register: required exactly for peek32 sources");
    // The entropy module's health-test cut-offs are tabulated for H = 1..8 (firmware/entropy/health.ts).
    const h = p.entropy.minEntropyBitsPerSample;
    if (!Number.isInteger(h) || h < 1 || h > 8) errors.push("profile.entropy.minEntropyBitsPerSample: must be an integer from 1 to 8 (bits per 32-bit sample)");
    if (p.budgets.caStoreBytes + p.budgets.bundleBytes > p.storage.bytes) errors.push("profile.budgets: bundle and CA store budgets exceed Storage");
  }
  if (errors.length) throw new Error(`invalid board profile ${file || p.name}:\n  ${errors.join("\n  ")}`);
  return p;
}

export function boardNames() {
  return readdirSync(path.join(ROOT, "boards")).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

export function loadBoard(name) {
  const file = path.join(ROOT, "boards", name + ".json");
  let text;
  try { text = readFileSync(file, "utf8"); } catch {
    throw new Error(`unknown board "${name}": expected one of ${boardNames().join(", ")}`);
  }
  return validateProfile(JSON.parse(text), file);
}

/** The literal constants that replace firmware/board.ts in this board's bundle. */
export function boardConstants(p, version, buildTime) {
  const has = (n) => p.nativeCrypto.includes(n);
  return {
    BOARD_NAME: p.name,
    NATIVE_SHA256: has("SHA256"),
    NATIVE_SHA384: has("SHA384"),
    NATIVE_SHA512: has("SHA512"),
    NATIVE_AES: has("AES"),
    ENTROPY_SOURCE: p.entropy.source,
    RNG_REGISTER: Number(p.entropy.register),
    ENTROPY_BITS_PER_SAMPLE: p.entropy.minEntropyBitsPerSample,
    CAN_SET_TIME: p.canSetTime,
    HAS_TLS: p.tls.enabled,
    RECORD_BUFFER: p.tls.recordBuffer,
    STORAGE_BYTES: p.storage.bytes,
    CA_STORE_BYTES: p.budgets.caStoreBytes,
    ...otaKeyConstants(),
    BUILD_TIME: buildTime,
    VERSION: version,
  };
}

/**
 * The OTA verification keys compiled into every bundle: ota-keys.json at the repository root
 * (or the file named by $ESPRUINO_TLS_OTA_KEYS, for tests and for products that keep their keys
 * elsewhere). Format: { "threshold": 1, "keys": [{ "id": "...", "publicKey": "<64 hex>" }] }
 * (`espruino-tls keygen --add` maintains it). No file, or no keys: OTA refuses every update.
 */
export function otaKeyConstants(file = process.env.ESPRUINO_TLS_OTA_KEYS || path.join(ROOT, "ota-keys.json")) {
  let j;
  try { j = JSON.parse(readFileSync(file, "utf8")); } catch (e) {
    if (e && e.code === "ENOENT") return { OTA_KEYS: "", OTA_THRESHOLD: 1 };
    throw new Error(`${file}: ${e.message}`);
  }
  const keys = (j.keys || []).map((k, i) => {
    const hex = String(typeof k === "string" ? k : k && k.publicKey).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file}: keys[${i}] must be a 32-byte Ed25519 public key in hex (64 digits)`);
    return hex;
  });
  if (new Set(keys).size !== keys.length) throw new Error(`${file}: a key is listed twice (each key may count once)`);
  const threshold = j.threshold === undefined ? 1 : j.threshold;
  if (!Number.isInteger(threshold) || threshold < 1 || (keys.length && threshold > keys.length)) {
    throw new Error(`${file}: threshold must be an integer from 1 to the number of keys (${keys.length})`);
  }
  return { OTA_KEYS: keys.join(","), OTA_THRESHOLD: threshold };
}
