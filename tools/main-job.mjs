// `npm start [-- --board <name>] [-- --real]`: the main job, step by step, on a simulated board:
// build the bundle, make a local CA and server certificate, start a local HTTPS server, put the
// bundle and the CA into the board's Storage, and run an app that POSTs JSON over verified TLS.
// Then the same request to a server whose certificate no trusted CA signed: refused.
// With --real (and ESPRUINO_BIN) the app runs on the real interpreter (linux bundle).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createBoard } from "./mock/board.mjs";
import { loadBoard } from "./lib/boards.mjs";
import { Pki } from "./lib/pki.mjs";
import { buildBoard } from "./build.mjs";
import { checkBundleFile, formatProblems } from "./compat/check.mjs";
import { espruinoBin, prepareFlash, runInterpreter, HOW_TO_GET } from "./espruino-run.mjs";
import { startJsonServer } from "./lib/json-server.mjs";

const args = process.argv.slice(2);
const real = args.includes("--real");
const boardName = args.includes("--board") ? args[args.indexOf("--board") + 1] : real ? "linux" : "esp32";
let n = 0;
const step = (text) => console.log(`\n[${++n}] ${text}`);

// The app on the board. Interpreter subset only; URL and BAD_URL are set before it runs.
const APP = `var lib = require("espruino-tls");
function log(s) { print("    " + s); }
log("espruino-tls " + lib.version + " loaded from Storage");
var r = lib.random(16), st = lib.entropyStatus();
log("RNG seeded: " + st.source + ", health " + st.health + ", " + r.length + " bytes drawn");
var ca = E.toString(require("Storage").read("ca-root.pem"));
log("trust anchors loaded from Storage: " + ca.length + " bytes of PEM");
var t0 = getTime();
function post(url, then) {
  log("POST " + url);
  var req = lib.https.postJSON({ url: url, ca: ca }, { sensor: "t1", celsius: 21.5 }, function (err, res) {
    if (err) { log("REFUSED: " + err.code + ": " + err.message); then(); return; }
    log("response " + res.statusCode + ": " + res.body);
    then();
  });
  req.on("progress", function (s) { log("  handshake: " + s + " (" + Math.round((getTime() - t0) * 1000) + " ms)"); });
}
post(URL, function () {
  t0 = getTime();
  post(BAD_URL, function () { lib.https.closeIdle(); done(); });
});`;

async function main() {
  const profile = loadBoard(boardName);
  if (!profile.tls.enabled) throw new Error(`${boardName}: ${profile.tls.note}; try --board esp32`);
  step(`building the ${boardName} bundle`);
  const file = await buildBoard(boardName, { quiet: true });
  const problems = checkBundleFile(file);
  if (problems.length) throw new Error(formatProblems(file, problems));
  console.log(`    ${path.relative(process.cwd(), file)}: ${readFileSync(file).length} bytes, compatibility gate ok`);
  console.log(`    board: ${profile.title}, entropy ${profile.entropy.source}, native ${profile.nativeCrypto.join("/")}`);

  step("creating a local CA and a server certificate for localhost (ECDSA P-256)");
  const pki = new Pki();
  const chain = pki.chain();
  const rogue = new Pki().chain({ label: "rogue" }); // a CA the board does not trust
  console.log(`    root ${chain.root.certFile}\n    intermediate and leaf for CN=localhost, SAN DNS:localhost, IP:127.0.0.1`);

  step("starting local HTTPS servers on 127.0.0.1 (TLS 1.3)");
  const good = await startJsonServer(chain);
  const bad = await startJsonServer(rogue);
  console.log(`    trusted server  https://localhost:${good.port}/readings\n    rogue server    https://localhost:${bad.port}/readings (certificate from an unknown CA)`);
  const globals = { URL: `https://localhost:${good.port}/readings`, BAD_URL: `https://localhost:${bad.port}/readings` };
  try {
    if (real) await runReal(chain, globals); else await runMock(file, chain, globals);
  } finally {
    await good.close();
    await bad.close();
  }
  step("done");
}

async function runMock(file, chain, globals) {
  step(`writing the bundle and the CA into the ${boardName} board's Storage, running the app`);
  const board = createBoard({ board: boardName, print: (s) => console.log(s) });
  try {
    board.install("espruino-tls", readFileSync(file, "latin1"));
    board.install("ca-root.pem", chain.root.pem);
    for (const [k, v] of Object.entries(globals)) board.define(k, v);
    await new Promise((resolve, reject) => {
      board.define("done", resolve);
      try { board.run(APP, "app.js"); } catch (e) { reject(e); }
    });
  } finally { board.close(); }
}

async function runReal(chain, globals) {
  const bin = espruinoBin();
  if (!bin) { console.log(HOW_TO_GET); return; }
  step("installing the linux bundle and the CA in the real interpreter's Storage, running the app");
  const dir = await prepareFlash(bin, { extra: [["ca-root.pem", chain.root.certFile]] });
  const prelude = Object.entries(globals).map(([k, v]) => `var ${k} = ${JSON.stringify(v)};`).join("\n");
  writeFileSync(path.join(dir, "app.js"), `${prelude}\nfunction done() { setTimeout(quit, 0); }\n${APP}\n`);
  const r = await runInterpreter(bin, dir, "app.js", { timeoutMs: 900000, onOutput: (s) => process.stdout.write(s.replace(/\r/g, "")) });
  if (r.timedOut) throw new Error("the app did not finish in 15 minutes");
}

main().catch((e) => { console.error(`main job failed: ${e && e.message ? e.message : e}`); process.exitCode = 1; });
