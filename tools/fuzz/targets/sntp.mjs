// The SNTP reply check (firmware/time/sntp.ts checkReply, ntpTime). Input: a reply to a fixed
// request. Invariants: a code string always (never an exception), and a reply called usable only
// when it is one by RFC 4330: 48+ bytes, mode 4, version 3-4, our transmit time echoed, stratum
// 1-15, synchronized, transmit time set and not before the receive time.
import { fuzzFirmware, latin1, fromLatin1, Violation } from "../engine.mjs";

const NTP_UNIX = 2208988800;
const T0 = 1763700000;
const ts = (unix, frac = 0) => { const b = Buffer.alloc(8); b.writeUInt32BE((unix + NTP_UNIX) >>> 0); b.writeUInt32BE(frac >>> 0, 4); return b; };
const REQ = Buffer.concat([Buffer.from([0x23]), Buffer.alloc(39), ts(T0, 0x12345678)]);

function reply(o = {}) {
  const b = Buffer.alloc(o.len || 48);
  b[0] = o.b0 ?? 0x24; b[1] = o.stratum ?? 2; b[2] = 6; b[3] = 0xe9;
  Buffer.from("GPS\0").copy(b, 12);
  ts(T0 - 1000).copy(b, 16);
  REQ.subarray(40, 48).copy(b, 24);
  ts(T0 + 1, 100).copy(b, 32);
  ts(T0 + 1, 200).copy(b, 40);
  return new Uint8Array(b);
}

export default {
  async setup() { const fw = await fuzzFirmware(); return { fw, F: fw.T.fuzz }; },
  seeds() { return [reply(), reply({ b0: 0x1c }), reply({ stratum: 0 }), reply({ b0: 0xe4 }), reply({ len: 68 }), fromLatin1("\x24")]; },
  run(ctx, input) {
    const msg = latin1(input), req = latin1(REQ);
    const why = [];
    const code = ctx.F.checkReply(msg, req, why);
    if (typeof code !== "string") throw new Violation("checkReply returned " + code);
    if (code !== "") { if (!/^NTP_[A-Z_]+$/.test(code)) throw new Violation("code " + code); return; }
    const b = Buffer.from(input);
    const mode = b[0] & 7, vn = (b[0] >> 3) & 7, li = b[0] >> 6;
    const t2 = ctx.F.ntpTime(msg, 32), t3 = ctx.F.ntpTime(msg, 40);
    const ok = b.length >= 48 && mode === 4 && (vn === 3 || vn === 4) && b.subarray(24, 32).equals(REQ.subarray(40, 48)) && b[1] >= 1 && b[1] <= 15 && li !== 3 && t3 !== 0 && t2 !== 0 && t3 >= t2;
    if (!ok || !Number.isFinite(t2) || !Number.isFinite(t3)) throw new Violation("an unusable reply passed the check");
  },
};
