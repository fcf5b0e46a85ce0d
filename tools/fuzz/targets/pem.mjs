// The PEM decoder (x509 pemCerts, base64Decode): coded errors only, and what it decodes is what
// Node's base64 decoder makes of the same text.
import { fuzzFirmware, coded, latin1, fromLatin1, Violation } from "../engine.mjs";
import { chainCases } from "../seeds.mjs";

const pem = (der) => "-----BEGIN CERTIFICATE-----\n" + Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n") + "-----END CERTIFICATE-----\n";

export default {
  async setup() { const fw = await fuzzFirmware(); return { fw, X: fw.T.x509t }; },
  seeds() {
    const cs = chainCases({ limbo: false });
    return [...cs.map((c) => fromLatin1(c.chain.map(pem).join(""))), fromLatin1(pem(cs[0].anchors[0]).replace(/\n/g, "\r\n")), fromLatin1("junk before\n" + pem(cs[0].chain[0]) + "junk after")];
  },
  run(ctx, input) {
    const text = latin1(input);
    const r = coded(() => ctx.X.pemCerts(text), "pemCerts");
    if (r.ok) {
      const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
      if (r.ok.length > blocks.length) throw new Violation(`${r.ok.length} certificates from ${blocks.length} PEM blocks`);
    }
    const body = text.replace(/-----[^-\n]*-----/g, "");
    const d = coded(() => ctx.X.base64Decode(body), "base64Decode");
    if (d.ok && !Buffer.from(d.ok).equals(Buffer.from(body.replace(/[\s]/g, ""), "base64"))) throw new Violation("base64Decode differs from Node's decoder");
  },
};
