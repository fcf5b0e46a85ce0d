// `npm run bench -- castore [--real]`: the CA store's size, open + integrity time and issuer
// lookup time and JsVars, for Debian's Mozilla set.
//
//   size:  the full set (every certificate in /etc/ssl/certs/ca-certificates.crt, expired ones
//          included; a re-issued root with the same name and key is one anchor) and today's set
//          (expired roots dropped, what `cabundle build --mozilla` writes), against 64 KB.
//   mock:  the product bundle on the board mock (esp32): Node speed, so only the flash reads per
//          lookup (charCodeAt calls on the flash-backed string) and copies (none) mean much.
//   real:  /opt/espruino/bin/espruino ($ESPRUINO_BIN), the store in Storage (./espruino.flash),
//          the ESP32 profile's test bundle evaluated from RAM (a bundle plus a 60 KB store do not fit
//          the Linux build's 256 KB Storage together, and the Linux profile's CA budget is 10 KB;
//          the store code is the same on every board; on devices code runs from memory-mapped
//          flash at about RAM speed). Times are the best of several runs (the machine is
//          shared). On the Linux build every read of a flash-backed string fetches 16 bytes
//          with fopen/fseek/fread/fclose (targets/linux/jshardware.c jshFlashRead), so both the
//          lookups (one charCodeAt per byte they touch) and the body hash (the native SHA-256
//          reads the whole body that way) pay file I/O that boards with memory-mapped flash
//          (ESP32, STM32) do not: `flashCharCodeAtUs`, `sha256FlashMs` and `sha256RamMs` show it.
//   JsVars: `retained` = process.memory(false).usage after the lookup minus before, holding the
//          result; `peak` = the highest usage sampled inside the lookup (after the hash and the
//          binary search, and when the match is built) minus before, less what the sampling
//          wrapper itself costs (measured by calling it alone: `sampler`).
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createBoard } from "./mock/board.mjs";
import { FlashString } from "./mock/storage.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { runInterpreter, cleanOutput, hostModule } from "./espruino-run.mjs";
import { loadCertificates, MOZILLA_BUNDLE } from "./castore/anchors.mjs";
import { buildImage, readImage, K_RSA, K_P256, K_P384, K_ED25519 } from "./castore/format.mjs";

const TARGETS = { bytes: 65536, lookupMs: 20, lookupJsVars: 50, openMs: 50 };

/** Anchors of the Mozilla set: all certificates (one per name + key), or only unexpired ones. */
export function mozillaAnchors({ now = null } = {}) {
  const { certs } = loadCertificates([], { mozilla: true });
  const by = new Map();
  for (const c of certs) {
    const k = c.subject.toString("hex") + c.spki.toString("hex");
    if (!by.has(k) || by.get(k).notAfter < c.notAfter) by.set(k, c);
  }
  return [...by.values()].filter((c) => now === null || c.notAfter >= now)
    .map((c) => ({ subject: c.subject, spki: c.spki, notAfter: c.notAfter, ski: c.ski, nameConstraints: c.nameConstraints }));
}

function sizeReport(anchors, created) {
  const { image, records } = buildImage(anchors, { version: 1, created });
  const st = readImage(image);
  const byType = {};
  const names = { [K_RSA]: "rsa", [K_P256]: "p256", [K_P384]: "p384", [K_ED25519]: "ed25519" };
  records.forEach((r) => { const k = names[r.keyType] || "other"; byType[k] = (byType[k] || 0) + 1; });
  const subjectDer = anchors.reduce((n, a) => n + a.subject.length, 0);
  const spkiDer = anchors.reduce((n, a) => n + a.spki.length, 0);
  return {
    anchors: anchors.length, bytes: image.length, targetBytes: TARGETS.bytes, fits: image.length <= TARGETS.bytes,
    keys: byType, compactSubjects: records.filter((r) => r.compactName).length,
    subjectAndSpkiDerBytes: subjectDer + spkiDer,
    keyIdsStoredAsKeyHash: st.anchors.filter((a) => a.skiIsKeyHash).length,
    image,
  };
}

// Runs on the interpreter: open (cold, verify) best of N; every subject looked up, best of R.
const PROBE = `function probe(lib, S, R) {
  var r = {}, t, d, i, j;
  t = getTime(); for (i = 0; i < 1000; i++); r.loopUs = (getTime() - t) * 1000;
  var best = 1e9, st;
  for (i = 0; i < 5; i++) { t = getTime(); st = lib.castore.open(undefined, true); d = getTime() - t; if (d < best) best = d; }
  r.openMs = best * 1000;
  var sb = S.read("bench.subj"), o = 0, subs = [];
  while (o < sb.length) { var l = sb.charCodeAt(o) * 256 + sb.charCodeAt(o + 1); subs.push(E.toUint8Array(S.read("bench.subj", o + 2, l))); o += 2 + l; }
  // JsVar sampling inside a lookup: wrap two methods of the store's class
  var P = Object.getPrototypeOf(st), subjIs = P.subjectIs, at = P.anchorAt, peak = 0;
  var sample = function () { var u = process.memory(false).usage; if (u > peak) peak = u; };
  st.findByIssuer(subs[0]);
  var times = [], found = 0, maxRetained = 0, maxPeak = 0;
  for (j = 0; j < subs.length; j++) {
    d = 1e9;
    for (i = 0; i < R; i++) { t = getTime(); var res = st.findByIssuer(subs[j]); var dd = getTime() - t; if (dd < d) d = dd; res = undefined; }
    times.push(d * 1000);
    P.subjectIs = function (a, b) { sample(); return subjIs.call(this, a, b); };
    P.anchorAt = function (a, b) { sample(); var x = at.call(this, a, b); sample(); return x; };
    var m0 = process.memory(false).usage; peak = m0;
    res = st.findByIssuer(subs[j]);
    var m1 = process.memory(false).usage;
    P.subjectIs = subjIs; P.anchorAt = at;
    if (res.length) found++;
    if (m1 - m0 > maxRetained) maxRetained = m1 - m0;
    if (peak - m0 > maxPeak) maxPeak = peak - m0;
    res = undefined;
  }
  times.sort(function (a, b) { return a - b; });
  var sum = 0; for (j = 0; j < times.length; j++) sum += times[j];
  r.lookups = times.length; r.found = found;
  r.lookupMs = { mean: sum / times.length, median: times[times.length >> 1], p95: times[Math.floor(times.length * 0.95)], max: times[times.length - 1] };
  // what the sampling wrapper itself costs (called the same way, outside a lookup)
  P.cal = function (a, b) { sample(); return subjIs === a; };
  var c0 = process.memory(false).usage; peak = c0; st.cal(0, 0); var cal = peak - c0; delete P.cal;
  r.jsVars = { retainedMax: maxRetained, peakMaxWithSampler: maxPeak, sampler: cal, peakMax: maxPeak - cal };
  var f = S.read("etls.ca"), x = 0;
  t = getTime(); for (i = 0; i < 1000; i++) x += f.charCodeAt(i * 37); r.flashCharCodeAtUs = (getTime() - t) * 1000;
  var bodyLen = f.length - 56;
  best = 1e9; for (i = 0; i < 3; i++) { t = getTime(); require("crypto").SHA256(S.read("etls.ca", 56, bodyLen)); d = getTime() - t; if (d < best) best = d; }
  r.sha256FlashMs = best * 1000;
  var ram = E.toUint8Array(S.read("etls.ca", 56, bodyLen));
  best = 1e9; for (i = 0; i < 3; i++) { t = getTime(); require("crypto").SHA256(ram); d = getTime() - t; if (d < best) best = d; }
  r.sha256RamMs = best * 1000;
  ram = undefined;
  var a = st.findByIssuer(subs[subs.length - 1])[0];
  t = getTime(); r.spkiBytes = a.spki.length; r.spkiRebuildMs = (getTime() - t) * 1000;
  return r;
}`;

async function onInterpreter(bin, image, subjects, rounds) {
  const file = bundlePath("esp32", true);
  if (!existsSync(file)) await buildBoard("esp32", { test: true, quiet: true });
  const dir = mkdtempSync(path.join(tmpdir(), "etls-bench-castore-"));
  try {
    writeFileSync(path.join(dir, "store.bin"), image);
    writeFileSync(path.join(dir, "subj.bin"), subjects);
    writeFileSync(path.join(dir, "install.js"), `(function(){
  [["etls.ca", "store.bin", ${image.length}], ["bench.subj", "subj.bin", ${subjects.length}]].forEach(function (x) {
    var f = E.openFile(x[1], "r"), S = require("Storage"), o = 0, d;
    while ((d = f.read(2048)) !== undefined && d.length) { S.write(x[0], d, o, x[2]); o += d.length; }
    f.close();
    if (o !== x[2]) throw new Error("installed " + o + " of " + x[2] + " bytes of " + x[0]);
  });
})();
setTimeout(quit, 0);`);
    const inst = await runInterpreter(bin, dir, "install.js", { timeoutMs: 120000 });
    if (/Uncaught|Error/.test(inst.out)) throw new Error(`installing the store failed:\n${cleanOutput(inst.out)}`);
    // The ESP32 profile's test bundle, in RAM from its host file: the CA store code is the same on
    // every board, but the Linux profile's 10 KB CA budget refuses the full set (CASTORE_TOO_LARGE)
    // and its layered product bundle reads its code from a Storage file this flash does not hold.
    const load = hostModule(file);
    writeFileSync(path.join(dir, "probe.js"), `${PROBE}\nprint("RESULT " + JSON.stringify(probe(${load}, require("Storage"), ${rounds})));\nsetTimeout(quit, 0);\n`);
    const r = await runInterpreter(bin, dir, "probe.js", { timeoutMs: 600000 });
    const m = /RESULT (.*)/.exec(cleanOutput(r.out));
    if (!m) throw new Error(`castore probe failed on the interpreter:\n${cleanOutput(r.out)}`);
    return JSON.parse(m[1]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

function onMock(image, anchors) {
  const b = createBoard({ board: "esp32" });
  const saved = {};
  const count = { reads: 0, copies: 0 };
  for (const m of ["toString", "substr", "substring", "slice", "bytes"]) {
    saved[m] = FlashString.prototype[m];
    FlashString.prototype[m] = function (...a) { count.copies++; return saved[m].apply(this, a); };
  }
  saved.charCodeAt = FlashString.prototype.charCodeAt;
  FlashString.prototype.charCodeAt = function (i) { count.reads++; return saved.charCodeAt.call(this, i); };
  try {
    const lib = b.loadLibrary(bundlePath("esp32", false));
    b.install("etls.ca", image.toString("latin1"));
    let t = process.hrtime.bigint();
    const st = lib.castore.open(undefined, true);
    const openMs = Number(process.hrtime.bigint() - t) / 1e6;
    count.reads = 0;
    count.copies = 0;
    let found = 0;
    const issuers = anchors.map((a) => b.realm.u8(a.subject));
    t = process.hrtime.bigint();
    for (const x of issuers) if (st.findByIssuer(x).length) found++;
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    return {
      board: "esp32", openMs: +openMs.toFixed(2), lookups: anchors.length, found, lookupMsMean: +(ms / anchors.length).toFixed(3),
      flashReadsPerLookup: +(count.reads / anchors.length).toFixed(1), flashCopiesDuringLookups: count.copies,
    };
  } finally {
    for (const [m, f] of Object.entries(saved)) FlashString.prototype[m] = f;
    b.close();
  }
}

/** Returns the benchmark as a JSON-able object. */
export async function benchCastore({ real = false, rounds = 3 } = {}) {
  if (!existsSync(MOZILLA_BUNDLE)) return { bench: "castore", skipped: `${MOZILLA_BUNDLE} is missing (apt-get install ca-certificates)` };
  for (const b of ["esp32", "linux"]) if (!existsSync(bundlePath(b, false))) await buildBoard(b, { quiet: true });
  const now = Math.floor(Date.now() / 1000);
  const full = mozillaAnchors();
  const today = mozillaAnchors({ now });
  const fullSize = sizeReport(full, now);
  const todaySize = sizeReport(today, now);
  const image = fullSize.image;
  delete fullSize.image;
  delete todaySize.image;
  const result = {
    bench: "castore",
    source: MOZILLA_BUNDLE,
    targets: TARGETS,
    size: { full: fullSize, unexpired: todaySize },
    mock: onMock(image, full),
    real: null,
  };
  const bin = process.env.ESPRUINO_BIN;
  if (!real) result.real = { skipped: "pass --real (and set ESPRUINO_BIN) to measure on the interpreter" };
  else if (!bin || !existsSync(bin)) result.real = { skipped: "ESPRUINO_BIN is not set" };
  else {
    const subjects = Buffer.concat(full.map((a) => Buffer.concat([Buffer.from([a.subject.length >> 8, a.subject.length & 255]), a.subject])));
    const r = await onInterpreter(bin, image, subjects, rounds);
    const round = (x) => (typeof x === "number" ? +x.toFixed(3) : x && typeof x === "object" ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, round(v)])) : x);
    result.real = {
      interpreter: bin, placement: "code in RAM, store in Storage (Linux flash file)", storeBytes: image.length, ...round(r),
      meets: {
        lookupMs: r.lookupMs.max <= TARGETS.lookupMs, lookupJsVars: r.jsVars.peakMax <= TARGETS.lookupJsVars,
        openMs: r.openMs <= TARGETS.openMs,
        openMsWithoutLinuxFlashIo: r.openMs - r.sha256FlashMs + r.sha256RamMs <= TARGETS.openMs,
      },
    };
  }
  return result;
}

// `node tools/bench-castore.mjs [--real]` prints the JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const r = await benchCastore({ real: process.argv.includes("--real") });
  console.log(JSON.stringify(r, null, 2));
}
