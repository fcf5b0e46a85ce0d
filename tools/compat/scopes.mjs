// Scope analysis for the compatibility gate: which identifiers are free (globals), and which
// code relies on hoisting. On the interpreter nothing is hoisted: a function or var exists only
// once its statement has run (FACTS §2), so every use must run after the declaration.

const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

class Scope {
  constructor(node, kind, parent) {
    this.node = node;
    this.kind = kind; // "function" | "block"
    this.parent = parent;
    this.decls = new Map();
    // The function (or program) whose run executes this scope's code directly. Immediately
    // invoked functions run as part of their caller, so they share the caller's run.
    this.fn = kind === "function" ? this : parent.fn;
    this.run = kind === "function" && !node.immediate ? this : parent.run;
  }
}

function patternNames(p, out) {
  if (!p) return out;
  switch (p.type) {
    case "Identifier": out.push(p); break;
    case "ObjectPattern": for (const q of p.properties) patternNames(q.type === "RestElement" ? q.argument : q.value, out); break;
    case "ArrayPattern": for (const q of p.elements) patternNames(q, out); break;
    case "RestElement": patternNames(p.argument, out); break;
    case "AssignmentPattern": patternNames(p.left, out); break;
  }
  return out;
}

function functionValue(init) {
  if (!init) return null;
  return FUNCTIONS.has(init.type) || init.type === "ClassExpression" ? init : null;
}

export function analyzeScopes(ast) {
  markCallees(ast);
  const refs = []; // {node, scope}
  const program = new Scope(ast, "function", { fn: null, run: null });
  program.parent = null;
  program.fn = program;
  program.run = program;
  const fnScopes = new Map(); // function node -> Scope

  function declare(scope, id, kind, start, value) {
    scope.decls.set(id.name, { name: id.name, kind, start, value, scope, node: id });
  }

  function visitPattern(p, scope, declareAs) {
    if (!p) return;
    switch (p.type) {
      case "Identifier": if (declareAs) declareAs(p); else refs.push({ node: p, scope }); return;
      case "ObjectPattern":
        for (const q of p.properties) {
          if (q.type === "RestElement") visitPattern(q.argument, scope, declareAs);
          else { if (q.computed) visit(q.key, scope); visitPattern(q.value, scope, declareAs); }
        }
        return;
      case "ArrayPattern": for (const q of p.elements) visitPattern(q, scope, declareAs); return;
      case "RestElement": visitPattern(p.argument, scope, declareAs); return;
      case "AssignmentPattern": visitPattern(p.left, scope, declareAs); visit(p.right, scope); return;
      default: visit(p, scope); // member expression as assignment target
    }
  }

  function visitFunction(node, scope) {
    const fs = new Scope(node, "function", scope);
    fnScopes.set(node, fs);
    if (node.type === "FunctionExpression" && node.id) declare(fs, node.id, "fname", node.start, node);
    for (const p of node.params) visitPattern(p, fs, (id) => declare(fs, id, "param", -1, null));
    if (node.body.type === "BlockStatement") visitBody(node.body.body, fs);
    else visit(node.body, fs);
  }

  function visitBody(statements, scope) {
    for (const s of statements) visit(s, scope);
  }

  function visit(node, scope) {
    if (!node) return;
    switch (node.type) {
      case "Identifier": refs.push({ node, scope }); return;
      case "FunctionDeclaration":
        declare(scope, node.id, "function", node.start, node);
        visitFunction(node, scope);
        return;
      case "FunctionExpression": case "ArrowFunctionExpression":
        visitFunction(node, scope);
        return;
      case "ClassDeclaration": case "ClassExpression":
        if (node.type === "ClassDeclaration") declare(scope, node.id, "class", node.start, node);
        visit(node.superClass, scope);
        visitClassBody(node.body, scope);
        return;
      case "VariableDeclaration":
        for (const d of node.declarations) {
          const target = node.kind === "var" ? scope.fn : scope;
          visitPattern(d.id, scope, (id) => declare(target, id, node.kind, d.start, functionValue(d.init)));
          visit(d.init, scope);
        }
        return;
      case "BlockStatement": { const b = new Scope(node, "block", scope); visitBody(node.body, b); return; }
      case "ForStatement": case "ForInStatement": case "ForOfStatement": {
        const b = new Scope(node, "block", scope);
        for (const k of ["init", "left", "test", "update", "right"]) {
          const c = node[k];
          if (!c) continue;
          if (k === "left" && c.type !== "VariableDeclaration") visitPattern(c, b, null); else visit(c, b);
        }
        visit(node.body, b);
        return;
      }
      case "SwitchStatement": {
        visit(node.discriminant, scope);
        const b = new Scope(node, "block", scope);
        for (const c of node.cases) { visit(c.test, b); visitBody(c.consequent, b); }
        return;
      }
      case "CatchClause": {
        const b = new Scope(node, "block", scope);
        visitPattern(node.param, b, (id) => declare(b, id, "param", -1, null));
        visitBody(node.body.body, b);
        return;
      }
      case "MemberExpression": visit(node.object, scope); if (node.computed) visit(node.property, scope); return;
      case "Property": if (node.computed) visit(node.key, scope); visit(node.value, scope); return;
      case "AssignmentExpression": visitPattern(node.left, scope, null); visit(node.right, scope); return;
      case "LabeledStatement": visit(node.body, scope); return;
      case "BreakStatement": case "ContinueStatement": return;
      case "CallExpression": case "NewExpression":
        if (FUNCTIONS.has(node.callee.type)) node.callee.immediate = true;
        break;
    }
    for (const k in node) {
      if (k === "type" || k === "start" || k === "end" || k === "immediate") continue;
      const v = node[k];
      if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === "string") visit(c, scope); }
      else if (v && typeof v.type === "string") visit(v, scope);
    }
  }

  function visitClassBody(body, scope) {
    for (const m of body.body) {
      if (m.computed) visit(m.key, scope);
      if (m.value) {
        if (FUNCTIONS.has(m.value.type)) visitFunction(m.value, scope); else visit(m.value, scope);
      }
    }
  }

  visitBody(ast.body, program);

  // Resolve every reference.
  const resolved = []; // {node, scope, decl}
  const free = [];
  for (const r of refs) {
    let decl = null;
    for (let s = r.scope; s && !decl; s = s.parent) decl = s.decls.get(r.node.name) || null;
    if (decl) resolved.push({ ...r, decl });
    else if (r.node.name !== "arguments") free.push(r);
    else if (r.scope.fn === program || r.scope.fn.node.type === "ArrowFunctionExpression") {
      free.push({ ...r, arrowArguments: r.scope.fn !== program });
    }
  }

  // What each function reads, at any depth (for "calling f here needs x declared later").
  const readsOf = new Map();
  for (const r of resolved) {
    for (let s = r.scope; s; s = s.parent) {
      if (s.kind === "function" && s !== program) {
        if (!readsOf.has(s.node)) readsOf.set(s.node, new Set());
        readsOf.get(s.node).add(r.decl);
      }
    }
  }
  function needs(fnNode, seen = new Set()) {
    if (seen.has(fnNode)) return [];
    seen.add(fnNode);
    const out = [];
    const nested = fnNode.type === "ClassDeclaration" || fnNode.type === "ClassExpression"
      ? fnNode.body.body.map((m) => m.value).filter((v) => v && FUNCTIONS.has(v.type))
      : [fnNode];
    for (const f of nested) {
      for (const d of readsOf.get(f) || []) {
        out.push(d);
        if (d.value) out.push(...needs(d.value, seen));
      }
    }
    return out;
  }

  const freeNodes = new Set(free.map((f) => f.node));
  return {
    isGlobal(id) { return freeNodes.has(id); },
    freeGlobals() {
      return free.filter((f) => !f.arrowArguments).map((f) => f.node)
        .concat(free.filter((f) => f.arrowArguments).map((f) => ({ ...f.node, name: "arguments (inside an arrow function)" })));
    },
    orderProblems() {
      const out = [];
      const lineOf = (d) => d.node.start;
      for (const r of resolved) {
        const d = r.decl;
        if (d.kind === "param" || d.kind === "fname") continue;
        const direct = r.scope.run === d.scope.run;
        if (direct && r.node.start < d.start) {
          out.push({ node: r.node, declAt: lineOf(d), message: `"${d.name}" is used before its declaration runs (nothing is hoisted on the board)` });
          continue;
        }
        // A call here runs the callee now: everything it reads must already be declared.
        const isCallee = r.node.calleeOf === true;
        if (direct && isCallee && d.value) {
          for (const dep of needs(d.value)) {
            if (dep.scope.run === r.scope.run && dep.start > r.node.start && dep.kind !== "param" && dep.kind !== "fname") {
              out.push({ node: r.node, message: `calling "${d.name}" here needs "${dep.name}", which is declared further down (nothing is hoisted on the board)` });
              break;
            }
          }
        }
        // for (let i ...) has one binding for all iterations on the board.
        const loop = d.scope.node;
        if (d.kind === "let" || d.kind === "const") {
          if (loop.type === "ForStatement" && r.scope.fn !== d.scope.fn) {
            out.push({ node: r.node, message: `closure captures loop variable "${d.name}" (for-let has one binding for all iterations on the board)` });
          }
        }
      }
      return dedupe(out);
    },
  };
}

function dedupe(list) {
  const seen = new Set();
  return list.filter((p) => { const k = p.node.start + p.message; if (seen.has(k)) return false; seen.add(k); return true; });
}

/** Marks identifiers that are called (callee of call/new) so order checks can follow calls. */
function markCallees(ast) {
  (function walk(n) {
    if ((n.type === "CallExpression" || n.type === "NewExpression") && n.callee.type === "Identifier") n.callee.calleeOf = true;
    for (const k in n) {
      const v = n[k];
      if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === "string") walk(c); }
      else if (v && typeof v.type === "string" && k !== "type") walk(v);
    }
  })(ast);
}
