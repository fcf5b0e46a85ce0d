// The verified-chain cache: after a chain passed full path validation, remember the SHA-256 of
// the chain as presented (each certificate as in the TLS Certificate message: 3-byte length and
// DER), the time window in which that validation holds (latest notBefore, earliest notAfter over
// the path and the anchor) and the version of the trust anchors that vouched for it. When the
// same chain is presented again under the same anchors, its signatures are not checked again:
// the validity window is checked against the trusted clock, and the host name against the
// names the entry has already matched (else against the leaf's subjectAltName, parsing the
// leaf). The leaf's key is read at the offsets the entry keeps: the hash fixes the bytes, and
// parsing the whole leaf again took ~30 ms on the interpreter. The handshake signature (CertificateVerify /
// ServerKeyExchange) is always verified by the TLS client. Anything else falls back to full
// validation, whose result replaces the entry.
//
// Anchor versions: an AnchorSource with a `version` (number or string; the CA store has one)
// gives "v<version>" (plus "@<name>" when it has a name: CA store files); anchors made by tls.connect from `ca` get a fingerprint of their
// certificates (socket.ts). A source without a version disables the cache. When a lookup sees
// another version, every entry of the old version is dropped.
//
// RAM by default (a few entries of ~100 bytes); with `storage` set, the entries are also kept in
// that Storage file as JSON and read back after a restart (name at most 28 characters; written
// only after a full validation).
import type { Job } from "../util/job";
import { doneJob } from "../util/job";
import { EtError } from "../errors";
import { toHex } from "../util/bytes";
import { SHA256 } from "../crypto/sha2";
import type { AnchorSource } from "../x509/anchor";
import type { ValidationResult } from "../x509/path";
import { ownKey, parseCert, parseSpki } from "../x509/cert";
import { sanMatchesHost } from "../x509/hostname";
import { validationClock } from "../time/clock";
import type { PeerIdentity } from "./certverify";
import { chainVerifier } from "./verify";

declare function require(n: string): any;

export interface ChainEntry {
  /** SHA-256 of the presented chain, hex. */
  h: string;
  /** Anchors' version. */
  v: string;
  /** Validity window of the whole path (seconds since 1970). */
  nb: number;
  na: number;
  /** SubjectPublicKeyInfo's [start, end) in the leaf's DER. */
  k: number[];
  /** Leaf subject, as text. */
  s: string;
  /** Host names the leaf was found to match (at most MAX_HOSTS). */
  n: string[];
  /** The leaf's keyUsage bits, -1 for none (the TLS 1.2 client checks them against the suite). */
  u: number;
}

const MAX_HOSTS = 4;

function isEntry(e: any): boolean {
  return !!e && typeof e.h === "string" && e.h.length === 64 && typeof e.v === "string" && typeof e.nb === "number" && typeof e.na === "number" &&
    !!e.k && e.k.length === 2 && typeof e.k[0] === "number" && typeof e.k[1] === "number" && typeof e.s === "string" && !!e.n && typeof e.n.length === "number" && typeof e.u === "number";
}

export interface ChainCacheOptions {
  /** Entries kept (default 4); the oldest is dropped first. */
  max?: number;
  /** Storage file to persist the entries in (at most 28 characters), or none (RAM only). */
  storage?: string;
}

export class ChainCache {
  hits: number;
  misses: number;
  private list: ChainEntry[];
  private max: number;
  private file: string;
  private loaded: boolean;

  constructor(o?: ChainCacheOptions) {
    const opts = o || {};
    this.list = [];
    this.max = opts.max || 4;
    this.file = opts.storage || "";
    if (this.file.length > 28) throw new EtError("STORAGE_NAME", "Storage name '" + this.file + "' is longer than 28 characters");
    this.loaded = !this.file;
    this.hits = 0;
    this.misses = 0;
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    let a: any = null;
    try { a = require("Storage").readJSON(this.file, true); } catch (e) { a = null; }
    if (!a || typeof a.length !== "number") return;
    for (let i = 0; i < a.length && this.list.length < this.max; i++) {
      const e = a[i];
      if (isEntry(e)) this.list.push({ h: e.h, v: e.v, nb: e.nb, na: e.na, k: [e.k[0], e.k[1]], s: e.s, n: e.n.slice(0, MAX_HOSTS), u: e.u });
    }
  }

  private save(): void {
    if (!this.file) return;
    try {
      const st = require("Storage");
      if (this.list.length) st.writeJSON(this.file, this.list); else st.erase(this.file);
    } catch (e) { /* a full Storage only costs the next boot a full validation */ }
  }

  /** The entry for chain hash h under anchors version v; entries of other versions are dropped. */
  lookup(h: string, v: string): ChainEntry | null {
    this.load();
    let found: ChainEntry | null = null, dropped = false;
    for (let i = this.list.length - 1; i >= 0; i--) {
      const e = this.list[i];
      if (e.v !== v) { this.list.splice(i, 1); dropped = true; } else if (e.h === h) found = e;
    }
    if (dropped) this.save();
    return found;
  }

  add(e: ChainEntry): void {
    this.load();
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].h === e.h || this.list[i].v !== e.v) this.list.splice(i, 1);
    this.list.push(e);
    while (this.list.length > this.max) this.list.shift();
    this.save();
  }

  /** Notes that entry e's leaf matched host too (kept in Storage with the entry). */
  addHost(e: ChainEntry, host: string): void {
    if (e.n.length >= MAX_HOSTS) e.n.shift();
    e.n.push(host);
    this.save();
  }

  remove(h: string): void {
    this.load();
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].h === h) { this.list.splice(i, 1); this.save(); }
  }

  clear(): void {
    this.list = [];
    this.loaded = true;
    this.save();
  }

  size(): number { this.load(); return this.list.length; }
}

/** The version string of an anchor source, "" when it has none (then nothing is cached). */
export function anchorsVersion(a: AnchorSource): string {
  const v = (a as any).version, n = (a as any).name;
  if (!(typeof v === "number" || (typeof v === "string" && v.length))) return "";
  return "v" + v + (typeof n === "string" ? "@" + n : "");
}

/** SHA-256 over the chain as the Certificate message lists it (3-byte length, DER). */
export function chainHash(chain: Uint8Array[]): string {
  const h = SHA256.create();
  const len = new Uint8Array(3);
  for (let i = 0; i < chain.length; i++) {
    const n = chain[i].length;
    len[0] = n >> 16; len[1] = (n >> 8) & 255; len[2] = n & 255;
    h.update(len);
    h.update(chain[i]);
  }
  return toHex(h.digest());
}

/** The validity window a validation result holds in: [latest notBefore, earliest notAfter]
 *  over the path, the anchor's certificate and the anchor's own notAfter. */
function windowOf(r: ValidationResult): number[] {
  let nb = r.path[0].notBefore, na = r.path[0].notAfter;
  for (let i = 1; i < r.path.length; i++) {
    if (r.path[i].notBefore > nb) nb = r.path[i].notBefore;
    if (r.path[i].notAfter < na) na = r.path[i].notAfter;
  }
  const a = r.anchor;
  if (a.cert) {
    if (a.cert.notBefore > nb) nb = a.cert.notBefore;
    if (a.cert.notAfter < na) na = a.cert.notAfter;
  }
  if (typeof a.notAfter === "number" && a.notAfter < na) na = a.notAfter;
  return [nb, na];
}

/** A chain verifier (for ClientOptions.verifyChain) that consults `cache` first. */
export function cachingVerifier(anchors: AnchorSource, cache: ChainCache | null): (chain: Uint8Array[], host: string) => Job<PeerIdentity> {
  const v = anchorsVersion(anchors);
  if (!cache || !v) return chainVerifier(anchors);
  return function (chain: Uint8Array[], host: string): Job<PeerIdentity> {
    const h = chainHash(chain);
    const e = cache.lookup(h, v);
    if (e) {
      const now = validationClock().time; // throws TIME_UNKNOWN without a trusted time
      if (now >= e.nb && now <= e.na) {
        let known = e.n.indexOf(host) >= 0;
        if (!known) {
          const leaf = parseCert(chain[0]);
          known = !leaf.problem && sanMatchesHost(leaf.san, host);
          if (known) cache.addHost(e, host);
        }
        if (known) {
          cache.hits++;
          return doneJob<PeerIdentity>({ spki: ownKey(parseSpki(chain[0], e.k[0], e.k[1])), subject: e.s, notAfter: e.na, ku: e.u, cached: true });
        }
      }
      // Out of its window or another name: full validation says exactly why.
      cache.remove(h);
    }
    cache.misses++;
    return chainVerifier(anchors, function (r: ValidationResult, peer: PeerIdentity) {
      const w = windowOf(r), leaf = r.path[0], ks = leaf.spki.der.byteOffset - leaf.der.byteOffset;
      peer.notAfter = w[1];
      cache.add({ h: h, v: v, nb: w[0], na: w[1], k: [ks, ks + leaf.spki.der.length], s: peer.subject, n: [host], u: peer.ku });
    })(chain, host);
  };
}

/** The cache tls.connect and https use unless told otherwise (RAM only). */
export const defaultChainCache = new ChainCache();
