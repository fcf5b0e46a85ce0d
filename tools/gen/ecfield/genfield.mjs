// Emits the unrolled field code of firmware/crypto/ecfield.ts (the block between the
// GENERATED markers). Used by update.mjs, which rewrites that block in place.
import { genMul } from "./gen.mjs";
import { genLin, kLimbs } from "./genlin.mjs";
const p256 = 2n**256n - 2n**224n + 2n**192n + 2n**96n - 1n;
const p384 = 2n**384n - 2n**128n - 2n**96n + 2n**32n - 1n;
const red256 = [[4, 1], [8, 1], [9, -256], [10, 65536]];
const red384 = [[1, 256], [4, -1], [5, -256], [16, 1]];
const f256 = { 0: 1, 4: -1, 8: -1, 9: 256 };
const f384 = { 0: 1, 1: -256, 4: 1, 5: 256 };
const K256 = kLimbs(11, p256, 8), K384 = kLimbs(16, p384, 2);
const ty = (code) => code.replace(/^var ([^;]+);/, (m, v) => "let " + v.split(",").map((x) => x + ": number").join(", ") + ";");
const T = "Int32Array";
const body = (code) => ty(code).split("\n").map((l) => "  " + l).join("\n");
const out = [];
out.push(`function mul256(r: ${T}, a: ${T}, b: ${T}): void {\n${body(genMul(11, red256, false))}\n  r[10] = c;\n}`);
out.push(`function sqr256(r: ${T}, a: ${T}): void {\n${body(genMul(11, red256, true))}\n  r[10] = c;\n}`);
out.push(`function add256(r: ${T}, a: ${T}, b: ${T}): void {\n${body(genLin(11, f256, 16, "add"))}\n}`);
out.push(`function sub256(r: ${T}, a: ${T}, b: ${T}): void {\n${body(genLin(11, f256, 16, "sub", K256))}\n}`);
out.push(`function muls256(r: ${T}, a: ${T}, k: number): void {\n${body(genLin(11, f256, 16, "mulsmall"))}\n}`);
const top384 = "  s = c; t = s & 16777215; r[15] = t;\n  if (s !== t) fix384(r, (s - t) / 16777216);";
out.push(`function mul384(r: ${T}, a: ${T}, b: ${T}): void {\n${body(genMul(16, red384, false))}\n${top384}\n}`);
out.push(`function sqr384(r: ${T}, a: ${T}): void {\n${body(genMul(16, red384, true))}\n${top384}\n}`);
const chk = "  if (r[15] > 16777215) fix384(r, 0);";
out.push(`function add384(r: ${T}, a: ${T}, b: ${T}): void {\n${body(genLin(16, f384, 24, "add"))}\n${chk}\n}`);
out.push(`function sub384(r: ${T}, a: ${T}, b: ${T}): void {\n${body(genLin(16, f384, 24, "sub", K384))}\n${chk}\n}`);
out.push(`function muls384(r: ${T}, a: ${T}, k: number): void {\n${body(genLin(16, f384, 24, "mulsmall"))}\n${chk}\n}`);
export const block = out.join("\n\n");
