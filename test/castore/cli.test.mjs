// Host commands: cabundle build | inspect, cert der | pem, key der | pem. Sizes are reported,
// budgets enforced, and a wrong input is named for what it is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync, mkdtempSync, mkdirSync, copyFileSync } from "node:fs";
import { generateKeyPairSync, createPrivateKey, X509Certificate } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { Pki, pemToDer } from "../../tools/lib/pki.mjs";
import { cabundleCommand, certCommand, keyCommand } from "../../tools/castore/cli.mjs";
import { readImage } from "../../tools/castore/format.mjs";
import { MOZILLA_BUNDLE } from "../../tools/castore/anchors.mjs";
import { ROOT } from "../../tools/lib/paths.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "etls-cli-"));
const f = (n) => path.join(dir, n);
const have = existsSync(MOZILLA_BUNDLE);
const pki = new Pki();
const root = pki.cert("root", { ca: true, cn: "cli root", days: 3650 });
const soon = pki.cert("soon", { ca: true, cn: "cli short-lived root", days: 10 });
const ecKeyPem = readFileSync(root.keyFile, "utf8"); // openssl genpkey: PKCS#8

function run(fn, args) {
  const out = [];
  const err = [];
  const io = { log: (s) => out.push(String(s)), error: (s) => err.push(String(s)) };
  return Promise.resolve(fn(args, io)).then((code) => ({ code, out: out.join("\n"), err: err.join("\n") }));
}
const fails = async (fn, args, re) => { await assert.rejects(() => Promise.resolve(fn(args, { log() {}, error() {} })), re); };

test("cabundle build: per-anchor sizes, total against the board budget, --only/--exclude", { skip: !have && "no " + MOZILLA_BUNDLE }, async () => {
  const r = await run(cabundleCommand, ["build", "--mozilla", "--board", "esp32", "--version", "7", "--created", "2025-11-21", "--out", f("m.bin")]);
  assert.equal(r.code, 0);
  assert.match(r.out, /^\s+#\s+bytes\s+key\s+expires/m);
  assert.match(r.out, /ISRG Root X1/);
  const m = /total (\d+) bytes = header 56 \+ indexes (\d+) \+ records (\d+) \/ budget 65536 \(esp32 budgets\.caStoreBytes\): fits/.exec(r.out);
  assert.ok(m, r.out.slice(-500));
  const img = readFileSync(f("m.bin"));
  assert.equal(+m[1], img.length);
  const st = readImage(img);
  assert.equal(st.header.version, 7);
  assert.equal(st.header.created, Date.UTC(2025, 10, 21) / 1000);
  // per-anchor sizes add up to the total
  const sizes = [...r.out.matchAll(/^\s*\d+\s+(\d+)\s+(RSA|EC|Ed|other)/gm)].map((x) => +x[1]);
  assert.equal(sizes.length, st.header.count);
  assert.equal(sizes.reduce((a, b) => a + b, 0) + 56, img.length);

  const only = await run(cabundleCommand, ["build", "--mozilla", "--only", "ISRG Root", "--out", f("isrg.bin"), "--quiet"]);
  assert.equal(only.code, 0);
  assert.equal(readImage(readFileSync(f("isrg.bin"))).header.count, 2);
  // exclude by certificate fingerprint (ISRG Root X1, colon form)
  const x1 = "96:BC:EC:06:26:49:76:F3:74:60:77:9A:CF:28:C5:A7:CF:E8:A3:C0:AA:E1:1A:8F:FC:EE:05:C0:BD:DF:08:C6";
  const ex = await run(cabundleCommand, ["build", "--mozilla", "--only", "ISRG Root", "--exclude", x1, "--out", f("x2.bin"), "--quiet"]);
  assert.equal(ex.code, 0);
  const x2 = readImage(readFileSync(f("x2.bin")));
  assert.equal(x2.header.count, 1);
  await fails(cabundleCommand, ["build", "--mozilla", "--only", "No Such Root CA", "--out", f("n.bin")], /--only "No Such Root CA" matches no certificate/);
});

test("cabundle build refuses a store that does not fit the board, and writes nothing", { skip: !have && "no " + MOZILLA_BUNDLE }, async () => {
  await fails(cabundleCommand, ["build", "--mozilla", "--board", "espruino-wifi", "--out", f("wifi.bin")], /does not fit espruino-wifi's CA store budget of 8192 bytes; nothing written/);
  assert.equal(existsSync(f("wifi.bin")), false);
  // a few anchors do fit
  const r = await run(cabundleCommand, ["build", "--mozilla", "--only", "ISRG", "--only", "DigiCert Global Root G2", "--board", "espruino-wifi", "--out", f("wifi.bin")]);
  assert.match(r.out, /budget 8192 \(espruino-wifi budgets\.caStoreBytes\): fits/);
  // and through the real command line: exit status 1 and the reason
  const p = spawnSync(process.execPath, [path.join(ROOT, "tools/cli.mjs"), "cabundle", "build", "--mozilla", "--board", "espruino-wifi", "--out", f("w2.bin")], { encoding: "utf8" });
  assert.equal(p.status, 1);
  assert.match(p.stderr, /does not fit/);
});

test("cabundle build from files and directories; duplicates, keys and junk are named", async () => {
  mkdirSync(f("certs"));
  copyFileSync(root.certFile, f("certs/root.pem"));
  writeFileSync(f("certs/root.der"), root.der); // the same certificate again: skipped
  copyFileSync(soon.certFile, f("certs/soon.crt"));
  copyFileSync(root.keyFile, f("certs/root.key")); // not a certificate extension: ignored
  const r = await run(cabundleCommand, ["build", f("certs"), "--out", f("dir.bin"), "--board", "linux"]);
  assert.match(r.out, /read 2 certificate\(s\), 1 duplicate\(s\) skipped; 2 anchor\(s\) stored/);
  assert.equal(readImage(readFileSync(f("dir.bin"))).header.count, 2);
  await fails(cabundleCommand, ["build", root.keyFile, "--out", f("k.bin")], /holds a private key in PKCS#8 \(PEM "PRIVATE KEY"\), not a certificate/);
  writeFileSync(f("junk.txt"), "hello\n");
  await fails(cabundleCommand, ["build", f("junk.txt"), "--out", f("k.bin")], /holds text without any PEM block, not a certificate/);
  await fails(cabundleCommand, ["build", f("missing.pem")], /missing\.pem: no such file/);
  await fails(cabundleCommand, ["build"], /give certificate files or directories, or --mozilla/);
  await fails(cabundleCommand, ["frobnicate"], /cabundle needs a subcommand: build \| inspect \| sign/);
  await fails(cabundleCommand, ["build", root.certFile, "--bogus"], /unknown option --bogus/);
  await fails(cabundleCommand, ["build", root.certFile, "--version", "0"], /--version must be from 1/);
});

test("cabundle inspect: anchors, fingerprints, expiry warnings, and refusals", async () => {
  await run(cabundleCommand, ["build", root.certFile, soon.certFile, "--out", f("two.bin"), "--distrust-after", "cli root=2030-01-01"]);
  const r = await run(cabundleCommand, ["inspect", f("two.bin"), "--days", "30", "--board", "esp32"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /2 anchors, \d+ bytes \(budget 65536 on esp32: fits\), body SHA-256 [0-9a-f]{64} \(checked\)/);
  assert.match(r.out, /O=espruino-tls test, CN=cli root .*distrust after 2030-01-01/);
  assert.match(r.err, /warning: anchor \d \(cli short-lived root\) expires on \d{4}-\d\d-\d\d, within 30 days/);
  assert.doesNotMatch(r.err, /cli root\)/);
  const j = JSON.parse((await run(cabundleCommand, ["inspect", f("two.bin"), "--json"])).out);
  assert.equal(j.anchors.length, 2);
  assert.match(j.anchors[0].keySha256, /^[0-9a-f]{64}$/);
  const bad = readFileSync(f("two.bin"));
  bad[bad.length - 2] ^= 1;
  writeFileSync(f("bad.bin"), bad);
  await fails(cabundleCommand, ["inspect", f("bad.bin")], /CASTORE_CORRUPT: SHA-256 of the body does not match/);
  await fails(cabundleCommand, ["inspect", root.certFile], /holds an X\.509 certificate, not a CA store image/);
});

test("cert der | pem", async () => {
  const r = await run(certCommand, ["der", root.certFile, "--out", f("root.der")]);
  assert.deepEqual(readFileSync(f("root.der")), root.der);
  assert.match(r.out, /wrote .*root\.der: \d+ bytes of DER \(1 certificate, from \d+ input bytes\)/);
  assert.match(r.out, /CN=cli root.*SHA-256 [0-9a-f]{64}/);
  await run(certCommand, ["pem", f("root.der"), soon.certFile, "--out", f("both.pem")]);
  const both = readFileSync(f("both.pem"), "latin1");
  assert.equal((both.match(/BEGIN CERTIFICATE/g) || []).length, 2);
  assert.deepEqual(Buffer.from(new X509Certificate(both).raw), root.der);
  await fails(certCommand, ["der", f("both.pem"), "--out", f("x.der")], /holds 2 certificates: choose one with --index 0\.\.1/);
  await run(certCommand, ["der", f("both.pem"), "--index", "1", "--out", f("soon.der")]);
  assert.deepEqual(readFileSync(f("soon.der")), soon.der);
  await fails(certCommand, ["der", root.keyFile], /holds a private key in PKCS#8 \(PEM "PRIVATE KEY"\), not a certificate: use `espruino-tls key der\|pem` for keys/);
  await fails(certCommand, ["der", root.certFile, "--out", root.certFile], /would overwrite/);
});

test("key der | pem: PKCS#8, PKCS#1, SEC1, SPKI, with errors that name the format found", async () => {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(f("ec-sec1.pem"), ec.privateKey.export({ format: "pem", type: "sec1" }));
  writeFileSync(f("rsa-pkcs1.pem"), rsa.privateKey.export({ format: "pem", type: "pkcs1" }));
  writeFileSync(f("rsa-pkcs8.der"), rsa.privateKey.export({ format: "der", type: "pkcs8" }));
  writeFileSync(f("ec-enc.pem"), ec.privateKey.export({ format: "pem", type: "pkcs8", cipher: "aes-128-cbc", passphrase: "pw" }));

  // same structure by default
  let r = await run(keyCommand, ["der", f("ec-sec1.pem"), "--out", f("ec-sec1.der")]);
  assert.match(r.out, /bytes, EC P-256 private key in SEC1 DER \(from SEC1 PEM/);
  assert.deepEqual(readFileSync(f("ec-sec1.der")), ec.privateKey.export({ format: "der", type: "sec1" }));
  r = await run(keyCommand, ["der", f("ec-sec1.pem"), "--to", "pkcs8", "--out", f("ec-p8.der")]);
  assert.deepEqual(readFileSync(f("ec-p8.der")), ec.privateKey.export({ format: "der", type: "pkcs8" }));
  r = await run(keyCommand, ["pem", f("rsa-pkcs8.der"), "--to", "pkcs1", "--out", f("rsa1.pem")]);
  assert.match(readFileSync(f("rsa1.pem"), "latin1"), /BEGIN RSA PRIVATE KEY/);
  assert.match(r.out, /RSA-2048 private key in PKCS#1 PEM \(from PKCS#8 DER/);
  r = await run(keyCommand, ["der", f("rsa-pkcs1.pem"), "--to", "spki", "--out", f("rsa-pub.der")]);
  assert.deepEqual(readFileSync(f("rsa-pub.der")), rsa.publicKey.export({ format: "der", type: "spki" }));
  r = await run(keyCommand, ["pem", f("rsa-pub.der"), "--out", f("rsa-pub.pem")]);
  assert.match(readFileSync(f("rsa-pub.pem"), "latin1"), /BEGIN PUBLIC KEY/);
  // a certificate's public key
  r = await run(keyCommand, ["der", root.certFile, "--to", "spki", "--out", f("root-pub.der")]);
  assert.deepEqual(readFileSync(f("root-pub.der")), Buffer.from(new X509Certificate(root.pem).publicKey.export({ format: "der", type: "spki" })));
  // the wrong thing, named
  await fails(keyCommand, ["der", f("ec-sec1.pem"), "--to", "pkcs1"], /--to pkcs1 needs an RSA key; .*ec-sec1\.pem holds an EC private key in SEC1 \(PEM "EC PRIVATE KEY"\) \(EC P-256\)/);
  await fails(keyCommand, ["der", f("rsa-pkcs1.pem"), "--to", "sec1"], /--to sec1 needs an EC private key; .* holds an RSA private key in PKCS#1/);
  await fails(keyCommand, ["der", root.certFile], /holds an X\.509 certificate, not a key .*use `espruino-tls cert der\|pem` for certificates/);
  await fails(keyCommand, ["der", f("ec-enc.pem")], /holds an encrypted private key .*decrypt it first/);
  await fails(keyCommand, ["der", f("rsa-pub.der"), "--to", "pkcs8"], /--to pkcs8 needs a private key; .* holds a public key \(SubjectPublicKeyInfo/);
  await fails(keyCommand, ["der", f("x.key"), "--to", "pkcs9"], /--to must be pkcs8, pkcs1, sec1 or spki/);
  assert.match(ecKeyPem, /BEGIN PRIVATE KEY/);
  r = await run(keyCommand, ["der", root.keyFile, "--out", f("root-key.der")]);
  assert.equal(createPrivateKey({ key: readFileSync(f("root-key.der")), format: "der", type: "pkcs8" }).asymmetricKeyType, "ec");
});

test("every command answers --help through the command line", () => {
  for (const cmd of [["cabundle", "build"], ["cabundle", "inspect"], ["cert", "der"], ["key", "pem"]]) {
    const out = execFileSync(process.execPath, [path.join(ROOT, "tools/cli.mjs"), ...cmd, "--help"], { encoding: "utf8" });
    assert.match(out, new RegExp("usage: espruino-tls " + cmd[0]));
    assert.match(out, new RegExp(cmd[1]));
  }
});
