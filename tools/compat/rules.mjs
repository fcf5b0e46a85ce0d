// What the Espruino interpreter lacks (../shared/espruino/FACTS.md §1-§2), as data for check.mjs.

/** Globals the interpreter has. Any other free identifier in a bundle is an error. */
export const GLOBALS = new Set([
  "Array", "ArrayBuffer", "ArrayBufferView", "Boolean", "DataView", "Date", "E", "Error", "EvalError",
  "Float32Array", "Float64Array", "Function", "Infinity", "Int16Array", "Int32Array", "Int8Array",
  "InternalError", "JSON", "Math", "NaN", "Number", "Object", "Promise", "RangeError", "ReferenceError",
  "RegExp", "String", "SyntaxError", "TypeError", "Uint16Array", "Uint32Array", "Uint8Array",
  "Uint8ClampedArray", "atob", "btoa", "clearInterval", "clearTimeout", "clearWatch", "console",
  "decodeURIComponent", "encodeURIComponent", "escape", "eval", "getTime", "setTime", "globalThis",
  "global", "isFinite", "isNaN", "parseFloat", "parseInt", "peek8", "peek16", "peek32", "poke8",
  "poke16", "poke32", "print", "process", "require", "setInterval", "setTimeout", "setWatch",
  "undefined", "exports", "module", "quit", "load", "reset", "save", "dump", "Modules", "E",
]);

const TYPED = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "Float32Array", "Float64Array"];

/** Static members that do not exist (or are inexact, Math.pow) on the interpreter. */
export const MISSING_STATICS = {
  Array: ["from", "of"],
  ArrayBuffer: ["isView"],
  Object: ["freeze", "is", "hasOwn", "fromEntries", "getOwnPropertySymbols", "seal", "isFrozen"],
  Number: ["isInteger", "isSafeInteger", "MAX_SAFE_INTEGER", "MIN_SAFE_INTEGER", "EPSILON"],
  Math: ["imul", "clz32", "trunc", "log2", "pow", "fround", "cbrt", "hypot", "expm1", "log1p", "sign"],
  Date: ["UTC"],
  Promise: ["race", "allSettled", "any"],
  String: ["raw", "fromCodePoint"],
  ...Object.fromEntries(TYPED.map((t) => [t, ["from", "of", "BYTES_PER_ELEMENT"]])),
};

/** Methods missing on instances, flagged by name whatever the receiver. */
export const MISSING_METHODS = ["setUTCFullYear", "setUTCMonth", "setUTCDate", "setUTCHours", "setUTCMinutes",
  "setUTCSeconds", "setUTCMilliseconds", "codePointAt", "normalize"];

/** Constructors whose prototype methods cannot be read as X.prototype.m (prototypes are empty). */
export const BUILTIN_CONSTRUCTORS = new Set(["Array", "Object", "Function", "String", "Number", "Boolean",
  "ArrayBuffer", "DataView", "Date", "RegExp", "Promise", "Error", ...TYPED]);

export const ERROR_CLASSES = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError",
  "EvalError", "InternalError"]);

/** Regular-expression features the interpreter silently gets wrong or throws on (FACTS §2). */
export const REGEX_FEATURES = [
  [/(^|[^\\])\{\d+(,\d*)?\}/, "quantifier range {n,m}"],
  [/\(\?[=!]/, "lookahead"],
  [/\(\?<[=!]/, "lookbehind"],
  [/\(\?:/, "non-capturing group (?:...)"],
  [/[+*?}]\?/, "lazy quantifier"],
  [/\(\?<[A-Za-z]/, "named group"],
  [/\\[bB]/, "\\b word boundary"],
  [/\\[1-9]|\\k</, "backreference"],
  [/\\u/, "\\u escape"],
];
export const REGEX_FLAGS_BAD = /[msuyd]/;
