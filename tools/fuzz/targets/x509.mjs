// Certificate parsing and path validation (x509 parseCert, validateChain) over mutated chains,
// each case with its fixed anchors, time and host name (the recorded chains, and x509-limbo's
// SERVER cases with a DNS name, except those this validator accepts and OpenSSL rejects
// unmutated). Invariants: coded errors only, and no chain accepted that `openssl verify` (same
// anchors, time, host, purpose sslserver) rejects.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createHash, X509Certificate } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { fuzzFirmware, coded, cat, Violation } from "../engine.mjs";
import { chainCases } from "../seeds.mjs";

const pem = (der) => "-----BEGIN CERTIFICATE-----\n" + Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n") + "-----END CERTIFICATE-----\n";
const dir = mkdtempSync(path.join(tmpdir(), "etls-fuzz-x509-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

/** Whether OpenSSL accepts `chain` (leaf first) for the case. */
function opensslAccepts(c, chain) {
  const f = (n, list) => { const p = path.join(dir, n); writeFileSync(p, list.map(pem).join("")); return p; };
  const args = ["verify", "-attime", String(c.time), "-purpose", "sslserver", "-verify_hostname", c.host, "-partial_chain", "-CAfile", f("ca.pem", c.anchors)];
  // Extra certificates that cannot be parsed cannot be in a path: openssl would refuse the file.
  const extra = chain.slice(1).filter((d) => { try { new X509Certificate(d); return true; } catch { return false; } });
  if (extra.length) args.push("-untrusted", f("untrusted.pem", extra));
  args.push(f("leaf.pem", chain.slice(0, 1)));
  try { execFileSync("openssl", args, { stdio: "ignore" }); return true; } catch { return false; }
}

export function toInput(i, chain) {
  return cat(Uint8Array.of(i), ...chain.flatMap((d) => [Uint8Array.of(d.length >> 8, d.length & 255), d]));
}

function fromInput(b, n) {
  const chain = [];
  for (let o = 1; o + 2 <= b.length && chain.length < 8;) { const len = (b[o] << 8) | b[o + 1]; chain.push(b.subarray(o + 2, Math.min(b.length, o + 2 + len))); o += 2 + len; }
  return { i: (b[0] || 0) % n, chain };
}

export default {
  async setup() {
    const fw = await fuzzFirmware();
    const X = fw.T.x509t;
    const u8 = fw.board.realm.u8;
    const cases = [];
    for (const c of chainCases()) {
      if (cases.length >= 250) break;
      const anchors = X.memoryAnchors(c.anchors.map((a) => X.anchorFromCert(u8(a))));
      const ours = coded(() => X.validateChain(c.chain.map(u8), { time: c.time, host: c.host, anchors }), "validateChain");
      // Left out: the cases this validator accepts and OpenSSL does not (profile differences, see
      // the limbo figures): their mutations would repeat that difference, not find a new one.
      if (!ours.ok || opensslAccepts(c, c.chain)) cases.push({ ...c, anchorSource: anchors });
    }
    return { fw, X, u8, cases, verdicts: new Map(), accepted: 0, inputs: 0 };
  },
  stats(ctx) { return `${ctx.cases.length} cases; ${ctx.accepted} of ${ctx.inputs} inputs accepted, each checked with openssl verify (${ctx.verdicts.size} distinct)`; },
  seeds(ctx) { return ctx.cases.map((c, i) => toInput(i, c.chain)); },
  run(ctx, input) {
    ctx.inputs++;
    const { i, chain } = fromInput(input, ctx.cases.length);
    const c = ctx.cases[i];
    const certs = chain.map(ctx.u8);
    for (const d of certs) coded(() => ctx.X.parseCert(d), "parseCert");
    const r = coded(() => ctx.X.validateChain(certs, { time: c.time, host: c.host, anchors: c.anchorSource }), "validateChain");
    if (!r.ok || !chain.length) return;
    ctx.accepted++;
    const key = createHash("sha256").update(input).digest("hex");
    if (!ctx.verdicts.has(key)) { if (ctx.verdicts.size > 100000) ctx.verdicts.clear(); ctx.verdicts.set(key, opensslAccepts(c, chain)); }
    if (!ctx.verdicts.get(key)) throw new Violation(`accepted a chain that openssl verify rejects (case ${c.name})`);
  },
};
