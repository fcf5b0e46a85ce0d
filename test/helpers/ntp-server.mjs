// A tiny NTP server for tests (RFC 4330 replies that can be bent), on 127.0.0.1.
import dgram from "node:dgram";

export const NTP_UNIX = 2208988800;

export function stamp(buf, o, unix) {
  const s = Math.floor(unix);
  buf.writeUInt32BE((s + NTP_UNIX) % 4294967296, o);
  buf.writeUInt32BE(Math.floor((unix - s) * 4294967296), o + 4);
}
/** A reply to `req` saying `unix`. o: li, vn, mode, stratum, refid, originate, receive (the receive
 *  timestamp's time, default `unix`), zeroReceive, zeroTransmit, length. */
export function ntpReply(req, unix, o = {}) {
  const b = Buffer.alloc(48);
  b[0] = ((o.li ?? 0) << 6) | ((o.vn ?? 4) << 3) | (o.mode ?? 4);
  b[1] = o.stratum ?? 2;
  b[2] = 6;
  b[3] = 0xec;
  Buffer.from(o.refid ?? "GPS\0", "latin1").copy(b, 12);
  stamp(b, 16, unix - 60);
  (o.originate ?? req.subarray(40, 48)).copy(b, 24);
  if (!o.zeroReceive) stamp(b, 32, o.receive ?? unix);
  if (!o.zeroTransmit) stamp(b, 40, unix + 0.0001);
  return o.length !== undefined ? b.subarray(0, o.length) : b;
}
/** answer(req, n) -> Buffer | Buffer[] | null (silent). */
export async function ntpServer(answer) {
  const s = dgram.createSocket("udp4");
  const srv = { requests: [], port: 0 };
  s.on("message", (m, r) => {
    srv.requests.push(Buffer.from(m));
    let out = answer(m, srv.requests.length);
    if (!out) return;
    if (!Array.isArray(out)) out = [out];
    for (const b of out) s.send(b, r.port, r.address);
  });
  await new Promise((res) => s.bind(0, "127.0.0.1", res));
  srv.port = s.address().port;
  srv.server = { host: "127.0.0.1", port: srv.port };
  srv.close = () => new Promise((res) => s.close(res));
  return srv;
}
