// A scripted TLS 1.2 server for conformance tests (Node's crypto): ECDHE over X25519, ECDSA P-256
// ServerKeyExchange signature, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, extended master secret
// (RFC 7627), session id and ticket resumption (RFC 5077; the ticket is an opaque handle here).
// A test changes what it sends: the ServerHello's fields, the messages of each flight (skipped,
// repeated, swapped, wrong, raw bytes), how messages are framed into records, and what happens
// after the handshake. It decrypts what the client sends back, so a test sees which alerts the
// client sent and whether they were encrypted. Just enough of RFC 5246 to complete a handshake or
// to break one on purpose.
import crypto from "node:crypto";
import net from "node:net";
import { readFileSync } from "node:fs";
import { parseClientHello, plainRecord, handshake } from "./tls13-script.mjs";

export { plainRecord, handshake };

const X25519_SPKI = Buffer.from("302a300506032b656e032100", "hex");
const SUITE = 0xc02b; // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256

const u8 = (n) => Buffer.from([n]);
const u16 = (n) => Buffer.from([n >> 8, n & 255]);
const u24 = (n) => Buffer.from([n >> 16, (n >> 8) & 255, n & 255]);
const vec = (lenBytes, b) => Buffer.concat([lenBytes === 1 ? u8(b.length) : lenBytes === 2 ? u16(b.length) : u24(b.length), b]);
const hmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest();

/** TLS 1.2 PRF with SHA-256 (RFC 5246 §5). */
export function prf(secret, label, seed, len) {
  const s = Buffer.concat([Buffer.from(label), seed]);
  let a = s, out = Buffer.alloc(0);
  while (out.length < len) { a = hmac(secret, a); out = Buffer.concat([out, hmac(secret, Buffer.concat([a, s]))]); }
  return out.subarray(0, len);
}

function seqBytes(seq) { const b = Buffer.alloc(8); b.writeUInt32BE(Math.floor(seq / 4294967296), 0); b.writeUInt32BE(seq % 4294967296, 4); return b; }

/** A protected TLS 1.2 AES-GCM record (RFC 5288): explicit nonce = the sequence number. */
export function seal12(k, type, data) {
  const seq = seqBytes(k.seq++);
  const c = crypto.createCipheriv("aes-128-gcm", k.key, Buffer.concat([k.iv, seq]));
  c.setAAD(Buffer.concat([seq, u8(type), u16(0x0303), u16(data.length)]));
  const body = Buffer.concat([seq, c.update(data), c.final(), c.getAuthTag()]);
  return Buffer.concat([u8(type), u16(0x0303), u16(body.length), body]);
}

function open12(k, type, body) {
  const seq = seqBytes(k.seq++);
  const ct = body.subarray(8, body.length - 16);
  const d = crypto.createDecipheriv("aes-128-gcm", k.key, Buffer.concat([k.iv, body.subarray(0, 8)]));
  d.setAAD(Buffer.concat([seq, u8(type), u16(0x0303), u16(ct.length)]));
  d.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([d.update(ct), d.final()]);
}

/** Handshake bytes framed as plaintext records of at most `n` bytes each. */
export function splitRecords(bytes, n, type = 22) {
  const out = [];
  for (let i = 0; i < bytes.length; i += n) out.push(plainRecord(type, bytes.subarray(i, i + n)));
  return Buffer.concat(out);
}

/** The default answer to application data: an HTTP response and close_notify. The client ends
 *  the TCP connection (ending it here too would drop what the board still has to send: Espruino's
 *  sockets do not half-close). */
export function reply(ctx) {
  ctx.send(23, Buffer.from("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  ctx.send(21, Buffer.from([1, 0]));
}

/**
 * Starts the server. opts:
 *   chain: { leaf: { keyFile, der }, inter: { der } } (ECDSA P-256 leaf)
 *   hello(sh, ctx): changes the ServerHello before it is sent: sh = { version, random, sessionId,
 *     suite, exts: [[type, body]] }; ctx.clientHello has the client's { sid, suites, ext }.
 *   flight1: the full handshake's first flight, of "SH", "Cert", "Cert-empty", "SKE", "SHD",
 *     "HelloRequest", or (ctx) => Buffer (raw bytes) / { hs: Buffer } (a handshake message, part of
 *     the transcript) (default ["SH", "Cert", "SKE", "SHD"]);
 *   frame1(bytes): the first flight's handshake messages (concatenated) to records (default one
 *     record per message);
 *   flight2: after the client's Finished (full) or after ServerHello (resumed): "NST", "CCS", "Fin",
 *     "Fin-wrong", "HelloRequest" or functions as above (default ["NST", "CCS", "Fin"] when the
 *     client offered session_ticket, else ["CCS", "Fin"]);
 *   resumeHello(sh, ctx) and resumeFlight: the same for a resumed handshake;
 *   afterHandshake(ctx): once the handshake is over (ctx.send(type, data) sends a protected record);
 *   onAppData(ctx, data): each application data record from the client (default: reply()).
 *   sessions: a Map to keep sessions in (share one between servers); resume: false to never resume.
 * Returns { port, results: [per connection], next(): Promise of the next connection's result,
 *   close() }. A result: { clientHello, alerts: [{ level, desc, encrypted }], finished (the
 *   client's Finished verified), appData: [Buffer], resumed, error }.
 */
/** Client CertificateVerify schemes the server can check: Node's hash name (null: Ed25519) and
 *  the RSA-PSS salt length. */
const CLIENT_SCHEMES = {
  0x0403: { hash: "sha256" }, 0x0503: { hash: "sha384" }, 0x0807: { hash: null },
  0x0401: { hash: "sha256" }, 0x0804: { hash: "sha256", pss: 32 },
};

export async function scriptedServer12(opts) {
  const key = crypto.createPrivateKey(readFileSync(opts.chain.leaf.keyFile));
  const sessions = opts.sessions || new Map();
  const results = [];
  const waiting = [];
  let taken = 0;
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    const out = { clientHello: null, alerts: [], finished: false, appData: [], resumed: false, closed: false, error: null };
    const ctx = { out, sock, opts };
    let buf = Buffer.alloc(0), hsBuf = Buffer.alloc(0);
    const msgs = []; // the transcript
    const th = () => { const h = crypto.createHash("sha256"); for (const m of msgs) h.update(m); return h.digest(); };
    ctx.th = th;
    /** The server Finished message over the transcript so far (not added to it). */
    ctx.finished = () => handshake(20, prf(ctx.master, "server finished", th(), 12));
    /** A ServerKeyExchange (X25519, signed with ecdsa_secp256r1_sha256) with fields to change:
     *  curveType, group, scheme, sig (the signature bytes to send instead). */
    ctx.ske = (o) => {
      const kp = crypto.generateKeyPairSync("x25519");
      ctx.ecdh = kp.privateKey;
      const params = Buffer.concat([u8(o.curveType ?? 3), u16(o.group ?? 0x1d), vec(1, kp.publicKey.export({ type: "spki", format: "der" }).subarray(12))]);
      const sig = o.sig || crypto.sign("sha256", Buffer.concat([ctx.clientRandom, ctx.serverRandom, params]), key);
      return handshake(12, Buffer.concat([params, u16(o.scheme ?? 0x0403), vec(2, sig)]));
    };
    /** From now on the flight's messages are protected (what the "CCS" step does besides
     *  sending the ChangeCipherSpec record). */
    ctx.startEncrypting = () => { writeKeys = ctx.sKeys; };
    /** A protected record under the server's write keys (set by the "CCS" step). */
    ctx.seal = (type, data) => seal12(ctx.sKeys, type, data);
    let readKeys = null, writeKeys = null;
    const finish = () => {
      if (out.closed) return;
      out.closed = true;
      results.push(out);
      const w = waiting.shift();
      if (w) w(out);
    };
    ctx.send = (type, data) => sock.write(writeKeys ? seal12(writeKeys, type, data) : plainRecord(type, data));

    function keys() {
      const kb = prf(ctx.master, "key expansion", Buffer.concat([ctx.serverRandom, ctx.clientRandom]), 40);
      ctx.cKeys = { key: kb.subarray(0, 16), iv: kb.subarray(32, 36), seq: 0 };
      ctx.sKeys = { key: kb.subarray(16, 32), iv: kb.subarray(36, 40), seq: 0 };
    }

    /** Builds one named message (added to the transcript) or runs a function step. */
    function step(name) {
      if (typeof name === "function") {
        // A Buffer: raw bytes; { hs }: a message of the transcript, framed as usual; { hs, raw }:
        // a message of the transcript sent as the raw bytes given (split, interleaved, ...).
        const r = name(ctx);
        if (Buffer.isBuffer(r) || !r) return { raw: r };
        if (r.hs) msgs.push(r.hs);
        return r.raw ? { raw: r.raw } : { hs: r.hs };
      }
      let m;
      if (name === "SH") {
        const e = Buffer.concat(ctx.sh.exts.map(([t, b]) => Buffer.concat([u16(t), vec(2, b)])));
        m = handshake(2, Buffer.concat([u16(ctx.sh.version), ctx.sh.random, vec(1, ctx.sh.sessionId), u16(ctx.sh.suite), u8(0), vec(2, e)]));
      } else if (name === "Cert") {
        m = handshake(11, vec(3, Buffer.concat([opts.chain.leaf.der, opts.chain.inter.der].map((d) => vec(3, d)))));
      } else if (name === "Cert-empty") {
        m = handshake(11, vec(3, Buffer.alloc(0)));
      } else if (name === "SKE") {
        m = ctx.ske({});
      } else if (name === "SHD") {
        m = handshake(14, Buffer.alloc(0));
      } else if (name === "HelloRequest") {
        return { hs: handshake(0, Buffer.alloc(0)), notInTranscript: true };
      } else if (name === "NST") {
        ctx.ticket = crypto.randomBytes(48);
        m = handshake(4, Buffer.concat([Buffer.from([0, 0, 0x1c, 0x20]), vec(2, ctx.ticket)]));
      } else if (name === "CCS") {
        const r = plainRecord(20, u8(1));
        writeKeys = ctx.sKeys;
        return { raw: r };
      } else if (name === "Fin" || name === "Fin-wrong") {
        m = name === "Fin" ? ctx.finished() : handshake(20, Buffer.alloc(12, 7));
      } else throw new Error("unknown step " + name);
      msgs.push(m);
      return { hs: m };
    }

    /** Sends a flight: handshake messages framed by `frame` (plaintext) or protected one per record. */
    function send(flight, frame) {
      let pending = [];
      const flushHs = () => {
        if (!pending.length) return;
        const bytes = Buffer.concat(pending);
        pending = [];
        if (writeKeys) sock.write(seal12(writeKeys, 22, bytes));
        else sock.write(frame ? frame(bytes) : bytes);
      };
      for (const name of flight) {
        const r = step(name);
        if (r.hs) pending.push(frame || writeKeys ? r.hs : plainRecord(22, r.hs));
        else { flushHs(); if (r.raw) sock.write(r.raw); }
        if (!frame) flushHs();
      }
      flushHs();
    }

    function onClientHello(msg) {
      const ch = parseClientHello(msg);
      out.clientHello = ch;
      ctx.clientHello = ch;
      ctx.clientRandom = msg.subarray(6, 38);
      ctx.serverRandom = crypto.randomBytes(32);
      msgs.push(msg);
      const ticket = ch.ext[35];
      const known = opts.resume === false ? null : (ticket && ticket.length && sessions.get("t" + ticket.toString("hex"))) || (ch.sid.length && sessions.get("s" + ch.sid.toString("hex")));
      const exts = [[0xff01, u8(0)], [23, Buffer.alloc(0)]];
      if (ticket) exts.push([35, Buffer.alloc(0)]);
      if (known) {
        out.resumed = true;
        ctx.master = known.master;
        ctx.sh = { version: 0x0303, random: ctx.serverRandom, sessionId: ch.sid, suite: SUITE, exts };
        if (opts.resumeHello) opts.resumeHello(ctx.sh, ctx);
        keys();
        send(opts.resumeFlight || (ticket ? ["SH", "NST", "CCS", "Fin"] : ["SH", "CCS", "Fin"]));
        return;
      }
      ctx.sessionId = crypto.randomBytes(32);
      ctx.sh = { version: 0x0303, random: ctx.serverRandom, sessionId: ctx.sessionId, suite: SUITE, exts };
      if (opts.hello) opts.hello(ctx.sh, ctx);
      send(opts.flight1 || ["SH", "Cert", "SKE", "SHD"], opts.frame1);
    }

    function onClientKeyExchange(msg) {
      const pub = msg.subarray(5, 5 + msg[4]);
      const peer = crypto.createPublicKey({ key: Buffer.concat([X25519_SPKI, pub]), format: "der", type: "spki" });
      const pre = crypto.diffieHellman({ privateKey: ctx.ecdh, publicKey: peer });
      msgs.push(msg);
      ctx.master = prf(pre, "extended master secret", th(), 48);
      keys();
    }

    function onClientFinished(msg) {
      const want = handshake(20, prf(ctx.master, "client finished", th(), 12));
      if (!want.equals(msg)) { out.error = "the client's Finished does not verify"; return; }
      out.finished = true;
      msgs.push(msg);
      const keep = { master: ctx.master };
      if (!out.resumed) {
        const flight = opts.flight2 || (ctx.clientHello.ext[35] ? ["NST", "CCS", "Fin"] : ["CCS", "Fin"]);
        send(flight);
        if (ctx.ticket) sessions.set("t" + ctx.ticket.toString("hex"), keep);
        sessions.set("s" + ctx.sessionId.toString("hex"), keep);
      }
      if (opts.afterHandshake) opts.afterHandshake(ctx);
    }

    /** The client's Certificate (kept in out.clientCerts as DER buffers) in answer to a request. */
    function onClientCertificate(msg) {
      const list = msg.subarray(7);
      out.clientCerts = [];
      for (let i = 0; i < list.length; i += 3 + list.readUIntBE(i, 3)) out.clientCerts.push(Buffer.from(list.subarray(i + 3, i + 3 + list.readUIntBE(i, 3))));
      msgs.push(msg);
    }

    /** The client's CertificateVerify, checked by Node's crypto against its leaf's public key over
     *  the handshake messages so far (TLS 1.2 signs the messages, RFC 5246 §7.4.8):
     *  out.certVerify = { scheme, verified }. */
    function onCertificateVerify(msg) {
      const scheme = msg.readUInt16BE(4), sig = msg.subarray(8, 8 + msg.readUInt16BE(6));
      const leaf = out.clientCerts && out.clientCerts[0] ? new crypto.X509Certificate(out.clientCerts[0]).publicKey : null;
      const v = CLIENT_SCHEMES[scheme];
      let verified = false;
      if (leaf && v) verified = crypto.verify(v.hash, Buffer.concat(msgs), v.pss ? { key: leaf, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: v.pss } : leaf, sig);
      out.certVerify = { scheme, verified };
      msgs.push(msg);
    }

    function onHandshake(data) {
      hsBuf = Buffer.concat([hsBuf, data]);
      while (hsBuf.length >= 4 && hsBuf.length >= 4 + hsBuf.readUIntBE(1, 3)) {
        const m = hsBuf.subarray(0, 4 + hsBuf.readUIntBE(1, 3));
        hsBuf = hsBuf.subarray(m.length);
        if (m[0] === 1 && !out.clientHello) onClientHello(m);
        else if (m[0] === 11) onClientCertificate(m);
        else if (m[0] === 15) onCertificateVerify(m);
        else if (m[0] === 16) onClientKeyExchange(m);
        else if (m[0] === 20) onClientFinished(m);
        else out.error = "unexpected handshake message " + m[0];
      }
    }

    function onRecord(type, body) {
      if (type === 20) { readKeys = ctx.cKeys; return; }
      let data = body;
      if (readKeys) {
        try { data = open12(readKeys, type, body); } catch (e) { out.error = "cannot decrypt the client's record"; return; }
      }
      if (type === 21) out.alerts.push({ level: data[0], desc: data[1], encrypted: !!readKeys });
      else if (type === 22) onHandshake(data);
      else if (type === 23) { out.appData.push(data); (opts.onAppData || reply)(ctx, data); }
      else out.error = "unexpected record type " + type;
    }

    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        const n = buf.readUInt16BE(3);
        const type = buf[0], body = buf.subarray(5, 5 + n);
        buf = buf.subarray(5 + n);
        try { onRecord(type, body); } catch (e) { out.error = String(e.stack || e); }
      }
    });
    sock.on("error", () => {});
    sock.on("close", () => { if (out.clientHello) finish(); });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    sessions,
    results,
    /** The result of the next connection to close (in order). */
    next: () => (taken < results.length ? Promise.resolve(results[taken++]) : new Promise((r) => { taken++; waiting.push(r); })),
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
