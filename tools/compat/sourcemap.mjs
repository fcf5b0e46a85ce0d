// Minimal source map v3 reader: generated (line, column) -> original file and line.
import path from "node:path";
import { ROOT } from "../lib/paths.mjs";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function decodeVlq(s) {
  const out = [];
  let value = 0, shift = 0;
  for (const ch of s) {
    const d = B64.indexOf(ch);
    value += (d & 31) << shift;
    if (d & 32) { shift += 5; continue; }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0; shift = 0;
  }
  return out;
}

export class SourceMap {
  /** baseDir: the folder of the map file, against which its sources are resolved. */
  constructor(json, baseDir) {
    this.sources = json.sources.map((s) => path.relative(ROOT, path.resolve(baseDir, s)));
    this.lines = [];
    let src = 0, oLine = 0, oCol = 0;
    for (const lineText of json.mappings.split(";")) {
      const segs = [];
      let gCol = 0;
      for (const seg of lineText.split(",")) {
        if (!seg) continue;
        const v = decodeVlq(seg);
        gCol += v[0];
        if (v.length >= 4) { src += v[1]; oLine += v[2]; oCol += v[3]; segs.push([gCol, src, oLine, oCol]); }
      }
      this.lines.push(segs);
    }
  }

  /** line is 1-based, column 0-based; returns {file, line (1-based), column} or null. */
  lookup(line, column) {
    const segs = this.lines[line - 1];
    if (!segs || !segs.length) return null;
    let best = null;
    for (const s of segs) { if (s[0] <= column) best = s; else break; }
    if (!best) return null;
    return { file: this.sources[best[1]], line: best[2] + 1, column: best[3] };
  }
}
