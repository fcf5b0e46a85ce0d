// The interop matrix of `npm run interop` under node:test: OpenSSL s_server, GnuTLS gnutls-serv,
// nginx and Node's https on 127.0.0.1, RSA-2048 and ECDSA P-256 chains with an intermediate,
// every cipher suite, X25519 and P-256 (HelloRetryRequest); the product bundle on the board mock
// does a verified HTTPS GET against each. Plus tls.connect + write + read against gnutls-serv --echo.
// A server whose binary is missing is skipped with the reason, except in CI (CI=true), where it fails.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { runApp } from "../helpers/board-app.mjs";
import { KEYS, SERVERS, SERVER_NAMES, availability, cells, makeChains, runCell, runEchoCell, stopAll } from "../../tools/lib/interop.mjs";

const inCI = process.env.CI === "true";
const avail = availability();
const chains = makeChains();
after(() => stopAll());

for (const server of SERVER_NAMES) {
  test(`interop: ${SERVERS[server].title}`, { timeout: 600000 }, async (t) => {
    if (avail[server]) {
      if (inCI) assert.fail(`${avail[server]}: CI must install every interop server (.ci/run)`);
      t.skip(avail[server]);
      return;
    }
    for (const c of cells([server])) {
      await t.test(`${c.key} ${c.group} ${c.suite}`, { timeout: 60000 }, async () => {
        const r = await runCell(runApp, chains, c.server, c.key, c.suite, c.group);
        assert.ok(r.ok, `${r.code}: ${r.detail}`);
      });
    }
  });
}

test("interop: tls.connect + write + read back against gnutls-serv --echo", { timeout: 120000 }, async (t) => {
  if (avail.gnutls) {
    if (inCI) assert.fail(`${avail.gnutls}: CI must install every interop server (.ci/run)`);
    t.skip(avail.gnutls);
    return;
  }
  for (const key of KEYS) {
    await t.test(key, { timeout: 60000 }, async () => {
      const r = await runEchoCell(runApp, chains, key);
      assert.ok(r.ok, `${r.code}: ${r.detail}`);
    });
  }
});
