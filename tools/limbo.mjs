#!/usr/bin/env node
// `npm run limbo`: runs the x509-limbo suite (test/vectors/data/x509-limbo/limbo.json, see the
// README.md beside it) through the X.509 validator of the test bundle and scores it.
//
//   node tools/limbo.mjs [--only <substring>] [--verbose]
//
// Every SERVER case is validated as a TLS client would (web-PKI profile); CLIENT cases are not
// run, and SERVER cases for features we do not implement, profile conflicts and deliberate
// deviations are skipped, each with its kind and reason, but still run to count what the
// validator would say. Prints pass / fail / skip, counts wrong accepts ("unexpected
// verification": expected FAILURE, got SUCCESS) apart from wrong rejects, scores
// pyca/cryptography's results on the same cases, and writes results/limbo-results.json in
// upstream's LimboResult shape plus our expected/verdict/if_run fields.
//
// The validator is the built test bundle (dist/linux/espruino-tls-test.js, rebuilt when older
// than the sources) in the board mock: test/helpers/firmware.mjs.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadFirmware } from "../test/helpers/firmware.mjs";
import { VECTORS } from "./lib/paths.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LIMBO = path.join(VECTORS, "x509-limbo/limbo.json");
const PYCA = path.join(VECTORS, "x509-limbo/local-pyca-cryptography-48.0.0.json");
const RESULTS = path.join(ROOT, "results/limbo-results.json");
const HANG_SECONDS = 5;

// ---- skip policy ----------------------------------------------------------------------------
//
// Every skip has a kind, so that README can say how many SERVER cases are skipped for what:
//   profile     RFC 5280 and the web PKI (CA/B Forum, webpki) disagree; the web-PKI side is kept
//   unsupported a feature this validator does not have (revocation, policies, Public Suffix List)
//   pedantic    a pedantic rule it does not apply
//   deviation   a deliberate deviation from the case's expectation, with its reason
// Skipped SERVER cases are still run ("if run"), so that the report can say how many
// expected-FAILURE cases among them the validator would accept.

const KINDS = {
  profile: "profile conflict (RFC 5280 vs web PKI)",
  unsupported: "not implemented",
  pedantic: "pedantic rule not applied",
  deviation: "deliberate deviation",
};

/** Features we do not implement: [kind, reason]. Features not listed here are implemented. */
const SKIP_FEATURES = {
  "has-crl": ["unsupported", "revocation (CRLs) is not checked by this validator"],
  "has-policy-constraints": ["unsupported", "certificate policies are not processed (validation runs with any-policy)"],
  "pedantic-webpki-eku": ["pedantic", "extKeyUsage is optional in the leaf (RFC 5280 reading; serverAuth is enforced only where EKU is present), and anyExtendedKeyUsage/critical EKU lints are not applied"],
  "pedantic-public-suffix-wildcard": ["unsupported", "no Public Suffix List on the board (only '*.tld' wildcards are refused)"],
  "pedantic-rfc5280": ["pedantic", "an anchor certificate is not required to carry an authorityKeyIdentifier (a trusted cross-signed root without one is what cve::cve-2024-0567 expects to pass)"],
  "rfc5280-incompatible-with-webpki": ["profile", "web-PKI profile chosen where RFC 5280 and the web PKI disagree"],
};
// Implemented features: denial-of-service, max-chain-depth, name-constraint-dn,
// pedantic-serial-number, pedantic-webpki-subscriber-key.

const NO_AKI = "authorityKeyIdentifier is not required (issue 18): browsers, Go, OpenSSL and webpki accept certificates without it; paths are built by name (option requireAki enforces RFC 5280 4.2.1.1)";

/** Individual cases: [kind, reason]. */
const SKIP_IDS = {
  "pathlen::validation-ignores-pathlen-in-leaf": ["profile", "a CA certificate (cA=TRUE) as the leaf is refused by our web-PKI profile (the rule of webpki::ca-as-leaf)"],
  "rfc5280::aki::leaf-missing-aki": ["deviation", NO_AKI],
  "rfc5280::aki::intermediate-missing-aki": ["deviation", NO_AKI],
  "rfc5280::nc::invalid-dnsname-leading-period": ["deviation", "a leading-period dNSName constraint ('.example.com') is read as 'subdomains only', as OpenSSL, Go, NSS and webpki read it (issue 18), not refused as malformed"],
};

/** Cases by id prefix: [kind, reason]. */
const SKIP_PREFIXES = {
  "webpki::cn::": ["deviation", "the subject CN is never consulted (identity is SAN-only, RFC 9525), and the CA/B BR 7.1.4.3 issuance rule 'CN must repeat a SAN entry' is not enforced by default: this suite's own generated leaves break it (CN=example.com beside other SANs) in cases expected to pass, e.g. webpki::san::leftmost-wildcard-san (option checkCommonName enforces it)"],
};

/** Why a SERVER case is skipped: { kind, why }, or null when it is run. */
function skipReason(tc, featureSkipped) {
  const as = (kw) => ({ kind: kw[0], why: kw[1] });
  for (const p of Object.keys(SKIP_PREFIXES)) if (tc.id.startsWith(p)) return as(SKIP_PREFIXES[p]);
  for (const f of tc.features) if (SKIP_FEATURES[f]) return { kind: SKIP_FEATURES[f][0], why: `feature ${f}: ${SKIP_FEATURES[f][1]}` };
  if (SKIP_IDS[tc.id]) return as(SKIP_IDS[tc.id]);
  // conflicting pairs: keep the webpki:: side unless that one is skipped for a feature
  if (tc.conflicts_with.length && !tc.id.startsWith("webpki::")) {
    for (const other of tc.conflicts_with) if (!featureSkipped.has(other)) return { kind: "profile", why: `conflicts with ${other} (web-PKI profile chosen)` };
  }
  if (tc.expected_peer_name && tc.expected_peer_name.kind === "RFC822") return { kind: "unsupported", why: "RFC822 peer names are not server identities" };
  return null;
}

// ---- loading the validator ------------------------------------------------------------------

/** Loads the test bundle in the board mock: { T, where, close } with T the bundle's exports. */
export async function loadTestBundle() {
  return loadFirmware({ board: "linux" });
}

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

const verdictOf = (expected, actual) =>
  actual === "HANG" ? "hang" : actual === expected ? "pass" : actual === "SUCCESS" ? "WRONG ACCEPT" : "wrong reject";

/**
 * Runs the suite on T. Returns { counts, applicable, server, results, skipBy, slow }:
 *  counts: pass, wrongAccept, wrongReject, hang (cases run), skip (all skipped, CLIENT too),
 *    client (CLIENT cases), skipServer (skipped SERVER cases), and for those, run anyway:
 *    skipAcceptsFailure (expected FAILURE, validator says SUCCESS), skipRejectsSuccess,
 *    skipAgrees (its verdict equals the expectation);
 *  applicable: SERVER cases run; server: all SERVER cases;
 *  skipBy: { "kind: reason": { n, acceptsFailure: [ids], rejectsSuccess: [ids] } }.
 */
export function runSuite(T, suite, { only = null, log = null } = {}) {
  const featureSkipped = new Set(suite.testcases.filter((tc) => tc.features.some((f) => SKIP_FEATURES[f])).map((tc) => tc.id));
  const results = [];
  const counts = { pass: 0, wrongAccept: 0, wrongReject: 0, hang: 0, skip: 0, client: 0, skipServer: 0, skipAcceptsFailure: 0, skipRejectsSuccess: 0, skipAgrees: 0 };
  const skipBy = {};
  const slow = [];
  let server = 0;
  for (const tc of suite.testcases) {
    if (only && !tc.id.includes(only)) continue;
    if (tc.validation_kind !== "SERVER") {
      counts.skip++;
      counts.client++;
      results.push({ id: tc.id, actual_result: "SKIPPED", context: "CLIENT validation: a TLS client only validates server certificates", expected_result: tc.expected_result, verdict: "skip" });
      continue;
    }
    server++;
    const skip = skipReason(tc, featureSkipped);
    const r = runCase(T, tc);
    if (r.ms > 1000) slow.push(`${tc.id} ${(r.ms / 1000).toFixed(1)} s`);
    const v = verdictOf(tc.expected_result, r.actual);
    if (skip) {
      counts.skip++;
      counts.skipServer++;
      const key = `${KINDS[skip.kind]}: ${skip.why}`;
      const by = skipBy[key] || (skipBy[key] = { kind: skip.kind, n: 0, acceptsFailure: [], rejectsSuccess: [] });
      by.n++;
      if (v === "pass") counts.skipAgrees++;
      else if (v === "WRONG ACCEPT") { counts.skipAcceptsFailure++; by.acceptsFailure.push(tc.id); }
      else { counts.skipRejectsSuccess++; by.rejectsSuccess.push(tc.id); }
      results.push({ id: tc.id, actual_result: "SKIPPED", context: key, expected_result: tc.expected_result, verdict: "skip", skip_kind: skip.kind, if_run: r.actual, if_run_context: r.context });
      continue;
    }
    if (v === "hang") counts.hang++;
    else if (v === "pass") counts.pass++;
    else if (v === "WRONG ACCEPT") counts.wrongAccept++;
    else counts.wrongReject++;
    results.push({ id: tc.id, actual_result: r.actual, context: r.context, expected_result: tc.expected_result, verdict: v, ms: Math.round(r.ms) });
    if (log) log(v, tc, r);
  }
  const applicable = counts.pass + counts.wrongAccept + counts.wrongReject + counts.hang;
  return { counts, applicable, server, results, skipBy, slow };
}

/** pyca/cryptography's results (upstream's harness, run locally on this limbo.json) scored
 *  the same way: over every SERVER case, and over the cases we run (`ours`: id -> verdict). */
export function scorePyca(suite, ours) {
  const res = JSON.parse(readFileSync(PYCA, "utf8"));
  const got = {};
  for (const r of res.results) got[r.id] = r.actual_result;
  const score = (cases) => {
    const c = { cases: cases.length, pass: 0, wrongAccept: 0, wrongReject: 0, skip: 0 };
    for (const tc of cases) {
      const a = got[tc.id];
      if (a === undefined || a === "SKIPPED") c.skip++;
      else { const v = verdictOf(tc.expected_result, a); if (v === "pass") c.pass++; else if (v === "WRONG ACCEPT") c.wrongAccept++; else c.wrongReject++; }
    }
    return c;
  };
  const server = suite.testcases.filter((tc) => tc.validation_kind === "SERVER");
  return { harness: res.harness, server: score(server), oursRun: score(server.filter((tc) => ours[tc.id] && ours[tc.id] !== "skip")) };
}

export const readSuite = () => JSON.parse(readFileSync(LIMBO, "utf8"));

async function main(args) {
  const oi = args.indexOf("--only");
  const only = oi >= 0 ? args[oi + 1] : null;
  const verbose = args.includes("--verbose");
  const suite = readSuite();
  const { T, where, close } = await loadTestBundle();
  console.log(`x509-limbo: ${suite.testcases.length} cases; validator: ${where}`);
  const log = (verdict, tc, r) => {
    if (verdict !== "pass" || verbose) console.log(`${verdict.padEnd(12)} ${tc.id}  expected ${tc.expected_result}${r.context ? "  [" + r.context + "]" : ""}`);
  };
  const { counts, applicable, server, results, skipBy, slow } = runSuite(T, suite, { only, log });
  close();
  console.log(`\nskipped SERVER cases (${counts.skipServer}), by reason; each was run anyway:`);
  const order = Object.keys(KINDS);
  const byKind = Object.entries(skipBy).sort((x, y) => order.indexOf(x[1].kind) - order.indexOf(y[1].kind) || y[1].n - x[1].n);
  for (const [why, b] of byKind) {
    console.log(`  ${String(b.n).padStart(3)}  ${why}`);
    if (b.acceptsFailure.length) console.log(`       accepted although expected FAILURE: ${b.acceptsFailure.join(", ")}`);
    if (b.rejectsSuccess.length) console.log(`       refused although expected SUCCESS: ${b.rejectsSuccess.join(", ")}`);
  }
  if (slow.length) console.log("slow (> 1 s): " + slow.join(", "));
  const kinds = {};
  for (const b of Object.values(skipBy)) kinds[b.kind] = (kinds[b.kind] || 0) + b.n;
  const ours = {};
  for (const r of results) ours[r.id] = r.verdict;
  const py = only ? null : scorePyca(suite, ours);
  console.log(`\nSERVER cases: ${server} = ${applicable} run + ${counts.skipServer} skipped (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ")}); ${counts.client} CLIENT cases not run`);
  console.log(`run: pass ${counts.pass} of ${applicable}, wrong accepts ${counts.wrongAccept}, wrong rejects ${counts.wrongReject}, hangs ${counts.hang}`);
  console.log(`skipped, run anyway: ${counts.skipAgrees} agree with the expectation, ${counts.skipAcceptsFailure} expected-FAILURE cases accepted, ${counts.skipRejectsSuccess} expected-SUCCESS cases refused`);
  if (py) {
    const f = (c) => `${c.pass} pass, ${c.wrongAccept} wrong accepts, ${c.wrongReject} wrong rejects, ${c.skip} skipped`;
    console.log(`${py.harness} on the same ${py.server.cases} SERVER cases: ${f(py.server)}; on the ${py.oursRun.cases} we run: ${f(py.oursRun)}`);
  }
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify({ version: 1, harness: "espruino-tls-x509", validator: where, summary: { server, applicable, ...counts, skipKinds: kinds, pyca: py }, results }, null, 1) + "\n");
  console.log(`results: ${path.relative(ROOT, RESULTS)}`);
  return counts.wrongAccept === 0 && counts.hang === 0 && applicable > 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { console.error(e && e.stack ? e.stack : e); process.exitCode = 2; });
}
