// Certification path validation for TLS server authentication (RFC 5280 §6 as profiled by
// the Web PKI / CA/B Forum Baseline Requirements, in the spirit of webpki).
//
// Path building is a depth-first search from the leaf upwards. At each certificate the
// candidates are the trust anchors whose subject equals its issuer (tried first), then the
// presented intermediates with that subject (in any order; extras ignored). Names decide;
// the authorityKeyIdentifier, when the certificate has one, only orders candidates of the
// same name (those whose SKI equals it first, mismatching ones last), so a chain without AKI
// (older intermediates, private CAs; browsers, Go, OpenSSL and webpki accept them) is built
// by name alone. A candidate is checked cheaply first (validity, CA flag,
// keyUsage, EKU, path length, key strength, name constraints over everything below it) and
// only then by signature. A candidate whose subject and key already appear lower in the path
// is a loop and is skipped. Limits keep a hostile chain from stalling the board: at most
// `maxIntermediates` intermediates, `sigBudget` signature checks (webpki's 100),
// `nodeBudget` candidates considered and `ncBudget` name-constraint comparisons.
//
// Profile (web PKI, with RFC 5280 where the two agree): v3 only; serial positive and at most
// 20 octets (roots exempt); leaf: no cA=TRUE, no keyCertSign without cA, no nameConstraints,
// serverAuth if it has EKU, a critical SAN only with an empty subject, identity from SAN only
// (hostname.ts); issuers: cA=TRUE in a critical basicConstraints (else NOT_A_CA), keyCertSign
// if keyUsage is present, SKI present, pathLenConstraint (self-issued intermediates not
// counted), EKU with serverAuth or anyExtendedKeyUsage if present; an anchor's own
// certificate (when the anchor has one) is held to the same issuer rules plus the CA/B root
// AKI rule; RSA keys of 2048..4096 bits and whole bytes, EC P-256/P-384 with named curves,
// Ed25519; no SHA-1. Every certificate must be valid at the validation time.
//
// When no path works, the error reported is the most telling one met on the way: any
// failure beats UNKNOWN_ISSUER, and a failure higher up the path beats one lower down.
//
// Everything runs as a Job (firmware/util/job.ts): each step() parses one certificate,
// checks one candidate, or advances one signature verification by one of its steps.

import { EtError } from "../errors";
import type { Job } from "../util/job";
import { runSync } from "../util/job";
import type { Certificate, PublicKeyInfo, SigAlg } from "./cert";
import { parseCert, parseSpki, subjectText, KEY_UNSUPPORTED, KEY_RSA, KEY_EC, KEY_ED25519, KU_KEY_CERT_SIGN, SIG_UNSUPPORTED, SIG_RSA_PKCS1, SIG_RSA_PSS, SIG_ECDSA, SIG_ED25519, H_SHA1 } from "./cert";
import type { TrustAnchor, AnchorSource } from "./anchor";
import { sameBytes } from "./der";
import { nameToString, findAttrs } from "./name";
import { checkNameConstraints, checkNameConstraintsDer } from "./constraints";
import type { Budget } from "./constraints";
import { sanMatchesHost, eachGeneralName, ipToText, GN_DNS, GN_IP } from "./hostname";
import { verifySignatureJob } from "./sigverify";
import { RSA_MAX_BITS } from "../crypto/rsa";
import { EKU_SERVER_AUTH, EKU_ANY, AT_COMMON_NAME, oidText } from "./oids";
import * as X from "./errors";

export interface ValidateOptions {
  /** Validation time, seconds since 1970 (fractions are floored). Required: without it the
   *  validation fails with TIME_UNKNOWN. */
  time: number;
  /** Expected server name (DNS name or IP literal). Omitted: no name check. */
  host?: string;
  /** Where trust anchors come from. */
  anchors: AnchorSource;
  /** Hard cap on intermediates in a path (default 6). */
  maxIntermediates?: number;
  /** Maximum intermediates that are not self-issued (x509-limbo's max_chain_depth); -1 = none. */
  maxChainDepth?: number;
  /** Signature verifications allowed in one validation (default 100, as webpki). */
  sigBudget?: number;
  /** Candidate issuers considered in one validation (default 400). */
  nodeBudget?: number;
  /** Name-constraint comparisons allowed (default 10000). */
  ncBudget?: number;
  /** Smallest RSA modulus accepted, bits (default 2048). */
  minRsaBits?: number;
  /** Accept SHA-1 signatures (default false; needs a SHA-1 implementation, see sigverify). */
  allowSha1?: boolean;
  /** EKU the leaf must list when it has extKeyUsage, as OID content octets in a byte string
   *  (oids.ts; default EKU_SERVER_AUTH; "" for none). */
  eku?: string;
  /** keyUsage bits (KU_*) the leaf must have when it has keyUsage (default 0). */
  keyUsage?: number;
  /** Accept a CA certificate (cA=TRUE) as the leaf (default false). */
  allowCaLeaf?: boolean;
  /** Require authorityKeyIdentifier.keyIdentifier in certificates that are not self-issued
   *  (RFC 5280 §4.2.1.1 obliges CAs to include it; default false, as browsers, Go, OpenSSL
   *  and webpki do not require it). */
  requireAki?: boolean;
  /** Require subjectKeyIdentifier in CA certificates (RFC 5280 §4.2.1.2; default true). */
  requireSki?: boolean;
  /** Require every subject CN of the leaf to repeat one of its SAN entries verbatim (CA/B BR
   *  7.1.4.3; default false: the CN is never used for identity, so this is an issuance lint). */
  checkCommonName?: boolean;
}

export interface ValidationResult {
  /** The path from the leaf (index 0) up to the last certificate below the anchor. */
  path: Certificate[];
  anchor: TrustAnchor;
}

interface Cand {
  cert: Certificate | null;
  anchor: TrustAnchor | null;
}

const MAX_RSA_BITS = RSA_MAX_BITS;

function fail(code: string, msg: string, depth: number, subject: string): never {
  throw X.x509Error(code, msg, depth, subject);
}

/** Serial number rules (RFC 5280 §4.1.2.2): positive, at most 20 octets. "" when fine. */
function serialIssue(s: Uint8Array): string {
  if (s[0] >= 0x80) return "negative serial number";
  if (s.length === 1 && s[0] === 0) return "serial number zero";
  if (s.length > 21 || (s.length === 21 && s[0] !== 0)) return "serial number longer than 20 octets";
  return "";
}

/** Why a key is not acceptable: [code, message], or null when it is. */
function keyIssue(k: PublicKeyInfo, minRsa: number): string[] | null {
  if (k.kind === KEY_UNSUPPORTED) return [X.UNSUPPORTED_ALGORITHM, "unsupported public key: " + k.why];
  if (k.kind === KEY_RSA) {
    if (k.bits < minRsa) return [X.WEAK_KEY, "RSA key of " + k.bits + " bits (minimum " + minRsa + ")"];
    if (k.bits % 8 !== 0) return [X.WEAK_KEY, "RSA modulus of " + k.bits + " bits is not a multiple of 8"];
    if (k.bits > MAX_RSA_BITS) return [X.UNSUPPORTED_ALGORITHM, "RSA key of " + k.bits + " bits (maximum " + MAX_RSA_BITS + ")"];
  }
  return null;
}

/** Why a signature made with `a` cannot be checked with key `k`: [code, message] or null. */
function sigAlgIssue(a: SigAlg, k: PublicKeyInfo, allowSha1: boolean): string[] | null {
  if (a.kind === SIG_UNSUPPORTED) return [X.UNSUPPORTED_ALGORITHM, "unsupported signature algorithm " + oidText(a.oid)];
  if (a.hash === H_SHA1) return allowSha1 ? [X.UNSUPPORTED_ALGORITHM, "SHA-1 is not available"] : [X.WEAK_ALGORITHM, "SHA-1 signature refused"];
  const fits = (a.kind === SIG_RSA_PKCS1 || a.kind === SIG_RSA_PSS) ? k.kind === KEY_RSA : a.kind === SIG_ECDSA ? k.kind === KEY_EC : a.kind === SIG_ED25519 && k.kind === KEY_ED25519;
  return fits ? null : [X.BAD_SIGNATURE, "signature algorithm does not match the issuer's key type"];
}

/** Throws the error about certificate c at depth (its printable subject made only now). */
function failC(code: string, msg: string, depth: number, c: Certificate): never {
  throw X.x509Error(code, msg, depth, subjectText(c));
}

/** CA/B BR 7.1.4.3: each subject commonName must be a SAN entry (dNSName character for
 *  character, or the canonical text of an iPAddress). */
function commonNameIssue(c: Certificate): string {
  const cns = findAttrs(c.subject, AT_COMMON_NAME);
  if (cns.length === 0) return "";
  const names: string[] = [];
  if (c.san !== null)
    eachGeneralName(c.san, function (tag, d) {
      if (tag === GN_DNS) names.push(d.text());
      else if (tag === GN_IP) names.push(ipToText(d.bytes()));
      return false;
    });
  for (let i = 0; i < cns.length; i++) {
    const v = cns[i].v;
    let s = "";
    for (let k = 0; k < v.length; k++) s += String.fromCharCode(v[k]);
    if (names.indexOf(s) < 0) return "subject CN '" + s + "' is not one of the subjectAltName entries";
  }
  return "";
}

class PathJob implements Job<ValidationResult> {
  o: ValidateOptions;
  t: number;
  phase: number;
  leafIn: Uint8Array | Certificate;
  intIn: (Uint8Array | Certificate)[];
  leaf: Certificate | null;
  ints: Certificate[];
  parseErr: string;
  pi: number;
  chain: Certificate[];
  cands: Cand[][];
  idx: number[];
  /** Per level: candidates that were not loops. */
  real: number[];
  sigJob: Job<boolean> | null;
  pend: Cand | null;
  pendKey: PublicKeyInfo | null;
  best: EtError | null;
  sigs: number;
  nodes: number;
  ncb: Budget;
  memo: { c: Certificate; k: PublicKeyInfo; ok: boolean }[];
  akeys: { a: TrustAnchor; k: PublicKeyInfo }[];
  res: ValidationResult | null;

  constructor(leaf: Uint8Array | Certificate, intermediates: (Uint8Array | Certificate)[], o: ValidateOptions) {
    this.o = o;
    this.t = Math.floor(o.time);
    this.phase = 0;
    this.leafIn = leaf;
    this.intIn = intermediates;
    this.leaf = null;
    this.ints = [];
    this.parseErr = "";
    this.pi = 0;
    this.chain = [];
    this.cands = [];
    this.idx = [];
    this.real = [];
    this.sigJob = null;
    this.pend = null;
    this.pendKey = null;
    this.best = null;
    this.sigs = 0;
    this.nodes = 0;
    this.ncb = { n: o.ncBudget === undefined ? 10000 : o.ncBudget };
    this.memo = [];
    this.akeys = [];
    this.res = null;
  }

  step(): boolean {
    if (this.res !== null) return true;
    const ph = this.phase;
    if (ph === 0) {
      const o = this.o;
      if (typeof o.time !== "number" || o.time !== o.time || o.time - o.time !== 0) fail(X.TIME_UNKNOWN, "the current time is not known", -1, "");
      const li = this.leafIn;
      try {
        this.leaf = (li as any).tbs !== undefined ? (li as Certificate) : parseCert(li as Uint8Array);
      } catch (e) {
        if (!(e as EtError).code) throw e;
        fail((e as EtError).code, "server certificate: " + (e as EtError).message, 0, "");
      }
      this.phase = 1;
    } else if (ph === 1) {
      if (this.pi < this.intIn.length) {
        const x = this.intIn[this.pi++];
        try {
          this.ints.push((x as any).tbs !== undefined ? (x as Certificate) : parseCert(x as Uint8Array));
        } catch (e) {
          if (!(e as EtError).code) throw e;
          if (this.parseErr === "") this.parseErr = "; presented certificate " + this.pi + " is unreadable: " + (e as EtError).message;
        }
      } else this.phase = 2;
    } else if (ph === 2) {
      this.checkLeaf();
      this.chain.push(this.leaf as Certificate);
      this.phase = 3;
    } else return this.search();
    return false;
  }

  result(): ValidationResult {
    return this.res as ValidationResult;
  }

  note(e: EtError): void {
    const b = this.best;
    if (b === null) {
      this.best = e;
      return;
    }
    const eu = e.code === X.UNKNOWN_ISSUER;
    const bu = b.code === X.UNKNOWN_ISSUER;
    if (eu !== bu) {
      if (bu) this.best = e;
      return;
    }
    if (e.detail.depth > b.detail.depth) this.best = e;
  }

  checkLeaf(): void {
    const L = this.leaf as Certificate;
    const o = this.o;
    if (L.problem !== null) failC(L.problem.code, L.problem.message, 0, L);
    const si = serialIssue(L.serial);
    if (si) failC(X.BAD_CERT, si, 0, L);
    if (L.version !== 3) failC(X.BAD_CERT, "not a version 3 certificate", 0, L);
    this.checkTime(L, 0);
    if (L.unknownCritical) failC(X.UNKNOWN_CRITICAL_EXTENSION, "unknown critical extension " + L.unknownCritical, 0, L);
    const ki = keyIssue(L.spki, o.minRsaBits === undefined ? 2048 : o.minRsaBits);
    if (ki !== null) failC(ki[0], ki[1], 0, L);
    if (L.bc === 1 && !o.allowCaLeaf) failC(X.BAD_CERT, "a CA certificate is used as the server certificate", 0, L);
    if (L.nc !== null) failC(X.BAD_CERT, "nameConstraints in an end-entity certificate", 0, L);
    if (L.ku >= 0 && (L.ku & KU_KEY_CERT_SIGN) !== 0 && L.bc !== 1) failC(X.BAD_CERT, "keyCertSign without basicConstraints cA", 0, L);
    if (o.requireAki === true && !L.selfIssued && L.akiKeyId === null) failC(X.BAD_CERT, "no authorityKeyIdentifier", 0, L);
    const eku = o.eku === undefined ? EKU_SERVER_AUTH : o.eku;
    if (eku && L.eku !== null && L.eku.indexOf(eku) < 0) failC(X.EKU_MISMATCH, "extendedKeyUsage does not allow " + (eku === EKU_SERVER_AUTH ? "serverAuth" : oidText(eku)), 0, L);
    const ku = o.keyUsage === undefined ? 0 : o.keyUsage;
    if (ku && L.ku >= 0 && (L.ku & ku) !== ku) failC(X.EKU_MISMATCH, "keyUsage does not allow the required use", 0, L);
    if (L.san !== null && L.sanCritical && !L.subjectEmpty) failC(X.BAD_CERT, "subjectAltName is critical but the subject is not empty", 0, L);
    if (o.checkCommonName === true) {
      const ci = commonNameIssue(L);
      if (ci) failC(X.BAD_CERT, ci, 0, L);
    }
    if (o.host !== undefined && o.host !== null && !sanMatchesHost(L.san, o.host)) failC(X.NAME_MISMATCH, "certificate is not valid for '" + o.host + "'" + (L.san === null ? " (no subjectAltName)" : ""), 0, L);
  }

  checkTime(c: Certificate, depth: number): void {
    if (this.t < c.notBefore) failC(X.CERT_NOT_YET_VALID, "not valid before " + c.notBefore, depth, c);
    if (this.t > c.notAfter) failC(X.CERT_EXPIRED, "expired at " + c.notAfter, depth, c);
  }

  /** Rules for a certificate used as an issuer at position j (an intermediate, or an
   *  anchor's own certificate when `anchor`). */
  checkCa(I: Certificate, j: number, anchor: boolean): void {
    const o = this.o;
    if (I.problem !== null) failC(I.problem.code, I.problem.message, j, I);
    if (!anchor) {
      const si = serialIssue(I.serial);
      if (si) failC(X.BAD_CERT, si, j, I);
    }
    if (I.version !== 3) failC(X.BAD_CERT, "not a version 3 certificate", j, I);
    this.checkTime(I, j);
    if (I.unknownCritical) failC(X.UNKNOWN_CRITICAL_EXTENSION, "unknown critical extension " + I.unknownCritical, j, I);
    if (I.bc !== 1) failC(X.NOT_A_CA, "not a CA (basicConstraints cA not set)", j, I);
    if (!I.bcCritical) failC(X.BAD_CERT, "basicConstraints not marked critical", j, I);
    if (I.ku >= 0 && (I.ku & KU_KEY_CERT_SIGN) === 0) failC(X.NOT_A_CA, "keyUsage does not allow keyCertSign", j, I);
    if (I.ski === null && o.requireSki !== false) failC(X.BAD_CERT, "CA certificate without subjectKeyIdentifier", j, I);
    if (o.requireAki === true && !anchor && !I.selfIssued && I.akiKeyId === null) failC(X.BAD_CERT, "no authorityKeyIdentifier", j, I);
    if (anchor && I.selfIssued && I.akiPresent) {
      if (I.akiKeyId === null || I.akiIssuerSerial) failC(X.BAD_CERT, "root authorityKeyIdentifier must hold only a keyIdentifier", j, I);
      if (I.ski !== null && !sameBytes(I.akiKeyId, I.ski)) failC(X.BAD_CERT, "root authorityKeyIdentifier differs from its subjectKeyIdentifier", j, I);
    }
    if (I.eku !== null) {
      const eku = o.eku === undefined ? EKU_SERVER_AUTH : o.eku;
      if (eku && I.eku.indexOf(eku) < 0 && I.eku.indexOf(EKU_ANY) < 0) failC(X.EKU_MISMATCH, "extendedKeyUsage of a CA does not allow " + (eku === EKU_SERVER_AUTH ? "serverAuth" : oidText(eku)), j, I);
    }
    if (I.pathLen >= 0) {
      let n = 0;
      for (let x = 1; x < j; x++) if (!this.chain[x].selfIssued) n++;
      if (n > I.pathLen) failC(X.PATH_TOO_LONG, "pathLenConstraint " + I.pathLen + " exceeded", j, I);
    }
    const ki = keyIssue(I.spki, o.minRsaBits === undefined ? 2048 : o.minRsaBits);
    if (ki !== null) failC(ki[0], ki[1], j, I);
  }

  /** Name constraints `nc` of the issuer at position j over every certificate below it. */
  checkNc(nc: Uint8Array | string, j: number, byCert: Certificate | null, byAnchor: TrustAnchor | null): void {
    for (let x = 0; x < j; x++) {
      const c = this.chain[x];
      if (x > 0 && c.selfIssued) continue;
      const r = checkNameConstraints(nc, c, this.ncb);
      if (r !== null) failC(X.NAME_CONSTRAINT_VIOLATION, r + " (constraints of " + (byCert !== null ? subjectText(byCert) : anchorName(byAnchor as TrustAnchor)) + ")", x, c);
    }
  }

  anchorKey(a: TrustAnchor, j: number): PublicKeyInfo {
    for (let i = 0; i < this.akeys.length; i++) if (this.akeys[i].a === a) return this.akeys[i].k;
    const sp = a.spki;
    let k: PublicKeyInfo;
    if (typeof sp === "string" || (sp as any).kind === undefined) {
      try {
        k = parseSpki(sp as any, 0, (sp as any).length);
      } catch (e) {
        fail(X.BAD_DER, "trust anchor key: " + (e as EtError).message, j, anchorName(a));
      }
    } else k = sp as PublicKeyInfo;
    this.akeys.push({ a: a, k: k });
    return k;
  }

  /** Checks candidate `cd` as the issuer at position j of chain[j-1]; returns its key. */
  checkCand(cd: Cand, j: number): PublicKeyInfo | null {
    const o = this.o;
    const C = this.chain[j - 1];
    let key: PublicKeyInfo;
    if (cd.cert !== null) {
      const I = cd.cert;
      for (let x = 0; x < j; x++) {
        const c = this.chain[x];
        if (sameBytes(c.subject, I.subject) && sameBytes(c.spki.der, I.spki.der)) return null;
      }
      if (j > (o.maxIntermediates === undefined ? 6 : o.maxIntermediates)) failC(X.PATH_TOO_LONG, "too many intermediate certificates", j, I);
      const mcd = o.maxChainDepth === undefined ? -1 : o.maxChainDepth;
      if (mcd >= 0) {
        let n = I.selfIssued ? 0 : 1;
        for (let x = 1; x < j; x++) if (!this.chain[x].selfIssued) n++;
        if (n > mcd) failC(X.PATH_TOO_LONG, "more than " + mcd + " intermediate certificates", j, I);
      }
      this.checkCa(I, j, false);
      if (I.nc !== null) this.checkNc(I.nc, j, I, null);
      key = I.spki;
    } else {
      const A = cd.anchor as TrustAnchor;
      if (A.cert) this.checkCa(A.cert, j, true);
      if (A.notAfter !== undefined && this.t > A.notAfter) fail(X.CERT_EXPIRED, "trust anchor expired at " + A.notAfter, j, anchorName(A));
      if (A.distrustAfter !== undefined && (this.leaf as Certificate).notBefore > A.distrustAfter) fail(X.ANCHOR_DISTRUSTED, "trust anchor distrusted for certificates issued after " + A.distrustAfter, j, anchorName(A));
      key = this.anchorKey(A, j);
      const ki = keyIssue(key, o.minRsaBits === undefined ? 2048 : o.minRsaBits);
      if (ki !== null) fail(ki[0], ki[1], j, anchorName(A));
      const nc = A.nameConstraints !== undefined ? A.nameConstraints : A.cert ? A.cert.nc : null;
      if (nc) {
        try {
          checkNameConstraintsDer(nc, 0, nc.length);
        } catch (e) {
          fail(X.BAD_DER, "trust anchor name constraints: " + (e as EtError).message, j, anchorName(A));
        }
        this.checkNc(nc, j, null, A);
      }
    }
    const si = sigAlgIssue(C.sigAlg, key, o.allowSha1 === true);
    if (si !== null) failC(si[0], si[1], j - 1, C);
    return key;
  }

  candidates(C: Certificate): Cand[] {
    const out: Cand[] = [];
    const as = this.o.anchors.findByIssuer(C.issuer);
    const ac: Cand[] = [];
    const askis: (Uint8Array | null)[] = [];
    for (let i = 0; i < as.length; i++) {
      ac.push({ cert: null, anchor: as[i] });
      askis.push(as[i].cert ? (as[i].cert as Certificate).ski : null);
    }
    byKeyId(ac, askis, C.akiKeyId, out);
    const ic: Cand[] = [];
    const iskis: (Uint8Array | null)[] = [];
    for (let i = 0; i < this.ints.length; i++) {
      const I = this.ints[i];
      if (!sameBytes(I.subject, C.issuer)) continue;
      ic.push({ cert: I, anchor: null });
      iskis.push(I.ski);
    }
    byKeyId(ic, iskis, C.akiKeyId, out);
    return out;
  }

  search(): boolean {
    const chain = this.chain;
    if (this.sigJob !== null) {
      try {
        if (!this.sigJob.step()) return false;
      } catch (e) {
        // the crypto module refused the issuer's key (e.g. an EC point not on the curve)
        if (!(e as EtError).code) throw e;
        this.sigJob = null;
        const cd = this.pend as Cand;
        this.note(X.x509Error(X.BAD_DER, "invalid public key: " + (e as EtError).message, chain.length, cd.cert !== null ? subjectText(cd.cert) : anchorName(cd.anchor as TrustAnchor)));
        return false;
      }
      const ok = this.sigJob.result();
      this.sigJob = null;
      this.memo.push({ c: chain[chain.length - 1], k: this.pendKey as PublicKeyInfo, ok: ok });
      return this.afterSig(ok);
    }
    const lvl = chain.length - 1;
    const C = chain[lvl];
    if (this.cands.length < chain.length) {
      this.cands.push(this.candidates(C));
      this.idx.push(0);
      this.real.push(0);
    }
    const list = this.cands[lvl];
    if (this.idx[lvl] >= list.length) {
      if (this.real[lvl] === 0) this.note(X.x509Error(X.UNKNOWN_ISSUER, (C.selfIssued ? "self-issued certificate is not a trust anchor" : "issuer not found: " + nameToString(C.issuer)) + this.parseErr, lvl, subjectText(C)));
      chain.pop();
      this.cands.pop();
      this.idx.pop();
      this.real.pop();
      if (chain.length === 0) throw this.best !== null ? this.best : X.x509Error(X.UNKNOWN_ISSUER, "no path to a trust anchor", 0, subjectText(this.leaf as Certificate));
      return false;
    }
    const cd = list[this.idx[lvl]++];
    const nb = this.o.nodeBudget === undefined ? 400 : this.o.nodeBudget;
    if (++this.nodes > nb) fail(X.BUDGET_EXCEEDED, "path search budget exhausted", -1, "");
    let key: PublicKeyInfo | null;
    try {
      key = this.checkCand(cd, lvl + 1);
      if (key === null) return false; // a loop
    } catch (e) {
      const c = (e as EtError).code;
      if (!c || c === X.BUDGET_EXCEEDED) throw e;
      this.real[lvl]++;
      this.note(e as EtError);
      return false;
    }
    this.real[lvl]++;
    this.pend = cd;
    this.pendKey = key;
    for (let i = 0; i < this.memo.length; i++) {
      const m = this.memo[i];
      if (m.c === C && (m.k === key || sameBytes(m.k.der, key.der))) return this.afterSig(m.ok);
    }
    const sb = this.o.sigBudget === undefined ? 100 : this.o.sigBudget;
    if (++this.sigs > sb) fail(X.BUDGET_EXCEEDED, "signature check budget (" + sb + ") exhausted", -1, "");
    this.sigJob = verifySignatureJob(C.sigAlg, key, C.tbs, C.signature);
    return false;
  }

  afterSig(ok: boolean): boolean {
    const chain = this.chain;
    const cd = this.pend as Cand;
    const lvl = chain.length - 1;
    if (!ok) {
      const by = cd.cert !== null ? subjectText(cd.cert) : anchorName(cd.anchor as TrustAnchor);
      this.note(X.x509Error(X.BAD_SIGNATURE, "signature does not verify with the key of " + by, lvl, subjectText(chain[lvl])));
      return false;
    }
    if (cd.anchor !== null) {
      this.res = { path: chain.slice(0), anchor: cd.anchor };
      return true;
    }
    chain.push(cd.cert as Certificate);
    return false;
  }
}

/** Appends candidates (all of one subject) to `out` ordered by their SKI against the child's
 *  AKI (RFC 5280 §4.2.1.1: a hint): matching first, then unknown (no AKI, or no SKI known:
 *  store anchors keep no certificate), then mismatching. */
function byKeyId(cands: Cand[], skis: (Uint8Array | null)[], aki: Uint8Array | null, out: Cand[]): void {
  for (let rank = 0; rank < 3; rank++)
    for (let i = 0; i < cands.length; i++) {
      const ski = skis[i];
      const r = aki === null || ski === null ? 1 : sameBytes(aki, ski) ? 0 : 2;
      if (r === rank) out.push(cands[i]);
    }
}

function anchorName(a: TrustAnchor): string {
  return a.label ? a.label : nameToString(a.subject);
}

/** Validation as a Job: chain[0] is the server's certificate, the rest are the presented
 *  intermediates in any order (DER or parsed). Steps throw the EtError that ends it. */
export function validateJob(chain: (Uint8Array | Certificate)[], o: ValidateOptions): Job<ValidationResult> {
  if (chain.length === 0) fail(X.BAD_DER, "no certificate", 0, "");
  return new PathJob(chain[0], chain.slice(1), o);
}

/** Synchronous validation (blocks for every signature check). */
export function validateChain(chain: (Uint8Array | Certificate)[], o: ValidateOptions): ValidationResult {
  return runSync(validateJob(chain, o));
}
