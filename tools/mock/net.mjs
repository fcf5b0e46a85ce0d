// require("net") and require("dgram") of the board mock, over real loopback sockets, with the
// interpreter's behaviour (FACTS §6): data as byte strings in chunks of at most `chunkBytes`,
// write(x) sending String(x), drain when the queue empties, a refused connection thrown
// synchronously, events emitted asynchronously, and the aborts the interpreter really has.
import net from "node:net";
import dgram from "node:dgram";
import { spawnSync } from "node:child_process";

/** Espruino-style event methods (on, emit, removeListener, removeAllListeners); emit is async. */
export class Emitter {
  constructor() { this.listeners = {}; }
  on(ev, fn) { (this.listeners[ev] = this.listeners[ev] || []).push(fn); return this; }
  removeListener(ev, fn) { const l = this.listeners[ev] || []; const i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); }
  removeAllListeners(ev) { if (ev === undefined) this.listeners = {}; else delete this.listeners[ev]; }
  emitNow(ev, args) { for (const fn of (this.listeners[ev] || []).slice()) fn.apply(this, args); }
  emit(ev, ...args) { setImmediate(() => this.emitNow(ev, args)); }
}

function refused(host, port) {
  const script = `const s=require("net").connect(${port},${JSON.stringify(host)});s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(3));`;
  return spawnSync(process.execPath, ["-e", script], { timeout: 5000 }).status === 3;
}

export function netModules(board) {
  const chunk = board.profile.net.chunkBytes;
  let inDataHandler = 0;

  class Socket extends Emitter {
    constructor(sock) {
      super();
      this.sock = sock;
      this.pending = 0;
      sock.on("data", (buf) => {
        for (let o = 0; o < buf.length; o += chunk) {
          const s = buf.subarray(o, o + chunk).toString("latin1");
          setImmediate(() => {
            inDataHandler++;
            try { this.emitNow("data", [s]); } finally { inDataHandler--; }
          });
        }
      });
      sock.on("end", () => this.emit("end"));
      sock.on("close", () => setImmediate(() => setImmediate(() => this.emitNow("close", [false]))));
      sock.on("error", (e) => this.emit("error", { code: e.code, message: e.message }));
      board.sockets.add(sock);
      sock.on("close", () => board.sockets.delete(sock));
    }
    write(x) {
      const buf = Buffer.from(String(x), "latin1");
      this.pending++;
      this.sock.write(buf, () => { if (--this.pending === 0) this.emit("drain"); });
      return false;
    }
    end(x) { if (x !== undefined) this.write(x); this.sock.end(); }
  }

  const netMod = {
    connect(options, cb) {
      if (inDataHandler) board.abort("new connection opened inside a socket data handler (segfault in network.c, FACTS §6)");
      const host = options.host || "127.0.0.1";
      const port = options.port;
      if (!/^(127\.|localhost$|::1$)/.test(host)) throw new Error(`board mock: only loopback hosts, not ${host}`);
      if (refused(host, port)) throw new Error(`Unable to connect to ${host}:${port}`);
      const s = new Socket(net.connect({ host, port }));
      s.sock.on("connect", () => {
        if (cb && (s.listeners.connect || []).length) board.abort("both a connect callback and on('connect') (assert in the interpreter, FACTS §6)");
        if (cb) setImmediate(() => cb(s));
        s.emit("connect");
      });
      return s;
    },
  };

  const dgramMod = {
    createSocket(type) {
      if (type !== "udp4" && !(type && type.type === "udp4")) throw new Error("board mock: dgram supports udp4 only");
      const sock = dgram.createSocket("udp4");
      const e = new Emitter();
      board.sockets.add(sock);
      sock.on("message", (msg, rinfo) => e.emit("message", msg.toString("latin1"), { address: rinfo.address, port: rinfo.port, size: rinfo.size }));
      sock.on("close", () => board.sockets.delete(sock));
      e.bind = (port, cb) => { sock.bind(port || 0, "127.0.0.1", cb ? () => cb() : undefined); return e; };
      e.send = (msg, port, host) => {
        if (typeof msg !== "string") board.abort("dgram send of a non-string aborts the interpreter (FACTS §6)");
        if (!/^(127\.|localhost$)/.test(host)) throw new Error(`board mock: only loopback hosts, not ${host}`);
        sock.send(Buffer.from(msg, "latin1"), port, host);
      };
      e.close = () => sock.close();
      return e;
    },
  };
  return { net: netMod, dgram: dgramMod };
}
