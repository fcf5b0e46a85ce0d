// What the TLS 1.3 and TLS 1.2 state machines share: the hand-over from the 1.3 client (which
// sent the one ClientHello offering both versions) to the 1.2 client when the server picks 1.2,
// the TLS 1.2 extensions of that ClientHello, and the saved TLS 1.2 session used for resumption.
import type { RecordLayer } from "./record";
import type { HandshakeReader, HelloParams, ServerHello } from "./messages";
import type { Ephemeral } from "./kex";
import type { PeerIdentity } from "./certverify";
import type { PrivateKey } from "../identity/key";
import { Writer } from "./codec";
import * as C from "./constants";

/** The device's certificate chain (DER, leaf first) and its private key (tls/options.ts). */
export interface ClientIdentity {
  chain: Uint8Array[];
  /** Null only until TlsSetup.ready has run (a key file without its public key; tls/options.ts):
   *  no connection opens before. */
  key: PrivateKey;
  /** Short fingerprint of the leaf: sessions and kept connections are per identity. */
  id: string;
}

/** Everything the TLS 1.2 client needs to continue the connection after the ServerHello. */
export interface Handover {
  rec: RecordLayer;
  hs: HandshakeReader;
  /** The ClientHello as sent (first transcript message). */
  ch: Uint8Array;
  hello: HelloParams;
  /** Our (unused) TLS 1.3 key share: reused when the server's ECDHE group is the same. */
  share: Ephemeral | null;
  sh: ServerHello;
  shRaw: Uint8Array;
}

/** A TLS 1.2 session the server let us keep: resumed with its session id or ticket (RFC 5077). */
export interface Session12 {
  /** Session id from the ServerHello (may be empty when the server only issues tickets). */
  id: Uint8Array;
  ticket: Uint8Array | null;
  /** The (extended) master secret. */
  master: Uint8Array;
  suite: number;
  /** getTime() when the session was made, and how long it may be offered (seconds). */
  received: number;
  lifetime: number;
  peer: PeerIdentity;
  alpn: string | null;
  host: string;
  /** The ECDHE group of the full handshake (0 for RSA key transport): a resumed connection
   *  reports it, as the keys still come from that exchange. */
  group: number;
}

/** Handshake message type 0 (TLS 1.2 only): a server asking to renegotiate. */
export const HT_HELLO_REQUEST = 0;
/** no_renegotiation alert (RFC 5246 §7.2.2), sent as a warning. */
export const A_NO_RENEGOTIATION = 100;

/** The TLS 1.2 extensions of the shared ClientHello: renegotiation_info (empty),
 *  extended_master_secret, ec_point_formats (uncompressed) and session_ticket (empty, or the
 *  ticket of the session offered). Encoded as HelloParams.extra. */
export function helloExtensions12(ticket: Uint8Array | null): Uint8Array {
  const w = new Writer(64 + (ticket ? ticket.length : 0));
  w.u16(C.EXT_RENEGOTIATION_INFO).start(2).u8(0).close();
  w.u16(C.EXT_EXTENDED_MASTER_SECRET).u16(0);
  w.u16(C.EXT_EC_POINT_FORMATS).start(2).u8(1).u8(0).close();
  w.u16(C.EXT_SESSION_TICKET).start(2);
  if (ticket) w.bytes(ticket);
  w.close();
  return w.result();
}
