#!/usr/bin/env node
// `npm run limbo`: runs the x509-limbo suite (../shared/vectors/x509-limbo/limbo.json, see
// FORMAT.md there) through the X.509 validator of the test bundle and scores it.
//
//   node tools/limbo.mjs [--mock | --dev] [--only <substring>] [--verbose]
//
// Every SERVER case is validated as a TLS client would (web-PKI profile); CLIENT cases and
// features we do not implement are skipped, each with its reason. Prints pass / fail / skip,
// counts wrong accepts ("unexpected verification": expected FAILURE, got SUCCESS) apart from
// wrong rejects, and writes results/limbo-results.json in upstream's LimboResult shape plus
// our expected/verdict fields.
//
// loadTestBundle() decides where the validator runs:
//  --mock (default when the firmware builds): the built test bundle (dist/linux/
//          espruino-tls-test.js, rebuilt first) in the board mock;
//  --dev: an esbuild bundle of firmware/testing.ts in a Node vm; crypto modules that do not
//          exist yet are replaced by host test doubles (node:crypto / BigInt) and the output
//          says so.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import nodeCrypto from "node:crypto";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LIMBO = path.resolve(ROOT, "../shared/vectors/x509-limbo/limbo.json");
const RESULTS = path.join(ROOT, "results/limbo-results.json");
const HANG_SECONDS = 5;

// ---- skip policy ----------------------------------------------------------------------------

/** Features we do not implement, with the reason. Features not listed here are implemented. */
const SKIP_FEATURES = {
  "has-crl": "revocation (CRLs) is not checked by this validator",
  "has-policy-constraints": "certificate policies are not processed (validation runs with any-policy)",
  "pedantic-webpki-eku": "extKeyUsage is optional in the leaf (RFC 5280 reading; serverAuth is enforced only where EKU is present), and anyExtendedKeyUsage/critical EKU lints are not applied",
  "pedantic-public-suffix-wildcard": "no Public Suffix List on the board (only '*.tld' wildcards are refused)",
  "pedantic-rfc5280": "an anchor certificate is not required to carry an authorityKeyIdentifier (a trusted cross-signed root without one is what cve::cve-2024-0567 expects to pass)",
  "rfc5280-incompatible-with-webpki": "web-PKI profile chosen where RFC 5280 and the web PKI disagree",
};
// Implemented features: denial-of-service, max-chain-depth, name-constraint-dn,
// pedantic-serial-number, pedantic-webpki-subscriber-key.

/** Individual deliberate deviations. */
const SKIP_IDS = {
  "pathlen::validation-ignores-pathlen-in-leaf": "a CA certificate (cA=TRUE) as the leaf is refused by our web-PKI profile (the rule of webpki::ca-as-leaf)",
};

/** Deliberate deviations by id prefix. */
const SKIP_PREFIXES = {
  "webpki::cn::": "the subject CN is never consulted (identity is SAN-only, RFC 9525), and the CA/B BR 7.1.4.3 issuance rule 'CN must repeat a SAN entry' is not enforced by default: this suite's own generated leaves break it (CN=example.com beside other SANs) in cases expected to pass, e.g. webpki::san::leftmost-wildcard-san (option checkCommonName enforces it)",
};

function skipReason(tc, featureSkipped) {
  if (tc.validation_kind !== "SERVER") return "CLIENT validation: a TLS client only validates server certificates";
  for (const p of Object.keys(SKIP_PREFIXES)) if (tc.id.startsWith(p)) return SKIP_PREFIXES[p];
  for (const f of tc.features) if (SKIP_FEATURES[f]) return `feature ${f}: ${SKIP_FEATURES[f]}`;
  if (SKIP_IDS[tc.id]) return SKIP_IDS[tc.id];
  // conflicting pairs: keep the webpki:: side unless that one is skipped for a feature
  if (tc.conflicts_with.length && !tc.id.startsWith("webpki::")) {
    for (const other of tc.conflicts_with) if (!featureSkipped.has(other)) return `conflicts with ${other} (web-PKI profile chosen)`;
  }
  if (tc.expected_peer_name && tc.expected_peer_name.kind === "RFC822") return "RFC822 peer names are not server identities";
  return null;
}

// ---- loading the validator ------------------------------------------------------------------

const CRYPTO_MODULES = ["rsa", "ecdsa", "ecurve", "ed25519", "sha2"];
const missingCrypto = () => CRYPTO_MODULES.filter((m) => !existsSync(path.join(ROOT, "firmware/crypto", m + ".ts")));

/** Loads the test bundle: returns { T, where } with T the bundle's exports. */
export async function loadTestBundle(mode) {
  if (!mode) mode = missingCrypto().length ? "dev" : "mock";
  if (mode === "doubles") return loadDevBundle(true);
  if (mode === "mock") {
    const { buildBoard } = await import("./build.mjs");
    const { createBoard } = await import("./mock/board.mjs");
    const file = await buildBoard("linux", { test: true, quiet: true });
    const board = createBoard({ board: "linux" });
    const T = board.loadLibrary(file, "espruino-tls-test");
    return { T, where: `built test bundle ${path.relative(ROOT, file)} in the board mock`, close: () => board.close() };
  }
  return loadDevBundle();
}

async function loadDevBundle(allDoubles) {
  const { build } = await import("esbuild");
  const missing = allDoubles ? ["rsa", "ecdsa", "ecurve", "ed25519"] : missingCrypto();
  const shims = {
    ecdsa: "export function ecdsaVerify(curve, point, digest, sig) { return __hostCrypto.ecdsaVerify(curve, point, digest, sig); }",
    ecurve: 'export const P256 = "P256"; export const P384 = "P384";',
    ed25519: "export function ed25519Verify(pub, msg, sig) { return __hostCrypto.ed25519Verify(pub, msg, sig); }",
    rsa: "export function rsaVerifyPkcs1Job(n, e, h, d, s) { var r = __hostCrypto.rsaPkcs1(n, e, h, d, s); return { step: function () { return true; }, result: function () { return r; } }; }\n" +
      "export function rsaVerifyPssJob() { return { step: function () { return true; }, result: function () { return false; } }; }",
  };
  const plugin = {
    name: "crypto-doubles",
    setup(b) {
      b.onResolve({ filter: /^\.\.\/crypto\/(ecdsa|ecurve|ed25519|rsa)$/ }, (a) => {
        const m = a.path.split("/").pop();
        return missing.includes(m) && a.importer.includes(path.join("firmware", "x509")) ? { path: m, namespace: "double" } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: "double" }, (a) => ({ contents: shims[a.path], loader: "js" }));
    },
  };
  // only the X.509 test exports, so that other modules being edited cannot break this run
  const entry = { contents: 'export { x509t } from "./firmware/testing/x509t";', resolveDir: ROOT, loader: "ts" };
  const out = await build({ stdin: entry, bundle: true, format: "cjs", write: false, platform: "neutral", target: "es2015", external: ["crypto"], plugins: [plugin], logLevel: "silent" });
  const nativeHash = (alg) => (d) => {
    const b = typeof d === "string" ? Buffer.from(d, "latin1") : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    return new Uint8Array(nodeCrypto.createHash(alg).update(b).digest()).buffer;
  };
  const nativeCrypto = { SHA1: nativeHash("sha1"), SHA256: nativeHash("sha256"), SHA384: nativeHash("sha384"), SHA512: nativeHash("sha512") };
  const E = {
    toUint8Array: (s) => Uint8Array.from(String(s), (c) => c.charCodeAt(0) & 255),
    toString: (a) => String.fromCharCode.apply(null, Array.from(a)),
    getSizeOf: () => 0,
  };
  const ctx = { module: { exports: {} }, E, getTime: () => Date.now() / 1000, setTimeout, console, __hostCrypto: hostCrypto, require: (n) => { if (n === "crypto") return nativeCrypto; throw new Error("no module " + n); } };
  ctx.exports = ctx.module.exports;
  vm.createContext(ctx);
  vm.runInContext(out.outputFiles[0].text, ctx);
  const doubles = missing.filter((m) => shims[m]);
  return { T: ctx.module.exports, where: "esbuild dev bundle in a Node vm" + (doubles.length ? ` (HOST TEST DOUBLES for crypto/${doubles.join(", crypto/")})` : ""), close() {} };
}

// Host test doubles (only used while the firmware crypto modules do not exist yet).
const CURVES = {
  65: { p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n, n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n, gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n, len: 32 },
  97: { p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n, n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n, gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n, gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn, len: 48 },
};
const big = (b) => BigInt("0x" + (Buffer.from(b).toString("hex") || "0"));
const hostCrypto = {
  ecdsaVerify(curve, point, digest, sig) {
    const C = CURVES[point.length];
    if (!C) return false;
    const { p, n } = C;
    const mod = (a, m) => ((a % m) + m) % m;
    const inv = (a, m) => { let [r0, r1, t0, t1] = [mod(a, m), m, 1n, 0n]; while (r1) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [t0, t1] = [t1, t0 - q * t1]; } return mod(t0, m); };
    const add = (P, Q) => {
      if (!P) return Q; if (!Q) return P;
      if (P[0] === Q[0]) { if (mod(P[1] + Q[1], p) === 0n) return null; const l = mod(3n * P[0] * P[0] - 3n, p) * inv(2n * P[1], p) % p; const x = mod(l * l - 2n * P[0], p); return [x, mod(l * (P[0] - x) - P[1], p)]; }
      const l = mod(Q[1] - P[1], p) * inv(mod(Q[0] - P[0], p), p) % p; const x = mod(l * l - P[0] - Q[0], p); return [x, mod(l * (P[0] - x) - P[1], p)];
    };
    const mul = (k, P) => { let R = null; for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) { R = add(R, R); if ((k >> i) & 1n) R = add(R, P); } return R; };
    const b = Buffer.from(sig);
    if (b[0] !== 0x30 || b[1] !== b.length - 2) return false;
    let o = 2; const ints = [];
    for (let k = 0; k < 2; k++) { if (b[o] !== 2) return false; const l = b[o + 1]; ints.push(big(b.subarray(o + 2, o + 2 + l))); o += 2 + l; }
    if (o !== b.length) return false;
    const [r, s] = ints;
    if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
    let e = big(digest); const dl = digest.length * 8, nl = n.toString(2).length; if (dl > nl) e >>= BigInt(dl - nl);
    const Q = [big(point.subarray(1, 1 + C.len)), big(point.subarray(1 + C.len))];
    const w = inv(s, n);
    const X = add(mul(mod(e * w, n), [C.gx, C.gy]), mul(mod(r * w, n), Q));
    return X !== null && mod(X[0], n) === r;
  },
  rsaPkcs1(n, e, h, digest, sig) {
    const key = nodeCrypto.createPublicKey({ key: { kty: "RSA", n: Buffer.from(n).toString("base64url"), e: Buffer.from(e).toString("base64url") }, format: "jwk" });
    if (sig.length !== n.length) return false;
    let em;
    try { em = nodeCrypto.publicDecrypt({ key, padding: nodeCrypto.constants.RSA_NO_PADDING }, Buffer.from(sig)); } catch { return false; }
    const id = { "SHA-256": 1, "SHA-384": 2, "SHA-512": 3 }[h.name];
    const L = digest.length;
    const t = Buffer.concat([Buffer.from([0x30, 0x11 + L, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, id, 0x05, 0x00, 0x04, L]), Buffer.from(digest)]);
    const want = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(em.length - t.length - 3, 255), Buffer.from([0]), t]);
    return want.equals(em);
  },
  ed25519Verify(pub, msg, sig) {
    const key = nodeCrypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(pub).toString("base64url") }, format: "jwk" });
    return nodeCrypto.verify(null, Buffer.from(msg), key, Buffer.from(sig));
  },
};

// ---- running -----------------------------------------------------------------------------

function pemToDer(pem) {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
}

/** Runs one SERVER case; returns { actual: "SUCCESS"|"FAILURE"|"HANG", context, ms }. */
export function runCase(T, tc) {
  const x = T.x509t.x509;
  const chain = [pemToDer(tc.peer_certificate), ...tc.untrusted_intermediates.map(pemToDer)];
  const opts = {
    time: tc.validation_time ? Date.parse(tc.validation_time) / 1000 : Date.now() / 1000,
    anchors: tc.trusted_certs.map(pemToDer),
  };
  if (tc.expected_peer_name) opts.host = tc.expected_peer_name.value;
  if (tc.max_chain_depth !== null && tc.max_chain_depth !== undefined) opts.maxChainDepth = tc.max_chain_depth;
  if (tc.key_usage.includes("digitalSignature")) opts.keyUsage = x.KU_DIGITAL_SIGNATURE;
  const t0 = process.hrtime.bigint();
  let actual, context;
  try {
    x.validate(chain, opts);
    actual = "SUCCESS";
    context = null;
  } catch (e) {
    if (!e || !e.code) throw e;
    actual = "FAILURE";
    context = `${e.code}: ${e.message}`;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ms > HANG_SECONDS * 1000) { context = `took ${(ms / 1000).toFixed(1)} s (${actual}${context ? ": " + context : ""})`; actual = "HANG"; }
  return { actual, context, ms };
}

/** Runs the suite on T: returns { counts, applicable, results, skipBy, slow }. */
export function runSuite(T, suite, { only = null, log = null } = {}) {
  const featureSkipped = new Set(suite.testcases.filter((tc) => tc.features.some((f) => SKIP_FEATURES[f])).map((tc) => tc.id));
  const results = [];
  const counts = { pass: 0, wrongAccept: 0, wrongReject: 0, hang: 0, skip: 0 };
  const skipBy = {};
  const slow = [];
  for (const tc of suite.testcases) {
    if (only && !tc.id.includes(only)) continue;
    const why = skipReason(tc, featureSkipped);
    if (why) {
      counts.skip++;
      skipBy[why] = (skipBy[why] || 0) + 1;
      results.push({ id: tc.id, actual_result: "SKIPPED", context: why, expected_result: tc.expected_result, verdict: "skip" });
      continue;
    }
    const r = runCase(T, tc);
    let verdict;
    if (r.actual === "HANG") { verdict = "hang"; counts.hang++; }
    else if (r.actual === tc.expected_result) { verdict = "pass"; counts.pass++; }
    else if (r.actual === "SUCCESS") { verdict = "WRONG ACCEPT"; counts.wrongAccept++; }
    else { verdict = "wrong reject"; counts.wrongReject++; }
    if (r.ms > 1000) slow.push(`${tc.id} ${(r.ms / 1000).toFixed(1)} s`);
    results.push({ id: tc.id, actual_result: r.actual, context: r.context, expected_result: tc.expected_result, verdict, ms: Math.round(r.ms) });
    if (log) log(verdict, tc, r);
  }
  const applicable = counts.pass + counts.wrongAccept + counts.wrongReject + counts.hang;
  return { counts, applicable, results, skipBy, slow };
}

export const readSuite = () => JSON.parse(readFileSync(LIMBO, "utf8"));

async function main(args) {
  const mode = args.includes("--dev") ? "dev" : args.includes("--mock") ? "mock" : args.includes("--doubles") ? "doubles" : null;
  const oi = args.indexOf("--only");
  const only = oi >= 0 ? args[oi + 1] : null;
  const verbose = args.includes("--verbose");
  const suite = readSuite();
  const { T, where, close } = await loadTestBundle(mode);
  console.log(`x509-limbo: ${suite.testcases.length} cases; validator: ${where}`);
  const log = (verdict, tc, r) => {
    if (verdict !== "pass" || verbose) console.log(`${verdict.padEnd(12)} ${tc.id}  expected ${tc.expected_result}${r.context ? "  [" + r.context + "]" : ""}`);
  };
  const { counts, applicable, results, skipBy, slow } = runSuite(T, suite, { only, log });
  close();
  console.log("\nskipped:");
  for (const [why, n] of Object.entries(skipBy)) console.log(`  ${String(n).padStart(3)}  ${why}`);
  if (slow.length) console.log("slow (> 1 s): " + slow.join(", "));
  const pct = applicable ? ((100 * counts.pass) / applicable).toFixed(1) : "0";
  console.log(`\napplicable SERVER cases: ${applicable}   pass: ${counts.pass} (${pct} %)   wrong accepts: ${counts.wrongAccept}   wrong rejects: ${counts.wrongReject}   hangs: ${counts.hang}   skipped: ${counts.skip}`);
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify({ version: 1, harness: "espruino-tls-x509", validator: where, summary: { applicable, ...counts, passPercent: Number(pct) }, results }, null, 1) + "\n");
  console.log(`results: ${path.relative(ROOT, RESULTS)}`);
  return counts.wrongAccept === 0 && applicable > 0 && counts.pass >= 0.95 * applicable ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { console.error(e && e.stack ? e.stack : e); process.exitCode = 2; });
}
