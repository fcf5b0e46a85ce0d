// The fuzz targets' bundle: the test bundle (firmware/testing.ts) built with the public-key
// primitives below remembered by their exact input bytes. A fuzz input repeats the same
// signatures and key exchanges thousands of times (one recorded flight, one chain, one OTA
// key): each costs a few ms in the mock, and the parsers and state machines being fuzzed run
// in microseconds. The firmware's code still runs for every combination of bytes it has not
// seen in this worker; an answer taken from the memo is the firmware's own earlier answer for
// the same bytes (these functions depend on nothing else: same curve or hash object, same
// bytes, same result). Only results are remembered, never exceptions (a refused key or point
// throws again every time).
//
// The build renames each `export function NAME(` of the listed modules to NAME$raw and exports
// NAME = __fuzzMemo("NAME", args, NAME$raw) instead, so every caller inside the bundle goes
// through the memo; __fuzzMemo is a global the fuzz board defines (memoHook below). Argument
// kinds: b = bytes (a typed array), o = an object compared by identity (module constants: a
// curve, a hash), n = a number.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { buildBoard } from "../build.mjs";
import { ROOT } from "./paths.mjs";
import { newestMtime } from "../lib/paths.mjs";

export const MEMO = [
  { file: "firmware/crypto/x25519.ts", name: "x25519Job", args: "bb" },
  { file: "firmware/crypto/x25519.ts", name: "x25519BaseJob", args: "b" },
  { file: "firmware/crypto/ecdh.ts", name: "ecdhJob", args: "obb" },
  { file: "firmware/crypto/ecdh.ts", name: "ecPublicKeyJob", args: "ob" },
  { file: "firmware/crypto/ecdsa.ts", name: "ecdsaVerifyJob", args: "obbb" },
  { file: "firmware/crypto/ed25519.ts", name: "ed25519VerifyJob", args: "bbb" },
  { file: "firmware/crypto/rsa.ts", name: "rsaVerifyPkcs1Job", args: "bbobb" },
  { file: "firmware/crypto/rsa.ts", name: "rsaVerifyPssJob", args: "bbobbn" },
];

/** Rollup plugin (before the TypeScript one): the renaming described above. */
export function memoPlugin(list = MEMO) {
  return {
    name: "fuzz-memo",
    transform(code, id) {
      const mine = list.filter((m) => id === path.join(ROOT, m.file));
      if (!mine.length) return null;
      let out = code;
      for (const m of mine) {
        const head = `export function ${m.name}(`;
        if (out.split(head).length !== 2) throw new Error(`fuzz memo: ${m.file} has no single "${head}"`);
        out = out.replace(head, `function ${m.name}$raw(`);
        out += `\nexport const ${m.name} = __fuzzMemo(${JSON.stringify(m.name)}, ${JSON.stringify(m.args)}, ${m.name}$raw);\n`;
      }
      return { code: out + "declare const __fuzzMemo: any;\n", map: null };
    },
  };
}


/** The fuzz bundle for the current sources (fuzz-out/bundle/, built when missing). */
export async function fuzzBundlePath(board = "linux") {
  const stamp = Math.max(newestMtime(path.join(ROOT, "firmware")), newestMtime(path.join(ROOT, "boards")), statSync(new URL(import.meta.url)).mtimeMs, statSync(path.join(ROOT, "rollup.config.mjs")).mtimeMs);
  const dir = path.join(ROOT, "fuzz-out", "bundle");
  const file = path.join(dir, `${board}-${Math.floor(stamp)}.js`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  // Built under a name of its own, then renamed: workers of parallel runs may build it at once.
  const tmp = path.join(dir, `.${board}-${process.pid}-${Math.random().toString(36).slice(2)}`, "espruino-tls-fuzz.js");
  await buildBoard(board, { test: true, quiet: true, file: tmp, plugins: [memoPlugin()] });
  renameSync(tmp + ".map", file + ".map");
  renameSync(tmp, file);
  rmSync(path.dirname(tmp), { recursive: true, force: true });
  // Older builds for this board go (a running worker has read its own already).
  for (const f of readdirSync(dir)) if (f.startsWith(board + "-") && !file.endsWith(f) && !file.endsWith(f.replace(/\.map$/, ""))) rmSync(path.join(dir, f), { force: true });
  return file;
}

/**
 * The host side: __fuzzMemo(name, kinds, raw) returns raw wrapped so that a call with bytes
 * already seen gives a finished Job with (a fresh copy of) the remembered result. `realm` is the
 * board mock's (results are handed back as its Uint8Arrays); `stats` counts hits and misses.
 */
export function memoHook(realm, stats = { hits: 0, misses: 0 }, max = 50000) {
  const cache = new Map();
  const ids = new WeakMap();
  let nextId = 0;
  const idOf = (o) => { let i = ids.get(o); if (i === undefined) { i = ++nextId; ids.set(o, i); } return i; };
  const hook = function (name, kinds, raw) {
    return function (...args) {
      const h = createHash("sha256").update(name);
      for (let i = 0; i < kinds.length; i++) {
        const a = args[i], k = kinds[i];
        if (k === "b") {
          if (!a || typeof a.byteLength !== "number") throw new Error(`fuzz memo: ${name} argument ${i} is not bytes`);
          h.update(`|b${a.byteLength}:`).update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
        } else if (k === "o") {
          if (!a || typeof a !== "object") throw new Error(`fuzz memo: ${name} argument ${i} is not an object`);
          h.update(`|o${idOf(a)}`);
        } else h.update(`|n${String(a)}`);
      }
      if (args.length !== kinds.length) h.update(`|${args.length} arguments`);
      const key = h.digest("latin1");
      if (cache.has(key)) {
        stats.hits++;
        const v = cache.get(key);
        const value = typeof v === "boolean" ? v : realm.u8(v);
        return { step: () => true, result: () => value };
      }
      stats.misses++;
      const job = raw(...args);
      let done = false;
      return {
        step() {
          if (done) return true;
          if (!job.step()) return false;
          done = true;
          const r = job.result();
          if (cache.size >= max) cache.clear();
          if (typeof r === "boolean") cache.set(key, r);
          else if (r && typeof r.byteLength === "number") cache.set(key, Uint8Array.from(r));
          return true;
        },
        result: () => job.result(),
      };
    };
  };
  return { hook, stats, cache };
}
