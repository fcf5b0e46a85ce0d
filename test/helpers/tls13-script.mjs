// A scripted TLS 1.3 server for tests (Node's crypto, X25519 + TLS_AES_128_GCM_SHA256, ECDSA P-256
// CertificateVerify): it sends the server flight in the order a test asks for (messages skipped,
// repeated, swapped, or raw bytes), then reads what the client sends back, decrypting it, so a test
// sees exactly which alert the client sent and whether it was encrypted. Not a general server:
// just enough of RFC 8446 to complete or to break a handshake on purpose.
import crypto from "node:crypto";
import net from "node:net";
import { readFileSync } from "node:fs";

const SHA256_EMPTY = crypto.createHash("sha256").digest();
const X25519_SPKI = Buffer.from("302a300506032b656e032100", "hex");

const u8 = (n) => Buffer.from([n]);
const u16 = (n) => Buffer.from([n >> 8, n & 255]);
const u24 = (n) => Buffer.from([n >> 16, (n >> 8) & 255, n & 255]);
const vec = (lenBytes, b) => Buffer.concat([lenBytes === 1 ? u8(b.length) : lenBytes === 2 ? u16(b.length) : u24(b.length), b]);
const hmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest();

function expandLabel(secret, label, context, len) {
  const info = Buffer.concat([u16(len), vec(1, Buffer.from("tls13 " + label)), vec(1, context)]);
  let t = Buffer.alloc(0), out = Buffer.alloc(0);
  for (let i = 1; out.length < len; i++) { t = hmac(secret, Buffer.concat([t, info, u8(i)])); out = Buffer.concat([out, t]); }
  return out.subarray(0, len);
}

function trafficKeys(secret) {
  return { key: expandLabel(secret, "key", Buffer.alloc(0), 16), iv: expandLabel(secret, "iv", Buffer.alloc(0), 12), seq: 0, secret };
}

function nonce(k) {
  const n = Buffer.from(k.iv);
  let s = k.seq++;
  for (let i = 11; i >= 4 && s > 0; i--) { n[i] ^= s & 255; s = Math.floor(s / 256); }
  return n;
}

/** An encrypted record carrying `data` of inner content `type`. */
export function seal(k, type, data) {
  const inner = Buffer.concat([data, u8(type)]);
  const hdr = Buffer.concat([u8(23), u16(0x0303), u16(inner.length + 16)]);
  const c = crypto.createCipheriv("aes-128-gcm", k.key, nonce(k));
  c.setAAD(hdr);
  return Buffer.concat([hdr, c.update(inner), c.final(), c.getAuthTag()]);
}

function open(k, hdr, body) {
  const d = crypto.createDecipheriv("aes-128-gcm", k.key, nonce(k));
  d.setAAD(hdr);
  d.setAuthTag(body.subarray(body.length - 16));
  const inner = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
  let end = inner.length;
  while (end > 0 && inner[end - 1] === 0) end--;
  return { type: inner[end - 1], data: inner.subarray(0, end - 1) };
}

export const plainRecord = (type, data) => Buffer.concat([u8(type), u16(0x0303), u16(data.length), data]);
export const handshake = (type, body) => Buffer.concat([u8(type), u24(body.length), body]);

/** ClientHello fields the tests look at: extensions by type, and the X25519 key share. */
export function parseClientHello(msg) {
  let o = 4 + 2 + 32;
  const sid = msg.subarray(o + 1, o + 1 + msg[o]); o += 1 + msg[o];
  const suitesLen = msg.readUInt16BE(o); const suites = [];
  for (let i = 0; i < suitesLen; i += 2) suites.push(msg.readUInt16BE(o + 2 + i));
  o += 2 + suitesLen;
  o += 1 + msg[o];
  const extEnd = o + 2 + msg.readUInt16BE(o); o += 2;
  const ext = {};
  while (o < extEnd) { const t = msg.readUInt16BE(o), n = msg.readUInt16BE(o + 2); ext[t] = msg.subarray(o + 4, o + 4 + n); o += 4 + n; }
  let x25519 = null;
  if (ext[51]) {
    const ks = ext[51];
    for (let i = 2; i < ks.length;) { const g = ks.readUInt16BE(i), n = ks.readUInt16BE(i + 2); if (g === 0x1d) x25519 = ks.subarray(i + 4, i + 4 + n); i += 4 + n; }
  }
  return { sid, suites, ext, x25519 };
}

/**
 * Starts the server. opts:
 *   chain: { leaf: { keyFile, der }, inter: { der } } (ECDSA P-256 leaf)
 *   flight: the server's encrypted flight after ServerHello, an array of "EE", "Cert", "CV", "CV-wrong", "Fin",
 *     "NST", "KU" (KeyUpdate), or a function (ctx) => Buffer of raw bytes to send; each named
 *     message is built when sent, over the transcript so far (default ["EE", "Cert", "CV", "Fin"]).
 *   beforeFlight: (ctx) => Buffer of raw bytes sent right after ServerHello (e.g. a second ServerHello).
 *   afterFinished: (ctx) => void, run once the client's Finished arrives (ctx.send(type, data) sends
 *     an application-keyed record).
 * Returns { port, result: Promise<{ clientHello, alerts: [{ level, desc, encrypted }], finished,
 *   appData: [Buffer], closed }>, close() }.
 */
export async function scriptedServer(opts) {
  const flight = opts.flight || ["EE", "Cert", "CV", "Fin"];
  const key = crypto.createPrivateKey(readFileSync(opts.chain.leaf.keyFile));
  let resolveResult;
  const result = new Promise((r) => { resolveResult = r; });
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    const out = { clientHello: null, alerts: [], finished: false, appData: [], closed: false, error: null };
    let buf = Buffer.alloc(0), hsBuf = Buffer.alloc(0);
    let th = crypto.createHash("sha256");
    const ctx = { out, sock, keys: {} };
    let readKeys = null; // the client's write keys as we know them
    const digest = () => th.copy().digest();
    const finish = () => { if (!out.closed) { out.closed = true; resolveResult(out); } };

    function onClientHello(msg) {
      const ch = parseClientHello(msg);
      out.clientHello = ch;
      th.update(msg);
      if (!ch.x25519) { out.error = "no X25519 key share"; sock.destroy(); return; }
      const kp = crypto.generateKeyPairSync("x25519");
      const pub = kp.publicKey.export({ type: "spki", format: "der" }).subarray(12);
      const peer = crypto.createPublicKey({ key: Buffer.concat([X25519_SPKI, ch.x25519]), format: "der", type: "spki" });
      const shared = crypto.diffieHellman({ privateKey: kp.privateKey, publicKey: peer });
      const ext = Buffer.concat([u16(43), vec(2, u16(0x0304)), u16(51), vec(2, Buffer.concat([u16(0x1d), vec(2, pub)]))]);
      const sh = handshake(2, Buffer.concat([u16(0x0303), crypto.randomBytes(32), vec(1, ch.sid), u16(0x1301), u8(0), vec(2, ext)]));
      th.update(sh);
      sock.write(plainRecord(22, sh));
      sock.write(plainRecord(20, u8(1)));
      const early = hmac(Buffer.alloc(32), Buffer.alloc(32));
      const hs = hmac(expandLabel(early, "derived", SHA256_EMPTY, 32), shared);
      const h = digest();
      ctx.keys.cHs = trafficKeys(expandLabel(hs, "c hs traffic", h, 32));
      ctx.keys.sHs = trafficKeys(expandLabel(hs, "s hs traffic", h, 32));
      ctx.master = hmac(expandLabel(hs, "derived", SHA256_EMPTY, 32), Buffer.alloc(32));
      readKeys = ctx.keys.cHs;
      if (opts.beforeFlight) sock.write(opts.beforeFlight(ctx));
      let w = ctx.keys.sHs;
      for (const step of flight) {
        if (typeof step === "function") { sock.write(step(ctx)); continue; }
        let m;
        if (step === "EE") m = handshake(8, vec(2, Buffer.alloc(0)));
        else if (step === "Cert") {
          const list = Buffer.concat([opts.chain.leaf.der, opts.chain.inter.der].map((d) => Buffer.concat([vec(3, d), u16(0)])));
          m = handshake(11, Buffer.concat([u8(0), vec(3, list)]));
        } else if (step === "CV" || step === "CV-wrong") {
          // CV-wrong signs a transcript hash of zeros: a valid signature over the wrong content.
          const h = step === "CV" ? digest() : Buffer.alloc(32);
          const content = Buffer.concat([Buffer.alloc(64, 32), Buffer.from("TLS 1.3, server CertificateVerify\0"), h]);
          m = handshake(15, Buffer.concat([u16(0x0403), vec(2, crypto.sign("sha256", content, key))]));
        } else if (step === "Fin") {
          m = handshake(20, hmac(expandLabel(ctx.keys.sHs.secret, "finished", Buffer.alloc(0), 32), digest()));
        } else if (step === "NST") {
          m = handshake(4, Buffer.concat([Buffer.from([0, 0, 14, 16]), crypto.randomBytes(4), vec(1, u8(0)), vec(2, crypto.randomBytes(32)), u16(0)]));
        } else if (step === "KU") {
          m = handshake(24, u8(0));
        } else throw new Error("unknown step " + step);
        th.update(m);
        sock.write(seal(w, 22, m));
        if (step === "Fin") {
          const h2 = digest();
          ctx.keys.cAp = trafficKeys(expandLabel(ctx.master, "c ap traffic", h2, 32));
          ctx.keys.sAp = trafficKeys(expandLabel(ctx.master, "s ap traffic", h2, 32));
          ctx.send = (type, data) => sock.write(seal(ctx.keys.sAp, type, data));
        }
      }
    }

    function onRecord(type, hdr, body) {
      if (!out.clientHello) {
        if (type !== 22) { out.error = "first record of type " + type; return; }
        hsBuf = Buffer.concat([hsBuf, body]);
        if (hsBuf.length >= 4 && hsBuf.length >= 4 + hsBuf.readUIntBE(1, 3)) onClientHello(hsBuf);
        return;
      }
      if (type === 20) return; // the client's compatibility CCS
      if (type === 21) { out.alerts.push({ level: body[0], desc: body[1], encrypted: false }); return; }
      if (type !== 23 || !readKeys) { out.error = "unexpected record type " + type; return; }
      let inner;
      try { inner = open(readKeys, hdr, body); } catch (e) { out.error = "cannot decrypt the client's record"; return; }
      if (inner.type === 21) out.alerts.push({ level: inner.data[0], desc: inner.data[1], encrypted: true });
      else if (inner.type === 22 && inner.data[0] === 20 && !out.finished) {
        out.finished = true;
        readKeys = ctx.keys.cAp;
        if (opts.afterFinished) opts.afterFinished(ctx);
      } else if (inner.type === 23) out.appData.push(inner.data);
    }

    sock.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        const n = buf.readUInt16BE(3);
        const hdr = buf.subarray(0, 5), body = buf.subarray(5, 5 + n);
        buf = buf.subarray(5 + n);
        try { onRecord(hdr[0], hdr, body); } catch (e) { out.error = String(e.stack || e); }
      }
    });
    sock.on("error", () => {});
    sock.on("close", () => { if (out.clientHello) finish(); });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    result,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
