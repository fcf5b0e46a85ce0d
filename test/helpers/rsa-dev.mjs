// Host loader for the rsa helpers' tests: bundles the rsa and util test exports with esbuild
// and runs them in a Node vm whose E.convolve and require("crypto") imitate the interpreter's
// natives (E.convolve: sum of a[i]*b[(i+off) % b.length] in doubles; SHA one-shots returning
// ArrayBuffers). loadRsa({ convolve: false }) leaves E.convolve out, which exercises the
// portable fallback. runFamily(name) runs a test/vectors family on it (dev use).
//
// Benchmark on the real interpreter (release build, $ESPRUINO_BIN or /opt/espruino/bin/espruino):
//   node test/helpers/rsa-dev.mjs --bench
// builds the rsa test exports with the board pipeline (tools/build.mjs, linux profile: rollup,
// esbuild minify, compatibility gate), signs with fresh node:crypto keys, and runs verifications
// of RSA-2048/3072/4096. It prints wall times (best of 3; getTime) and the interpreter's CPU
// time per verification (/usr/bin/time over 10 verifications minus a 0-verification run; less
// disturbed by other load on a shared machine), Job step sizes and JsVars.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import nodeCrypto from "node:crypto";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export function convolve(a, b, off) {
  const l = b.length;
  let j = off % l, s = 0;
  if (j < 0) j += l;
  for (let i = 0; i < a.length; i++) {
    s += a[i] * b[j];
    if (++j === l) j = 0;
  }
  // The firmware keeps every column sum exact: a sum at 2^53 or above would be a bug.
  if (!(s < 9007199254740992)) throw new Error("E.convolve sum not exact: " + s);
  return s;
}

export async function loadRsa({ convolve: withConvolve = true } = {}) {
  const out = await build({
    stdin: {
      contents: 'export { rsa } from "./firmware/testing/rsa"; export { util } from "./firmware/testing/util";',
      resolveDir: root,
      loader: "ts",
    },
    bundle: true, format: "cjs", write: false, platform: "neutral", external: ["crypto"], target: "es2015",
  });
  const nativeHash = (alg) => (d) => {
    const b = typeof d === "string" ? Buffer.from(d, "latin1") : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
    return new Uint8Array(nodeCrypto.createHash(alg).update(b).digest()).buffer;
  };
  const nativeCrypto = { SHA256: nativeHash("sha256"), SHA384: nativeHash("sha384"), SHA512: nativeHash("sha512") };
  const E = {};
  if (withConvolve) E.convolve = convolve;
  const ctx = { module: { exports: {} }, E, require: (n) => { if (n === "crypto") return nativeCrypto; throw new Error("no module " + n); } };
  ctx.exports = ctx.module.exports;
  vm.createContext(ctx);
  vm.runInContext(out.outputFiles[0].text, ctx);
  return ctx.module.exports;
}

export async function runFamily(name, { limit = Infinity, T = null } = {}) {
  const fam = (await import(path.join(root, "test/vectors", name + ".mjs"))).default;
  T = T || (await loadRsa());
  let passed = 0, failed = 0;
  const failures = [];
  for (const file of fam.files) {
    const json = JSON.parse(readFileSync(path.join(root, "../shared/vectors/wycheproof", file), "utf8"));
    for (const c of fam.cases(json, file).slice(0, limit)) {
      let ok;
      try { ok = fam.check(T, c); } catch (e) { ok = false; c.threw = (e && (e.code || e.message)) || String(e); }
      if (ok) passed++; else { failed++; failures.push(c.id + (c.threw ? " threw " + c.threw : "")); }
    }
  }
  return { passed, failed, failures };
}

export async function bench() {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { spawnSync } = await import("node:child_process");
  const bin = process.env.ESPRUINO_BIN || "/opt/espruino/bin/espruino";
  const dir = mkdtempSync(path.join(tmpdir(), "rsa-bench-"));
  writeFileSync(path.join(dir, "entry.ts"), `export { rsa } from "${path.relative(dir, path.join(root, "firmware/testing/rsa"))}";\nexport { util } from "${path.relative(dir, path.join(root, "firmware/testing/util"))}";\n`);
  const cwd = process.cwd();
  process.chdir(root);
  const { buildBoard } = await import(path.join(root, "tools/build.mjs"));
  const { checkBundleFile, formatProblems } = await import(path.join(root, "tools/compat/check.mjs"));
  const file = await buildBoard("linux", { test: true, quiet: true, input: path.join(dir, "entry.ts"), file: path.join(dir, "rsa-bundle.js") });
  process.chdir(cwd);
  const problems = checkBundleFile(file);
  if (problems.length) throw new Error(formatProblems(file, problems));
  const bundle = readFileSync(file, "utf8");
  console.log(`bundle (rsa + util + native SHA-2 wrappers): ${bundle.length} bytes`);
  // Two ways to load it. From RAM (the bundle text inside the script) for speed: on a board the
  // code runs from memory-mapped flash, but the Linux build reads its emulated flash file with
  // stdio for every character the lexer fetches, which makes flash-loaded code slower here than
  // on a board. From Storage (module "rsa-test", installed in 2 KB pieces) for RAM use, as on a
  // board: functions and closures then keep their text in flash instead of copying it to JsVars.
  const heads = {
    ram: "var T = (function(){ var exports = {}, module = { exports: exports };\n" + bundle + "\nreturn module.exports; })();\n",
    flash: 'var T = require("rsa-test");\n',
  };
  writeFileSync(path.join(dir, "install.js"), `var f = E.openFile("rsa-bundle.js", "r"), S = require("Storage"), o = 0, d;
while ((d = f.read(2048)) !== undefined && d.length) { S.write("rsa-test", d, o, ${Buffer.byteLength(bundle, "latin1")}); o += d.length; }
f.close(); print("installed " + o); setTimeout(quit, 0);`);
  const inst = spawnSync(bin, ["install.js"], { cwd: dir, encoding: "latin1", timeout: 60000 });
  if (!/installed \d+/.test(inst.stdout)) throw new Error("install failed: " + inst.stdout);
  const run = (name, how, body) => {
    writeFileSync(path.join(dir, name), heads[how] + body + "\nsetTimeout(quit, 0);\n");
    const r = spawnSync("/usr/bin/time", ["-f", "CPU %U %S", bin, name], { cwd: dir, encoding: "latin1", timeout: 600000 });
    return r.stdout + r.stderr;
  };
  for (const [bits, h] of [[2048, "sha256"], [3072, "sha384"], [4096, "sha512"]]) {
    const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync("rsa", { modulusLength: bits });
    const jwk = publicKey.export({ format: "jwk" });
    const msg = nodeCrypto.randomBytes(100);
    const c = {
      h: h.toUpperCase(), n: Buffer.from(jwk.n, "base64url").toString("hex"), e: Buffer.from(jwk.e, "base64url").toString("hex"), msg: msg.toString("hex"),
      sig: nodeCrypto.sign(h, msg, privateKey).toString("hex"),
      pss: nodeCrypto.sign(h, msg, { key: privateKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: nodeCrypto.constants.RSA_PSS_SALTLEN_DIGEST }).toString("hex"),
    };
    const setup = `var c = ${JSON.stringify(c)}, R = T.rsa, U = T.util, H = R[c.h];
var n = U.fromHex(c.n), e = U.fromHex(c.e), d = H.hash(U.fromHex(c.msg)), s = U.fromHex(c.sig), p = U.fromHex(c.pss);\n`;
    const main = run("main.js", "ram", setup + `
function best(f) { var b = 1e9, t, r, ok; for (r = 0; r < 3; r++) { t = getTime(); ok = f(); t = getTime() - t; if (t < b) b = t; } return (b * 1000).toFixed(1) + " ms (" + ok + ")"; }
print("RES wall best of 3: PKCS#1 " + best(function () { return R.verifyPkcs1(n, e, H, d, s); }) + ", PSS " + best(function () { return R.verifyPss(n, e, H, d, p, H.outputLen); }));
var bad = U.copyOf(s); bad[7] ^= 16;
print("RES flipped signature bit: " + R.verifyPkcs1(n, e, H, d, bad));
var job = R.verifyPkcs1Job(n, e, H, d, s), steps = 0, longest = 0, t0, dn;
for (;;) { t0 = getTime(); dn = job.step(); t0 = getTime() - t0; steps++; if (t0 > longest) longest = t0; if (dn) break; }
print("RES Job: " + steps + " steps, longest " + (longest * 1000).toFixed(1) + " ms (wall), result " + job.result());
job = null;
`);
    const memo = run("mem.js", "flash", setup + `
var C = R.montCtx(n);
print("RES JsVars: Montgomery context " + E.getSizeOf(C) + " (X " + E.getSizeOf(C.X) + ", Y " + E.getSizeOf(C.Y) + ", N " + E.getSizeOf(C.N) + "), block size " + process.memory().blocksize + " bytes");
C = null;
var m0 = process.memory().usage, peak = 0, u, job, dn;
job = R.verifyPkcs1Job(n, e, H, d, s);
var peakNoGc = 0;
for (;;) { dn = job.step(); u = process.memory(false).usage; if (u > peakNoGc) peakNoGc = u; u = process.memory().usage; if (u > peak) peak = u; if (dn) break; }
job = null;
print("RES usage: " + m0 + " JsVars before a verification Job, live peak between steps +" + (peak - m0) + " (+" + (peakNoGc - m0) + " counting garbage not yet collected), " + process.memory().usage + " after");
`);
    const loop = (k) => setup + `var ok = true; for (var i = 0; i < ${k}; i++) ok = R.verifyPkcs1(n, e, H, d, s) && ok; print("RES ok " + ok);`;
    const cpu = (o) => { const m = /CPU ([\d.]+) ([\d.]+)/.exec(o); return [+m[1], +m[2]]; };
    console.log(`RSA-${bits} (${c.h}, e=65537):`);
    for (const l of (main + memo).split("\n")) if (l.startsWith("RES ")) console.log("  " + l.slice(4));
    for (const how of ["ram", "flash"]) {
      const c0 = cpu(run("k0.js", how, loop(0))), c10 = cpu(run("k10.js", how, loop(10)));
      console.log(`  CPU time per PKCS#1 verification, code in ${how}: user ${((c10[0] - c0[0]) * 100).toFixed(0)} ms, sys ${((c10[1] - c0[1]) * 100).toFixed(0)} ms (10 verifications minus an empty run)`);
    }
  }
}

if (process.argv[2] === "--bench") {
  await bench();
} else if (process.argv[1] === new URL(import.meta.url).pathname) {
  const r = await runFamily(process.argv[2], { limit: +(process.argv[3] || Infinity) });
  for (const f of r.failures.slice(0, 20)) console.log("FAIL", f);
  console.log(`${process.argv[2]}: ${r.passed} passed, ${r.failed} failed`);
}
