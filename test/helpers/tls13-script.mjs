// A scripted TLS 1.3 server for tests (Node's crypto, X25519, P-256 or P-384 + TLS_AES_128_GCM_SHA256, ECDSA
// P-256 CertificateVerify): it sends the server flight in the order a test asks for (messages skipped,
// repeated, swapped, or raw bytes), then reads what the client sends back, decrypting it, so a test
// sees exactly which alert the client sent and whether it was encrypted. Not a general server:
// just enough of RFC 8446 to complete or to break a handshake on purpose: HelloRetryRequests, a
// ServerHello with any field changed, handshake messages split over records or coalesced.
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
  const shares = {};
  if (ext[51]) {
    const ks = ext[51];
    for (let i = 2; i < ks.length;) { const g = ks.readUInt16BE(i), n = ks.readUInt16BE(i + 2); shares[g] = ks.subarray(i + 4, i + 4 + n); i += 4 + n; }
    x25519 = shares[0x1d] || null;
  }
  return { sid, suites, ext, x25519, shares };
}

/** random of a HelloRetryRequest (RFC 8446 §4.1.3). */
export const HRR_RANDOM = Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex");

/** One extension: type and body. */
export const extension = (type, body) => Buffer.concat([u16(type), vec(2, body)]);
export const keyShareExt = (group, pub) => extension(51, Buffer.concat([u16(group), vec(2, pub)]));
export { u8, u16, u24, vec };

/** A ServerHello (or HelloRetryRequest) body from its fields; `trailing` bytes go after the
 *  extensions, `exts: null` leaves the extensions block out. */
export function serverHelloBody(sh) {
  const parts = [u16(sh.legacy), sh.random, vec(1, sh.sid), u16(sh.suite), u8(sh.compression || 0)];
  if (sh.exts) parts.push(vec(2, Buffer.concat(sh.exts)));
  if (sh.trailing) parts.push(sh.trailing);
  return Buffer.concat(parts);
}

/** Our share for `group` and the secret shared with the client's share `peer`. */
function keyExchange(group, peer) {
  if (group === 0x1d) {
    const kp = crypto.generateKeyPairSync("x25519");
    const pub = kp.publicKey.export({ type: "spki", format: "der" }).subarray(12);
    const key = crypto.createPublicKey({ key: Buffer.concat([X25519_SPKI, peer]), format: "der", type: "spki" });
    return { pub, shared: crypto.diffieHellman({ privateKey: kp.privateKey, publicKey: key }) };
  }
  if (group === 0x17 || group === 0x18) {
    const e = crypto.createECDH(group === 0x17 ? "prime256v1" : "secp384r1");
    const pub = e.generateKeys();
    return { pub, shared: e.computeSecret(peer) };
  }
  throw new Error("no key exchange for group " + group);
}

const nextKeys = (k) => trafficKeys(expandLabel(k.secret, "traffic upd", Buffer.alloc(0), 32));

/**
 * Starts the server. opts:
 *   chain: { leaf: { keyFile, der }, inter: { der } } (ECDSA P-256 leaf)
 *   hrr: HelloRetryRequests to send, one per ClientHello before the ServerHello; each
 *     { group, cookie, suite, exts: [Buffer] (replaces the extensions), ccs: true (a CCS after it),
 *     recordExtra: handshake bytes sent in the HelloRetryRequest's record after it }.
 *   serverHello: (sh, ctx) => void, alters the ServerHello's fields before it is sent:
 *     { legacy, random, sid, suite, compression, exts: [Buffer] (supported_versions, key_share),
 *       trailing }. ctx.group, ctx.pub: the key share the server uses.
 *   beforeServerHello: raw bytes sent before the ServerHello; shRecordExtra: handshake bytes sent
 *     in the ServerHello's record after it.
 *   ccs: how many compatibility CCS records follow the ServerHello (default 1, 0 when one followed
 *     a HelloRetryRequest).
 *   ee: extensions (Buffers) of EncryptedExtensions.
 *   fragment: n: every handshake message (ServerHello included) goes in records of n bytes.
 *   coalesce: true: the named messages of the encrypted flight go in one record.
 *   flight: the server's encrypted flight after ServerHello, an array of "EE", "Cert", "CV", "CV-wrong", "Fin",
 *     "NST", "KU" (KeyUpdate), or a function (ctx) => Buffer of raw bytes to send; each named
 *     message is built when sent, over the transcript so far (default ["EE", "Cert", "CV", "Fin"]).
 *     ctx.hs(message) adds a handshake message to the transcript and returns it sealed under the
 *     server's handshake key; ctx.build(name) builds a named message without sending it;
 *     ctx.digest() is the transcript hash so far, ctx.key the leaf's private key.
 *   beforeFlight: (ctx) => Buffer of raw bytes sent right after ServerHello (e.g. a second ServerHello).
 *   afterFinished: (ctx) => void, run once the client's Finished arrives (ctx.send(type, data) sends
 *     an application-keyed record, ctx.keyUpdate(requested) sends a KeyUpdate and changes keys,
 *     ctx.plain(type, data) an unprotected record).
 * Every hook's ctx.index is the connection's number (0 first).
 * Returns { port, result: Promise<{ clientHello, clientHellos, alerts: [{ level, desc, encrypted }], finished,
 *   appData: [Buffer], keyUpdates: [request byte], closed }> (the first connection), outs (every
 *   connection's), close() }.
 */
export async function scriptedServer(opts) {
  const flight = opts.flight || ["EE", "Cert", "CV", "Fin"];
  const key = crypto.createPrivateKey(readFileSync(opts.chain.leaf.keyFile));
  const hrrs = opts.hrr || [];
  let resolveResult;
  const result = new Promise((r) => { resolveResult = r; });
  const sockets = new Set();
  const outs = [];
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    const out = { records: [], clientHello: null, clientHellos: [], alerts: [], finished: false, appData: [], keyUpdates: [], closed: false, error: null };
    let buf = Buffer.alloc(0), hsBuf = Buffer.alloc(0);
    let th = crypto.createHash("sha256");
    const ctx = { out, sock, keys: {}, index: -1 };
    let readKeys = null; // the client's write keys as we know them
    let awaitingHello = true;
    const digest = () => th.copy().digest();
    const finish = () => { if (!out.closed) { out.closed = true; if (ctx.index === 0) resolveResult(out); } };
    /** Records carrying handshake bytes `m`: plaintext, or sealed with `k`; split per opts.fragment. */
    const records = (m, k) => {
      const n = opts.fragment || m.length, recs = [];
      for (let o = 0; o < m.length; o += n) recs.push(k ? seal(k, 22, m.subarray(o, o + n)) : plainRecord(22, m.subarray(o, o + n)));
      return Buffer.concat(recs);
    };
    ctx.plain = (type, data) => sock.write(plainRecord(type, data));

    function build(step) {
      if (step === "EE") return handshake(8, vec(2, Buffer.concat(opts.ee || [])));
      if (step === "Cert") {
        const list = Buffer.concat([opts.chain.leaf.der, opts.chain.inter.der].map((d) => Buffer.concat([vec(3, d), u16(0)])));
        return handshake(11, Buffer.concat([u8(0), vec(3, list)]));
      }
      if (step === "CV" || step === "CV-wrong") {
        // CV-wrong signs a transcript hash of zeros: a valid signature over the wrong content.
        const h = step === "CV" ? digest() : Buffer.alloc(32);
        const content = Buffer.concat([Buffer.alloc(64, 32), Buffer.from("TLS 1.3, server CertificateVerify\0"), h]);
        return handshake(15, Buffer.concat([u16(0x0403), vec(2, crypto.sign("sha256", content, key))]));
      }
      if (step === "Fin") return handshake(20, hmac(expandLabel(ctx.keys.sHs.secret, "finished", Buffer.alloc(0), 32), digest()));
      if (step === "NST") return handshake(4, Buffer.concat([Buffer.from([0, 0, 14, 16]), crypto.randomBytes(4), vec(1, u8(0)), vec(2, crypto.randomBytes(32)), u16(0)]));
      if (step === "KU") return handshake(24, u8(0));
      throw new Error("unknown step " + step);
    }
    ctx.build = build;
    ctx.digest = digest;
    ctx.key = key;
    ctx.hs = (m) => { th.update(m); return records(m, ctx.keys.sHs); };

    function sendRetry(ch, spec) {
      if (out.clientHellos.length === 1) {
        // The transcript restarts from message_hash(ClientHello1) (§4.4.1).
        const h1 = th.digest();
        th = crypto.createHash("sha256");
        th.update(handshake(254, h1));
      }
      const exts = spec.exts || [extension(43, u16(0x0304))]
        .concat(spec.group ? [extension(51, u16(spec.group))] : [])
        .concat(spec.cookie ? [extension(44, vec(2, spec.cookie))] : []);
      const hrr = handshake(2, serverHelloBody({ legacy: 0x0303, random: HRR_RANDOM, sid: ch.sid, suite: spec.suite || 0x1301, exts }));
      th.update(hrr);
      sock.write(spec.recordExtra ? plainRecord(22, Buffer.concat([hrr, spec.recordExtra])) : records(hrr, null));
      if (spec.ccs) ctx.plain(20, u8(1));
      awaitingHello = true;
    }

    function onClientHello(msg) {
      const ch = parseClientHello(msg);
      if (!out.clientHello) out.clientHello = ch;
      out.clientHellos.push(ch);
      th.update(msg);
      if (out.clientHellos.length <= hrrs.length) { sendRetry(ch, hrrs[out.clientHellos.length - 1]); return; }
      const group = ch.shares[0x1d] ? 0x1d : ch.shares[0x17] ? 0x17 : ch.shares[0x18] ? 0x18 : 0;
      if (!group) { out.error = "no X25519, P-256 or P-384 key share"; sock.destroy(); return; }
      const kx = keyExchange(group, ch.shares[group]);
      ctx.group = group; ctx.pub = kx.pub;
      const sh = { legacy: 0x0303, random: crypto.randomBytes(32), sid: ch.sid, suite: 0x1301, compression: 0,
        exts: [extension(43, u16(0x0304)), keyShareExt(group, kx.pub)] };
      if (opts.serverHello) opts.serverHello(sh, ctx);
      const shMsg = handshake(2, serverHelloBody(sh));
      th.update(shMsg);
      if (opts.beforeServerHello) sock.write(opts.beforeServerHello);
      sock.write(opts.shRecordExtra ? plainRecord(22, Buffer.concat([shMsg, opts.shRecordExtra])) : records(shMsg, null));
      // One compatibility CCS after the server's first handshake message (§D.4): none here
      // when it followed a HelloRetryRequest.
      const ccs = opts.ccs !== undefined ? opts.ccs : hrrs.some((h) => h.ccs) ? 0 : 1;
      for (let i = 0; i < ccs; i++) ctx.plain(20, u8(1));
      const early = hmac(Buffer.alloc(32), Buffer.alloc(32));
      const hs = hmac(expandLabel(early, "derived", SHA256_EMPTY, 32), kx.shared);
      const h = digest();
      ctx.keys.cHs = trafficKeys(expandLabel(hs, "c hs traffic", h, 32));
      ctx.keys.sHs = trafficKeys(expandLabel(hs, "s hs traffic", h, 32));
      ctx.master = hmac(expandLabel(hs, "derived", SHA256_EMPTY, 32), Buffer.alloc(32));
      readKeys = ctx.keys.cHs;
      if (opts.beforeFlight) sock.write(opts.beforeFlight(ctx));
      let pending = [];
      const flush = () => { if (pending.length) sock.write(records(Buffer.concat(pending), ctx.keys.sHs)); pending = []; };
      for (const step of flight) {
        if (typeof step === "function") { flush(); sock.write(step(ctx)); continue; }
        const m = build(step);
        th.update(m);
        if (opts.coalesce) pending.push(m); else sock.write(records(m, ctx.keys.sHs));
        if (step === "Fin") {
          const h2 = digest();
          ctx.keys.cAp = trafficKeys(expandLabel(ctx.master, "c ap traffic", h2, 32));
          ctx.keys.sAp = trafficKeys(expandLabel(ctx.master, "s ap traffic", h2, 32));
          ctx.send = (type, data) => sock.write(seal(ctx.keys.sAp, type, data));
          ctx.keyUpdate = (requested) => {
            ctx.send(22, handshake(24, u8(requested ? 1 : 0)));
            ctx.keys.sAp = nextKeys(ctx.keys.sAp);
          };
        }
      }
      flush();
    }

    function onClientHandshake(data) {
      for (let o = 0; o + 4 <= data.length;) {
        const type = data[o], n = data.readUIntBE(o + 1, 3);
        if (type === 20 && !out.finished) {
          out.finished = true;
          readKeys = ctx.keys.cAp;
          if (opts.afterFinished) opts.afterFinished(ctx);
        } else if (type === 24) {
          out.keyUpdates.push(data[o + 4]);
          readKeys = nextKeys(readKeys);
        }
        o += 4 + n;
      }
    }

    function onRecord(type, hdr, body) {
      out.records.push(type); // outer content types, in order
      if (type === 20) return; // the client's compatibility CCS
      if (type === 21) { out.alerts.push({ level: body[0], desc: body[1], encrypted: false }); return; }
      if (awaitingHello) {
        if (type !== 22) { out.error = "record of type " + type + " instead of a ClientHello"; return; }
        hsBuf = Buffer.concat([hsBuf, body]);
        if (hsBuf.length >= 4 && hsBuf.length >= 4 + hsBuf.readUIntBE(1, 3)) {
          const msg = hsBuf.subarray(0, 4 + hsBuf.readUIntBE(1, 3));
          hsBuf = hsBuf.subarray(msg.length);
          awaitingHello = false;
          onClientHello(msg);
        }
        return;
      }
      if (type !== 23 || !readKeys) { out.error = "unexpected record type " + type; return; }
      let inner;
      try { inner = open(readKeys, hdr, body); } catch (e) { out.error = "cannot decrypt the client's record"; return; }
      if (inner.type === 21) out.alerts.push({ level: inner.data[0], desc: inner.data[1], encrypted: true });
      else if (inner.type === 22) onClientHandshake(inner.data);
      else if (inner.type === 23) out.appData.push(inner.data);
    }

    sock.on("data", (d) => {
      // Connections are counted from their first bytes: a client may open and drop others.
      if (ctx.index < 0) { ctx.index = outs.length; outs.push(out); }
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        const n = buf.readUInt16BE(3);
        const hdr = buf.subarray(0, 5), body = buf.subarray(5, 5 + n);
        buf = buf.subarray(5 + n);
        try { onRecord(hdr[0], hdr, body); } catch (e) { out.error = String(e.stack || e); }
      }
    });
    sock.on("error", () => {});
    sock.on("close", () => { if (ctx.index >= 0) finish(); });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: server.address().port,
    result,
    outs,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
