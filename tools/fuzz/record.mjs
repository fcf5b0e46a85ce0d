// Records the seed flights of the handshake fuzz targets: the client core (TlsClient in the
// board mock, fixed randomness) does a real handshake and an HTTP GET against Node TLS servers on
// 127.0.0.1 (a throwaway openssl PKI), and the server's records are kept decrypted with the keys
// from the server's keylog. Writes test/fuzz/seeds/flight-*.json and chains.json.
//   node tools/fuzz/record.mjs [name...]   (names: only those flights, with a new PKI of their
//   own; chains.json is rewritten only when all are recorded)
import tls from "node:tls";
import net from "node:net";
import crypto from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Pki } from "../lib/pki.mjs";
import { SEEDS_DIR } from "./paths.mjs";
import { fuzzFirmware } from "./engine.mjs";
import { runFlight, toScript } from "./flight.mjs";

const CONFIGS = [
  { name: "t13-rsa-aes128", chain: "rsa", tls: { minVersion: "TLSv1.3", ciphers: "TLS_AES_128_GCM_SHA256" } },
  { name: "t13-rsa-chacha", chain: "rsa", tls: { minVersion: "TLSv1.3", ciphers: "TLS_CHACHA20_POLY1305_SHA256" } },
  { name: "t13-rsa-hrr-p256", chain: "rsa", tls: { minVersion: "TLSv1.3", ciphers: "TLS_AES_128_GCM_SHA256", ecdhCurve: "P-256" } },
  { name: "t13-ec-aes256", chain: "ec", tls: { minVersion: "TLSv1.3", ciphers: "TLS_AES_256_GCM_SHA384" } },
  { name: "t12-rsa-aes128", chain: "rsa", tls: { maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256" } },
  { name: "t12-ec-chacha", chain: "ec", tls: { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-CHACHA20-POLY1305" } },
  { name: "t12-rsa-kx", chain: "rsa", rsaKeyExchange: true, tls: { maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256" } },
  // CertificateRequest: the client answers with no certificate, the server goes on without one
  { name: "t13-rsa-certreq", chain: "rsa", tls: { minVersion: "TLSv1.3", ciphers: "TLS_AES_128_GCM_SHA256", requestCert: true, rejectUnauthorized: false } },
  { name: "t12-rsa-certreq", chain: "rsa", tls: { maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256", requestCert: true, rejectUnauthorized: false } },
];

const CIPHERS = {
  TLS_AES_128_GCM_SHA256: { cipher: "aes", keyLen: 16, hash: "sha256" },
  TLS_CHACHA20_POLY1305_SHA256: { cipher: "chacha20-poly1305", keyLen: 32, hash: "sha256" },
  TLS_AES_256_GCM_SHA384: { cipher: "aes", keyLen: 32, hash: "sha384" },
  "ECDHE-RSA-AES128-GCM-SHA256": { cipher: "aes", keyLen: 16, ivLen: 4, hash: "sha256" },
  "ECDHE-ECDSA-CHACHA20-POLY1305": { cipher: "chacha20-poly1305", keyLen: 32, ivLen: 12, hash: "sha256" },
  "AES128-GCM-SHA256": { cipher: "aes", keyLen: 16, ivLen: 4, hash: "sha256" },
};

function hkdfExpandLabel(hash, secret, label, len) {
  const full = Buffer.from("tls13 " + label);
  const info = Buffer.concat([Buffer.from([len >> 8, len & 255, full.length]), full, Buffer.from([0])]);
  let t = Buffer.alloc(0), out = Buffer.alloc(0);
  for (let i = 1; out.length < len; i++) { t = crypto.createHmac(hash, secret).update(Buffer.concat([t, info, Buffer.from([i])])).digest(); out = Buffer.concat([out, t]); }
  return out.subarray(0, len);
}

function prf12(hash, secret, label, seed, len) {
  const s = Buffer.concat([Buffer.from(label), seed]);
  let a = s, out = Buffer.alloc(0);
  while (out.length < len) { a = crypto.createHmac(hash, secret).update(a).digest(); out = Buffer.concat([out, crypto.createHmac(hash, secret).update(Buffer.concat([a, s])).digest()]); }
  return out.subarray(0, len);
}

function records(raw) {
  const out = [];
  for (let o = 0; o + 5 <= raw.length;) { const n = raw.readUInt16BE(o + 3); out.push({ type: raw[o], body: raw.subarray(o + 5, o + 5 + n), hdr: raw.subarray(o, o + 5) }); o += 5 + n; }
  return out;
}

function open(cipher, key, nonce, aad, body) {
  const alg = cipher === "aes" ? `aes-${key.length * 8}-gcm` : cipher;
  const d = crypto.createDecipheriv(alg, key, nonce, { authTagLength: 16 });
  d.setAAD(aad, { plaintextLength: body.length - 16 });
  d.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
}
const xorSeq = (iv, seq) => { const n = Buffer.from(iv); const s = Buffer.alloc(8); s.writeBigUInt64BE(BigInt(seq)); for (let i = 0; i < 8; i++) n[n.length - 8 + i] ^= s[i]; return n; };

/** TLS 1.3: epoch 1 (handshake keys) until a record fails under them, then epoch 2. */
function decrypt13(raw, keylog, suite) {
  const c = CIPHERS[suite];
  const keyOf = (label) => { const sec = Buffer.from(keylog[label], "hex"); return { cipher: c.cipher, key: hkdfExpandLabel(c.hash, sec, "key", c.keyLen).toString("hex"), iv: hkdfExpandLabel(c.hash, sec, "iv", 12).toString("hex") }; };
  const keys = { 1: keyOf("SERVER_HANDSHAKE_TRAFFIC_SECRET"), 2: keyOf("SERVER_TRAFFIC_SECRET_0") };
  const out = [];
  let epoch = 1, seq = 0;
  for (const r of records(raw)) {
    if (r.type !== 23) { out.push({ epoch: 0, type: r.type, data: r.body }); continue; }
    let inner;
    for (;;) {
      const k = keys[epoch];
      try { inner = open(c.cipher, Buffer.from(k.key, "hex"), xorSeq(Buffer.from(k.iv, "hex"), seq), r.hdr, r.body); break; } catch (e) {
        if (epoch === 2) throw new Error("record fails under both keys");
        epoch = 2; seq = 0;
      }
    }
    seq++;
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    out.push({ epoch, type: inner[end - 1], data: inner.subarray(0, end - 1) });
  }
  return { keys, records: out };
}

/** TLS 1.2: plaintext until the server's ChangeCipherSpec, then epoch 1. */
function decrypt12(raw, keylog, suite, clientRandom) {
  const c = CIPHERS[suite];
  const recs = records(raw);
  const serverRandom = recs[0].body.subarray(6, 38);
  const kb = prf12(c.hash, Buffer.from(keylog.CLIENT_RANDOM, "hex"), "key expansion", Buffer.concat([serverRandom, clientRandom]), 2 * c.keyLen + 2 * c.ivLen);
  const k = { cipher: c.cipher, key: kb.subarray(c.keyLen, 2 * c.keyLen).toString("hex"), iv: kb.subarray(2 * c.keyLen + c.ivLen).toString("hex") };
  const out = [];
  let epoch = 0, seq = 0;
  for (const r of recs) {
    if (epoch === 0) { out.push({ epoch: 0, type: r.type, data: r.body }); if (r.type === 20) epoch = 1; continue; }
    const aadFor = (n) => Buffer.concat([Buffer.alloc(4), Buffer.from([seq >>> 24, (seq >> 16) & 255, (seq >> 8) & 255, seq & 255, r.type, 3, 3, n >> 8, n & 255])]);
    const key = Buffer.from(k.key, "hex"), iv = Buffer.from(k.iv, "hex");
    const data = c.cipher === "aes"
      ? open("aes", key, Buffer.concat([iv, r.body.subarray(0, 8)]), aadFor(r.body.length - 24), r.body.subarray(8))
      : open(c.cipher, key, xorSeq(iv, seq), aadFor(r.body.length - 16), r.body);
    seq++;
    out.push({ epoch: 1, type: r.type, data });
  }
  return { keys: { 1: k }, records: out };
}

async function recordOne(fw, cfg, chain, time) {
  const keylog = {};
  let clientRandom = null;
  const server = tls.createServer({ key: readFileSync(chain.leaf.keyFile), cert: chain.leaf.pem + chain.inter.pem, ...cfg.tls }, (s) => {
    s.once("data", () => s.end("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"));
    s.on("error", () => {});
  });
  server.on("tlsClientError", (e) => console.error(cfg.name, "server:", e.message));
  server.on("keylog", (line) => { const [label, cr, secret] = line.toString().trim().split(" "); keylog[label] = secret; clientRandom = Buffer.from(cr, "hex"); });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const sock = net.connect(server.address().port, "127.0.0.1");
  await new Promise((r, j) => { sock.once("connect", r); sock.once("error", j); });
  const seed = "espruino-tls fuzz " + cfg.name;
  const F = fw.T.fuzz, X = fw.T.x509t;
  const anchors = X.memoryAnchors([X.anchorFromCert(fw.board.realm.u8(chain.root.der))]);
  const raw = [];
  const done = new Promise((resolve, reject) => {
    let c;
    let counter = 0, pool = Buffer.alloc(0);
    const random = (n) => { while (pool.length < n) pool = Buffer.concat([pool, crypto.createHash("sha256").update(seed + ":" + counter++).digest()]); const o = fw.board.realm.u8(pool.subarray(0, n)); pool = pool.subarray(n); return o; };
    const verifyChain = (ch, host) => { const j = X.validateJob(ch, { time, host, anchors }); let peer = null; return { step() { if (!j.step()) return false; const r = j.result(); peer = { spki: F.ownKey(r.path[0].spki), subject: F.subjectText(r.path[0]), notAfter: r.path[0].notAfter }; return true; }, result: () => peer }; };
    c = new F.TlsClient({ host: "localhost", random, verifyChain, maxHandshakeMessage: 16384 }, { tls12: true, rsaKeyExchange: !!cfg.rsaKeyExchange, session12: null, sessionLifetime: 86400 });
    c.onSend = (b) => sock.write(Buffer.from(b));
    c.onError = (e) => reject(new Error(`${cfg.name}: ${e.code}: ${e.message}`));
    c.onConnected = () => { c.write(fw.board.realm.u8(Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))); fw.drain(); };
    sock.on("data", (d) => { raw.push(d); c.receive(fw.board.realm.u8(d)); fw.drain(); });
    sock.on("end", () => resolve());
    c.start();
    fw.drain();
  });
  await Promise.race([done, new Promise((_, j) => setTimeout(() => j(new Error(cfg.name + ": timed out")), 30000))]);
  sock.destroy();
  server.close();
  const all = Buffer.concat(raw);
  const suite = cfg.tls.ciphers;
  const dec = cfg.tls.maxVersion === "TLSv1.2" ? decrypt12(all, keylog, suite, clientRandom) : decrypt13(all, keylog, suite);
  return {
    name: cfg.name, version: cfg.tls.maxVersion === "TLSv1.2" ? 12 : 13, host: "localhost", time, seed, rsaKeyExchange: !!cfg.rsaKeyExchange,
    anchors: [chain.root.der.toString("hex")], keys: dec.keys,
    records: dec.records.map((r) => ({ epoch: r.epoch, type: r.type, data: Buffer.from(r.data).toString("hex") })),
  };
}

const only = process.argv.slice(2);
const chains = { rsa: new Pki().chain({ label: "fuzz rsa", rootKey: "rsa", interKey: "rsa", leafKey: "rsa" }), ec: new Pki().chain({ label: "fuzz ec" }) };
const time = Math.floor(Date.now() / 1000);
mkdirSync(SEEDS_DIR, { recursive: true });
if (!only.length) writeFileSync(path.join(SEEDS_DIR, "chains.json"), JSON.stringify({
  time, host: "localhost",
  chains: Object.entries(chains).map(([k, c]) => ({ name: k, anchors: [c.root.der.toString("hex")], chain: [c.leaf.der.toString("hex"), c.inter.der.toString("hex")] })),
}, null, 1) + "\n");
const fw = await fuzzFirmware();
for (const cfg of CONFIGS.filter((c) => !only.length || only.includes(c.name))) {
  const rec = await recordOne(fw, cfg, chains[cfg.chain], time);
  const file = path.join(SEEDS_DIR, `flight-${cfg.name}.json`);
  writeFileSync(file, JSON.stringify(rec, null, 1) + "\n");
  // The recording must replay: the same client connects and gets the response.
  const recs = [{ ...rec, records: rec.records.map((r) => ({ ...r, data: new Uint8Array(Buffer.from(r.data, "hex")) })) }];
  const out = runFlight(fw, recs, toScript(0, 0, recs[0].records));
  console.log(`${cfg.name}: ${rec.records.length} records; replay: connected ${out.connected}, ${out.data} bytes of data, errors ${out.errors.map((e) => e.code).join(",") || "none"}`);
}
fw.close();
