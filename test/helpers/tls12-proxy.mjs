// A TCP proxy on 127.0.0.1 that lets a test rewrite the server's plaintext handshake records on
// their way to the board: onRecord(type, body) may return a changed body (same length or not).
// Records are re-framed, so length changes are fine. Only records before the server's
// ChangeCipherSpec are offered (after it they are encrypted).
import net from "node:net";

export async function recordProxy(targetPort, onRecord) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    const up = net.connect(targetPort, "127.0.0.1");
    sockets.add(client); sockets.add(up);
    let buf = Buffer.alloc(0), plain = true;
    client.on("data", (d) => up.write(d));
    up.on("data", (d) => {
      if (!plain) { client.write(d); return; }
      buf = Buffer.concat([buf, d]);
      while (plain && buf.length >= 5) {
        const n = buf.readUInt16BE(3);
        if (buf.length < 5 + n) break;
        const type = buf[0];
        let body = buf.subarray(5, 5 + n);
        const rest = buf.subarray(5 + n);
        if (type === 20) plain = false;
        else body = onRecord(type, Buffer.from(body)) || body;
        const hdr = Buffer.from([type, buf[1], buf[2], body.length >> 8, body.length & 255]);
        client.write(Buffer.concat([hdr, body]));
        buf = rest;
      }
      if (!plain && buf.length) { client.write(buf); buf = Buffer.alloc(0); }
    });
    const end = () => { client.destroy(); up.destroy(); };
    client.on("error", end); up.on("error", end); client.on("close", end); up.on("close", end);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { port: server.address().port, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }) };
}

/** Calls f(type, body) for each complete handshake message in a record body; f may return a new body. */
export function eachHandshake(rec, f) {
  const out = [];
  let i = 0;
  while (i + 4 <= rec.length) {
    const n = rec.readUIntBE(i + 1, 3);
    if (i + 4 + n > rec.length) { out.push(rec.subarray(i)); i = rec.length; break; }
    const body = rec.subarray(i + 4, i + 4 + n);
    const nb = f(rec[i], Buffer.from(body)) || body;
    const h = Buffer.alloc(4);
    h[0] = rec[i]; h.writeUIntBE(nb.length, 1, 3);
    out.push(h, nb);
    i += 4 + n;
  }
  if (i < rec.length) out.push(rec.subarray(i));
  return Buffer.concat(out);
}

/** ServerHello body without the extension of `type`, or with `replacement` as its body (added when absent). */
export function editServerHelloExt(body, type, replacement) {
  let p = 2 + 32;
  p += 1 + body[p];
  p += 3;
  if (p >= body.length) return body;
  const head = body.subarray(0, p);
  const exts = [];
  let q = p + 2, found = false;
  const put = () => { const h = Buffer.alloc(4); h.writeUInt16BE(type); h.writeUInt16BE(replacement.length, 2); exts.push(h, replacement); };
  while (q + 4 <= body.length) {
    const t = body.readUInt16BE(q), n = body.readUInt16BE(q + 2);
    const e = body.subarray(q, q + 4 + n);
    if (t !== type) exts.push(e);
    else if (replacement) { found = true; put(); }
    q += 4 + n;
  }
  if (replacement && !found) put();
  const all = Buffer.concat(exts);
  const len = Buffer.alloc(2); len.writeUInt16BE(all.length);
  return Buffer.concat([head, len, all]);
}

/** A TCP proxy that sends its n-th connection to ports[min(n, last)]: the "same server" changing
 *  between connections (e.g. upgraded from TLS 1.2 to 1.3). */
export async function switchProxy(ports) {
  const sockets = new Set();
  let n = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("error", () => client.destroy());
    // Connections that send nothing (the board mock probes the port) do not count.
    client.once("data", (first) => {
      const up = net.connect(ports[Math.min(n++, ports.length - 1)], "127.0.0.1");
      sockets.add(up);
      up.write(first);
      client.pipe(up); up.pipe(client);
      const end = () => { client.destroy(); up.destroy(); };
      client.on("error", end); up.on("error", end); client.on("close", end); up.on("close", end);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { port: server.address().port, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }) };
}
