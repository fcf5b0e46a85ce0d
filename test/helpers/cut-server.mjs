// A TLS server for the cut tests (Node, 127.0.0.1): RSA-2048 chain (leaf + intermediate), answers
// any request with a short HTTP/1.0 response and closes (close_notify, then FIN).
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { Pki } from "../../tools/lib/pki.mjs";

export const RESPONSE = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";

export async function cutServer({ version = "TLSv1.3" } = {}) {
  const chain = new Pki().chain({ leafKey: "rsa", interKey: "rsa", rootKey: "rsa" });
  const sockets = new Set();
  const server = tls.createServer({
    key: readFileSync(chain.leaf.keyFile), cert: chain.leaf.pem + chain.inter.pem, minVersion: version, maxVersion: version,
  }, (s) => {
    s.on("error", () => {});
    s.once("data", () => s.end(RESPONSE));
  });
  server.on("connection", (c) => { sockets.add(c); c.on("close", () => sockets.delete(c)); });
  server.on("tlsClientError", () => {});
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port, ca: chain.root.pem, chain,
    close: () => new Promise((r) => { for (const c of sockets) c.destroy(); server.close(r); }),
  };
}
