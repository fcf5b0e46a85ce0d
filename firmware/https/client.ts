// HTTPS shaped like Espruino's `http`: request(options | url, cb) returning a request to end(),
// get(), a response with statusCode, headers and events data/end/close, plus postJSON.
// Connections are verified TLS only (firmware/tls/socket.ts), reused while idle (keep-alive),
// with bounded redirects, timeouts and a response size limit. Every error carries a code.
import { Emitter } from "../util/emitter";
import { EtError } from "../errors";
import { VERSION } from "../board";
import { TlsSocket } from "../tls/socket";
import type { ConnectOptions } from "../tls/socket";
import { resolveOptions } from "../tls/options";
import type { TlsSetup } from "../tls/options";
import { anchorsVersion } from "../tls/chaincache";
import { ResponseParser } from "./parser";
import { parseUrl, resolveLocation } from "./url";
import type { Url } from "./url";

/** The tls.connect options a request passes through (documented in tls/socket.ts). */
type TlsPassThrough = Pick<ConnectOptions, "ca" | "key" | "cert" | "psk" | "timeout" | "recordSizeLimit" | "maxFragmentLength" | "tls12" | "rsaKeyExchange" | "session" | "pskKe" | "chainCache">;

export interface RequestOptions extends TlsPassThrough {
  url?: string;
  host?: string;
  port?: number;
  path?: string;
  method?: string;
  headers?: { [name: string]: string };
  /** Milliseconds without response bytes before giving up (default 30000). */
  idleTimeout?: number;
  /** Largest response body accepted, bytes (default 65536). */
  maxBody?: number;
  /** Redirects followed (default 3; 0 returns the 3xx response). */
  maxRedirects?: number;
  /** Reuse the connection for later requests to the same host (default true). */
  keepAlive?: boolean;
}

/** Idle verified connections by "host:port". */
const pool: { [key: string]: TlsSocket } = {};

export class IncomingMessage extends Emitter {
  statusCode: number;
  statusMessage: string;
  headers: { [name: string]: string };
  constructor(status: number, reason: string, headers: { [name: string]: string }) {
    super();
    this.statusCode = status;
    this.statusMessage = reason;
    this.headers = headers;
  }
}

export class ClientRequest extends Emitter {
  private o: RequestOptions;
  private url: Url;
  private method: string;
  private body: string;
  private cb: ((res: IncomingMessage) => void) | null;
  private redirects: number;
  private setup: TlsSetup;
  private sock: TlsSocket | null;
  private idle: any;
  private finished: boolean;

  constructor(o: RequestOptions, cb: ((res: IncomingMessage) => void) | null) {
    super();
    this.o = o;
    this.url = o.url ? parseUrl(o.url) : { host: o.host || "", port: o.port || 443, path: o.path || "/" };
    if (!this.url.host) throw new EtError("HTTPS_BAD_URL", "no host");
    this.method = (o.method || "GET").toUpperCase();
    this.body = "";
    this.cb = cb;
    this.redirects = 0;
    // ca, key and cert resolved once for the request and its redirects (tls/options.ts).
    this.setup = resolveOptions({ ca: o.ca, key: o.key, cert: o.cert, psk: o.psk });
    this.setup.alpn = ["http/1.1"];
    this.sock = null;
    this.idle = null;
    this.finished = false;
  }

  /** Adds to the request body (byte string). */
  write(data: string): void { this.body += data; }

  /** Sends the request (with `data` appended to the body). */
  end(data?: string): void {
    if (data !== undefined) this.body += data;
    const self = this;
    setTimeout(function () { self.send(); }, 0);
  }

  private fail(e: EtError): void {
    if (this.finished) return;
    this.finished = true;
    this.stopIdle();
    if (this.sock) this.sock.end();
    this.emit("error", e);
  }

  // A kept connection is reused only under the same trust anchors it was verified with, and
  // with the same client identity.
  private key(): string {
    const id = this.setup.identity, psk = this.setup.psk;
    return this.url.host + ":" + this.url.port + "|" + anchorsVersion(this.setup.anchors) + (id ? "#" + id.id : "") + (psk ? "~" + psk.id : "");
  }

  private send(): void {
    const self = this;
    const k = this.key();
    const reuse = pool[k];
    delete pool[k];
    if (reuse && reuse.info) {
      this.sock = reuse;
      this.attach();
      this.transmit();
      return;
    }
    let s: TlsSocket;
    try {
      s = new TlsSocket({
        host: this.url.host, port: this.url.port, timeout: this.o.timeout,
        recordSizeLimit: this.o.recordSizeLimit, maxFragmentLength: this.o.maxFragmentLength,
        tls12: this.o.tls12, rsaKeyExchange: this.o.rsaKeyExchange, session: this.o.session, pskKe: this.o.pskKe, chainCache: this.o.chainCache,
      }, this.setup);
    } catch (e) {
      this.fail(e as EtError);
      return;
    }
    this.sock = s;
    this.attach();
    s.on("progress", function (step: string) { self.emit("progress", step); });
    s.on("connect", function () { self.transmit(); });
  }

  private head(): string {
    const h = this.o.headers || {};
    const u = this.url;
    let s = this.method + " " + u.path + " HTTP/1.1\r\nHost: " + (u.host.indexOf(":") >= 0 ? "[" + u.host + "]" : u.host) +
      (u.port !== 443 ? ":" + u.port : "") + "\r\n";
    let hasUa = false;
    for (const name in h) {
      const v = String(h[name]);
      if (name.indexOf("\r") >= 0 || name.indexOf("\n") >= 0 || v.indexOf("\r") >= 0 || v.indexOf("\n") >= 0) {
        throw new EtError("HTTPS_BAD_HEADER", "header " + name + " contains a line break");
      }
      const lower = name.toLowerCase();
      if (lower === "host" || lower === "content-length" || lower === "connection" || lower === "transfer-encoding") continue;
      if (lower === "user-agent") hasUa = true;
      s += name + ": " + v + "\r\n";
    }
    if (!hasUa) s += "User-Agent: espruino-tls/" + VERSION + "\r\n";
    if (this.body.length || this.method === "POST" || this.method === "PUT") s += "Content-Length: " + this.body.length + "\r\n";
    s += "Connection: " + (this.o.keepAlive === false ? "close" : "keep-alive") + "\r\n\r\n";
    return s;
  }

  private transmit(): void {
    try {
      (this.sock as TlsSocket).write(this.head() + this.body);
    } catch (e) {
      this.fail(e as EtError);
      return;
    }
    this.armIdle();
  }

  private armIdle(): void {
    const self = this;
    this.stopIdle();
    const ms = this.o.idleTimeout || 30000;
    this.idle = setTimeout(function () { self.idle = null; self.fail(new EtError("HTTP_TIMEOUT", "no response bytes for " + ms + " ms")); }, ms);
  }

  /** Cancels the idle timer, once: the interpreter reuses a freed timer's id, so clearing a
   *  stale handle can cancel another timer (firmware/tls/socket.ts, stopTimer). */
  private stopIdle(): void {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
  }

  private attach(): void {
    const self = this;
    const s = this.sock as TlsSocket;
    let res: IncomingMessage | null = null;
    let redirect: Url | null = null;
    const parser = new ResponseParser({
      head: function (status: number, reason: string, headers: { [name: string]: string }) {
        const loc = headers["location"];
        const max = self.o.maxRedirects === undefined ? 3 : self.o.maxRedirects;
        if (loc && (status === 301 || status === 302 || status === 303 || status === 307 || status === 308) && max > 0) {
          if (self.redirects >= max) throw new EtError("HTTPS_TOO_MANY_REDIRECTS", "more than " + max + " redirects");
          redirect = resolveLocation(self.url, loc);
          return;
        }
        res = new IncomingMessage(status, reason, headers);
        if (self.cb) self.cb(res);
        self.emit("response", res);
      },
      body: function (part: string) { if (res) res.emit("data", part); },
      done: function (reusable: boolean) {
        self.stopIdle();
        s.removeAllListeners();
        if (reusable && self.o.keepAlive !== false) self.park(s); else s.end();
        if (redirect) { self.follow(redirect); return; }
        self.finished = true;
        if (res) { res.emit("end"); res.emit("close"); }
        self.emit("close");
      },
    }, this.o.maxBody || 65536, this.method === "HEAD");
    s.removeAllListeners("data");
    s.removeAllListeners("end");
    s.removeAllListeners("close");
    s.removeAllListeners("error");
    s.on("data", function (d: string) {
      self.armIdle();
      try { parser.push(d); } catch (e) { self.fail(e as EtError); }
    });
    s.on("end", function () {
      // After an error (TLS_TRUNCATED, an alert) the socket still ends: the body is not complete.
      if (self.finished) return;
      try { parser.close(); } catch (e) { self.fail(e as EtError); }
    });
    s.on("error", function (e: EtError) { self.fail(e); });
    s.on("close", function () {
      if (!parser.isDone()) self.fail(new EtError("HTTP_TRUNCATED", "the connection closed before the response was complete"));
    });
  }

  private follow(to: Url): void {
    this.redirects++;
    if (this.method !== "GET" && this.method !== "HEAD") {
      this.method = "GET";
      this.body = "";
    }
    this.url = to;
    this.send();
  }

  /** Keeps a connection for the next request to the same host. */
  private park(s: TlsSocket): void {
    const k = this.key();
    if (pool[k]) { s.end(); return; }
    pool[k] = s;
    s.on("close", function () { if (pool[k] === s) delete pool[k]; });
    s.on("error", function () { if (pool[k] === s) delete pool[k]; });
  }
}

/** Closes every idle kept-alive connection (close_notify). */
export function closeIdle(): void {
  for (const k in pool) { pool[k].end(); delete pool[k]; }
}

function optionsOf(o: RequestOptions | string): RequestOptions {
  return typeof o === "string" ? { url: o } : o;
}

export function request(o: RequestOptions | string, cb?: (res: IncomingMessage) => void): ClientRequest {
  return new ClientRequest(optionsOf(o), cb || null);
}

export function get(o: RequestOptions | string, cb?: (res: IncomingMessage) => void): ClientRequest {
  const req = request(o, cb);
  req.end();
  return req;
}

export interface JsonResponse {
  statusCode: number;
  headers: { [name: string]: string };
  body: string;
  json: any;
}

/** POSTs `value` as JSON; cb(err, res) with the body parsed when the response is JSON. */
export function postJSON(o: RequestOptions | string, value: any, cb: (err: EtError | null, res?: JsonResponse) => void): ClientRequest {
  const opts = optionsOf(o);
  const headers: { [name: string]: string } = {};
  const given = opts.headers || {};
  for (const k in given) headers[k] = given[k];
  headers["Content-Type"] = "application/json";
  const copy: any = {};
  for (const k in opts) copy[k] = (opts as any)[k];
  copy.method = "POST";
  copy.headers = headers;
  let done = false;
  const req = request(copy, function (res: IncomingMessage) {
    let body = "";
    res.on("data", function (d: string) { body += d; });
    res.on("end", function () {
      if (done) return;
      done = true;
      let json: any = undefined;
      if ((res.headers["content-type"] || "").indexOf("json") >= 0) {
        try { json = JSON.parse(body); } catch (e) { cb(new EtError("HTTP_BAD_JSON", "response body is not valid JSON")); return; }
      }
      cb(null, { statusCode: res.statusCode, headers: res.headers, body: body, json: json });
    });
  });
  req.on("error", function (e: EtError) { if (!done) { done = true; cb(e); } });
  req.end(JSON.stringify(value));
  return req;
}
