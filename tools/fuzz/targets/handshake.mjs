// A whole client handshake (TlsClient: TLS 1.3 and 1.2, HelloRetryRequest, RSA key exchange)
// fed a recorded server flight with record-level mutations: records dropped, repeated, swapped,
// split, merged, retyped, moved to another key epoch, edited, alerts inserted; delivered in
// chunks of any size. Invariants (flight.mjs): coded errors only, one error and nothing after
// it, and a connection only over the recorded handshake messages.
import fc from "fast-check";
import { fuzzFirmware, applyEdits, byteEdit } from "../engine.mjs";
import { loadRecordings, runFlight, toScript, tally, stats } from "../flight.mjs";

const op = fc.oneof(
  fc.record({ k: fc.constant("edit"), r: fc.nat(), edits: fc.array(byteEdit, { minLength: 1, maxLength: 4 }) }),
  fc.record({ k: fc.constantFrom("drop", "dup", "merge"), r: fc.nat() }),
  fc.record({ k: fc.constant("swap"), r: fc.nat(), s: fc.nat() }),
  fc.record({ k: fc.constant("split"), r: fc.nat(), at: fc.nat() }),
  fc.record({ k: fc.constant("type"), r: fc.nat(), v: fc.constantFrom(0, 20, 21, 22, 23, 24, 255) }),
  fc.record({ k: fc.constant("epoch"), r: fc.nat(), v: fc.nat(2) }),
  fc.record({ k: fc.constant("insert"), r: fc.nat(), epoch: fc.nat(3), type: fc.constantFrom(20, 21, 22, 23, 0), data: fc.uint8Array({ maxLength: 40 }) }),
  // a well-framed handshake message of any type where none is expected (HelloRequest, KeyUpdate,
  // CertificateRequest, EndOfEarlyData, message_hash, unknown types...)
  fc.record({ k: fc.constant("message"), r: fc.nat(), epoch: fc.nat(2), htype: fc.constantFrom(0, 1, 2, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16, 20, 24, 254, 99), body: fc.uint8Array({ maxLength: 48 }) }),
);

export function mutateRecords(records, ops) {
  let rs = records.map((r) => ({ ...r }));
  for (const o of ops) {
    if (!rs.length) break;
    const i = o.r % rs.length, r = rs[i];
    if (o.k === "edit") rs[i] = { ...r, data: applyEdits(r.data, o.edits, [r.data]) };
    else if (o.k === "drop") rs.splice(i, 1);
    else if (o.k === "dup") rs.splice(i, 0, { ...r });
    else if (o.k === "merge" && i + 1 < rs.length) rs.splice(i, 2, { ...r, data: Buffer.concat([r.data, rs[i + 1].data]) });
    else if (o.k === "swap") { const j = o.s % rs.length; [rs[i], rs[j]] = [rs[j], rs[i]]; }
    else if (o.k === "split") { const at = r.data.length ? o.at % r.data.length : 0; rs.splice(i, 1, { ...r, data: r.data.subarray(0, at) }, { ...r, data: r.data.subarray(at) }); }
    else if (o.k === "type") rs[i] = { ...r, type: o.v };
    else if (o.k === "epoch") rs[i] = { ...r, epoch: o.v };
    else if (o.k === "insert") rs.splice(i, 0, { epoch: o.epoch, type: o.type, data: o.data });
    else if (o.k === "message") rs.splice(i, 0, { epoch: o.epoch, type: 22, data: Uint8Array.of(o.htype, 0, o.body.length >> 8, o.body.length & 255, ...o.body) });
  }
  return rs;
}

export default {
  async setup() { return { fw: await fuzzFirmware(), recs: loadRecordings() }; },
  seeds(ctx) { return ctx.recs.map((r, i) => toScript(i, 0, r.records)); },
  arbitrary(ctx) {
    return fc.tuple(fc.nat(ctx.recs.length - 1), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })), fc.array(op, { minLength: 1, maxLength: 4 }))
      .map(([i, chunk, ops]) => toScript(i, chunk, mutateRecords(ctx.recs[i].records, ops)));
  },
  run(ctx, input) { tally(ctx, runFlight(ctx.fw, ctx.recs, input)); },
  stats,
};
