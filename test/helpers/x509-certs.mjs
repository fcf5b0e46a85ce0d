// Host helpers for the X.509 unit tests: the validator (test/helpers/firmware.mjs: the built
// test bundle in the board mock) and certificates built at test time with a small DER writer
// and node:crypto keys and signatures.
import nodeCrypto from "node:crypto";
import { loadFirmware } from "./firmware.mjs";

let bundle = null;
/** The test bundle's x509t object (loaded once). */
export async function loadX509() {
  if (!bundle) bundle = await loadFirmware();
  return bundle.T.x509t;
}
export function bundleWhere() {
  return bundle ? bundle.where : "";
}

// ---- DER writer -----------------------------------------------------------------------------

const cat = (...a) => Buffer.concat(a.map((x) => Buffer.from(x)));
function len(n) {
  if (n < 128) return Buffer.from([n]);
  const b = [];
  while (n > 0) { b.unshift(n & 255); n = Math.floor(n / 256); }
  return Buffer.from([0x80 | b.length, ...b]);
}
export const tlv = (tag, ...content) => { const c = cat(...content); return cat([tag], len(c.length), c); };
export const seq = (...c) => tlv(0x30, ...c);
export const set = (...c) => tlv(0x31, ...c);
export const oct = (c) => tlv(0x04, c);
export const nul = () => Buffer.from([5, 0]);
export const bool = (v) => Buffer.from([1, 1, v ? 0xff : 0]);
export const bits = (c, unused = 0) => tlv(0x03, [unused], c);
export const ctx = (n, constructed, ...c) => tlv((constructed ? 0xa0 : 0x80) | n, ...c);
export function int(v) {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return tlv(0x02, v);
  let x = BigInt(v);
  let n = 1;
  while (x >= 2n ** BigInt(8 * n - 1) || x < -(2n ** BigInt(8 * n - 1))) n++;
  if (x < 0n) x += 2n ** BigInt(8 * n);
  return tlv(0x02, Buffer.from(x.toString(16).padStart(2 * n, "0"), "hex"));
}
export function oid(s) {
  const p = s.split(".").map(Number);
  const out = [40 * p[0] + p[1]];
  for (const v of p.slice(2)) {
    const t = [v & 127];
    let x = Math.floor(v / 128);
    while (x > 0) { t.unshift((x & 127) | 128); x = Math.floor(x / 128); }
    out.push(...t);
  }
  return tlv(0x06, out);
}
const utf8 = (s) => tlv(0x0c, Buffer.from(s, "utf8"));
const ia5 = (s) => tlv(0x16, Buffer.from(s, "latin1"));

function time(t) {
  const d = new Date(t * 1000);
  const p = (n, w = 2) => String(n).padStart(w, "0");
  const body = p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds()) + "Z";
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? tlv(0x17, Buffer.from(p(y % 100) + body)) : tlv(0x18, Buffer.from(p(y, 4) + body));
}

const AT = { CN: "2.5.4.3", O: "2.5.4.10", OU: "2.5.4.11", C: "2.5.4.6", emailAddress: "1.2.840.113549.1.9.1" };
/** Name from [["CN","x"],["O","y"]] (one attribute per RDN) or raw DER. */
export function name(n) {
  if (Buffer.isBuffer(n)) return n;
  if (typeof n === "string") n = [["CN", n]];
  return seq(...n.map(([k, v]) => set(seq(oid(AT[k] || k), k === "C" ? tlv(0x13, Buffer.from(v)) : utf8(v)))));
}

// ---- extensions -------------------------------------------------------------------------

export const ext = (o, critical, value) => ({ oid: o, critical, value });
export const bc = (ca, pathLen, critical = true) => ext("2.5.29.19", critical, seq(...(ca ? [bool(true)] : []), ...(pathLen !== undefined && pathLen !== null ? [int(pathLen)] : [])));
/** keyUsage from named bits: digitalSignature=0 ... keyCertSign=5, cRLSign=6. */
export function ku(bitList, critical = true) {
  let v = 0;
  for (const b of bitList) v |= 1 << b;
  const bytes = v > 255 ? [rev(v & 255), rev(v >> 8)] : [rev(v)];
  let unused = 0;
  const last = bytes[bytes.length - 1];
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return ext("2.5.29.15", critical, bits(bytes, unused));
}
function rev(b) { let r = 0; for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 0x80 >> i; return r; }
export const KU = { digitalSignature: 0, keyEncipherment: 2, keyAgreement: 4, keyCertSign: 5, cRLSign: 6 };
export const EKU = { serverAuth: "1.3.6.1.5.5.7.3.1", clientAuth: "1.3.6.1.5.5.7.3.2", any: "2.5.29.37.0" };
export const eku = (list, critical = false) => ext("2.5.29.37", critical, seq(...list.map(oid)));
/** GeneralName: {dns}, {ip: Buffer|string}, {dn: name}, {email}, {uri}. */
export function gn(g) {
  if (g.dns !== undefined) return tlv(0x82, Buffer.from(g.dns, "latin1"));
  if (g.ip !== undefined) return tlv(0x87, typeof g.ip === "string" ? ipBytes(g.ip) : g.ip);
  if (g.dn !== undefined) return ctx(4, true, name(g.dn));
  if (g.email !== undefined) return tlv(0x81, Buffer.from(g.email));
  if (g.uri !== undefined) return tlv(0x86, Buffer.from(g.uri));
  if (g.raw !== undefined) return g.raw;
  throw new Error("bad general name");
}
export function ipBytes(s) {
  if (s.includes("/")) { const [a, m] = s.split("/"); const b = ipBytes(a); const mask = Buffer.alloc(b.length); for (let i = 0; i < +m; i++) mask[i >> 3] |= 0x80 >> (i & 7); return cat(b, mask); }
  if (!s.includes(":")) return Buffer.from(s.split(".").map(Number));
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) { const b = ipBytes(v4[1]); s = s.slice(0, -v4[1].length) + ((b[0] << 8) | b[1]).toString(16) + ":" + ((b[2] << 8) | b[3]).toString(16); }
  const [h, t] = s.split("::");
  const g = (x) => (x ? x.split(":").map((v) => parseInt(v, 16)) : []);
  const a = g(h), b = t === undefined ? [] : g(t);
  const all = [...a, ...Array(8 - a.length - b.length).fill(0), ...b];
  return Buffer.from(all.flatMap((v) => [v >> 8, v & 255]));
}
export const san = (list, critical = false) => ext("2.5.29.17", critical, seq(...list.map(gn)));
export const ski = (id) => ext("2.5.29.14", false, oct(id));
export const aki = (id) => ext("2.5.29.35", false, seq(ctx(0, false, id)));
export function nc({ permitted, excluded }, critical = true) {
  const sub = (list) => list.map((g) => seq(gn(g)));
  return ext("2.5.29.30", critical, seq(...(permitted ? [ctx(0, true, ...sub(permitted))] : []), ...(excluded ? [ctx(1, true, ...sub(excluded))] : [])));
}

// ---- keys and signatures -------------------------------------------------------------------

/** Key pairs: "p256", "p384", "rsa2048", "rsa1024", "rsa4096", "ed25519", "p192", "dsa". */
const keyCache = {};
export function key(kind, fresh = false) {
  if (!fresh && keyCache[kind]) return keyCache[kind];
  let k;
  if (kind === "p256" || kind === "p384" || kind === "p192") k = nodeCrypto.generateKeyPairSync("ec", { namedCurve: { p256: "P-256", p384: "P-384", p192: "prime192v1" }[kind] });
  else if (kind.startsWith("rsa")) k = nodeCrypto.generateKeyPairSync("rsa", { modulusLength: Number(kind.slice(3)) });
  else if (kind === "ed25519") k = nodeCrypto.generateKeyPairSync("ed25519");
  else if (kind === "dsa") k = nodeCrypto.generateKeyPairSync("dsa", { modulusLength: 2048, divisorLength: 256 });
  else throw new Error("key kind " + kind);
  k.kind = kind;
  k.spki = k.publicKey.export({ type: "spki", format: "der" });
  k.id = nodeCrypto.createHash("sha1").update(k.spki).digest().subarray(0, 20);
  if (!fresh) keyCache[kind] = k;
  return k;
}
let keyN = 0;
/** A distinct fresh key of the kind (several CAs need distinct keys). */
export const freshKey = (kind = "p256") => { keyN++; return key(kind, true); };

const SIG = {
  "ecdsa-sha256": { oid: "1.2.840.10045.4.3.2", hash: "sha256" },
  "ecdsa-sha384": { oid: "1.2.840.10045.4.3.3", hash: "sha384" },
  "ecdsa-sha512": { oid: "1.2.840.10045.4.3.4", hash: "sha512" },
  "ecdsa-sha1": { oid: "1.2.840.10045.4.1", hash: "sha1" },
  "rsa-sha256": { oid: "1.2.840.113549.1.1.11", hash: "sha256", nullParam: true },
  "rsa-sha384": { oid: "1.2.840.113549.1.1.12", hash: "sha384", nullParam: true },
  "rsa-sha512": { oid: "1.2.840.113549.1.1.13", hash: "sha512", nullParam: true },
  "rsa-sha1": { oid: "1.2.840.113549.1.1.5", hash: "sha1", nullParam: true },
  "rsa-pss-sha256": { oid: "1.2.840.113549.1.1.10", hash: "sha256", pss: 32 },
  "rsa-pss-sha384": { oid: "1.2.840.113549.1.1.10", hash: "sha384", pss: 48 },
  "rsa-pss-sha256-salt20": { oid: "1.2.840.113549.1.1.10", hash: "sha256", pss: 20 }, // off-profile salt
  ed25519: { oid: "1.3.101.112", hash: null },
};
const HASH_OID = { sha256: "2.16.840.1.101.3.4.2.1", sha384: "2.16.840.1.101.3.4.2.2", sha512: "2.16.840.1.101.3.4.2.3" };
function algId(alg) {
  const a = SIG[alg];
  if (a.pss) {
    const h = seq(oid(HASH_OID[a.hash]), nul());
    return seq(oid(a.oid), seq(ctx(0, true, h), ctx(1, true, seq(oid("1.2.840.113549.1.1.8"), h)), ctx(2, true, int(a.pss))));
  }
  return seq(oid(a.oid), ...(a.nullParam ? [nul()] : []));
}
const defaultAlg = (k) => (k.kind.startsWith("rsa") ? "rsa-sha256" : k.kind === "ed25519" ? "ed25519" : k.kind === "p384" ? "ecdsa-sha384" : "ecdsa-sha256");
function sign(alg, data, k) {
  const a = SIG[alg];
  if (a.pss) return nodeCrypto.sign(a.hash, data, { key: k.privateKey, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: a.pss });
  return nodeCrypto.sign(a.hash, data, k.privateKey);
}

// ---- certificates -----------------------------------------------------------------------------

const Y2020 = 1577836800;
const Y2040 = 2208988800;
let serialN = 1000;

/**
 * cert({ subject, issuer, key, signer (key of the issuer), alg, algDer (both AlgorithmIdentifiers,
 *        DER), innerAlg (the TBS one only), spki (DER), serial, notBefore, notAfter, exts: [ext...],
 *        emptyExts, version (3), tamper (flip a signature bit), mutateTbs(buf) })
 * Returns { der, subject, key, ski } usable as an issuer for further certs.
 */
export function cert(o) {
  const k = o.key || key("p256");
  const signer = o.signer || k;
  const subject = name(o.subject === undefined ? "test" : o.subject);
  const issuer = o.issuer ? (o.issuer.subject || name(o.issuer)) : subject;
  const alg = o.alg || defaultAlg(signer);
  const exts = o.exts || [];
  const version = o.version || 3;
  let tbs = seq(
    ...(version > 1 ? [ctx(0, true, int(version - 1))] : []),
    int(o.serial !== undefined ? o.serial : serialN++),
    o.innerAlg || o.algDer || algId(alg),
    issuer,
    seq(time(o.notBefore !== undefined ? o.notBefore : Y2020), time(o.notAfter !== undefined ? o.notAfter : Y2040)),
    subject,
    o.spki || k.spki,
    ...(exts.length || o.emptyExts ? [ctx(3, true, seq(...exts.map((e) => seq(oid(e.oid), ...(e.critical ? [bool(e.critical !== "explicit-false")] : []), oct(e.value)))))] : []),
  );
  if (o.mutateTbs) tbs = o.mutateTbs(tbs);
  const sig = Buffer.from(sign(alg, tbs, signer));
  if (o.tamper) sig[sig.length - 1] ^= 1;
  const der = seq(tbs, o.algDer || algId(alg), bits(sig));
  return { der: new Uint8Array(der), subject, key: k, ski: k.id };
}

/** A root CA (self-signed). */
export function root(cn = "Test Root", o = {}) {
  const k = o.key || freshKey(o.keyKind || "p256");
  return cert({ ...o, subject: cn, key: k, exts: o.exts || [bc(true, o.pathLen), ku([KU.keyCertSign, KU.cRLSign]), ski(k.id), ...(o.extra || [])] });
}
/** An intermediate CA issued by `parent`. */
export function inter(cn, parent, o = {}) {
  const k = o.key || freshKey(o.keyKind || "p256");
  return cert({ ...o, subject: cn, issuer: parent, signer: o.signer || parent.key, key: k, exts: o.exts || [bc(true, o.pathLen), ku([KU.keyCertSign, KU.cRLSign]), ski(k.id), aki(parent.ski), ...(o.extra || [])] });
}
/** A server certificate for `host` (SAN dNSName, or iPAddress when host is an address). */
export function leaf(host, parent, o = {}) {
  const k = o.key || key(o.keyKind || "p256");
  const isIp = /^[0-9.]+$/.test(host) || host.includes(":");
  const sanExt = san(o.sans || [isIp ? { ip: host } : { dns: host }]);
  return cert({ ...o, subject: o.subject !== undefined ? o.subject : host, issuer: parent, signer: o.signer || parent.key, key: k, exts: o.exts || [ku([KU.digitalSignature]), eku([EKU.serverAuth]), sanExt, aki(parent.ski), ...(o.extra || [])] });
}

/** PEM of a DER certificate. */
export const pem = (der) => "-----BEGIN CERTIFICATE-----\n" + Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n") + "\n-----END CERTIFICATE-----\n";
export const T2030 = 1893456000;
