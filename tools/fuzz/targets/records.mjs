// The TLS record layer's read side (firmware/tls/record.ts, record12.ts): framing, size limits,
// and what comes out of AEAD opening. Input: [mode][chunk][maxIn][...]. Mode 0: plaintext
// records as bytes. Modes 1-3: [type][length u16][data] items that are sealed here with Node's
// crypto (1: TLS 1.3 AES-128-GCM, data = the inner plaintext with its content type and padding;
// 2: TLS 1.2 AES-GCM with explicit nonces; 3: TLS 1.2 ChaCha20-Poly1305), the record header
// length byte then fuzzed with the rest. Invariants: coded errors only; what the layer returns is
// exactly what was sealed (content type and padding stripped as RFC 8446 §5.4 says).
import crypto from "node:crypto";
import { fuzzFirmware, cat, Violation } from "../engine.mjs";

const KEY16 = Buffer.alloc(16, 7), KEY32 = Buffer.alloc(32, 9), IV = Buffer.from("000102030405060708090a0b", "hex");
const be = (n, len) => { const o = Buffer.alloc(8); o.writeBigUInt64BE(BigInt(n)); return o.subarray(8 - len); };

function seal(alg, key, nonce, aad, plain) {
  const c = crypto.createCipheriv(alg, key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: plain.length });
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

function items(b) {
  const out = [];
  for (let o = 0; o + 3 <= b.length;) { const n = (b[o + 1] << 8) | b[o + 2]; out.push({ type: b[o], data: Buffer.from(b.subarray(o + 3, Math.min(b.length, o + 3 + n))) }); o += 3 + n; }
  return out;
}

/** Wire bytes and what the reader must return for each record. */
function build(mode, body) {
  if (mode === 0) return { wire: body, expect: null };
  const wire = [], expect = [];
  items(body).forEach((it, seq) => {
    const nonce = Buffer.from(IV);
    for (let i = 0; i < 6; i++) nonce[11 - i] ^= Math.floor(seq / 2 ** (8 * i)) & 255;
    if (mode === 1) {
      const hdr = Buffer.from([23, 3, 3, ...be(it.data.length + 16, 2)]);
      wire.push(hdr, seal("aes-128-gcm", KEY16, nonce, hdr, it.data));
      let end = it.data.length;
      while (end > 0 && it.data[end - 1] === 0) end--;
      expect.push(end === 0 ? null : { type: it.data[end - 1], data: it.data.subarray(0, end - 1) });
    } else {
      const aad = Buffer.concat([be(seq, 8), Buffer.from([it.type, 3, 3]), be(it.data.length, 2)]);
      const ct = mode === 2 ? Buffer.concat([be(seq, 8), seal("aes-128-gcm", KEY16, Buffer.concat([IV.subarray(0, 4), be(seq, 8)]), aad, it.data)]) : seal("chacha20-poly1305", KEY32, nonce, aad, it.data);
      wire.push(Buffer.from([it.type, 3, 3, ...be(ct.length, 2)]), ct);
      // ChangeCipherSpec is never protected (record.ts): its body comes back as it is
      expect.push({ type: it.type, data: it.type === 20 ? ct : it.data });
    }
  });
  return { wire: Buffer.concat(wire), expect };
}

export default {
  async setup() { const fw = await fuzzFirmware(); return { fw, F: fw.T.fuzz, A: fw.T.aead }; },
  seeds() {
    const hs = Buffer.from("0200002a0303" + "11".repeat(32) + "00130100", "hex");
    return [
      cat([0, 0, 0], [22, 3, 3, 0, hs.length], hs, [21, 3, 3, 0, 2, 2, 40], [20, 3, 3, 0, 1, 1]),
      cat([1, 0, 0], [23, 0, 6], Buffer.from("hello\x17"), [22, 0, 8], Buffer.from("\x14\x00\x00\x00\x16\x00\x00\x00"), [23, 0, 3], [0, 0, 0]),
      cat([2, 7, 0], [22, 0, 16], Buffer.alloc(16, 20), [23, 0, 5], Buffer.from("hello")),
      cat([3, 0, 1], [23, 0, 5], Buffer.from("hello"), [21, 0, 2], [1, 0]),
    ];
  },
  run(ctx, input) {
    const { F, A, fw } = ctx;
    const mode = (input[0] || 0) % 4, chunk = input[1] || 0, maxIn = 64 + ((input[2] || 255) << 6);
    const { wire, expect } = build(mode, input.subarray(3));
    const rl = new F.RecordLayer();
    rl.maxIn = Math.min(maxIn, 16384);
    const u8 = fw.board.realm.u8;
    if (mode === 1) rl.read = F.cipherState(A.aesGcm(u8(KEY16)), u8(IV));
    else if (mode === 2) { rl.read = F.cipherState(A.aesGcm(u8(KEY16)), u8(IV.subarray(0, 4))); rl.read.v12 = F.V12_EXPLICIT; }
    else if (mode === 3) { rl.read = F.cipherState(A.chacha20Poly1305(u8(KEY32)), u8(IV)); rl.read.v12 = F.V12_XOR; }
    const step = chunk || wire.length || 1;
    let got = 0;
    for (let o = 0; o < wire.length; o += step) {
      rl.push(u8(wire.subarray(o, o + step)));
      for (let r = rl.next(); r; r = rl.next()) {
        // The negotiated limit is for protected records; unprotected ones (every record in mode 0,
        // ChangeCipherSpec in TLS 1.2) have the protocol's 2^14 (RFC 8449 §4: "Unprotected
        // messages are not subject to this limit"; a CCS body other than [1] is the client's to refuse).
        const limit = mode && !(mode >= 2 && r.type === 20) ? rl.maxIn : 16384;
        if (r.data.length > limit) throw new Violation(`record of ${r.data.length} bytes over the limit ${limit}`);
        if (expect) {
          const e = expect[got];
          if (!e) throw new Violation("a record from padding alone, or more records than were sealed");
          if (e.type !== r.type || !Buffer.from(r.data).equals(e.data)) throw new Violation(`record ${got} differs from what was sealed: type ${r.type}/${e.type}, ${Buffer.from(r.data).toString("hex").slice(0, 40)} / ${e.data.toString("hex").slice(0, 40)}`);
        }
        got++;
      }
    }
  },
};
