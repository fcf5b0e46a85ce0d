// The CA store image (docs/castore-format.md): host-side writer and reader.
// The board's reader is firmware/castore/store.ts; both follow the document, and the tests
// check them against each other.
import { createHash } from "node:crypto";
import { tlv, children, derTlv, whole, value } from "./der.mjs";

export const MAGIC = Buffer.from("ETCA", "latin1");
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 56;

export const F_NOT_AFTER = 0x01;
export const F_DISTRUST_AFTER = 0x02;
export const F_NAME_CONSTRAINTS = 0x04;
export const F_SKI = 0x08;
export const F_RAW_SUBJECT = 0x10;
export const F_SKI_KEYHASH = 0x20;
const F_KNOWN = 0x3f;

export const K_RSA = 1;
export const K_P256 = 2;
export const K_P384 = 3;
export const K_ED25519 = 4;
export const K_SPKI = 5;

const sha256 = (b) => createHash("sha256").update(b).digest();
const sha1 = (b) => createHash("sha1").update(b).digest();

/** The subjectPublicKey BIT STRING contents (without the unused-bits octet) of an SPKI DER. */
export function spkiKeyBits(spki) {
  const b = Buffer.from(spki);
  const parts = children(b, tlv(b, 0));
  return value(b, parts[1]).subarray(1);
}

/** RFC 5280 §4.2.1.2 method (1) key identifier: SHA-1 of the subjectPublicKey bits. */
export const keyHashId = (spki) => sha1(spkiKeyBits(spki));

// ---- subject names ---------------------------------------------------------------------

/** Attribute types with a one-byte code other than 2.5.4.x (content octets of the OID). */
export const ATTR_CODES = {
  0x80: "2a864886f70d010901", // emailAddress 1.2.840.113549.1.9.1
  0x81: "0992268993f22c640119", // domainComponent 0.9.2342.19200300.100.1.25
  0x82: "0992268993f22c640101", // userId 0.9.2342.19200300.100.1.1
  0x83: "2b0601040182373c020103", // jurisdictionOfIncorporationCountryName 1.3.6.1.4.1.311.60.2.1.3
};
const ATTR_BY_HEX = Object.fromEntries(Object.entries(ATTR_CODES).map(([k, v]) => [v, Number(k)]));

function lenBytes(n) {
  if (n < 0x80) return [n];
  if (n < 0x8000) return [0x80 | (n >> 8), n & 255];
  throw new Error(`length ${n} too large for the store`);
}

/** Compact encoding of a DER Name (format §4), or null when the Name does not fit the
 *  compact grammar (it is then stored raw). The result always decodes to exactly `der`. */
export function encodeName(der) {
  const b = Buffer.from(der);
  const out = [];
  try {
    const top = tlv(b, 0);
    if (top.tag !== 0x30 || top.ve !== b.length) return null;
    for (const rdn of children(b, top)) {
      if (rdn.tag !== 0x31) return null;
      const atvs = children(b, rdn);
      if (atvs.length === 0) return null;
      atvs.forEach((atv, i) => {
        if (atv.tag !== 0x30) throw new Error("not an ATV");
        const parts = children(b, atv);
        if (parts.length !== 2 || parts[0].tag !== 0x06) throw new Error("not an ATV");
        const oid = value(b, parts[0]);
        const v = parts[1];
        if (v.tag >= 0x1f || (v.tag & 0x20) !== 0 || v.tag === 0) throw new Error("value not a primitive universal type");
        if (oid.length === 3 && oid[0] === 0x55 && oid[1] === 0x04 && oid[2] < 0x80) out.push(oid[2]);
        else if (ATTR_BY_HEX[oid.toString("hex")] !== undefined) out.push(ATTR_BY_HEX[oid.toString("hex")]);
        else out.push(0xff, ...lenBytes(oid.length), ...oid);
        out.push(v.tag | (i > 0 ? 0x80 : 0), ...lenBytes(v.ve - v.vs), ...value(b, v));
      });
    }
  } catch {
    return null;
  }
  const enc = Buffer.from(out);
  let back;
  try { back = decodeName(enc); } catch { return null; }
  return back.equals(b) ? enc : null;
}

function readLen(b, p) {
  const c = b[p];
  if (c === undefined) throw new Error("truncated name");
  return c < 0x80 ? [c, p + 1] : [((c & 0x7f) << 8) | b[p + 1], p + 2];
}

/** DER Name from its compact encoding. */
export function decodeName(enc) {
  const rdns = [];
  let p = 0;
  while (p < enc.length) {
    const a = enc[p++];
    let oid;
    if (a < 0x80) oid = Buffer.from([0x55, 0x04, a]);
    else if (ATTR_CODES[a]) oid = Buffer.from(ATTR_CODES[a], "hex");
    else if (a === 0xff) {
      let n;
      [n, p] = readLen(enc, p);
      oid = enc.subarray(p, p + n);
      p += n;
    } else throw new Error(`unknown attribute code 0x${a.toString(16)}`);
    const t = enc[p++];
    let n;
    [n, p] = readLen(enc, p);
    if (p + n > enc.length) throw new Error("truncated name");
    const atv = derTlv(0x30, Buffer.concat([derTlv(0x06, oid), derTlv(t & 0x7f, enc.subarray(p, p + n))]));
    p += n;
    if (t & 0x80) {
      if (!rdns.length) throw new Error("continuation on the first attribute");
      rdns[rdns.length - 1].push(atv);
    } else rdns.push([atv]);
  }
  return derTlv(0x30, Buffer.concat(rdns.map((r) => derTlv(0x31, Buffer.concat(r)))));
}

// ---- keys ---------------------------------------------------------------------------------

const ALG_RSA = Buffer.from("300d06092a864886f70d0101010500", "hex");
const ALG_P256 = Buffer.from("301306072a8648ce3d020106082a8648ce3d030107", "hex");
const ALG_P384 = Buffer.from("301006072a8648ce3d020106052b81040022", "hex");
const ALG_ED25519 = Buffer.from("300506032b6570", "hex");

const spkiOf = (alg, key) => derTlv(0x30, Buffer.concat([alg, derTlv(0x03, Buffer.concat([Buffer.from([0]), key]))]));
const uint = (mag) => derTlv(0x02, mag[0] & 0x80 ? Buffer.concat([Buffer.from([0]), mag]) : mag);

/** SPKI DER from a key record's type and data (format §5). */
export function decodeKey(type, data) {
  switch (type) {
    case K_RSA: {
      const m = (data[0] << 8) | data[1];
      const n = data.subarray(2, 2 + m);
      const el = data[2 + m];
      const e = el === 0 ? Buffer.from([1, 0, 1]) : data.subarray(3 + m, 3 + m + el);
      return spkiOf(ALG_RSA, derTlv(0x30, Buffer.concat([uint(n), uint(e)])));
    }
    case K_P256: return spkiOf(ALG_P256, Buffer.concat([Buffer.from([4]), data]));
    case K_P384: return spkiOf(ALG_P384, Buffer.concat([Buffer.from([4]), data]));
    case K_ED25519: return spkiOf(ALG_ED25519, data);
    case K_SPKI: return Buffer.from(data.subarray(2));
    default: throw new Error(`unknown key type ${type}`);
  }
}

/** Length of a key record's data starting at data[0] (after the type byte). */
export function keyDataLength(type, b, p) {
  switch (type) {
    case K_RSA: { const m = (b[p] << 8) | b[p + 1]; return 3 + m + b[p + 2 + m]; }
    case K_P256: return 64;
    case K_P384: return 96;
    case K_ED25519: return 32;
    case K_SPKI: return 2 + ((b[p] << 8) | b[p + 1]);
    default: throw new Error(`unknown key type ${type}`);
  }
}

/** Compact key record { type, data } for an SPKI DER; it always decodes to exactly `spki`
 *  (anything else is kept verbatim as K_SPKI). */
export function encodeKey(spki) {
  const b = Buffer.from(spki);
  const candidates = [];
  try {
    const top = tlv(b, 0);
    const [alg, bits] = children(b, top);
    const a = whole(b, alg);
    const key = value(b, bits).subarray(1);
    if (a.equals(ALG_RSA)) {
      const rs = tlv(key, 0);
      const [n, e] = children(key, rs);
      let nm = value(key, n);
      if (nm[0] === 0) nm = nm.subarray(1);
      let em = value(key, e);
      if (em[0] === 0) em = em.subarray(1);
      const m = nm.length;
      const eb = em.equals(Buffer.from([1, 0, 1])) ? Buffer.from([0]) : Buffer.concat([Buffer.from([em.length]), em]);
      candidates.push({ type: K_RSA, data: Buffer.concat([Buffer.from([m >> 8, m & 255]), nm, eb]) });
    } else if (a.equals(ALG_P256) && key.length === 65 && key[0] === 4) candidates.push({ type: K_P256, data: key.subarray(1) });
    else if (a.equals(ALG_P384) && key.length === 97 && key[0] === 4) candidates.push({ type: K_P384, data: key.subarray(1) });
    else if (a.equals(ALG_ED25519) && key.length === 32) candidates.push({ type: K_ED25519, data: key });
  } catch { /* kept verbatim */ }
  for (const c of candidates) {
    try { if (decodeKey(c.type, c.data).equals(b)) return c; } catch { /* verbatim */ }
  }
  if (b.length > 0xffff) throw new Error("public key too large");
  return { type: K_SPKI, data: Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]) };
}

export function keyDescription(type, data) {
  switch (type) {
    case K_RSA: return `RSA-${(((data[0] << 8) | data[1]) * 8) - Math.clz32(data[2]) + 24}`;
    case K_P256: return "EC P-256";
    case K_P384: return "EC P-384";
    case K_ED25519: return "Ed25519";
    default: return "other";
  }
}

// ---- the image --------------------------------------------------------------------------------

/** First 4 bytes of SHA-256 as an unsigned integer: the subject index key. */
export const subjectHash = (der) => sha256(der).readUInt32BE(0);
/** First 4 bytes of a key identifier (zero-padded): the key-id index key. */
export function kidPrefix(kid) {
  const b = Buffer.alloc(4);
  Buffer.from(kid).copy(b, 0, 0, 4);
  return b.readUInt32BE(0);
}

/** One anchor record (format §3) and what it cost. */
export function encodeRecord(a) {
  const name = encodeName(a.subject);
  const subj = name || Buffer.from(a.subject);
  let flags = name ? 0 : F_RAW_SUBJECT;
  const key = encodeKey(a.spki);
  const parts = [Buffer.from(lenBytes(subj.length)), subj, Buffer.from([key.type]), key.data];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; };
  if (a.notAfter !== undefined && a.notAfter !== null && a.notAfter <= 0xffffffff) { flags |= F_NOT_AFTER; parts.push(u32(a.notAfter)); }
  if (a.distrustAfter !== undefined && a.distrustAfter !== null) { flags |= F_DISTRUST_AFTER; parts.push(u32(a.distrustAfter)); }
  if (a.nameConstraints) {
    flags |= F_NAME_CONSTRAINTS;
    const nc = Buffer.from(a.nameConstraints);
    parts.push(Buffer.from([nc.length >> 8, nc.length & 255]), nc);
  }
  if (a.ski && a.ski.length && keyHashId(a.spki).equals(Buffer.from(a.ski))) flags |= F_SKI_KEYHASH;
  else if (a.ski && a.ski.length) {
    if (a.ski.length > 255) throw new Error("subject key identifier too long");
    flags |= F_SKI;
    parts.push(Buffer.from([a.ski.length]), Buffer.from(a.ski));
  }
  return { bytes: Buffer.concat([Buffer.from([flags]), ...parts]), compactName: !!name, keyType: key.type };
}

/**
 * Builds a store image. anchors: [{ subject: DER Name, spki: SPKI DER, notAfter?, distrustAfter?,
 * nameConstraints?: DER, ski?: bytes }]; opts: { version (uint32 >= 1), created (seconds) }.
 * Returns { image: Buffer, sizes: [bytes per anchor incl. its index entries], header, body }.
 */
export function buildImage(anchors, opts) {
  const version = opts.version;
  const created = opts.created;
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) throw new Error("store version must be an integer from 1 to 4294967295");
  if (!Number.isInteger(created) || created < 0 || created > 0xffffffff) throw new Error("creation time must be seconds since 1970 (uint32)");
  if (anchors.length === 0) throw new Error("no anchors: a store needs at least one");
  if (anchors.length > 0xffff) throw new Error("too many anchors (at most 65535)");
  const items = anchors.map((a, i) => ({ a, i, h: subjectHash(a.subject), rec: encodeRecord(a) }));
  // records in subject-hash order (ties by subject bytes, then input order: deterministic)
  items.sort((x, y) => x.h - y.h || Buffer.compare(Buffer.from(x.a.subject), Buffer.from(y.a.subject)) || x.i - y.i);
  const N = items.length;
  const kids = [];
  items.forEach((it, ord) => { if (it.a.ski && it.a.ski.length) kids.push({ p: kidPrefix(it.a.ski), ord }); });
  kids.sort((x, y) => x.p - y.p || x.ord - y.ord);
  const K = kids.length;
  const idxBytes = 4 * N + 3 * N + 6 * K;
  let off = idxBytes;
  const table = Buffer.alloc(idxBytes);
  items.forEach((it, ord) => {
    table.writeUInt32BE(it.h, 4 * ord);
    if (off > 0xffffff) throw new Error("store body larger than 16 MB");
    table.writeUIntBE(off, 4 * N + 3 * ord, 3);
    it.off = off;
    off += it.rec.bytes.length;
  });
  kids.forEach((k, j) => { table.writeUInt32BE(k.p, 7 * N + 6 * j); table.writeUInt16BE(k.ord, 7 * N + 6 * j + 4); });
  const body = Buffer.concat([table, ...items.map((it) => it.rec.bytes)]);
  const maxSubject = Math.max(...anchors.map((a) => a.subject.length));
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header[4] = FORMAT_VERSION;
  header[5] = HEADER_BYTES;
  header.writeUInt16BE(K, 6);
  header.writeUInt32BE(version, 8);
  header.writeUInt32BE(created, 12);
  header.writeUInt16BE(N, 16);
  header.writeUInt16BE(Math.min(maxSubject, 0xffff), 18);
  header.writeUInt32BE(body.length, 20);
  sha256(body).copy(header, 24);
  const sizes = new Array(anchors.length);
  for (const it of items) sizes[it.i] = it.rec.bytes.length + 7 + (it.a.ski && it.a.ski.length ? 6 : 0);
  return { image: Buffer.concat([header, body]), sizes, order: items.map((it) => it.i), records: items.map((it) => it.rec) };
}

/** An error of the store reader, with the same codes as the board (firmware/castore/store.ts). */
export class StoreError extends Error {
  constructor(code, message) { super(`${code}: ${message}`); this.code = code; }
}

/**
 * Reads and checks an image (the same checks as castore.open on the board, plus a full walk of
 * every record). opts.maxBytes: refuse larger images (CASTORE_TOO_LARGE).
 * Returns { header, anchors: [{ subject, spki, notAfter?, distrustAfter?, nameConstraints?, ski?,
 * rawSubject, keyType, recordBytes, hash }] } in store order.
 */
export function readImage(img, opts = {}) {
  const b = Buffer.from(img);
  if (opts.maxBytes !== undefined && b.length > opts.maxBytes) throw new StoreError("CASTORE_TOO_LARGE", `store of ${b.length} bytes exceeds the board's ${opts.maxBytes}-byte budget`);
  if (!b.subarray(0, 4).equals(MAGIC.subarray(0, Math.min(4, b.length)))) throw new StoreError("CASTORE_NOT_A_STORE", "no CA store magic \"ETCA\" at the start of the file");
  if (b.length > 4 && b[4] !== FORMAT_VERSION) throw new StoreError("CASTORE_VERSION", `store format version ${b[4]}; this reader knows version ${FORMAT_VERSION}`);
  if (b.length < HEADER_BYTES) throw new StoreError("CASTORE_TRUNCATED", `file of ${b.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (b[5] !== HEADER_BYTES) throw new StoreError("CASTORE_CORRUPT", `header length ${b[5]}, expected ${HEADER_BYTES}`);
  const header = {
    formatVersion: b[4], keyIds: b.readUInt16BE(6), version: b.readUInt32BE(8), created: b.readUInt32BE(12),
    count: b.readUInt16BE(16), maxSubject: b.readUInt16BE(18), bodyBytes: b.readUInt32BE(20), sha256: b.subarray(24, 56).toString("hex"),
  };
  const total = HEADER_BYTES + header.bodyBytes;
  if (b.length < total) throw new StoreError("CASTORE_TRUNCATED", `file of ${b.length} bytes, header says ${total}`);
  if (b.length > total) throw new StoreError("CASTORE_CORRUPT", `file of ${b.length} bytes, header says ${total}`);
  if (opts.maxBytes !== undefined && total > opts.maxBytes) throw new StoreError("CASTORE_TOO_LARGE", `store of ${total} bytes exceeds ${opts.maxBytes}`);
  const body = b.subarray(HEADER_BYTES);
  if (!sha256(body).equals(b.subarray(24, 56))) {
    if (b.length >= HEADER_BYTES + 16 && b.subarray(b.length - 16).every((x) => x === 0xff)) throw new StoreError("CASTORE_TRUNCATED", "the file ends in erased flash (0xFF): an unfinished write");
    throw new StoreError("CASTORE_CORRUPT", "SHA-256 of the body does not match the header");
  }
  const N = header.count;
  const K = header.keyIds;
  if (N === 0) throw new StoreError("CASTORE_CORRUPT", "store holds no anchors");
  if (7 * N + 6 * K > body.length || K > N) throw new StoreError("CASTORE_CORRUPT", "index larger than the body");
  const anchors = [];
  let prev = -1;
  for (let i = 0; i < N; i++) {
    const h = body.readUInt32BE(4 * i);
    if (h < prev) throw new StoreError("CASTORE_CORRUPT", "subject index not sorted");
    prev = h;
    const off = body.readUIntBE(4 * N + 3 * i, 3);
    try {
      const r = readRecord(body, off);
      if (Buffer.from(r.subject).length && r.hash !== h) throw new Error(`subject hash of anchor ${i} does not match the index`);
      anchors.push(r);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError("CASTORE_CORRUPT", `anchor ${i}: ${e.message}`);
    }
  }
  prev = -1;
  for (let j = 0; j < K; j++) {
    const p = body.readUInt32BE(7 * N + 6 * j);
    const ord = body.readUInt16BE(7 * N + 6 * j + 4);
    if (p < prev || ord >= N || !anchors[ord].ski || kidPrefix(anchors[ord].ski) !== p) throw new StoreError("CASTORE_CORRUPT", `key-id index entry ${j} is wrong`);
    prev = p;
  }
  return { header, anchors };
}

function readRecord(body, off) {
  if (off >= body.length) throw new Error("record offset past the end");
  let p = off;
  const flags = body[p++];
  if (flags & ~F_KNOWN) throw new Error(`unknown flags 0x${flags.toString(16)}`);
  let sl;
  [sl, p] = readLen(body, p);
  const senc = body.subarray(p, p + sl);
  if (p + sl > body.length) throw new Error("subject past the end");
  p += sl;
  const subject = flags & F_RAW_SUBJECT ? Buffer.from(senc) : decodeName(senc);
  const keyType = body[p++];
  const kl = keyDataLength(keyType, body, p);
  if (p + kl > body.length) throw new Error("key past the end");
  const spki = decodeKey(keyType, body.subarray(p, p + kl));
  p += kl;
  const r = { subject, spki, keyType, keyData: body.subarray(p - kl, p), rawSubject: !!(flags & F_RAW_SUBJECT), hash: subjectHash(subject) };
  if (flags & F_NOT_AFTER) { r.notAfter = body.readUInt32BE(p); p += 4; }
  if (flags & F_DISTRUST_AFTER) { r.distrustAfter = body.readUInt32BE(p); p += 4; }
  if (flags & F_NAME_CONSTRAINTS) { const n = body.readUInt16BE(p); r.nameConstraints = Buffer.from(body.subarray(p + 2, p + 2 + n)); p += 2 + n; }
  if ((flags & F_SKI) && (flags & F_SKI_KEYHASH)) throw new Error("both key identifier flags set");
  if (flags & F_SKI) { const n = body[p]; r.ski = Buffer.from(body.subarray(p + 1, p + 1 + n)); p += 1 + n; }
  if (flags & F_SKI_KEYHASH) { r.ski = keyHashId(spki); r.skiIsKeyHash = true; }
  if (p > body.length) throw new Error("record past the end");
  r.recordBytes = p - off;
  return r;
}

/** Certificate fields an anchor keeps, from a certificate's DER. */
export function anchorFromCertDer(der) {
  const b = Buffer.from(der);
  const cert = tlv(b, 0);
  const [tbs] = children(b, cert);
  const f = children(b, tbs);
  const i = f[0].tag === 0xa0 ? 1 : 0;
  const validity = children(b, f[i + 3]);
  const subject = Buffer.from(whole(b, f[i + 4]));
  const spki = Buffer.from(whole(b, f[i + 5]));
  const a = { subject, spki, notAfter: derTime(b, validity[1]), notBefore: derTime(b, validity[0]) };
  for (const x of f.slice(i + 6)) {
    if (x.tag !== 0xa3) continue;
    for (const ext of children(b, children(b, x)[0])) {
      const parts = children(b, ext);
      const oid = value(b, parts[0]).toString("hex");
      const ov = value(b, parts[parts.length - 1]);
      if (oid === "551d0e") { const k = tlv(ov, 0); a.ski = Buffer.from(value(ov, k)); }
      if (oid === "551d1e") a.nameConstraints = Buffer.from(ov);
    }
  }
  return a;
}

/** UTCTime / GeneralizedTime element to seconds since 1970. */
export function derTime(b, e) {
  const s = value(b, e).toString("latin1");
  const m = e.tag === 0x17 ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s) : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m) throw new Error(`bad time ${s}`);
  let y = +m[1];
  if (e.tag === 0x17) y += y >= 50 ? 1900 : 2000;
  return Date.UTC(y, +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
}
