// The TLS 1.3 PSK key schedule and binder (RFC 8446 §4.2.11.2, §7.1) on the built test bundle:
// the resumption ("res binder") path against RFC 8448's §3/§4 traces (ticket PSK, binder key, the
// binder written into the §4 ClientHello, handshake and application secrets from that PSK), and
// the external-PSK path ("ext binder", SHA-256 and SHA-384), for which RFC 8448 has no trace,
// against an independent computation with Node's crypto. Also the TLS 1.2 PSK premaster layout
// (RFC 4279 §2, RFC 5489 §2) and the psk option's key forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { loadFirmware } from "../helpers/firmware.mjs";

const { T } = await loadFirmware();
const P = T.psk;
const hex = (u) => Buffer.from(u).toString("hex");
const bytes = (h) => T.util.fromHex(h.replace(/\s+/g, ""));

// RFC 8448 §3 (Simple 1-RTT Handshake): resumption master secret, ticket nonce, the PSK.
const RES_MASTER = "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c";
const PSK = "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3";
// RFC 8448 §4 (Resumed 0-RTT Handshake): binder key, the ClientHello (binder last), ECDHE secret,
// transcript hashes and the secrets derived from them.
const BINDER_KEY = "69fe131a3bbad5d63c64eebcc30e395b9d8107726a13d074e389dbc8a4e47256";
const CH4 = `01 00 01 fc 03 03 1b c3 ce b6 bb e3 9c ff 93 83 55 b5 a5 0a db 6d b2 1b 7a 6a f6 49 d7 b4 bc 41 9d 78 76
 48 7d 95 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00 12
 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 33 00 26 00 24 00 1d 00 20 e4 ff b6 8a c0 5f 8d 96 c9 9d a2 66 98 34
 6c 6b e1 64 82 ba dd da fe 05 1a 66 b4 f1 8d 66 8f 0b 00 2a 00 00 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02
 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01 00 15 00 57 00 00 00
 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
 00 29 00 dd 00 b8 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf 1b 00 70
 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60 97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6
 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5
 90 6c 5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07 27 c6 21 a7 91 41 ef 5f 7d
 e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57 fa d6 aa cb 00 21 20 3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d
 ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e 5f 9d`;
const ECDHE4 = "f44194756ff9ec9d25180635d66ea6824c6ab3bf179977be37f723570e7ccb2e";
const TH_SH4 = "f736cb34fe25e701551bee6fd24c1cc7102a7daf9405cb15d97aafe16f757d03";
const C_HS4 = "2faac08f851d35fea3604fcb4de82dc62c9b164a70974d0462e27f1ab278700f";
const S_HS4 = "fe927ae271312e8bf0275b581c54eef020450dc4ecffaa05a1a35d27518e7803";
const TH_SF4 = "b0aeffc46a2cfe33114e6fd7d51f9f04b1ca3c497dab08934a774a9d9ad7dbf3";
const C_AP4 = "2abbf2b8e381d23dbebe1dd2a7d16a8bf484cb4950d23fb7fb7fa8547062d9a1";
const S_AP4 = "cc21f1bf8feb7dd5fa505bd9c4b468a9984d554a993dc49e6d285598fb672691";

const SHA256_SUITE = P.SUITES13[0];
const ticket = { ticket: new Uint8Array(0), psk: bytes(PSK), suite: 0x1301, lifetime: 1, ageAdd: 0, received: 0, host: "" };

test("RFC 8448 §3: the ticket's PSK from the resumption master secret and nonce", () => {
  const ks = new P.KeySchedule(SHA256_SUITE, null);
  assert.equal(hex(ks.ticketPsk(bytes(RES_MASTER), bytes("0000"))), PSK);
});

test("RFC 8448 §4: res binder key, and the binder writeBinder puts in the ClientHello", () => {
  const ks = new P.KeySchedule(SHA256_SUITE, bytes(PSK));
  assert.equal(hex(ks.binderKey(false)), BINDER_KEY);
  const want = bytes(CH4);
  const msg = bytes(CH4);
  msg.fill(0, msg.length - 32);
  P.writeBinder({ identity: new Uint8Array(0), key: bytes(PSK), hash: T.hashes.SHA256, ticket, name: "" }, msg, null);
  assert.equal(hex(msg), hex(want));
});

test("RFC 8448 §4: handshake and application secrets of the key schedule started with the PSK", () => {
  const ks = new P.KeySchedule(SHA256_SUITE, bytes(PSK));
  ks.handshake(bytes(ECDHE4));
  assert.equal(hex(ks.derive("c hs traffic", bytes(TH_SH4))), C_HS4);
  assert.equal(hex(ks.derive("s hs traffic", bytes(TH_SH4))), S_HS4);
  ks.master();
  assert.equal(hex(ks.derive("c ap traffic", bytes(TH_SF4))), C_AP4);
  assert.equal(hex(ks.derive("s ap traffic", bytes(TH_SF4))), S_AP4);
});

// Node's crypto, independently: HKDF-Extract/Expand-Label (RFC 8446 §7.1) and the binder.
function nodeBinder(alg, key, truncated) {
  const n = alg === "sha384" ? 48 : 32;
  const hmac = (k, d) => createHmac(alg, k).update(d).digest();
  const expandLabel = (secret, label, ctx, len) => {
    const l = Buffer.from("tls13 " + label);
    const info = Buffer.concat([Buffer.from([len >> 8, len & 255, l.length]), l, Buffer.from([ctx.length]), ctx]);
    return hmac(secret, Buffer.concat([info, Buffer.from([1])])).subarray(0, len);
  };
  const early = hmac(Buffer.alloc(n), key);
  const binderKey = expandLabel(early, "ext binder", createHash(alg).update(Buffer.alloc(0)).digest(), n);
  const fk = expandLabel(binderKey, "finished", Buffer.alloc(0), n);
  return hmac(fk, createHash(alg).update(truncated).digest()).toString("hex");
}

for (const [alg, n] of [["sha256", 32], ["sha384", 48]]) {
  test(`external PSK (${alg}): "ext binder" as Node's crypto computes it, and not the res binder`, () => {
    const key = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32)));
    // A ClientHello-shaped message: any bytes, then binders<2> with one binder<1> of n zeros.
    const body = Buffer.concat([Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(200))), Buffer.from([0, n + 1, n]), Buffer.alloc(n)]);
    const msg = T.util.copyOf(body);
    const hash = alg === "sha384" ? T.hashes.SHA384 : T.hashes.SHA256;
    P.writeBinder({ identity: new Uint8Array(0), key: T.util.copyOf(key), hash, ticket: null, name: "x" }, msg, null);
    const binder = hex(msg.subarray(msg.length - n));
    assert.equal(binder, nodeBinder(alg, key, body.subarray(0, body.length - n - 3)));
    const res = T.util.copyOf(body);
    P.writeBinder({ identity: new Uint8Array(0), key: T.util.copyOf(key), hash, ticket, name: "" }, res, null);
    assert.notEqual(hex(res.subarray(res.length - n)), binder, "the labels differ");
  });
}

test("TLS 1.2 premaster secrets: PSK (RFC 4279 §2: zeros as long as the key) and ECDHE-PSK (RFC 5489 §2: Z)", () => {
  const key = bytes("0102030405060708090a0b0c0d0e0f10");
  assert.equal(hex(P.pskPremaster(null, key)), "0010" + "00".repeat(16) + "0010" + "0102030405060708090a0b0c0d0e0f10");
  const z = bytes("aa".repeat(32));
  assert.equal(hex(P.pskPremaster(z, key)), "0020" + "aa".repeat(32) + "0010" + "0102030405060708090a0b0c0d0e0f10");
  assert.equal(hex(P.pskClientKeyExchange(T.util.ascii("id"), null)), "00026964");
  assert.equal(hex(P.pskClientKeyExchange(T.util.ascii("id"), bytes("0405"))), "0002696402" + "0405");
  const ske = P.parsePskKeyExchange(bytes("000468696e7403001d0420212223"), true);
  assert.deepEqual([ske.hint, ske.group, hex(ske.point)], ["hint", 0x1d, "20212223"]);
});

test("psk option: hex, Uint8Array and byte-string keys give the same bytes; the pool id holds no key", () => {
  const h = "00ff10ee20dd30cc40bb50aa60997088";
  const a = P.pskFrom({ identity: "dev", key: h });
  const b = P.pskFrom({ identity: "dev", key: bytes(h) });
  const c = P.pskFrom({ identity: "dev", key: Buffer.from(h, "hex").toString("latin1") });
  assert.equal(hex(a.key), h);
  assert.equal(hex(b.key), h);
  assert.equal(hex(c.key), h);
  assert.equal(a.id, b.id);
  assert.ok(!a.id.includes(h.substr(0, 8)) && a.id.startsWith("dev/sha256/"), a.id);
  assert.equal(P.pskFrom({ identity: "dev", key: h, hash: "SHA384" }).hash.outputLen, 48);
  assert.equal(P.pskFrom(undefined), null);
  // A byte string whose bytes fold to hex digits (0x10..0x19 | 0x20 = "0".."9") is binary, not hex.
  const folded = Buffer.from("101112131415161718191011121314151617", "hex").toString("latin1");
  assert.equal(hex(P.pskFrom({ identity: "dev", key: folded }).key), "101112131415161718191011121314151617");
});
