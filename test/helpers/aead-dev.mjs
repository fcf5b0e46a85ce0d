// AEAD helpers (aead family).
//  - loadAead(): the aead/util test exports bundled with esbuild and run in a Node vm whose
//    require("crypto").AES.encrypt imitates the interpreter's ECB (as tools/vectors-dev.mjs).
//  - CLI:
//      node test/helpers/aead-dev.mjs host <family>            vector family on loadAead() (host)
//      node test/helpers/aead-dev.mjs real <family> [--storage] vector family on the real interpreter
//                                   (bundle text in RAM, or with --storage installed in Storage)
//      node test/helpers/aead-dev.mjs bench [op...] [--reps N] [--instr]
//                                   CPU time per operation on the real interpreter, or with --instr
//                                   instructions per operation (valgrind; deterministic, for A/B)
//      node test/helpers/aead-dev.mjs memory [--storage]       JsVars held by keys and results
//    "real", "bench" and "memory" use $ESPRUINO_BIN (default /opt/espruino/bin/espruino) and a linux bundle of
//    firmware/testing/aead.ts + util built by the project's own pipeline (tools/build.mjs: rollup,
//    board constants, esbuild minify), whose text is part of the script, i.e. in RAM. The Linux
//    interpreter reads Storage code through its flash-file emulation, which makes every executed
//    token ~7x slower than RAM (measured: ChaCha20 1 KB 188 ms from Storage vs 33 ms from RAM,
//    wall time); a board's memory-mapped flash is much closer to RAM.
import { build } from "esbuild";
import { readFileSync, writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import vm from "node:vm";
import nodeCrypto from "node:crypto";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

const bytesOf = (d) => (typeof d === "string" ? Buffer.from(d, "latin1") : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

/** The interpreter's AES.encrypt for ECB: output as long as the input, trailing partial block zero. */
export function nativeAesEncrypt(data, key, opts) {
  if (!opts || opts.mode !== "ECB") throw new Error("shim: only AES ECB is emulated");
  const k = bytesOf(key), d = bytesOf(data);
  if (k.length !== 16 && k.length !== 24 && k.length !== 32) return undefined;
  const out = new Uint8Array(d.length), whole = d.length & ~15;
  const c = nodeCrypto.createCipheriv(`aes-${k.length * 8}-ecb`, k, null).setAutoPadding(false);
  out.set(Buffer.concat([c.update(d.subarray(0, whole)), c.final()]));
  return out.buffer;
}

export async function loadAead() {
  const out = await build({
    stdin: {
      contents: 'export { aead } from "./firmware/testing/aead"; export { util } from "./firmware/testing/util";',
      resolveDir: root,
      loader: "ts",
    },
    bundle: true, format: "cjs", write: false, platform: "neutral", external: ["crypto"], target: "es2015",
  });
  // calls.ecb counts native calls; calls.fail = true makes the next one fail as the board's do
  const calls = { ecb: 0, fail: false };
  const nativeCrypto = { AES: { encrypt: (d, k, o) => { calls.ecb++; if (calls.fail) { calls.fail = false; return undefined; } return nativeAesEncrypt(d, k, o); } } };
  // E.convolve as the interpreter's: sum of arr1[i] * arr2[(i + offset) % arr2.length] in doubles
  const E = { convolve: (a, b, off) => { const l = b.length; let j = off % l, s = 0; if (j < 0) j += l; for (let i = 0; i < a.length; i++) { s += a[i] * b[j]; if (++j === l) j = 0; } return s; } };
  const ctx = { E, module: { exports: {} }, require: (n) => { if (n === "crypto") return nativeCrypto; throw new Error("no module " + n); } };
  ctx.exports = ctx.module.exports;
  vm.createContext(ctx);
  vm.runInContext(out.outputFiles[0].text, ctx);
  const T = ctx.module.exports;
  T.calls = calls;
  return T;
}

const BIN = () => process.env.ESPRUINO_BIN || "/opt/espruino/bin/espruino";

/** Minified linux bundle of the aead + util test exports, built by tools/build.mjs. */
async function aeadBundle() {
  const dir = mkdtempSync(path.join(tmpdir(), "aead-bundle-"));
  const entry = path.join(dir, "entry.ts");
  const rel = path.relative(dir, path.join(root, "firmware/testing"));
  writeFileSync(entry, `export { aead } from "${rel}/aead";\nexport { util } from "${rel}/util";\n`);
  const { buildBoard } = await import(path.join(root, "tools/build.mjs"));
  const file = await buildBoard("linux", { test: true, quiet: true, input: entry, file: path.join(dir, "aead.js") });
  const text = readFileSync(file, "utf8");
  rmSync(dir, { recursive: true, force: true });
  return text;
}

/**
 * A temp dir whose flash (./espruino.flash) holds the bundle as the Storage module "aead-test",
 * and the script prefix that requires it (the code then runs from flash, as on a board).
 */
function inStorage(bundle) {
  const dir = mkdtempSync(path.join(tmpdir(), "aead-flash-"));
  writeFileSync(path.join(dir, "bundle.js"), bundle);
  const size = Buffer.byteLength(bundle, "latin1");
  const out = runScript(dir, "install.js", `var f = E.openFile("bundle.js", "r"), S = require("Storage"), o = 0, d;
while ((d = f.read(2048)) !== undefined && d.length) { S.write("aead-test", d, o, ${size}); o += d.length; }
f.close(); print(o === ${size} ? "INSTALLED" : "SHORT " + o); setTimeout(quit, 0);`, 120);
  if (!/INSTALLED/.test(out)) throw new Error("install failed: " + clean(out));
  return { dir, prefix: 'var GROW = new Uint8Array(300000); GROW = undefined;\nvar T = require("aead-test");\n' };
}

/** Script prefix defining T from the bundle text (RAM); grows the heap first (Linux grows on demand). */
function inRam(bundle) {
  return `var GROW = new Uint8Array(300000); GROW = undefined;\nvar T = (function () { var exports = {};\n${bundle}\nreturn exports; })();\n`;
}

function runScript(dir, name, text, timeoutS) {
  writeFileSync(path.join(dir, name), text);
  try {
    return execFileSync(BIN(), [name], { cwd: dir, timeout: timeoutS * 1000, encoding: "latin1", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    return (e.stdout || "") + (e.stderr || "") + "\n[exit " + e.status + "]";
  }
}

const clean = (out) => out.replace(/\r/g, "").replace(/^[\s\S]*?http:\/\/espruino\.com\/Donate\n\n?/, "").replace(/\n?>\s*$/, "");

function caseRunner(fam) {
  return `var check = ${fam.check.toString()};
var pass = 0, fail = 0, t0 = getTime();
function one(line) {
  var c = JSON.parse(line), ok = false;
  try { ok = check(T, c); } catch (e) { print("THREW", c.id, e && (e.code || e.message || e)); }
  if (ok) pass++; else { fail++; if (fail < 30) print("FAIL", c.id, c.expect); }
}
var f = E.openFile("cases.jsonl", "r"), buf = "", d, i;
while ((d = f.read(1024)) !== undefined && d.length) {
  buf += d;
  while ((i = buf.indexOf("\\n")) >= 0) { one(buf.substr(0, i)); buf = buf.substr(i + 1); }
}
f.close();
print("${fam.family}: " + pass + " passed, " + fail + " failed (" + (getTime() - t0).toFixed(1) + " s)");
setTimeout(quit, 0);
`;
}

async function family(name) {
  const fam = (await import(path.join(root, "test/vectors", name + ".mjs"))).default;
  const cases = [];
  for (const file of fam.files) {
    const json = JSON.parse(readFileSync(path.join(root, "../shared/vectors/wycheproof", file), "utf8"));
    cases.push(...fam.cases(json, file));
  }
  return { fam, cases };
}

async function vectorsHost(name) {
  const { fam, cases } = await family(name);
  const T = await loadAead();
  let pass = 0, fail = 0;
  for (const c of cases) {
    let ok = false;
    try { ok = fam.check(T, c); } catch (e) { console.log(c.id, "threw", e && (e.code || e.message || e)); }
    if (ok) pass++; else { fail++; if (fail < 20) console.log("FAIL", c.id, c.expect); }
  }
  console.log(`${fam.family} (host): ${pass} passed, ${fail} failed`);
}

async function vectorsReal(name, storage) {
  const { fam, cases } = await family(name);
  const bundle = await aeadBundle();
  const st = storage ? inStorage(bundle) : null;
  const dir = st ? st.dir : mkdtempSync(path.join(tmpdir(), "aead-real-"));
  writeFileSync(path.join(dir, "cases.jsonl"), cases.map((c) => JSON.stringify(c)).join("\n") + "\n");
  console.log(clean(runScript(dir, "run.js", (st ? st.prefix : inRam(bundle)) + caseRunner(fam), 1800)));
  rmSync(dir, { recursive: true, force: true });
}

// Operations timed by `bench`; each runs once per repetition. Inputs: 1 KB plaintext, 13-byte aad.
const OPS = {
  gcm128Seal: "g.seal(nonce, aad, kb)",
  gcm128Open: "g.open(nonce, aad, gct)",
  gcm256Seal: "g2.seal(nonce, aad, kb)",
  gcmKeySetup: "A.aesGcm(key16)",
  ccSeal: "c.seal(nonce, aad, kb)",
  ccOpen: "c.open(nonce, aad, cct)",
  chacha20: "A.chacha20(key32, nonce, 1, kb)",
  poly1305: "A.poly1305(key32, kb)",
  gcm128Seal16: "g.seal(nonce, aad, b16)",
  ccSeal16: "c.seal(nonce, aad, b16)",
  gcmPortableSeal: "gp.seal(nonce, aad, kb)",
  gcmSmallSeal: "gs.seal(nonce, aad, kb)",
  portableAes64Blocks: "for (var i = 0; i < 64; i++) pb.encrypt(kb, i * 16, o16, 0)",
  portableKeySetup: "A.aesBlockPortable(key16)",
};
const SETUP = `var A = T.aead;
function bytes(n) { var b = new Uint8Array(n); for (var i = 0; i < n; i++) b[i] = (i * 29 + 7) & 255; return b; }
var key16 = bytes(16), key32 = bytes(32), nonce = bytes(12), aad = bytes(13), kb = bytes(1024), b16 = bytes(16), o16 = new Uint8Array(16);
var g = A.aesGcm(key16), g2 = A.aesGcm(key32), c = A.chacha20Poly1305(key32), gp = A.aesGcmPortable(key16), gs = A.aesGcmSmall(key16), pb = A.aesBlockPortable(key16);
var gct = g.seal(nonce, aad, kb), cct = c.seal(nonce, aad, kb);
if (A.chacha20Poly1305(key32).open(nonce, aad, cct) === null || g.open(nonce, aad, gct) === null) throw new Error("self-check failed");
`;

/** CPU seconds (user + sys) of one interpreter run, via /usr/bin/time. */
function cpuRun(dir, text) {
  writeFileSync(path.join(dir, "b.js"), text);
  const out = execFileSync("/bin/bash", ["-c", `/usr/bin/time -f "CPU %U %S" "${BIN()}" b.js 2>&1`], { cwd: dir, encoding: "latin1", timeout: 600000 });
  if (/Uncaught|ERROR/.test(out)) throw new Error(clean(out));
  const m = out.match(/CPU ([\d.]+) ([\d.]+)/);
  return +m[1] + +m[2];
}

/** Instructions executed by one interpreter run (valgrind cachegrind): deterministic, for A/B. */
function instrRun(dir, text) {
  writeFileSync(path.join(dir, "b.js"), text);
  const r = spawnSync("valgrind", ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", BIN(), "b.js"], { cwd: dir, encoding: "latin1", timeout: 1800000 });
  if (/Uncaught|ERROR/.test(r.stdout)) throw new Error(clean(r.stdout));
  return +r.stderr.match(/I\s+refs:\s+([\d,]+)/)[1].replace(/,/g, "");
}

async function benchInstr(ops, reps) {
  const dir = mkdtempSync(path.join(tmpdir(), "aead-bench-"));
  const prefix = inRam(await aeadBundle()) + SETUP;
  const base = instrRun(dir, prefix + "setTimeout(quit, 0);");
  for (const op of ops) {
    const n = instrRun(dir, prefix + `for (var q = 0; q < ${reps}; q++) { ${OPS[op]}; }\nsetTimeout(quit, 0);`);
    console.log(`${op.padEnd(20)} ${((n - base) / reps / 1e6).toFixed(2).padStart(8)} M instructions/op   [${reps} reps]`);
  }
  rmSync(dir, { recursive: true, force: true });
}

async function bench(ops, reps) {
  const dir = mkdtempSync(path.join(tmpdir(), "aead-bench-"));
  const prefix = inRam(await aeadBundle()) + SETUP;
  const base = Math.min(cpuRun(dir, prefix + "setTimeout(quit, 0);"), cpuRun(dir, prefix + "setTimeout(quit, 0);"));
  for (const op of ops) {
    const body = `for (var q = 0; q < ${reps}; q++) { ${OPS[op]}; }\n`;
    const cpu = Math.min(cpuRun(dir, prefix + body + "setTimeout(quit, 0);"), cpuRun(dir, prefix + body + "setTimeout(quit, 0);"));
    // wall time of each repetition: the minimum is the run least disturbed by other processes
    const wall = clean(runScript(dir, "w.js", prefix + `var ts = [], t0; for (var q = 0; q < ${reps}; q++) { t0 = getTime(); ${OPS[op]}; ts.push(getTime() - t0); }
ts.sort(function (x, y) { return x - y; }); print((ts[0] * 1000).toFixed(2) + " " + (ts[ts.length >> 1] * 1000).toFixed(2)); setTimeout(quit, 0);`, 600)).trim().split(" ");
    console.log(`${op.padEnd(20)} ${(((cpu - base) * 1000) / reps).toFixed(2).padStart(8)} ms CPU/op   wall min ${wall[0]} ms, median ${wall[1]} ms   [${reps} reps]`);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** JsVars held by each object (process.memory() usage deltas, GC included) on the real interpreter. */
async function memory(storage) {
  const bundle = await aeadBundle();
  const st = storage ? inStorage(bundle) : null;
  const dir = st ? st.dir : mkdtempSync(path.join(tmpdir(), "aead-mem-"));
  const script = (st ? st.prefix : inRam(bundle)) + `var A = T.aead, keep = [];
function bytes(n) { var b = new Uint8Array(n); for (var i = 0; i < n; i++) b[i] = (i * 29 + 7) & 255; return b; }
var k16 = bytes(16), k32 = bytes(32), n12 = bytes(12), kb = bytes(1024), aad = bytes(13);
function used() { return process.memory().usage; }
function m(name, f) { var u0 = used(); var x = f(); var u1 = used(); keep.push(x); print(name + ": " + (u1 - u0) + " JsVars (" + (u1 - u0) * process.memory().blocksize + " bytes at " + process.memory().blocksize + " B/JsVar)"); }
m("first portable AES-128 key (with the shared 256-byte S-box)", function () { return A.aesBlockPortable(k16); });
m("portable AES-128 key (schedule + object)", function () { return A.aesBlockPortable(k16); });
m("portable AES-256 key", function () { return A.aesBlockPortable(k32); });
m("native AES-128 key object", function () { return A.aesBlock(k16); });
m("AES-128-GCM key (native AES; big GHASH tables)", function () { return A.aesGcm(k16); });
m("AES-128-GCM key (native AES; small GHASH tables)", function () { return A.aesGcmSmall(k16); });
m("ChaCha20-Poly1305 key", function () { return A.chacha20Poly1305(k32); });
var g = A.aesGcm(k16), c = A.chacha20Poly1305(k32);
m("AES-GCM seal 1 KB result (kept)", function () { return g.seal(n12, aad, kb); });
m("ChaCha20-Poly1305 seal 1 KB result (kept)", function () { return c.seal(n12, aad, kb); });
setTimeout(quit, 0);
`;
  console.log(clean(runScript(dir, "m.js", script, 120)));
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const cmd = args[0];
  if (cmd === "host") await vectorsHost(args[1]);
  else if (cmd === "memory") await memory(args.includes("--storage"));
  else if (cmd === "real") await vectorsReal(args[1], args.includes("--storage"));
  else if (cmd === "bench") {
    const r = args.indexOf("--reps");
    const reps = r >= 0 ? +args[r + 1] : 20;
    const ops = args.slice(1).filter((a, i, all) => !a.startsWith("--") && all[i] !== args[r + 1]);
    await (args.includes("--instr") ? benchInstr : bench)(ops.length ? ops : Object.keys(OPS), reps);
  } else console.log("usage: node test/helpers/aead-dev.mjs host <family> | real <family> [--storage] | bench [op...] [--reps N]");
}
