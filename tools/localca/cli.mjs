// `espruino-tls csr` and `espruino-tls localca init|sign|issue` (see ca.mjs, csr.mjs).
import { readFileSync, writeFileSync, chmodSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "../castore/cli.mjs";
import { inspectCsr } from "./csr.mjs";
import { initCa, signCsr, issueServer, caFiles } from "./ca.mjs";

export const USAGE = {
  csr: `csr <file> [--json]   inspect a PKCS#10 CSR (PEM or DER): subject, SANs, key, requested extensions,
      and whether its signature verifies (exit 1 when it does not)`,
  localca: `localca init [--dir <d>] [--name <CN>] [--days <n>] [--name-constraint DNS:<suffix>|IP:<a.b.c.d/bits>]... [--force]
      an ECDSA P-256 root in <d> (default ./localca): ca.key (PKCS#8, mode 0600) and ca.pem
    localca sign <csr> [--dir <d>] [--client] [--server] [--days <n>] [--out <file>]
      issue a certificate from a CSR (its subject and DNS/IP SANs; nothing else it asks for):
      --client (default) clientAuth EKU, --server serverAuth (<= 397 days), both for both
    localca issue --name <dns>... [--ip <a.b.c.d>]... [--dir <d>] [--days <n>] [--client] [--out <cert>] [--key-out <key>]
      a server certificate with a P-256 key made here (mode 0600)`,
};

function readInput(file) {
  try { return readFileSync(file); } catch (e) { throw new Error(`${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`); }
}

function days(v) {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 36500) throw new Error(`--days must be 1..36500 (got "${v}")`);
  return Number(v);
}

function certLines(r) {
  const c = r.cert;
  return [
    `  subject ${c.subject.replace(/\n/g, ", ")}`,
    `  issuer  ${c.issuer.replace(/\n/g, ", ")}`,
    `  SANs    ${c.subjectAltName || "(none)"}`,
    `  EKU     ${r.eku.join(", ")}; key ${r.csr.key}; valid ${c.validFrom} .. ${c.validTo}`,
    `  serial  ${c.serialNumber}; SHA-256 ${c.fingerprint256}`,
  ];
}

export async function csrCommand(args, io = console) {
  const o = parseArgs(args, { flags: ["json"] }, "csr");
  if (o._.length !== 1) throw new Error("give one CSR file\n  " + USAGE.csr);
  const r = inspectCsr(readInput(o._[0]), o._[0]);
  const verdict = !r.sigAlgKnown ? `not checked (${r.sigAlg})` : r.signatureValid ? "valid" : "INVALID";
  if (o.json) {
    io.log(JSON.stringify({ file: o._[0], subject: r.subject, sans: r.sans, key: r.key, signatureAlgorithm: r.sigAlg, signature: verdict, extensions: r.extensions }, null, 2));
  } else {
    io.log([
      `${o._[0]}: PKCS#10 request, version ${r.version + 1}, ${r.der.length} bytes DER`,
      `  subject    ${r.subject || "(empty)"}`,
      `  SANs       ${r.sans.length ? r.sans.join(", ") : "(none)"}`,
      `  key        ${r.key}`,
      `  signature  ${r.sigAlg}: ${verdict}`,
      `  extensions ${r.extensions.length ? r.extensions.join(", ") : "(none requested)"}`,
    ].join("\n"));
  }
  return r.signatureValid ? 0 : 1;
}

export async function localcaCommand(args, io = console) {
  const sub = args[0];
  if (!["init", "sign", "issue"].includes(sub)) throw new Error(`localca needs a subcommand: init | sign | issue${sub ? ` (got "${sub}")` : ""}\n  ${USAGE.localca}`);
  const rest = args.slice(1);
  if (sub === "init") {
    const o = parseArgs(rest, { values: ["dir", "name", "days"], multi: ["name-constraint"], flags: ["force"] }, "localca init");
    if (o._.length) throw new Error(`unexpected argument "${o._[0]}"\n  ${USAGE.localca}`);
    const dir = o.dir || "localca";
    const r = initCa(dir, { name: o.name, days: days(o.days), constraints: o["name-constraint"], force: !!o.force });
    io.log(`local CA "${r.name}" (ECDSA P-256, ${r.days} days) in ${dir}: ${r.cert}, private key ${r.key} (keep it off shared disks)` +
      (r.constraints.length ? `\n  name constraints: ${r.constraints.join(", ")}` : "\n  no name constraints: it can issue for any name"));
    return 0;
  }
  if (sub === "sign") {
    const o = parseArgs(rest, { values: ["dir", "days", "out"], flags: ["client", "server"] }, "localca sign");
    if (o._.length !== 1) throw new Error("give one CSR file\n  " + USAGE.localca);
    const dir = o.dir || "localca";
    const r = signCsr(dir, readInput(o._[0]), { client: !!o.client, server: !!o.server, days: days(o.days) });
    const out = o.out || o._[0].replace(/\.(csr|pem|der|req)$/i, "") + ".crt.pem";
    writeFileSync(out, r.pem);
    io.log([`wrote ${out}: certificate from ${o._[0]} issued by ${caFiles(dir).cert}`, ...certLines(r)].join("\n"));
    return 0;
  }
  const o = parseArgs(rest, { values: ["dir", "days", "out", "key-out"], multi: ["name", "ip"], flags: ["client"] }, "localca issue");
  if (o._.length) throw new Error(`unexpected argument "${o._[0]}"\n  ${USAGE.localca}`);
  const dir = o.dir || "localca";
  const r = issueServer(dir, { names: o.name, ips: o.ip, days: days(o.days), client: !!o.client });
  const base = (o.name[0] || o.ip[0]).replace(/[^A-Za-z0-9.-]/g, "_");
  const out = o.out || path.join(dir, base + ".pem");
  const keyOut = o["key-out"] || path.join(dir, base + ".key");
  writeFileSync(keyOut, r.keyPem, { mode: 0o600 });
  chmodSync(keyOut, 0o600);
  writeFileSync(out, r.pem);
  io.log([`wrote ${out} and its key ${keyOut} (P-256, PKCS#8)`, ...certLines(r)].join("\n"));
  return 0;
}
