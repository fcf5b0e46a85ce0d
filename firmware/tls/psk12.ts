// The messages of the TLS 1.2 PSK key exchanges (client12.ts runs them): PSK (RFC 4279 §2) and
// ECDHE-PSK (RFC 5489 §2). The server proves itself by knowing the key (the Finished messages),
// so nothing is signed; the premaster secret joins the PSK with zeros (PSK) or with the ECDHE
// secret (ECDHE-PSK).
import { Reader, Writer } from "./codec";
import { toBinary } from "../util/bytes";
import { tlsFail, A_ILLEGAL_PARAMETER } from "./alerts";

export interface PskKeyExchange {
  /** psk_identity_hint, as text ("" when empty). */
  hint: string;
  /** ECDHE-PSK: the server's named group and public point; 0 and null for PSK. */
  group: number;
  point: Uint8Array | null;
}

/** ServerKeyExchange of a PSK suite: psk_identity_hint<0..2^16-1>, then for ECDHE-PSK the
 *  ServerECDHParams (named_curve(3), group, point<1..2^8-1>), no signature. */
export function parsePskKeyExchange(body: Uint8Array, ecdhe: boolean): PskKeyExchange {
  const r = new Reader(body);
  const hint = toBinary(r.vecBytes(2));
  let group = 0, point: Uint8Array | null = null;
  if (ecdhe) {
    if (r.u8() !== 3) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_GROUP", "ServerKeyExchange without a named curve");
    group = r.u16();
    point = r.vecBytes(1);
  }
  r.done();
  return { hint: hint, group: group, point: point };
}

/** premaster = other_secret<0..2^16-1> || psk<0..2^16-1>; other_secret is the ECDHE secret Z, or
 *  as many zeros as the PSK has bytes (plain PSK). */
export function pskPremaster(z: Uint8Array | null, key: Uint8Array): Uint8Array {
  const other = z || new Uint8Array(key.length);
  return new Writer(4 + other.length + key.length).vecBytes(2, other).vecBytes(2, key).result();
}

/** ClientKeyExchange body: psk_identity<0..2^16-1>, then for ECDHE-PSK our point<1..2^8-1>. */
export function pskClientKeyExchange(identity: Uint8Array, pub: Uint8Array | null): Uint8Array {
  const w = new Writer(3 + identity.length + (pub ? 1 + pub.length : 0)).vecBytes(2, identity);
  if (pub) w.vecBytes(1, pub);
  return w.result();
}
