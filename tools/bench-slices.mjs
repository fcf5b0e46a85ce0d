// `npm run bench -- slices --real`: the longest synchronous step of every kind of handshake on
// the real interpreter (issue 15: "no slice over 50 ms on the reference interpreter"; issue 20).
// Each run is one HTTPS GET (handshake + body) against a local openssl s_server; every callback
// the library runs (each slice of a sliced job, each record handler, each event) is timed by
// tools/lib/slice-probe.mjs and named by the last progress step before it ("timer after
// certificate" is work that ran in a timer after the Certificate message was announced);
// gapMs is the longest gap of a 5 ms interval during the run (what other work on the board sees).
// The interpreter runs under `chrt -f 50` (a core to itself; root only, else said in the JSON),
// so a step's wall time is its CPU time even on this shared machine. The bundle is evaluated
// from RAM as on a board (memory-mapped flash), not read 16 bytes at a time from Storage.
// Rows, for an RSA-2048 and an ECDSA P-256 server chain (root, intermediate, leaf):
//   t13 / t13P256      TLS 1.3 full, chain verified (no cache), X25519 / P-256 key share (HelloRetryRequest)
//   t12 / t12P256      TLS 1.2 full, ECDHE X25519 / P-256
//   t13Resumed / t12Resumed   resumption (psk_dhe_ke with X25519 / session ticket)
//   t13ClientP256 / t12ClientP256   the server asks for a client certificate: P-256 device key
//   t13ClientRsa / t12ClientRsa     the same with an RSA-2048 device key (PKCS#1)
//   t13Big             TLS 1.3 resumed, a 64 KB body (16 KB records) instead of 1 KB
// A figure is the largest of a row's runs (the longest step is what a board must tolerate).
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { Pki } from "./lib/pki.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { espruinoBin, prepareFlash, runInterpreter } from "./espruino-run.mjs";
import { parseRows, plainOutput as plain } from "./lib/bench-progress.mjs";
import { sServer } from "./bench-tls.mjs";
import { PROBE, rtPrefix } from "./lib/slice-probe.mjs";

/** The step a board may run without yielding (issue 15). */
export const SLICE_TARGET_MS = 50;
export const RUNS = Number(process.env.BENCH_SLICES_RUNS || 2);
const BODY = { small: 1024, big: 65536 };

export const ROWS = {
  t13: { server: "s13", label: "TLS 1.3 full, chain verified, X25519 key share" },
  t13P256: { server: "s13P256", label: "TLS 1.3 full, chain verified, P-256 key share (after HelloRetryRequest)" },
  t12: { server: "s12", label: "TLS 1.2 full, ECDHE X25519, chain verified" },
  t12P256: { server: "s12P256", label: "TLS 1.2 full, ECDHE P-256, chain verified" },
  t13Resumed: { server: "s13", session: "r13", label: "TLS 1.3 resumed (psk_dhe_ke, X25519)" },
  t12Resumed: { server: "s12", session: "r12", label: "TLS 1.2 resumed (session ticket)" },
  t13ClientP256: { server: "s13Client", device: "p256", label: "TLS 1.3 full with a client certificate, P-256 device key" },
  t12ClientP256: { server: "s12Client", device: "p256", label: "TLS 1.2 full with a client certificate, P-256 device key" },
  t13ClientRsa: { server: "s13Client", device: "rsa", label: "TLS 1.3 full with a client certificate, RSA-2048 device key" },
  t12ClientRsa: { server: "s12Client", device: "rsa", label: "TLS 1.2 full with a client certificate, RSA-2048 device key" },
  t13Big: { server: "s13", session: "rBig", body: "big", label: "TLS 1.3 resumed, 64 KB body in 16 KB records" },
};

const SERVERS = {
  s13: [],
  s13P256: ["-groups", "P-256"],
  s12: ["-no_tls1_3"],
  s12P256: ["-no_tls1_3", "-groups", "P-256"],
  s13Client: ["-tls1_3", "-Verify", "1", "-verify_return_error", "CLIENTCA"],
  s12Client: ["-tls1_2", "-Verify", "1", "-verify_return_error", "CLIENTCA"],
};

// ---- Board-side script. Prepended: PROBE, PLAN, CA, DEVICES ({p256: {key, cert}, rsa: ...}). ----
const BOARD = String.raw`var f = E.openFile("lib.js", "r"), s = "", d;
while ((d = f.read(4096)) !== undefined && d.length) s += d;
f.close();
var lib = probeLoad(s); s = undefined;
var SC = {};
function cache(n) { if (!SC[n]) SC[n] = new lib.tls.SessionCache(); return SC[n]; }
function one(p, cb) {
  var o = { url: p.url, ca: CA, keepAlive: false, timeout: 600000, chainCache: false, session: p.session ? cache(p.session) : false };
  if (p.device) { o.key = DEVICES[p.device].key; o.cert = DEVICES[p.device].cert; }
  var r = { k: p.k, row: p.row, steps: [] }, fin = false, t0, n = 0, wd;
  function end(err, status) {
    if (fin) return;
    fin = true;
    clearTimeout(wd);
    r.ms = Math.round((getTime() - t0) * 1000);
    var st = probeStop();
    r.status = status; r.bodyBytes = n; r.steps = r.steps.join(",");
    r.longestMs = st.longestMs; r.refMs = st.refMs; r.factor = st.factor; r.longestAfter = st.longestAfter; r.top = st.top; r.gapMs = st.gapMs; r.gapOutsideMs = st.gapOutsideMs; r.callbacks = st.callbacks;
    if (err) r.error = (err.code || "ERROR") + ": " + (err.message || err);
    setTimeout(function () { cb(r); }, 300);
  }
  process.memory();
  wd = setTimeout(function () { end({ code: "BENCH_TIMEOUT", message: "no answer in " + p.limit + " ms" }); }, p.limit);
  probeStart();
  t0 = getTime();
  try {
    // the call itself is a step too (options resolved: PEM parsed, key checked against the certificate)
    var req = probeWrap("https.get call", function () {
      return lib.https.get(o, function (res) {
        res.on("data", function (x) { n += x.length; });
        res.on("end", function () { probeMark("body"); end(null, res.statusCode); });
      });
    })();
    req.on("progress", function (x) { r.steps.push(x); probeMark(x); });
    req.on("error", function (e) { end(e); });
  } catch (e) { end(e); }
}
function run(k) {
  if (k >= PLAN.length) { print("DONE"); setTimeout(quit, 50); return; }
  var p = PLAN[k];
  function go() { one(p, function (r) { if (p.seed) r.seed = true; print("ROW " + JSON.stringify(r)); run(k + 1); }); }
  go();
}
run(0);
`;

/** openssl s_server -WWW serving small.txt and big.txt; resolves when it accepts connections. */
const slicesServer = (chain, args) => sServer(chain, args, { "small.txt": BODY.small, "big.txt": BODY.big });

/** The device PKI: a client CA and P-256 / RSA-2048 device certificates (clientAuth). */
function devices() {
  const pki = new Pki();
  const ca = pki.cert("clientca", { ca: true, cn: "device ca", days: 3650 });
  const device = (name, key) => {
    const c = pki.cert(name, { eku: "clientAuth", cn: name, issuer: ca, ...(key ? { key } : {}) });
    const keyPem = key === "rsa" ? execFileSync("openssl", ["rsa", "-in", c.keyFile, "-traditional"], { encoding: "latin1", stdio: ["ignore", "pipe", "ignore"] }) : readFileSync(c.keyFile, "latin1");
    return { key: keyPem, cert: c.pem };
  };
  return { ca, p256: device("dev-p256"), rsa: device("dev-rsa", "rsa") };
}

/** Steps: per row, a seed run for resumed rows (untimed), then RUNS runs, rows interleaved. */
export function planFor(ports, rows = Object.keys(ROWS), runs = RUNS, limit = 120000) {
  const plan = [];
  const step = (row, seed) => {
    const d = ROWS[row];
    const body = d.body || "small";
    plan.push({ k: plan.length, row, url: `https://localhost:${ports[d.server]}/${body}.txt`, session: d.session || null, device: d.device || null, limit, ...(seed ? { seed: true } : {}) });
  };
  for (const row of rows) if (ROWS[row].session) step(row, true);
  for (let i = 0; i < runs; i++) for (const row of rows) step(row, false);
  return plan;
}

/** Rows of one chain's process -> per row: the longest step of its runs and where it was. */
export function summarize(printed) {
  const out = {};
  for (const [row, d] of Object.entries(ROWS)) {
    const runs = printed.filter((x) => x.row === row && !x.seed);
    if (!runs.length) continue;
    const good = runs.filter((x) => !x.error);
    const worst = good.reduce((a, x) => (!a || x.refMs > a.refMs ? x : a), null);
    const wantBody = BODY[d.body || "small"];
    const problems = [];
    for (const x of runs) {
      if (x.error) problems.push(x.error);
      else if (x.status !== 200 || x.bodyBytes !== wantBody) problems.push(`status ${x.status}, ${x.bodyBytes} bytes`);
      else if (!!d.session !== x.steps.split(",").includes("resumed")) problems.push(d.session ? "not resumed" : "resumed");
    }
    out[row] = {
      label: d.label,
      refMs: worst ? worst.refMs : null,
      longestMs: worst ? worst.longestMs : null,
      longestAfter: worst ? worst.longestAfter : null,
      factor: worst ? worst.factor : null,
      meetsTarget: worst ? worst.refMs <= SLICE_TARGET_MS : null,
      gapMs: good.length ? Math.max(...good.map((x) => x.gapMs)) : null,
      gapRefMs: good.length ? Math.max(...good.map((x) => Math.round((x.gapMs * 10) / x.factor) / 10)) : null,
      gapOutsideMs: good.length ? Math.max(...good.map((x) => x.gapOutsideMs)) : null,
      ms: good.length ? Math.min(...good.map((x) => x.ms)) : null,
      top: worst ? worst.top : [],
      runs: runs.map((x) => (x.error ? { error: x.error } : { ms: x.ms, refMs: x.refMs, longestMs: x.longestMs, factor: x.factor, gapMs: x.gapMs, gapOutsideMs: x.gapOutsideMs, callbacks: x.callbacks })),
      ...(problems.length ? { problems } : {}),
    };
  }
  return out;
}

const envList = (v, all) => (v ? v.split(",").filter((x) => all.includes(x)) : all);

/** BENCH_SLICES_ROWS / BENCH_SLICES_CHAINS (comma-separated) run a part; BENCH_SLICES_RUNS runs per row. */
export async function benchSlices({ real = false, build = true, rows = envList(process.env.BENCH_SLICES_ROWS, Object.keys(ROWS)) } = {}) {
  const t0 = Date.now();
  const la = () => loadavg().map((x) => +x.toFixed(2));
  if (build) await buildBoard("linux", { quiet: true });
  const bin = real ? espruinoBin() : null;
  const result = { bench: "slices", loadavg: { start: la() }, cpus: cpus().length, target: `every step <= ${SLICE_TARGET_MS} ms` };
  if (!bin) { result.skipped = "needs --real and ESPRUINO_BIN (the mock runs at Node's speed: steps would mean nothing)"; return result; }
  const rt = rtPrefix();
  result.method = "each callback the library runs timed on the interpreter (tools/lib/slice-probe.mjs), " +
    (rt ? "under chrt -f 50 (a core to itself: wall time = CPU time)" : "WITHOUT real-time priority (not root): figures include waiting for a core") +
    "; a callback counts the lower of its wall time and its thread CPU time + 4 ms (schedstat's 4 ms ticks). " +
    "longestMs: the longest callback of a row's runs, as measured here; refMs: the same converted to the reference interpreter on an idle machine " +
    "(divided by factor, the slow-down of this process against FACTS §7's cost model, the least of four operations' ratios; tools/lib/slice-probe.mjs); the target applies to refMs. gapMs: longest gap of a 5 ms interval (counted as callbacks are; gapRefMs converted), gapOutsideMs: the part of that gap spent outside the library's callbacks (the interpreter's own work)";
  const dev = devices();
  const started = [];
  result.chains = {};
  try {
    const chainKeys = { ecdsaP256: "ec", rsa2048: "rsa" };
    for (const name of envList(process.env.BENCH_SLICES_CHAINS, Object.keys(chainKeys))) {
      const keys = chainKeys[name];
      const chain = new Pki().chain({ leafKey: keys, interKey: keys, rootKey: keys });
      const ports = {};
      for (const [k, args] of Object.entries(SERVERS)) {
        const s = await slicesServer(chain, args.flatMap((a) => (a === "CLIENTCA" ? ["-CAfile", dev.ca.certFile] : [a])));
        started.push(s);
        ports[k] = s.port;
      }
      const dir = await prepareFlash(bin, {});
      try {
        copyFileSync(bundlePath("linux"), path.join(dir, "lib.js"));
        const head = `var PLAN = ${JSON.stringify(planFor(ports, rows))}, CA = ${JSON.stringify(chain.root.pem)}, DEVICES = ${JSON.stringify({ p256: dev.p256, rsa: dev.rsa })};\n`;
        writeFileSync(path.join(dir, "run.js"), head + PROBE + BOARD);
        process.stderr.write(`bench slices: ${name}\n`);
        const r = await runInterpreter(bin, dir, "run.js", {
          timeoutMs: 900000, prefix: rt || [],
          onOutput: (s) => { for (const m of s.matchAll(/ROW (\{.*\})/g)) { try { const x = JSON.parse(m[1]); process.stderr.write(`  ${x.row}: ${x.error || x.longestMs + " ms, " + x.refMs + " ms ref (" + x.longestAfter + "), gap " + x.gapMs + " ms"}\n`); } catch { /* partial */ } } },
        });
        const printed = parseRows(r.out);
        result.chains[name] = { loadavg: la(), rows: summarize(printed) };
        if (!/^DONE$/m.test(plain(r.out))) result.chains[name].incomplete = plain(r.out).slice(-600);
      } finally { rmSync(dir, { recursive: true, force: true }); }
    }
  } finally { for (const s of started) s.stop(); }
  let worst = null;
  for (const [chain, c] of Object.entries(result.chains)) for (const [row, x] of Object.entries(c.rows)) if (x.refMs !== null && (!worst || x.refMs > worst.refMs)) worst = { chain, row, refMs: x.refMs, ms: x.longestMs, after: x.longestAfter };
  result.longest = worst;
  result.loadavg.end = la();
  result.seconds = Math.round((Date.now() - t0) / 1000);
  return result;
}
