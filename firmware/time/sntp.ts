// SNTP client (RFC 4330) over Espruino's `dgram` (FACTS §6): datagrams are sent and received as
// byte strings only (send(Uint8Array) aborts the interpreter).
//
// Request: 48 bytes, LI=0 VN=4 Mode=3 (client); the Transmit Timestamp carries our clock's
// seconds and a random fraction, so a reply must echo 8 bytes an off-path sender cannot guess.
// Reply checks (a reply failing one is discarded and the attempt keeps waiting, so a forged
// datagram cannot cut a good exchange short; the reason is reported if nothing better comes):
//   at least 48 bytes; from the server's port (and address, when the host is an IPv4 literal);
//   Mode 4 (server); VN 3 or 4; Originate Timestamp equal to the Transmit Timestamp we sent;
//   stratum 0 is a Kiss-o'-Death: the server is not asked again in this sync (DENY and RSTR: not
//   until reboot; RATE: not for RATE_BACKOFF seconds); LI 3 (clock unsynchronized) and stratum
//   above 15 are refused; Transmit Timestamp non-zero; Receive Timestamp not after Transmit,
//   round-trip delay not negative.
// Offset (RFC 4330 §5): ((T2 - T1) + (T3 - T4)) / 2, where T1/T4 are getTime() at send/receipt
// and T2/T3 the server's receive/transmit timestamps; the result is that offset relative to
// getTime(), so a caller gets the time at any later moment as getTime() + offset.
// NTP era: a timestamp whose top bit is clear is in era 1 (2036-2104), as RFC 4330 §3 says.
import { EtError } from "../errors";
import { random } from "../entropy/index";

declare function require(name: string): any;
declare function getTime(): number;

export interface NtpServer {
  host: string;
  /** UDP port (default 123). */
  port?: number;
}

export interface SntpOptions {
  /** Milliseconds to wait for a reply to one request (default 2000). */
  timeout?: number;
  /** Requests re-sent after a timeout or a bad reply (default 2: at most 3 requests). */
  retries?: number;
}

export interface SntpSample {
  /** Server time minus getTime(), seconds. */
  offset: number;
  /** Round-trip delay, seconds. */
  delay: number;
  stratum: number;
  /** Requests sent for this sample. */
  attempts: number;
}

const NTP_UNIX = 2208988800; // seconds from 1900-01-01 to 1970-01-01
const TWO32 = 4294967296;
const MAX_RETRIES = 10;
/** Seconds a server that answered RATE is left alone. */
export const RATE_BACKOFF = 300;

/** Servers that sent a Kiss-o'-Death: key "host:port" -> getTime() until which to skip (-1: for good). */
const kissed: { [key: string]: number } = {};

/** Why `server` may not be asked now (a Kiss-o'-Death it sent), or "". */
export function kissedCode(server: NtpServer): string {
  const k = kissed[server.host + ":" + (server.port || 123)];
  if (k === undefined) return "";
  if (k < 0) return "denied";
  if (getTime() < k) return "rate";
  return "";
}

function u32(s: string, o: number): number {
  return s.charCodeAt(o) * 16777216 + s.charCodeAt(o + 1) * 65536 + s.charCodeAt(o + 2) * 256 + s.charCodeAt(o + 3);
}

/** An NTP timestamp at offset o of s as Unix seconds (0 when the timestamp is zero). */
export function ntpTime(s: string, o: number): number {
  const sec = u32(s, o), frac = u32(s, o + 4);
  if (sec === 0 && frac === 0) return 0;
  return sec - NTP_UNIX + (sec < 2147483648 ? TWO32 : 0) + frac / TWO32;
}

function be32(v: number): string {
  return String.fromCharCode((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}

/** The 48-byte client request whose Transmit Timestamp is `now` (Unix seconds) with a random fraction. */
export function sntpRequest(now: number): string {
  let sec = Math.floor(now) + NTP_UNIX;
  sec = sec - Math.floor(sec / TWO32) * TWO32;
  let frac = "";
  try {
    const r = random(4);
    frac = String.fromCharCode(r[0], r[1], r[2], r[3]);
  } catch (e) {
    // No health-tested randomness: the fraction still changes with every request.
    const f = Math.floor((now - Math.floor(now)) * TWO32) ^ Math.floor(Math.random() * 65536);
    frac = be32(f >>> 0);
  }
  let z = "";
  for (let i = 0; i < 39; i++) z += "\x00";
  return "\x23" + z + be32(sec) + frac;
}

/** Checks a reply to `req`; returns "" when usable, else an error code (detail in `why`). */
export function checkReply(msg: string, req: string, why: string[]): string {
  if (msg.length < 48) { why.push("reply of " + msg.length + " bytes, under 48"); return "NTP_SHORT_REPLY"; }
  const b0 = msg.charCodeAt(0), li = b0 >> 6, vn = (b0 >> 3) & 7, mode = b0 & 7, stratum = msg.charCodeAt(1);
  if (mode !== 4) { why.push("mode " + mode + ", not 4 (server)"); return "NTP_BAD_MODE"; }
  if (vn !== 3 && vn !== 4) { why.push("version " + vn); return "NTP_BAD_VERSION"; }
  if (msg.substr(24, 8) !== req.substr(40, 8)) { why.push("originate timestamp is not the transmit timestamp we sent"); return "NTP_BAD_ORIGINATE"; }
  if (stratum === 0) { why.push(msg.substr(12, 4)); return "NTP_KOD"; }
  if (li === 3) { why.push("leap indicator 3: the server's clock is not synchronized"); return "NTP_UNSYNCHRONIZED"; }
  if (stratum > 15) { why.push("stratum " + stratum); return "NTP_BAD_STRATUM"; }
  const t2 = ntpTime(msg, 32), t3 = ntpTime(msg, 40);
  if (t3 === 0) { why.push("transmit timestamp is zero"); return "NTP_ZERO_TRANSMIT"; }
  if (t2 === 0 || t3 < t2) { why.push("receive timestamp " + t2 + " is zero or after transmit " + t3); return "NTP_BAD_TIMESTAMPS"; }
  return "";
}

function isIPv4(h: string): boolean {
  const p = h.split(".");
  if (p.length !== 4) return false;
  for (let i = 0; i < 4; i++) if (!(p[i].length >= 1 && p[i].length <= 3 && String(parseInt(p[i], 10)) === p[i] && +p[i] <= 255)) return false;
  return true;
}

/**
 * Asks one server for the time, re-sending at most `retries` times after a timeout or a bad
 * reply (none after a Kiss-o'-Death). cb(null, sample) or cb(EtError) whose code is the last
 * reason (NTP_TIMEOUT when nothing came back), detail { server, attempts, reason }.
 */
export function sntpQuery(server: NtpServer, o: SntpOptions, cb: (err: EtError | null, s?: SntpSample) => void): void {
  const port = server.port || 123, host = server.host, key = host + ":" + port;
  const timeout = o.timeout || 2000;
  let retries = o.retries === undefined ? 2 : o.retries;
  if (!(retries >= 0)) retries = 0;
  if (retries > MAX_RETRIES) retries = MAX_RETRIES;
  const checkAddr = isIPv4(host);
  let attempts = 0, lastCode = "NTP_TIMEOUT", lastWhy = "no reply within " + timeout + " ms", finished = false;
  let sock: any = null, timer: any = null;

  const close = function () {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    if (sock !== null) {
      const s = sock;
      sock = null;
      try { s.removeAllListeners("message"); } catch (e) { /* nothing to remove */ }
      try { s.close(); } catch (e) { /* already closed */ }
    }
  };
  const finish = function (err: EtError | null, sample: SntpSample | null) {
    if (finished) return;
    finished = true;
    close();
    // Never call back from inside the socket's handler: the next step may open a socket.
    setTimeout(function () { if (err !== null) cb(err); else cb(null, sample as SntpSample); }, 0);
  };
  const failNow = function () {
    finish(new EtError(lastCode, "SNTP " + key + ": " + lastWhy + " (" + attempts + " request" + (attempts === 1 ? "" : "s") + ")",
      { server: key, attempts: attempts, reason: lastWhy }), null);
  };
  let attempt: () => void = function () {};
  const onTimeout = function () {
    timer = null;
    close();
    if (attempts > retries) failNow();
    else attempt();
  };
  attempt = function () {
    attempts++;
    const req = sntpRequest(getTime());
    let t1 = 0;
    const onMessage = function (msg: any, rinfo: any) {
      if (finished || sock === null) return;
      const t4 = getTime();
      const m = String(msg);
      if (rinfo && (rinfo.port !== port || (checkAddr && rinfo.address !== host))) {
        lastCode = "NTP_WRONG_SENDER";
        lastWhy = "reply from " + rinfo.address + ":" + rinfo.port;
        return;
      }
      const why: string[] = [];
      const code = checkReply(m, req, why);
      if (code === "NTP_KOD") {
        const kiss = why[0];
        kissed[key] = kiss === "DENY" || kiss === "RSTR" ? -1 : kiss === "RATE" ? t4 + RATE_BACKOFF : t4;
        lastCode = code;
        lastWhy = "Kiss-o'-Death " + JSON.stringify(kiss) + (kiss === "DENY" || kiss === "RSTR" ? ": the server refuses us; not asked again until reboot" : kiss === "RATE" ? ": asked too often; not asked again for " + RATE_BACKOFF + " s" : "");
        failNow();
        return;
      }
      if (code !== "") {
        lastCode = code;
        lastWhy = why.join("; ");
        return; // discarded: keep waiting for a good reply until the timeout
      }
      const t2 = ntpTime(m, 32), t3 = ntpTime(m, 40);
      const delay = (t4 - t1) - (t3 - t2);
      if (delay < -0.001) {
        lastCode = "NTP_BAD_TIMESTAMPS";
        lastWhy = "negative round-trip delay " + delay;
        return;
      }
      finish(null, { offset: ((t2 - t1) + (t3 - t4)) / 2, delay: delay < 0 ? 0 : delay, stratum: m.charCodeAt(1), attempts: attempts });
    };
    try {
      sock = require("dgram").createSocket("udp4");
      sock.on("message", onMessage);
      t1 = getTime();
      sock.send(req, port, host);
    } catch (e: any) {
      lastCode = "NTP_SEND_FAILED";
      lastWhy = "send failed: " + (e && e.message ? e.message : String(e));
      close();
    }
    timer = setTimeout(onTimeout, timeout);
  };
  const k = kissedCode(server);
  if (k !== "") {
    lastCode = "NTP_KOD";
    lastWhy = k === "denied" ? "the server sent a Kiss-o'-Death (DENY/RSTR) earlier: not asked until reboot" : "the server asked us (RATE) to wait before asking again";
    failNow();
    return;
  }
  attempt();
}
