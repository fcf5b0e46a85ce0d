// A TLS 1.3 server that lies in its ServerHello or HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4,
// §4.2): each case must end with the client's coded error and the alert RFC 8446 names, sent in
// plaintext (the client fails on the ServerHello itself, before any key exists), and no connection.
// Controls first: the same server completes a handshake when it does not lie (so that every
// refusal below is about the one field changed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { talk, assertRefused } from "../helpers/tls13-peer.mjs";
import { extension, keyShareExt, u16, u8, vec } from "../helpers/tls13-script.mjs";

const X25519 = 0x1d, P256 = 0x17, P521 = 0x19; // P-384 is offered (supported_groups only), P-521 is not
const T = { timeout: 60000 };
/** Replaces extension `type` of a ServerHello's list (or drops it when body is null). */
function setExt(sh, type, body) {
  sh.exts = sh.exts.filter((e) => e.readUInt16BE(0) !== type);
  if (body) sh.exts.push(extension(type, body));
}

// ---- controls ---------------------------------------------------------------------------------

test("control: the scripted server connects (X25519)", T, async () => {
  const { r, out } = await talk({});
  assert.equal(r.connected, true, r.message);
  assert.equal(r.group, X25519);
  assert.equal(out.finished, true);
});

test("control: HelloRetryRequest for P-256: a second ClientHello with only a P-256 share, same session id, connects", T, async () => {
  const { r, out } = await talk({ hrr: [{ group: P256 }] });
  assert.equal(r.connected, true, r.message);
  assert.equal(r.group, P256);
  const [ch1, ch2] = out.clientHellos;
  assert.deepEqual(Object.keys(ch2.shares).map(Number), [P256]);
  assert.deepEqual(ch2.sid, ch1.sid);
  assert.equal(out.finished, true);
  // One compatibility CCS (RFC 8446 §D.4), before the second flight: the second ClientHello
  // (BoringSSL's runner refuses a second ClientHello that is not preceded by it).
  assert.deepEqual(out.records.slice(0, out.records.indexOf(23)), [22, 20, 22]);
});

test("control: HelloRetryRequest with a cookie only: the same share again, the cookie echoed, connects", T, async () => {
  const cookie = Buffer.from("a cookie from the server");
  const { r, out } = await talk({ hrr: [{ cookie, ccs: true }] });
  assert.equal(r.connected, true, r.message);
  const [ch1, ch2] = out.clientHellos;
  assert.deepEqual(ch2.shares[X25519], ch1.shares[X25519]);
  assert.deepEqual(ch2.ext[44], vec(2, cookie));
  assert.equal(ch1.ext[44], undefined);
});

// ---- HelloRetryRequest ---------------------------------------------------------------------------

test("HelloRetryRequest twice -> TLS_UNEXPECTED_MESSAGE, unexpected_message (10)", T, async () => {
  assertRefused(await talk({ hrr: [{ group: P256 }, { group: X25519 }] }), "TLS_UNEXPECTED_MESSAGE", 10, false);
});

test("HelloRetryRequest for a group not offered (secp521r1) -> TLS_BAD_GROUP, illegal_parameter (47)", T, async () => {
  assertRefused(await talk({ hrr: [{ group: P521 }] }), "TLS_BAD_GROUP", 47, false);
});

test("HelloRetryRequest for the group whose share was sent -> TLS_BAD_GROUP, illegal_parameter (47)", T, async () => {
  assertRefused(await talk({ hrr: [{ group: X25519 }] }), "TLS_BAD_GROUP", 47, false);
});

test("HelloRetryRequest that would not change the ClientHello (no key_share, no cookie) -> TLS_BAD_RETRY, 47", T, async () => {
  assertRefused(await talk({ hrr: [{}] }), "TLS_BAD_RETRY", 47, false);
});

test("HelloRetryRequest with a 3-byte key_share -> TLS_DECODE, decode_error (50)", T, async () => {
  const exts = [extension(43, u16(0x0304)), extension(51, Buffer.from([0, P256, 0]))];
  assertRefused(await talk({ hrr: [{ exts }] }), "TLS_DECODE", 50, false);
});

test("HelloRetryRequest naming TLS 1.2 in supported_versions -> TLS_VERSION, illegal_parameter (47)", T, async () => {
  const exts = [extension(43, u16(0x0303)), extension(51, u16(P256))];
  assertRefused(await talk({ hrr: [{ exts }] }), "TLS_VERSION", 47, false);
});

test("cipher suite changed between HelloRetryRequest and ServerHello -> TLS_BAD_SUITE, 47", T, async () => {
  assertRefused(await talk({ hrr: [{ group: P256, suite: 0x1301 }], serverHello: (sh) => { sh.suite = 0x1303; } }), "TLS_BAD_SUITE", 47, false);
});

// ---- ServerHello fields ----------------------------------------------------------------------------

test("ServerHello that does not echo the session id -> TLS_BAD_SESSION_ID, illegal_parameter (47)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.sid = Buffer.from(sh.sid); sh.sid[0] ^= 1; } }), "TLS_BAD_SESSION_ID", 47, false);
});

test("ServerHello with an empty session id (ours had 32 bytes) -> TLS_BAD_SESSION_ID, 47", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.sid = Buffer.alloc(0); } }), "TLS_BAD_SESSION_ID", 47, false);
});

test("ServerHello with a TLS 1.3 suite not offered (TLS_AES_128_CCM_SHA256) -> TLS_BAD_SUITE, 47", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.suite = 0x1304; } }), "TLS_BAD_SUITE", 47, false);
});

test("a PSK without ca offers only the suites of its hash; the SHA-384 suite chosen -> TLS_BAD_SUITE, 47 (not PSK_REJECTED)", T, async () => {
  const psk = { identity: "dev", key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" }; // SHA-256
  // the client sends no key share with an external PSK: the server asks for one (HelloRetryRequest),
  // which is where it names the suite first
  const x = await talk({ hrr: [{ group: X25519, suite: 0x1302 }], serverHello: (sh) => { sh.suite = 0x1302; } }, { opts: { ca: null, psk } });
  const offered = x.out.clientHellos[0].suites.filter((s) => s >> 8 === 0x13); // the TLS 1.3 ones
  assert.deepEqual(offered, [0x1301, 0x1303]);
  assertRefused(x, "TLS_BAD_SUITE", 47, false);
});

test("TLS 1.3 ServerHello with a TLS 1.2 suite (offered for TLS 1.2) -> TLS_BAD_SUITE, 47", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.suite = 0xc02b; } }), "TLS_BAD_SUITE", 47, false);
});

test("ServerHello without key_share -> TLS_MISSING_EXTENSION, missing_extension (109)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => setExt(sh, 51, null) }), "TLS_MISSING_EXTENSION", 109, false);
});

test("ServerHello with a share for a group other than the one sent -> TLS_BAD_GROUP, 47", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => setExt(sh, 51, Buffer.concat([u16(P256), vec(2, Buffer.alloc(65, 4))])) }), "TLS_BAD_GROUP", 47, false);
});

test("ServerHello selecting a pre_shared_key when none was offered -> TLS_BAD_PSK, 47 (no certificate-less handshake)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => setExt(sh, 41, u16(0)) }), "TLS_BAD_PSK", 47, false);
});

test("ServerHello with the all-zero X25519 share (small order) -> CRYPTO_ZERO_SHARED_SECRET, illegal_parameter (47)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => setExt(sh, 51, Buffer.concat([u16(X25519), vec(2, Buffer.alloc(32))])) }), "CRYPTO_ZERO_SHARED_SECRET", 47, false);
});

test("ServerHello with a 31-byte X25519 share -> TLS_BAD_KEY_SHARE, 47", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => setExt(sh, 51, Buffer.concat([u16(X25519), vec(2, Buffer.alloc(31, 9))])) }), "TLS_BAD_KEY_SHARE", 47, false);
});

test("P-256 share that is not on the curve (after HelloRetryRequest) -> illegal_parameter (47)", T, async () => {
  const res = await talk({
    hrr: [{ group: P256 }],
    serverHello: (sh, ctx) => { const p = Buffer.from(ctx.pub); p[64] ^= 1; setExt(sh, 51, Buffer.concat([u16(P256), vec(2, p)])); },
  });
  assert.ok(["TLS_BAD_KEY_SHARE", "CRYPTO_BAD_POINT"].includes(res.r.error), res.r.error);
  assertRefused(res, res.r.error, 47, false);
});

test("P-256 share as a compressed point -> TLS_BAD_KEY_SHARE, 47", T, async () => {
  const x = await talk({
    hrr: [{ group: P256 }],
    serverHello: (sh, ctx) => setExt(sh, 51, Buffer.concat([u16(P256), vec(2, Buffer.concat([u8(2 + (ctx.pub[64] & 1)), ctx.pub.subarray(1, 33)]))])),
  });
  assertRefused(x, "TLS_BAD_KEY_SHARE", 47, false);
  // said as such (RFC 8446 §4.2.8.2: uncompressed only): the ECDH decoder would call it off the curve
  assert.match(x.r.message, /not an uncompressed point/);
});

// ---- versions and the downgrade sentinel -----------------------------------------------------------

test("supported_versions naming a version not offered (0x0305) -> TLS_VERSION, illegal_parameter (47)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => setExt(sh, 43, u16(0x0305)) }), "TLS_VERSION", 47, false);
});

test("supported_versions naming TLS 1.2 (only TLS 1.3 may be chosen that way) -> TLS_VERSION, 47", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => setExt(sh, 43, u16(0x0303)) }), "TLS_VERSION", 47, false);
});

test("supported_versions of 3 bytes in ServerHello -> TLS_DECODE, decode_error (50)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => setExt(sh, 43, Buffer.from([3, 4, 0])) }), "TLS_DECODE", 50, false);
});

test("legacy_version TLS 1.1 without supported_versions -> TLS_VERSION, protocol_version (70)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.legacy = 0x0302; sh.exts = []; } }), "TLS_VERSION", 70, false);
});

test("TLS 1.2 ServerHello when only TLS 1.3 is offered (tls12: false) -> TLS_VERSION, protocol_version (70)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.exts = []; } }, { opts: { tls12: false } }), "TLS_VERSION", 70, false);
});

test("legacy_version 0x0304 without supported_versions (TLS 1.3 is only chosen by the extension) -> TLS_VERSION, 70", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.legacy = 0x0304; setExt(sh, 43, null); } }), "TLS_VERSION", 70, false);
});

for (const [name, legacy, tail] of [["TLS 1.2", 0x0303, "444f574e47524401"], ["TLS 1.1", 0x0302, "444f574e47524400"]]) {
  test(`downgrade sentinel for ${name} in ServerHello.random -> TLS_DOWNGRADE, illegal_parameter (47)`, T, async () => {
    assertRefused(await talk({
      serverHello: (sh) => { sh.legacy = legacy; sh.exts = []; Buffer.from(tail, "hex").copy(sh.random, 24); },
    }), "TLS_DOWNGRADE", 47, false);
  });
}

// ---- extensions and framing --------------------------------------------------------------------

for (const tls12 of [true, false]) {
  test(`ServerHello with an extension not allowed there (ALPN; TLS 1.2 ${tls12 ? "also" : "not"} offered) -> TLS_UNSUPPORTED_EXTENSION, 110`, T, async () => {
    assertRefused(await talk({ serverHello: (sh) => setExt(sh, 16, vec(2, vec(1, Buffer.from("h2")))) }, { opts: { tls12, alpn: ["h2"] } }),
      "TLS_UNSUPPORTED_EXTENSION", 110, false);
  });
}

test("ServerHello with supported_versions twice -> TLS_DUPLICATE_EXTENSION, illegal_parameter (47)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.exts.push(extension(43, u16(0x0304))); } }), "TLS_DUPLICATE_EXTENSION", 47, false);
});

test("ServerHello with a trailing byte after its extensions -> TLS_DECODE, decode_error (50)", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.trailing = u8(0); } }), "TLS_DECODE", 50, false);
});

test("ServerHello choosing a compression method -> TLS_BAD_COMPRESSION, 47", T, async () => {
  assertRefused(await talk({ serverHello: (sh) => { sh.compression = 1; } }), "TLS_BAD_COMPRESSION", 47, false);
});
