// The compatibility gate: parses code meant for the Espruino interpreter and lists every
// construct it lacks (FACTS §1-§2) — syntax, globals, static members, hoisting reliance —
// with the bundle position and, through the source map, the TypeScript file and line.
import { SECTION_HEADER } from "../lib/layers.mjs";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAst } from "rollup/parseAst";
import { SourceMap } from "./sourcemap.mjs";
import { analyzeScopes } from "./scopes.mjs";
import { ESPRUINO_KEYWORDS, identifierNodes } from "./keywords.mjs";
import { bareReturns } from "./fixups.mjs";
import {
  BUILTIN_CONSTRUCTORS, ERROR_CLASSES, GLOBALS, MISSING_METHODS, MISSING_STATICS, REGEX_FEATURES, REGEX_FLAGS_BAD,
} from "./rules.mjs";

const TWO_63 = 9223372036854775808;

/** Child nodes of an ESTree node, in source order. */
export function children(node) {
  const out = [];
  for (const k in node) {
    if (k === "type" || k === "start" || k === "end" || k === "loc") continue;
    const v = node[k];
    if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === "string") out.push(c); }
    else if (v && typeof v.type === "string") out.push(v);
  }
  return out.sort((a, b) => a.start - b.start);
}

const SYNTAX = {
  ObjectPattern: "destructuring",
  ArrayPattern: "destructuring",
  SpreadElement: "spread (...)",
  RestElement: "rest parameter or element (...)",
  AssignmentPattern: "default parameter or default value",
  ChainExpression: "optional chaining (?.)",
  LabeledStatement: "labeled statement",
  TaggedTemplateExpression: "tagged template",
  PrivateIdentifier: "#private member",
  MetaProperty: "new.target / import.meta",
  ImportExpression: "dynamic import()",
  AwaitExpression: "await",
  YieldExpression: "yield (generator)",
  StaticBlock: "class static block",
  ImportDeclaration: "import declaration (bundle must be CommonJS)",
  ExportNamedDeclaration: "export declaration (bundle must be CommonJS)",
  ExportDefaultDeclaration: "export declaration (bundle must be CommonJS)",
};

function syntaxProblem(node, parent) {
  if (SYNTAX[node.type]) return SYNTAX[node.type];
  switch (node.type) {
    case "BinaryExpression":
      if (node.operator === "**") return "** operator";
      break;
    case "AssignmentExpression":
      if (node.operator === "**=") return "**= operator";
      if (["??=", "||=", "&&="].includes(node.operator)) return `${node.operator} operator`;
      break;
    case "FunctionDeclaration": case "FunctionExpression": case "ArrowFunctionExpression":
      if (node.generator) return "generator function";
      if (node.async) return "async function";
      break;
    case "Property":
      if (node.computed && parent.type === "ObjectExpression") return "computed key {[k]: v}";
      break;
    case "ClassExpression":
      if (node.id) return `named class expression "${node.id.name}" (the name is not bound inside)`;
      break;
    case "ForOfStatement":
      if (node.await) return "for await";
      break;
    case "Literal":
      if (typeof node.bigint === "string") return "BigInt literal";
      if (typeof node.value === "number" && Number.isInteger(node.value) && Math.abs(node.value) >= TWO_63) {
        return `integer literal ${node.raw} above 2^63`;
      }
      if (node.regex) return regexProblem(node.regex);
      break;
  }
  return null;
}

function regexProblem(re) {
  if (REGEX_FLAGS_BAD.test(re.flags)) return `regular expression flag in /${re.pattern}/${re.flags}`;
  for (const [pattern, what] of REGEX_FEATURES) if (pattern.test(re.pattern)) return `regular expression ${what} in /${re.pattern}/`;
  return null;
}

function memberProblem(node, parent, scopes) {
  const obj = node.object;
  const prop = !node.computed && node.property.type === "Identifier" ? node.property.name : null;
  if (!prop) return null;
  if (obj.type === "Identifier" && scopes.isGlobal(obj) && MISSING_STATICS[obj.name]?.includes(prop)) {
    return obj.name === "Math" && prop === "pow"
      ? "Math.pow (inexact on the board: write constants as literals)"
      : `${obj.name}.${prop} does not exist on the board`;
  }
  if (MISSING_METHODS.includes(prop)) return `.${prop}() does not exist on the board`;
  const isProtoRead = obj.type === "MemberExpression" && !obj.computed && obj.property.name === "prototype" &&
    obj.object.type === "Identifier" && BUILTIN_CONSTRUCTORS.has(obj.object.name) && scopes.isGlobal(obj.object);
  const isAssignTarget = parent.type === "AssignmentExpression" && parent.left === node;
  if (isProtoRead && !isAssignTarget) return `${obj.object.name}.prototype.${prop} read (built-in prototypes are empty on the board)`;
  return null;
}

function classProblem(node, scopes) {
  const sup = node.superClass;
  // measured on 2v29: `class A extends o.B {}` -> "'extends' argument "o" should be a function"
  if (sup && sup.type !== "Identifier") return "class extends an expression (the board takes only an identifier after extends)";
  if (sup && sup.type === "Identifier" && ERROR_CLASSES.has(sup.name) && scopes.isGlobal(sup)) {
    return `class extends ${sup.name} (subclasses of Error lose their message on the board)`;
  }
  return null;
}

/** Lists problems in `code`. Each: {message, offset, line, column, source?}. */
export function checkSource(code, { map = null, globals = [] } = {}) {
  let ast;
  try {
    ast = parseAst(code, { allowReturnOutsideFunction: true });
  } catch (e) {
    return [{ message: `does not parse: ${e.message}`, offset: e.pos || 0 }].map((p) => locate(code, p, map));
  }
  const scopes = analyzeScopes(ast);
  const problems = [];
  const add = (node, message) => problems.push({ message, offset: node.start });

  (function walk(node, parent) {
    const s = syntaxProblem(node, parent);
    if (s) add(node, s);
    if (node.type === "MemberExpression") { const m = memberProblem(node, parent, scopes); if (m) add(node, m); }
    if (node.type === "ClassDeclaration" || node.type === "ClassExpression") { const c = classProblem(node, scopes); if (c) add(node, c); }
    for (const c of children(node)) walk(c, node);
  })(ast, null);

  for (const at of bareReturns(code, ast)) {
    if (/^\s*\}/.test(code.slice(at, at + 20))) problems.push({ message: "bare `return}` (a return without `;` before `}` does not parse on the board)", offset: at - 6 });
  }
  for (const { node } of identifierNodes(ast)) {
    if (ESPRUINO_KEYWORDS.has(node.name) && node.name !== "undefined") add(node, `identifier "${node.name}" is a reserved word on the board`);
  }
  for (const g of scopes.freeGlobals()) {
    if (!GLOBALS.has(g.name) && !globals.includes(g.name)) add(g, `global "${g.name}" does not exist on the board`);
  }
  for (const h of scopes.orderProblems()) add(h.node, h.message);
  problems.sort((a, b) => a.offset - b.offset);
  return problems.map((p) => locate(code, p, map));
}

function locate(code, p, map) {
  let line = 1, last = -1;
  for (let i = code.indexOf("\n"); i >= 0 && i < p.offset; i = code.indexOf("\n", i + 1)) { line++; last = i; }
  const column = p.offset - last - 1;
  const source = map ? map.lookup(line, column) : null;
  return { ...p, line, column, source };
}

export function checkBundleFile(file) {
  // NUL bytes separate the lazy layers (tools/lib/layers.mjs): each section (a function body
  // after its header comment) is checked as `(function(params){body})` after the core, at the
  // same lines and columns (the header's room takes the function's head).
  const pieces = readFileSync(file, "latin1").split("\0");
  const code = pieces.map((p, i) => {
    if (i === 0) return p;
    const h = SECTION_HEADER.exec(p.slice(1));
    if (!h || !p.endsWith("\n")) return " " + p;
    const head = ";(function(" + h[3] + "){";
    return (i > 1 ? ")" : " ") + "\n" + head.padEnd(h[0].length) + p.slice(1 + h[0].length, -1) + "}";
  }).join("") + (pieces.length > 1 ? ")" : "");
  const mapFile = file + ".map";
  const map = existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")), path.dirname(mapFile)) : null;
  return checkSource(code, { map });
}

export function formatProblems(file, problems) {
  const lines = problems.map((p) => {
    const where = p.source ? `${p.source.file}:${p.source.line}:${p.source.column + 1}` : `${file}:${p.line}:${p.column + 1}`;
    return `  ${where}: ${p.message}`;
  });
  return `${file}: ${problems.length} construct(s) the interpreter lacks\n${lines.join("\n")}`;
}
