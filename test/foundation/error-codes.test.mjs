// Every error code the firmware can produce is asserted somewhere in test/ (issue 18 item 6): the
// codes are the upper-case string literals of firmware/ (EtError("CODE", ...), tlsFail(alert,
// "CODE", ...), the x509 constants, the SNTP reply codes, ...), cipher suite names left out; a code
// counts as tested when its name appears in a test file other than this one. A code that no test
// names must be in error-codes.allow.json with the reason why it is not tested ("unreachable: ..."
// for guards no input can trip, "TODO: ..." for a test still to write); an entry for a code that
// no longer exists, or without a reason, fails too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../tools/lib/paths.mjs";

function files(dir, ext) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p, ext) : ext.some((e) => f.endsWith(e)) ? [p] : [];
  });
}

const SUITE_NAME = /^TLS_(AES|CHACHA20)_|_WITH_/;
/** code -> the firmware files it appears in. */
function firmwareCodes() {
  const codes = {};
  for (const f of files(path.join(ROOT, "firmware"), [".ts"])) {
    // Codes are NAME_LIKE_THIS, or any upper-case word given to EtError (UNALIGNED).
    for (const m of readFileSync(f, "utf8").matchAll(/"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"|EtError\(\s*"([A-Z][A-Z0-9]+)"/g)) {
      const code = m[1] || m[2];
      if (SUITE_NAME.test(code)) continue;
      (codes[code] ||= new Set()).add(path.relative(ROOT, f));
    }
  }
  return codes;
}

const SELF = new Set(["error-codes.test.mjs"]);
const testText = files(path.join(ROOT, "test"), [".mjs", ".js"]).filter((f) => !SELF.has(path.basename(f)))
  .map((f) => readFileSync(f, "utf8")).join("\n");
const allow = JSON.parse(readFileSync(new URL("./error-codes.allow.json", import.meta.url), "utf8"));
const codes = firmwareCodes();

test("the firmware's error codes are found (the extraction works)", () => {
  for (const c of ["TLS_BAD_PSK", "CERT_EXPIRED", "UNKNOWN_ISSUER", "HTTP_TOO_LARGE", "NTP_KOD", "UNALIGNED"]) assert.ok(codes[c], c);
  assert.equal(codes.TLS_AES_128_GCM_SHA256, undefined, "a cipher suite name taken for a code");
  assert.ok(Object.keys(codes).length > 100, `${Object.keys(codes).length} codes`);
});

test("every error code firmware/ can produce is named by a test, or allow-listed with a reason", () => {
  const untested = Object.keys(codes).filter((c) => !new RegExp(`\\b${c}\\b`).test(testText) && !allow[c]).sort();
  assert.deepEqual(untested.map((c) => `${c} (${[...codes[c]].join(", ")})`), [],
    "codes no test asserts: add a test that produces each, or an entry with a reason to test/foundation/error-codes.allow.json");
});

test("error-codes.allow.json: every entry has a reason and names a code that still exists", () => {
  for (const [c, why] of Object.entries(allow)) {
    assert.ok(typeof why === "string" && why.length >= 20, `${c}: give a reason`);
    assert.ok(codes[c], `${c} is no longer in firmware/: remove its entry`);
  }
});
