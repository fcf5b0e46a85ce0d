// P-384 key exchange against a real peer: OpenSSL s_server restricted to P-384 (`-groups P-384`).
// The client offers P-384 last in supported_groups without a key share, so in TLS 1.3 the server
// answers its X25519 share with a HelloRetryRequest for P-384, and a TLS 1.2 server picks P-384
// for ECDHE. Each is a verified HTTPS GET on the product bundle in the board mock; the server's
// page must name the same group.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { freePort, hasBinary, makeChains, spawnServer, stopAll } from "../../tools/lib/interop.mjs";
import { runPlan } from "../helpers/tls12-app.mjs";

const inCI = process.env.CI === "true";
const chains = hasBinary("openssl") ? makeChains() : null;
after(() => stopAll());

for (const [version, flag, hrr] of [["TLS 1.3", "-tls1_3", true], ["TLS 1.2", "-tls1_2", false]]) {
  test(`${version}: OpenSSL s_server -groups P-384: connects over P-384${hrr ? " after a HelloRetryRequest" : ""}`, { timeout: 120000 }, async (t) => {
    if (!chains) {
      if (inCI) assert.fail("openssl is missing");
      t.skip("openssl is missing");
      return;
    }
    const c = chains.ecdsa;
    const port = await freePort();
    const srv = await spawnServer("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", c.leaf.certFile, "-key", c.leaf.keyFile,
      "-cert_chain", c.inter.certFile, flag, "-www", "-groups", "P-384"], { port, ready: /^ACCEPT/m });
    try {
      const r = await runPlan([{}], { port, ca: c.root.pem });
      const x = r.results[0];
      assert.equal(x.err, null, x.msg);
      assert.equal(x.group, 0x18);
      assert.equal(x.version, hrr ? 0x0304 : 0x0303);
      assert.equal(x.steps.includes("hello_retry"), hrr, x.steps.join(" "));
      assert.match(x.body, /Shared groups: secp384r1|Server Temp Key: ECDH, (P-384|secp384r1)/, "the server's page names P-384");
    } finally {
      await srv.stop();
    }
  });
}
