// Host side of OTA: keygen, cabundle sign, ota rotate / inspect / serve, the keys file the
// build compiles in, and the signing library the tests and the CLI share.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import https from "node:https";
import path from "node:path";
import { ROOT } from "../../tools/lib/paths.mjs";
import { otaKeyConstants } from "../../tools/lib/boards.mjs";
import { buildImage, anchorFromCertDer } from "../../tools/castore/format.mjs";
import { Pki } from "../../tools/lib/pki.mjs";
import { generateKey, signManifest, signRotation, inspectManifest, verifySig, countValid, MANIFEST_CONTEXT, KEYS_CONTEXT } from "../../tools/ota/sign.mjs";

const CLI = path.join(ROOT, "tools", "cli.mjs");
const cli = (args, env = {}) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
const dirs = [];
process.on("exit", () => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const tmp = () => { const d = mkdtempSync(path.join(tmpdir(), "etls-ota-tools-")); dirs.push(d); return d; };
const pki = new Pki();
const root = pki.cert("r", { ca: true, cn: "tools test root", days: 3650 });
const image = (v) => buildImage([anchorFromCertDer(root.der)], { version: v, created: 1700000000 }).image;

test("keygen writes a private key once and lists the public key in the keys file", () => {
  const d = tmp();
  const keys = path.join(d, "ota-keys.json");
  const r = cli(["keygen", "--out", path.join(d, "k1.pem"), "--add", "--keys", keys, "--note", "release key"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /public key: {2}[0-9a-f]{64}/);
  assert.equal(statSync(path.join(d, "k1.pem")).mode & 0o777, 0o600);
  const j = JSON.parse(readFileSync(keys, "utf8"));
  assert.equal(j.keys.length, 1);
  assert.equal(j.keys[0].note, "release key");
  assert.deepEqual(otaKeyConstants(keys), { OTA_KEYS: j.keys[0].publicKey, OTA_THRESHOLD: 1 });
  const again = cli(["keygen", "--out", path.join(d, "k1.pem")]);
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /refusing to overwrite a private key/);
});

test("the keys file compiled into the bundle: errors name the problem; no file means no keys", () => {
  const d = tmp();
  const f = path.join(d, "k.json");
  assert.deepEqual(otaKeyConstants(path.join(d, "missing.json")), { OTA_KEYS: "", OTA_THRESHOLD: 1 });
  writeFileSync(f, JSON.stringify({ keys: ["abc"] }));
  assert.throws(() => otaKeyConstants(f), /keys\[0\] must be a 32-byte Ed25519 public key/);
  const k = generateKey().publicKey;
  writeFileSync(f, JSON.stringify({ keys: [k, k] }));
  assert.throws(() => otaKeyConstants(f), /listed twice/);
  writeFileSync(f, JSON.stringify({ threshold: 2, keys: [k] }));
  assert.throws(() => otaKeyConstants(f), /threshold must be an integer from 1 to the number of keys \(1\)/);
  const k2 = generateKey().publicKey;
  writeFileSync(f, JSON.stringify({ threshold: 2, keys: [{ publicKey: k }, k2.toUpperCase()] }));
  assert.deepEqual(otaKeyConstants(f), { OTA_KEYS: `${k},${k2}`, OTA_THRESHOLD: 2 });
});

test("cabundle sign -> ota inspect: verified with the compiled keys; a tampered image or foreign key is reported", () => {
  const d = tmp();
  const keys = path.join(d, "ota-keys.json");
  assert.equal(cli(["keygen", "--out", path.join(d, "k.pem"), "--add", "--keys", keys]).status, 0);
  const img = path.join(d, "store.bin");
  writeFileSync(img, image(7));
  const s = cli(["cabundle", "sign", img, "--key", path.join(d, "k.pem"), "--days", "30", "--min-library", "0.1.0"]);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /signed .*manifest\.json: store 7, \d+ bytes/);
  const manifest = path.join(d, "manifest.json");
  const doc = JSON.parse(readFileSync(manifest, "utf8"));
  const m = JSON.parse(doc.payload);
  assert.equal(m.version, 7, "the version comes from the image header");
  assert.equal(m.image, "castore-7.bin");
  assert.equal(m.minLibrary, "0.1.0");
  assert.ok(Math.abs(m.expires - m.created - 30 * 86400) < 2);
  const ok = cli(["ota", "inspect", manifest, "--keys", keys, "--image", img]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /1 of 1 needed -> VERIFIED/);
  const bad = Buffer.from(image(7));
  bad[bad.length - 1] ^= 1;
  writeFileSync(path.join(d, "bad.bin"), bad);
  const r = cli(["ota", "inspect", manifest, "--keys", keys, "--image", path.join(d, "bad.bin")]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /image SHA-256 differs from the manifest/);
  const other = path.join(d, "other.json");
  assert.equal(cli(["keygen", "--out", path.join(d, "o.pem"), "--add", "--keys", other]).status, 0);
  const foreign = cli(["ota", "inspect", manifest, "--keys", other, "--json"]);
  assert.equal(foreign.status, 1);
  assert.equal(JSON.parse(foreign.stdout).verified, false);
  // A version that differs from the image header is refused at signing time.
  const v = cli(["cabundle", "sign", img, "--key", path.join(d, "k.pem"), "--version", "8", "--out", path.join(d, "m8.json")]);
  assert.notEqual(v.status, 0);
  assert.match(v.stderr, /image header says store version 7, not 8/);
});

test("ota rotate: a rotation signed by the current key, carried by later manifests, checked by inspect", () => {
  const d = tmp();
  const keys = path.join(d, "ota-keys.json");
  assert.equal(cli(["keygen", "--out", path.join(d, "old.pem"), "--add", "--keys", keys]).status, 0);
  assert.equal(cli(["keygen", "--out", path.join(d, "new.pem")]).status, 0);
  const rot = path.join(d, "rotations.json");
  const r = cli(["ota", "rotate", "--version", "2", "--new-key", path.join(d, "new.pem"), "--key", path.join(d, "old.pem"), "--out", rot]);
  assert.equal(r.status, 0, r.stderr);
  const img = path.join(d, "store.bin");
  writeFileSync(img, image(3));
  assert.equal(cli(["cabundle", "sign", img, "--key", path.join(d, "new.pem"), "--rotation", rot]).status, 0);
  const out = cli(["ota", "inspect", path.join(d, "manifest.json"), "--keys", keys, "--json"]);
  assert.equal(out.status, 0, out.stdout);
  const j = JSON.parse(out.stdout);
  assert.equal(j.rotations[0].result, "accepted");
  assert.equal(j.keySet.version, 2);
  assert.equal(j.verified, true);
});

test("signing library: contexts separate kinds, payloads are ASCII, counting is per key", () => {
  const a = generateKey(), b = generateKey();
  const doc = signManifest({ image: image(2), minLibrary: "0.0.1", keys: [a.privatePem, a.privatePem, b.privatePem] });
  assert.equal(doc.signatures.length, 3);
  assert.ok(verifySig(MANIFEST_CONTEXT, doc.payload, doc.signatures[0]));
  assert.equal(verifySig(KEYS_CONTEXT, doc.payload, doc.signatures[0]), false);
  assert.equal(countValid({ keys: [a.publicKey, b.publicKey] }, MANIFEST_CONTEXT, doc), 2, "a's two signatures count once");
  assert.throws(() => signManifest({ image: image(2), minLibrary: "0.0.1", keys: [a.privatePem], payloadExtra: { note: "caf\u00e9" } }), /printable ASCII/);
  assert.throws(() => signRotation({ version: 1, keys: [a.publicKey], signers: [a.privatePem] }), /version is an integer >= 2/);
  const r = inspectManifest(JSON.stringify(doc), { keys: [b.publicKey] }, image(2));
  assert.equal(r.verified, true);
  assert.deepEqual(r.problems, []);
});

test("ota serve: HTTPS on 127.0.0.1 with a throwaway CA, the manifest and its image", async () => {
  const d = tmp();
  const k = path.join(d, "k.pem");
  assert.equal(cli(["keygen", "--out", k]).status, 0);
  writeFileSync(path.join(d, "castore-4.bin"), image(4));
  assert.equal(cli(["cabundle", "sign", path.join(d, "castore-4.bin"), "--key", k]).status, 0);
  const p = spawn(process.execPath, [CLI, "ota", "serve", "--manifest", path.join(d, "manifest.json")], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    let out = "";
    await new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error("ota serve did not start: " + out)), 20000);
      p.stdout.on("data", (c) => { out += c; if (/Ctrl-C/.test(out)) { clearTimeout(t); res(); } });
      p.on("exit", (c) => rej(new Error(`ota serve exited ${c}: ${out}`)));
    });
    const ca = readFileSync(path.join(d, "ota-root.pem"));
    const url = out.match(/serving (https:\/\/\S+\/castore-4\.bin)/)[1];
    const body = await new Promise((res, rej) => https.get(url, { ca }, (r) => { const c = []; r.on("data", (x) => c.push(x)); r.on("end", () => res(Buffer.concat(c))); }).on("error", rej));
    assert.deepEqual(body, image(4));
  } finally { p.kill(); }
});
