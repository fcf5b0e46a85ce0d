// Local TLS servers for interop tests, on 127.0.0.1, stopped by the test that starts them.
import https from "node:https";
import { readFileSync } from "node:fs";

/** A Node HTTPS server answering every request with JSON describing it. opts: tls options. */
export async function nodeHttps(chain, opts = {}) {
  const server = https.createServer({
    key: readFileSync(chain.leaf.keyFile),
    cert: chain.leaf.pem + (opts.withIntermediate === false ? "" : chain.inter.pem),
    minVersion: "TLSv1.3",
    ...opts.tls,
  }, (req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (opts.handler) return opts.handler(req, res, body);
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ method: req.method, url: req.url, body, tls: req.socket.getCipher().standardName }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}
