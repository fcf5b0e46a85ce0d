// Unrolled linear ops (add, sub, mulSmall) with the special-form fold, for P-256 (11 limbs) and P-384 (16 limbs).
// P-256: value kept < 2^257; fold of bits >= 2^256 (top limb >> 16): 2^256 = 2^224 - 2^192 - 2^96 + 1 (mod p)
//        = limb9*2^8 - limb8 - limb4 + limb0.
// P-384: value kept < 2^384; fold of bits >= 2^384 (top limb >> 24): 2^384 = 2^128 + 2^96 - 2^32 + 1
//        = limb5*2^8 + limb4 - limb1*2^8 + limb0; a rare second fold in fix().
const M = 16777215;
export function kLimbs(N, p, mult) {
  // mult*p as limbs where every low limb is in [2^24-1, 2^25): borrow one from the next limb
  let x = p * BigInt(mult); const k = [];
  for (let i = 0; i < N; i++) { k.push(i === N - 1 ? Number(x) : Number(x & 0xffffffn)); x >>= 24n; }
  for (let i = 0; i < N - 1; i++) { k[i] += 16777216; k[i + 1] -= 1; }
  return k;
}
export function genLin(N, fold, topShift, kind, K) {
  // kind: "add" | "sub" | "mulsmall"; fold: map limb -> coefficient of h
  const raw = (i) => kind === "add" ? `a[${i}]+b[${i}]` : kind === "sub" ? `a[${i}]-b[${i}]+${K[i]}` : `k*a[${i}]`;
  const L = ["var s,h,c;"];
  L.push(`h=(${raw(N - 1)})>>${topShift};`);
  for (let i = 0; i < N - 1; i++) {
    let e = raw(i);
    if (fold[i]) e += fold[i] === 1 ? "+h" : fold[i] === -1 ? "-h" : (fold[i] > 0 ? "+" : "-") + Math.abs(fold[i]) + "*h";
    if (i) e += "+c";
    L.push(`s=${e};r[${i}]=s&${M};c=s>>24;`);
  }
  L.push(`r[${N - 1}]=${raw(N - 1)}-h*${2 ** topShift}+c;`);
  return L.join("\n");
}
