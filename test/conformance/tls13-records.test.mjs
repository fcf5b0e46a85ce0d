// A TLS 1.3 server that misuses records and post-handshake messages: ChangeCipherSpec out of its
// place (RFC 8446 §5, §D.4), records after close_notify (§6.1), NewSessionTicket (§4.6.1),
// KeyUpdate (§4.6.3), empty records (§5.1, §5.4), the negotiated record limit (RFC 8449, RFC 6066),
// record types, and a resumption the client did not offer (§4.2.11). After a fatal error no data
// reaches the app, even when the server sends some.
import { test } from "node:test";
import assert from "node:assert/strict";
import { talk, assertRefused } from "../helpers/tls13-peer.mjs";
import { extension, handshake, seal, plainRecord, u16, u8 } from "../helpers/tls13-script.mjs";

const T = { timeout: 60000 };
const CCS = u8(1);
const LATE = Buffer.from("data after the error");

/** The client connected, then failed with `code`, sent exactly `alert` encrypted, and no data
 *  reached the app. */
function assertFailedAfterConnect({ r, out }, code, alert) {
  assert.equal(r.connected, true, r.message);
  assert.equal(r.error, code, r.message);
  assert.equal(r.data, "", "data reached the app");
  assert.deepEqual(out.alerts, [{ level: 2, desc: alert, encrypted: true }], "the alerts the client sent");
}

// ---- ChangeCipherSpec ---------------------------------------------------------------------------

test("works: no CCS after ServerHello, one between EncryptedExtensions and Certificate (§5: dropped until Finished)", T, async () => {
  const { r } = await talk({ ccs: 0, flight: ["EE", () => plainRecord(20, CCS), "Cert", "CV", "Fin"] });
  assert.equal(r.connected, true, r.message);
});

test("works: the compatibility CCS before the ServerHello", T, async () => {
  const { r } = await talk({ ccs: 0, beforeServerHello: plainRecord(20, CCS) });
  assert.equal(r.connected, true, r.message);
});

test("a second ChangeCipherSpec -> TLS_UNEXPECTED_CCS, unexpected_message (10)", T, async () => {
  assertRefused(await talk({ ccs: 2 }), "TLS_UNEXPECTED_CCS", 10, true);
});

for (const [name, body] of [["0x02", u8(2)], ["two bytes", Buffer.from([1, 1])]]) {
  test(`a ChangeCipherSpec of ${name} -> TLS_UNEXPECTED_CCS, 10`, T, async () => {
    assertRefused(await talk({ ccs: 0, beforeFlight: () => plainRecord(20, body) }), "TLS_UNEXPECTED_CCS", 10, true);
  });
}

test("a protected ChangeCipherSpec (inside an encrypted record) -> TLS_UNEXPECTED_CCS, 10", T, async () => {
  assertRefused(await talk({ ccs: 0, beforeFlight: (ctx) => seal(ctx.keys.sHs, 20, CCS) }), "TLS_UNEXPECTED_CCS", 10, true);
});

test("a ChangeCipherSpec after the handshake -> TLS_UNEXPECTED_CCS, 10; data after it not delivered", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { ctx.plain(20, CCS); ctx.send(23, LATE); } }, { end: 1000 }), "TLS_UNEXPECTED_CCS", 10);
});

// ---- close_notify, record types, empty records ----------------------------------------------------

test("records after close_notify are ignored: no data callback, no error, our close_notify answers", T, async () => {
  const { r, out } = await talk({ afterFinished: (ctx) => { ctx.send(21, Buffer.from([1, 0])); ctx.send(23, LATE); ctx.send(21, Buffer.from([2, 10])); } }, { end: 1000 });
  assert.equal(r.connected, true, r.message);
  assert.equal(r.ended, true);
  assert.equal(r.data, "");
  assert.deepEqual(r.errors, []);
  assert.deepEqual(out.alerts, [{ level: 1, desc: 0, encrypted: true }]);
});

test("an alert of 3 bytes -> TLS_DECODE, decode_error (50)", T, async () => {
  assertRefused(await talk({ flight: ["EE", (ctx) => seal(ctx.keys.sHs, 21, Buffer.from([2, 40, 0])), "Cert", "CV", "Fin"] }), "TLS_DECODE", 50, true);
});

test("a protected record with no content type (all-zero inner plaintext) -> TLS_NO_CONTENT_TYPE, 10", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { ctx.send(0, Buffer.alloc(0)); ctx.send(23, LATE); } }, { end: 1000 }), "TLS_NO_CONTENT_TYPE", 10);
});

test("a record whose version is not 3.x -> TLS_BAD_RECORD, decode_error (50)", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { ctx.sock.write(Buffer.from([23, 2, 3, 0, 1, 0])); } }, { end: 1000 }), "TLS_BAD_RECORD", 50);
});

test("write() before the handshake finished is queued: it reaches the server only after the handshake, on the application key", T, async () => {
  const { r, out } = await talk({}, { early: true });
  assert.equal(r.early, undefined, "write() threw " + r.early);
  assert.equal(r.connected, true, r.message);
  assert.deepEqual(out.appData.map(String), ["early"]);
});

test("a zero-length application data record is allowed (§5.4): the data after it arrives", T, async () => {
  const { r } = await talk({ afterFinished: (ctx) => { ctx.send(23, Buffer.alloc(0)); ctx.send(23, Buffer.from("after empty")); } }, { end: 1000 });
  assert.equal(r.connected, true, r.message);
  assert.deepEqual(r.errors, []);
  assert.equal(r.data, "after empty");
});

// Records of 2 KB and more are decrypted by a job in slices (record.ts openJob): the data, the
// MAC check and the order of records must be those of the one-piece path.
test("big records (16 KB, 3 KB; decrypted in slices) and small ones between them arrive whole and in order", T, async () => {
  const big = Buffer.alloc(16384, 0x61), mid = Buffer.alloc(3000, 0x62);
  for (let i = 0; i < big.length; i += 97) big[i] = 0x30 + (i % 10);
  const { r } = await talk({ afterFinished: (ctx) => { ctx.send(23, big); ctx.send(23, Buffer.from("small")); ctx.send(23, mid); } }, { end: 3000 });
  assert.equal(r.connected, true, r.message);
  assert.deepEqual(r.errors, []);
  assert.equal(r.data, big.toString("latin1") + "small" + mid.toString("latin1"));
});

// A TCP close while a big record is being decrypted by its job: the job finishes and the records
// behind it are processed in order before the close is reported (Engine.transportClosed's `later`).
test("a TCP close right behind big records and close_notify: every byte still arrives, then a clean end", T, async () => {
  // enough records that the close arrives while one of them is still being decrypted
  const recs = [];
  for (let i = 0; i < 40; i++) recs.push(Buffer.alloc(i % 2 ? 5000 : 16384, 0x41 + i));
  const { r } = await talk({ afterFinished: (ctx) => { for (const b of recs) ctx.send(23, b); ctx.send(21, Buffer.from([1, 0])); ctx.sock.end(); } }, { end: 8000 });
  assert.equal(r.connected, true, r.message);
  assert.deepEqual(r.errors, []);
  assert.equal(r.ended, true);
  const want = Buffer.concat(recs).toString("latin1");
  assert.equal(r.data.length, want.length);
  assert.ok(r.data === want, "the data differs");
});

for (const [what, at] of [["ciphertext", 1000], ["tag", -1]]) {
  test(`a 4 KB record with one ${what} byte changed -> TLS_BAD_RECORD_MAC, bad_record_mac (20); none of it delivered`, T, async () => {
    const bad = (ctx) => {
      const rec = seal(ctx.keys.sAp, 23, Buffer.alloc(4096, 0x63));
      rec[at < 0 ? rec.length + at : 5 + at] ^= 1;
      ctx.sock.write(rec);
      ctx.send(23, LATE);
    };
    assertFailedAfterConnect(await talk({ afterFinished: bad }, { end: 1000 }), "TLS_BAD_RECORD_MAC", 20);
  });
}

test("application data inside the server's encrypted flight -> TLS_UNEXPECTED_MESSAGE, 10", T, async () => {
  assertRefused(await talk({ flight: ["EE", (ctx) => seal(ctx.keys.sHs, 23, LATE), "Cert", "CV", "Fin"] }), "TLS_UNEXPECTED_MESSAGE", 10, true);
});

test("a protected record of unknown inner type (24) after the handshake -> TLS_UNEXPECTED_MESSAGE, 10", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { ctx.send(24, u8(1)); ctx.send(23, LATE); } }, { end: 1000 }), "TLS_UNEXPECTED_MESSAGE", 10);
});

test("a ServerHello after the handshake -> TLS_UNEXPECTED_MESSAGE, 10", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { ctx.send(22, handshake(2, Buffer.alloc(40))); ctx.send(23, LATE); } }, { end: 1000 }), "TLS_UNEXPECTED_MESSAGE", 10);
});

// ---- the negotiated record size ----------------------------------------------------------------------

for (const [name, opts, ee, limit] of [
  ["record_size_limit 1024", { recordSizeLimit: 1024 }, extension(28, u16(2048)), 1024],
  ["max_fragment_length 512", { recordSizeLimit: 0, maxFragmentLength: 512 }, extension(1, u8(1)), 512],
]) {
  test(`${name}: a record of the limit arrives, one byte more -> TLS_RECORD_OVERFLOW, record_overflow (22)`, T, async () => {
    // (the server's flight keeps to the limit too: fragment)
    const ok = await talk({ ee: [ee], fragment: limit, afterFinished: (ctx) => ctx.send(23, Buffer.alloc(limit, 0x61)) }, { opts, end: 1000 });
    assert.equal(ok.r.connected, true, ok.r.message);
    assert.deepEqual(ok.r.errors, []);
    assert.equal(ok.r.data.length, limit);
    assertFailedAfterConnect(await talk({ ee: [ee], fragment: limit, afterFinished: (ctx) => ctx.send(23, Buffer.alloc(limit + 1, 0x61)) }, { opts, end: 1000 }),
      "TLS_RECORD_OVERFLOW", 22);
  });
}

test("record_size_limit of 63 in EncryptedExtensions -> TLS_BAD_RECORD_LIMIT, 47", T, async () => {
  assertRefused(await talk({ ee: [extension(28, u16(63))] }), "TLS_BAD_RECORD_LIMIT", 47, true);
});

test("max_fragment_length answered with another length (1024 for 512) -> TLS_BAD_FRAGMENT_LENGTH, 47", T, async () => {
  assertRefused(await talk({ ee: [extension(1, u8(2))] }, { opts: { recordSizeLimit: 0, maxFragmentLength: 512 } }), "TLS_BAD_FRAGMENT_LENGTH", 47, true);
});

for (const [opts, what] of [[{ maxFragmentLength: 1000 }, "maxFragmentLength 1000"], [{ recordSizeLimit: 63 }, "recordSizeLimit 63"]]) {
  test(`option ${what} -> TLS_BAD_OPTION before any ClientHello`, T, async () => {
    const { r, out } = await talk({}, { opts });
    assert.equal(r.error, "TLS_BAD_OPTION", r.message);
    assert.equal(r.connected, false);
    assert.equal(out.clientHello, null);
  });
}

// ---- NewSessionTicket --------------------------------------------------------------------------------

/** A NewSessionTicket with this lifetime (seconds). */
const ticket = (lifetime, { id = Buffer.alloc(32, 9), exts = Buffer.alloc(0) } = {}) => handshake(4, Buffer.concat([
  Buffer.from([lifetime >>> 24, (lifetime >> 16) & 255, (lifetime >> 8) & 255, lifetime & 255]),
  Buffer.alloc(4, 7), Buffer.from([1, 0]), u16(id.length), id, u16(exts.length), exts]));

test("a NewSessionTicket with an unknown extension (GREASE) is kept: clients ignore unknown ones (§4.6.1)", T, async () => {
  const { r } = await talk({ afterFinished: (ctx) => ctx.send(22, ticket(3600, { exts: extension(0x1a1a, Buffer.alloc(0)) })) }, { end: 1000 });
  assert.deepEqual(r.errors, [], r.message);
  assert.equal(r.tickets, 1);
});

test("a NewSessionTicket with an empty ticket -> TLS_BAD_TICKET, decode_error (50)", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { ctx.send(22, ticket(3600, { id: Buffer.alloc(0) })); ctx.send(23, LATE); } }, { end: 1000 }), "TLS_BAD_TICKET", 50);
});

test("a NewSessionTicket of exactly 7 days is kept", T, async () => {
  const { r } = await talk({ afterFinished: (ctx) => ctx.send(22, ticket(604800)) }, { end: 1000 });
  assert.deepEqual(r.errors, []);
  assert.equal(r.tickets, 1);
});

test("a NewSessionTicket with a lifetime over 7 days -> TLS_BAD_TICKET, illegal_parameter (47); data after it not delivered", T, async () => {
  const res = await talk({ afterFinished: (ctx) => { ctx.send(22, ticket(604801)); ctx.send(23, LATE); } }, { end: 1000 });
  assertFailedAfterConnect(res, "TLS_BAD_TICKET", 47);
  assert.equal(res.r.tickets, 0);
});

// ---- KeyUpdate -----------------------------------------------------------------------------------------

test("KeyUpdate update_requested: the client answers with its own KeyUpdate and both directions work on the new keys", T, async () => {
  const { r, out } = await talk({
    afterFinished: (ctx) => {
      ctx.keyUpdate(true);
      ctx.send(23, Buffer.from("one"));
      setTimeout(() => { ctx.keyUpdate(false); ctx.send(23, Buffer.from("two")); }, 300);
    },
  }, { echo: true, end: 1500 });
  assert.deepEqual(r.errors, [], r.message);
  assert.equal(r.data, "onetwo");
  assert.deepEqual(out.keyUpdates, [0], "the client's KeyUpdate: update_not_requested, once");
  assert.deepEqual(out.appData.map(String), ["echo:one", "echo:two"]);
});

test("KeyUpdate with request 2 -> TLS_BAD_KEY_UPDATE, illegal_parameter (47)", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { ctx.send(22, handshake(24, u8(2))); ctx.send(23, LATE); } }, { end: 1000 }), "TLS_BAD_KEY_UPDATE", 47);
});

test("KeyUpdate of two bytes -> TLS_BAD_KEY_UPDATE, decode_error (50)", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => { ctx.send(22, handshake(24, Buffer.from([1, 0]))); ctx.send(23, LATE); } }, { end: 1000 }), "TLS_BAD_KEY_UPDATE", 50);
});

test("KeyUpdate and the start of another message in one record (spans the key change) -> TLS_UNEXPECTED_MESSAGE, 10", T, async () => {
  assertFailedAfterConnect(await talk({ afterFinished: (ctx) => ctx.send(22, Buffer.concat([handshake(24, u8(0)), handshake(4, Buffer.alloc(20)).subarray(0, 6)])) }, { end: 1000 }),
    "TLS_UNEXPECTED_MESSAGE", 10);
});

// ---- a resumption the client did not offer ------------------------------------------------------------

/** Connection 0 issues a ticket; connection 1's ServerHello is altered by `sh`. */
async function secondHello(sh) {
  const res = await talk({
    afterFinished: (ctx) => { if (ctx.index === 0) ctx.send(22, ctx.build("NST")); },
    serverHello: (s, ctx) => { if (ctx.index === 1) sh(s); },
  }, { connects: 2 });
  assert.equal(res.rs[0].tickets, 1, "the first connection got no ticket");
  assert.ok(res.outs[1].clientHello.ext[41], "the second ClientHello offered no ticket");
  return res;
}

test("pre_shared_key selecting identity 1 when one ticket was offered -> TLS_BAD_PSK, 47", T, async () => {
  assertRefused(await secondHello((s) => s.exts.push(extension(41, u16(1)))), "TLS_BAD_PSK", 47, false);
});

test("resumption with a suite of another hash than the ticket's (SHA-384 for a SHA-256 ticket) -> TLS_BAD_PSK, 47", T, async () => {
  assertRefused(await secondHello((s) => { s.suite = 0x1302; s.exts.push(extension(41, u16(0))); }), "TLS_BAD_PSK", 47, false);
});
