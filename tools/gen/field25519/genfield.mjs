// Emits the unrolled code of firmware/crypto/field25519.ts: one block of text per
// "// ---- GENERATED <name> ----" marker pair there (update.mjs puts each in place).
// GF(2^255 - 19) in 11 limbs of 24 bits (weights 2^(24 i), 264 bits): 2^264 = 9728 (mod p).
// Each column and its carry is one expression statement (see the file's header for the
// rounding with m = 3 2^75 and the bounds).
const N = 11, R = 16777216, F = 9728;

/** Column sums c_k (k = 0..20) of a squaring, cross terms doubled once. */
function sqrColumns() {
  const out = [];
  for (let k = 0; k < 2 * N - 1; k++) {
    const cross = [];
    for (let i = 0; i < N; i++) { const j = k - i; if (j > i && j < N) cross.push(`a${i} * a${j}`); }
    let e = cross.length === 0 ? "" : cross.length === 1 ? `2 * ${cross[0]}` : `(${cross.join(" + ")}) * 2`;
    if (k % 2 === 0) e += (e ? " + " : "") + `a${k / 2} * a${k / 2}`;
    out.push(e);
  }
  return out;
}

/**
 * The reduction: high columns carried into h0..h10, then the low columns with 9728 h_k folded
 * in, carried into the output (limbs 0 and 1 kept in l0, l1 until the wrap). `col(k)` is the
 * expression of column k; `store(k, v)` the statement(s) writing output limb k >= 2 from v.
 */
function reduce(col, store, wrap) {
  let s = "";
  for (let k = N; k < 2 * N - 1; k++) s += `  h${k - N} = (c = ${col(k)}${k > N ? ` + t / ${R}` : ""}) - (t = c + m - m);\n`;
  s += `  h${N - 1} = t / ${R};\n`;
  for (let k = 0; k < N; k++) {
    const v = `(c = ${col(k)} + ${F} * h${k}${k > 0 ? ` + t / ${R}` : ""}) - (t = c + m - m)`;
    s += k < 2 ? `  l${k} = ${v};\n` : store(k, v);
  }
  return s + wrap;
}

const HS = "h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number, h8: number, h9: number, h10: number";
const plainStore = (o) => (k, v) => `  ${o}[${k}] = ${v};\n`;
const plainWrap = (o) => `  ${o}[0] = (c = l0 + t / 32768 * 19) - (t = c + m - m);\n  ${o}[1] = l1 + t / ${R};\n`;
// o = x + r, n = x - r for the output limb r (feMulPM)
const pmStore = (k, v) => `  o[${k}] = (y = x[${k}]) + (r = ${v});\n  n[${k}] = y - r;\n`;
const pmWrap = `  o[0] = (y = x[0]) + (r = (c = l0 + t / 32768 * 19) - (t = c + m - m));\n  n[0] = y - r;\n  o[1] = (y = x[1]) + (r = l1 + t / ${R});\n  n[1] = y - r;\n`;

function addSub() {
  let s = "";
  const ops = [["feAdd", "+", "o = a + b (not carried: a \"sum of two\" for the bound rule)"], ["feSub", "-", "o = a - b (not carried)"]];
  for (const [name, op, doc] of ops) {
    if (s) s += "\n";
    s += `/** ${doc}. Unrolled: a loop costs 1.6x more on the interpreter. */\nexport function ${name}(o: Fe, a: Fe, b: Fe): void {\n`;
    for (let k = 0; k < N; k++) s += `  o[${k}] = a[${k}] ${op} b[${k}];\n`;
    s += "}\n";
  }
  return s;
}

/** feMul and feMulPM: the columns by E.convolve (column k = v(w, q, 20 - k)). */
function mul() {
  const col = (k) => `v(w, q, ${20 - k})`;
  const head = (extra) => `  let t = 0, c = 0, m = MAGIC, v = conv, q = CV, w = CA${extra},\n    l0: number, l1: number, ${HS};\n  w.set(a);\n  CVM.set(b);\n  CVM.reverse();\n`;
  return `/** o = a b. Any of o, a, b may be the same array. */
export function feMul(o: Fe, a: Fe, b: Fe): void {
${head("")}${reduce(col, plainStore("o"), plainWrap("o"))}}

/**
 * r = a b, then o = x + r and n = x - r (outputs 2R: "sums of two"). The ladder keeps
 * (x + z, x - z) pairs, so its additions ride on the output stage here. o and n must be distinct;
 * either may be x, a or b.
 */
export function feMulPM(o: Fe, n: Fe, a: Fe, b: Fe, x: Fe): void {
${head(", r = 0, y = 0")}${reduce(col, pmStore, pmWrap)}}
`;
}

/** feSqr in plain JS (66 products). */
function sqr() {
  const cs = sqrColumns(), loads = [];
  for (let i = 0; i < N; i++) loads.push(`a${i} = a[${i}]`);
  return `/** o = a^2 (o may be a). Plain JS: 66 products beat 21 native column sums plus the copies. */
export function feSqr(o: Fe, a: Fe): void {
  let t = 0, c = 0, m = MAGIC,
    ${loads.join(", ")},
    l0: number, l1: number, ${HS};
${reduce((k) => cs[k], plainStore("o"), plainWrap("o"))}}
`;
}

/** feA24, unrolled (the loop version cost 2x more on the interpreter). */
function a24() {
  let s = `/**
 * The ladder's z2 factors: e = aa - bb (a difference of two, not carried) and
 * f = aa + 121665 e, carried (|aa + 121665 e| <= R + 2^17 * 2R < 2^42: exact).
 */
export function feA24(e: Fe, f: Fe, aa: Fe, bb: Fe): void {
  let t = 0, c = 0, m = MAGIC, y = 0, l0: number, l1: number;
`;
  for (let k = 0; k < N; k++) {
    const lhs = k < 2 ? `l${k}` : `f[${k}]`;
    s += `  ${lhs} = (c = (y = aa[${k}]) + 121665 * (e[${k}] = y - bb[${k}])${k > 0 ? ` + t / ${R}` : ""}) - (t = c + m - m);\n`;
  }
  return s + plainWrap("f") + "}\n";
}

function fromBytesRaw() {
  let s = `/**
 * Loads 32 little-endian bytes as a field element without reducing it: limbs are the raw
 * 24-bit groups (0 <= x_i < 2^24 = 1.9 R; bit 255 ignored). For constant tables whose entries
 * are canonical; as a factor it counts as 1.9 R (so 1.9 * 2 R is fine). Unrolled: tables are
 * decoded on every use.
 */
export function feFromBytesRaw(o: Fe, b: Uint8Array, k: number): void {
`;
  for (let i = 0; i < 10; i++) s += `  o[${i}] = b[k${3 * i ? " + " + 3 * i : ""}] + b[k + ${3 * i + 1}] * 256 + b[k + ${3 * i + 2}] * 65536;\n`;
  return s + "  o[10] = b[k + 30] + (b[k + 31] & 127) * 256;\n}\n";
}

/** Marker name -> the text between the markers. */
export const blocks = {
  "feAdd/feSub": addSub(),
  "feMul/feMulPM": mul(),
  feSqr: sqr(),
  feA24: a24(),
  feFromBytesRaw: fromBytesRaw(),
};
