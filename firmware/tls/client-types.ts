// What the TLS clients take and give: the options of the TLS 1.3 client (which the TLS 1.2 client
// continues from), the offer of TLS 1.2 in its ClientHello, a TLS 1.3 session ticket, and what a
// finished handshake reports.
import type { Job } from "../util/job";
import type { PeerIdentity } from "./certverify";
import type { ClientIdentity, Handover } from "./handshake-common";
import type { Ephemeral } from "./kex";
import type { ExternalPsk } from "./psk";

export interface ClientOptions {
  /** Name the certificate must match; also sent as SNI unless it is an IP address. */
  host: string;
  random: (n: number) => Uint8Array;
  /** Validates the presented chain (DER, leaf first) for `host`: throws or fails the Job on error. */
  verifyChain: (chain: Uint8Array[], host: string) => Job<PeerIdentity>;
  alpn?: string[];
  /** The device's certificate chain and key, sent when the server asks (tls/options.ts). */
  identity?: ClientIdentity | null;
  groups?: number[];
  suites?: number[];
  /** Largest record plaintext we want to receive (record_size_limit), 0 for none. */
  recordSizeLimit?: number;
  /** max_fragment_length to offer: 512, 1024, 2048 or 4096; 0 for none. */
  maxFragmentLength?: number;
  /** Largest handshake message accepted (a certificate chain, mostly). */
  maxHandshakeMessage?: number;
  /** Also offer TLS 1.2 (client12.ts): its extensions and suites, and where the connection goes
   *  when the server picks 1.2. Absent: TLS 1.3 only. */
  tls12?: Offer12 | null;
  /** legacy_session_id to send (a TLS 1.2 session being resumed); default 32 random bytes. */
  sessionId?: Uint8Array | null;
  /** A ticket (NewSessionTicket of an earlier connection) to resume with. */
  psk?: SessionTicket | null;
  /** Also offer psk_ke (resumption without a fresh (EC)DHE: no forward secrecy for this
   *  connection if the ticket key leaks); default psk_dhe_ke only. */
  pskKe?: boolean;
  /** The application's pre-shared key (tls/psk.ts): offered instead of a ticket. */
  extPsk?: ExternalPsk | null;
  /** extPsk and no trust anchors: a server that does not take the PSK is refused (PSK_REJECTED). */
  pskOnly?: boolean;
  /** A key share computed ahead of time (tls.precompute), or null. */
  takeShare?: (group: number) => Ephemeral | null;
  /** Send no key share (an empty list): for a server expected to pick TLS 1.2 (a TLS 1.2 session
   *  is being resumed), which needs none; a TLS 1.3 server asks for one with HelloRetryRequest. */
  deferShare?: boolean;
}

export interface Offer12 {
  extra: Uint8Array;
  suites: number[];
  handover: (h: Handover) => void;
}

export interface SessionTicket {
  ticket: Uint8Array;
  psk: Uint8Array;
  suite: number;
  lifetime: number;
  ageAdd: number;
  received: number;
  host: string;
  /** Who the server proved to be on the connection that issued the ticket. */
  peer?: PeerIdentity | null;
  alpn?: string | null;
}

export interface ConnectionInfo {
  version: number;
  suite: string;
  group: number;
  alpn: string | null;
  /** Who the server proved to be; null when it proved it with an external PSK. */
  peer: PeerIdentity | null;
  /** True when the session was resumed (no certificate this time: `peer` is the one proved before). */
  resumed?: boolean;
  /** The PSK identity the server accepted (external PSK), else undefined. */
  pskIdentity?: string;
  /** TLS 1.2: the server's PSK identity hint ("" when it sent none). */
  pskHint?: string;
}
