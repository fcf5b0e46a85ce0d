// `npm run bench -- psk --real`: pre-shared key handshakes + GET (issue 16) on the real interpreter
// next to the built-in's (unverified) full handshake + GET and our TLS 1.3 resumption (psk_dhe_ke,
// a ticket from a certificate handshake), all in the same interpreter process, against local
// OpenSSL s_server -WWW processes (RSA-2048 chain, the same 1 KB body file as bench tls).
// Each round runs in its own interpreter process: builtin, then every row. Rows:
//   builtin        require("http").get("https://...") (mbedTLS: TLS 1.2 RSA/DHE-RSA, no verification)
//   resumed13      TLS 1.3 resumption with a ticket (psk_dhe_ke), for "psk_dhe_ke no slower than it"
//   psk13Dhe       TLS 1.3 external PSK, psk_dhe_ke (default)
//   psk13Ke        TLS 1.3 external PSK, psk_ke (pskKe: true; server -allow_no_dhe_kex)
//   psk12Ecdhe     TLS 1.2 TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256
//   psk12          TLS 1.2 TLS_PSK_WITH_AES_128_GCM_SHA256
//   psk12PskKe     the same with pskKe: true (the ClientHello offers psk_ke, which TLS 1.2 ignores)
// The bundle installed in Storage (the layered bundle reads its layers from there; the Linux
// build reads Storage 16 bytes at a time, slower than a board's memory-mapped flash). Figures: best wall time (getTime()) of RUNS rounds; the
// load average at the start and end. BENCH_RT=1 runs the interpreter under chrt -f 50.
// BENCH_PSK_MEMORY=1 measures instead the least free JsVars a PSK GET needs (code from Storage,
// tools/lib/jsvars-need.mjs) for psk13Ke, psk12 and psk13Dhe (BENCH_PSK_ROWS to pick): meant for
// ESPRUINO_BIN=/opt/espruino/esp32/espruino (the ESP32 layout: 16,383 JsVars of 14 bytes).
import { loadavg } from "node:os";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Pki } from "./lib/pki.mjs";
import { buildBoard } from "./build.mjs";
import { espruinoBin, prepareFlash, runInterpreter } from "./espruino-run.mjs";
import { jsVarsNeededFor } from "./lib/jsvars-need.mjs";
import { sServer, BODY_BYTES } from "./bench-tls.mjs";

const RUNS = 3;

function rowsFor(key, identity) {
  const psk = ["-psk", key, "-psk_identity", identity];
  return {
    resumed13: { args: [], opts: {}, ca: true, seed: true },
    psk13Dhe: { args: psk, opts: {} },
    psk13Ke: { args: [...psk, "-allow_no_dhe_kex"], opts: { pskKe: true } },
    psk12Ecdhe: { args: [...psk, "-no_tls1_3", "-cipher", "ECDHE-PSK-CHACHA20-POLY1305"], opts: {} },
    psk12: { args: [...psk, "-no_tls1_3", "-cipher", "PSK-AES128-GCM-SHA256"], opts: {} },
    psk12PskKe: { args: [...psk, "-no_tls1_3", "-cipher", "PSK-AES128-GCM-SHA256"], opts: { pskKe: true } },
  };
}

const BOARD = String.raw`var lib = require("espruino-tls");
function get(p, cb) {
  var t0 = getTime(), tc = 0, body = "", fin = false, req;
  function end(err, status) {
    if (fin) return; fin = true;
    cb({ row: p.row, ms: Math.round((getTime() - t0) * 10000) / 10, connectedMs: tc ? Math.round((tc - t0) * 10000) / 10 : undefined, status: status, bytes: body.length, error: err ? (err.code || String(err)) : undefined, timed: p.timed });
  }
  try {
    if (p.builtin) {
      req = require("http").get(p.url, function (res) { res.on("data", function (x) { body += x; }); res.on("close", function () { end(null, res.statusCode); }); });
    } else {
      var o = { url: p.url, keepAlive: false, timeout: 120000, chainCache: false }, k;
      for (k in p.opts) o[k] = p.opts[k];
      if (p.ca) o.ca = CA; else o.psk = { identity: ID, key: KEY };
      req = lib.https.get(o, function (res) { res.on("data", function (x) { body += x; }); res.on("end", function () { end(null, res.statusCode); }); });
      req.on("progress", function (x) { if (x === "connected") tc = getTime(); });
    }
    req.on("error", function (e) { end(e); });
  } catch (e) { end(e); }
}
function step(i) {
  if (i >= PLAN.length) { print("DONE"); setTimeout(quit, 50); return; }
  get(PLAN[i], function (r) { print("ROW " + JSON.stringify(r)); setTimeout(function () { step(i + 1); }, 100); });
}
step(0);
`;

/** The least free JsVars a PSK GET needs, per row (no certificate: no chain, no CA text). */
async function memoryRuns(bin, chain, key, identity) {
  const rows = rowsFor(key, identity), out = {};
  const pick = (process.env.BENCH_PSK_ROWS || "psk13Ke,psk12,psk13Dhe").split(",");
  for (const name of pick) {
    const s = await sServer(chain, rows[name].args);
    try {
      const app = {
        setup: `var lib = require("espruino-tls");
function getOptions() { var o = ${JSON.stringify(rows[name].opts)}; o.url = ${JSON.stringify(s.url)}; o.keepAlive = false; o.timeout = 600000; o.psk = { identity: ${JSON.stringify(identity)}, key: ${JSON.stringify(key)} }; return o; }`,
        action: `var req = lib.https.get(getOptions(), function (res) {
  res.on("data", function () {});
  res.on("end", function () { report({ ok: res.statusCode === 200, status: res.statusCode }); });
});
req.on("progress", function (p) { last = p; });
req.on("error", function (e) { report({ ok: false, error: e.code, after: last }); });`,
        timeoutMs: 600000,
      };
      const t0 = Date.now();
      const r = await jsVarsNeededFor(bin, app, { lo: Number(process.env.BENCH_PSK_LO || 1000), hi: Number(process.env.BENCH_PSK_HI || 13000), step: 125, bytesPerJsVar: 14 });
      out[name] = { need: r.need, within: r.within, libraryAtRest: r.libraryAtRest, inAll: r.need && r.libraryAtRest ? r.need + r.libraryAtRest : null, probes: r.runs.length, seconds: Math.round((Date.now() - t0) / 1000), note: r.note };
    } finally { s.stop(); }
  }
  return out;
}

export async function benchPsk({ real = false } = {}) {
  const bin = real ? espruinoBin() : null;
  if (!bin) return { bench: "psk", note: "needs --real and ESPRUINO_BIN (the PSK rows are compared with the built-in, which only the interpreter has)" };
  if (process.env.BENCH_PSK_MEMORY === "1") {
    await buildBoard("linux", { quiet: true });
    const la0 = loadavg().map((x) => +x.toFixed(2));
    const chain = new Pki().chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" });
    const memory = await memoryRuns(bin, chain, randomBytes(32).toString("hex"), "bench-psk");
    return { bench: "psk", bin, memory, loadavg: { start: la0, end: loadavg().map((x) => +x.toFixed(2)) }, figures: "need: least free JsVars (within `within`) with which one PSK GET of the 1 KB file completes; libraryAtRest: usage after require; inAll = both" };
  }
  await buildBoard("linux", { quiet: true });
  const la = () => loadavg().map((x) => +x.toFixed(2));
  const result = { bench: "psk", loadavg: { start: la() }, runs: RUNS, body: BODY_BYTES, code: "Storage", rt: process.env.BENCH_RT === "1" };
  const chain = new Pki().chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" });
  const key = randomBytes(32).toString("hex"), identity = "bench-psk";
  const rows = rowsFor(key, identity);
  const started = [];
  const dir = await prepareFlash(bin);
  try {
    const urls = {};
    for (const [name, r] of Object.entries(rows)) { const s = await sServer(chain, r.args); started.push(s); urls[name] = s.url; }
    // the built-in: a fresh s_server per run (a failed built-in connection can block one, bench tls)
    // One interpreter process per round: a second built-in request in a process that has made
    // ours stalled (bench tls: mbedTLS finds no buffers on the fragmented heap).
    const runs = [];
    let out = "";
    for (let r = 0; r < RUNS; r++) {
      const b = await sServer(chain, []);
      started.push(b);
      const plan = [{ row: "warmup", url: urls.resumed13, ca: true, opts: {}, timed: false },
        { row: "builtin", url: b.url.replace("localhost", "127.0.0.1"), builtin: true, timed: true }];
      for (const [name, d] of Object.entries(rows)) plan.push({ row: name, url: urls[name], ca: !!d.ca, opts: d.opts, timed: true });
      writeFileSync(path.join(dir, "bench.js"), `var PLAN = ${JSON.stringify(plan)}, CA = ${JSON.stringify(chain.root.pem)}, ID = ${JSON.stringify(identity)}, KEY = ${JSON.stringify(key)};\n${BOARD}`);
      const res = await runInterpreter(bin, dir, "bench.js", { timeoutMs: 300000 });
      // (the interpreter's prompt and line clearing interleave with print(): take each ROW's JSON)
      for (const m of res.out.matchAll(/ROW (\{[^\r\n]*\})/g)) runs.push(JSON.parse(m[1]));
      if (!/DONE/.test(res.out)) out += res.out.slice(-1500);
    }
    const best = {};
    for (const r of runs) {
      if (!r.timed) continue;
      const b = best[r.row] || (best[r.row] = { ms: Infinity, connectedMs: Infinity, runs: 0, errors: [] });
      if (r.error || Number(r.status) !== 200 || r.bytes !== BODY_BYTES) { b.errors.push(r.error || `status ${r.status}, ${r.bytes} bytes`); continue; }
      b.runs++;
      b.ms = Math.min(b.ms, r.ms);
      if (r.connectedMs !== undefined) b.connectedMs = Math.min(b.connectedMs, r.connectedMs);
    }
    const base = best.builtin && best.builtin.runs ? best.builtin.ms : null;
    for (const [name, b] of Object.entries(best)) {
      if (!b.errors.length) delete b.errors;
      if (b.connectedMs === Infinity) delete b.connectedMs;
      if (base && name !== "builtin") b.ratioToBuiltin = Math.round((b.ms / base) * 100) / 100;
    }
    result.rows = best;
    result.targets = "psk12 and psk13Ke <= 1x the built-in; psk13Dhe no slower than resumed13 (issue 16)";
    if (out) result.outputTail = out;
  } finally {
    for (const s of started) s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  result.loadavg.end = la();
  return result;
}
