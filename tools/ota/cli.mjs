// Host commands of signed CA list updates: keygen, cabundle sign, ota serve|inspect|rotate.
import { existsSync, readFileSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../lib/paths.mjs";
import { generateKey, signManifest, signRotation, inspectManifest, readKeysFile, keyId, loadKey, publicHex } from "./sign.mjs";
import { serveOta } from "./serve.mjs";

const PKG = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
const DEFAULT_KEYS = () => process.env.ESPRUINO_TLS_OTA_KEYS || path.join(ROOT, "ota-keys.json");

/** --name value pairs (repeatable ones collected in arrays) and positional arguments. */
function parseArgs(args, repeatable = []) {
  const o = { _: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) { o._.push(a); continue; }
    const k = a.slice(2);
    const flag = ["add", "json", "force"].includes(k);
    const v = flag ? true : args[++i];
    if (!flag && v === undefined) throw new Error(`${a} needs a value`);
    if (repeatable.includes(k)) (o[k] = o[k] || []).push(v); else o[k] = v;
  }
  return o;
}

function timeArg(v, what) {
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`${what}: "${v}" is neither seconds since 1970 nor an ISO date`);
  return Math.floor(t / 1000);
}

const KEYGEN_HELP = `usage: espruino-tls keygen --out <private.pem> [--add] [--keys ota-keys.json] [--note <text>]
  Makes an Ed25519 OTA signing key. Writes the private key (PKCS#8 PEM, mode 0600; never
  overwritten) and prints the public key. --add also lists it in ota-keys.json (the keys compiled
  into every bundle at build time).`;

export async function keygenCommand(args) {
  if (args.includes("--help")) { console.log(KEYGEN_HELP); return 0; }
  const o = parseArgs(args);
  if (!o.out) throw new Error("--out <private.pem> is required\n" + KEYGEN_HELP);
  if (existsSync(o.out)) throw new Error(`${o.out} exists: refusing to overwrite a private key`);
  mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  const k = generateKey();
  writeFileSync(o.out, k.privatePem, { mode: 0o600 });
  console.log(`private key: ${o.out} (keep it offline; anyone holding it can change the boards' CA list)`);
  console.log(`public key:  ${k.publicKey}  (id ${keyId(k.publicKey)})`);
  if (o.add) {
    const file = o.keys || DEFAULT_KEYS();
    const j = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { threshold: 1, keys: [] };
    j.keys = j.keys || [];
    j.keys.push({ id: keyId(k.publicKey), publicKey: k.publicKey, ...(o.note ? { note: o.note } : {}), added: new Date().toISOString().slice(0, 10) });
    writeFileSync(file, JSON.stringify(j, null, 2) + "\n");
    console.log(`added to ${file} (${j.keys.length} key(s), threshold ${j.threshold ?? 1}); rebuild the bundle to compile it in`);
  } else console.log(`add it to ota-keys.json: { "threshold": 1, "keys": [{ "publicKey": "${k.publicKey}" }] } (or run with --add)`);
  return 0;
}

const SIGN_HELP = `usage: espruino-tls cabundle sign <store.bin> --key <private.pem> [--key ...] [--out manifest.json]
        [--version <n>] [--expires <ISO date|seconds> | --days <n>] [--created <ISO|seconds>]
        [--min-library <x.y.z>] [--image-url <URL or path>] [--rotation <rotation.json> ...]
  Signs the manifest of a CA store image (Ed25519): store version (default: the image header's),
  creation time, expiry (default 90 days), size and SHA-256 of the image, minimum library version
  (default ${PKG.version}). The image URL is resolved against the manifest's URL on the board
  (default castore-<version>.bin next to it). --rotation adds key rotations (espruino-tls ota rotate).`;

export async function cabundleSignCommand(args) {
  if (args.includes("--help")) { console.log(SIGN_HELP); return 0; }
  const o = parseArgs(args, ["key", "rotation"]);
  const file = o._[0];
  if (!file) throw new Error("which store image? " + SIGN_HELP);
  const image = readFileSync(file);
  const keys = (o.key || []).map(loadKey);
  const rotations = (o.rotation || []).flatMap((f) => { const j = JSON.parse(readFileSync(f, "utf8")); return Array.isArray(j) ? j : [j]; });
  const created = timeArg(o.created, "--created");
  const doc = signManifest({
    image, version: o.version === undefined ? undefined : Number(o.version), created,
    expires: timeArg(o.expires, "--expires"), days: o.days === undefined ? undefined : Number(o.days),
    minLibrary: o["min-library"] || PKG.version, imageUrl: o["image-url"], keys, rotations,
  });
  const m = JSON.parse(doc.payload);
  const out = o.out || path.join(path.dirname(file), "manifest.json");
  writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
  console.log(`signed ${out}: store ${m.version}, ${m.size} bytes, sha256 ${m.sha256.slice(0, 16)}..., ` +
    `expires ${new Date(m.expires * 1000).toISOString()}, image ${m.image}, ${doc.signatures.length} signature(s) [${doc.signatures.map((s) => keyId(s.key)).join(", ")}]` +
    (rotations.length ? `, ${rotations.length} rotation(s)` : ""));
  return 0;
}

const OTA_HELP = `usage: espruino-tls ota <serve|inspect|rotate> ...
  ota serve --manifest <manifest.json> [--image <store.bin>] [--port <n>] [--cert <chain.pem> --key <key.pem>]
      HTTPS on 127.0.0.1: /manifest.json and the image under the name the manifest gives.
      Without --cert, a throwaway CA is made and its root written next to the manifest (ota-root.pem):
      give it to the board as the updater's \`ca\` (or build it into the store).
  ota inspect <manifest.json> [--keys <ota-keys.json>] [--image <store.bin>] [--json]
      the manifest, its rotations and signatures checked as the board would, from the compiled keys.
  ota rotate --version <n> --new-key <public hex | key.pem> [--new-key ...] [--threshold <k>]
             --key <current private.pem> [--key ...] --out <rotation.json>
      a key rotation to key set n (the compiled set is 1), signed by the current set n-1.`;

export async function otaCommand(args) {
  const [sub, ...rest] = args;
  if (!sub || sub === "--help") { console.log(OTA_HELP); return sub ? 0 : 2; }
  if (rest.includes("--help")) { console.log(OTA_HELP); return 0; }
  if (sub === "serve") return serve(parseArgs(rest));
  if (sub === "inspect") return inspect(parseArgs(rest));
  if (sub === "rotate") return rotate(parseArgs(rest, ["new-key", "key"]));
  throw new Error(`unknown ota command "${sub}"\n${OTA_HELP}`);
}

async function serve(o) {
  if (!o.manifest) throw new Error("--manifest <manifest.json> is required");
  const manifest = readFileSync(o.manifest);
  const m = JSON.parse(JSON.parse(manifest).payload);
  const imageFile = o.image || path.join(path.dirname(o.manifest), path.basename(m.image));
  const files = { "/manifest.json": manifest };
  if (!/^https:|^\/\//.test(m.image)) {
    if (!existsSync(imageFile)) throw new Error(`image ${imageFile} not found (--image <store.bin>)`);
    files["/" + m.image.replace(/^\//, "")] = readFileSync(imageFile);
  }
  let cert, key;
  if (o.cert) { cert = readFileSync(o.cert, "utf8"); key = readFileSync(o.key, "utf8"); }
  else {
    const { Pki } = await import("../lib/pki.mjs");
    const c = new Pki().chain({ label: "espruino-tls ota serve" });
    cert = c.leaf.pem + c.inter.pem;
    key = readFileSync(c.leaf.keyFile, "utf8");
    const rootOut = path.join(path.dirname(o.manifest), "ota-root.pem");
    writeFileSync(rootOut, c.root.pem);
    console.log(`throwaway CA root: ${rootOut}`);
  }
  const s = await serveOta({ files, cert, key, port: o.port ? Number(o.port) : 0, log: (l) => console.log(l) });
  for (const p of Object.keys(files)) console.log(`serving ${s.url(p)}`);
  console.log("Ctrl-C stops");
  await new Promise(() => {});
}

function inspect(o) {
  const file = o._[0];
  if (!file) throw new Error("which manifest? " + OTA_HELP);
  const keysFile = o.keys || DEFAULT_KEYS();
  const keys = existsSync(keysFile) ? readKeysFile(keysFile) : null;
  const image = o.image ? readFileSync(o.image) : null;
  const r = inspectManifest(readFileSync(file, "utf8"), keys && keys.keys.length ? keys : null, image);
  if (o.json) { console.log(JSON.stringify(r, null, 2)); return r.problems.length ? 1 : 0; }
  const m = r.manifest;
  const t = (s) => new Date(s * 1000).toISOString();
  console.log(`manifest ${file}`);
  console.log(`  store version ${m.version}, ${m.size} bytes, sha256 ${m.sha256}`);
  console.log(`  created ${t(m.created)}, expires ${t(m.expires)}${m.expires * 1000 < Date.now() ? " (EXPIRED)" : ` (in ${Math.round((m.expires * 1000 - Date.now()) / 86400000)} days)`}`);
  console.log(`  minimum library ${m.minLibrary}, image ${m.image}`);
  for (const rr of r.rotations) console.log(`  rotation to key set ${rr.version} (threshold ${rr.threshold}, keys ${rr.keys.join(", ")}) signed by ${rr.signedBy.join(", ")}: ${rr.result || "not checked"}`);
  for (const s of r.signatures) console.log(`  signature by ${s.key}: ${s.valid ? "valid" : "INVALID"}`);
  if (r.keySet) console.log(`  key set ${r.keySet.version} (from ${keysFile}${r.rotations.length ? " + rotations" : ""}): ${r.valid} of ${r.keySet.threshold} needed -> ${r.verified ? "VERIFIED" : "REFUSED"}`);
  else console.log(`  no compiled keys (${keysFile}): signatures checked only against the keys they name`);
  for (const p of r.problems) console.log(`  problem: ${p}`);
  return r.problems.length ? 1 : 0;
}

function rotate(o) {
  if (!o.version || !o["new-key"] || !o.key || !o.out) throw new Error("--version, --new-key, --key and --out are required\n" + OTA_HELP);
  const keys = o["new-key"].map((k) => (/^[0-9a-f]{64}$/i.test(k) ? k.toLowerCase() : publicHex(loadKey(k))));
  const r = signRotation({ version: Number(o.version), threshold: o.threshold ? Number(o.threshold) : 1, keys, signers: o.key.map(loadKey) });
  let list = [];
  if (existsSync(o.out) && statSync(o.out).size) {
    const j = JSON.parse(readFileSync(o.out, "utf8"));
    list = Array.isArray(j) ? j : [j];
  }
  list.push(r);
  writeFileSync(o.out, JSON.stringify(list, null, 1) + "\n");
  console.log(`key set ${o.version}: ${keys.map(keyId).join(", ")} (threshold ${o.threshold || 1}), signed by ${r.signatures.map((s) => keyId(s.key)).join(", ")} -> ${o.out} (${list.length} rotation(s))`);
  console.log("pass it to every later manifest: espruino-tls cabundle sign ... --rotation " + o.out);
  return 0;
}
