// Watching what the TLS client sends, for refusal tests:
// - observedTlsServer: a Node TLS 1.3 server that records every alert it receives from a client
//   ("SSL alert number 42" in OpenSSL's error text; the alert is encrypted after ServerHello, so
//   only the TLS layer can read it) and how many handshakes completed;
// - mitmProxy: a TCP proxy between the client and a server that parses the server's byte stream
//   into records and lets a test rewrite, drop, truncate or reorder them.
import net from "node:net";
import tls from "node:tls";
import https from "node:https";
import { readFileSync } from "node:fs";

/** The alert number in an OpenSSL error message, or null. */
export function alertNumber(err) {
  const m = /alert number (\d+)/.exec(String(err && err.message));
  return m ? Number(m[1]) : null;
}

/**
 * A Node TLS 1.3 server for `chain` ({ leaf: { keyFile, pem }, inter: { pem } }); opts.certPem
 * overrides the certificate list sent, opts.tls adds tls options, opts.onSecure(socket) handles a
 * connection (default: echo), opts.https serves HTTP through opts.handler(req, res).
 * Returns { port, alerts: [n], errors: [message], handshakes, close() }.
 */
export async function observedTlsServer(chain, opts = {}) {
  const state = { alerts: [], errors: [], handshakes: 0, connections: 0 };
  const options = {
    key: opts.keyPem || readFileSync(chain.leaf.keyFile),
    cert: opts.certPem || chain.leaf.pem + chain.inter.pem,
    minVersion: "TLSv1.3",
    ...opts.tls,
  };
  const note = (e) => {
    state.errors.push(String(e && e.message));
    const n = alertNumber(e);
    if (n !== null) state.alerts.push(n);
  };
  const server = opts.https
    ? https.createServer(options, opts.handler)
    : tls.createServer(options, (s) => {
      s.on("error", note);
      if (opts.onSecure) opts.onSecure(s); else s.on("data", (d) => s.write(d));
    });
  server.on("secureConnection", (s) => { state.handshakes++; if (opts.https) s.on("error", note); });
  server.on("connection", () => { state.connections++; });
  server.on("tlsClientError", note);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const sockets = new Set();
  server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  return {
    server, state, port: server.address().port,
    get alerts() { return state.alerts; },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/**
 * A proxy on 127.0.0.1 in front of targetPort. For the server-to-client direction it calls
 * onRecord(record, index, ctx) for every TLS record (a Buffer with its 5-byte header, index
 * counting from 0) and forwards what it returns: a Buffer (or array of Buffers), null to drop it,
 * or { data, close: true } to send `data` and then close the client's connection.
 * Returns { port, stats: { connections, clientBytes: [Buffer] }, close() }.
 */
export async function mitmProxy(targetPort, onRecord) {
  const stats = { connections: 0, toServer: [] };
  const sockets = new Set();
  const server = net.createServer((client) => {
    stats.connections++;
    sockets.add(client);
    const upstream = net.connect({ host: "127.0.0.1", port: targetPort });
    sockets.add(upstream);
    let buf = Buffer.alloc(0), index = 0, closed = false;
    const ctx = {};
    client.on("data", (d) => { stats.toServer.push(d); upstream.write(d); });
    upstream.on("data", (d) => {
      if (closed) return;
      buf = Buffer.concat([buf, d]);
      while (!closed && buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        const rec = buf.subarray(0, 5 + buf.readUInt16BE(3));
        buf = buf.subarray(rec.length);
        let out = onRecord(Buffer.from(rec), index++, ctx);
        let close = false;
        if (out && !Buffer.isBuffer(out) && !Array.isArray(out)) { close = !!out.close; out = out.data; }
        for (const b of out === null || out === undefined ? [] : Array.isArray(out) ? out : [out]) client.write(b);
        if (close) { closed = true; client.end(); upstream.destroy(); }
      }
    });
    const bye = () => { client.destroy(); upstream.destroy(); };
    client.on("close", () => { sockets.delete(client); upstream.end(); });
    upstream.on("close", () => { sockets.delete(upstream); if (!closed) client.end(); });
    client.on("error", bye);
    upstream.on("error", bye);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port, stats,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
