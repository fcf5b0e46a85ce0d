// One measurement on the real interpreter ($ESPRUINO_BIN, release build for Linux): verified
// HTTPS GET against a local Node TLS 1.3 server, with the product bundle's code evaluated from
// RAM (not Storage, which is 5-15x slower on the Linux build). Three kinds of connection:
//   full     full handshake, chain verified in full (chain cache off)
//   cached   full handshake, chain from the verified-chain cache (signatures not re-checked)
//   resumed  TLS 1.3 resumption (psk_dhe_ke) with a ticket from an earlier handshake
//            (TLS 1.2 with --tls12: session resumption, no key share computed)
//   *-pre    the same with the key share precomputed (tls.precompute) before the timing starts
//   resumed-pskke  TLS 1.3 resumption with psk_ke (no (EC)DHE; the server allows it)
// each repeated; wall time from getTime() on the board, CPU time (user+sys) of the interpreter
// process read from /proc between marks. Prints JSON.
//   builtin  (--builtin, needs rsa) the interpreter's own require("http").get of an https URL
//            (mbedTLS, TLS 1.2 RSA/DHE-RSA, no certificate verification) against a TLS 1.2 server
//            with the same chain, in the same run
// Usage: ESPRUINO_BIN=/opt/espruino/bin/espruino node test/helpers/resume-real-bench.mjs [rounds] [ec|rsa] [--tls12] [--builtin]
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Pki } from "../../tools/lib/pki.mjs";
import { nodeHttps12 } from "./tls12-servers.mjs";
import { espruinoBin, prepareFlash, runInterpreter } from "../../tools/espruino-run.mjs";
import { bundlePath } from "../../tools/lib/paths.mjs";

const rounds = Number(process.argv[2] || 3);
const kind = process.argv[3] || "ec";
const tls12 = process.argv.includes("--tls12");
const builtin = process.argv.includes("--builtin");
const bin = espruinoBin();
if (!bin) { console.log("ESPRUINO_BIN not set: skipped"); process.exit(0); }

const pki = new Pki();
const chain = kind === "rsa" ? pki.chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" }) : pki.chain();
import { constants } from "node:crypto";
const server = await nodeHttps12(chain, { tls: tls12 ? {} : { minVersion: "TLSv1.3", maxVersion: "TLSv1.3", secureOptions: constants.SSL_OP_ALLOW_NO_DHE_KEX } });
// The built-in client speaks TLS 1.2 with RSA or DHE-RSA key exchange only.
const server2 = builtin ? await nodeHttps12(chain, { tls: { ciphers: "DEFAULT:AES128-GCM-SHA256:AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:AES128-SHA256" } }) : null;
const dir = await prepareFlash(bin, {});
const SCRIPT = `
var f = E.openFile(${JSON.stringify(bundlePath("linux"))}, "r"), src = f.read(400000); f.close();
var mod = { exports: {} };
eval("(function(module, exports){" + src + String.fromCharCode(10) + "})")(mod, mod.exports);
src = undefined;
var t = mod.exports, CA = ${JSON.stringify(chain.root.pem)}, URL = "https://localhost:${server.port}/";
var plan = [], caches = [], i;
plan.push({ kind: "warm", chainCache: false, session: false });
for (i = 0; i < ${rounds}; i++) {
  // Each resumption kind gets its ticket from a full handshake of its own (tickets are single-use).
  plan.push({ kind: "full", chainCache: false, cache: 3 * i });
  plan.push({ kind: "resumed", chainCache: false, cache: 3 * i });
  if (!${tls12}) {
    plan.push({ kind: "full", chainCache: false, cache: 3 * i + 1 });
    plan.push({ kind: "resumed-pre", chainCache: false, cache: 3 * i + 1, pre: true });
    plan.push({ kind: "full", chainCache: false, cache: 3 * i + 2 });
    plan.push({ kind: "resumed-pskke", chainCache: false, cache: 3 * i + 2, pskKe: true });
  }
}
plan.push({ kind: "warm-chain", session: false });
for (i = 0; i < ${rounds}; i++) { plan.push({ kind: "cached", session: false }); plan.push({ kind: "cached-pre", session: false, pre: true }); }
if (${builtin}) for (i = 0; i < ${rounds}; i++) plan.push({ kind: "builtin" });
function run(k) {
  if (k >= plan.length) { print("MARK done"); setTimeout(quit, 10); return; }
  var p = plan[k], o = { url: URL, ca: CA, keepAlive: false }, steps = [], fin = false;
  function next() { if (!fin) { fin = true; setTimeout(function () { run(k + 1); }, 200); } }
  if (p.pre && !p.ready) { p.ready = true; t.tls.precompute(null, function () { run(k); }); return; }
  if (p.pskKe) o.pskKe = true;
  if (p.cache !== undefined) { if (!caches[p.cache]) caches[p.cache] = new t.tls.SessionCache(); o.session = caches[p.cache]; }
  if (p.session === false) o.session = false;
  if (p.chainCache === false) o.chainCache = false;
  process.memory();
  print("MARK start " + k);
  var t0 = getTime();
  var req = (p.kind === "builtin" ? require("http").get("https://localhost:${server2 ? server2.port : 0}/", function (res) { handle(res); }) : t.https.get(o, function (res) { handle(res); }));
  function handle(res) {
    var body = "";
    res.on("data", function (d) { body += d; });
    res.on("end", function () {
      var dt = getTime() - t0;
      if (fin) return;
      print("MARK end " + k + " " + JSON.stringify({ kind: p.kind, ms: Math.round(dt * 1000), status: res.statusCode, resumed: JSON.parse(body).resumed, steps: steps.join(","), free: process.memory(false).free }));
      next();
    });
  }
  req.on("progress", function (s) { steps.push(s); });
  req.on("error", function (e) { if (fin) return; print("MARK error " + k + " " + p.kind + " " + (e.code || "") + " " + (e.message || e)); next(); });
}
run(0);
`;
writeFileSync(path.join(dir, "bench.js"), SCRIPT);
const tick = 100; // USER_HZ
let pid = null, lastCpu = 0;
const cpu = () => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) * 1000 / tick;
  } catch { return NaN; }
};
const results = [];
let buf = "";
const r = await runInterpreter(bin, dir, "bench.js", {
  timeoutMs: 900000,
  onOutput: (s) => {
    if (pid === null) pid = findChild();
    buf += s;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).replace(/\r/g, ""); buf = buf.slice(nl + 1);
      const m = /MARK (start|end|error) (\d+) ?(.*)/.exec(line);
      if (!m) continue;
      if (m[1] === "start") lastCpu = cpu();
      else if (m[1] === "end") results.push({ ...JSON.parse(m[3]), cpuMs: Math.round(cpu() - lastCpu) });
      else results.push({ error: m[3] });
    }
  },
});
await server.close();
if (server2) await server2.close();

/** The interpreter process: the one whose working directory is our temporary flash directory. */
function findChild() {
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try { if (readlinkSync(`/proc/${p}/cwd`) === dir && readFileSync(`/proc/${p}/cmdline`, "latin1").includes("bench.js")) return Number(p); } catch { /* gone */ }
  }
  return null;
}

const by = {};
for (const x of results) if (x.kind) (by[x.kind] = by[x.kind] || []).push(x);
const best = (k, f) => (by[k] ? Math.min(...by[k].map((x) => x[f])) : null);
console.log(JSON.stringify({
  interpreter: bin, code: "RAM (bundle evaluated from a host file)", chain: kind, version: tls12 ? "TLS 1.2 (server max)" : "TLS 1.3",
  best: Object.fromEntries(Object.keys(by).filter((k) => !k.startsWith("warm")).map((k) => [k, { ms: best(k, "ms"), cpuMs: best(k, "cpuMs") }])),
  runs: results, exit: r.code, timedOut: r.timedOut,
}, null, 1));
