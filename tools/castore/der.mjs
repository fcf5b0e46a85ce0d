// Host-side DER and PEM helpers for the CA bundle tools (Node Buffers). Strict enough to find
// fields in well-formed certificates and keys and to say what a file holds when it is not what
// a command expects; the board's strict reader is firmware/x509/der.ts.

/** One TLV at p: { tag, hs (header start), vs (value start), ve (value end) }. Throws on
 *  truncation, indefinite or over-long lengths. */
export function tlv(b, p, end = b.length) {
  if (p + 2 > end) throw new Error(`DER: truncated element at byte ${p}`);
  const tag = b[p];
  if ((tag & 0x1f) === 0x1f) throw new Error(`DER: high tag number at byte ${p}`);
  let len = b[p + 1];
  let q = p + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new Error(`DER: indefinite length at byte ${p}`);
    if (n > 3 || q + n > end) throw new Error(`DER: bad length at byte ${p}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[q++];
  }
  if (q + len > end) throw new Error(`DER: element at byte ${p} runs past its container`);
  return { tag, hs: p, vs: q, ve: q + len };
}

/** The elements inside constructed element e. */
export function children(b, e) {
  const out = [];
  for (let p = e.vs; p < e.ve;) {
    const c = tlv(b, p, e.ve);
    out.push(c);
    p = c.ve;
  }
  return out;
}

/** DER length octets for n. */
export function derLen(n) {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 255];
  return [0x83, n >> 16, (n >> 8) & 255, n & 255];
}

/** A whole TLV from a tag and content. */
export function derTlv(tag, content) {
  return Buffer.concat([Buffer.from([tag, ...derLen(content.length)]), Buffer.from(content)]);
}

export const whole = (b, e) => b.subarray(e.hs, e.ve);
export const value = (b, e) => b.subarray(e.vs, e.ve);

/** Dotted text of an OID's content octets. */
export function oidText(c) {
  const parts = [];
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    v = v * 128 + (c[i] & 0x7f);
    if (!(c[i] & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in text: [{ label, der }]. */
export function pemBlocks(text) {
  const out = [];
  for (const m of text.matchAll(PEM_RE)) {
    const b64 = m[2].replace(/^[A-Za-z-]+:.*$/gm, "").replace(/\s+/g, "");
    out.push({ label: m[1], der: Buffer.from(b64, "base64"), headers: /^Proc-Type:/m.test(m[2]) });
  }
  return out;
}

/** PEM text of der under label (64-column base64). */
export function toPem(label, der) {
  const b64 = Buffer.from(der).toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

/** Whether a buffer looks like PEM text rather than DER. */
export function isPem(buf) {
  return buf.includes("-----BEGIN ");
}

const NAMES = {
  "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
  "2.5.4.5": "serialNumber", "2.5.4.97": "organizationIdentifier", "1.2.840.113549.1.9.1": "emailAddress",
  "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
};

/** Printable form of a DER Name ("CN=..., O=..., C=..."), most specific first. */
export function nameText(der) {
  const b = Buffer.from(der);
  const parts = [];
  for (const rdn of children(b, tlv(b, 0))) {
    for (const atv of children(b, rdn)) {
      const [oid, val] = children(b, atv);
      const o = oidText(value(b, oid));
      let s = value(b, val);
      let text = val.tag === 0x1e ? Buffer.from(s).swap16().toString("utf16le") : s.toString(val.tag === 0x0c ? "utf8" : "latin1");
      parts.push(`${NAMES[o] || o}=${text}`);
    }
  }
  return parts.reverse().join(", ");
}

/** The most telling single attribute of a Name (CN, else OU, else O) for short labels. */
export function nameLabel(der) {
  const t = nameText(der);
  for (const k of ["CN=", "OU=", "O="]) {
    const p = t.split(", ").find((x) => x.startsWith(k));
    if (p) return p.slice(k.length);
  }
  return t;
}
