// Generator of the unrolled Montgomery product columns of firmware/crypto/montmul48.ts: the
// columns of bignum.ts's montLo/montHi for n limbs with view spacing g (n >> 3), each a
// statement with its views, offsets and slots as literals (no loop, no index arithmetic).
// Layout and arithmetic: see bignum.ts (X = [a0, m0, ...], Y = [0 x g, b(n-1), N''(n-1), ...]).

/** The two functions' text for n limbs (n a multiple of 8). */
export function genMont(n) {
  const g = n >> 3, lo = [], hi = [], P = new Set(), Q = new Set(), S = new Set();
  for (let k = 0; k < n; k++) {
    // m(k) into slot 2k+1; X[0] meets Y at p in column k
    const i = 2 * k + 1, p = 2 * (n - 1 - k) + g, ux = (i / g) | 0, uy = (p / g) | 0, o = p - uy * g;
    P.add(ux);
    Q.add(uy);
    lo.push(`  X[${i}] = (s = c + f(P${ux}, Q${uy}, ${o})) & 4194303;`, "  c = s / 4194304 | 0;");
  }
  for (let k = n; k < 2 * n - 1; k++) {
    // result limb k-n into X[i] and Y[j]; the X suffix from ux*g, whose first pairs meet Y's zeros
    const i = 2 * (k - n), j = 2 * (2 * n - 1 - k) + g, ux = ((i + 2) / g) | 0, o = ux * g - i - 2 + g;
    S.add(ux);
    hi.push(`  X[${i}] = Y[${j}] = (s = c + f(S${ux}, Y, ${o})) & 4194303;`, "  c = s / 4194304 | 0;");
  }
  hi.push(`  X[${2 * (n - 1)}] = Y[${g}] = c;`);
  const views = (set, name, arr) => [...set].sort((a, b) => a - b).map((u) => `${name}${u} = C.${arr}[${u}]`).join(", ");
  return [
    `export function mont${n}Lo(C: Ctx): void {`,
    `  const X = C.X, f = C.cv;`,
    `  let s = 0, c = 0;`,
    `  const ${views(P, "P", "xp")};`,
    `  const ${views(Q, "Q", "ys")};`,
    ...lo,
    `  C.c = c;`,
    `}`,
    `export function mont${n}Hi(C: Ctx): void {`,
    `  const X = C.X, Y = C.Y, f = C.cv;`,
    `  let s = 0, c = C.c;`,
    `  const ${views(S, "S", "xs")};`,
    ...hi,
    `}`,
  ].join("\n");
}

export const block = genMont(48);
