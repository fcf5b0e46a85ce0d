// Lazy layers inside the one bundle (README "Lazy layers").
//
// Rollup splits firmware/ into chunks: one per layer below (built from its folder or files) and
// "core" (everything else). The Storage file is still ONE file:
//
//   <preamble: layer table, lazy accessors>  <core chunk>  <entry chunk>  \0  <layer> \0 <layer> ...
//
// `require("espruino-tls")` evaluates up to the first NUL byte: the interpreter's lexer reads NUL
// as end of input (measured on 2v29, 32-bit ESP32 layout). The layers after it are evaluated only
// when first needed, from `require("Storage").read(file, offset, length)`: a flash string, so the
// functions they define keep their text in flash (FACTS §5). firmware/layers.ts is the loader.
//
// A section is a function BODY (its 4 parameter names are in the table), run through
// `new Function(a, b, c, d, flashString)`, not an `eval` of `(function(a,b,c,d){...})`: a
// function the interpreter creates stores its scope chain, and where that chain has more than
// one scope (eval runs in the caller's scope, inside the loader inside the core's wrapper) each
// function gets a copy of it: 3-4 JsVars more per function of the layer (measured on the ESP32
// layout: 200 one-line functions cost 2,215 JsVars through eval inside a function, 1,608
// through new Function). A Function made from a string has no scope of its own, so the
// functions of its body store one scope, as a module's top-level functions do.
//
// Inside a chunk, rollup's CommonJS output reads another chunk's bindings as `ns.name` through a
// namespace variable `var ns = require('./x509.js')`. The build blanks those declarations (same
// length, so source maps stay right) and esbuild's `define` turns `ns` into `$C` (the core's
// exports, resident) or `$L.a` (a getter that loads the layer on demand): no chunk holds a
// reference to a layer, so a layer nobody uses any more is collected.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./paths.mjs";
import { decode, encode } from "../compat/fixups.mjs";

/** Layer name -> files (relative to firmware/, a trailing "/" is a whole folder). Everything
 *  else is the resident core. A layer must hold no state that outlives a request (it is dropped
 *  and evaluated again later): module-level caches may be lost, nothing else. */
export const LAYERS = {
  x509: ["x509/"],
  rsa: ["crypto/rsa.ts", "crypto/rsa-sign.ts", "crypto/rsa-blind.ts", "crypto/modpow.ts", "crypto/bignum.ts", "crypto/montmul48.ts", "tls/rsakex.ts"],
  ec: ["crypto/ecurve.ts", "crypto/ecfield.ts", "crypto/ecdsa.ts", "crypto/ecdh.ts", "crypto/ecbase.ts", "crypto/ecdsa-sign.ts"],
  c25519: ["crypto/x25519.ts", "crypto/ed25519.ts", "crypto/field25519.ts", "crypto/ed25519-sign.ts"],
  gcm: ["crypto/gcm.ts", "crypto/aes.ts", "crypto/aes-native.ts", "crypto/aes-portable.ts"],
  chacha: ["crypto/chacha20.ts", "crypto/poly1305.ts", "crypto/chacha20poly1305.ts"],
  identity: ["identity/"],
  mqtt: ["mqtt/"],
  // TLS 1.3 and 1.2 together: every ClientHello offers both, so 1.2's code is read by each handshake
  tls: ["tls/", "crypto/prf12.ts", "crypto/hkdf.ts"],
  https: ["https/"],
  time: ["time/sntp.ts", "time/floor.ts"],
  castore: ["castore/"],
  ota: ["ota/"],
  // the test bundle's internals (firmware/testing/): read at its require by nothing
  internals: ["testing/"],
};
/** Files inside a layer's folder that stay in the core: they hold state that outlives a request
 *  (session and chain caches, precomputed key shares). */
export const RESIDENT = ["tls/resume.ts", "tls/chaincache.ts", "tls/precompute.ts",
  // the OTA state record and switch listeners: read by every CA store open, kept by the updater
  "ota/active.ts", "ota/state.ts", "ota/hooks.ts"];

const FIRMWARE = path.join(ROOT, "firmware") + path.sep;
/** The device API module: in the entry chunk also when the test build's entry re-exports it. */
const API = path.join(ROOT, "firmware", "index.ts");

/** The layer a module belongs to, or "core". */
export function layerOf(id) {
  if (!id.startsWith(FIRMWARE)) return "core";
  const rel = id.slice(FIRMWARE.length).split(path.sep).join("/");
  if (RESIDENT.includes(rel)) return "core";
  for (const [name, files] of Object.entries(LAYERS)) {
    for (const f of files) if (f.endsWith("/") ? rel.startsWith(f) : rel === f) return name;
  }
  return "core";
}

/** rollup manualChunks: one chunk per layer, the rest in "core". */
export function manualChunks(id) {
  return layerOf(id);
}

/** The short key of a layer's getter in $L (a, b, ...: every reference to a layer carries it). */
export function layerKey(name) {
  const i = Object.keys(LAYERS).indexOf(name);
  if (i < 0) throw new Error(`no layer ${name}`);
  return String.fromCharCode(97 + i);
}

/** Per-chunk rewrite before minification: blanks `var ns = require('./chunk.js');` and returns
 *  the esbuild `define` that maps each namespace to $C (core) or $L.<key> (a layer). Every chunk
 *  but the entry is then wrapped in `function(exports,$L,$C,$Y){...}` on lines of its own, so that
 *  the minifier shortens `exports`, `$L`, `$C` and its top-level names like any local; finish()
 *  takes the wrapping assignment off again and moves the map back by the added line. */
export function chunkImports(code, chunk) {
  const define = {};
  const RE = /^(?:var|const|let) ([\w$]+) = require\(['"]\.\/([\w-]+)\.js['"]\);$/gm;
  const blanked = code.replace(RE, (line, ns, name) => {
    define[ns] = name === "core" ? "$C" : "$L." + layerKey(name);
    return " ".repeat(line.length);
  });
  // bare `require('./x.js');`: rollup's execution order of chunks; layers run when first needed
  const bare = blanked.replace(/^require\(['"]\.\/[\w-]+\.js['"]\);$/gm, (line) => " ".repeat(line.length));
  // `class X extends ns.Y`: the interpreter takes only an identifier after `extends` (FACTS-style
  // finding: "'extends' argument should be a function"), so the superclass gets an alias declared
  // on the wrapper's line; the reference is padded to its old length (the map stays right).
  const aliases = [];
  const code2 = bare.replace(/\bextends ([\w$]+)\.([\w$]+)/g, (all, ns, name) => {
    if (!define[ns]) return all;
    const alias = "$" + aliases.length;
    aliases.push(`const ${alias}=${define[ns]}.${name};`);
    return ("extends " + alias).padEnd(all.length);
  });
  if (!chunk || chunk.isEntry) {
    if (aliases.length) throw new Error(`layers: the entry chunk extends a class of another chunk`);
    return { code: bare, define, finish: null };
  }
  // assigned to a global so that the minifier keeps it
  const HEAD = "$W=function(exports,$L,$C,$Y){" + aliases.join("") + "\n";
  return { code: HEAD + code2 + "\nreturn exports};\n", define, finish: unwrap };
}

/** After minification: `$W=function(a,b,c,d){...};` -> `function(a,b,c,d){...}`, map fixed. */
function unwrap({ code, map }) {
  const m = /^\$W=(function\([\w$]*,[\w$]*,[\w$]*,[\w$]*\)\{[\s\S]*\});?\s*$/.exec(code);
  if (!m) throw new Error("layers: the minified chunk is not the wrapped function: " + code.slice(0, 80));
  const lines = decode(map.mappings);
  for (const seg of lines[0] || []) seg[0] = Math.max(0, seg[0] - 3);
  for (const segs of lines) for (const seg of segs) if (seg.length >= 4) seg[2] = Math.max(0, seg[2] - 1);
  return { code: m[1], map: { ...map, mappings: encode(lines) } };
}

/** Replaces code[at, at + len) with `text`, shifting the map's columns after it (same line). */
function splice(chunk, at, len, text) {
  const before = chunk.code.slice(0, at);
  const line = before.split("\n").length - 1, col = at - before.lastIndexOf("\n") - 1;
  chunk.code = before + text + chunk.code.slice(at + len);
  if (!chunk.map) return;
  const lines = decode(chunk.map.mappings);
  for (const seg of lines[line] || []) if (seg[0] >= col + len) seg[0] += text.length - len;
  chunk.map = { ...chunk.map, mappings: encode(lines) };
}

/** The device API's entries that are a layer's object (`exports.x509=$L.a.J`, or through a
 *  minified const `r=$L.a.J,...;exports.x509=r`) become getters, so that require() does not
 *  evaluate the layer: it is read when the application uses it. */
export function lazyExports(chunk) {
  const edits = [];
  const getter = (name, expr, end) => `Object.defineProperty(exports,${JSON.stringify(name)},{get:function(){return ${expr}},enumerable:!0})${end}`;
  for (const m of chunk.code.matchAll(/exports\.([\w$]+)=(\$L\.[\w$]+\.[\w$]+)([,;])/g)) edits.push([m.index, m[0].length, getter(m[1], m[2], m[3])]);
  for (const d of chunk.code.matchAll(/([,{\s]|const |let |var )([\w$]+)=(\$L\.[\w$]+\.[\w$]+)(?=[,;])/g)) {
    const v = d[2], expr = d[3];
    const uses = [...chunk.code.matchAll(new RegExp(`[^\\w$.]${v.replace(/\$/g, "\\$")}(?![\\w$])`, "g"))];
    const ex = [...chunk.code.matchAll(new RegExp(`exports\\.([\\w$]+)=${v.replace(/\$/g, "\\$")}([,;])`, "g"))];
    // only a const used by nothing but its export (anything else would need the layer's value)
    if (ex.length !== 1 || uses.length !== 2) continue;
    const at = d.index + d[1].length + v.length + 1;
    edits.push([at, expr.length, "0"]);
    edits.push([ex[0].index, ex[0][0].length, getter(ex[0][1], expr, ex[0][2])]);
  }
  for (const [at, len, text] of edits.sort((a, b) => b[0] - a[0])) splice(chunk, at, len, text);
}

/** The entry chunk's wrapper (the other chunks are wrapped before minifying, chunkImports):
 *  the module's exports, the lazy accessors, the core's exports, the loader's table. */
export const WRAP_HEAD = "(function(exports,$L,$C,$Y){";
export const WRAP_TAIL = "\n})";

/** Header of a layer section: the loader compares it before evaluating anything. */
export const sectionHeader = (build, name, params) => `/*etls ${build} ${name} ${params}*/`;
/** A section's header: [all, build, name, params] (the mock and the gate read the parameters). */
export const SECTION_HEADER = /^\/\*etls ([0-9a-f]+) ([\w-]+) ([\w$,]+)\*\//;

/** `function(a,b,c,d){BODY}` (a wrapped chunk after unwrap) -> { params: "a,b,c,d", code: BODY,
 *  map } with the map's first line moved left by the removed head. */
export function asBody(chunk) {
  const m = /^function\(([\w$]*),([\w$]*),([\w$]*),([\w$]*)\)\{/.exec(chunk.code);
  const end = /\}\s*$/.exec(chunk.code);
  if (!m || !end) throw new Error(`layers: chunk ${chunk.name} is not a wrapped function: ` + chunk.code.slice(0, 60) + " ... " + JSON.stringify(chunk.code.slice(-20)));
  let map = chunk.map;
  if (map) {
    const lines = decode(map.mappings);
    for (const seg of lines[0] || []) seg[0] = Math.max(0, seg[0] - m[0].length);
    map = { ...map, mappings: encode(lines) };
  }
  return { params: m.slice(1, 5).join(","), code: chunk.code.slice(m[0].length, end.index), map };
}

/**
 * Assembles the one Storage file from rollup's chunks.
 *  chunks: [{ name, code, map, isEntry }] (minified, not wrapped); storageName: the Storage file.
 * With layers (the product), what require() reads is only the preamble: the core and the entry
 * (device API) are sections too, run at require through new Function from flash like a layer
 * (their functions then store one scope, not a copy of a two-scope chain each; see the top of
 * this file). Without layers (the test bundle, one chunk, also installed under other names) the
 * core and entry stay in the text require() reads.
 * Returns { code, pieces, build, sections } (mergeMaps(pieces) gives the map).
 */
export function assemble(chunks, { storageName }) {
  const entry = chunks.find((c) => c.isEntry);
  const core = chunks.find((c) => c.name === "core" && !c.isEntry);
  const layers = chunks.filter((c) => c !== entry && c !== core);
  lazyExports(entry);
  const build = createHash("sha256").update(chunks.map((c) => c.name + "\n" + c.code).join("\0")).digest("hex").slice(0, 8);
  const inFlash = layers.length > 0 && !!core;
  // sections after the NUL: [name, {params, code, map}]
  const sections = layers.map((c) => [c.name, asBody(c)]);
  if (inFlash) sections.unshift(["core", asBody(core)], ["entry", { params: "exports,$L,$C,$Y", code: entry.code, map: entry.map }]);
  // The section table has fixed-width numbers so that its length does not depend on them.
  const W = 7;
  const entryOf = (i, offs) => `[${String(offs[i][0]).padStart(W)},${String(offs[i][1]).padStart(W)},${JSON.stringify(sections[i][1].params)}]`;
  const first = inFlash ? 2 : 0;
  const table = (offs) => "{" + layers.map((c, i) => `${JSON.stringify(c.name)}:${entryOf(first + i, offs)}`).join(",") + "}";
  const getters = layers.map((c) => `get ${layerKey(c.name)}(){return $Y.n(${JSON.stringify(c.name)})}`).join(",");
  const pre = (offs) => `var $Y={f:${JSON.stringify(storageName)},b:${JSON.stringify(build)},t:${table(offs)}` +
    (inFlash ? `,c:${entryOf(0, offs)},e:${entryOf(1, offs)}` : "") + `},$L={${getters}};$Y.L=$L;\n`;
  const pieces = [];
  pieces.push({ text: pre(sections.map(() => [0, 0])) });
  // $C exists before the core runs (it fills it at its end)
  if (inFlash) {
    pieces.push({ text: "var $C={};$Y.C=$C;(function(S){function r(a,x,y){var p=a[2].split(\",\"),s=S.read($Y.f,a[0],a[1]);" +
      `if(!s)throw new Error("espruino-tls: the Storage file "+$Y.f+" is missing: install the bundle into Storage (flash), not into RAM");` +
      "new Function(p[0],p[1],p[2],p[3],s)(x,$L,y,$Y)}r($Y.c,$C,0);r($Y.e,exports,$C)})(require(\"Storage\"));\n" });
  } else if (core) {
    pieces.push({ text: "var $C={};$Y.C=$C;(" });
    pieces.push({ text: core.code, map: core.map });
    pieces.push({ text: ")($C,$L,0,$Y);\n" });
  } else pieces.push({ text: "var $C={};$Y.C=$C;\n" });
  if (!inFlash) {
    pieces.push({ text: WRAP_HEAD });
    pieces.push({ text: entry.code, map: entry.map });
    pieces.push({ text: WRAP_TAIL + "(exports,$L,$C,$Y);\n" });
  }
  const offs = [];
  let at = Buffer.byteLength(pieces.map((p) => p.text).join(""), "latin1");
  for (const [name, body] of sections) {
    // "\0\n" ends what require() reads; the section (header comment + body) starts after it
    const head = "\0\n" + sectionHeader(build, name, body.params);
    const start = at + 2;
    pieces.push({ text: head });
    pieces.push({ text: body.code, map: body.map });
    pieces.push({ text: "\n" });
    at += Buffer.byteLength(head + body.code + "\n", "latin1");
    offs.push([start, at - 1 - start]);
  }
  pieces[0].text = pre(offs);
  return { code: pieces.map((p) => p.text).join(""), pieces, build, sections: Object.fromEntries(sections.map(([n], i) => [n, offs[i]])) };
}

/** One source map over the assembled file: each piece's map shifted to where the piece starts. */
export function mergeMaps(pieces, file) {
  const sources = [], sourcesContent = [], index = new Map();
  const lines = [[]];
  let line = 0, col = 0;
  for (const p of pieces) {
    if (p.map) {
      const ids = p.map.sources.map((s, i) => {
        if (!index.has(s)) { index.set(s, sources.length); sources.push(s); sourcesContent.push(p.map.sourcesContent ? p.map.sourcesContent[i] : null); }
        return index.get(s);
      });
      decode(p.map.mappings).forEach((segs, l) => {
        while (lines.length <= line + l) lines.push([]);
        for (const s of segs) {
          if (s.length < 4) continue;
          lines[line + l].push([s[0] + (l === 0 ? col : 0), ids[s[1]], s[2], s[3]]);
        }
      });
    }
    const nl = p.text.split("\n");
    line += nl.length - 1;
    col = nl.length > 1 ? nl[nl.length - 1].length : col + p.text.length;
    while (lines.length <= line) lines.push([]);
  }
  return { version: 3, file: path.basename(file), sources, sourcesContent, names: [], mappings: encode(lines) };
}

/**
 * Builds the one file: rollup with a chunk per layer, then assemble(). cfg: rollup.config.mjs's
 * configFor() result (its output.file is where the bundle goes). Returns the assembly.
 * oneChunk: no layers, everything in the core (the test bundles: see tools/build.mjs).
 */
export async function buildLayered(cfg, { storageName, oneChunk = false }) {
  const { rollup } = await import("rollup");
  const file = cfg.output.file;
  const entry = path.resolve(cfg.input);
  // Chunks import each other in cycles (core <-> layers): harmless, each layer is read lazily.
  const onwarn = (w, warn) => (w.code === "CIRCULAR_CHUNK" || w.code === "EMPTY_BUNDLE" ? undefined : cfg.onwarn ? cfg.onwarn(w, warn) : warn(w));
  const bundle = await rollup({ ...cfg, onwarn });
  const { output } = await bundle.generate({
    ...cfg.output, file: undefined, dir: path.dirname(file),
    entryFileNames: "[name].js", chunkFileNames: "[name].js", minifyInternalExports: true,
    // the entry module stays alone: core's internal exports must not become the device API
    manualChunks: (id) => (path.resolve(id) === entry || path.resolve(id) === API ? undefined : oneChunk ? "core" : manualChunks(id)),
  });
  await bundle.close();
  // a board without a layer's code (no TLS) gets an empty chunk for it: left out
  const chunks = output.filter((o) => o.type === "chunk" && (o.isEntry || o.code.trim())).map((c) => ({ name: c.name, code: c.code, map: c.map, isEntry: c.isEntry }));
  const names = chunks.map((c) => c.name);
  for (const c of chunks) if (!c.isEntry && c.name !== "core" && !LAYERS[c.name]) throw new Error(`unexpected chunk ${c.name} (${names})`);
  const a = assemble(chunks, { storageName });
  const map = mergeMaps(a.pieces, file);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, a.code, "latin1");
  writeFileSync(file + ".map", JSON.stringify(map));
  return a;
}
