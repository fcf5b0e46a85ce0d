// tls.connect(options, cb) over Espruino's `net`, shaped like Espruino's own tls/net sockets
// (events connect, data, end, close, error; write, end), so code written for `net` runs on it.
// Network bytes arrive as byte strings in small chunks; writes are paced by `drain` (FACTS §6).
import { Emitter } from "../util/emitter";
import { concat, fromBinary, toBinary } from "../util/bytes";
import { EtError } from "../errors";
import { random } from "../entropy/index";
import { resolveOptions } from "./options";
import type { TlsSetup } from "./options";
import { TlsClient } from "./client";
import type { ConnectionInfo, SessionTicket } from "./client-types";
import type { Session12 } from "./handshake-common";
import type { ChainCache } from "./chaincache";
import { anchorsVersion, cachingVerifier, defaultChainCache } from "./chaincache";
import type { SessionCache } from "./resume";
import { defaultSessions } from "./resume";
import { takeShare } from "./precompute";
import { RECORD_BUFFER } from "../board";
import type { PskOption } from "./psk";
import { runSliced } from "../util/job";
import { handshakeDone, holdLayers, releaseLayers } from "../layers";

declare function require(name: string): any;

export { anchorsFrom } from "./options";

export interface ConnectOptions {
  host: string;
  port?: number;
  /** Name to verify and send as SNI when `host` is an address to connect to but not the name. */
  servername?: string;
  /** Trust anchors: an AnchorSource (the CA store), or certificates in any form of tls/options.ts
   *  (PEM text, DER string or bytes, ArrayBuffer, an array, a Storage file name, a function). */
  ca?: any;
  /** The device's private key (PEM PKCS#8/SEC1/PKCS#1 or DER, same forms) and certificate chain
   *  (leaf first), sent when the server asks for a client certificate. */
  key?: any;
  cert?: any;
  /** A pre-shared key { identity, key, hash } (tls/psk.ts): TLS 1.3 external PSK and the TLS 1.2
   *  PSK suites. Without `ca` only a PSK handshake is possible; with it, PSK first. */
  psk?: PskOption;
  /** ALPN protocols to offer (Node's name); `alpn` is the older name of the same option. */
  ALPNProtocols?: string[];
  alpn?: string[];
  /** Milliseconds for TCP connect plus handshake (default 60000: handshakes take seconds here). */
  timeout?: number;
  recordSizeLimit?: number;
  maxFragmentLength?: number;
  /** Offer TLS 1.2 as well as 1.3 (default true; ECDHE suites, extended master secret required). */
  tls12?: boolean;
  /** Also offer TLS 1.2 RSA key exchange (TLS_RSA_WITH_AES_128_GCM_SHA256) for a server you
   *  control that has nothing better. It has NO forward secrecy: anyone who later obtains the
   *  server's private key can decrypt recorded traffic. Default false. */
  rsaKeyExchange?: boolean;
  /** Where session tickets and TLS 1.2 sessions are kept for resumption: a SessionCache, or false
   *  for none (every connection does a full handshake). Default: the shared cache. */
  session?: SessionCache | false;
  /** Allow TLS 1.3 resumption without a fresh key exchange (psk_ke; default false). */
  pskKe?: boolean;
  /** Longest a TLS 1.2 session is offered again, seconds (default 86400). */
  sessionLifetime?: number;
  /** Verified-chain cache: a ChainCache, or false for none. Default: the shared one (RAM). */
  chainCache?: ChainCache | false;
}

const CHUNK = 1024;

export class TlsSocket extends Emitter {
  info: ConnectionInfo | null;
  ticket: SessionTicket | null;
  /** The protocol the server chose by ALPN, false when none (as Node's). */
  alpnProtocol: string | false;
  /** True when the connection closed after the handshake without close_notify. */
  truncated: boolean;
  /** Writes (and an end()) made before the handshake finished: sent once it has. */
  private pending: Uint8Array[];
  private endPending: boolean;
  /** The server asked for a client certificate, and no application data has come yet. */
  private certAsked: boolean;
  /** The TCP connection is gone: nothing more can be written (the interpreter throws). */
  private netClosed: boolean;
  private tls: TlsClient;
  private net: any;
  private out: string;
  private waiting: boolean;
  private ended: boolean;
  private closed: boolean;
  /** After shut(): the TCP end and the close event have been scheduled. */
  private finished: boolean;
  /** The layers of the handshake are held (holdLayers until endHandshake). */
  private handshaking: boolean;
  private timer: any;

  constructor(o: ConnectOptions, setup: TlsSetup) {
    super();
    const self = this;
    const anchors = setup.anchors, id = setup.identity;
    this.info = null; this.ticket = null; this.net = null; this.out = ""; this.waiting = false;
    this.alpnProtocol = false; this.truncated = false; this.pending = []; this.endPending = false; this.certAsked = false; this.netClosed = false;
    this.ended = false; this.closed = false; this.finished = false; this.timer = null;
    const name = o.servername || o.host;
    // Resumption: sessions are kept per server name and address, under the anchors' version,
    // and per client identity (a session made with one device certificate is not offered with another).
    const key = name + "@" + o.host + ":" + (o.port || 443) + (id ? "#" + id.id : "");
    const ver = anchorsVersion(anchors);
    // PSK connections are not resumed: the PSK itself is offered again (with psk_ke as cheap).
    const cache: SessionCache | null = o.session === false || !ver || setup.psk ? null : o.session || defaultSessions;
    const s12 = cache && o.tls12 !== false ? cache.get12(key, ver) : null;
    this.tls = new TlsClient({
      host: name, random: random, verifyChain: cachingVerifier(anchors, o.chainCache === false ? null : o.chainCache || defaultChainCache), alpn: setup.alpn, identity: id,
      recordSizeLimit: o.recordSizeLimit === undefined ? RECORD_BUFFER : o.recordSizeLimit, maxFragmentLength: o.maxFragmentLength,
      psk: cache ? cache.take13(key, ver) : null, pskKe: !!o.pskKe, takeShare: takeShare, extPsk: setup.psk, pskOnly: setup.pskOnly,
    }, { tls12: o.tls12 !== false, rsaKeyExchange: !!o.rsaKeyExchange, session12: s12, sessionLifetime: o.sessionLifetime || 86400 });
    // The lazy layers stay loaded while the handshake runs; after it only those the connection
    // runs (records, HTTP), until it closes (shut); then they are dropped once idle.
    holdLayers();
    this.handshaking = true;
    const t = this.tls;
    t.onSend = function (b: Uint8Array) { self.queue(toBinary(b)); };
    t.onProgress = function (step: string) {
      if (step === "certificate_request") self.certAsked = true;
      self.emit("progress", step);
    };
    // Once the socket has given its error and close (a cut or a timeout while a sliced job such as
    // a signature check was still running), the engine's late results are dropped: "connect"
    // or data after "close" reached apps (found by cutting connections, test/soak/cuts.test.mjs).
    t.onConnected = function (info: ConnectionInfo) {
      if (self.closed) return;
      self.stopTimer();
      self.endHandshake();
      self.info = info;
      self.alpnProtocol = info.alpn || false;
      self.emit("connect", info);
      self.emit("secureConnect", info);
      // Events are asynchronous: the queued writes go out before the connect listeners run.
      self.sendPending();
    };
    // In pieces of at most 1 KB: a 16 KB record is never a 16 KB string too.
    t.onData = function (b: Uint8Array) {
      if (self.closed) return;
      self.certAsked = false;
      const n = b.length;
      for (let o = 0; o < n; o += 1024) self.emit("data", toBinary(b.subarray(o, o + 1024 < n ? o + 1024 : n)));
    };
    t.onEnd = function () { if (self.closed) return; self.ended = true; self.emit("end"); self.shut(); };
    t.onError = function (e: EtError) {
      if (self.closed) return;
      // A TLS 1.2 session that led to a failed handshake is not offered again.
      if (cache && s12 && !self.info) cache.drop12(key);
      // Once the socket has closed (TCP gone, local end) a late engine error adds nothing.
      if (self.closed) return;
      self.emit("error", e);
      self.shut();
    };
    t.onTicket = function (tk: SessionTicket) {
      if (self.closed) return;
      self.ticket = tk;
      if (cache) cache.put13(key, ver, tk);
      self.emit("ticket", tk);
    };
    t.onSession = function (s: Session12) {
      if (self.closed) return;
      if (cache) cache.put12(key, ver, s);
      self.emit("session", s);
    };
    this.timer = setTimeout(function () {
      self.timer = null;
      self.fail(new EtError("TLS_TIMEOUT", "no TLS connection to " + o.host + " within " + (o.timeout || 60000) + " ms"));
    }, o.timeout || 60000);
    const host = o.host, port = o.port || 443;
    if (!setup.ready) { this.open(host, port); return; }
    // A device key file without its public key: that key is computed and checked against the
    // certificate in slices first; nothing is opened or sent before (KEY_CERT_MISMATCH is then
    // this socket's "error" instead of a throw from tls.connect).
    runSliced(setup.ready, function (err: any) {
      if (self.closed) return;
      if (err) self.fail(err); else self.open(host, port);
    });
  }

  private open(host: string, port: number): void {
    const self = this;
    let s: any;
    try {
      s = require("net").connect({ host: host, port: port }, function () { self.tls.start(); });
    } catch (e) {
      // The Linux interpreter throws synchronously on a refused connection.
      setTimeout(function () { self.fail(new EtError("CONNECT_FAILED", "cannot connect to " + host + ":" + port + ": " + ((e as any).message || e))); }, 0);
      return;
    }
    this.net = s;
    s.on("data", function (d: string) { self.tls.receive(fromBinary(d)); });
    s.on("drain", function () { self.waiting = false; self.flush(); if (self.closed) self.finish(); });
    s.on("error", function (e: any) { self.fail(new EtError("NET_ERROR", "network error: " + (e && e.message ? e.message : e))); });
    s.on("close", function () {
      self.netClosed = true;
      // What arrived before the close is processed first: records behind a big record still
      // being decrypted (the engine calls back when done), an alert behind a running Job.
      if (!self.closed && self.tls.transportClosed(function () { self.netGone(); })) return;
      self.netGone();
    });
  }

  /** The TCP connection has closed and what it delivered has been processed. */
  private netGone(): void {
    if (!this.ended && !this.closed && this.tls.isConnected()) {
      this.truncated = true;
      // TLS 1.3 servers refuse a client certificate after the handshake looked finished; when
      // the app wrote at once, the server's TCP reset can destroy its alert before it is read.
      const hint = this.certAsked ? " (right after client authentication: the server may have refused the client certificate and its alert was lost)" : "";
      this.emit("error", new EtError("TLS_TRUNCATED", "the connection closed without close_notify" + hint));
    }
    else if (!this.info && !this.closed) this.emit("error", new EtError("TLS_TRUNCATED", "the connection closed during the handshake"));
    // Nothing more can be sent: drop the queue so that shut() finishes at once.
    this.out = ""; this.waiting = false;
    this.shut();
    this.finish();
  }

  private queue(s: string): void {
    if (this.netClosed) return;
    this.out += s;
    this.flush();
  }

  private flush(): void {
    if (this.waiting || !this.out.length || !this.net || this.netClosed) return;
    const piece = this.out.substr(0, CHUNK);
    this.out = this.out.substr(CHUNK);
    this.waiting = true;
    this.net.write(piece);
  }

  private fail(e: EtError): void {
    if (this.closed) return;
    this.emit("error", e);
    this.shut();
  }

  /** The handshake's layers may go (once: connected, or closed during the handshake). */
  private endHandshake(): void {
    if (!this.handshaking) return;
    this.handshaking = false;
    handshakeDone();
  }

  /** The connection is going away (close_notify, TCP closed, an error, end()): "end" once,
   *  then "close" once the queue is out (finish). */
  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    this.endHandshake();
    releaseLayers();
    this.pending = [];
    if (!this.ended) { this.ended = true; this.emit("end"); }
    // Whatever the engine has queued (close_notify, an alert) still goes out; it does no more.
    this.tls.abort();
    this.stopTimer();
    const self = this;
    // Queued records (data written just before end(), an alert, close_notify) must go out before
    // the TCP close: the queue is sent 1 KB per drain, so ending the socket at once lost all but
    // the first KB (end(data) with 5 KB delivered nothing the server could decrypt). finish()
    // ends it once the queue is empty; after 5 s (a peer that stopped reading) the rest is dropped.
    this.timer = setTimeout(function () { self.timer = null; self.out = ""; self.waiting = false; self.finish(); }, 5000);
    this.finish();
  }

  /** Cancels the pending timer, if any. The interpreter reuses the id of a timer that has fired
   *  or was cleared (the last live id + 1), so a handle is cleared once and then dropped: a
   *  second clearTimeout at shut() cancelled the timer that was to emit TLS_TRUNCATED or the
   *  response's data (test/soak/timer-ids.test.mjs). */
  private stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** After shut(), once nothing is left to send: ends the TCP connection and emits close, once. */
  private finish(): void {
    if (!this.closed || this.finished || (this.net && (this.waiting || this.out.length))) return;
    this.finished = true;
    this.stopTimer();
    const n = this.net;
    const self = this;
    setTimeout(function () { if (n) n.end(); self.emit("close"); }, 0);
  }

  /** Sends application data (string of bytes or Uint8Array); before the handshake has
   *  finished it is queued and sent after it, as Espruino's net sockets do before connecting. */
  write(data: string | Uint8Array): boolean {
    // After an error or close the data is dropped, as by Espruino's net sockets: the app already
    // got (or is about to get, events being asynchronous) "error"/"close". Throwing here instead
    // crashed apps that write from their "connect" callback when the server failed the
    // connection right after the handshake, before that callback ran.
    if (this.closed) return false;
    const b = typeof data === "string" ? fromBinary(data) : concat([data]);
    if (!this.info) this.pending.push(b); else this.tls.write(b);
    return false;
  }

  private sendPending(): void {
    const p = this.pending;
    this.pending = [];
    for (let i = 0; i < p.length; i++) this.tls.write(p[i]);
    if (this.endPending) this.end();
  }

  /** Sends close_notify (after `data`, if given) and closes. Before the handshake has finished:
   *  after the queued writes once it has, or at once when nothing was written. */
  end(data?: string | Uint8Array): void {
    if (data !== undefined) this.write(data);
    if (!this.info && this.pending.length && !this.closed) { this.endPending = true; return; }
    this.endPending = false;
    this.tls.close();
    this.shut();
  }
}

/** tls.connect(options, cb): cb runs once the handshake has verified the server. */
export function connect(o: ConnectOptions, cb?: (info: ConnectionInfo) => void): TlsSocket {
  // ca, key, cert resolved here, before any byte goes out: option errors throw (KEY_CERT_MISMATCH...),
  // except the check of a key file without its public key, which ends before the connection opens.
  const s = new TlsSocket(o, resolveOptions(o));
  if (cb) s.on("connect", cb);
  return s;
}
