// `espruino-tls ota serve`: an HTTPS server on 127.0.0.1 for a manifest document and store
// images, for tests and demos. Files are served from memory by path; a test can swap them,
// cut a response short, or count requests.
import https from "node:https";
import { readFileSync } from "node:fs";

/**
 * serveOta({ files: { "/manifest.json": Buffer|string, "/castore-2.bin": Buffer }, key, cert
 * (PEM text: leaf + intermediates), port = 0, host = "127.0.0.1", truncate: { path: bytes },
 * chunk: bytes per write (one TLS record each), delayMs, log }) -> { port, url(path), set(path, data),
 * truncate(path, n), requests: [path...], close() }.
 * A truncated path answers with the full Content-Length but closes after that many bytes.
 */
export async function serveOta(o) {
  const files = new Map(Object.entries(o.files || {}).map(([k, v]) => [k, Buffer.from(v)]));
  const truncate = { ...(o.truncate || {}) };
  const requests = [];
  const server = https.createServer({ key: o.key, cert: o.cert, minVersion: "TLSv1.3" }, (req, res) => {
    const path = req.url.split("?")[0];
    requests.push(path);
    if (o.log) o.log(`${req.method} ${req.url}`);
    const body = files.get(path);
    if (!body) { res.writeHead(404, { "Content-Type": "text/plain" }); res.end("not found\n"); return; }
    const type = path.endsWith(".json") ? "application/json" : "application/octet-stream";
    res.writeHead(200, { "Content-Type": type, "Content-Length": body.length });
    const cut = truncate[path];
    const limit = cut === undefined ? body.length : cut;
    const step = o.chunk || body.length || 1;
    // In pieces of `chunk` bytes (one TLS record each), then end or, when truncated, a hard close.
    const send = (at = 0) => {
      const end = Math.min(at + step, limit);
      const last = end >= limit;
      res.write(body.subarray(at, end), () => {
        if (!last) { setImmediate(() => send(end)); return; }
        if (cut === undefined) res.end(); else setTimeout(() => req.socket.destroy(), 50);
      });
    };
    if (o.delayMs) setTimeout(() => send(0), o.delayMs); else send(0);
  });
  await new Promise((r, j) => { server.once("error", j); server.listen(o.port || 0, o.host || "127.0.0.1", r); });
  const port = server.address().port;
  return {
    server,
    port,
    requests,
    url: (p) => `https://localhost:${port}${p}`,
    set(path, data) { if (data === null) files.delete(path); else files.set(path, Buffer.from(data)); },
    truncate(path, n) { if (n === null) delete truncate[path]; else truncate[path] = n; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

export const readPem = (f) => readFileSync(f, "utf8");
