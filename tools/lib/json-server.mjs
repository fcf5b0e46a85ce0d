// A local HTTPS server for demos and tests: TLS 1.3 on 127.0.0.1, answers JSON.
import https from "node:https";
import { readFileSync } from "node:fs";

/** chain: { leaf, inter } from Pki.chain(). Echoes each request as JSON. */
export async function startJsonServer(chain, tlsOptions = {}) {
  const server = https.createServer({
    key: readFileSync(chain.leaf.keyFile),
    cert: chain.leaf.pem + chain.inter.pem,
    minVersion: "TLSv1.3",
    ...tlsOptions,
  }, (req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      let received = null;
      try { received = JSON.parse(body); } catch { /* not JSON */ }
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ ok: true, method: req.method, path: req.url, received, tls: req.socket.getCipher().standardName }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}
