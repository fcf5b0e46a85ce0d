// `npm run bench -- crypto [--real]`: time and JsVars of each crypto operation the TLS client,
// X.509 and OTA stand on, next to peers run the same way: tweetnacl's X25519 and @noble/ciphers'
// ChaCha20-Poly1305, bundled for the interpreter by tools/peers/build.mjs at bench time.
//
// Where: the board mock always (Node's speed, not the board's: shape and JsVars estimates
// only); with `real` and ESPRUINO_BIN, the interpreter in two placements of the code:
//   ram:     the bundle text evaluated from RAM. Devices memory-map Storage, so this is the
//            speed a board sees; the targets are judged here;
//   storage: required from Storage as installed: JsVars as on a board (code text stays in
//            flash). On the Linux port Storage is a file read 16 bytes at a time (5-15x slower):
//            its times are an artifact of the port, so it runs each operation once.
// Each (placement, side) runs in its own interpreter process: our test bundle (firmware/testing.ts,
// built into dist/bench/) and the peers (whose polyfills patch built-ins) never share one.
//
// Times: the machine is shared and loaded. Every operation reports the CPU time of the
// interpreter's thread (/proc/thread-self/schedstat; it advances in 4 ms scheduler ticks, so it
// is a batch of runs' total / runs; the mock uses Node's process.cpuUsage), the fastest run's
// wall time (getTime()), and the first run (one-time tables included). loopUs (µs per empty loop
// iteration in the same process; FACTS §7: 0.6 on an idle machine) and the host's load average
// show the load at the time. This machine runs FACTS §7's operations 2-4x slower even when idle,
// so each interpreter process also measures its slow-down `factor` (tools/lib/slice-probe.mjs's
// probeFactor, shared) and every operation gets refMs = time / factor: the reference
// interpreter's time, on which the targets in ms (RSA-2048 signing <= 2.5 s, slices <= 50 ms...)
// are judged.
// Slices: the timed runs step each Job by hand as runSliced does, timing every step; per step
// the fastest of the runs is kept (load only adds time), and runSliced's rule (a slice ends with
// the first step that brings it to SLICE_SECONDS = 30 ms) is replayed on those step times. A
// first, separate run samples JsVars after every step.
// Optional (BENCH_CALLGRIND=1 with --real): instruction counts of one run of each operation
// under valgrind's callgrind, a load-independent figure (see callgrindRun below).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash, createCipheriv, createECDH, generateKeyPairSync, randomBytes, sign, diffieHellman } from "node:crypto";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import vm from "node:vm";
import { DIST } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { createBoard, flashFor } from "./mock/board.mjs";
import { espruinoBin, runInterpreter, cleanOutput } from "./espruino-run.mjs";
import { buildPeers } from "./peers/build.mjs";
import { FACTOR } from "./lib/slice-probe.mjs";

/** Our operations (issue 3's list, then extras) and the peers with the operation each compares to. */
export const OPS = [
  "x25519SharedSecret", "x25519PublicKey", "p256Ecdh", "ecdsaP256Verify", "ecdsaP384Verify",
  "rsa2048Pkcs1Verify", "rsa2048PssVerify", "ed25519Verify", "aes128GcmSealOpen1k",
  "chacha20Poly1305SealOpen1k", "sha256_1k",
  "ecdsaP256Sign", "ecdsaP384Sign", "rsa2048Pkcs1Sign", "ed25519Sign",
];
export const EXTRA_OPS = ["aes128GcmSetup", "chacha20Poly1305Setup", "sha256Portable1k"];
export const PEER_OPS = { tweetnaclX25519SharedSecret: "x25519SharedSecret", tweetnaclX25519PublicKey: "x25519PublicKey", nobleChacha20Poly1305SealOpen1k: "chacha20Poly1305SealOpen1k" };

const hex = (b) => Buffer.from(b).toString("hex");
const rawPub = (k, n) => k.export({ format: "der", type: "spki" }).subarray(-n);
const rawPriv = (k, n) => k.export({ format: "der", type: "pkcs8" }).subarray(-n);

/** Fresh inputs and expected outputs, from Node's crypto (hex strings). */
export function makeInputs() {
  const IN = {};
  const a = generateKeyPairSync("x25519"), b = generateKeyPairSync("x25519");
  IN.x25519 = { priv: hex(rawPriv(a.privateKey, 32)), peer: hex(rawPub(b.publicKey, 32)), pub: hex(rawPub(a.publicKey, 32)), shared: hex(diffieHellman({ privateKey: a.privateKey, publicKey: b.publicKey })) };
  const e1 = createECDH("prime256v1"), e2 = createECDH("prime256v1");
  e1.generateKeys(); e2.generateKeys();
  IN.p256Ecdh = { priv: hex(e1.getPrivateKey()), peer: hex(e2.getPublicKey()), shared: hex(e1.computeSecret(e2.getPublicKey())) };
  const msg = randomBytes(200);
  for (const [name, curve, h] of [["ecdsaP256", "prime256v1", "sha256"], ["ecdsaP384", "secp384r1", "sha384"]]) {
    const k = generateKeyPairSync("ec", { namedCurve: curve });
    IN[name] = { pub: hex(rawPub(k.publicKey, curve === "secp384r1" ? 97 : 65)), digest: hex(createHash(h).update(msg).digest()), sig: hex(sign(h, msg, k.privateKey)) };
  }
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
  const jwk = rsa.publicKey.export({ format: "jwk" });
  const b64u = (s) => hex(Buffer.from(s, "base64url"));
  IN.rsa2048 = {
    n: b64u(jwk.n), e: b64u(jwk.e), digest: hex(createHash("sha256").update(msg).digest()),
    pkcs1: hex(sign("sha256", msg, rsa.privateKey)),
    pss: hex(sign("sha256", msg, { key: rsa.privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 })), saltLen: 32,
  };
  const ed = generateKeyPairSync("ed25519");
  IN.ed25519 = { pub: hex(rawPub(ed.publicKey, 32)), msg: hex(msg), sig: hex(sign(null, msg, ed.privateKey)) };
  const pt = randomBytes(1024), aad = randomBytes(5), nonce = randomBytes(12);
  const seal = (alg, key) => { const c = createCipheriv(alg, key, nonce, { authTagLength: 16 }); c.setAAD(aad); return hex(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()])); };
  const k16 = randomBytes(16), k32 = randomBytes(32);
  IN.aead = { pt: hex(pt), aad: hex(aad), nonce: hex(nonce), k16: hex(k16), k32: hex(k32), gcm: seal("aes-128-gcm", k16), chacha: seal("chacha20-poly1305", k32) };
  IN.sha256 = { data: hex(pt), digest: hex(createHash("sha256").update(pt).digest()) };
  // signing (firmware/identity/sign.ts): keys as DER, the message as TLS 1.3 CertificateVerify
  // content is (64 spaces, context string, 0, transcript hash); deterministic schemes' outputs
  const cv = Buffer.concat([Buffer.alloc(64, 32), Buffer.from("TLS 1.3, client CertificateVerify\0"), randomBytes(32)]);
  const der = (k, type) => hex(k.export({ type, format: "der" }));
  const s256 = generateKeyPairSync("ec", { namedCurve: "P-256" }), s384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const sEd = generateKeyPairSync("ed25519");
  IN.sign = {
    msg: hex(cv), p256: der(s256.privateKey, "pkcs8"), p384: der(s384.privateKey, "sec1"),
    rsa: der(rsa.privateKey, "pkcs1"), rsaSig: hex(sign("sha256", cv, rsa.privateKey)),
    ed: der(sEd.privateKey, "pkcs8"), edSig: hex(sign(null, cv, sEd.privateKey)),
  };
  return IN;
}

// ---- Board-side code (the interpreter's subset; on the mock it passes the same gate) --------
// Globals it expects: cpuNs() (thread CPU time in ns), getTime(), process.memory, E.getSizeOf.
const PROBE = String.raw`
function hexU8(h) { var u = new Uint8Array(h.length >> 1), i; for (i = 0; i < u.length; i++) u[i] = parseInt(h.substr(2 * i, 2), 16); return u; }
function u8Hex(u) { var s = "", i; for (i = 0; i < u.length; i++) s += (u[i] < 16 ? "0" : "") + u[i].toString(16); return s; }
function usage() { return process.memory(false).usage; }
function loopUs() {
  var best = 1e9, t, i, k;
  for (k = 0; k < 5; k++) { t = getTime(); for (i = 0; i < 2000; i++); t = (getTime() - t) * 500; if (t < best) best = t; }
  return best;
}
// First run, stepped by hand: JsVars in use sampled after creation and after every step (peak
// above the level before), JsVars still held after it (tables built on first use), step count.
function memPass(mk, check, mock) {
  var base, peak, job, done = false, steps = 0, u, t0, c0, ok, r = {};
  process.memory();
  base = mock ? 0 : usage(); peak = base;
  t0 = getTime(); c0 = cpuNs();
  job = mk();
  while (!done) {
    u = mock ? E.getSizeOf(job) : usage();
    if (u > peak) peak = u;
    done = job.step();
    steps++;
  }
  u = mock ? E.getSizeOf(job) : usage();
  if (u > peak) peak = u;
  ok = check(job.result());
  r.firstWallMs = (getTime() - t0) * 1000; r.firstCpuMs = (cpuNs() - c0) / 1e6;
  r.firstSteps = steps; r.jsVars = peak - base; job = null;
  process.memory();
  r.retainedJsVars = mock ? 0 : usage() - base;
  r.ok = ok;
  return r;
}
// Timed runs, stepped as runSliced steps them. Per step index the fastest of the runs (load
// only ever adds), then runSliced's rule replayed on those step times: a slice ends with the
// first step that brings it to 30 ms. Creating the job (input checks, decoding) is step 0 and a
// slice of its own (the caller runs it). CPU: the whole batch's thread time / runs (the
// kernel's CPU clock advances in scheduler ticks, so single short runs cannot be timed by it).
function timeJob(mk, check, o, steps) {
  var n = steps + 1, best = new Float64Array(n + 1), runs = 0, wall = 1e9, ok = true, i, k;
  var c0, t, t1, tr, job, done, w, sl = 0, maxSl = 0, slices = 0, longest = 0, len = 0;
  for (i = 0; i <= n; i++) best[i] = 1e9;
  c0 = cpuNs();
  while (runs < o.runs) {
    tr = t = getTime();
    job = mk();
    t1 = getTime(); w = (t1 - t) * 1000; if (w < best[0]) best[0] = w; t = t1;
    i = 1; done = false;
    while (!done) {
      done = job.step();
      t1 = getTime(); w = (t1 - t) * 1000; t = t1;
      k = i < n ? i : n;
      if (w < best[k]) best[k] = w;
      i++;
    }
    if (!check(job.result())) ok = false;
    w = (t - tr) * 1000; if (w < wall) wall = w;
    len = i < n ? i : n; // the first run may have had more steps (tables built on first use)
    runs++;
  }
  var cpu = (cpuNs() - c0) / 1e6 / runs;
  for (i = 0; i < len; i++) {
    if (best[i] > longest) longest = best[i];
    sl += best[i];
    if (i === 0 || i === len - 1 || sl >= 30) { if (sl > maxSl) maxSl = sl; slices++; sl = 0; }
  }
  return { cpuMs: cpu, wallMs: wall, runs: runs, steps: len - 1, longestStepMs: longest, slices: slices, longestSliceMs: maxSl, ok: ok };
}
function timeSync(run, o) {
  var runs = 0, wall = 1e9, ok = true, c0, t0, w, t00 = getTime();
  c0 = cpuNs();
  while (runs < o.runs || ((getTime() - t00) * 1000 < o.minMs && runs < o.maxRuns)) {
    t0 = getTime();
    if (!run()) ok = false;
    w = (getTime() - t0) * 1000; if (w < wall) wall = w;
    runs++;
  }
  return { cpuMs: (cpuNs() - c0) / 1e6 / runs, wallMs: wall, runs: runs, steps: 1, longestStepMs: wall, slices: 1, longestSliceMs: wall, ok: ok };
}
function merge(a, b) { var k, o = {}; for (k in a) o[k] = a[k]; for (k in b) if (k !== "ok") o[k] = b[k]; o.ok = a.ok && b.ok; return o; }
function benchJob(mk, check, o) {
  var m = memPass(mk, check, o.mock);
  return merge(timeJob(mk, check, o, m.firstSteps), m);
}
// A synchronous operation is one slice; its JsVars are those held after it with its result.
function benchSync(run, o) {
  var base, r, m = {}, t0, c0;
  process.memory();
  base = o.mock ? 0 : usage();
  t0 = getTime(); c0 = cpuNs();
  r = run();
  m.firstWallMs = (getTime() - t0) * 1000; m.firstCpuMs = (cpuNs() - c0) / 1e6;
  m.jsVars = (o.mock ? E.getSizeOf(r) : usage()) - base;
  m.ok = !!r; r = null;
  process.memory();
  m.retainedJsVars = o.mock ? 0 : usage() - base;
  return merge(timeSync(run, o), m);
}
// Operation table: { job, check } for Jobs (job() creates one), { sync } for synchronous ones
// (returns a truthy value when the output was right); fast: timed over a batch of >= minMs.
function oursOps(T, IN) {
  var C = T.c25519, N = T.nist, R = T.rsa, A = T.aead, H = T.hashes, D = {};
  var eq = function (want) { return function (r) { return !!r && u8Hex(r) === want; }; };
  var isTrue = function (r) { return r === true; };
  var x = IN.x25519, e = IN.p256Ecdh, p2 = IN.ecdsaP256, p3 = IN.ecdsaP384, r = IN.rsa2048, ed = IN.ed25519, a = IN.aead;
  D.x25519SharedSecret = { job: function () { return C.x25519Job(hexU8(x.priv), hexU8(x.peer)); }, check: eq(x.shared) };
  D.x25519PublicKey = { job: function () { return C.x25519BaseJob(hexU8(x.priv)); }, check: eq(x.pub) };
  D.p256Ecdh = { job: function () { return N.ecdhJob(N.P256, hexU8(e.priv), hexU8(e.peer)); }, check: eq(e.shared) };
  D.ecdsaP256Verify = { job: function () { return N.ecdsaVerifyJob(N.P256, hexU8(p2.pub), hexU8(p2.digest), hexU8(p2.sig)); }, check: isTrue };
  D.ecdsaP384Verify = { job: function () { return N.ecdsaVerifyJob(N.P384, hexU8(p3.pub), hexU8(p3.digest), hexU8(p3.sig)); }, check: isTrue };
  D.rsa2048Pkcs1Verify = { job: function () { return R.verifyPkcs1Job(hexU8(r.n), hexU8(r.e), R.SHA256, hexU8(r.digest), hexU8(r.pkcs1)); }, check: isTrue };
  D.rsa2048PssVerify = { job: function () { return R.verifyPssJob(hexU8(r.n), hexU8(r.e), R.SHA256, hexU8(r.digest), hexU8(r.pss), r.saltLen); }, check: isTrue };
  D.ed25519Verify = { job: function () { return C.ed25519VerifyJob(hexU8(ed.pub), hexU8(ed.msg), hexU8(ed.sig)); }, check: isTrue };
  // Signing: keys parsed once (outside the timing); ECDSA is randomized (checked as DER here,
  // verified by Node in test/unit/sign.test.mjs); PKCS#1 v1.5 and Ed25519 equal Node's bytes.
  var G = T.sign, sg = IN.sign, msg = hexU8(sg.msg), rnd = function (n) { return T.random(n); };
  var kp256 = G.parsePrivateKey(hexU8(sg.p256)), kp384 = G.parsePrivateKey(hexU8(sg.p384));
  var krsa = G.parsePrivateKey(hexU8(sg.rsa)), ked = G.parsePrivateKey(hexU8(sg.ed));
  var isDer = function (r) { return !!r && r[0] === 0x30 && r[1] === r.length - 2; };
  D.ecdsaP256Sign = { job: function () { return G.signJob(kp256, 0x0403, msg, rnd); }, check: isDer };
  D.ecdsaP384Sign = { job: function () { return G.signJob(kp384, 0x0503, msg, rnd); }, check: isDer };
  D.rsa2048Pkcs1Sign = { job: function () { return G.signJob(krsa, 0x0401, msg, rnd); }, check: eq(sg.rsaSig) };
  D.ed25519Sign = { job: function () { return G.signJob(ked, 0x0807, msg, rnd); }, check: eq(sg.edSig) };
  var pt = hexU8(a.pt), aad = hexU8(a.aad), nonce = hexU8(a.nonce), k16 = hexU8(a.k16), k32 = hexU8(a.k32);
  var sealOpen = function (aead, want) {
    return function () { var ct = aead.seal(nonce, aad, pt), q = aead.open(nonce, aad, ct); return q && u8Hex(ct) === want && q.length === pt.length && q[0] === pt[0] && q[1023] === pt[1023] ? ct : null; };
  };
  D.aes128GcmSealOpen1k = { sync: sealOpen(A.aesGcm(k16), a.gcm), fast: true };
  D.chacha20Poly1305SealOpen1k = { sync: sealOpen(A.chacha20Poly1305(k32), a.chacha), fast: true };
  D.aes128GcmSetup = { sync: function () { return A.aesGcm(k16); }, fast: true };
  D.chacha20Poly1305Setup = { sync: function () { return A.chacha20Poly1305(k32); }, fast: true };
  var data = hexU8(IN.sha256.data);
  D.sha256_1k = { sync: function () { var h = H.SHA256.hash(data); return u8Hex(h) === IN.sha256.digest ? h : null; }, fast: true };
  D.sha256Portable1k = { sync: function () { var h = H.portableSha256.hash(data); return u8Hex(h) === IN.sha256.digest ? h : null; }, fast: true };
  return D;
}
function peerOps(P, IN) {
  var nacl = P.tweetnacl, noble = P.nobleChacha.chacha20poly1305, D = {}, x = IN.x25519, a = IN.aead;
  var pt = hexU8(a.pt), aad = hexU8(a.aad), nonce = hexU8(a.nonce), k32 = hexU8(a.k32);
  D.tweetnaclX25519SharedSecret = { sync: function () { var r = nacl.scalarMult(hexU8(x.priv), hexU8(x.peer)); return u8Hex(r) === x.shared ? r : null; } };
  D.tweetnaclX25519PublicKey = { sync: function () { var r = nacl.scalarMult.base(hexU8(x.priv)); return u8Hex(r) === x.pub ? r : null; } };
  D.nobleChacha20Poly1305SealOpen1k = { fast: true, sync: function () {
    // @noble binds the nonce at construction and refuses a second encrypt: one instance each.
    var ct = noble(k32, nonce, aad).encrypt(pt), q = noble(k32, nonce, aad).decrypt(ct);
    return q && u8Hex(ct) === a.chacha && q.length === pt.length ? ct : null;
  } };
  return D;
}
function benchAll(D, o) {
  var slow = { runs: o.slowRuns, minMs: 0, maxRuns: o.slowRuns, mock: o.mock, only: o.only };
  var fast = { runs: o.fastRuns, minMs: o.fastMinMs, maxRuns: 5000, mock: o.mock, only: o.only };
  // The slow-down against FACTS §7 (tools/lib/slice-probe.mjs's probeFactor), at the start and
  // the end: the lower is kept (the conservative choice, as the slice probe does).
  var out = { loopUs: loopUs() }, k, d;
  if (!o.mock) out.factor = probeFactor();
  for (k in D) {
    d = D[k];
    if (o.only && o.only.indexOf(k) < 0) continue;
    out[k] = d.job ? benchJob(d.job, d.check, slow) : benchSync(d.sync, d.fast ? fast : slow);
  }
  out.loopUsEnd = loopUs();
  if (!o.mock) out.factor = Math.min(out.factor, probeFactor());
  return out;
}
// Callgrind: E.reverseByte (used nowhere else) marks segment boundaries; valgrind's
// --dump-before on it writes the instruction count of each segment.
function markedRuns(D, names) {
  var i, d, job, ok = [], f = function () { var i; for (i = 0; i < 10000; i++); };
  E.reverseByte(1); f(); E.reverseByte(1);
  for (i = 0; i < names.length; i++) {
    d = D[names[i]];
    E.reverseByte(1);
    if (d.job) { job = d.job(); while (!job.step()); ok.push(!!d.check(job.result())); } else ok.push(!!d.sync());
    E.reverseByte(1);
  }
  return ok;
}
`;

// The linux test bundle (product + internals: firmware/testing.ts), built for this benchmark
// into its own file so that a bench run never rewrites a bundle other tests are reading.
const TEST_BUNDLE = path.join(DIST, "bench", "espruino-tls-test.js");

const CPU_NS = `function cpuNs() { var f = E.openFile("/proc/thread-self/schedstat", "r"), s = f.read(64); f.close(); return parseInt(s); }`;
const LOAD_FILE = `function loadFile(name) {
  var f = E.openFile(name, "r"), s = "", d, m = { exports: {} };
  while ((d = f.read(4096)) !== undefined && d.length) s += d;
  f.close();
  (new Function("exports", "module", s))(m.exports, m);
  return m.exports;
}`;

/** The Linux interpreter's Storage (./espruino.flash, FACTS §5). */
const LINUX_FLASH_BYTES = 262144;

const RUNS = {
  ram: { slowRuns: 3, fastRuns: 5, fastMinMs: 400 },
  storage: { slowRuns: 1, fastRuns: 1, fastMinMs: 0 },
  mock: { slowRuns: 1, fastRuns: 2, fastMinMs: 0 },
};
// BENCH_CRYPTO_OPS=name,name,...: only these operations (targets of the others are left out);
// BENCH_CRYPTO_WHERE=ram (or storage): one placement only; BENCH_CRYPTO_MOCK=0: no mock run.
// For focused runs on a loaded machine.
const ONLY = process.env.BENCH_CRYPTO_OPS ? process.env.BENCH_CRYPTO_OPS.split(",") : null;
const WHERE = process.env.BENCH_CRYPTO_WHERE ? process.env.BENCH_CRYPTO_WHERE.split(",") : ["ram", "storage"];
for (const r of Object.values(RUNS)) if (ONLY) r.only = ONLY;

const r3 = (x) => (typeof x === "number" ? +x.toFixed(x >= 100 ? 1 : 3) : x);
function tidy(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) out[k] = v && typeof v === "object" ? tidy(v) : r3(v);
  return out;
}

/** Gate findings grouped by message ("X" for the identifier) with counts. */
function gateSummary(list) {
  const c = {};
  for (const g of list) { const m = g.replace(/^\d+:\d+: /, "").replace(/^"[^"]+" is used/, '"<var>" is used'); c[m] = (c[m] || 0) + 1; }
  return c;
}

// ---- Mock ------------------------------------------------------------------------------
function mockOurs(IN) {
  const b = createBoard({ board: "linux", flash: flashFor("linux", TEST_BUNDLE) });
  try {
    b.define("cpuNs", () => Number(process.cpuUsage().user + process.cpuUsage().system) * 1000);
    b.loadLibrary(TEST_BUNDLE, "espruino-tls-test");
    b.define("IN", b.realm.parseJSON(JSON.stringify(IN)));
    b.define("O", b.realm.parseJSON(JSON.stringify({ ...RUNS.mock, mock: true })));
    return JSON.parse(b.realm.stringifyJSON(b.run(`${FACTOR}\n${PROBE}\nbenchAll(oursOps(require("espruino-tls-test"), IN), O)`, "bench-crypto.js")));
  } finally { b.close(); }
}

function mockPeers(IN, peers) {
  const b = createBoard({ board: "linux" });
  try {
    b.define("cpuNs", () => Number(process.cpuUsage().user + process.cpuUsage().system) * 1000);
    // The peers do not pass our gate (see peers.*.gate): evaluated in the board's context directly.
    const load = (file) => vm.runInContext(`(function(){ var module = { exports: {} }; (function(exports, module){${readFileSync(file, "utf8")}\n})(module.exports, module); return module.exports; })()`, b.context, { filename: path.basename(file) });
    b.define("P", { tweetnacl: load(peers.tweetnacl.file), nobleChacha: load(peers.nobleChacha.file) });
    b.define("IN", b.realm.parseJSON(JSON.stringify(IN)));
    b.define("O", b.realm.parseJSON(JSON.stringify({ ...RUNS.mock, mock: true })));
    return JSON.parse(b.realm.stringifyJSON(b.run(`${FACTOR}\n${PROBE}\nbenchAll(peerOps(P, IN), O)`, "bench-crypto-peers.js")));
  } finally { b.close(); }
}

// ---- Interpreter -----------------------------------------------------------------------
/** A fresh directory whose flash (./espruino.flash) holds `files` ([[storageName, hostFile]]). */
async function freshFlash(bin, files) {
  const dir = mkdtempSync(path.join(tmpdir(), "etls-bench-crypto-"));
  if (!files.length) return dir;
  writeFileSync(path.join(dir, "install.js"), `var S = require("Storage");
${files.map(([name, file]) => `(function(){
  var f = E.openFile(${JSON.stringify(file)}, "r"), size = ${statSync(file).size}, o = 0, d;
  while ((d = f.read(2048)) !== undefined && d.length) { S.write(${JSON.stringify(name)}, d, o, size); o += d.length; }
  f.close();
  if (o !== size) throw new Error("installed " + o + " of " + size + " bytes of ${name}");
})();`).join("\n")}
setTimeout(quit, 0);`);
  const r = await runInterpreter(bin, dir, "install.js", { timeoutMs: 120000 });
  if (r.code !== 0 || /Uncaught|Error/.test(r.out)) throw new Error(`installing ${files.map((f) => f[0])} failed:\n${cleanOutput(r.out)}`);
  return dir;
}

async function onInterpreter(bin, IN, peers, where, side) {
  const ours = side === "ours";
  // Storage is filled only for the storage placement (RAM reads the files): the test bundle has
  // outgrown the Linux interpreter's 256 KB flash (see LINUX_FLASH_BYTES).
  const dir = await freshFlash(bin, where !== "storage" ? [] : ours ? [["espruino-tls-test", TEST_BUNDLE]] : [["peer-tweetnacl", peers.tweetnacl.file], ["peer-noble-chacha", peers.nobleChacha.file]]);
  try {
    const file = TEST_BUNDLE;
    const load = ours
      ? (where === "ram" ? `loadFile(${JSON.stringify(file)})` : `require("espruino-tls-test")`)
      : (where === "ram"
        ? `{ tweetnacl: loadFile(${JSON.stringify(peers.tweetnacl.file)}), nobleChacha: loadFile(${JSON.stringify(peers.nobleChacha.file)}) }`
        : `{ tweetnacl: require("peer-tweetnacl"), nobleChacha: require("peer-noble-chacha") }`);
    writeFileSync(path.join(dir, "bench.js"), `${CPU_NS}\n${LOAD_FILE}\n${FACTOR}\n${PROBE}
var IN = ${JSON.stringify(IN)};
var O = ${JSON.stringify({ ...RUNS[where], mock: false })};
process.memory();
var before = process.memory().usage;
var LIB = ${load};
var libraryJsVars = process.memory().usage - before;
var res = benchAll(${ours ? "oursOps" : "peerOps"}(LIB, IN), O);
res.libraryJsVars = libraryJsVars;
print("RESULT " + JSON.stringify(res));
setTimeout(quit, 0);
`);
    const r = await runInterpreter(bin, dir, "bench.js", { timeoutMs: 900000 });
    const m = /RESULT (.*)/.exec(cleanOutput(r.out));
    if (!m) throw new Error(`crypto bench (${where}, ${side}) failed on the interpreter:\n${cleanOutput(r.out).slice(-2000)}`);
    return JSON.parse(m[1]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

// ---- Callgrind (optional) ----------------------------------------------------------------
// BENCH_CALLGRIND=1 (a default subset) | all | name,name,...: one run of each named operation
// in RAM under valgrind's callgrind (about 90x slower than native: the default subset takes a
// few minutes). Instruction counts do not depend on the machine's load. idleMsEstimate converts
// them with the same process's empty-loop iteration count, taken as FACTS §7's 0.6 µs.
const CALLGRIND_DEFAULT = ["x25519SharedSecret", "rsa2048Pkcs1Verify", "aes128GcmSealOpen1k", "chacha20Poly1305SealOpen1k", "tweetnaclX25519SharedSecret", "nobleChacha20Poly1305SealOpen1k"];

function callgrindSelection() {
  const v = process.env.BENCH_CALLGRIND;
  if (!v || v === "0") return null;
  const all = [...OPS, ...EXTRA_OPS, ...Object.keys(PEER_OPS)];
  const names = v === "1" ? CALLGRIND_DEFAULT : v === "all" ? all : v.split(",");
  for (const n of names) if (!all.includes(n)) throw new Error(`BENCH_CALLGRIND: unknown operation ${n}`);
  return names;
}

export async function callgrindRun(bin, IN, peers, names) {
  const out = { tool: "valgrind --tool=callgrind --dump-before=jswrap_espruino_reverseByte", placement: "ram", ops: {} };
  for (const side of ["ours", "peers"]) {
    const list = names.filter((n) => (side === "peers") === n in PEER_OPS);
    if (!list.length) continue;
    const dir = mkdtempSync(path.join(tmpdir(), "etls-bench-cg-"));
    try {
      const lib = side === "ours"
        ? `oursOps(loadFile(${JSON.stringify(TEST_BUNDLE)}), IN)`
        : `peerOps({ tweetnacl: loadFile(${JSON.stringify(peers.tweetnacl.file)}), nobleChacha: loadFile(${JSON.stringify(peers.nobleChacha.file)}) }, IN)`;
      writeFileSync(path.join(dir, "cg.js"), `${LOAD_FILE}
${PROBE}
var IN = ${JSON.stringify(IN)};
var D = ${lib};
print("RESULT " + JSON.stringify(markedRuns(D, ${JSON.stringify(list)})));
setTimeout(quit, 0);
`);
      const r = await runInterpreter("valgrind", dir, "cg.js", {
        timeoutMs: 3600000, args: ["--tool=callgrind", "--dump-before=jswrap_espruino_reverseByte", `--callgrind-out-file=${path.join(dir, "cg.out")}`, bin],
      });
      const m = /RESULT (.*)/.exec(cleanOutput(r.out));
      if (!m) throw new Error(`callgrind run failed:\n${cleanOutput(r.out).slice(-2000)}`);
      const ok = JSON.parse(m[1]);
      // Dump k holds the instructions between marker k-1 and marker k: part 2 is the
      // calibration loop, then each operation is every other part from 4 on.
      const parts = {};
      for (const f of readdirSync(dir).filter((f) => f.startsWith("cg.out"))) {
        const t = readFileSync(path.join(dir, f), "utf8");
        const part = /^part: (\d+)/m.exec(t), sum = /^summary: (\d+)/m.exec(t);
        if (part && sum) parts[+part[1]] = +sum[1];
      }
      const perIter = parts[2] / 10000;
      out[side + "IrPerLoopIteration"] = Math.round(perIter);
      list.forEach((n, i) => {
        const ir = parts[4 + 2 * i];
        out.ops[n] = { Ir: ir, idleMsEstimate: r3((ir / perIter) * 0.6e-3), ok: ok[i] };
      });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }
  const o = out.ops;
  out.ratios = {};
  if (o.x25519SharedSecret && o.tweetnaclX25519SharedSecret) out.ratios.x25519SharedSecretVsTweetnacl = r3(o.x25519SharedSecret.Ir / o.tweetnaclX25519SharedSecret.Ir);
  if (o.chacha20Poly1305SealOpen1k && o.nobleChacha20Poly1305SealOpen1k) out.ratios.chacha20Poly1305VsNoble = r3(o.chacha20Poly1305SealOpen1k.Ir / o.nobleChacha20Poly1305SealOpen1k.Ir);
  return out;
}

/** An operation's time for the targets: the lower of its CPU time (batch mean) and its fastest
 *  run's wall time. Both only grow with load (CPU time through contention for the core's caches
 *  and execution units), so the lower one is the closer bound to an idle machine's time. */
const timeOf = (r) => Math.min(r.cpuMs, r.wallMs);

/** Adds the reference interpreter's figures to one process's results (interpreter only): refMs =
 *  timeOf / factor, the same conversion as tools/lib/slice-probe.mjs (factor: the least of four
 *  FACTS §7 operations' slow-down ratios in that process, at its start and end). */
function withRef(res) {
  const f = res.factor;
  if (!(f > 0)) return res;
  for (const v of Object.values(res)) {
    if (!v || typeof v !== "object" || typeof v.cpuMs !== "number") continue;
    v.refMs = r3(timeOf(v) / f);
    v.longestStepRefMs = r3(v.longestStepMs / f);
    v.longestSliceRefMs = r3(v.longestSliceMs / f);
  }
  return res;
}

/** Targets of issues 3 and 15, judged on the interpreter with code in RAM. Times in ms are
 *  judged on refMs (timeOf converted to the reference interpreter with the process's factor, see
 *  withRef); ratios of two operations of the same process on timeOf (the factor cancels). With
 *  callgrind figures, the load-independent estimate for an idle machine is shown next to each. */
function judge(ours, peers, cg) {
  const t = [], has = (op) => !!(cg && cg.ops && cg.ops[op]), est = (op) => (has(op) ? cg.ops[op].idleMsEstimate : undefined);
  const ref = (r) => (typeof r.refMs === "number" ? r.refMs : timeOf(r));
  const ms = (name, op, limit) => {
    if (!ours[op]) return;
    const v = ref(ours[op]), e = est(op);
    t.push({ target: name, value: r3(v), limit, unit: "ms (refMs)", met: v <= limit, refMs: ours[op].refMs, cpuMs: ours[op].cpuMs, wallMs: ours[op].wallMs, factor: ours.factor,
      ...(e !== undefined ? { idleMsEstimate: e, metAtIdleEstimate: e <= limit } : {}) });
  };
  const ratio = (name, op, peer) => {
    if (!ours[op] || !peers[peer]) return;
    const v = timeOf(ours[op]) / timeOf(peers[peer]);
    t.push({ target: name, value: r3(v), limit: 0.3, unit: "ratio", met: v <= 0.3, oursMs: r3(timeOf(ours[op])), tweetnaclMs: r3(timeOf(peers[peer])),
      ...(has(op) && has(peer) ? { instructionRatio: r3(cg.ops[op].Ir / cg.ops[peer].Ir) } : {}) });
  };
  ratio("X25519 shared secret <= 0.3x tweetnacl", "x25519SharedSecret", "tweetnaclX25519SharedSecret");
  ratio("X25519 public key <= 0.3x tweetnacl", "x25519PublicKey", "tweetnaclX25519PublicKey");
  ms("RSA-2048 PKCS#1 verification <= 300 ms", "rsa2048Pkcs1Verify", 300);
  ms("RSA-2048 PSS verification <= 300 ms", "rsa2048PssVerify", 300);
  ms("ECDSA P-256 verification <= 1.5 s", "ecdsaP256Verify", 1500);
  ms("RSA-2048 signing (CRT) <= 2.5 s", "rsa2048Pkcs1Sign", 2500);
  if (ours.ecdsaP256Sign && ours.ecdsaP256Verify) {
    const v = timeOf(ours.ecdsaP256Sign) / timeOf(ours.ecdsaP256Verify);
    t.push({ target: "ECDSA P-256 signing <= 0.5x a P-256 verification", value: r3(v), limit: 0.5, unit: "ratio", met: v <= 0.5, signMs: r3(timeOf(ours.ecdsaP256Sign)), verifyMs: r3(timeOf(ours.ecdsaP256Verify)) });
  }
  ms("AES-128-GCM seal+open 1 KB <= 25 ms", "aes128GcmSealOpen1k", 25);
  ms("ChaCha20-Poly1305 seal+open 1 KB <= 25 ms", "chacha20Poly1305SealOpen1k", 25);
  // Jobs: the replayed runSliced slices (per-step wall times: the CPU clock is too coarse for
  // steps), in refMs. A synchronous operation is one slice: its refMs as above.
  const f = ours.factor > 0 ? ours.factor : 1;
  let worst = null, worstStep = null, worstIdle = null;
  for (const op of OPS) {
    if (!ours[op]) continue;
    const job = ours[op].steps > 1, v = job ? ours[op].longestSliceMs / f : ref(ours[op]);
    if (!worst || v > worst.v) worst = { op, v, ms: job ? ours[op].longestSliceMs : timeOf(ours[op]) };
    if (job && (!worstStep || ours[op].longestStepMs / f > worstStep.v)) worstStep = { op, v: ours[op].longestStepMs / f, ms: ours[op].longestStepMs };
    const e = job ? ours[op].longestSliceMs : est(op);
    if (e !== undefined && (!worstIdle || e > worstIdle.v)) worstIdle = { op, v: e };
  }
  t.push({ target: "no slice over 50 ms on the reference interpreter (Jobs: runSliced's 30 ms budget replayed on the fastest time of each step; a synchronous operation is one slice)",
    value: r3(worst.v), limit: 50, unit: "ms (refMs)", met: worst.v <= 50, measuredMs: r3(worst.ms), factor: ours.factor, worstOperation: worst.op,
    longestJobStepRefMs: worstStep ? r3(worstStep.v) : null, longestJobStepMs: worstStep ? r3(worstStep.ms) : null, longestJobStepOperation: worstStep ? worstStep.op : null,
    ...(cg && cg.ops ? { withIdleEstimatesForSynchronousOps: { value: r3(worstIdle.v), worstOperation: worstIdle.op, met: worstIdle.v <= 50 } } : {}) });
  return t;
}

/** Returns the benchmark as a JSON-able object. */
export async function benchCrypto({ real = false } = {}) {
  await buildBoard("linux", { test: true, quiet: true, file: TEST_BUNDLE });
  const peers = await buildPeers();
  const IN = makeInputs();
  const result = {
    bench: "crypto",
    loadavg: { start: loadavg().map((x) => +x.toFixed(2)) },
    host: { cpus: cpus().length, model: cpus()[0]?.model },
    units: {
      cpuMs: "CPU time of the interpreter thread per operation, ms: a batch of runs' total / runs",
      wallMs: "fastest single run, wall clock (getTime), ms",
      firstWallMs: "first run (one-time tables built on first use included; JsVars sampled after every step), ms", firstCpuMs: "same, CPU (4 ms clock ticks)",
      runs: "timed runs in the batch",
      jsVars: "peak JsVars in use above the level before the operation, sampled after creation and every Job step; synchronous operations: after the call with the result held (mock: E.getSizeOf estimate of the job/result)",
      retainedJsVars: "JsVars still in use after the operation and a GC (caches, tables)",
      steps: "Job steps of the timed runs (synchronous operations: 1)", firstSteps: "Job steps of the first run (more when it builds tables)",
      longestStepMs: "longest Job step, ms: per step the fastest of the timed runs (job creation counts as a step)",
      slices: "runSliced slices (30 ms budget) replayed on those step times", longestSliceMs: "longest of them, ms",
      loopUs: "µs per empty loop iteration in the same process, best of 5 (0.6 on an idle machine, FACTS §7)",
      libraryJsVars: "JsVars the loaded bundle(s) keep after loading (RAM: code text included; Storage: as on a board)",
      factor: "interpreter only: this process's slow-down against the reference interpreter (FACTS §7: empty loop 0.6 µs, typed-array read+write, empty call, add3 call, each with its loop), the least of the four ratios at the start and at the end (tools/lib/slice-probe.mjs probeFactor)",
      refMs: "interpreter only: the lower of cpuMs and wallMs divided by factor, the reference interpreter's time (what the ms targets judge)",
      longestStepRefMs: "longestStepMs / factor", longestSliceRefMs: "longestSliceMs / factor",
    },
    operations: {
      x25519SharedSecret: "X25519(priv, peer public) -> 32-byte shared secret (x25519Job)",
      x25519PublicKey: "X25519(priv, 9) -> public key (x25519BaseJob, comb table)",
      p256Ecdh: "P-256 ECDH shared secret (ecdhJob, 65-byte peer point)",
      ecdsaP256Verify: "ECDSA P-256 verification, SHA-256 digest given, DER signature (ecdsaVerifyJob)",
      ecdsaP384Verify: "ECDSA P-384 verification, SHA-384 digest given, DER signature",
      rsa2048Pkcs1Verify: "RSA-2048 PKCS#1 v1.5 verification, e = 65537, SHA-256 digest given",
      rsa2048PssVerify: "RSA-2048 PSS verification, MGF1-SHA-256, salt 32, SHA-256 digest given",
      ed25519Verify: "Ed25519 verification of a 200-byte message",
      aes128GcmSealOpen1k: "AES-128-GCM seal then open of 1024 bytes, 5-byte AAD, key already set up",
      chacha20Poly1305SealOpen1k: "ChaCha20-Poly1305 seal then open of 1024 bytes, 5-byte AAD, key already set up",
      sha256_1k: "SHA-256 of 1024 bytes with the board's implementation (native require('crypto') on linux)",
      aes128GcmSetup: "aesGcm(key): AES key and GHASH table setup", chacha20Poly1305Setup: "chacha20Poly1305(key)",
      sha256Portable1k: "SHA-256 of 1024 bytes, portable implementation",
      ecdsaP256Sign: "signJob, ecdsa_secp256r1_sha256, 130-byte CertificateVerify content (hash inside; hedged RFC 6979 nonce; comb table built on the first run)",
      ecdsaP384Sign: "signJob, ecdsa_secp384r1_sha384, same content",
      rsa2048Pkcs1Sign: "signJob, rsa_pkcs1_sha256, RSA-2048 with CRT, blinding and the check with e (the first run also makes the key's blinding pair: about twice as long)",
      ed25519Sign: "signJob, ed25519, same content (public key from the key file)",
      tweetnaclX25519SharedSecret: "peer: nacl.scalarMult(priv, peer)", tweetnaclX25519PublicKey: "peer: nacl.scalarMult.base(priv)",
      nobleChacha20Poly1305SealOpen1k: "peer: chacha20poly1305(key, nonce, aad).encrypt, then a new instance's decrypt (its API binds the nonce)",
    },
    peers: Object.fromEntries(Object.entries(peers).map(([k, p]) => [k, { package: p.package, bundleBytes: p.bytes, gateFindings: gateSummary(p.gate) }])),
    peerNotes: [
      "Peers are built from node_modules at bench time (tools/peers/build.mjs): bundle, TypeScript 5.9 to ES5, hoisting pass, polyfills (@noble only), esbuild minification as the firmware's.",
      "They do not pass our gate; every finding is listed above. tweetnacl: `self` is probed with typeof only. @noble: the missing statics are polyfilled (tools/peers/polyfills.js); \"used before its declaration\" findings are `var` names declared twice in one function (TypeScript's lowering of `let` in sibling loops), which the interpreter runs; Math.pow(2,32)-1 is a counter-overflow bound, inexact on the board but never reached.",
      "Peers run in their own interpreter process (their polyfills patch built-ins); on the mock they are evaluated without the gate.",
    ],
    mock: process.env.BENCH_CRYPTO_MOCK === "0" ? { skipped: "BENCH_CRYPTO_MOCK=0" }
      : { note: "board mock in Node: times are Node's, not the board's; jsVars are E.getSizeOf estimates", ours: tidy(mockOurs(IN)), peers: tidy(mockPeers(IN, peers)) },
    real: null,
  };
  const bin = real ? espruinoBin() : null;
  if (!real) result.real = { skipped: "pass --real (and set ESPRUINO_BIN) to measure on the interpreter" };
  else if (!bin) result.real = { skipped: "ESPRUINO_BIN is not set" };
  else {
    result.real = { interpreter: bin };
    for (const where of WHERE) {
      if (where === "storage" && statSync(TEST_BUNDLE).size > LINUX_FLASH_BYTES - 8192) {
        result.real[where] = { skipped: `the test bundle (${statSync(TEST_BUNDLE).size} bytes: the product plus internals for tests) does not fit the Linux interpreter's ${LINUX_FLASH_BYTES}-byte Storage` };
        continue;
      }
      result.real[where] = {};
      for (const side of ["ours", "peers"]) result.real[where][side] = withRef(tidy(await onInterpreter(bin, IN, peers, where, side)));
    }
    const o = result.real[WHERE[0]].ours, p = result.real[WHERE[0]].peers;
    if (!ONLY) {
      result.real.ram.ratios = {
        x25519SharedSecretVsTweetnacl: r3(timeOf(o.x25519SharedSecret) / timeOf(p.tweetnaclX25519SharedSecret)),
        x25519PublicKeyVsTweetnacl: r3(timeOf(o.x25519PublicKey) / timeOf(p.tweetnaclX25519PublicKey)),
        chacha20Poly1305VsNoble: r3(timeOf(o.chacha20Poly1305SealOpen1k) / timeOf(p.nobleChacha20Poly1305SealOpen1k)),
      };
    }
    const cg = callgrindSelection();
    result.real.callgrind = cg ? await callgrindRun(bin, IN, peers, cg) : { skipped: "set BENCH_CALLGRIND=1 (or all, or a list of operations) for instruction counts" };
    result.targetsNote = "Judged on the interpreter with code in RAM. Times in ms: value is refMs, the lower of cpuMs (batch mean) and wallMs (fastest run) divided by factor, this process's slow-down against the reference interpreter (FACTS §7's cost model: the least of four operations' ratios, measured at the start and the end of the process, as tools/lib/slice-probe.mjs does); cpuMs and wallMs as measured are given beside it. Ratios of two operations of one process: on the measured times (the factor cancels). idleMsEstimate (BENCH_CALLGRIND): instructions converted at the same process's empty-loop rate, taken as 0.6 µs per iteration (FACTS §7), i.e. what an idle machine would take; an estimate, since crypto code and an empty loop differ in instructions per cycle.";
    result.targets = judge(o, p, result.real.callgrind);
  }
  result.loadavg.end = loadavg().map((x) => +x.toFixed(2));
  return result;
}

// `node tools/bench-crypto.mjs [--real]` prints the JSON.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const r = await benchCrypto({ real: process.argv.includes("--real") });
  console.log(JSON.stringify(r, null, 2));
}
