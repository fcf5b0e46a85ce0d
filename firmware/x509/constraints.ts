// Name constraints (RFC 5280 §4.2.1.10) for dNSName, iPAddress and directoryName subtrees.
//
// A constraint applies to the names of its own type only. For a name of a type we do not
// evaluate (otherName, rfc822Name, URI, ...), a constraint of that type makes the certificate
// fail (RFC 5280: "MUST either process the constraint or reject the certificate").
// Excluded subtrees win over permitted ones. Each CA's constraints are checked separately
// against every name of every certificate below it, which equals intersecting the subtrees.
//
// dNSName: "example.com" covers example.com and any name with more labels on the left; an
// empty constraint covers everything; ".example.com" covers only names with more labels on
// the left (subdomains, not example.com itself). §4.2.1.10 gives the leading period to URI and
// rfc822Name constraints only, but OpenSSL (nc_dns), Go (matchDomainConstraint), NSS/mozilla::pkix
// and webpki all read it so for dNSName too and their tooling writes it: a real CA's chain
// must not fail as malformed (x509-limbo's rfc5280::nc::invalid-dnsname-leading-period is a
// deliberate deviation, tools/limbo.mjs). Wildcards, "." and ".." are malformed. A SAN
// wildcard "*.d" counts as the set of names it can match: it is permitted only if every such
// name is (d inside the subtree), and excluded if any such name is (CVE-2025-61727). A SAN
// dNSName that is not a valid name fails any DNS constraint.
// iPAddress: address/mask pairs of 8 or 32 octets with a contiguous mask.
// directoryName: the constraint's RDNs must be the first RDNs of the subject (byte-for-byte,
// see name.ts); applied to the subject (when not empty) and to directoryName SAN entries.
//
// The constraints stay in their DER and are walked per name, so a certificate with many
// names against a CA with many subtrees costs names x subtrees comparisons: the caller's
// budget bounds that (pathological::nc-dos-*).

import { Der, T_SEQUENCE, badDer, isStr } from "./der";
import type { Bytes } from "./der";
import { EtError } from "../errors";
import { checkNameBody, rdnPrefix, findAttrs } from "./name";
import { isDnsName, lowerAscii, GN_DNS, GN_IP, GN_DIRECTORY, GN_RFC822 } from "./hostname";
import { AT_EMAIL } from "./oids";

/** What a name-constraint check needs from a certificate. */
export interface NamedCert {
  subject: Uint8Array;
  subjectEmpty: boolean;
  san: Uint8Array | null;
}

/** Remaining comparisons; the check throws BUDGET_EXCEEDED when it reaches 0. */
export interface Budget {
  n: number;
}

function validMask(d: Der, off: number, n: number): boolean {
  let zero = false;
  for (let i = 0; i < n; i++) {
    const m = d.b(off + i);
    if (zero) {
      if (m !== 0) return false;
    } else if (m !== 255) {
      // must be 1...10...0 within this byte
      const inv = ~m & 255;
      if ((inv & (inv + 1)) !== 0) return false;
      zero = true;
    }
  }
  return true;
}

function checkSubtrees(d: Der): void {
  if (!d.more()) badDer("empty GeneralSubtrees");
  while (d.more()) {
    const st = d.seq(T_SEQUENCE);
    st.next(-1);
    const t = st.tag;
    if (t === GN_DNS) {
      const s = st.text();
      const body = s.charCodeAt(0) === 46 ? s.substring(1) : s;
      if (s.length > 0 && !isDnsName(body, false)) badDer("malformed dNSName constraint '" + s + "'");
    } else if (t === GN_IP) {
      const n = st.len();
      if (n !== 8 && n !== 32) badDer("iPAddress constraint is not address+mask");
      if (!validMask(st, st.vs + n / 2, n / 2)) badDer("iPAddress constraint mask not contiguous");
    } else if (t === GN_DIRECTORY) {
      const x = st.enter();
      x.next(T_SEQUENCE);
      x.done();
      checkNameBody(x.enter());
    } else if (t < 0x80 || (t & 0x1f) > 8) badDer("bad GeneralName");
    if (st.more()) badDer("minimum/maximum in GeneralSubtree");
  }
}

/** Validates a NameConstraints extension value (the whole SEQUENCE in src[start,end)). */
export function checkNameConstraintsDer(src: Bytes, start: number, end: number): void {
  const d = new Der(src, start, end);
  const nc = d.seq(T_SEQUENCE);
  d.done();
  let any = false;
  if (nc.opt(0xa0)) {
    checkSubtrees(nc.enter());
    any = true;
  }
  if (nc.opt(0xa1)) {
    checkSubtrees(nc.enter());
    any = true;
  }
  nc.done();
  if (!any) badDer("NameConstraints with no subtrees");
}

/** Is name n inside domain c: c itself (unless `sub`: subdomains only) or a name ending in "." + c. */
function dnsWithin(n: string, c: string, sub: boolean): boolean {
  if (c.length === 0) return true;
  if (n === c) return !sub;
  return n.length > c.length && n.charCodeAt(n.length - c.length - 1) === 46 && n.substring(n.length - c.length) === c;
}

/** Does the name (tag t, value at nd) fall in the subtree `st` (cursor after its base)? */
function matches(t: number, nd: Der, nameText: string, st: Der, excluded: boolean, subject: Bytes | null): boolean {
  if (t === GN_DNS) {
    let c = lowerAscii(st.text());
    const sub = c.charCodeAt(0) === 46; // ".d": subdomains of d only
    if (sub) c = c.substring(1);
    if (nameText.charCodeAt(0) === 42) {
      const dom = nameText.substring(2);
      // every name "*.dom" matches has a label more than dom: all inside c, even with `sub`
      if (dnsWithin(dom, c, false)) return true;
      // excluded: could "*.dom" match c itself? (c exactly one label above dom; not with `sub`)
      return excluded && !sub && c.length > dom.length + 1 && dnsWithin(c, dom, false) && c.indexOf(".") === c.length - dom.length - 1;
    }
    return dnsWithin(nameText, c, sub);
  }
  if (t === GN_IP) {
    const n = nd.len();
    if (st.len() !== 2 * n) return false;
    for (let i = 0; i < n; i++) {
      const m = st.b(st.vs + n + i);
      if ((nd.b(nd.vs + i) & m) !== (st.b(st.vs + i) & m)) return false;
    }
    return true;
  }
  // directoryName: constraint RDNs are a prefix of the name's
  const x = st.enter();
  x.next(T_SEQUENCE);
  return rdnPrefix(st.s, x.vs, x.ve, subject !== null ? subject : bytesOfTlv(nd));
}

function bytesOfTlv(d: Der): Bytes {
  // value of a directoryName GeneralName ([4] EXPLICIT Name): the Name TLV inside it
  const x = d.enter();
  x.next(T_SEQUENCE);
  const s = d.s;
  return isStr(s) ? (s as string).substring(x.hs, x.ve) : (s as Uint8Array).subarray(x.hs, x.ve);
}

/** Bit (tag & 31) set for each GeneralName type present in a subtree list. */
function typeMask(d: Der): number {
  let m = 0;
  while (d.more()) {
    const st = d.seq(T_SEQUENCE);
    st.next(-1);
    m |= 1 << (st.tag & 31);
  }
  return m;
}

/**
 * Checks every name of `cert` against the NameConstraints DER `nc` (the extension value).
 * Returns null when all names are allowed, else a message saying which name is not.
 */
export function checkNameConstraints(nc: Bytes, cert: NamedCert, budget: Budget): string | null {
  const top = new Der(nc, 0, nc.length).seq(T_SEQUENCE);
  let permS = -1;
  let permE = -1;
  let exclS = -1;
  let exclE = -1;
  if (top.opt(0xa0)) {
    permS = top.vs;
    permE = top.ve;
  }
  if (top.opt(0xa1)) {
    exclS = top.vs;
    exclE = top.ve;
  }
  const pMask = permS >= 0 ? typeMask(new Der(nc, permS, permE)) : 0;
  const xMask = exclS >= 0 ? typeMask(new Der(nc, exclS, exclE)) : 0;
  const all = pMask | xMask;
  const cur = new Der(nc, 0, 0);

  // one name: tag t (GeneralName tag), value cursor nd (or the subject for t = GN_DIRECTORY
  // with subject != null)
  const one = function (t: number, nd: Der | null, subject: Bytes | null): string | null {
    const bit = 1 << (t & 31);
    if ((all & bit) === 0) return null;
    if (t !== GN_DNS && t !== GN_IP && t !== GN_DIRECTORY) return "a name of a type the constraints restrict but this validator does not evaluate";
    let text = "";
    if (t === GN_DNS) {
      text = lowerAscii((nd as Der).text());
      if (!isDnsName(text, true)) return "malformed dNSName '" + text + "'";
    }
    if (t === GN_IP && (nd as Der).len() !== 4 && (nd as Der).len() !== 16) return "malformed iPAddress";
    const label = t === GN_DNS ? "dNSName " + text : t === GN_IP ? "iPAddress" : "directoryName";
    if (xMask & bit) {
      cur.reset(nc, exclS, exclE);
      while (cur.more()) {
        const st = cur.seq(T_SEQUENCE);
        st.next(-1);
        if (st.tag !== t) continue;
        if (--budget.n < 0) throw new EtError("BUDGET_EXCEEDED", "name-constraint comparison budget exhausted", { depth: -1, subject: "" });
        if (matches(t, nd as Der, text, st, true, subject)) return label + " is in an excluded subtree";
      }
    }
    if (pMask & bit) {
      cur.reset(nc, permS, permE);
      while (cur.more()) {
        const st = cur.seq(T_SEQUENCE);
        st.next(-1);
        if (st.tag !== t) continue;
        if (--budget.n < 0) throw new EtError("BUDGET_EXCEEDED", "name-constraint comparison budget exhausted", { depth: -1, subject: "" });
        if (matches(t, nd as Der, text, st, false, subject)) return null;
      }
      return label + " is outside the permitted subtrees";
    }
    return null;
  };

  let r: string | null = null;
  if (!cert.subjectEmpty) {
    r = one(GN_DIRECTORY, null, cert.subject);
    if (r !== null) return r;
    if (all & (1 << (GN_RFC822 & 31)) && findAttrs(cert.subject, AT_EMAIL).length > 0) return "an emailAddress in the subject under rfc822Name constraints";
  }
  if (cert.san !== null) {
    const d = new Der(cert.san, 0, cert.san.length).seq(T_SEQUENCE);
    while (d.more()) {
      d.next(-1);
      r = one(d.tag, d, null);
      if (r !== null) return r;
    }
  }
  return null;
}
