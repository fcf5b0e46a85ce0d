// The device updater: fetch the signed manifest, verify it, download the new CA store into the
// inactive slot, verify it from flash, switch with the state record, health-check, confirm or
// roll back. docs/ota.md describes the protocol, the write order and why every power cut
// leaves a complete, verified store.
//
// Write order of one update (each line one Storage write or more):
//   1. state record with the rotated key set     (only when rotations were applied)
//   2. erase of the stale inactive slot          (only when it holds a file)
//   3. the image, chunk by chunk, into the inactive slot (write(name, data, offset, size))
//   4. state record: active = new slot, trial    (the switch; the old slot is kept)
//   5. state record: trial cleared               (after the health check) -- or, on failure,
//      state record: active = old slot again     (roll-back; the failed version stays refused)
// Until 4 the newest record names the old slot, whose file is never written; from 4 on it
// names the new slot, written and verified before 4. A cut anywhere boots one or the other.
import { VERSION, CA_STORE_BYTES } from "../board";
import { EtError } from "../errors";
import { Emitter } from "../util/emitter";
import { runSliced } from "../util/job";
import { now as trustedTime } from "../time/clock";
import { get, closeIdle } from "../https/client";
import type { IncomingMessage } from "../https/client";
import { parseUrl, resolveLocation } from "../https/url";
import { random } from "../entropy/index";
import type { Envelope, KeySet, Manifest, Signed } from "./format";
import { parseEnvelope, parseManifest, parseKeySet, semverLess, MANIFEST_CONTEXT, KEYS_CONTEXT } from "./format";
import { compiledKeys, countJob, requireThreshold } from "./keys";
import type { OtaState } from "./state";
import { loadState, saveState } from "./state";
import type { CaStore } from "./store";
import { SLOTS, openSlot, slotSize, hashSlot, forgetStores } from "./store";
import { caStoreSwitched, onCaStoreSwitch } from "./hooks";
import { defaultChainCache } from "../tls/chaincache";
import { defaultSessions } from "../tls/resume";

declare function require(n: string): any;

export interface OtaConfig {
  /** https:// URL of the manifest document. */
  url: string;
  /** Trust anchors for the update server (see https `ca`); default: the active CA store. */
  ca?: any;
  /** Seconds between periodic checks (default 86400). */
  interval?: number;
  /** Seconds of random spread around each check time (default 3600). */
  jitter?: number;
  /** Seconds between checks while the installed manifest has expired (default 3600). */
  staleInterval?: number;
  /** URL fetched, trusting only the new store, to confirm it (default: `url` when `ca` is not set). */
  healthUrl?: string;
  /** Custom confirmation of a new store: call done(null) to keep it, done(err) to roll back. */
  healthCheck?: (store: CaStore, done: (err: any) => void) => void;
  /** Milliseconds for each request's connect + handshake (default 60000). */
  timeout?: number;
}

export interface OtaResult {
  /** "current" (nothing newer), "refreshed" (same store, later expiry), "updated", "trial"
   *  (switched, waiting for confirmation). */
  status: string;
  version: number;
}

export interface OtaStatus {
  /** What the updater is doing: "idle", "manifest", "keys", "signature", "download", "verify", "health". */
  phase: string;
  /** File name of the active store ("" when none could be opened). */
  store: string;
  version: number;
  floor: number;
  created: number;
  expires: number;
  /** The installed manifest has expired: the store is still used, updates are retried more often. */
  stale: boolean;
  /** The active store was switched in and awaits its health check. */
  trial: boolean;
  keysVersion: number;
  /** The newest state record named a slot that did not open; an older store is in use. */
  fallback: boolean;
  rejected: number;
  lastCheck: number;
  lastResult: string;
  lastError: { code: string; message: string } | null;
  /** Milliseconds each phase of the last check took ({ manifest, keys, signature, download, verify, health }). */
  lastPhases: { [phase: string]: number };
  next: number;
}

const MAX_MANIFEST = 16384;
/** Errors after which a health check proves nothing about the store (no network, no time). */
const INCONCLUSIVE = ["NET_ERROR", "CONNECT_FAILED", "TLS_TIMEOUT", "HTTP_TIMEOUT", "TIME_UNKNOWN", "ENTROPY_FAILED"];

function wrap(code: string, what: string, e: any): EtError {
  if (e && e.code === "POWER_CUT") return e;
  const c = e && e.code ? e.code : "ERROR";
  return new EtError(code, what + ": " + c + (e && e.message ? ": " + e.message : ""), { cause: c, detail: e && e.detail });
}

function copyState(s: OtaState): OtaState {
  return {
    seq: s.seq, slot: s.slot, prev: s.prev, trial: s.trial, version: s.version, floor: s.floor, created: s.created,
    expires: s.expires, sha256: s.sha256, rejected: s.rejected, keys: s.keys, back: s.back,
  };
}

function storage(): any { return require("Storage"); }

function fraction(): number {
  try {
    const r = random(2);
    return (r[0] * 256 + r[1]) / 65536;
  } catch (e) {
    return Math.random();
  }
}

export class Ota extends Emitter {
  private cfg: OtaConfig | null;
  private st: OtaState;
  private stFile: number;
  private active: CaStore | null;
  private booted: boolean;
  private busy: boolean;
  private timer: any;
  private phase: string;
  private fallback: boolean;
  private lastCheck: number;
  private lastResult: string;
  private lastError: EtError | null;
  private next: number;
  private marks: { [phase: string]: number };
  private since: number;
  /** Stable AnchorSource over whichever store is active (pass it as `ca`); its `version` is the
   *  active store's, so the verified-chain cache and the session cache follow a switch. */
  ca: { findByIssuer(i: Uint8Array): any[]; findByKeyId(k: Uint8Array): any[]; readonly version: number };

  constructor() {
    super();
    const self = this;
    this.cfg = null; this.stFile = -1; this.active = null; this.booted = false; this.busy = false;
    this.timer = null; this.phase = "idle"; this.fallback = false; this.lastCheck = 0; this.lastResult = "";
    this.lastError = null; this.next = 0; this.marks = {}; this.since = 0;
    this.st = { seq: 0, slot: 0, prev: -1, trial: 0, version: 0, floor: 0, created: 0, expires: 0, sha256: "", rejected: 0, keys: compiledKeys(), back: null };
    this.ca = {
      findByIssuer: function (i: Uint8Array) { return self.store().findByIssuer(i); },
      findByKeyId: function (k: Uint8Array) { return self.store().findByKeyId(k); },
      get version(): number { return self.store().version; },
    };
  }

  /** Reads the state record and opens the active store (once). Never writes. */
  private boot(): void {
    if (this.booted) return;
    this.booted = true;
    const loaded = loadState();
    if (loaded !== null) { this.st = loaded.state; this.stFile = loaded.file; }
    const first = this.st.slot;
    const order = [first, first === 0 ? 1 : 0];
    for (let k = 0; k < 2; k++) {
      try {
        const s = openSlot(order[k]);
        this.active = s;
        if (k === 1) {
          // The newest record's slot is unusable (flash damage): use the other one rather than none.
          this.fallback = loaded !== null;
          this.st = copyState(this.st);
          this.st.slot = order[1]; this.st.prev = -1; this.st.trial = 0; this.st.version = s.version;
          this.st.created = 0; this.st.expires = 0; this.st.sha256 = "";
        }
        break;
      } catch (e) { /* try the other slot */ }
    }
    if (loaded === null && this.active !== null) { this.st.version = this.active.version; this.st.floor = this.active.version; }
  }

  /** The active CA store (throws CASTORE_NONE when no slot holds a usable one). */
  store(): CaStore {
    this.boot();
    if (this.active === null) throw new EtError("CASTORE_NONE", "no usable CA store in " + SLOTS.join(" or "));
    return this.active;
  }

  /** The key set updates must be signed with now. */
  keys(): KeySet {
    this.boot();
    const k = this.st.keys;
    return k && k.version >= 2 ? k : compiledKeys();
  }

  configure(cfg: OtaConfig): void {
    if (!cfg || typeof cfg.url !== "string") throw new EtError("OTA_BAD_CONFIG", "ota.configure needs { url: \"https://...\" }");
    parseUrl(cfg.url);
    if (cfg.healthUrl) parseUrl(cfg.healthUrl);
    this.cfg = cfg;
  }

  status(): OtaStatus {
    this.boot();
    const e = this.lastError;
    return {
      phase: this.phase, store: this.active ? SLOTS[this.st.slot] : "", version: this.st.version, floor: this.st.floor,
      created: this.st.created, expires: this.st.expires, stale: this.stale(), trial: this.st.trial === 1,
      keysVersion: this.keys().version, fallback: this.fallback, rejected: this.st.rejected, lastCheck: this.lastCheck,
      lastResult: this.lastResult, lastError: e ? { code: e.code, message: e.message } : null, lastPhases: this.marks, next: this.next,
    };
  }

  /** The installed manifest has expired (the store stays in use; see docs/ota.md, anti-freeze). */
  stale(): boolean {
    return this.st.expires > 0 && getTime() >= this.st.expires;
  }

  /** Registers fn(why) for every switch of the active store ("update" | "rollback"). */
  onSwitch(fn: (why: string) => void): void { onCaStoreSwitch(fn); }

  private commit(s: OtaState): void {
    s.seq = this.st.seq + 1;
    this.stFile = saveState(s, this.stFile);
    this.st = s;
  }

  private setPhase(p: string): void {
    const t = getTime();
    if (this.phase !== "idle") this.marks[this.phase] = Math.round((t - this.since) * 1000);
    this.phase = p;
    this.since = t;
    this.emit("progress", p);
  }

  /**
   * Checks for an update now: cb(err, { status, version }). Errors leave the active store
   * as it was (a failed health check rolls back to it and reports OTA_HEALTH_FAILED).
   */
  check(cb?: (err: EtError | null, res?: OtaResult) => void): void {
    const self = this;
    const finish = function (err: any, res?: OtaResult) {
      self.busy = false;
      self.setPhase("idle");
      self.lastCheck = getTime();
      self.lastError = err || null;
      self.lastResult = err ? "error" : (res as OtaResult).status;
      if (self.stale()) self.emit("stale", self.st.expires);
      if (cb) cb(err || null, res);
    };
    if (this.busy) { if (cb) cb(new EtError("OTA_BUSY", "an update check is already running")); return; }
    this.busy = true;
    this.marks = {};
    try {
      this.boot();
      if (this.cfg === null) throw new EtError("OTA_NOT_CONFIGURED", "call ota.configure({ url }) first");
    } catch (e) { finish(e); return; }
    if (this.st.trial) {
      this.runHealth(function (err: any) {
        if (err || self.st.trial) { finish(err, { status: "trial", version: self.st.version }); return; }
        self.fetchManifest(finish);
      });
    } else this.fetchManifest(finish);
  }

  private serverCa(): any {
    const c = (this.cfg as OtaConfig).ca;
    return c !== undefined && c !== null ? c : this.ca;
  }

  private fetchManifest(finish: (err: any, res?: OtaResult) => void): void {
    const self = this;
    const cfg = this.cfg as OtaConfig;
    this.setPhase("manifest");
    fetchText(cfg.url, this.serverCa(), MAX_MANIFEST, cfg.timeout, function (err: any, text?: string) {
      if (err) { finish(wrap("OTA_FETCH_FAILED", "fetching the manifest " + cfg.url + " failed", err)); return; }
      let env: Envelope;
      try { env = parseEnvelope(text as string); } catch (e) { finish(e); return; }
      self.setPhase("keys");
      self.applyRotations(env.rotations, function (err2: any) {
        if (err2) { finish(err2); return; }
        const keys = self.keys();
        self.setPhase("signature");
        runSliced(countJob(keys, MANIFEST_CONTEXT, env), function (err3: any, n?: number) {
          let m: Manifest;
          try {
            if (err3) throw err3;
            requireThreshold(keys, n as number, "the manifest");
            m = parseManifest(env.payload);
            const r = self.decide(m);
            if (r !== null) { finish(null, r); return; }
          } catch (e) { finish(e); return; }
          self.install(m, finish);
        });
      });
    });
  }

  /** Applies key rotations newer than the current set, in order; persists the result once. */
  private applyRotations(list: Signed[], cb: (err: any) => void): void {
    const self = this;
    let set = this.keys();
    const start = set.version;
    let i = 0;
    const persist = function (err: any) {
      if (set.version !== start) {
        const s = copyState(self.st);
        s.keys = set;
        try { self.commit(s); } catch (e) { cb(e); return; }
      }
      cb(err);
    };
    const nextOne = function () {
      if (i >= list.length) { persist(null); return; }
      const doc = list[i++];
      let ks: KeySet;
      try { ks = parseKeySet(doc.payload); } catch (e) { persist(e); return; }
      if (ks.version <= set.version) { nextOne(); return; } // applied before: not counted again
      if (ks.version !== set.version + 1) {
        persist(new EtError("OTA_KEY_ROTATION_GAP", "key set " + ks.version + " follows key set " + set.version + " without " + (set.version + 1)));
        return;
      }
      runSliced(countJob(set, KEYS_CONTEXT, doc), function (err: any, n?: number) {
        try {
          if (err) throw err;
          requireThreshold(set, n as number, "key rotation " + ks.version);
        } catch (e) { persist(e); return; }
        set = ks;
        nextOne();
      });
    };
    nextOne();
  }

  /** Refusals and the no-download outcomes; null means: install this manifest. */
  private decide(m: Manifest): OtaResult | null {
    const now = trustedTime();
    const st = this.st;
    if (semverLess(VERSION, m.minLibrary)) {
      throw new EtError("OTA_LIBRARY_TOO_OLD", "store " + m.version + " needs library " + m.minLibrary + " or later; this is " + VERSION);
    }
    if (now >= m.expires) {
      throw new EtError("OTA_EXPIRED", "the manifest for store " + m.version + " expired at " + m.expires + " (now " + Math.floor(now) + ")", { expires: m.expires });
    }
    if (this.active !== null && m.version === st.version && m.sha256 === this.installedHash()) {
      if (m.expires <= st.expires) return { status: "current", version: m.version };
      // The same store, signed again with a later expiry: keeps a device current without a download.
      const s = copyState(st);
      s.created = m.created; s.expires = m.expires; s.sha256 = m.sha256;
      if (m.version > s.floor) s.floor = m.version;
      this.commit(s);
      return { status: "refreshed", version: m.version };
    }
    if (m.version < st.floor) {
      throw new EtError("OTA_ROLLBACK", "store " + m.version + " is older than store " + st.floor + ", the highest accepted: refused", { version: m.version, floor: st.floor });
    }
    if (m.version === st.floor) {
      throw new EtError("OTA_REPLAYED", "a manifest for store " + m.version + " was already accepted" +
        (st.rejected === m.version ? " and rolled back" : "") + ": refused (publish a higher version)", { version: m.version, floor: st.floor });
    }
    if (m.size > CA_STORE_BYTES) {
      throw new EtError("OTA_TOO_LARGE", "store " + m.version + " is " + m.size + " bytes; this board's CA store slot holds " + CA_STORE_BYTES, { size: m.size, limit: CA_STORE_BYTES });
    }
    const other = st.slot === 0 ? 1 : 0;
    const stor = storage();
    const stats = stor.getStats ? stor.getStats() : null;
    const avail = (stats ? stats.freeBytes + stats.trashBytes : stor.getFree()) + (slotSize(other) > 0 ? slotSize(other) : 0);
    const need = m.size + 256;
    if (avail < need) {
      throw new EtError("OTA_STORAGE_FULL", "store " + m.version + " needs " + need + " bytes of Storage, " + avail + " are free", { need: need, free: avail });
    }
    return null;
  }

  private installedHash(): string {
    if (!this.st.sha256 && this.active !== null) {
      try { this.st.sha256 = hashSlot(this.st.slot); } catch (e) { /* none */ }
    }
    return this.st.sha256;
  }

  private install(m: Manifest, finish: (err: any, res?: OtaResult) => void): void {
    const self = this;
    const cfg = this.cfg as OtaConfig;
    const other = this.st.slot === 0 ? 1 : 0;
    const name = SLOTS[other];
    const stor = storage();
    let received = 0, failed: any = null, over = false;
    const drop = function () { try { if (stor.read(name) !== undefined) stor.erase(name); } catch (e) { /* power cut */ } };
    const end = function (err: any) {
      if (over) return;
      over = true;
      if (failed === null && err) {
        const c = err.code;
        failed = c === "HTTP_TRUNCATED" || c === "TLS_TRUNCATED" ? wrap("OTA_TRUNCATED", "the store image download was cut short after " + received + " of " + m.size + " bytes", err)
          : c === "HTTP_TOO_LARGE" ? wrap("OTA_SIZE_MISMATCH", "the store image is larger than the manifest's " + m.size + " bytes", err)
          : wrap("OTA_DOWNLOAD_FAILED", "downloading the store image failed", err);
      }
      if (failed === null && received !== m.size) {
        failed = new EtError("OTA_TRUNCATED", "the store image download ended after " + received + " of " + m.size + " bytes");
      }
      if (failed !== null) {
        if (failed.code !== "POWER_CUT") drop();
        finish(failed);
        return;
      }
      self.verifyAndSwitch(m, other, finish);
    };
    let url: string;
    try {
      const u = resolveLocation(parseUrl(cfg.url), m.image);
      url = "https://" + (u.host.indexOf(":") >= 0 ? "[" + u.host + "]" : u.host) + ":" + u.port + u.path;
      this.setPhase("download");
      if (slotSize(other) >= 0) { stor.erase(name); forgetStores(); }
    } catch (e) { finish(e); return; }
    const req = get({ url: url, ca: this.serverCa(), keepAlive: false, maxBody: m.size, timeout: cfg.timeout }, function (res: IncomingMessage) {
      if (res.statusCode !== 200) failed = new EtError("OTA_DOWNLOAD_FAILED", "the image URL answered HTTP " + res.statusCode, { status: res.statusCode });
      res.on("data", function (d: string) {
        if (failed !== null || !d.length) return;
        if (received + d.length > m.size) {
          failed = new EtError("OTA_SIZE_MISMATCH", "the store image is larger than the manifest's " + m.size + " bytes");
          return;
        }
        let ok: any;
        try {
          ok = stor.write(name, d, received, m.size);
        } catch (e) {
          failed = (e as any).code === "POWER_CUT" ? e : wrap("OTA_WRITE_FAILED", "writing " + name + " failed", e);
          return;
        }
        if (!ok) { failed = new EtError("OTA_STORAGE_FULL", "Storage is full: " + name + " could not be written (" + m.size + " bytes)"); return; }
        received += d.length;
      });
      res.on("end", function () { end(null); });
    });
    req.on("error", function (e: any) { end(e); });
  }

  private verifyAndSwitch(m: Manifest, other: number, finish: (err: any, res?: OtaResult) => void): void {
    const self = this;
    const name = SLOTS[other];
    let store: CaStore;
    this.setPhase("verify");
    try {
      const h = hashSlot(other);
      if (h !== m.sha256) throw new EtError("OTA_HASH_MISMATCH", "the SHA-256 of " + name + " as written to flash does not match the manifest", { sha256: h, expected: m.sha256 });
      try { store = openSlot(other); } catch (e) { throw wrap("OTA_STORE_INVALID", "the downloaded store does not open", e); }
      if (store.version !== m.version) {
        throw new EtError("OTA_STORE_INVALID", "the downloaded store's header says version " + store.version + ", the manifest " + m.version);
      }
      const s = copyState(this.st);
      s.back = this.active !== null ? { slot: this.st.slot, version: this.st.version, created: this.st.created, expires: this.st.expires, sha256: this.st.sha256 } : null;
      s.slot = other; s.prev = this.active !== null ? this.st.slot : -1; s.trial = 1;
      s.version = m.version; s.floor = m.version; s.created = m.created; s.expires = m.expires; s.sha256 = m.sha256;
      this.commit(s);
    } catch (e) {
      if (!e || (e as any).code !== "POWER_CUT") { try { storage().erase(name); } catch (e2) { /* power cut */ } }
      finish(e);
      return;
    }
    this.active = store;
    this.fallback = false;
    this.switched("update");
    this.runHealth(function (err: any) {
      finish(err, { status: self.st.trial ? "trial" : "updated", version: m.version });
    });
  }

  /** After the active store changed: nothing verified under the old anchors is reused. */
  private switched(why: string): void {
    forgetStores();
    closeIdle();
    defaultChainCache.clear();
    defaultSessions.clear();
    caStoreSwitched(why);
    this.emit("switch", why, this.st.version);
  }

  /** In trial: confirms or rolls back (cb(null) when confirmed or still waiting for ota.confirm). */
  private runHealth(cb: (err: any) => void): void {
    const self = this;
    const cfg = this.cfg as OtaConfig;
    if (!this.st.trial) { cb(null); return; }
    const url = cfg.healthUrl || (cfg.ca ? "" : cfg.url);
    if (!cfg.healthCheck && !url) { cb(null); return; } // manual: ota.confirm() / ota.rollback()
    this.setPhase("health");
    const store = this.active as CaStore;
    const verdict = function (err: any) {
      if (!err) {
        try { self.confirm(); } catch (e) { cb(e); return; }
        cb(null);
        return;
      }
      if (err.code === "POWER_CUT") { cb(err); return; }
      if (!cfg.healthCheck && INCONCLUSIVE.indexOf(err.code) >= 0) {
        cb(wrap("OTA_HEALTH_INCONCLUSIVE", "the new store's health check could not run; it stays on trial", err));
        return;
      }
      const v = self.st.version;
      try { self.rollback(); } catch (e) { cb(e); return; }
      cb(wrap("OTA_HEALTH_FAILED", "store " + v + " failed its health check and was rolled back", err));
    };
    if (cfg.healthCheck) {
      try { cfg.healthCheck(store, verdict); } catch (e) { verdict(e); }
      return;
    }
    // A verified handshake trusting only the new store; a fresh connection (no kept-alive one).
    closeIdle();
    let answered = false;
    const req = get({ url: url, ca: store, keepAlive: false, maxBody: MAX_MANIFEST, timeout: cfg.timeout }, function () {
      if (answered) return;
      answered = true;
      verdict(null);
    });
    req.on("error", function (e: any) {
      if (answered) return;
      answered = true;
      verdict(e);
    });
  }

  /** Keeps the store on trial (after the application's own verified handshake with it). */
  confirm(): void {
    this.boot();
    if (!this.st.trial) return;
    const s = copyState(this.st);
    s.trial = 0; s.prev = -1; s.back = null;
    this.commit(s);
    this.emit("confirm", s.version);
  }

  /** Returns to the store kept while the active one is on trial. The trial version stays refused. */
  rollback(): void {
    this.boot();
    const st = this.st;
    if (!st.trial || st.prev < 0 || !st.back) throw new EtError("OTA_NO_ROLLBACK", "there is no previous store to return to");
    let old: CaStore;
    try { old = openSlot(st.prev); } catch (e) { throw wrap("OTA_NO_ROLLBACK", "the previous store does not open", e); }
    const s = copyState(st);
    const b = st.back;
    s.slot = st.prev; s.prev = -1; s.trial = 0; s.version = b.version; s.created = b.created; s.expires = b.expires;
    s.sha256 = b.sha256; s.rejected = st.version; s.back = null;
    this.commit(s);
    this.active = old;
    this.switched("rollback");
  }

  /** Periodic checks: the first after a random part of `jitter`, then every interval +- jitter
   *  (staleInterval while the installed manifest has expired). */
  start(cfg?: OtaConfig): void {
    if (cfg) this.configure(cfg);
    if (this.cfg === null) throw new EtError("OTA_NOT_CONFIGURED", "call ota.configure({ url }) first");
    this.stop();
    this.schedule(true);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.next = 0;
  }

  private schedule(first: boolean): void {
    const self = this;
    const c = this.cfg as OtaConfig;
    const jitter = c.jitter === undefined ? 3600 : c.jitter;
    const base = this.stale() ? (c.staleInterval || 3600) : (c.interval || 86400);
    let s = first ? fraction() * jitter : base + (fraction() * 2 - 1) * jitter;
    if (s < 1) s = 1;
    this.next = getTime() + s;
    this.timer = setTimeout(function () {
      self.timer = null;
      self.check(function () { if (self.next !== 0) self.schedule(false); });
    }, s * 1000);
  }
}

declare function getTime(): number;

/** GET url into a string of at most max bytes (HTTP 200 only). */
function fetchText(url: string, ca: any, max: number, timeout: number | undefined, cb: (err: any, text?: string) => void): void {
  let body = "", over = false;
  const once = function (err: any, text?: string) { if (over) return; over = true; cb(err, text); };
  let req;
  try {
    req = get({ url: url, ca: ca, keepAlive: false, maxBody: max, timeout: timeout }, function (res: IncomingMessage) {
      if (res.statusCode !== 200) { once(new EtError("HTTP_STATUS", "HTTP " + res.statusCode, { status: res.statusCode })); return; }
      res.on("data", function (d: string) { body += d; });
      res.on("end", function () { once(null, body); });
    });
  } catch (e) { once(e); return; }
  req.on("error", function (e: any) { once(e); });
}
