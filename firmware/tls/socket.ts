// tls.connect(options, cb) over Espruino's `net`, shaped like Espruino's own tls/net sockets
// (events connect, data, end, close, error; write, end), so code written for `net` runs on it.
// Network bytes arrive as byte strings in small chunks; writes are paced by `drain` (FACTS §6).
import { Emitter } from "../util/emitter";
import { fromBinary, toBinary } from "../util/bytes";
import { EtError } from "../errors";
import type { AnchorSource, TrustAnchor } from "../x509/anchor";
import { anchorFromCert, memoryAnchors } from "../x509/anchor";
import { pemCerts } from "../x509/cert";
import { random } from "../entropy/index";
import { Client13 } from "./client13";
import type { ConnectionInfo, SessionTicket } from "./client13";
import { chainVerifier } from "./verify";
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
}

/** Anchors from what an application may pass as `ca`. */
export function anchorsFrom(ca: any): AnchorSource {
  if (ca && typeof ca.findByIssuer === "function") return ca as AnchorSource;
  const items: any[] = typeof ca === "string" ? [ca] : ca || [];
  const list: TrustAnchor[] = [];
  for (let i = 0; i < items.length; i++) {
    const certs = typeof items[i] === "string" ? pemCerts(items[i]) : [items[i] as Uint8Array];
    if (!certs.length) throw new EtError("CA_NOT_PEM", "ca entry " + i + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    for (let j = 0; j < certs.length; j++) list.push(anchorFromCert(certs[j]));
  }
  if (!list.length) throw new EtError("NO_TRUST_ANCHORS", "no trust anchors: pass `ca` or install a CA store; unverified TLS is never used");
  return memoryAnchors(list);
}

const CHUNK = 1024;

export class TlsSocket extends Emitter {
  info: ConnectionInfo | null;
  ticket: SessionTicket | null;
  private tls: Client13;
  private net: any;
  private out: string;
  private waiting: boolean;
  private ended: boolean;
  private closed: boolean;
  private timer: any;

  constructor(o: ConnectOptions, anchors: AnchorSource) {
    super();
    const self = this;
    this.info = null; this.ticket = null; this.net = null; this.out = ""; this.waiting = false;
    this.ended = false; this.closed = false; this.timer = null;
    const name = o.servername || o.host;
    this.tls = new Client13({
      host: name, random: random, verifyChain: chainVerifier(anchors), alpn: o.alpn,
      recordSizeLimit: o.recordSizeLimit === undefined ? RECORD_BUFFER : o.recordSizeLimit, maxFragmentLength: o.maxFragmentLength,
    });
    const t = this.tls;
    t.onSend = function (b: Uint8Array) { self.queue(toBinary(b)); };
    t.onProgress = function (step: string) { self.emit("progress", step); };
    t.onConnected = function (info: ConnectionInfo) {
      clearTimeout(self.timer);
      self.info = info;
      self.emit("connect", info);
      self.emit("secureConnect", info);
    };
    t.onData = function (b: Uint8Array) { self.emit("data", toBinary(b)); };
    t.onEnd = function () { self.ended = true; self.emit("end"); self.shut(); };
    t.onError = function (e: EtError) { self.emit("error", e); self.shut(); };
    t.onTicket = function (tk: SessionTicket) { self.ticket = tk; self.emit("ticket", tk); };
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
    s.on("drain", function () { self.waiting = false; self.flush(); });
    s.on("error", function (e: any) { self.fail(new EtError("NET_ERROR", "network error: " + (e && e.message ? e.message : e))); });
    s.on("close", function () {
      if (!self.ended && !self.closed && self.tls.isConnected()) self.emit("error", new EtError("TLS_TRUNCATED", "the connection closed without close_notify"));
      else if (!self.info && !self.closed) self.emit("error", new EtError("TLS_TRUNCATED", "the connection closed during the handshake"));
      self.shut();
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
    const n = this.net;
    const self = this;
    // Let queued records (an alert, close_notify) go out before the TCP close.
    setTimeout(function () { if (n) n.end(); self.emit("close"); }, 0);
  }

  /** Sends application data (string of bytes or Uint8Array). */
  write(data: string | Uint8Array): boolean {
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
