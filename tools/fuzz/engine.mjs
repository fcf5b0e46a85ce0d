// Shared pieces of the fuzz targets: the verdict on an exception (the library's coded errors are
// the only allowed ones), byte-level mutations of seed inputs as fast-check arbitraries (so a
// failing input shrinks to a small list of edits), and the board mock with a synchronous timer
// queue (a whole sliced job or handshake runs inside one call, so the per-input time limit
// covers it and runs are deterministic).
import fc from "fast-check";
import { loadFirmware } from "../../test/helpers/firmware.mjs";
import { fuzzBundlePath, memoHook } from "./memo.mjs";

/** An invariant broken by an input (not an exception the library threw). */
export class Violation extends Error {}

/** The library's own errors: EtError objects, `code` an UPPER_CASE string; never Error objects. */
export function isCoded(e) {
  return !!e && typeof e === "object" && Object.prototype.toString.call(e) !== "[object Error]" &&
    typeof e.code === "string" && /^[A-Z][A-Z0-9_]*$/.test(e.code) && typeof e.message === "string";
}

/** Throws a Violation for anything but a coded error. */
export function mustBeCoded(e, where) {
  if (isCoded(e)) return e;
  if (e instanceof Violation) throw e;
  const v = new Violation(`${where}: uncoded exception ${e && e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : String(e)}`);
  v.cause = e;
  throw v;
}

/** Runs f; returns its result, or the coded error it threw (anything else is a Violation). */
export function coded(f, where) {
  try { return { ok: f() }; } catch (e) { return { err: mustBeCoded(e, where) }; }
}

/** The test bundle, with its public-key primitives remembered by input bytes (memo.mjs), in a
 *  board mock whose timers are a queue drained by drain(). fw.memo.stats counts memo hits. */
export async function fuzzFirmware() {
  let realm = null;
  const memo = memoHook({ u8: (b) => realm.u8(b) });
  const fw = await loadFirmware({ board: "linux", file: await fuzzBundlePath("linux"), globals: { __fuzzMemo: memo.hook } });
  realm = fw.board.realm;
  fw.memo = memo;
  const queue = [];
  const ctx = fw.board.context;
  let id = 0;
  ctx.setTimeout = (fn, ms, ...args) => { const h = { id: ++id, fn, args }; queue.push(h); return h; };
  ctx.clearTimeout = (h) => { const i = queue.indexOf(h); if (i >= 0) queue.splice(i, 1); };
  /** Runs queued timers until none is left (at most `limit` of them). */
  fw.drain = (limit = 1e6) => {
    for (let n = 0; queue.length; n++) {
      if (n >= limit) throw new Violation(`more than ${limit} timer callbacks`);
      const h = queue.shift();
      h.fn(...h.args);
    }
  };
  fw.clearTimers = () => { queue.length = 0; };
  return fw;
}

const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0x81, 0x82, 0xfe, 0xff];

/** One byte-level edit: positions are taken modulo the length, so any edit applies to any input. */
export const byteEdit = fc.oneof(
  fc.record({ k: fc.constant("flip"), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ k: fc.constant("set"), at: fc.nat(), v: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat(255)) }),
  fc.record({ k: fc.constant("insert"), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ k: fc.constant("delete"), at: fc.nat(), n: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ k: fc.constant("copy"), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }), to: fc.nat() }),
  fc.record({ k: fc.constant("truncate"), at: fc.nat() }),
  fc.record({ k: fc.constant("splice"), other: fc.nat(), at: fc.nat(), from: fc.nat() }),
  fc.record({ k: fc.constant("len"), at: fc.nat(), v: fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffff) }),
);

export function applyEdits(seed, edits, seeds) {
  let b = Uint8Array.from(seed);
  for (const e of edits) {
    const L = b.length;
    const at = L ? e.at % L : 0;
    if (e.k === "flip") { if (L) b[at] ^= 1 << e.bit; }
    else if (e.k === "set") { if (L) b[at] = e.v; }
    else if (e.k === "insert") b = cat(b.subarray(0, at), e.bytes, b.subarray(at));
    else if (e.k === "delete") b = cat(b.subarray(0, at), b.subarray(at + e.n));
    else if (e.k === "copy") { const part = b.slice(at, at + e.n); const to = L ? e.to % L : 0; b = cat(b.subarray(0, to), part, b.subarray(to)); }
    else if (e.k === "truncate") b = b.slice(0, at);
    else if (e.k === "splice") { const o = seeds[e.other % seeds.length]; b = cat(b.subarray(0, at), o.subarray(o.length ? e.from % o.length : 0)); }
    else if (e.k === "len") {
      // a big-endian length-like field of 1-3 bytes
      if (L) { if (e.v > 0xffff && at + 2 < L) { b[at] = e.v >> 16; b[at + 1] = (e.v >> 8) & 255; b[at + 2] = e.v & 255; } else if (e.v > 0xff && at + 1 < L) { b[at] = e.v >> 8; b[at + 1] = e.v & 255; } else b[at] = e.v & 255; }
    }
  }
  return b;
}

export function cat(...parts) {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Inputs: a seed with 1-6 edits (most), the seed itself, or random bytes. */
export function mutations(seeds, { maxRandom = 512 } = {}) {
  if (!seeds.length) throw new Error("a target needs at least one seed");
  return fc.oneof(
    { weight: 16, arbitrary: fc.tuple(fc.nat(seeds.length - 1), fc.array(byteEdit, { minLength: 1, maxLength: 6 })).map(([i, ed]) => applyEdits(seeds[i], ed, seeds)) },
    { weight: 1, arbitrary: fc.nat(seeds.length - 1).map((i) => Uint8Array.from(seeds[i])) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) },
  );
}

export const latin1 = (b) => Buffer.from(b).toString("latin1");
export const fromLatin1 = (s) => new Uint8Array(Buffer.from(s, "latin1"));
