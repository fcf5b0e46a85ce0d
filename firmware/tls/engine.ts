// The bytes-in/bytes-out engine shared by the TLS 1.3 and TLS 1.2 clients: records in,
// handshake messages to the current state, Jobs run in slices between messages, alerts out.
// A subclass supplies the states (one per expected message), dispatch and record handling.
import type { Job } from "../util/job";
import { runSliced, SLICE_SECONDS } from "../util/job";
import { concat } from "../util/bytes";
import { EtError } from "../errors";
import { CT_ALERT, CT_APPLICATION_DATA } from "./constants";
import { alertFor, refusalError, tlsFail, A_CLOSE_NOTIFY, A_DECODE_ERROR, A_UNEXPECTED_MESSAGE } from "./alerts";
import type { RecordLayer } from "./record";
import type { HandshakeMessage, HandshakeReader } from "./messages";
import type { ConnectionInfo } from "./client13";

declare function getTime(): number;

export type State = (m: HandshakeMessage) => Job<any> | null;

export abstract class Engine {
  onSend: (b: Uint8Array) => void;
  onConnected: (info: ConnectionInfo) => void;
  onData: (b: Uint8Array) => void;
  onEnd: () => void;
  onError: (e: EtError) => void;
  onProgress: (step: string) => void;

  protected rec: RecordLayer;
  protected hs: HandshakeReader;
  protected state: State | null;
  protected busy: boolean;
  protected closed: boolean;
  /** Warning-level alerts other than close_notify change nothing (TLS 1.2: no_renegotiation,
   *  unrecognized_name, ...). */
  protected ignoreWarnings: boolean;
  /** How we answered a CertificateRequest: 0 not asked, 1 with no certificate, 2 with ours.
   *  An alert after an answer may be the server refusing the device (CLIENT_CERT_REJECTED). */
  protected certAnswer: number;

  constructor(rec: RecordLayer, hs: HandshakeReader) {
    const nop = function () { /* no listener */ };
    this.onSend = nop; this.onConnected = nop; this.onData = nop; this.onEnd = nop; this.onError = nop;
    this.onProgress = nop;
    this.rec = rec; this.hs = hs;
    this.state = null; this.busy = false; this.closed = false; this.ignoreWarnings = false; this.certAnswer = 0;
  }

  /** The state after the handshake (post-handshake messages). */
  protected abstract connected(m: HandshakeMessage): Job<any> | null;
  /** Hands a complete handshake message to the current state. */
  protected abstract dispatch(m: HandshakeMessage): Job<any> | null;
  /** A record that is not a complete handshake message's worth of work. */
  protected abstract onRecord(type: number, data: Uint8Array): void;

  /** Bytes from the network. */
  receive(data: Uint8Array): void {
    if (this.closed) return;
    try { this.rec.push(data); } catch (e) { this.fail(e); return; }
    this.pump();
  }

  /** Application data to send (after "connected"). */
  write(data: Uint8Array): void {
    if (this.closed || this.state !== this.connected) throw new EtError("TLS_NOT_CONNECTED", "write before the handshake finished or after close");
    this.sendRecords(CT_APPLICATION_DATA, data);
  }

  /** Sends close_notify; the connection takes no more writes. */
  close(): void {
    if (this.closed) return;
    this.sendAlert(1, A_CLOSE_NOTIFY);
    this.closed = true;
  }

  isConnected(): boolean { return !this.closed && this.state === this.connected; }

  /** The transport closed. An alert that arrived while a Job was running (a server refusing our
   *  certificate while we sign our CertificateVerify) is still waiting in the record layer:
   *  it is reported (true) instead of being lost to a "closed during the handshake". */
  transportClosed(): boolean {
    if (this.closed) return true;
    try {
      for (let r = this.rec.next(); r; r = this.rec.next()) {
        if (r.type === CT_ALERT) { this.onAlert(r.data); return this.closed; }
      }
    } catch (ignored) { /* a broken record: the connection is gone anyway */ }
    return false;
  }

  /** The connection is gone (cut, timed out): nothing more is processed or sent, and a sliced
   *  job still running ends without effect. */
  abort(): void { this.closed = true; }

  protected progress(step: string): void { this.onProgress(step); }

  protected run(job: Job<any>): void {
    const self = this;
    this.busy = true;
    runSliced(job, function (err: any) {
      if (err) { self.busy = false; self.fail(err); return; }
      // The job's last slice may have used its whole budget: the messages after it (decrypted,
      // parsed, hashed) wait for a slice of their own.
      self.resume();
    });
  }

  /** pump() again from a fresh timer callback; nothing else is processed meanwhile (busy). */
  private resume(): void {
    const self = this;
    this.busy = true;
    setTimeout(function () { self.busy = false; self.pump(); }, 0);
  }

  /** Processes what has arrived until a Job has to run or more bytes are needed, yielding to
   *  the event loop once a slice's budget is spent (a flight of several records is decrypted
   *  and parsed across slices, none over 50 ms on the reference interpreter). */
  protected pump(): void {
    const end = getTime() + SLICE_SECONDS;
    try {
      while (!this.busy && !this.closed) {
        if (getTime() >= end) { this.resume(); return; }
        const m = this.state ? this.hs.next() : null;
        if (m) {
          const job = this.dispatch(m);
          if (job) { this.run(job); return; }
          continue;
        }
        // A big protected record is decrypted by a job, in slices; next() then hands it over.
        const big = this.rec.openJob();
        if (big) { this.run(big); return; }
        const r = this.rec.next();
        if (!r) return;
        this.onRecord(r.type, r.data);
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /** Application data and unknown record types, the same in both versions. */
  protected onOtherRecord(type: number, data: Uint8Array): void {
    if (type !== CT_APPLICATION_DATA) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_MESSAGE", "record of unknown type " + type);
    if (this.state !== this.connected) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_MESSAGE", "application data before the handshake finished");
    if (this.hs.pending()) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_MESSAGE", "application data inside a handshake message");
    if (data.length) this.onData(data);
  }

  /** A received alert. close_notify ends the connection cleanly; TLS 1.2 ignores other warnings
   *  (ignoreWarnings), TLS 1.3 treats every other alert as an error whatever its level (§6.2). */
  protected onAlert(data: Uint8Array): void {
    if (data.length !== 2) tlsFail(A_DECODE_ERROR, "TLS_DECODE", "alert of " + data.length + " bytes");
    if (data[1] === A_CLOSE_NOTIFY) {
      // Answer with our own close_notify before the socket closes (RFC 8446 §6.1: each party
      // sends one before closing its write side); without it OpenSSL logs "unexpected eof while reading".
      try { this.sendAlert(1, A_CLOSE_NOTIFY); } catch (ignored) { /* the socket may be gone */ }
      this.closed = true;
      this.onEnd();
      return;
    }
    if (data[0] === 1 && this.ignoreWarnings) return;
    this.closed = true;
    const refused = this.certAnswer ? refusalError(data[1], this.certAnswer === 2) : null;
    this.onError(refused || new EtError("TLS_ALERT_RECEIVED", "the server sent alert " + data[1], { alert: data[1], received: true }));
  }

  /** Sends the alert for `e` (unless the socket is gone), closes, reports. */
  protected fail(e: any): void {
    if (this.closed) return;
    const err: EtError = e instanceof EtError ? e : new EtError("TLS_INTERNAL", String(e && e.message ? e.message : e), { alert: 80 });
    try { this.sendAlert(2, alertFor(err)); } catch (ignored) { /* the socket may be gone */ }
    this.closed = true;
    this.onError(err);
  }

  protected sendAlert(level: number, desc: number): void {
    const a = new Uint8Array(2);
    a[0] = level; a[1] = desc;
    this.sendRecords(CT_ALERT, a);
  }

  protected sendRecords(type: number, data: Uint8Array): void {
    const recs = this.rec.seal(type, data);
    this.onSend(recs.length === 1 ? recs[0] : concat(recs));
  }

  protected expect(m: HandshakeMessage, type: number, what: string): void {
    if (m.type !== type) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_MESSAGE", "expected " + what + ", got handshake message " + m.type);
  }
}
