// tls.connect(options, cb) over Espruino's `net`, shaped like Espruino's own tls/net sockets
// (events connect, data, end, close, error; write, end), so code written for `net` runs on it.
// Network bytes arrive as byte strings in small chunks; writes are paced by `drain` (FACTS §6).
import { Emitter } from "../util/emitter";
import { fromBinary, toBinary, toHex } from "../util/bytes";
import { SHA256 } from "../crypto/sha2";
import { EtError } from "../errors";
import type { AnchorSource, TrustAnchor } from "../x509/anchor";
import { anchorFromCert, memoryAnchors } from "../x509/anchor";
import { pemCerts } from "../x509/cert";
import { open as openCaStore } from "../castore/store";
import { random } from "../entropy/index";
import { TlsClient } from "./client";
import type { ConnectionInfo, SessionTicket } from "./client13";
import type { Session12 } from "./handshake-common";
import type { ChainCache } from "./chaincache";
import { anchorsVersion, cachingVerifier, defaultChainCache } from "./chaincache";
import type { SessionCache } from "./resume";
import { defaultSessions } from "./resume";
import { takeShare } from "./precompute";
import { RECORD_BUFFER } from "../board";

declare function require(name: string): any;

export interface ConnectOptions {
  host: string;
  port?: number;
  /** Name to verify and send as SNI when `host` is an address to connect to but not the name. */
  servername?: string;
  /** Trust anchors: an AnchorSource (the CA store), PEM text, or an array of PEM/DER certificates. */
  ca?: any;
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

/** Anchors from what an application may pass as `ca`. */
export function anchorsFrom(ca: any): AnchorSource {
  if (ca && typeof ca.findByIssuer === "function") return ca as AnchorSource;
  if (ca === undefined || ca === null) {
    // No `ca`: the CA store installed in Storage (castore.open(); checked, kept open). A store
    // that is present but refused throws its CASTORE_* error; none at all is NO_TRUST_ANCHORS.
    try {
      return openCaStore();
    } catch (e) {
      if ((e as EtError).code !== "CASTORE_NOT_FOUND") throw e;
      throw new EtError("NO_TRUST_ANCHORS", "no trust anchors: pass `ca` or install a CA store (" + (e as EtError).message + "); unverified TLS is never used");
    }
  }
  const items: any[] = typeof ca === "string" ? [ca] : ca || [];
  if (sameText(items, lastCa)) return lastAnchors as AnchorSource;
  const list: TrustAnchor[] = [];
  for (let i = 0; i < items.length; i++) {
    const certs = typeof items[i] === "string" ? pemCerts(items[i]) : [items[i] as Uint8Array];
    if (!certs.length) throw new EtError("CA_NOT_PEM", "ca entry " + i + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    for (let j = 0; j < certs.length; j++) list.push(anchorFromCert(certs[j]));
  }
  if (!list.length) throw new EtError("NO_TRUST_ANCHORS", "no trust anchors: pass `ca` or install a CA store; unverified TLS is never used");
  // A fingerprint of these anchors stands for a store version: sessions and cached chains
  // verified under other anchors are not used with these (chaincache.ts, resume.ts).
  const fp = SHA256.create();
  for (let i = 0; i < list.length; i++) {
    const c = list[i].cert;
    if (c) fp.update(c.der);
  }
  const src: any = memoryAnchors(list);
  src.version = "m" + toHex(fp.digest()).substr(0, 24);
  lastCa = items.slice();
  lastAnchors = src;
  return src as AnchorSource;
}

// The anchors made from the last `ca` given as text. Apps pass the same PEM on every request,
// and parsing it took ~40 ms per request on the interpreter. Only strings are matched: they
// cannot change in place, as a Uint8Array can.
let lastCa: any[] | null = null;
let lastAnchors: AnchorSource | null = null;

function sameText(a: any[], b: any[] | null): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== "string" || a[i] !== b[i]) return false;
  return true;
}

const CHUNK = 1024;

export class TlsSocket extends Emitter {
  info: ConnectionInfo | null;
  ticket: SessionTicket | null;
  private tls: TlsClient;
  private net: any;
  private out: string;
  private waiting: boolean;
  private ended: boolean;
  private closed: boolean;
  /** After shut(): the TCP end and the close event have been scheduled. */
  private finished: boolean;
  private timer: any;

  constructor(o: ConnectOptions, anchors: AnchorSource) {
    super();
    const self = this;
    this.info = null; this.ticket = null; this.net = null; this.out = ""; this.waiting = false;
    this.ended = false; this.closed = false; this.finished = false; this.timer = null;
    const name = o.servername || o.host;
    // Resumption: sessions are kept per server name and address, under the anchors' version.
    const key = name + "@" + o.host + ":" + (o.port || 443);
    const ver = anchorsVersion(anchors);
    const cache: SessionCache | null = o.session === false || !ver ? null : o.session || defaultSessions;
    const s12 = cache && o.tls12 !== false ? cache.get12(key, ver) : null;
    this.tls = new TlsClient({
      host: name, random: random, verifyChain: cachingVerifier(anchors, o.chainCache === false ? null : o.chainCache || defaultChainCache), alpn: o.alpn,
      recordSizeLimit: o.recordSizeLimit === undefined ? RECORD_BUFFER : o.recordSizeLimit, maxFragmentLength: o.maxFragmentLength,
      psk: cache ? cache.take13(key, ver) : null, pskKe: !!o.pskKe, takeShare: takeShare,
    }, { tls12: o.tls12 !== false, rsaKeyExchange: !!o.rsaKeyExchange, session12: s12, sessionLifetime: o.sessionLifetime || 86400 });
    const t = this.tls;
    t.onSend = function (b: Uint8Array) { self.queue(toBinary(b)); };
    t.onProgress = function (step: string) { self.emit("progress", step); };
    t.onConnected = function (info: ConnectionInfo) {
      clearTimeout(self.timer);
      self.info = info;
      self.emit("connect", info);
      self.emit("secureConnect", info);
    };
    // In pieces of at most 1 KB: a 16 KB record is never a 16 KB string too.
    t.onData = function (b: Uint8Array) {
      const n = b.length;
      for (let o = 0; o < n; o += 1024) self.emit("data", toBinary(b.subarray(o, o + 1024 < n ? o + 1024 : n)));
    };
    t.onEnd = function () { self.ended = true; self.emit("end"); self.shut(); };
    t.onError = function (e: EtError) {
      // A TLS 1.2 session that led to a failed handshake is not offered again.
      if (cache && s12 && !self.info) cache.drop12(key);
      self.emit("error", e);
      self.shut();
    };
    t.onTicket = function (tk: SessionTicket) {
      self.ticket = tk;
      if (cache) cache.put13(key, ver, tk);
      self.emit("ticket", tk);
    };
    t.onSession = function (s: Session12) {
      if (cache) cache.put12(key, ver, s);
      self.emit("session", s);
    };
    this.timer = setTimeout(function () {
      self.fail(new EtError("TLS_TIMEOUT", "no TLS connection to " + o.host + " within " + (o.timeout || 60000) + " ms"));
    }, o.timeout || 60000);
    this.open(o.host, o.port || 443);
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
      if (!self.ended && !self.closed && self.tls.isConnected()) self.emit("error", new EtError("TLS_TRUNCATED", "the connection closed without close_notify"));
      else if (!self.info && !self.closed) self.emit("error", new EtError("TLS_TRUNCATED", "the connection closed during the handshake"));
      // Nothing more can be sent: drop the queue so that shut() finishes at once.
      self.out = ""; self.waiting = false;
      self.shut();
      self.finish();
    });
  }

  private queue(s: string): void {
    this.out += s;
    this.flush();
  }

  private flush(): void {
    if (this.waiting || !this.out.length || !this.net) return;
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

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const self = this;
    // Queued records (data written just before end(), an alert, close_notify) must go out before
    // the TCP close: the queue is sent 1 KB per drain, so ending the socket at once lost all but
    // the first KB (end(data) with 5 KB delivered nothing the server could decrypt). finish()
    // ends it once the queue is empty; after 5 s (a peer that stopped reading) the rest is dropped.
    this.timer = setTimeout(function () { self.out = ""; self.waiting = false; self.finish(); }, 5000);
    this.finish();
  }

  /** After shut(), once nothing is left to send: ends the TCP connection and emits close, once. */
  private finish(): void {
    if (!this.closed || this.finished || (this.net && (this.waiting || this.out.length))) return;
    this.finished = true;
    clearTimeout(this.timer);
    const n = this.net;
    const self = this;
    setTimeout(function () { if (n) n.end(); self.emit("close"); }, 0);
  }

  /** Sends application data (string of bytes or Uint8Array). */
  write(data: string | Uint8Array): boolean {
    // After an error or close the data is dropped, as by Espruino's net sockets: the app already
    // got (or is about to get, events being asynchronous) "error"/"close". Throwing here instead
    // crashed apps that write from their "connect" callback when the server failed the
    // connection right after the handshake, before that callback ran.
    if (this.closed) return false;
    const b = typeof data === "string" ? fromBinary(data) : data;
    this.tls.write(b);
    return false;
  }

  /** Sends close_notify (after `data`, if given) and closes. */
  end(data?: string | Uint8Array): void {
    if (data !== undefined) this.write(data);
    this.tls.close();
    this.shut();
  }
}

/** tls.connect(options, cb): cb runs once the handshake has verified the server. */
export function connect(o: ConnectOptions, cb?: (info: ConnectionInfo) => void): TlsSocket {
  const s = new TlsSocket(o, anchorsFrom(o.ca));
  if (cb) s.on("connect", cb);
  return s;
}
