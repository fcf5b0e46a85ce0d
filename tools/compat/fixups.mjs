// Fix-ups of minified code for the interpreter's parser, keeping the source map right.
// A bare `return` directly before the `}` that ends a function body is a syntax error on the
// board ("Unexpected end of Input", measured on 2v29), and esbuild writes `return}` routinely.
import { parseAst } from "rollup/parseAst";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function decode(mappings) {
  const lines = [];
  const st = [0, 0, 0, 0, 0];
  for (const text of mappings.split(";")) {
    const segs = [];
    st[0] = 0;
    for (const seg of text.split(",")) {
      if (!seg) continue;
      const v = [];
      let value = 0, shift = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        value += (d & 31) << shift;
        if (d & 32) { shift += 5; continue; }
        v.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0; shift = 0;
      }
      const abs = v.map((x, i) => (st[i] += x));
      segs.push(abs.slice(0, v.length));
    }
    lines.push(segs);
  }
  return lines;
}

function vlq(n) {
  let v = n < 0 ? (-n << 1) | 1 : n << 1, out = "";
  do { let d = v & 31; v >>>= 5; if (v) d |= 32; out += B64[d]; } while (v);
  return out;
}

export function encode(lines) {
  const st = [0, 0, 0, 0, 0];
  return lines.map((segs) => {
    st[0] = 0;
    return segs.map((s) => s.map((x, i) => { const d = x - st[i]; st[i] = x; return vlq(d); }).join("")).join(",");
  }).join(";");
}

/** Offsets where a bare `return` has no `;` of its own. */
export function bareReturns(code, ast) {
  const out = [];
  (function walk(n) {
    if (n.type === "ReturnStatement" && !n.argument && code[n.end - 1] !== ";") out.push(n.end);
    for (const k in n) {
      const v = n[k];
      if (Array.isArray(v)) { for (const c of v) if (c && typeof c.type === "string") walk(c); }
      else if (v && typeof v.type === "string" && k !== "type") walk(v);
    }
  })(ast);
  return out.sort((a, b) => a - b);
}

/** Inserts `;` after every bare return; returns { code, map } with the map's columns shifted. */
export function terminateReturns(code, map) {
  const at = bareReturns(code, parseAst(code, { allowReturnOutsideFunction: true }));
  if (!at.length) return { code, map };
  let out = "", last = 0;
  for (const o of at) { out += code.slice(last, o) + ";"; last = o; }
  out += code.slice(last);
  if (!map) return { code: out, map };
  // Line and column of each insertion, then shift the generated columns after it.
  const lineStarts = [0];
  for (let i = code.indexOf("\n"); i >= 0; i = code.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const lines = decode(map.mappings);
  let li = 0;
  const byLine = {};
  for (const o of at) {
    while (li + 1 < lineStarts.length && lineStarts[li + 1] <= o) li++;
    (byLine[li] = byLine[li] || []).push(o - lineStarts[li]);
  }
  for (const l in byLine) {
    const cols = byLine[l];
    for (const seg of lines[l] || []) seg[0] += cols.filter((c) => c <= seg[0]).length;
  }
  return { code: out, map: { ...map, mappings: encode(lines) } };
}
