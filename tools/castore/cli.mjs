// Host commands for trust anchors and the files around them:
//   cabundle build | inspect    CA store images (docs/castore-format.md)
//   cert der | pem              certificate conversions
//   key der | pem               key conversions (PKCS#1, PKCS#8, SEC1, SubjectPublicKeyInfo)
// Each names what a file holds when it is not what the command expects.
import { readFileSync, writeFileSync } from "node:fs";
import { createPrivateKey, createPublicKey, X509Certificate, createHash } from "node:crypto";
import path from "node:path";
import { loadBoard } from "../lib/boards.mjs";
import { loadCertificates, select, matches, certInfo, MOZILLA_BUNDLE } from "./anchors.mjs";
import { identify, describe, KINDS } from "./identify.mjs";
import { buildImage, readImage, keyDescription, encodeKey, HEADER_BYTES } from "./format.mjs";
import { toPem, nameText, nameLabel } from "./der.mjs";

export const DEFAULT_STORE_NAME = "etls.ca"; // firmware/castore/store.ts DEFAULT_NAME

export const HELP = {
  "cabundle build": `cabundle build [<file|dir>...] [--mozilla] [options]   build a CA store image
    inputs: PEM or DER certificate files, directories of *.pem/*.crt/*.cer/*.der, --mozilla = ${MOZILLA_BUNDLE}
    --only <name|sha256>        keep only matching anchors (repeatable; part of the subject name, or a
                                SHA-256 fingerprint of the certificate or its key, >= 8 hex digits)
    --exclude <name|sha256>     drop matching anchors (repeatable)
    --board <name>              check the image against the board's budgets.caStoreBytes (refused if larger)
    --version <n>               store version, 1..4294967295 (default: the creation time; OTA needs it to grow)
    --created <seconds>         creation time (default: now, or $SOURCE_DATE_EPOCH)
    --distrust-after <name|sha256>=<YYYY-MM-DD>   refuse certificates issued after that day through the anchor
    --keep-expired              keep anchors whose certificate has expired (dropped by default)
    --no-expiry                 do not store the certificates' notAfter dates
    --out <file>                output file (default castore.bin)
    --quiet                     only the summary`,
  "cabundle inspect": `cabundle inspect <file> [--days <n>] [--board <name>] [--json] [--now <seconds|YYYY-MM-DD>]
    checks a CA store image like the board does, lists its anchors (key, expiry, key SHA-256) and
    warns on anchors expiring within n days (default 90)`,
  "cert der": `cert der <in> [--out <file>] [--index <n>]   certificate (PEM or DER) to DER`,
  "cert pem": `cert pem <in>... [--out <file>]   certificates (PEM or DER) to one PEM file`,
  "key der": `key der <in> [--out <file>] [--to pkcs8|pkcs1|sec1|spki] [--index <n>]   key to DER
    inputs: PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY", "RSA PUBLIC KEY"), SEC1 ("EC PRIVATE KEY"),
    SubjectPublicKeyInfo ("PUBLIC KEY"); --to spki also takes a certificate. Default: the same structure`,
  "key pem": `key pem <in> [--out <file>] [--to pkcs8|pkcs1|sec1|spki] [--index <n>]   key to PEM`,
};

/** Text for tools/cli.mjs COMMANDS (shown by `espruino-tls <cmd> --help`). */
export const USAGE = {
  cabundle: [HELP["cabundle build"], HELP["cabundle inspect"]].join("\n  "),
  cert: [HELP["cert der"], HELP["cert pem"]].join("\n  "),
  key: [HELP["key der"], HELP["key pem"]].join("\n  "),
};

/** Minimal option parser: values (string), multi (repeatable), flags (boolean). */
export function parseArgs(args, { values = [], multi = [], flags = [] }, cmd) {
  const o = { _: [] };
  for (const m of multi) o[m] = [];
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    if (!a.startsWith("--") || a === "--") { if (a !== "--") o._.push(a); continue; }
    let v;
    const eq = a.indexOf("=");
    if (eq > 0) { v = a.slice(eq + 1); a = a.slice(0, eq); }
    const k = a.slice(2);
    if (flags.includes(k)) {
      if (v !== undefined) throw new Error(`${a} takes no value`);
      o[k] = true;
    } else if (values.includes(k) || multi.includes(k)) {
      if (v === undefined) {
        if (i + 1 >= args.length) throw new Error(`${a} needs a value`);
        v = args[++i];
      }
      if (multi.includes(k)) o[k].push(v); else o[k] = v;
    } else {
      const known = [...values, ...multi, ...flags].map((x) => "--" + x).join(", ");
      throw new Error(`unknown option ${a} for ${cmd} (options: ${known || "none"})`);
    }
  }
  return o;
}

const day = (t) => new Date(t * 1000).toISOString().slice(0, 10);
const pad = (s, n) => (String(s).length >= n ? String(s) : String(s) + " ".repeat(n - String(s).length));
const lpad = (s, n) => (String(s).length >= n ? String(s) : " ".repeat(n - String(s).length) + String(s));
const fp = (h) => h.slice(0, 16) + "…";

function intArg(v, what, min, max) {
  if (!/^\d+$/.test(String(v))) throw new Error(`${what} must be an integer (got "${v}")`);
  const n = Number(v);
  if (n < min || n > max) throw new Error(`${what} must be from ${min} to ${max} (got ${n})`);
  return n;
}

function timeArg(v, what) {
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(/^\d{4}-\d\d-\d\d$/.test(v) ? v + "T00:00:00Z" : v);
  if (Number.isNaN(t)) throw new Error(`${what}: "${v}" is neither seconds since 1970 nor a date (YYYY-MM-DD)`);
  return Math.floor(t / 1000);
}

function budgetOf(board) {
  if (!board) return null;
  const p = loadBoard(board);
  return { board: p.name, bytes: p.budgets.caStoreBytes };
}

function subcommand(args, names, cmd) {
  const sub = args[0];
  if (!sub || !names.includes(sub)) {
    const all = cmd === "cabundle" ? [...names, "sign"] : names;
    throw new Error(`${cmd} needs a subcommand: ${all.join(" | ")}${sub ? ` (got "${sub}")` : ""}\n  ${USAGE[cmd]}`);
  }
  return sub;
}

// ---- cabundle ------------------------------------------------------------------------------

export async function cabundleCommand(args, io = console) {
  const sub = subcommand(args, ["build", "inspect"], "cabundle");
  return sub === "build" ? cabundleBuild(args.slice(1), io) : cabundleInspect(args.slice(1), io);
}

export function cabundleBuild(args, io = console) {
  const o = parseArgs(args, {
    values: ["board", "version", "created", "out", "mozilla-file"],
    multi: ["only", "exclude", "distrust-after"],
    flags: ["mozilla", "keep-expired", "no-expiry", "quiet"],
  }, "cabundle build");
  if (!o._.length && !o.mozilla) throw new Error("give certificate files or directories, or --mozilla\n  " + HELP["cabundle build"]);
  const budget = budgetOf(o.board);
  const created = o.created !== undefined ? timeArg(o.created, "--created")
    : process.env.SOURCE_DATE_EPOCH ? intArg(process.env.SOURCE_DATE_EPOCH, "$SOURCE_DATE_EPOCH", 0, 0xffffffff)
    : Math.floor(Date.now() / 1000);
  const version = o.version !== undefined ? intArg(o.version, "--version", 1, 0xffffffff) : Math.max(1, created);
  const out = o.out || "castore.bin";

  const { certs, duplicates } = loadCertificates(o._, { mozilla: !!o.mozilla, mozillaFile: o["mozilla-file"] || MOZILLA_BUNDLE });
  const { list: chosen, warnings } = select(certs, o.only, o.exclude);
  const distrust = o["distrust-after"].map((d) => {
    const eq = d.lastIndexOf("=");
    if (eq <= 0) throw new Error(`--distrust-after wants <name|sha256>=<YYYY-MM-DD> (got "${d}")`);
    const pat = d.slice(0, eq);
    const t = timeArg(d.slice(eq + 1), "--distrust-after");
    if (!chosen.some((c) => matches(c, pat))) throw new Error(`--distrust-after "${pat}" matches no selected anchor`);
    return { pat, t };
  });
  // One anchor per (subject, key): a re-issued root (same name and key, new dates) keeps the
  // later expiry; nothing else about an anchor differs between such certificates.
  const merged = [];
  const byKey = new Map();
  for (const c of chosen) {
    const k = c.subject.toString("hex") + c.spki.toString("hex") + (c.nameConstraints ? c.nameConstraints.toString("hex") : "");
    const prev = byKey.get(k);
    if (prev === undefined) { byKey.set(k, merged.length); merged.push(c); continue; }
    if (c.notAfter > merged[prev].notAfter) { merged[prev] = c; }
    warnings.push(`"${c.label}": two certificates with the same name and key; kept the one expiring ${day(merged[prev].notAfter)}`);
  }
  const expired = merged.filter((c) => c.notAfter < created);
  const kept = o["keep-expired"] ? merged : merged.filter((c) => c.notAfter >= created);
  if (!kept.length) throw new Error(`no anchors left to store (${certs.length} read, ${chosen.length} selected, ${expired.length} expired)`);
  const anchors = kept.map((c) => {
    const d = distrust.find((x) => matches(c, x.pat));
    return {
      subject: c.subject, spki: c.spki, ski: c.ski, nameConstraints: c.nameConstraints,
      notAfter: o["no-expiry"] ? undefined : c.notAfter,
      distrustAfter: d ? d.t : undefined,
    };
  });
  for (const a of anchors) if (a.subject.length > 32767) throw new Error("a subject name longer than 32767 bytes cannot be stored");
  const img = buildImage(anchors, { version, created });
  // The image must read back to exactly what went in.
  const back = readImage(img.image);
  img.order.forEach((inIdx, ord) => {
    const r = back.anchors[ord];
    if (!r.subject.equals(anchors[inIdx].subject) || !r.spki.equals(anchors[inIdx].spki)) throw new Error(`internal error: anchor ${kept[inIdx].label} does not read back`);
  });

  const total = img.image.length;
  const lines = [];
  if (!o.quiet) {
    lines.push(`${lpad("#", 3)}  ${lpad("bytes", 5)}  ${pad("key", 9)}  ${pad("expires", 10)}  ${pad("SHA-256", 17)}  name`);
    kept.forEach((c, i) => {
      const notes = [];
      if (!c.selfSigned) notes.push("not self-signed");
      if (c.nameConstraints) notes.push("name constraints");
      if (anchors[i].distrustAfter !== undefined) notes.push(`distrust after ${day(anchors[i].distrustAfter)}`);
      if (c.notAfter < created) notes.push("EXPIRED");
      lines.push(`${lpad(i + 1, 3)}  ${lpad(img.sizes[i], 5)}  ${pad(c.keyText, 9)}  ${day(c.notAfter)}  ${fp(c.sha256)}  ${c.label}${notes.length ? "  (" + notes.join(", ") + ")" : ""}`);
    });
  }
  const N = kept.length;
  const K = anchors.filter((a) => a.ski && a.ski.length).length;
  const idx = 7 * N + 6 * K;
  lines.push(`read ${certs.length} certificate(s)${duplicates.length ? `, ${duplicates.length} duplicate(s) skipped` : ""}; ${kept.length} anchor(s) stored` +
    (o.only.length || o.exclude.length ? ` (${chosen.length} selected by --only/--exclude)` : "") +
    (expired.length && !o["keep-expired"] ? `; ${expired.length} expired dropped: ${expired.map((c) => c.label).join("; ")}` : ""));
  for (const w of warnings) lines.push(`warning: ${w}`);
  lines.push(`total ${total} bytes = header ${HEADER_BYTES} + indexes ${idx} + records ${total - HEADER_BYTES - idx}` +
    (budget ? ` / budget ${budget.bytes} (${budget.board} budgets.caStoreBytes): ${total <= budget.bytes ? `fits, ${budget.bytes - total} bytes left` : `DOES NOT FIT, ${total - budget.bytes} bytes over`}` : " (no --board: not checked against a flash budget)"));
  io.log(lines.join("\n"));
  if (budget && total > budget.bytes) {
    throw new Error(`the store (${total} bytes) does not fit ${budget.board}'s CA store budget of ${budget.bytes} bytes; nothing written. Drop anchors with --exclude or choose them with --only`);
  }
  writeFileSync(out, img.image);
  io.log(`wrote ${out}: ${total} bytes, store version ${version}, created ${new Date(created * 1000).toISOString()}, body SHA-256 ${back.header.sha256}\n` +
    `install: espruino-tls flash --board ${budget ? budget.board : "<board>"} --port <port> --storage ${DEFAULT_STORE_NAME}=${out}`);
  return 0;
}

export function cabundleInspect(args, io = console) {
  const o = parseArgs(args, { values: ["days", "board", "now"], flags: ["json"] }, "cabundle inspect");
  if (o._.length !== 1) throw new Error("give one CA store file\n  " + HELP["cabundle inspect"]);
  const file = o._[0];
  let buf;
  try { buf = readFileSync(file); } catch (e) { throw new Error(`${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`); }
  const kinds = identify(buf);
  if (kinds.length !== 1 || kinds[0].kind !== "castore") {
    throw new Error(`${file} holds ${describe(kinds)}, not a CA store image (build one with: espruino-tls cabundle build)`);
  }
  const budget = budgetOf(o.board);
  const days = o.days !== undefined ? intArg(o.days, "--days", 0, 36500) : 90;
  const now = o.now !== undefined ? timeArg(o.now, "--now") : Math.floor(Date.now() / 1000);
  let st;
  try { st = readImage(buf, budget ? { maxBytes: budget.bytes } : {}); } catch (e) { throw new Error(`${file}: ${e.message}`); }
  const h = st.header;
  const warn = [];
  const rows = st.anchors.map((a, i) => {
    const key = encodeKey(a.spki);
    const r = {
      index: i, name: nameText(a.subject), label: nameLabel(a.subject), key: keyDescription(key.type, key.data),
      keySha256: createHash("sha256").update(a.spki).digest("hex"), notAfter: a.notAfter, distrustAfter: a.distrustAfter,
      nameConstraints: !!a.nameConstraints, keyId: a.ski ? a.ski.toString("hex") : null, bytes: a.recordBytes,
    };
    if (a.notAfter !== undefined && a.notAfter < now) warn.push(`anchor ${i} (${r.label}) expired on ${day(a.notAfter)}`);
    else if (a.notAfter !== undefined && a.notAfter < now + days * 86400) warn.push(`anchor ${i} (${r.label}) expires on ${day(a.notAfter)}, within ${days} days`);
    return r;
  });
  if (o.json) {
    io.log(JSON.stringify({ file, bytes: buf.length, header: h, anchors: rows, warnings: warn }, null, 2));
    return 0;
  }
  const lines = [
    `${file}: CA store format ${h.formatVersion}, store version ${h.version}, created ${new Date(h.created * 1000).toISOString()}`,
    `${h.count} anchors, ${buf.length} bytes${budget ? ` (budget ${budget.bytes} on ${budget.board}: ${buf.length <= budget.bytes ? "fits" : "too large"})` : ""}, body SHA-256 ${h.sha256} (checked)`,
    `${lpad("#", 3)}  ${pad("key", 9)}  ${pad("expires", 10)}  ${pad("key SHA-256", 17)}  name`,
  ];
  for (const r of rows) {
    const notes = [];
    if (r.distrustAfter !== undefined) notes.push(`distrust after ${day(r.distrustAfter)}`);
    if (r.nameConstraints) notes.push("name constraints");
    lines.push(`${lpad(r.index, 3)}  ${pad(r.key, 9)}  ${r.notAfter !== undefined ? day(r.notAfter) : pad("-", 10)}  ${fp(r.keySha256)}  ${r.name}${notes.length ? "  (" + notes.join(", ") + ")" : ""}`);
  }
  io.log(lines.join("\n"));
  for (const w of warn) io.error(`warning: ${w}`);
  return 0;
}

// ---- cert ------------------------------------------------------------------------------------

function readInput(file) {
  try { return readFileSync(file); } catch (e) { throw new Error(`${file}: ${e.code === "ENOENT" ? "no such file" : e.message}`); }
}

function outName(input, ext, out) {
  const o = out || path.join(path.dirname(input), path.basename(input).replace(/\.[^.]*$/, "") + ext);
  if (path.resolve(o) === path.resolve(input)) throw new Error(`the output would overwrite ${input}: give --out`);
  return o;
}

function pick(items, index, what, file) {
  if (index !== undefined) {
    const i = intArg(index, "--index", 0, items.length - 1);
    return items[i];
  }
  if (items.length > 1) throw new Error(`${file} holds ${items.length} ${what}s: choose one with --index 0..${items.length - 1}`);
  return items[0];
}

export async function certCommand(args, io = console) {
  const sub = subcommand(args, ["der", "pem"], "cert");
  const o = parseArgs(args.slice(1), { values: ["out", "index"] }, `cert ${sub}`);
  if (!o._.length || (sub === "der" && o._.length !== 1)) throw new Error(`give ${sub === "der" ? "one input file" : "input files"}\n  ${HELP["cert " + sub]}`);
  const certs = [];
  let inBytes = 0;
  for (const file of o._) {
    const buf = readInput(file);
    inBytes += buf.length;
    const items = identify(buf);
    const found = items.filter((x) => x.kind === "certificate" || x.kind === "trusted-certificate");
    if (!found.length) {
      const hint = items.some((x) => ["pkcs8", "pkcs1", "sec1", "spki", "pkcs1-public"].includes(x.kind)) ? ": use `espruino-tls key der|pem` for keys" : "";
      throw new Error(`${file} holds ${describe(items)}, not a certificate${hint}`);
    }
    for (const c of found) {
      let x;
      try { x = new X509Certificate(c.der); } catch (e) { throw new Error(`${file}: the certificate does not parse: ${e.message}`); }
      certs.push({ file, der: Buffer.from(x.raw), x });
    }
  }
  let data;
  let chosen;
  if (sub === "der") {
    chosen = [pick(certs, o.index, "certificate", o._[0])];
    data = chosen[0].der;
  } else {
    chosen = o.index !== undefined ? [pick(certs, o.index, "certificate", o._[0])] : certs;
    data = Buffer.from(chosen.map((c) => toPem("CERTIFICATE", c.der)).join(""), "latin1");
  }
  const out = outName(o._[0], sub === "der" ? ".der" : ".pem", o.out);
  writeFileSync(out, data);
  const lines = [`wrote ${out}: ${data.length} bytes of ${sub.toUpperCase()} (${chosen.length} certificate${chosen.length > 1 ? "s" : ""}, from ${inBytes} input bytes)`];
  for (const c of chosen) {
    const info = certInfo(c.der, c.file);
    lines.push(`  ${info.name}; ${info.keyText}; not after ${day(info.notAfter)}; ${c.der.length} bytes DER; SHA-256 ${info.sha256}`);
  }
  io.log(lines.join("\n"));
  return 0;
}

// ---- key ---------------------------------------------------------------------------------------

const KEY_KINDS = ["pkcs8", "pkcs1", "sec1", "spki", "pkcs1-public"];
const TYPE_NAME = { pkcs8: "PKCS#8", pkcs1: "PKCS#1", sec1: "SEC1", spki: "SubjectPublicKeyInfo", "pkcs1-public": "PKCS#1" };

function keyText(k) {
  const t = k.asymmetricKeyType;
  const d = k.asymmetricKeyDetails || {};
  if (t === "rsa" || t === "rsa-pss") return `RSA-${d.modulusLength}`;
  if (t === "ec") return `EC ${({ prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" })[d.namedCurve] || d.namedCurve}`;
  return t === "ed25519" ? "Ed25519" : t;
}

export async function keyCommand(args, io = console) {
  const sub = subcommand(args, ["der", "pem"], "key");
  const o = parseArgs(args.slice(1), { values: ["out", "index", "to"] }, `key ${sub}`);
  if (o._.length !== 1) throw new Error(`give one input file\n  ${HELP["key " + sub]}`);
  const file = o._[0];
  const to = o.to;
  if (to !== undefined && !["pkcs8", "pkcs1", "sec1", "spki"].includes(to)) throw new Error(`--to must be pkcs8, pkcs1, sec1 or spki (got "${to}")`);
  const buf = readInput(file);
  const items = identify(buf);
  const enc = items.find((x) => x.kind === "pkcs8-encrypted");
  let keys = items.filter((x) => KEY_KINDS.includes(x.kind));
  if (!keys.length && to === "spki") keys = items.filter((x) => x.kind === "certificate").map((x) => ({ ...x, kind: "certificate" }));
  if (!keys.length) {
    if (enc) throw new Error(`${file} holds ${KINDS["pkcs8-encrypted"]}: decrypt it first (openssl pkey -in ${file} -out plain.pem)`);
    const hint = items.some((x) => x.kind === "certificate") ? ": use `espruino-tls cert der|pem` for certificates (or --to spki for the certificate's public key)" : "";
    throw new Error(`${file} holds ${describe(items)}, not a key (PKCS#8, PKCS#1, SEC1 or SubjectPublicKeyInfo)${hint}`);
  }
  const item = pick(keys, o.index, "key", file);
  let key;
  const isPrivate = ["pkcs8", "pkcs1", "sec1"].includes(item.kind);
  try {
    if (item.kind === "certificate") key = new X509Certificate(item.der).publicKey;
    else if (isPrivate) key = createPrivateKey({ key: item.der, format: "der", type: item.kind });
    else key = createPublicKey({ key: item.der, format: "der", type: item.kind === "spki" ? "spki" : "pkcs1" });
  } catch (e) {
    throw new Error(`${file}: looks like ${KINDS[item.kind]} but does not parse: ${e.message}`);
  }
  const kt = key.asymmetricKeyType;
  const found = `${file} holds ${KINDS[item.kind]} (${keyText(key)})`;
  let target = to || (item.kind === "pkcs1-public" ? "pkcs1" : item.kind === "certificate" ? "spki" : item.kind);
  if (target === "spki" && isPrivate) key = createPublicKey(key);
  if (target === "pkcs8" && !isPrivate) throw new Error(`--to pkcs8 needs a private key; ${found}`);
  if (target === "sec1" && (kt !== "ec" || !isPrivate)) throw new Error(`--to sec1 needs an EC private key; ${found}`);
  if (target === "pkcs1" && kt !== "rsa") throw new Error(`--to pkcs1 needs an RSA key; ${found}`);
  const format = sub;
  let data;
  try {
    data = key.export({ format, type: target });
  } catch (e) {
    throw new Error(`cannot write ${keyText(key)} as ${TYPE_NAME[target]}: ${e.message}`);
  }
  data = Buffer.isBuffer(data) ? data : Buffer.from(data, "latin1");
  const out = outName(file, format === "der" ? ".der" : ".pem", o.out);
  writeFileSync(out, data);
  const kind = key.type === "private" ? "private" : "public";
  io.log(`wrote ${out}: ${data.length} bytes, ${keyText(key)} ${kind} key in ${TYPE_NAME[target]} ${format.toUpperCase()} (from ${TYPE_NAME[item.kind] || "certificate"} ${item.label ? "PEM" : "DER"}, ${buf.length} bytes)`);
  return 0;
}
