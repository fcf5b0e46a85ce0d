// Property mangling of the firmware bundle (issue 17, item 2): internal property and method
// names become short ones (esbuild's mangleProps over the whole chunk), because on the board a
// property name of 5 or more characters costs a JsVar of its own wherever an object holds it
// (names of up to 4 characters fit in the property's JsVar; measured on the ESP32 layout).
//
// The naming rule. A property name is kept when any of these holds, and mangled otherwise:
//   lib       it is a member of a TypeScript lib the firmware compiles against (ES2020:
//             lib.es5.d.ts and the rest), i.e. a built-in JavaScript name;
//   outside   firmware code reads or writes it on a value TypeScript types as any/unknown or as a
//             lib/declared type (Espruino's built-ins: require("Storage"), net sockets, E.*,
//             process.memory() fields, JSON.parse results...), or names it in an object literal
//             passed where an any is expected, or passes a value of a firmware type to an any
//             parameter (JSON.stringify, emit's payloads, Espruino calls): then every property
//             name of that type, recursively, is kept (those objects leave the bundle); and the
//             other way: an any taken as a firmware type (cast, typed variable or assignment, an
//             any argument to a typed parameter: e.g. the caller's options object), whose keys
//             come from outside;
//   public    it is reachable from the exports of firmware/index.ts (test bundle: and testing.ts)
//             (export names, members of exported objects and classes, option, result, event and
//             error types of their functions, recursively; private/protected members excepted);
//   consumer  code outside the bundle names it: tools/ (board scripts in benchmarks, the main
//             job, the BoGo shim), docs/ and README.md (`.name`, `name:` and quoted words); for
//             the test bundle also test/, and "public" then includes firmware/testing.ts.
//   string    it is written as a quoted key (`{"k": v}`, `o["k"]`: esbuild leaves those alone), or
//             the firmware has it as a string literal (e.g. a phase name that is also a key of
//             marks[phase]).
//   interpreter  a member every Espruino object has (on, emit, clone...) or a CommonJS name.
// Kept names are given to esbuild as names already taken, so no mangled name can be one of them.
// ETLS_MANGLE=0 builds without mangling (to compare).
// Check (fails the build): no string literal of the bundle equals a name that was mangled (a
// name also used as a string, e.g. `k in o` or o[someString], would break), and no mangled name
// chosen by esbuild is a kept name (it could shadow a built-in member such as `on`).
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { transform } from "esbuild";
import { ROOT } from "./paths.mjs";

const require = createRequire(import.meta.url);
const ts = require("typescript");
const FIRMWARE = path.join(ROOT, "firmware");
/** What each bundle keeps besides lib/outside/string names: the exports it is reached through and
 *  the code that uses it (the test bundle is reached by the tests through firmware/testing.ts). */
const BUNDLES = {
  product: { entries: ["index.ts"], consumers: ["tools", "docs", "README.md"] },
  test: { entries: ["index.ts", "testing.ts"], consumers: ["test", "tools", "docs", "README.md"] },
};
const ENTRIES = ["index.ts", "testing.ts"].map((f) => path.join(FIRMWARE, f));
/** Members every object has on Espruino (its Object.prototype: events, clone) and names with a
 *  meaning to the interpreter or to CommonJS: a mangled name must never be one of them. */
const INTERPRETER_NAMES = ["on", "emit", "removeListener", "removeAllListeners", "prependListener", "listeners", "clone", "replaceWith",
  "__proto__", "constructor", "prototype", "exports", "module", "default", "__esModule"];
const IDENT = /^[A-Za-z_$][\w$]*$/;

const memberKinds = () => new Set([ts.SyntaxKind.PropertySignature, ts.SyntaxKind.MethodSignature, ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.MethodDeclaration, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor, ts.SyntaxKind.EnumMember]);

/** Member names of the TypeScript lib files `lib` pulls in (following /// <reference lib>). */
function libNames(libs, out) {
  const dir = path.dirname(require.resolve("typescript"));
  const kinds = memberKinds(), seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = readFileSync(path.join(dir, `lib.${name}.d.ts`), "utf8");
    for (const m of text.matchAll(/\/\/\/\s*<reference lib="([^"]+)"/g)) visit(m[1]);
    const sf = ts.createSourceFile(name, text, ts.ScriptTarget.Latest);
    const walk = (n) => {
      if (kinds.has(n.kind) && n.name && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name))) out.add(n.name.text);
      ts.forEachChild(n, walk);
    };
    walk(sf);
  };
  for (const l of libs) visit(l.toLowerCase());
}

const inFirmware = (decl) => {
  const f = decl.getSourceFile().fileName;
  return f.startsWith(FIRMWARE + path.sep) && !f.endsWith(".d.ts");
};

/** Names the firmware shares with code outside it: {shared: the "outside", "string" and "lib"
 *  parts, public: {entry file: the "public" part through it}}, each a Map name -> reason. */
function firmwareNames() {
  const shared = new Map(), publicOf = {};
  const cfg = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const opts = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT).options;
  const program = ts.createProgram(ENTRIES, { ...opts, noEmit: true });
  const checker = program.getTypeChecker();
  let into = shared;
  const keep = (name, reason) => { if (!into.has(name)) into.set(name, reason); };
  const isOpen = (t) => !!(t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown));
  const ownType = (t) => { const s = t.aliasSymbol || t.getSymbol(); return !!(s && s.declarations && s.declarations.some(inFirmware)); };

  // Every property name of a firmware type, recursively (through members, call signatures'
  // parameters and results, unions, type arguments): a value of it goes where we do not rename.
  let walked = new Set();
  function keepType(t, reason, { skipPrivate = false } = {}) {
    if (!t || walked.has(t)) return;
    walked.add(t);
    if (t.isUnionOrIntersection()) { for (const u of t.types) keepType(u, reason, { skipPrivate }); return; }
    for (const a of checker.getTypeArguments ? (t.target ? checker.getTypeArguments(t) : []) : []) keepType(a, reason, { skipPrivate });
    const sym = t.getSymbol();
    if (sym && sym.declarations && sym.declarations.length && !sym.declarations.some(inFirmware) && !(sym.flags & ts.SymbolFlags.TypeLiteral) && !(sym.flags & ts.SymbolFlags.ObjectLiteral)) return; // a lib type
    for (const p of checker.getPropertiesOfType(t)) {
      const d = p.valueDeclaration || (p.declarations && p.declarations[0]);
      if (skipPrivate && d && ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      keep(p.name, reason);
      if (d) keepType(checker.getTypeOfSymbolAtLocation(p, d), reason, { skipPrivate });
    }
    for (const s of [...t.getCallSignatures(), ...t.getConstructSignatures()]) {
      for (const prm of s.getParameters()) keepType(checker.getTypeOfSymbolAtLocation(prm, prm.valueDeclaration || s.getDeclaration()), reason, { skipPrivate });
      keepType(s.getReturnType(), reason, { skipPrivate });
    }
  }

  for (const entry of ENTRIES) {
    into = publicOf[path.basename(entry)] = new Map();
    walked = new Set();
    const sf = program.getSourceFile(entry);
    for (const e of checker.getExportsOfModule(checker.getSymbolAtLocation(sf))) {
      keep(e.name, "public: export of " + path.basename(entry));
      const s = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
      const d = s.valueDeclaration || (s.declarations && s.declarations[0]);
      if (d) keepType(checker.getTypeOfSymbolAtLocation(s, d), "public: reachable from " + path.basename(entry) + " export " + e.name, { skipPrivate: true });
    }
  }

  into = shared;
  walked = new Set();
  const openParam = (sig, i) => {
    const ps = sig.getParameters();
    const p = ps[Math.min(i, ps.length - 1)];
    if (!p) return true;
    const d = p.valueDeclaration;
    let t = checker.getTypeOfSymbolAtLocation(p, d || sig.getDeclaration());
    if (d && d.dotDotDotToken && t.target) t = checker.getTypeArguments(t)[0] || t; // ...args: any[]
    return isOpen(t);
  };
  // A value typed any (what the caller passed: options objects, Storage/JSON data) that the
  // firmware takes as one of its own types keeps that type's names: its keys come from outside.
  const keepParamType = (sig, i, reason) => {
    const ps = sig.getParameters();
    const p = ps[Math.min(i, ps.length - 1)];
    if (p) keepType(checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration || sig.getDeclaration()), reason);
  };
  for (const sf of program.getSourceFiles()) {
    if (!sf.fileName.startsWith(FIRMWARE + path.sep) || sf.fileName.endsWith(".d.ts")) continue;
    const where = (n) => `${path.relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const visit = (n) => {
      if (ts.isPropertyAccessExpression(n)) {
        const t = checker.getTypeAtLocation(n.expression);
        const s = checker.getSymbolAtLocation(n.name);
        if (isOpen(t)) keep(n.name.text, "outside: read/written on an any at " + where(n));
        else if (!s || !s.declarations || !s.declarations.some(inFirmware)) keep(n.name.text, "outside: member of a declared/lib type at " + where(n));
      } else if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression)) {
        keep(n.argumentExpression.text, "string: o[\"k\"] at " + where(n));
      } else if ((ts.isPropertyAssignment(n) || ts.isMethodDeclaration(n) || ts.isPropertyDeclaration(n) || ts.isGetAccessor(n) || ts.isSetAccessor(n)) && n.name && ts.isStringLiteral(n.name)) {
        keep(n.name.text, "string: quoted key at " + where(n));
      } else if (ts.isStringLiteralLike(n) && IDENT.test(n.text)) {
        keep(n.text, "string: literal at " + where(n) + " (a string may be used as a key: o[s], s in o)");
      } else if (ts.isObjectLiteralExpression(n)) {
        const ct = checker.getContextualType(n);
        if (ct && (isOpen(ct) || (!ownType(ct) && ct.getSymbol() && !(ct.getSymbol().flags & (ts.SymbolFlags.TypeLiteral | ts.SymbolFlags.ObjectLiteral)) && !ct.isUnionOrIntersection()))) {
          for (const p of n.properties) if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) keep(p.name.text, "outside: key of an object literal given where an any is expected at " + where(n));
        }
      } else if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const callee = checker.getTypeAtLocation(n.expression);
        const sig = isOpen(callee) ? null : checker.getResolvedSignature(n);
        (n.arguments || []).forEach((a, i) => {
          if (!sig || openParam(sig, i)) keepType(checker.getTypeAtLocation(a), "outside: passed to an any parameter at " + where(a));
          else if (isOpen(checker.getTypeAtLocation(a))) keepParamType(sig, i, "outside: an any passed to a firmware-typed parameter at " + where(a));
        });
      } else if ((ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) && isOpen(checker.getTypeAtLocation(n.expression))) {
        keepType(checker.getTypeAtLocation(n), "outside: an any cast to a firmware type at " + where(n));
      } else if (ts.isVariableDeclaration(n) && n.type && n.initializer && isOpen(checker.getTypeAtLocation(n.initializer))) {
        keepType(checker.getTypeAtLocation(n.type), "outside: an any (an option object of the caller) given a firmware type at " + where(n));
      } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && isOpen(checker.getTypeAtLocation(n.right)) && !isOpen(checker.getTypeAtLocation(n.left))) {
        keepType(checker.getTypeAtLocation(n.left), "outside: an any assigned to a firmware-typed place at " + where(n));
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  const lib = new Set();
  libNames(opts.lib ? opts.lib.map((l) => l.replace(/^lib\.|\.d\.ts$/g, "")) : ["es2020"], lib);
  for (const n of lib) if (!shared.has(n)) shared.set(n, "lib");
  for (const n of INTERPRETER_NAMES) if (!shared.has(n)) shared.set(n, "interpreter: a member of every Espruino object or a CommonJS name");
  return { shared, publicOf };
}

/** Names code outside the bundle uses: `.name`, `name:` and quoted words in `dirs` (Map name -> reason). */
function consumerNames(dirs) {
  const out = new Map(), files = [];
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) { for (const e of readdirSync(p)) if (e !== "node_modules" && e !== "data" && !e.startsWith(".")) walk(path.join(p, e)); }
    else if (/\.(mjs|js|cjs|md|json)$/.test(p) && st.size < 2e6) files.push(p);
  };
  for (const c of dirs) walk(path.join(ROOT, c));
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/\.\s*([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\s*:|["'`]([A-Za-z_$][\w$]*)["'`]/g)) {
      const n = m[1] || m[2] || m[3];
      if (!out.has(n)) out.set(n, "consumer: " + path.relative(ROOT, f));
    }
  }
  return out;
}

let analysis = null;
const kept = {};
/** { names: Set of kept names, why: {name: reason} } for the "product" or "test" bundle
 *  (the TypeScript analysis runs once per process). */
export function keptNames(bundle = "product") {
  if (!kept[bundle]) {
    if (!analysis) analysis = firmwareNames();
    // no prototype: "toString" in {} is true, and toString must be kept like any other name
    const b = BUNDLES[bundle], why = Object.create(null);
    for (const m of [analysis.shared, ...b.entries.map((e) => analysis.publicOf[e]), consumerNames(b.consumers)]) {
      for (const [n, r] of m) if (!Object.prototype.hasOwnProperty.call(why, n)) why[n] = r;
    }
    kept[bundle] = { names: new Set(Object.keys(why)), why };
  }
  return kept[bundle];
}

/** String literals of a JavaScript text (strings, templates' literal parts, quoted keys). */
export function stringLiterals(code) {
  const sf = ts.createSourceFile("bundle.js", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const out = new Set();
  const walk = (n) => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) out.add(n.text);
    ts.forEachChild(n, walk);
  };
  walk(sf);
  return out;
}

/** The one name table of a build: esbuild's mangleCache over all its chunks' code at once (each
 *  wrapped in a function of its own), so that a property gets the same short name in every chunk
 *  (a lazy layer reads the core's objects and the other way) and the most frequent names get the
 *  shortest ones. Throws when the check fails (it sees every chunk's string literals: a string in
 *  one chunk may be a key of another's objects). Returns { cache, mangled: {name: short} }. */
export async function mangleTable(codes, bundle = "product") {
  const { names } = keptNames(bundle);
  const reserve = new RegExp("^(?:" + [...names].filter((n) => IDENT.test(n)).map((n) => n.replace(/\$/g, "\\$")).join("|") + ")$");
  // Kept names map to themselves in the cache: esbuild then never picks one of them for a
  // mangled name (it would otherwise, e.g. a kept `_` or `A` that a test reads elsewhere).
  const seed = Object.fromEntries([...names].filter((n) => IDENT.test(n) && n !== "__proto__").map((n) => [n, n]));
  const all = codes.map((c) => "(function(){" + c + "\n});").join("\n");
  const r = await transform(all, { mangleProps: /^[A-Za-z_$][\w$]*$/, reserveProps: reserve, mangleQuoted: false, format: "cjs", target: "es2020", mangleCache: seed });
  const mangled = Object.entries(r.mangleCache).filter(([k, v]) => typeof v === "string" && v !== k);
  const strings = new Set();
  for (const c of codes) for (const s of stringLiterals(c)) strings.add(s);
  const asString = mangled.filter(([k]) => strings.has(k)).map(([k]) => k);
  const clash = mangled.filter(([, v]) => names.has(v)).map(([k, v]) => `${k} -> ${v}`);
  if (asString.length || clash.length) {
    throw new Error("property mangling check failed:" +
      (asString.length ? `\n  mangled names also written as strings (keep them: quote the key or add them to a consumer): ${asString.join(", ")}` : "") +
      (clash.length ? `\n  mangled to a kept name: ${clash.join(", ")}` : ""));
  }
  return { cache: r.mangleCache, reserve, mangled: Object.fromEntries(mangled) };
}

/** Mangles one chunk with the build's table (mangleTable; computed from this chunk alone when
 *  none is given); throws when the check fails. */
export async function mangleChunk(code, bundle = "product", table = null) {
  const t = table || (await mangleTable([code], bundle));
  const r = await transform(code, { mangleProps: /^[A-Za-z_$][\w$]*$/, reserveProps: t.reserve, mangleQuoted: false, format: "cjs", target: "es2020", sourcemap: true, sourcefile: "bundle.js", mangleCache: t.cache });
  // every name of this chunk is in the table: a name it lacks would be named apart from the others
  const fresh = Object.keys(r.mangleCache).filter((k) => !(k in t.cache));
  if (fresh.length) throw new Error(`mangle: names missing from the build's table: ${fresh.slice(0, 10).join(", ")}`);
  return { code: r.code, map: JSON.parse(r.map), mangled: t.mangled };
}

/** Rollup plugin: mangles the rendered chunks before minification (see the naming rule above),
 *  all chunks of one build with one table. Rollup renders the chunks concurrently: each call
 *  hands in its code and waits until every chunk of the build (meta.chunks) has done so. */
export function mangleProps({ test = false, enabled = process.env.ETLS_MANGLE !== "0" } = {}) {
  let pending = null;
  return {
    name: "mangle-props",
    renderStart() { pending = null; },
    async renderChunk(code, chunk, options, meta) {
      if (!enabled) return null;
      if (!pending) {
        const names = Object.keys(meta.chunks).sort();
        const codes = {};
        let release;
        const all = new Promise((resolve) => { release = resolve; });
        pending = { names, codes, release, table: all.then(() => mangleTable(names.map((n) => codes[n]), test ? "test" : "product")) };
      }
      const p = pending;
      p.codes[chunk.fileName] = code;
      if (p.names.every((n) => n in p.codes)) p.release();
      const r = await mangleChunk(code, test ? "test" : "product", await p.table);
      return { code: r.code, map: r.map };
    },
  };
}
