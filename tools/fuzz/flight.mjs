// Recorded server flights (test/fuzz/seeds/flight-*.json, made by tools/fuzz/record.mjs) as
// fuzz inputs, and the client core (firmware/tls/client.ts TlsClient) driven by them.
//
// A recording keeps the server's records decrypted: { epoch, type, data } with epoch 0 for
// plaintext, 1 for the server's handshake keys (TLS 1.3) or its keys after ChangeCipherSpec
// (TLS 1.2), 2 for its application keys (TLS 1.3), and the keys themselves (from Node's keylog),
// so a mutated flight is sealed again here and the client's parsers see the mutated plaintext.
// The client's randomness is a fixed stream and its time fixed, so the recorded flight stays
// the right answer to its ClientHello.
//
// A script (the fuzz input) is bytes: [recording index][chunk size] then records
// [epoch][type][length u16][data]; epoch >= 3 puts the data on the wire as it is (raw headers).
import crypto from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { SEEDS_DIR } from "./paths.mjs";
import { Violation, cat } from "./engine.mjs";

export function loadRecordings() {
  return readdirSync(SEEDS_DIR).filter((f) => /^flight-.*\.json$/.test(f)).sort().map((f) => {
    const r = JSON.parse(readFileSync(path.join(SEEDS_DIR, f), "utf8"));
    r.file = f;
    r.records = r.records.map((x) => ({ epoch: x.epoch, type: x.type, data: new Uint8Array(Buffer.from(x.data, "hex")) }));
    return r;
  });
}

export function toScript(index, chunk, records) {
  const parts = [Uint8Array.of(index, chunk)];
  for (const r of records) {
    const n = Math.min(r.data.length, 65535);
    parts.push(Uint8Array.of(r.epoch, r.type, n >> 8, n & 255), r.data.subarray(0, n));
  }
  return cat(...parts);
}

export function fromScript(b, count) {
  const index = (b[0] || 0) % count, chunk = b[1] || 0, records = [];
  for (let o = 2; o + 4 <= b.length;) {
    const n = (b[o + 2] << 8) | b[o + 3];
    records.push({ epoch: b[o], type: b[o + 1], data: b.subarray(o + 4, Math.min(b.length, o + 4 + n)) });
    o += 4 + n;
  }
  return { index, chunk, records };
}

const be = (n, len) => { const out = new Uint8Array(len); for (let i = len - 1; i >= 0; i--) { out[i] = n & 255; n = Math.floor(n / 256); } return out; };
const header = (type, len) => Uint8Array.of(type, 3, 3, (len >> 8) & 255, len & 255);

function aeadSeal(cipher, key, nonce, aad, plain) {
  const alg = cipher === "chacha20-poly1305" ? "chacha20-poly1305" : `aes-${key.length * 8}-gcm`;
  const c = crypto.createCipheriv(alg, key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: plain.length });
  return cat(c.update(plain), c.final(), c.getAuthTag());
}

/** The wire bytes of a script's records under a recording's keys. */
export function wireOf(rec, records) {
  const seqs = {};
  const out = [];
  for (const r of records) {
    const k = rec.keys[r.epoch];
    if (r.epoch === 0 || (r.epoch < 3 && !k)) { out.push(cat(header(r.type, r.data.length), r.data)); continue; }
    if (r.epoch >= 3) { out.push(r.data); continue; }
    const key = Buffer.from(k.key, "hex"), iv = Buffer.from(k.iv, "hex");
    const seq = seqs[r.epoch] || 0;
    seqs[r.epoch] = seq + 1;
    if (rec.version === 13) {
      const inner = cat(r.data, Uint8Array.of(r.type));
      const hdr = header(23, inner.length + 16);
      const nonce = Uint8Array.from(iv);
      const s = be(seq, 8);
      for (let i = 0; i < 8; i++) nonce[4 + i] ^= s[i];
      out.push(cat(hdr, aeadSeal(k.cipher, key, nonce, hdr, inner)));
    } else {
      const aad = cat(be(seq, 8), Uint8Array.of(r.type, 3, 3), be(r.data.length, 2));
      if (k.cipher === "chacha20-poly1305") {
        const nonce = Uint8Array.from(iv);
        const s = be(seq, 8);
        for (let i = 0; i < 8; i++) nonce[4 + i] ^= s[i];
        const body = aeadSeal(k.cipher, key, nonce, aad, r.data);
        out.push(cat(header(r.type, body.length), body));
      } else {
        const explicit = be(seq, 8);
        const body = cat(explicit, aeadSeal(k.cipher, key, cat(iv, explicit), aad, r.data));
        out.push(cat(header(r.type, body.length), body));
      }
    }
  }
  return out;
}

/** Handshake bytes of epochs 0-1 as they go on the wire (what the transcript covers, TLS 1.2
 *  tickets included): an epoch without keys is plaintext, raw bytes are read as plaintext records. */
export function handshakeStream(rec, records) {
  const parts = [];
  for (const r of records) {
    if (r.epoch >= 3) {
      for (let o = 0; o + 5 <= r.data.length; o += 5 + ((r.data[o + 3] << 8) | r.data[o + 4])) {
        if (r.data[o] === 22) parts.push(r.data.subarray(o + 5, o + 5 + ((r.data[o + 3] << 8) | r.data[o + 4])));
      }
    } else if (r.type === 22 && (r.epoch <= 1 || !rec.keys[r.epoch])) parts.push(r.data);
  }
  const all = Buffer.concat(parts);
  if (rec.version !== 12) return all;
  // TLS 1.2: HelloRequest is ignored during a handshake and is not in the transcript (RFC 5246 §7.4.1.1).
  const kept = [];
  let o = 0;
  while (o + 4 <= all.length) {
    const n = all.readUIntBE(o + 1, 3);
    if (!(all[o] === 0 && n === 0)) kept.push(all.subarray(o, o + 4 + n));
    o += 4 + n;
  }
  kept.push(all.subarray(Math.min(o, all.length)));
  return Buffer.concat(kept);
}

/** A deterministic stand-in for the DRBG: SHA-256 in counter mode over a seed. */
function streamRandom(fw, seed) {
  let counter = 0, pool = Buffer.alloc(0);
  return function (n) {
    while (pool.length < n) pool = Buffer.concat([pool, crypto.createHash("sha256").update(seed + ":" + counter++).digest()]);
    const out = fw.board.realm.u8(pool.subarray(0, n));
    pool = pool.subarray(n);
    return out;
  };
}

/** Chain verification at the recording's time against its anchors (validateJob, as the socket's verifier). */
function fixedVerifier(fw, rec) {
  const X = fw.T.x509t, F = fw.T.fuzz;
  // The recording's anchors, parsed once per board (an anchor source holds no state).
  const parsed = fw.flightAnchors || (fw.flightAnchors = new Map());
  if (!parsed.has(rec)) parsed.set(rec, X.memoryAnchors(rec.anchors.map((h) => X.anchorFromCert(fw.board.realm.u8(Buffer.from(h, "hex"))))));
  const anchors = parsed.get(rec);
  return function (chain, host) {
    const job = X.validateJob(chain, { time: rec.time, host, anchors });
    let peer = null;
    return {
      step() {
        if (!job.step()) return false;
        const r = job.result();
        peer = { spki: F.ownKey(r.path[0].spki), subject: F.subjectText(r.path[0]), notAfter: r.path[0].notAfter, ku: r.path[0].ku };
        return true;
      },
      result: () => peer,
    };
  };
}

/**
 * Runs a TlsClient against a script. Returns { connected, errors, data, sent }.
 * Invariants (Violation): errors are reported once and stop data; a connection is made only
 * when the handshake messages the client read are the recorded (authentic) ones.
 */
export function runFlight(fw, recs, script) {
  const { index, chunk, records } = fromScript(script, recs.length);
  const rec = recs[index];
  const F = fw.T.fuzz;
  fw.clearTimers();
  const c = new F.TlsClient(
    { host: rec.host, random: streamRandom(fw, rec.seed), verifyChain: fixedVerifier(fw, rec), groups: rec.groups || undefined, maxHandshakeMessage: 16384 },
    { tls12: true, rsaKeyExchange: !!rec.rsaKeyExchange, session12: null, sessionLifetime: 86400 });
  const out = { connected: false, errors: [], data: 0, sent: 0, violation: null };
  // A Violation thrown in a callback would come back as TLS_INTERNAL: keep it to rethrow.
  const broken = (msg) => { out.violation = out.violation || new Violation(msg); throw out.violation; };
  c.onSend = (b) => { out.sent += b.length; };
  c.onConnected = () => {
    if (out.errors.length) broken("connected after an error");
    out.connected = true;
    const hs = handshakeStream(rec, records);
    const want = handshakeStream(rec, rec.records);
    if (hs.length < want.length || !hs.subarray(0, want.length).equals(want)) broken("connected over a handshake that differs from the recorded one");
  };
  c.onData = (b) => { if (out.errors.length) broken("data after an error"); out.data += b.length; };
  c.onError = (e) => { if (out.errors.length) broken("a second error: " + e.code); out.errors.push(e); };
  c.start();
  fw.drain();
  const wire = Buffer.concat(wireOf(rec, records));
  const step = chunk === 0 ? wire.length || 1 : chunk;
  for (let o = 0; o < wire.length && !out.errors.length; o += step) {
    c.receive(fw.board.realm.u8(wire.subarray(o, o + step)));
    fw.drain();
  }
  if (out.violation) throw out.violation;
  for (const e of out.errors) {
    if (typeof e.code !== "string") throw new Violation("error without a code: " + e);
    // The engine turns any exception that is not an EtError into TLS_INTERNAL: a crash inside.
    if (e.code === "TLS_INTERNAL") throw new Violation("uncoded exception inside the client (TLS_INTERNAL): " + e.message);
  }
  return out;
}

/** Outcome counts of a handshake target (printed after a run: shows what the inputs reached). */
export function tally(ctx, out) {
  const t = ctx.tally || (ctx.tally = { connected: 0, codes: {} });
  if (out.connected) t.connected++;
  for (const e of out.errors) t.codes[e.code] = (t.codes[e.code] || 0) + 1;
}

export function stats(ctx) {
  const t = ctx.tally || { connected: 0, codes: {} };
  const top = Object.entries(t.codes).sort((a, b) => b[1] - a[1]);
  return `connected ${t.connected}; ${top.length} distinct error codes: ${top.slice(0, 12).map(([c, n]) => c + " " + n).join(", ")}${top.length > 12 ? ", ..." : ""}`;
}
