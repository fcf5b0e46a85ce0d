// Generator of unrolled Montgomery mul/sqr for special primes with 24-bit limbs.
// red: list of [offset, factor]: column k gets factor*m_{k-offset} (m*(p+1) = sum factor*2^(24*offset)).
// fold: for R = 2^(24N) with no slack: extra final carry handling code (string) appended.
export function genMul(N, red, sq) {
  const A = (i) => "a" + i, B = (i) => "b" + i, Mv = (i) => "m" + i;
  let L = [];
  const decl = [];
  for (let i = 0; i < N; i++) decl.push(A(i));
  if (!sq) for (let i = 0; i < N; i++) decl.push(B(i));
  for (let i = 0; i < N; i++) decl.push(Mv(i));
  L.push("var s,c,t," + decl.join(",") + ";");
  for (let i = 0; i < N; i++) L.push(A(i) + "=a[" + i + "];");
  if (!sq) for (let i = 0; i < N; i++) L.push(B(i) + "=b[" + i + "];");
  const maxCol = 2 * N - 1;
  for (let k = 0; k <= maxCol; k++) {
    let terms = [];
    if (k > 0) terms.push("c");
    if (!sq) {
      for (let i = 0; i < N; i++) { const j = k - i; if (j >= 0 && j < N) terms.push(A(i) + "*" + B(j)); }
    } else {
      let cross = [];
      for (let i = 0; i < N; i++) { const j = k - i; if (j > i && j < N) cross.push(A(i) + "*" + A(j)); }
      if (cross.length === 1) terms.push("2*" + cross[0]);
      else if (cross.length) terms.push("2*(" + cross.join("+") + ")");
      if (k % 2 === 0 && k / 2 < N) terms.push(A(k / 2) + "*" + A(k / 2));
    }
    for (const [off, f] of red) {
      const idx = k - off;
      if (idx >= 0 && idx < N) terms.push(f === 1 ? "+" + Mv(idx) : f === -1 ? "-" + Mv(idx) : (f < 0 ? "-" : "+") + Math.abs(f) + "*" + Mv(idx));
    }
    let expr = terms.map((t, i) => (i === 0 ? t.replace(/^\+/, "") : /^[+-]/.test(t) ? t : "+" + t)).join("");
    if (expr === "") expr = "0";
    if (k < N) L.push("s=" + expr + ";" + Mv(k) + "=s&16777215;c=(s-" + Mv(k) + ")/16777216;");
    else if (k < maxCol) L.push("s=" + expr + ";t=s&16777215;r[" + (k - N) + "]=t;c=(s-t)/16777216;");
    else L.push("c=" + expr + ";");
  }
  return L.join("\n");
}
