// Hoisting by hand for ES5 code meant for the Espruino interpreter, which hoists nothing
// (FACTS §2): a `function` declaration exists only once its statement ran, a `var` only once
// its statement ran. For every scope (program or function body) this pass
//   - moves function declarations that follow other statements to the top of their body;
//   - declares up front (`var a, b;`) every `var` that is referenced above its declaration or
//     declared inside a nested statement (whose `var` may never run).
// It works on text with rollup's parser and repeats, innermost scopes first, until nothing
// changes. Meant for third-party peers in benchmarks only (the firmware is written in order).
import { parseAst } from "rollup/parseAst";
import { children } from "../compat/check.mjs";
import { identifierNodes } from "../compat/keywords.mjs";

const isFn = (n) => n.type === "FunctionDeclaration" || n.type === "FunctionExpression";

/** `var` names declared in a scope (not in nested functions): their first position, and the
 *  names declared inside a nested statement (if/for/try...), whose `var` may never run. */
function varDecls(body) {
  const first = new Map(), nested = new Set();
  (function walk(n, depth) {
    if (isFn(n)) return;
    if (n.type === "VariableDeclaration" && n.kind === "var") {
      for (const d of n.declarations) {
        if (d.id.type !== "Identifier") continue;
        if (!first.has(d.id.name)) first.set(d.id.name, d.id.start);
        if (depth > 1) nested.add(d.id.name);
      }
    }
    for (const c of children(n)) walk(c, depth + 1);
  })({ type: "Block", body }, 0);
  return { first, nested };
}

/** The replacement text of a scope's body statements, or null when it is fine as it is. */
function fixScope(code, body, params) {
  let i = 0;
  while (i < body.length && body[i].directive) i++;
  const head = body.slice(0, i), rest = body.slice(i);
  // Bare `var a, b;` statements (what this pass inserts) may precede the functions.
  const bareVar = (s) => s.type === "VariableDeclaration" && s.declarations.every((d) => !d.init);
  let seenOther = false, moveFns = false;
  for (const s of rest) {
    if (s.type === "FunctionDeclaration") { if (seenOther) moveFns = true; } else if (!bareVar(s)) seenOther = true;
  }
  const { first: decls, nested } = varDecls(rest);
  const own = new Set([...params, ...rest.filter((s) => s.type === "FunctionDeclaration").map((s) => s.id.name)]);
  // Declared only inside a nested statement: `if (c) for (var i = 0, a; ...)` leaves `a`
  // undeclared when c is false (measured: a later read throws ReferenceError).
  const declaredTop = new Set();
  for (let j = 0; j < rest.length && bareVar(rest[j]); j++) for (const d of rest[j].declarations) declaredTop.add(d.id.name);
  const late = new Set([...nested].filter((n) => !declaredTop.has(n) && !own.has(n)));
  if (decls.size && rest.length) {
    const ids = identifierNodes({ type: "Program", body: rest, start: rest[0].start, end: rest[rest.length - 1].end });
    for (const { node } of ids) {
      const at = decls.get(node.name);
      if (at !== undefined && node.start < at && !own.has(node.name)) late.add(node.name);
    }
  }
  if (!moveFns && !late.size) return null;
  const text = (s) => code.slice(s.start, s.end);
  // The late vars first, then the functions, then the rest in their order.
  const fns = moveFns ? rest.filter((s) => s.type === "FunctionDeclaration") : [];
  const others = moveFns ? rest.filter((s) => s.type !== "FunctionDeclaration") : rest;
  return [...head.map(text), late.size ? `var ${[...late].join(", ")};` : "", ...fns.map(text), ...others.map(text)].join("\n");
}

/** Scopes needing a fix that contain no other scope needing one (so edits never overlap). */
function innermostFixes(code, ast) {
  const fixes = [];
  (function walk(n) {
    const before = fixes.length;
    for (const c of children(n)) walk(c);
    if (fixes.length > before) return; // fix the inner ones first
    let body = null, params = [];
    if (n.type === "Program") body = n.body;
    else if (isFn(n)) { body = n.body.body; params = n.params.map((p) => p.name); }
    if (!body || !body.length) return;
    const t = fixScope(code, body, params);
    if (t !== null) fixes.push({ start: body[0].start, end: body[body.length - 1].end, text: t });
  })(ast);
  return fixes;
}

/** Returns `code` with function declarations and late vars hoisted in every scope. */
export function hoist(code) {
  for (let round = 0; round < 10000; round++) {
    const fixes = innermostFixes(code, parseAst(code, { allowReturnOutsideFunction: true }));
    if (!fixes.length) return code;
    for (const f of fixes.sort((a, b) => b.start - a.start)) code = code.slice(0, f.start) + f.text + code.slice(f.end);
  }
  throw new Error("hoist: no fixed point");
}
