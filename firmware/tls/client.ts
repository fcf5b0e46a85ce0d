// The TLS client the socket uses: version negotiation over one ClientHello. The TLS 1.3 client
// (client13.ts) sends a hello offering TLS 1.3 and, when allowed, TLS 1.2 (supported_versions
// 0x0304, 0x0303, the 1.2 suites and extensions); if the server picks 1.2 (without the downgrade
// sentinel, which the 1.3 client refuses), the TLS 1.2 client (client12.ts) takes over the same
// records and transcript. Both are bytes-in/bytes-out cores; this object forwards to the one in
// charge and carries the callbacks.
import type { EtError } from "../errors";
import { Client13 } from "./client13";
import type { ClientOptions, ConnectionInfo, SessionTicket } from "./client-types";
import { Client12 } from "./client12";
import type { Handover, Session12 } from "./handshake-common";
import { helloExtensions12 } from "./handshake-common";
import { suites12 } from "./suites12";
import { SUITES13 } from "./suites";
import type { Engine } from "./engine";

export interface VersionOptions {
  /** Offer TLS 1.2 too (ECDHE suites; default true). */
  tls12: boolean;
  /** Also offer TLS_RSA_WITH_AES_128_GCM_SHA256 in TLS 1.2: RSA key transport, no forward secrecy. */
  rsaKeyExchange: boolean;
  /** A TLS 1.2 session to resume (session id and/or ticket), or null. */
  session12: Session12 | null;
  /** Longest a TLS 1.2 session is kept (seconds). */
  sessionLifetime: number;
}

export class TlsClient {
  onSend: (b: Uint8Array) => void;
  onConnected: (info: ConnectionInfo) => void;
  onData: (b: Uint8Array) => void;
  onEnd: () => void;
  onError: (e: EtError) => void;
  onProgress: (step: string) => void;
  onTicket: (t: SessionTicket) => void;
  onSession: (s: Session12) => void;
  private c13: Client13;
  private c12: Client12 | null;
  private offered12: boolean;

  constructor(o: ClientOptions, v: VersionOptions) {
    const self = this;
    const nop = function () { /* no listener */ };
    this.onSend = nop; this.onConnected = nop; this.onData = nop; this.onEnd = nop; this.onError = nop;
    this.onProgress = nop; this.onTicket = nop; this.onSession = nop;
    this.c12 = null;
    // The listeners of this object, looked up when called (the app sets them after construction).
    const forward = function (c: Engine): void {
      c.onSend = function (b: Uint8Array) { self.onSend(b); };
      c.onConnected = function (info: ConnectionInfo) { self.onConnected(info); };
      c.onData = function (b: Uint8Array) { self.onData(b); };
      c.onEnd = function () { self.onEnd(); };
      c.onError = function (e: EtError) { self.onError(e); };
      c.onProgress = function (step: string) { self.onProgress(step); };
    };
    // A session is offered only to the name it was verified for (the cache is keyed by name as
    // well; client13 checks a ticket's host the same way): resuming skips the certificate.
    const s12 = v.tls12 && v.session12 && v.session12.host === o.host ? v.session12 : null;
    this.offered12 = !!s12;
    const ext = o.extPsk || null;
    // PSK without `ca`: only the suites that can use the PSK (TLS 1.3: those of its hash).
    let suites = o.suites;
    if (ext && o.pskOnly && !suites) {
      suites = [];
      for (let i = 0; i < SUITES13.length; i++) if (SUITES13[i].hash === ext.hash) suites.push(SUITES13[i].id);
    }
    const opts: ClientOptions = {
      host: o.host, random: o.random, verifyChain: o.verifyChain, alpn: o.alpn, identity: o.identity, groups: o.groups, suites: suites,
      recordSizeLimit: o.recordSizeLimit, maxFragmentLength: o.maxFragmentLength, maxHandshakeMessage: o.maxHandshakeMessage,
      psk: o.psk, pskKe: o.pskKe, takeShare: o.takeShare, extPsk: ext, pskOnly: !!o.pskOnly,
      // No key share is computed when none should be needed: resuming a TLS 1.2 session (and no
      // TLS 1.3 ticket: the server spoke 1.2 last time), or resuming with psk_ke. A TLS 1.3 server
      // that wants one after all asks for it with HelloRetryRequest. With an external PSK the
      // share waits for that request too (unless one was precomputed): a TLS 1.2 PSK server needs
      // none, and a TLS 1.3 one costs a round trip instead of an X25519 key pair made for nothing.
      deferShare: (!!s12 && !o.psk && !ext) || (!!o.pskKe && !!o.psk) || !!ext,
      sessionId: s12 && s12.id.length ? s12.id : null,
      tls12: v.tls12 ? {
        extra: helloExtensions12(s12 ? s12.ticket : null),
        suites: suites12(v.rsaKeyExchange, !!ext, !!o.pskOnly),
        handover: function (h: Handover) {
          const c = new Client12(opts, { session: s12, sessionLifetime: v.sessionLifetime }, h);
          forward(c);
          c.onSession = function (s: Session12) { self.onSession(s); };
          self.c12 = c;
          self.onProgress("tls12");
          c.begin();
        },
      } : null,
    };
    const c = new Client13(opts);
    forward(c);
    c.onTicket = function (t: SessionTicket) { self.onTicket(t); };
    this.c13 = c;
  }

  start(): void {
    if (this.offered12) this.onProgress("resume_offered_12");
    this.c13.start();
  }

  receive(data: Uint8Array): void {
    if (this.c12) this.c12.receive(data); else this.c13.receive(data);
  }

  write(data: Uint8Array): void {
    if (this.c12) this.c12.write(data); else this.c13.write(data);
  }

  close(): void {
    if (this.c12) this.c12.close(); else this.c13.close();
  }

  /** See Engine.transportClosed. */
  transportClosed(later?: () => void): boolean {
    return this.c12 ? this.c12.transportClosed(later) : this.c13.transportClosed(later);
  }

  abort(): void {
    if (this.c12) this.c12.abort(); else this.c13.abort();
  }

  isConnected(): boolean {
    return this.c12 ? this.c12.isConnected() : this.c13.isConnected();
  }
}
