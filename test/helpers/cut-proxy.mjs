// A TCP proxy on 127.0.0.1 that forwards connections to a server and misbehaves on cue: each
// accepted connection takes the next entry of a plan, {dir: "server"|"client", n, action:
// "cut"|"stall"|"rst"} or null (forward everything). "cut" forwards exactly n bytes in that
// direction (the other direction untouched until then), then ends both TCP connections (FIN);
// "rst" resets them instead; "stall" forwards n bytes and then nothing more in that direction,
// keeping both connections open. It records per connection the bytes each way and the TLS record
// boundaries it saw (offsets where a record header starts, from the 5-byte headers).
import net from "node:net";

/** Offsets in a byte stream at which TLS records end (record headers are in the clear). */
export function recordEnds(bytes) {
  const ends = [];
  for (let o = 0; o + 5 <= bytes.length;) {
    o += 5 + bytes.readUInt16BE(o + 3);
    if (o <= bytes.length) ends.push(o);
  }
  return ends;
}

export async function cutProxy(targetPort, plan = []) {
  const conns = [];
  const sockets = new Set();
  let next = 0;
  const server = net.createServer((client) => {
    // The rule is taken when the client's first bytes arrive: connections that send nothing
    // (the board mock probes each address with one before connecting) take none.
    let rule = null, rec = null, upstream = null, done = false;
    const held = [];
    sockets.add(client); client.on("close", () => sockets.delete(client)); client.on("error", () => {});
    const stop = (how) => {
      if (done) return;
      done = true;
      rec.cutAt = Date.now();
      if (how === "stall") return;
      for (const s of [client, upstream]) {
        if (how === "rst") s.resetAndDestroy();
        else s.end(() => s.destroy());
      }
    };
    // Forwards from `src` to `dst` under the rule for that direction.
    const forward = (dst, dir, log, state, d) => {
      if (done) return;
      if (rule && rule.dir === dir) {
        const part = d.subarray(0, Math.max(0, rule.n - state.sent));
        if (part.length) { dst.write(part); log.push(part); state.sent += part.length; }
        if (state.sent >= rule.n) stop(rule.action);
        return;
      }
      dst.write(d); log.push(d); state.sent += d.length;
    };
    const fromClient = { sent: 0 }, fromServer = { sent: 0 };
    client.on("data", (d) => {
      if (!rec) {
        rule = next < plan.length ? plan[next] : null;
        next++;
        rec = { rule, fromServer: [], fromClient: [], cutAt: null };
        conns.push(rec);
        upstream = net.connect(targetPort, "127.0.0.1");
        sockets.add(upstream); upstream.on("close", () => sockets.delete(upstream)); upstream.on("error", () => {});
        upstream.on("data", (x) => forward(client, "server", rec.fromServer, fromServer, x));
        upstream.on("end", () => { if (!done) client.end(); });
        client.on("end", () => { if (!done) upstream.end(); });
      }
      forward(upstream, "client", rec.fromClient, fromClient, d);
    });
    client.on("end", () => { if (!rec) client.end(); });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    conns,
    /** Bytes each way of connection i, and the offsets where their TLS records end. */
    bytes(i) {
      const s = Buffer.concat(conns[i].fromServer), c = Buffer.concat(conns[i].fromClient);
      return { server: s, client: c, serverEnds: recordEnds(s), clientEnds: recordEnds(c) };
    },
    setPlan(p) { plan = p; next = 0; conns.length = 0; },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}
