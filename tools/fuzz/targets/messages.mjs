// Every handshake message parser the client has, one message at a time: a recorded flight
// (TLS 1.3: ServerHello, HelloRetryRequest, EncryptedExtensions, Certificate, CertificateVerify,
// Finished, NewSessionTicket; TLS 1.2: ServerHello, Certificate, ServerKeyExchange (ECDHE with
// RSA and ECDSA), ServerHelloDone, NewSessionTicket, Finished) with one message edited, its
// length fixed up or not, sealed again so the parser of that message reads the edited bytes.
import fc from "fast-check";
import { fuzzFirmware, applyEdits, byteEdit, cat } from "../engine.mjs";
import { loadRecordings, runFlight, toScript, tally, stats } from "../flight.mjs";

/** The recording as items: one handshake message (or fragment) or one other record each. */
function items(records) {
  const out = [];
  for (const r of records) {
    if (r.type !== 22) { out.push({ ...r }); continue; }
    let o = 0;
    while (o < r.data.length) {
      const n = o + 4 <= r.data.length ? (r.data[o + 1] << 16) | (r.data[o + 2] << 8) | r.data[o + 3] : Infinity;
      const end = Math.min(r.data.length, o + 4 + n);
      out.push({ epoch: r.epoch, type: 22, data: r.data.subarray(o, end), msg: true });
      o = end;
    }
  }
  return out;
}

export default {
  async setup() {
    const recs = loadRecordings();
    return { fw: await fuzzFirmware(), recs, items: recs.map((r) => items(r.records)) };
  },
  seeds(ctx) { return ctx.recs.map((r, i) => toScript(i, 0, ctx.items[i])); },
  arbitrary(ctx) {
    return fc.tuple(fc.nat(ctx.recs.length - 1), fc.nat(), fc.boolean(), fc.array(byteEdit, { minLength: 1, maxLength: 5 }))
      .map(([i, m, fixLength, edits]) => {
        const list = ctx.items[i].map((x) => ({ ...x }));
        const msgs = list.filter((x) => x.msg);
        const x = msgs[m % msgs.length];
        if (fixLength && x.data.length >= 4) {
          const body = applyEdits(x.data.subarray(4), edits, [x.data.subarray(4)]);
          x.data = cat(Uint8Array.of(x.data[0], body.length >> 16, (body.length >> 8) & 255, body.length & 255), body);
        } else x.data = applyEdits(x.data, edits, [x.data]);
        return toScript(i, 0, list);
      });
  },
  run(ctx, input) { tally(ctx, runFlight(ctx.fw, ctx.recs, input)); },
  stats,
};
