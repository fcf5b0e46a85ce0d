// Session cache for resumption, per server ("host:port"): TLS 1.3 tickets (NewSessionTicket,
// RFC 8446 §4.6.1) and TLS 1.2 sessions (session id and/or RFC 5077 ticket).
//
// Rules:
//  - a TLS 1.3 ticket is single-use by default: taking it for a ClientHello removes it (RFC 8446
//    §C.4: reuse lets a network observer link connections); `reuseTickets` keeps it;
//  - nothing is offered at or after its lifetime (ticket_lifetime, at most 7 days; the 1.2 session
//    lifetime), nor after the server's certificate chain expires (the identity proved when the
//    session was made), nor with other trust anchors than the ones that verified the server;
//  - at most `perHost` 1.3 tickets per server (servers usually send two), oldest dropped first,
//    and at most `maxHosts` servers (least recently stored dropped).
// Lives in RAM only: tickets and master secrets are keys, and are not written to flash.
import type { SessionTicket } from "./client-types";
import type { Session12 } from "./handshake-common";

declare function getTime(): number;

interface HostEntry {
  key: string;
  /** Trust anchors' version the sessions were verified under. */
  anchors: string;
  t13: SessionTicket[];
  s12: Session12 | null;
  stamp: number;
}

export interface SessionCacheOptions {
  /** Tickets kept per server (default 2). */
  perHost?: number;
  /** Servers kept (default 4). */
  maxHosts?: number;
  /** Offer a TLS 1.3 ticket more than once (default false: single use). */
  reuseTickets?: boolean;
}

export class SessionCache {
  private hosts: HostEntry[];
  private perHost: number;
  private maxHosts: number;
  private reuse: boolean;
  private n: number;

  constructor(o?: SessionCacheOptions) {
    const opts = o || {};
    this.hosts = [];
    this.perHost = opts.perHost || 2;
    this.maxHosts = opts.maxHosts || 4;
    this.reuse = !!opts.reuseTickets;
    this.n = 0;
  }

  private find(key: string, anchors: string, create: boolean): HostEntry | null {
    for (let i = 0; i < this.hosts.length; i++) {
      const h = this.hosts[i];
      if (h.key !== key) continue;
      if (h.anchors === anchors) return h;
      // Sessions verified under other anchors are not trusted now.
      this.hosts.splice(i, 1);
      break;
    }
    if (!create) return null;
    if (this.hosts.length >= this.maxHosts) {
      let old = 0;
      for (let i = 1; i < this.hosts.length; i++) if (this.hosts[i].stamp < this.hosts[old].stamp) old = i;
      this.hosts.splice(old, 1);
    }
    const e: HostEntry = { key: key, anchors: anchors, t13: [], s12: null, stamp: ++this.n };
    this.hosts.push(e);
    return e;
  }

  /** Stores a TLS 1.3 ticket (only one whose server identity is known). */
  put13(key: string, anchors: string, t: SessionTicket): void {
    if (!t.peer || t.lifetime <= 0) return;
    const e = this.find(key, anchors, true) as HostEntry;
    e.stamp = ++this.n;
    e.t13.push(t);
    while (e.t13.length > this.perHost) e.t13.shift();
  }

  /** A usable TLS 1.3 ticket for the server (newest first), removed unless tickets are reusable. */
  take13(key: string, anchors: string): SessionTicket | null {
    const e = this.find(key, anchors, false);
    if (!e) return null;
    const now = getTime();
    while (e.t13.length) {
      const t = e.t13.pop() as SessionTicket;
      const age = now - t.received;
      if (age < 0 || age >= t.lifetime || age >= 604800 || !t.peer || now >= t.peer.notAfter) continue;
      if (this.reuse) e.t13.push(t);
      return t;
    }
    return null;
  }

  put12(key: string, anchors: string, s: Session12): void {
    const e = this.find(key, anchors, true) as HostEntry;
    e.stamp = ++this.n;
    e.s12 = s;
  }

  /** The TLS 1.2 session to offer, if still within its lifetime and the server's chain validity.
   *  It stays in the cache: the connection stores it again (or its successor) when it resumes. */
  get12(key: string, anchors: string): Session12 | null {
    const e = this.find(key, anchors, false);
    if (!e || !e.s12) return null;
    const s = e.s12;
    const now = getTime();
    const age = now - s.received;
    if (age < 0 || age >= s.lifetime || now >= s.peer.notAfter) { e.s12 = null; return null; }
    return s;
  }

  /** Forgets one server's sessions (a failed resumption, or the application asking). */
  drop12(key: string): void {
    for (let i = 0; i < this.hosts.length; i++) if (this.hosts[i].key === key) this.hosts[i].s12 = null;
  }

  /** Forgets everything, or one server's sessions. */
  clear(key?: string): void {
    if (key === undefined) { this.hosts = []; return; }
    for (let i = 0; i < this.hosts.length; i++) if (this.hosts[i].key === key) { this.hosts.splice(i, 1); return; }
  }

  /** Counts for diagnostics: servers, 1.3 tickets, 1.2 sessions. */
  stats(): { hosts: number; tickets: number; sessions12: number } {
    let t = 0, s = 0;
    for (let i = 0; i < this.hosts.length; i++) { t += this.hosts[i].t13.length; if (this.hosts[i].s12) s++; }
    return { hosts: this.hosts.length, tickets: t, sessions12: s };
  }
}

/** The cache tls.connect and https use unless told otherwise. */
export const defaultSessions = new SessionCache();
