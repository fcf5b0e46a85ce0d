// The bytes-in/bytes-out engine shared by the TLS 1.3 and TLS 1.2 clients: records in,
// handshake messages to the current state, Jobs run in slices between messages, alerts out.
// A subclass supplies the states (one per expected message), dispatch and record handling.
//
// Call depth: on the interpreter a running method call `obj.m()` holds two locks on `obj` until it
// returns, and an object whose lock count reaches 15 stays locked for good (it and everything it
// references leak: ~1,100 JsVars per TLS 1.2 connection did, FACTS). So the engine's methods must
// not nest deeply on one engine: the pump loop is a static function, sending, progress and the
// listeners are called through functions that take the engine as an argument (arguments hold no
// lock while the callee runs), and listeners are called without the engine as `this`.
// test/soak/lockdepth.test.mjs bounds the nesting.
import type { Job } from "../util/job";
import { runSliced, SLICE_SECONDS } from "../util/job";
import { concat } from "../util/bytes";
import { EtError } from "../errors";
import { CT_ALERT, CT_APPLICATION_DATA } from "./constants";
import { alertFor, pskRefusal, refusalError, tlsFail, A_CLOSE_NOTIFY, A_UNEXPECTED_MESSAGE, A_USER_CANCELED, unexpectedMessage, decodeError } from "./alerts";
import type { RecordLayer } from "./record";
import type { HandshakeMessage, HandshakeReader } from "./messages";
import type { ConnectionInfo } from "./client-types";

declare function getTime(): number;

export type State = (m: HandshakeMessage) => Job<any> | null;

// Bounds on runs of records that carry nothing, so that a peer cannot keep us busy without
// progress (BoringSSL's and rustls's limits): empty records and ignored warning alerts in a row
// (reset by any record with content), KeyUpdates without application data between them.
export const MAX_EMPTY_RECORDS = 32;
export const MAX_WARNING_ALERTS = 4;
export const MAX_KEY_UPDATES = 32;

export abstract class Engine {
  onSend: (b: Uint8Array) => void;
  onConnected: (info: ConnectionInfo) => void;
  onData: (b: Uint8Array) => void;
  onEnd: () => void;
  onError: (e: EtError) => void;
  onProgress: (step: string) => void;

  /** Public only for sendRecords() below; nothing outside the engines touches it. */
  rec: RecordLayer;
  protected hs: HandshakeReader;
  protected state: State | null;
  protected busy: boolean;
  /** busy only until resume()'s timer: no Job is running. */
  private yielding: boolean;
  /** Set by transportClosed() while a record's Job runs after the handshake: called once the
   *  records behind it have been processed (or the engine has closed). */
  private afterDrain: (() => void) | null;
  protected closed: boolean;
  /** Warning-level alerts other than close_notify change nothing (TLS 1.2: no_renegotiation,
   *  unrecognized_name, ...; also before the ServerHello when TLS 1.2 is offered). */
  protected ignoreWarnings: boolean;
  /** Current runs: empty records, ignored warning alerts, KeyUpdates (see MAX_*). */
  protected emptyRun: number;
  protected warningRun: number;
  protected keyUpdateRun: number;
  /** TLS 1.3: we answered a KeyUpdate request and sent no application data since. */
  protected keyUpdateAnswered: boolean;
  /** How we answered a CertificateRequest: 0 not asked, 1 with no certificate, 2 with ours.
   *  An alert after an answer may be the server refusing the device (CLIENT_CERT_REJECTED). */
  protected certAnswer: number;
  /** An external PSK is on offer and the handshake is not done: an alert may be the server
   *  refusing it (PSK_REJECTED). */
  protected pskOffered: boolean;

  constructor(rec: RecordLayer, hs: HandshakeReader) {
    const nop = function () { /* no listener */ };
    this.onSend = nop; this.onConnected = nop; this.onData = nop; this.onEnd = nop; this.onError = nop;
    this.onProgress = nop;
    this.rec = rec; this.hs = hs;
    this.state = null; this.busy = false; this.yielding = false; this.afterDrain = null; this.closed = false; this.ignoreWarnings = false; this.certAnswer = 0; this.pskOffered = false;
    this.emptyRun = 0; this.warningRun = 0; this.keyUpdateRun = 0; this.keyUpdateAnswered = false;
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
    Engine.pump(this);
  }

  /** Application data to send (after "connected"). */
  write(data: Uint8Array): void {
    if (this.closed || this.state !== this.connected) throw new EtError("TLS_NOT_CONNECTED", "write before the handshake finished or after close");
    sendRecords(this, CT_APPLICATION_DATA, data);
    this.keyUpdateAnswered = false;
  }

  /** Sends close_notify; the connection takes no more writes. */
  close(): void {
    if (this.closed) return;
    sendAlert(this, 1, A_CLOSE_NOTIFY);
    this.closed = true;
  }

  isConnected(): boolean { return !this.closed && this.state === this.connected; }

  /** The transport closed. What arrived before the close is not lost: when the engine is only
   *  waiting for its next slice (resume()), everything buffered is processed now, in order
   *  (application data, then close_notify: a response and the server's close in one read used to
   *  end the connection with "end" and no data). When a Job is running (a server refusing our
   *  certificate while we sign our CertificateVerify), an alert waiting behind it is reported
   *  instead of being lost to a "closed during the handshake". After the handshake the running
   *  Job is a big record's decryption: then `later` is called once it and the records behind it
   *  have been processed, and the result is true (the caller waits for `later`). */
  transportClosed(later?: () => void): boolean {
    if (this.closed) return true;
    if (!this.busy || this.yielding) {
      this.busy = false;
      this.yielding = false;
      Engine.pump(this, true);
      if (this.closed || !this.busy) return false;
      // pump started a Job (a big record): what follows it is processed after it, below.
    }
    if (later && this.state === this.connected) { this.afterDrain = later; return true; }
    try {
      for (let r = this.rec.next(); r; r = this.rec.next()) {
        if (r.type === CT_ALERT) { this.onAlert(r.data); return false; }
      }
    } catch (ignored) { /* a broken record: the connection is gone anyway */ }
    return false;
  }

  /** The transport's close waited for the records behind a Job (transportClosed): report it. */
  private static drained(e: Engine): void {
    const f = e.afterDrain;
    if (f && (e.closed || !e.busy)) { e.afterDrain = null; f(); }
  }

  /** The connection is gone (cut, timed out): nothing more is processed or sent, and a sliced
   *  job still running ends without effect. */
  abort(): void { this.closed = true; }

  protected run(job: Job<any>): void {
    const self = this;
    this.busy = true;
    runSliced(job, function (err: any) {
      if (err) { self.busy = false; self.fail(err); Engine.drained(self); return; }
      // The job's last slice may have used its whole budget: the messages after it (decrypted,
      // parsed, hashed) wait for a slice of their own.
      self.resume();
    });
  }

  /** pump() again from a fresh timer callback; nothing else is processed meanwhile (busy).
   *  transportClosed() may do that pump first (yielding false): the timer then does nothing. */
  private resume(): void {
    const self = this;
    this.busy = true;
    this.yielding = true;
    setTimeout(function () {
      if (!self.yielding) return;
      self.yielding = false;
      self.busy = false;
      Engine.pump(self);
    }, 0);
  }

  /** Processes what has arrived until a Job has to run or more bytes are needed, yielding to
   *  the event loop once a slice's budget is spent (a flight of several records is decrypted
   *  and parsed across slices, none over 50 ms on the reference interpreter). Static (the
   *  engine an argument): it is the bottom of every call chain, and a method frame would hold
   *  two locks on the engine under all of them (see the top of this file). */
  protected static pump(e: Engine, whole?: boolean): void {
    const end = getTime() + SLICE_SECONDS;
    try {
      while (!e.busy && !e.closed) {
        if (!whole && getTime() >= end) { e.resume(); return; }
        const m = e.state ? e.hs.next() : null;
        if (m) {
          const job = e.dispatch(m);
          if (job) { e.run(job); return; }
          continue;
        }
        // A big protected record is decrypted by a job, in slices; next() then hands it over.
        const big = e.rec.openJob();
        if (big) { e.run(big); return; }
        const r = e.rec.next();
        if (!r) break;
        e.countRun(r.type, r.data.length);
        e.onRecord(r.type, r.data);
      }
    } catch (err) {
      e.fail(err);
    }
    Engine.drained(e);
  }

  /** Counts runs of empty records; a record with content ends both runs (an alert is counted
   *  in onAlert). */
  private countRun(type: number, length: number): void {
    if (length === 0) {
      if (++this.emptyRun > MAX_EMPTY_RECORDS) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_TOO_MANY_EMPTY_RECORDS", "too many empty records");
    } else if (type !== CT_ALERT) {
      this.emptyRun = 0;
      this.warningRun = 0;
    }
  }

  /** Application data and unknown record types, the same in both versions. */
  protected onOtherRecord(type: number, data: Uint8Array): void {
    if (type !== CT_APPLICATION_DATA) unexpectedMessage("record of unknown type " + type);
    if (this.state !== this.connected) unexpectedMessage("application data before the handshake finished");
    if (this.hs.pending()) unexpectedMessage("application data inside a handshake message");
    if (data.length) {
      this.keyUpdateRun = 0;
      notify(this.onData, data);
    }
  }

  /** A received alert. close_notify ends the connection cleanly. TLS 1.2 ignores other warnings
   *  (ignoreWarnings). TLS 1.3 treats every other alert as an error whatever its level (§6.2),
   *  except a user_canceled warning: it cancels nothing by itself and "SHOULD be followed by a
   *  close_notify" (§6.1), so it is ignored and the close_notify ends the connection (as
   *  BoringSSL, OpenSSL and NSS do). Ignored warnings count towards MAX_WARNING_ALERTS. */
  protected onAlert(data: Uint8Array): void {
    if (data.length !== 2) decodeError("alert of " + data.length + " bytes");
    if (data[1] === A_CLOSE_NOTIFY) {
      // Answer with our own close_notify before the socket closes (RFC 8446 §6.1: each party
      // sends one before closing its write side); without it OpenSSL logs "unexpected eof while reading".
      try { sendAlert(this, 1, A_CLOSE_NOTIFY); } catch (ignored) { /* the socket may be gone */ }
      this.closed = true;
      notify(this.onEnd, undefined);
      return;
    }
    if (data[0] === 1 && (this.ignoreWarnings || data[1] === A_USER_CANCELED)) {
      if (++this.warningRun > MAX_WARNING_ALERTS) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_TOO_MANY_WARNING_ALERTS", "too many warning alerts");
      return;
    }
    this.closed = true;
    const refused = this.certAnswer ? refusalError(data[1], this.certAnswer === 2) : this.pskOffered ? pskRefusal(data[1]) : null;
    notify(this.onError, refused || new EtError("TLS_ALERT_RECEIVED", "the server sent alert " + data[1], { alert: data[1], received: true }));
  }

  /** Sends the alert for `e` (unless the socket is gone), closes, reports. */
  protected fail(e: any): void {
    if (this.closed) return;
    const err: EtError = e instanceof EtError ? e : new EtError("TLS_INTERNAL", String(e && e.message ? e.message : e), { alert: 80 });
    try { sendAlert(this, 2, alertFor(err)); } catch (ignored) { /* the socket may be gone */ }
    this.closed = true;
    notify(this.onError, err);
  }

  protected expect(m: HandshakeMessage, type: number, what: string): void {
    if (m.type !== type) unexpectedMessage("expected " + what + ", got handshake message " + m.type);
  }
}

/** Calls a listener without the engine as `this` (see the top of this file). */
export function notify<T>(listener: (x: T) => void, x: T): void {
  listener(x);
}

/** Reports a handshake step to the engine's onProgress listener. */
export function progress(e: Engine, step: string): void {
  notify(e.onProgress, step);
}

/** Protects `data` as records of `type` with the current write keys and hands them to onSend. */
export function sendRecords(e: Engine, type: number, data: Uint8Array): void {
  const recs = e.rec.seal(type, data);
  notify(e.onSend, recs.length === 1 ? recs[0] : concat(recs));
}

export function sendAlert(e: Engine, level: number, desc: number): void {
  const a = new Uint8Array(2);
  a[0] = level; a[1] = desc;
  sendRecords(e, CT_ALERT, a);
}
