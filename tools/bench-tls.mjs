// `npm run bench -- tls [--real]`: a full TLS handshake + HTTPS GET against a local OpenSSL
// s_server, on the real interpreter, next to the interpreter's built-in (unverified) HTTPS GET
// against the same server in the same run. RSA-2048 and ECDSA P-256 chains (root, intermediate,
// leaf), X25519.
//
// Two placements of the bundle's code on the interpreter:
//   ram:     the bundle text evaluated from RAM. Devices memory-map Storage, so this is the speed
//            a board sees; the Linux build reads Storage from a file 16 bytes at a time (5-15x
//            slower), so timings from Storage there are an artifact of the port.
//   storage: required from Storage as installed: the JsVars figures a board sees (code text stays
//            in flash), and the time as measured on this port.
// Without --real only a mock run is reported (its times are Node's, not the board's).
import { spawn } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import net from "node:net";
import { Pki } from "./lib/pki.mjs";
import { bundlePath } from "./lib/paths.mjs";
import { buildBoard } from "./build.mjs";
import { espruinoBin, prepareFlash, runInterpreter, cleanOutput } from "./espruino-run.mjs";
import { createBoard } from "./mock/board.mjs";

const RUNS = 3;

// Interpreter scripts. PORT, MODE ("ram" | "storage") are prepended.
const OURS = `var lib;
if (MODE === "ram") {
  var f = E.openFile("lib.js", "r"), s = "", d;
  while ((d = f.read(4096)) !== undefined && d.length) s += d;
  f.close();
  var module = { exports: {} }, exports = module.exports;
  eval(s); s = undefined;
  lib = module.exports;
} else lib = require("espruino-tls");
var ca = E.toString(require("Storage").read("ca-root.pem"));
var base = process.memory().usage, peak = base;
var iv = setInterval(function () { var u = process.memory(false).usage; if (u > peak) peak = u; }, 5);
var t0 = getTime();
var req = lib.https.get({ url: "https://localhost:" + PORT + "/", ca: ca, keepAlive: false, timeout: 600000 }, function (res) {
  res.on("data", function () {});
  res.on("end", function () {
    var ms = (getTime() - t0) * 1000;
    clearInterval(iv);
    print("RESULT " + JSON.stringify({ status: res.statusCode, ms: Math.round(ms), base: base, peak: peak }));
    setTimeout(quit, 50);
  });
});
req.on("progress", function () { var u = process.memory(false).usage; if (u > peak) peak = u; });
req.on("error", function (e) { print("RESULT " + JSON.stringify({ error: e.code, message: e.message })); setTimeout(quit, 0); });`;

const BUILTIN = `var t0 = getTime();
try {
  require("http").get({ host: "127.0.0.1", port: PORT, path: "/", protocol: "https:" }, function (res) {
    res.on("data", function () {});
    res.on("close", function () { print("RESULT " + JSON.stringify({ status: res.statusCode, ms: Math.round((getTime() - t0) * 1000) })); setTimeout(quit, 0); });
  });
} catch (e) { print("RESULT " + JSON.stringify({ error: "BUILTIN_THREW", message: String(e) })); setTimeout(quit, 0); }`;

function freePort() {
  return new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

async function sServer(chain, port) {
  const child = spawn("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", chain.leaf.certFile, "-key", chain.leaf.keyFile,
    "-cert_chain", chain.inter.certFile, "-www", "-quiet"], { stdio: ["pipe", "ignore", "ignore"] });
  for (let i = 0; i < 50; i++) {
    const up = await new Promise((r) => { const c = net.connect(port, "127.0.0.1", () => { c.destroy(); r(true); }); c.on("error", () => r(false)); });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { stop: () => child.kill("SIGKILL") };
}

async function runScript(bin, chain, script, port, mode) {
  const dir = await prepareFlash(bin, { extra: [["ca-root.pem", chain.root.certFile]] });
  copyFileSync(bundlePath("linux"), path.join(dir, "lib.js"));
  writeFileSync(path.join(dir, "run.js"), `var PORT = ${port}, MODE = ${JSON.stringify(mode)};\n${script}\n`);
  const r = await runInterpreter(bin, dir, "run.js", { timeoutMs: 600000 });
  const m = /RESULT (.*)/.exec(cleanOutput(r.out));
  return m ? JSON.parse(m[1]) : { error: "NO_RESULT", message: cleanOutput(r.out).slice(-300) };
}

const best = (list) => list.filter((x) => !x.error).sort((a, b) => a.ms - b.ms)[0] || list[0];

async function realRuns(bin) {
  const out = {};
  for (const key of ["rsa", "ec"]) {
    const chain = new Pki().chain({ leafKey: key, interKey: key, rootKey: key });
    const port = await freePort();
    const srv = await sServer(chain, port);
    try {
      const builtin = [], ram = [];
      for (let i = 0; i < RUNS; i++) {
        builtin.push(await runScript(bin, chain, BUILTIN, port, "-"));
        ram.push(await runScript(bin, chain, OURS, port, "ram"));
      }
      const storage = await runScript(bin, chain, OURS, port, "storage");
      const b = best(builtin), o = best(ram);
      out[key === "rsa" ? "rsa2048" : "ecdsaP256"] = {
        builtinUnverified: b,
        ours: { ram: o, storage },
        ratioToBuiltin: !b.error && !o.error ? +(o.ms / b.ms).toFixed(1) : null,
        peakJsVarsDuringHandshake: storage.error ? null : storage.peak - storage.base,
        libraryJsVarsAtRest: storage.error ? null : storage.base,
      };
    } finally { srv.stop(); }
  }
  return out;
}

async function mockRun() {
  const chain = new Pki().chain();
  const port = await freePort();
  const srv = await sServer(chain, port);
  const b = createBoard({ board: "linux" });
  try {
    b.loadLibrary(bundlePath("linux"));
    b.install("ca-root.pem", chain.root.pem);
    return await new Promise((resolve) => {
      b.define("quit", () => {});
      b.define("DONE", resolve);
      b.run(`var PORT = ${port}, MODE = "storage", print = function (s) { if (s.indexOf("RESULT ") === 0) DONE(JSON.parse(s.substr(7))); };\n${OURS}`);
    });
  } finally { srv.stop(); b.close(); }
}

export async function benchTls({ real = false } = {}) {
  await buildBoard("linux", { quiet: true });
  const result = { loadavg: loadavg().map((x) => +x.toFixed(2)), server: "openssl s_server (TLS 1.2 and 1.3), local", runs: RUNS };
  const bin = real ? espruinoBin() : null;
  if (bin) result.interpreter = await realRuns(bin);
  else result.mock = { ecdsaP256: await mockRun(), note: "board mock in Node: times are not the board's; use --real with ESPRUINO_BIN" };
  return result;
}
