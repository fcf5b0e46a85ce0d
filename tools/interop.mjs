// `npm run interop [-- --board linux] [-- --server openssl,nginx] [-- --budget 600]`
// Builds the product bundle, then for every server (OpenSSL s_server, GnuTLS gnutls-serv, nginx,
// Node https) x key (RSA-2048, ECDSA P-256 chains with an intermediate) x group (X25519; P-256
// through a HelloRetryRequest) x cipher suite, starts the server on 127.0.0.1, runs a verified
// HTTPS GET from the bundle on the board mock, stops the server, and prints the matrix
// (ok / error code). Exit status 1 when a cell fails or a server is missing in CI (CI=true).
import { buildBoard } from "./build.mjs";
import { runApp } from "../test/helpers/board-app.mjs";
import { KEYS, SERVERS, SERVER_NAMES, availability, cells, formatMatrix, makeChains, runCell, runEchoCell, stopAll } from "./lib/interop.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const board = opt("--board", "linux");
const only = opt("--server", SERVER_NAMES.join(",")).split(",");
const budgetMs = Number(opt("--budget", "600")) * 1000;
const inCI = process.env.CI === "true";

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => { stopAll().finally(() => process.exit(130)); });
}

async function main() {
  for (const s of only) if (!SERVERS[s]) throw new Error(`unknown server ${s} (known: ${SERVER_NAMES.join(", ")})`);
  await buildBoard(board, { quiet: true });
  const avail = availability();
  console.log(`interop matrix: product bundle for ${board} on the board mock, verified HTTPS GET, servers on 127.0.0.1`);
  for (const s of only) console.log(`  ${s.padEnd(8)} ${avail[s] ? "MISSING: " + avail[s] : SERVERS[s].version()}`);
  const chains = makeChains();
  console.log(`  test PKI: root -> intermediate -> leaf (localhost, 127.0.0.1), RSA-2048 in ${chains.rsa.dir}, ECDSA P-256 in ${chains.ecdsa.dir}\n`);

  const start = Date.now();
  const results = [];
  let failed = 0;
  for (const c of cells(only)) {
    if (avail[c.server]) {
      results.push({ ...c, skipped: true, ok: false, code: "MISSING" });
      continue;
    }
    if (Date.now() - start > budgetMs) {
      results.push({ ...c, ok: false, code: "OVER_BUDGET", detail: `the run passed ${budgetMs / 1000} s` });
      failed++;
      continue;
    }
    const r = await runCell(runApp, chains, c.server, c.key, c.suite, c.group, { board });
    process.stdout.write(r.ok ? "." : "x");
    if (!r.ok) failed++;
    results.push(r);
  }
  // The socket API (tls.connect, write, read, end) against gnutls-serv --echo.
  const echo = [];
  if (only.includes("gnutls") && !avail.gnutls) {
    for (const key of KEYS) {
      const r = await runEchoCell(runApp, chains, key, { board });
      process.stdout.write(r.ok ? "." : "x");
      if (!r.ok) failed++;
      echo.push(r);
    }
  }
  console.log(`\n\n${formatMatrix(results)}\n`);
  for (const r of echo) console.log(`tls.connect + write + read back, gnutls-serv --echo, ${r.key}: ${r.ok ? "ok " + r.detail : r.code}`);
  if (echo.length) console.log("");
  results.push(...echo);
  for (const r of results) if (!r.ok && !r.skipped) console.log(`FAIL ${r.server} ${r.key} ${r.group} ${r.suite}: ${r.code}: ${r.detail}`);
  const missing = only.filter((s) => avail[s]);
  const ran = results.filter((r) => !r.skipped).length;
  console.log(`${ran - failed}/${ran} cells ok in ${((Date.now() - start) / 1000).toFixed(1)} s` +
    (missing.length ? `; not run (server missing): ${missing.join(", ")}` : ""));
  if (missing.length && inCI) { console.log("CI=true: every server must be installed (.ci/run installs them)"); return 1; }
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(e && e.stack || e);
} finally {
  await stopAll();
}
process.exit(code);
