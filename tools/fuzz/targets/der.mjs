// The strict DER reader (firmware/x509/der.ts): every element of a mutated certificate walked,
// each primitive read with the typed reader its tag calls for. Invariants: BAD_DER (or another
// coded error) only, elements inside their parent, and the same outline over a Uint8Array and
// over a byte string (the reader serves both: RAM certificates and flash-backed Storage reads).
import { fuzzFirmware, coded, latin1, Violation } from "../engine.mjs";
import { chainCases } from "../seeds.mjs";

const READERS = { 0x01: "bool", 0x02: "smallInt", 0x05: "nul", 0x06: "oid" };

function walk(X, src, start, end, depth, out) {
  const d = new X.Der(src, start, end);
  while (d.more()) {
    const r = coded(() => d.next(-1), "Der.next");
    if (r.err) { out.push("E" + r.err.code); return; }
    if (d.hs < start || d.vs <= d.hs || d.ve < d.vs || d.ve > end) throw new Violation(`element [${d.hs},${d.vs},${d.ve}) outside [${start},${end})`);
    out.push(`${d.tag}:${d.hs}:${d.vs}:${d.ve}`);
    const t = d.tag;
    if ((t & 0x20) && depth < 40) walk(X, src, d.vs, d.ve, depth + 1, out);
    else {
      const one = (m) => { const e = new X.Der(src, d.hs, d.ve); const v = coded(() => e[m](), "Der." + m); out.push(m + "=" + (v.err ? "E" + v.err.code : String(v.ok))); };
      if (READERS[t]) one(READERS[t]);
      if (t === 0x02) one("posInt");
      if (t === 0x03) { one("bitsWhole"); one("bitList"); }
      if (t === 0x04 || t === 0x0c || t === 0x13 || t === 0x16) { const e = new X.Der(src, d.hs, d.ve); e.next(t); out.push("t=" + e.text().length + ":" + e.maxByte()); }
    }
  }
  coded(() => d.done(), "Der.done");
}

export default {
  async setup() { const fw = await fuzzFirmware(); return { fw, X: fw.T.x509t }; },
  seeds() { return chainCases().flatMap((c) => [...c.chain, ...c.anchors]); },
  run(ctx, input) {
    const a = [], b = [];
    walk(ctx.X, ctx.fw.board.realm.u8(input), 0, input.length, 0, a);
    walk(ctx.X, latin1(input), 0, input.length, 0, b);
    if (a.join() !== b.join()) throw new Violation("the reader differs over bytes and over a byte string");
  },
};
