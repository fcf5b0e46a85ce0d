// Words the Espruino lexer reserves beyond JavaScript's (src/jslex.h LEX_R_*): an identifier
// with one of these names does not parse there ("Got of expected ID"). esbuild's minifier may
// choose `of` as a short name, so the build renames such identifiers before the gate runs.
import { parseAst } from "rollup/parseAst";

export const ESPRUINO_KEYWORDS = new Set(["of", "static", "let", "undefined"]);

/** Identifier nodes in binding or reference position (not property names). */
export function identifierNodes(ast) {
  const out = [];
  (function walk(n, parent, key) {
    if (n.type === "Identifier") {
      const isProp = (parent.type === "MemberExpression" && key === "property" && !parent.computed) ||
        ((parent.type === "Property" || parent.type === "MethodDefinition" || parent.type === "PropertyDefinition") && key === "key" && !parent.computed);
      if (!isProp) out.push({ node: n, shorthand: parent.type === "Property" && parent.shorthand });
      return;
    }
    for (const k in n) {
      if (k === "type" || k === "start" || k === "end") continue;
      const v = n[k];
      if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === "string") walk(c, n, k); }
      else if (v && typeof v.type === "string") walk(v, n, k);
    }
  })(ast, { type: "Program" }, null);
  return out;
}

/** Renames identifiers the interpreter reserves (not `undefined`, which reads as the value). */
export function renameReserved(code) {
  const ast = parseAst(code, { allowReturnOutsideFunction: true });
  const ids = identifierNodes(ast);
  const bad = ids.filter((i) => ESPRUINO_KEYWORDS.has(i.node.name) && i.node.name !== "undefined");
  if (!bad.length) return code;
  const used = new Set(ids.map((i) => i.node.name));
  const fresh = {};
  for (const name of new Set(bad.map((b) => b.node.name))) {
    // Same length as the old name, so the source map's columns stay right.
    const pool = "$_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let pick = null;
    for (let i = 0; i < pool.length * pool.length && !pick; i++) {
      const c = ("$" + pool[i % pool.length] + pool[Math.floor(i / pool.length)] + "$$$$$").slice(0, name.length);
      if (!used.has(c) && !ESPRUINO_KEYWORDS.has(c)) pick = c;
    }
    if (!pick) throw new Error(`no free identifier to rename "${name}"`);
    used.add(pick);
    fresh[name] = pick;
  }
  let out = code;
  for (const b of bad.sort((x, y) => y.node.start - x.node.start)) {
    const n = b.node;
    out = out.slice(0, n.start) + (b.shorthand ? `${n.name}:${fresh[n.name]}` : fresh[n.name]) + out.slice(n.end);
  }
  return out;
}
