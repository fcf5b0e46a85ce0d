// Incremental HTTP/1.1 response parser: status line, headers, then a body framed by
// Content-Length, chunked transfer coding, or the connection's close. Limits on every size.
import { EtError } from "../errors";
import { isHexText } from "../util/bytes";

export interface ParserEvents {
  head: (status: number, reason: string, headers: { [name: string]: string }) => void;
  body: (s: string) => void;
  done: (reusable: boolean) => void;
}

const S_HEAD = 0, S_BODY_LEN = 1, S_CHUNK_SIZE = 2, S_CHUNK_DATA = 3, S_CHUNK_CRLF = 4, S_TRAILER = 5, S_BODY_CLOSE = 6, S_DONE = 7;
const MAX_HEAD = 8192;

function fail(message: string): never { throw new EtError("HTTP_BAD_RESPONSE", message); }

/** 1 to 8 hex digits (a chunk size up to 4 GB). Digits are tested before folding case: folded,
 *  control characters such as 0x10 read as "0" and the size became NaN, an endless loop (fuzzing). */
function isHex(s: string): boolean {
  return s.length <= 8 && isHexText(s);
}

export class ResponseParser {
  private ev: ParserEvents;
  private st: number;
  private buf: string;
  private left: number;
  private received: number;
  private maxBody: number;
  private keepAlive: boolean;
  private noBody: boolean;

  /** maxBody: bytes of body accepted; noBody: a HEAD request's response. */
  constructor(ev: ParserEvents, maxBody: number, noBody: boolean) {
    this.ev = ev; this.st = S_HEAD; this.buf = ""; this.left = 0; this.received = 0;
    this.maxBody = maxBody; this.keepAlive = true; this.noBody = noBody;
  }

  isDone(): boolean { return this.st === S_DONE; }

  /** The connection closed: ends a body framed by the close, else it is truncation. */
  close(): void {
    if (this.st === S_BODY_CLOSE) { this.st = S_DONE; this.ev.done(false); return; }
    if (this.st !== S_DONE) throw new EtError("HTTP_TRUNCATED", "the connection closed before the response was complete");
  }

  push(s: string): void {
    this.buf += s;
    while (this.buf.length && this.st !== S_DONE) {
      if (!this.step()) return;
    }
    if (this.st === S_DONE && this.buf.length) fail("bytes after the end of the response");
  }

  private bodyPart(s: string): void {
    this.received += s.length;
    if (this.received > this.maxBody) throw new EtError("HTTP_TOO_LARGE", "response body over the limit of " + this.maxBody + " bytes");
    this.ev.body(s);
  }

  private line(): string | null {
    const i = this.buf.indexOf("\r\n");
    if (i < 0) {
      if (this.buf.length > MAX_HEAD) fail("line over " + MAX_HEAD + " bytes");
      return null;
    }
    const l = this.buf.substr(0, i);
    this.buf = this.buf.substr(i + 2);
    return l;
  }

  /** One parsing step; false when more bytes are needed. */
  private step(): boolean {
    switch (this.st) {
      case S_HEAD: return this.head();
      case S_BODY_LEN: case S_CHUNK_DATA: {
        const n = Math.min(this.left, this.buf.length);
        const part = this.buf.substr(0, n);
        this.buf = this.buf.substr(n);
        this.left -= n;
        this.bodyPart(part);
        if (this.left === 0) {
          if (this.st === S_BODY_LEN) this.finish(); else this.st = S_CHUNK_CRLF;
        }
        return true;
      }
      case S_CHUNK_CRLF: {
        if (this.buf.length < 2) return false;
        if (this.buf.substr(0, 2) !== "\r\n") fail("chunk not followed by CRLF");
        this.buf = this.buf.substr(2);
        this.st = S_CHUNK_SIZE;
        return true;
      }
      case S_CHUNK_SIZE: {
        const l = this.line();
        if (l === null) return false;
        const hex = l.split(";")[0].trim();
        if (!isHex(hex)) fail("bad chunk size \"" + hex.substr(0, 20) + "\"");
        const n = parseInt(hex, 16);
        if (n === 0) this.st = S_TRAILER; else { this.left = n; this.st = S_CHUNK_DATA; }
        return true;
      }
      case S_TRAILER: {
        const l = this.line();
        if (l === null) return false;
        if (l === "") this.finish();
        return true;
      }
      default: { // S_BODY_CLOSE
        const part = this.buf;
        this.buf = "";
        this.bodyPart(part);
        return true;
      }
    }
  }

  private head(): boolean {
    const end = this.buf.indexOf("\r\n\r\n");
    if (end < 0) {
      if (this.buf.length > MAX_HEAD) fail("response head over " + MAX_HEAD + " bytes");
      return false;
    }
    const lines = this.buf.substr(0, end).split("\r\n");
    this.buf = this.buf.substr(end + 4);
    const sl = lines[0];
    if (sl.substr(0, 7) !== "HTTP/1." || sl.charAt(8) !== " ") fail("bad status line \"" + sl.substr(0, 40) + "\"");
    const status = parseInt(sl.substr(9, 3), 10);
    if (!(status >= 100 && status < 600)) fail("bad status code in \"" + sl.substr(0, 40) + "\"");
    const headers: { [name: string]: string } = {};
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(":");
      if (c <= 0) fail("bad header line \"" + lines[i].substr(0, 40) + "\"");
      const name = lines[i].substr(0, c).trim().toLowerCase();
      const value = lines[i].substr(c + 1).trim();
      headers[name] = headers[name] !== undefined ? headers[name] + ", " + value : value;
    }
    if (status < 200) return true; // 1xx: an interim response; the real one follows
    this.keepAlive = sl.charAt(7) === "1" && (headers["connection"] || "").toLowerCase() !== "close";
    this.ev.head(status, sl.substr(13), headers);
    const te = (headers["transfer-encoding"] || "").toLowerCase();
    const cl = headers["content-length"];
    if (this.noBody || status === 204 || status === 304) this.finish();
    else if (te.length) {
      if (te !== "chunked") fail("unsupported transfer-encoding \"" + te + "\"");
      this.st = S_CHUNK_SIZE;
    } else if (cl !== undefined) {
      const n = parseInt(cl, 10);
      if (!(n >= 0) || String(n) !== cl) fail("bad content-length \"" + cl + "\"");
      if (n > this.maxBody) throw new EtError("HTTP_TOO_LARGE", "response body of " + n + " bytes over the limit of " + this.maxBody);
      if (n === 0) this.finish(); else { this.left = n; this.st = S_BODY_LEN; }
    } else {
      this.keepAlive = false;
      this.st = S_BODY_CLOSE;
    }
    return true;
  }

  private finish(): void {
    this.st = S_DONE;
    this.ev.done(this.keepAlive);
  }
}
