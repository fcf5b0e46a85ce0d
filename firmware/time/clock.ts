// The time certificate validation may trust (issue 5): require("espruino-tls").clock.
//
// Trusted time, in order:
//   "sync"       getTime() + the offset found by the last successful sync(), when that is not
//                below the floor. On boards whose profile says setTime() works (CAN_SET_TIME),
//                sync() also sets the board clock; the offset is re-measured after setTime, so
//                on Linux (where setTime does nothing) the offset is simply kept.
//   "board"      getTime() itself when it is at least the floor (the application set the clock,
//                or it survived a soft reset).
//   "floor-only" the floor, when the application opted in with acceptFloorOnly(true): then
//                validation runs at max(getTime(), floor) and status()/lastValidation say so.
//   otherwise    now() throws EtError TIME_UNKNOWN, and so does the TLS client's validator.
//
// The floor is the highest of: the bundle's BUILD_TIME, the floor kept in Storage (floor.ts),
// and what verified sources raised it to in this boot. It is never lowered. Raised by:
//   - a sync whose chosen time is vouched for: at least `agree` (default 2) sources agree
//     within `tolerance`, or a source marked `verified` (e.g. the Date header of a verified
//     HTTPS response) is among them: to the lowest time in the agreeing group;
//   - a certificate chain that validated: to the latest notBefore on its path (a CA signed
//     that the time was past it), and to the validation time itself when that time came from
//     a vouched-for sync. A time from the board clock, from floor-only mode or from a single
//     unauthenticated SNTP answer never raises it beyond the notBefore.
// A sync answer below the floor (by more than the tolerance) is refused: TIME_BELOW_FLOOR.
// Storage is written only when the floor rises by at least FLOOR_STEP over the stored one
// (flash wear); the floor in RAM rises at once.
//
// Time sources are pluggable: { name, verified?, query(cb(err, unixSeconds)) }. SNTP servers
// given to sync() become such sources; addSource() adds the application's own.
import { BUILD_TIME, CAN_SET_TIME } from "../board";
import { EtError } from "../errors";
import { sntpQuery } from "./sntp";
import type { NtpServer, SntpOptions, SntpSample } from "./sntp";
import { readFloor, writeFloor } from "./floor";
import type { FloorRecord } from "./floor";
import { daysFromCivil } from "../x509/cert";

declare function getTime(): number;
declare function setTime(t: number): void;

export interface TimeSource {
  name: string;
  /** The answer is authenticated (e.g. from a verified TLS connection): it may raise the floor alone. */
  verified?: boolean;
  /** Calls back once with (null, Unix seconds) or (error). */
  query(cb: (err: any, seconds?: number) => void): void;
}

export interface SyncOptions extends SntpOptions {
  /** Sources that must agree before an unverified sync raises the floor (default 2). */
  agree?: number;
  /** Seconds within which answers agree (default 10). */
  tolerance?: number;
  /** Extra sources for this sync only (after the SNTP servers and the added sources). */
  sources?: TimeSource[];
  /** Milliseconds an application source may take (default 60000). */
  sourceTimeout?: number;
  /** Set the board clock on boards that can (default true). */
  setTime?: boolean;
}

export interface SourceReport {
  name: string;
  verified: boolean;
  ok: boolean;
  /** Unix seconds the source gave (at the end of the sync), when it answered. */
  time?: number;
  /** Its offset from getTime(), seconds. */
  offset?: number;
  /** SNTP only: round-trip delay (s), stratum, requests sent. */
  delay?: number;
  stratum?: number;
  attempts?: number;
  /** Why it was not used. */
  code?: string;
  error?: string;
}

export interface SyncResult {
  /** The trusted time now (Unix seconds). */
  time: number;
  /** Trusted time minus getTime(), seconds. */
  offset: number;
  /** Sources in the agreeing group the time came from. */
  agreed: number;
  /** The group met `agree` or held a verified source: the floor was raised from it. */
  vouched: boolean;
  floorRaised: boolean;
  /** setTime() was called (boards with CAN_SET_TIME). */
  setTime: boolean;
  sources: SourceReport[];
}

export interface ClockStatus {
  /** "sync", "board", "floor-only" or "unknown" (see the top of clock.ts). */
  basis: string;
  /** A time from a sync or the board clock is available (not floor-only, not unknown). */
  trusted: boolean;
  /** What now() returns, or null when it would throw TIME_UNKNOWN. */
  time: number | null;
  boardTime: number;
  floor: number;
  /** Where the floor comes from: "build", "storage", "sync", "certificate", "validation". */
  floorSource: string;
  /** Floor in the Storage slots (0 when none). */
  storedFloor: number;
  /** Last floor write: "none", "written" or "failed: why". */
  floorFile: string;
  buildTime: number;
  floorOnly: boolean;
  canSetTime: boolean;
  synced: boolean;
  /** Trusted time minus getTime() from the last sync (0 before any). */
  offset: number;
  lastSync: SyncResult | null;
  /** The last certificate validation's time and its basis. */
  lastValidation: { time: number; basis: string } | null;
  sources: string[];
}

/** Storage is rewritten when the floor rises at least this far (seconds) above the stored one. */
export const FLOOR_STEP = 3600;
/** Most SNTP servers plus sources one sync asks. */
const MAX_SOURCES = 8;
const MAX_FLOOR = 4294967295;

let rec: FloorRecord | null = null;
let floorMem = BUILD_TIME;
let floorFrom = "build";
let floorFile = "none";
let synced = false;
let vouched = false;
let offset = 0;
let floorOnly = false;
let busy = false;
let lastSync: SyncResult | null = null;
let lastValidation: { time: number; basis: string } | null = null;
const added: TimeSource[] = [];

function loadFloor(): FloorRecord {
  if (rec === null) {
    rec = readFloor();
    if (rec.floor > floorMem) { floorMem = rec.floor; floorFrom = "storage"; }
  }
  return rec;
}

/** Raises the floor to t (never lowers it); persists it when it rose FLOOR_STEP over the stored floor. */
function raiseFloor(t: number, why: string): boolean {
  const r = loadFloor();
  t = Math.floor(t);
  if (!(t > floorMem) || t > MAX_FLOOR) return false;
  floorMem = t;
  floorFrom = why;
  const stored = r.floor > BUILD_TIME ? r.floor : BUILD_TIME;
  if (t >= stored + FLOOR_STEP) {
    const e = writeFloor(r, t);
    floorFile = e === "" ? "written" : "failed: " + e;
  }
  return true;
}

/** The trusted time and its basis; basis "unknown" when there is none. */
function reading(): { time: number; basis: string } {
  loadFloor();
  const b = getTime();
  if (synced && b + offset >= floorMem) return { time: b + offset, basis: "sync" };
  if (b >= floorMem) return { time: b, basis: "board" };
  if (floorOnly) return { time: floorMem, basis: "floor-only" };
  return { time: -1, basis: "unknown" };
}

function unknown(b: number): EtError {
  return new EtError("TIME_UNKNOWN", "the time is unknown: the board clock reads " + Math.floor(b) + ", below the trusted floor " + floorMem +
    " (" + floorFrom + "), and no sync succeeded; call clock.sync(servers, cb), set the clock, or opt in with clock.acceptFloorOnly(true)",
    { boardTime: b, floor: floorMem });
}

/** Seconds since 1970 that certificate validation may trust; throws EtError TIME_UNKNOWN. */
export function now(): number {
  const r = reading();
  if (r.basis === "unknown") throw unknown(getTime());
  return r.time;
}

/** For the TLS validator: the time and its basis (recorded as lastValidation); throws TIME_UNKNOWN. */
export function validationClock(): { time: number; basis: string } {
  const r = reading();
  if (r.basis === "unknown") throw unknown(getTime());
  lastValidation = r;
  return r;
}

/** After a chain validated at v: the floor rises to the path's latest notBefore, and to v.time
 *  when v came from a vouched-for sync. */
export function noteValidated(v: { time: number; basis: string }, notBefore: number): void {
  if (notBefore <= v.time) raiseFloor(notBefore, "certificate");
  if (v.basis === "sync" && vouched) raiseFloor(v.time, "validation");
}

export function acceptFloorOnly(on: boolean): void {
  floorOnly = !!on;
}

function checkSource(s: TimeSource): void {
  if (!s || typeof s.name !== "string" || typeof s.query !== "function") throw new EtError("TIME_BAD_SOURCE", "a time source is { name: string, verified?: boolean, query(cb) }");
}

export function addSource(s: TimeSource): void {
  checkSource(s);
  for (let i = 0; i < added.length; i++) if (added[i].name === s.name) { added[i] = s; return; }
  added.push(s);
}

export function removeSource(name: string): boolean {
  for (let i = 0; i < added.length; i++) if (added[i].name === name) { added.splice(i, 1); return true; }
  return false;
}

/** Unix seconds of an HTTP IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), or NaN. */
export function parseHttpDate(s: any): number {
  if (typeof s !== "string" || s.length !== 29 || s.substr(3, 2) !== ", " || s.substr(25) !== " GMT") return NaN;
  const m = " JanFebMarAprMayJunJulAugSepOctNovDec".indexOf(s.substr(8, 3));
  const n = function (o: number, l: number): number {
    let v = 0;
    for (let i = o; i < o + l; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      v = v * 10 + c;
    }
    return v;
  };
  const d = n(5, 2), y = n(12, 4), h = n(17, 2), mi = n(20, 2), se = n(23, 2);
  if (m < 1 || (m - 1) % 3 !== 0 || s.charAt(7) !== " " || s.charAt(11) !== " " || s.charAt(16) !== " " || s.charAt(19) !== ":" || s.charAt(22) !== ":") return NaN;
  if (d < 1 || d > 31 || y < 1970 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) return NaN;
  return daysFromCivil(y, (m - 1) / 3 + 1, d) * 86400 + h * 3600 + mi * 60 + se;
}

interface Entry { src: TimeSource | null; server: NtpServer | null; report: SourceReport }

/**
 * Asks every SNTP server (in order, each with bounded retries) and every time source, then takes
 * the largest group of answers that agree within `tolerance`, preferring groups with verified
 * sources; two disjoint groups equally good is TIME_SOURCES_DISAGREE. cb(null, SyncResult) or
 * cb(EtError TIME_SYNC_FAILED | TIME_SOURCES_DISAGREE | TIME_SYNC_BUSY | TIME_NO_SOURCES), detail.sources.
 */
export function sync(servers: NtpServer[] | null, a?: any, b?: any): void {
  const cb: (err: EtError | null, r?: SyncResult) => void = typeof a === "function" ? a : b;
  const o: SyncOptions = typeof a === "function" || !a ? {} : a;
  if (typeof cb !== "function") throw new EtError("TIME_BAD_ARGUMENT", "clock.sync(servers, [options], cb): cb is missing");
  const later = function (err: EtError | null, r?: SyncResult) { setTimeout(function () { if (err !== null) cb(err); else cb(null, r); }, 0); };
  const list: Entry[] = [];
  const srv = servers || [];
  for (let i = 0; i < srv.length; i++) {
    const s = srv[i];
    if (!s || typeof s.host !== "string" || !s.host || (s.port !== undefined && !(s.port >= 1 && s.port <= 65535 && s.port === Math.floor(s.port)))) {
      throw new EtError("TIME_BAD_ARGUMENT", "server " + i + " must be { host: string, port?: 1..65535 }");
    }
    list.push({ src: null, server: s, report: { name: "sntp " + s.host + ":" + (s.port || 123), verified: false, ok: false } });
  }
  const extra = o.sources || [];
  for (let i = 0; i < added.length + extra.length; i++) {
    const s = i < added.length ? added[i] : extra[i - added.length];
    checkSource(s);
    list.push({ src: s, server: null, report: { name: s.name, verified: !!s.verified, ok: false } });
  }
  if (!list.length) { later(new EtError("TIME_NO_SOURCES", "clock.sync: no SNTP server and no time source given")); return; }
  if (list.length > MAX_SOURCES) throw new EtError("TIME_BAD_ARGUMENT", "clock.sync: at most " + MAX_SOURCES + " servers and sources");
  if (busy) { later(new EtError("TIME_SYNC_BUSY", "clock.sync: a sync is already running")); return; }
  busy = true;
  const agree = o.agree === undefined ? 2 : o.agree;
  const tol = o.tolerance === undefined ? 10 : o.tolerance;
  const srcTimeout = o.sourceTimeout || 60000;
  let idx = 0;

  const summary = function (): string {
    let t = "";
    for (let i = 0; i < list.length; i++) {
      const r = list[i].report;
      t += (i ? "; " : "") + r.name + ": " + (r.ok ? "ok" : r.code + (r.error ? " (" + r.error + ")" : ""));
    }
    return t;
  };
  const reports = function (): SourceReport[] {
    const out: SourceReport[] = [];
    const b0 = getTime();
    for (let i = 0; i < list.length; i++) {
      const r = list[i].report;
      if (r.offset !== undefined) r.time = b0 + r.offset;
      out.push(r);
    }
    return out;
  };
  const decide = function () {
    busy = false;
    loadFloor();
    // Answers below the floor are refused.
    const okIdx: number[] = [];
    const b0 = getTime();
    for (let i = 0; i < list.length; i++) {
      const r = list[i].report;
      if (!r.ok) continue;
      if (b0 + (r.offset as number) < floorMem - tol) {
        r.ok = false;
        r.code = "TIME_BELOW_FLOOR";
        r.error = "answer " + Math.floor(b0 + (r.offset as number)) + " is below the trusted floor " + floorMem + " (" + floorFrom + ")";
        continue;
      }
      okIdx.push(i);
    }
    if (!okIdx.length) {
      cb(new EtError("TIME_SYNC_FAILED", "no time source gave a usable answer: " + summary(), { sources: reports() }));
      return;
    }
    okIdx.sort(function (x: number, y: number) { return (list[x].report.offset as number) - (list[y].report.offset as number); });
    // Windows of answers within `tol` of their lowest one; best = most verified, then most members.
    let best = -1, bestEnd = -1, bestScore = -1, tie = false;
    for (let i = 0; i < okIdx.length; i++) {
      let j = i, ver = 0;
      const lo = list[okIdx[i]].report.offset as number;
      while (j + 1 < okIdx.length && (list[okIdx[j + 1]].report.offset as number) - lo <= tol) j++;
      for (let k = i; k <= j; k++) if (list[okIdx[k]].report.verified) ver++;
      const score = ver * 100 + (j - i + 1);
      if (score > bestScore) { best = i; bestEnd = j; bestScore = score; tie = false; }
      else if (score === bestScore && i > bestEnd) tie = true;
    }
    if (tie) {
      cb(new EtError("TIME_SOURCES_DISAGREE", "time sources disagree by more than " + tol + " s and none outnumbers the others: " + summary(), { sources: reports() }));
      return;
    }
    const n = bestEnd - best + 1;
    const mid = best + (n >> 1);
    let off = n % 2 ? list[okIdx[mid]].report.offset as number : ((list[okIdx[mid - 1]].report.offset as number) + (list[okIdx[mid]].report.offset as number)) / 2;
    const lowest = list[okIdx[best]].report.offset as number;
    for (let k = 0; k < okIdx.length; k++) if (k < best || k > bestEnd) {
      const r = list[okIdx[k]].report;
      r.ok = false;
      r.code = "TIME_OUTLIER";
      r.error = "more than " + tol + " s from the agreeing group";
    }
    const v = bestScore >= 100 || n >= agree;
    if (getTime() + off < floorMem) off = floorMem - getTime(); // within the tolerance below it
    let didSet = false;
    if (CAN_SET_TIME && o.setTime !== false) {
      const target = getTime() + off;
      try { setTime(target); didSet = true; } catch (e) { didSet = false; }
      off = target - getTime();
      if (off > -0.5 && off < 0.5) off = 0;
    }
    synced = true;
    vouched = v;
    offset = off;
    const raised = v ? raiseFloor(getTime() + lowest, "sync") : false;
    const res: SyncResult = { time: getTime() + off, offset: off, agreed: n, vouched: v, floorRaised: raised, setTime: didSet, sources: reports() };
    lastSync = res;
    cb(null, res);
  };
  let step: () => void = function () {};
  const done = function (e: Entry, err: any, offsetOrNull: number | null, sample: SntpSample | null) {
    const r = e.report;
    if (err) {
      r.code = err && err.code ? String(err.code) : "TIME_SOURCE_FAILED";
      r.error = err && err.message ? String(err.message) : String(err);
    } else {
      r.ok = true;
      r.offset = offsetOrNull as number;
      if (sample !== null) { r.delay = sample.delay; r.stratum = sample.stratum; r.attempts = sample.attempts; }
    }
    setTimeout(step, 0);
  };
  step = function () {
    if (idx >= list.length) { decide(); return; }
    const e = list[idx++];
    if (e.server !== null) {
      sntpQuery(e.server, o, function (err: EtError | null, s?: SntpSample) {
        if (err !== null) {
          if (err.detail) e.report.attempts = err.detail.attempts;
          done(e, err, null, null);
        } else done(e, null, (s as SntpSample).offset, s as SntpSample);
      });
      return;
    }
    let answered = false;
    const timer = setTimeout(function () {
      if (answered) return;
      answered = true;
      done(e, new EtError("TIME_SOURCE_TIMEOUT", "no answer within " + srcTimeout + " ms"), null, null);
    }, srcTimeout);
    try {
      (e.src as TimeSource).query(function (err: any, sec?: number) {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        if (err) done(e, err, null, null);
        else if (typeof sec !== "number" || !(sec > 0 && sec < MAX_FLOOR)) done(e, new EtError("TIME_BAD_SOURCE", "answer " + sec + " is not Unix seconds"), null, null);
        else done(e, null, sec - getTime(), null);
      });
    } catch (x: any) {
      if (!answered) { answered = true; clearTimeout(timer); done(e, x, null, null); }
    }
  };
  step();
}

export function status(): ClockStatus {
  const r = reading();
  const names: string[] = [];
  for (let i = 0; i < added.length; i++) names.push(added[i].name);
  return {
    basis: r.basis,
    trusted: r.basis === "sync" || r.basis === "board",
    time: r.basis === "unknown" ? null : r.time,
    boardTime: getTime(),
    floor: floorMem,
    floorSource: floorFrom,
    storedFloor: (rec as FloorRecord).floor,
    floorFile: floorFile,
    buildTime: BUILD_TIME,
    floorOnly: floorOnly,
    canSetTime: CAN_SET_TIME,
    synced: synced,
    offset: offset,
    lastSync: lastSync,
    lastValidation: lastValidation,
    sources: names,
  };
}

/** require("espruino-tls").clock */
export const clock = {
  now: now,
  sync: sync,
  status: status,
  acceptFloorOnly: acceptFloorOnly,
  addSource: addSource,
  removeSource: removeSource,
  parseHttpDate: parseHttpDate,
};
