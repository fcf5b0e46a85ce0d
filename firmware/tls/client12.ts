// The TLS 1.2 client (RFC 5246), in the same style as client13.ts: a bytes-in/bytes-out core with
// one state per expected handshake message; a state handler may return a Job (public-key work)
// that the engine runs in slices. It never sends a ClientHello of its own: the TLS 1.3 client sends
// one hello offering both versions and hands the connection over (handshake-common.ts) when the
// server picks 1.2, with the same transcript.
//
// Policy: AEAD suites only (ECDHE_ECDSA / ECDHE_RSA with AES-GCM or ChaCha20-Poly1305, and
// RSA key transport when the application turns it on; PSK and ECDHE-PSK with a pre-shared key); extended_master_secret (RFC 7627) and
// secure renegotiation (RFC 5746) are required of the server; renegotiation is refused
// (HelloRequest -> no_renegotiation warning); the ServerKeyExchange signature is verified with
// the certificate's key; sessions are resumed by session id or ticket (RFC 5077).
import type { Hash } from "../crypto/types";
import type { Job } from "../util/job";
import { andThen } from "../util/job";
import { ascii, concat, ctEqual } from "../util/bytes";
import { prf12 } from "../crypto/prf12";
import { Reader, Writer } from "./codec";
import * as C from "./constants";
import { tlsFail, A_DECODE_ERROR, A_DECRYPT_ERROR, A_HANDSHAKE_FAILURE, A_ILLEGAL_PARAMETER, A_UNEXPECTED_MESSAGE, A_UNSUPPORTED_CERTIFICATE, A_UNSUPPORTED_EXTENSION, unexpectedMessage, decodeError } from "./alerts";
import { handshakeMessage, serverAnswers } from "./messages";
import type { HandshakeMessage, HelloParams, ServerHello } from "./messages";
import { Engine, notify, progress, sendAlert, sendRecords } from "./engine";
import type { Suite12 } from "./suites12";
import { findSuite12, isPskKx, KX_ECDHE_ECDSA, KX_ECDHE_PSK, KX_RSA } from "./suites12";
import { parsePskKeyExchange, pskClientKeyExchange, pskPremaster } from "./psk12";
import { pskIdentityText } from "./psk";
import type { ExternalPsk } from "./psk";
import type { Ephemeral } from "./kex";
import { keyShareJob, sharedSecretJob } from "./kex";
import type { PeerIdentity } from "./certverify";
import { checkKeyUsage, schemeAlg12 } from "./certverify";
import type { ClientOptions, ConnectionInfo } from "./client-types";
import type { Handover, Session12 } from "./handshake-common";
import { HT_HELLO_REQUEST, A_NO_RENEGOTIATION } from "./handshake-common";
import { rsaEncryptPkcs1Job } from "./rsakex";
import { certificateMessage, chooseScheme, parseCertRequest12, signCertificateVerifyJob } from "./clientauth";
import type { CertRequest } from "./clientauth";
import type { SigAlg } from "../x509/cert";
import { KEY_EC, KEY_ED25519, KEY_RSA, KU_DIGITAL_SIGNATURE, KU_KEY_ENCIPHERMENT } from "../x509/cert";
import { verifySignatureJob } from "../x509/sigverify";

declare function getTime(): number;

export interface Options12 {
  /** The saved session offered in the ClientHello (by id or ticket), or null. */
  session: Session12 | null;
  /** Longest a session id is kept when the server gives no ticket lifetime (seconds). */
  sessionLifetime: number;
}


/** True when a handshake record holds nothing but (empty) HelloRequest messages. */
function onlyHelloRequests(data: Uint8Array): boolean {
  if (!data.length || data.length % 4) return false;
  for (let i = 0; i < data.length; i++) if (data[i]) return false;
  return true;
}

export class Client12 extends Engine {
  /** A session worth keeping for resumption (after each successful handshake). */
  onSession: (s: Session12) => void;

  private o: ClientOptions;
  private o12: Options12;
  private hello: HelloParams;
  private sh: ServerHello;
  private shRaw: Uint8Array;
  private ch: Uint8Array | null;
  private share: Ephemeral | null;
  private ccsNext: boolean;
  private suite: Suite12 | null;
  private th: Hash | null;
  private resumed: boolean;
  private ticketPromised: boolean;
  private certReq: CertRequest | null;
  private certScheme: number;
  /** The handshake messages so far, kept only when we may have to sign them (CertificateVerify
   *  signs the messages themselves in TLS 1.2, not a transcript hash). */
  private msgs: Uint8Array[] | null;
  private peer: PeerIdentity | null;
  private alpn: string | null;
  private group: number;
  private premaster: Uint8Array | null;
  private cke: Uint8Array | null;
  private master: Uint8Array | null;
  private serverKeys: Uint8Array[] | null;
  private clientKeys: Uint8Array[] | null;
  private newTicket: Uint8Array | null;
  private ticketLifetime: number;
  /** Our ECDHE public key (ClientKeyExchange) once the exchange is done. */
  private ecPub: Uint8Array | null;
  /** PSK suites: the server's identity hint and the identity we sent. */
  private pskHint: string | null;
  private pskName: string;

  constructor(o: ClientOptions, o12: Options12, h: Handover) {
    super(h.rec, h.hs);
    this.ignoreWarnings = true;
    this.onSession = function () { /* no listener */ };
    this.o = o; this.o12 = o12;
    this.hello = h.hello; this.sh = h.sh; this.shRaw = h.shRaw; this.ch = h.ch; this.share = h.share;
    this.ccsNext = false;
    this.suite = null; this.th = null; this.resumed = false; this.ticketPromised = false; this.certReq = null; this.certScheme = 0;
    this.msgs = o.identity ? [concat([h.ch]), concat([h.shRaw])] : null;
    this.peer = null; this.alpn = null; this.group = 0; this.premaster = null; this.cke = null; this.master = null;
    this.serverKeys = null; this.clientKeys = null; this.newTicket = null; this.ticketLifetime = 0;
    this.ecPub = null; this.pskHint = null; this.pskName = "";
  }

  // ---- engine (the shared part is engine.ts) ------------------------------------------------

  /** Continues the connection from the ServerHello the TLS 1.3 client received. */
  begin(): void {
    try {
      this.onServerHello();
    } catch (e) {
      this.fail(e);
      return;
    }
    Engine.pump(this);
  }

  protected dispatch(m: HandshakeMessage): Job<any> | null {
    if (m.type === HT_HELLO_REQUEST) {
      // Renegotiation is never done (RFC 5246 §7.4.1.1: ignored during a handshake; RFC 5746 §4.2
      // after it: answered with a no_renegotiation warning). Not part of the transcript.
      if (m.body.length) decodeError("HelloRequest with a body");
      if (this.state === this.connected) {
        progress(this, "renegotiation_refused");
        sendAlert(this, 1, A_NO_RENEGOTIATION);
      }
      return null;
    }
    return this.state!(m);
  }

  protected onRecord(type: number, data: Uint8Array): void {
    if (type === C.CT_HANDSHAKE) {
      // Only HelloRequests (ignored, §7.4.1.1) may come before the server's ChangeCipherSpec.
      if (this.ccsNext && !onlyHelloRequests(data)) unexpectedMessage("expected ChangeCipherSpec, got a handshake record");
      this.hs.push(data);
    } else if (type === C.CT_ALERT) {
      this.onAlert(data);
    } else if (type === C.CT_CHANGE_CIPHER_SPEC) {
      if (!this.ccsNext || data.length !== 1 || data[0] !== 1) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_CCS", "change_cipher_spec where none was expected");
      if (this.hs.pending()) unexpectedMessage("handshake message spans ChangeCipherSpec");
      const k = this.serverKeys as Uint8Array[];
      this.rec.read = { aead: (this.suite as Suite12).aead(k[0]), iv: k[1], seq: 0, v12: (this.suite as Suite12).v12 };
      this.serverKeys = null;
      this.ccsNext = false;
      this.state = this.expectFinished;
    } else this.onOtherRecord(type, data);
  }

  /** Sends a handshake message and adds it to the transcript. Static, like transcript(): they
   *  are the leaves of the deepest call chains (engine.ts, call depth). */
  private static sendHandshake(c: Client12, msg: Uint8Array): void {
    Client12.transcript(c, msg);
    sendRecords(c, C.CT_HANDSHAKE, msg);
  }

  /** Adds a handshake message to the transcript (and to the kept messages while they matter). */
  private static transcript(c: Client12, raw: Uint8Array): void {
    (c.th as Hash).update(raw);
    // A copy: received messages are views into buffers the record layer may reuse.
    if (c.msgs) c.msgs.push(concat([raw]));
  }

  private static prf(c: Client12, secret: Uint8Array, label: string, seed: Uint8Array, n: number): Uint8Array {
    return prf12((c.suite as Suite12).hash, secret, label, seed, n);
  }

  // ---- ServerHello -------------------------------------------------------------------------

  private onServerHello(): void {
    const sh = this.sh;
    const hello = this.hello;
    const ext = sh.ext;
    // No supported_versions here (RFC 8446 §4.2.1): parseServerHello takes one as the choice of
    // TLS 1.3 and refuses any other version in it, so a ServerHello with one never comes here.
    const allowed = [C.EXT_RENEGOTIATION_INFO, C.EXT_EXTENDED_MASTER_SECRET, C.EXT_SESSION_TICKET, C.EXT_EC_POINT_FORMATS, C.EXT_SERVER_NAME];
    if (hello.alpn.length) allowed.push(C.EXT_ALPN);
    if (hello.recordSizeLimit) allowed.push(C.EXT_RECORD_SIZE_LIMIT);
    if (hello.maxFragmentCode) allowed.push(C.EXT_MAX_FRAGMENT_LENGTH);
    for (const k in ext) {
      if (allowed.indexOf(+k) < 0) tlsFail(A_UNSUPPORTED_EXTENSION, "TLS_UNSUPPORTED_EXTENSION", "extension " + k + " not allowed in a TLS 1.2 ServerHello");
    }
    const suite = hello.suites.indexOf(sh.suite) >= 0 ? findSuite12(sh.suite) : null;
    if (!suite) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SUITE", "the server chose cipher suite 0x" + sh.suite.toString(16) + ", which was not offered for TLS 1.2");
    this.suite = suite;
    const ri = ext[C.EXT_RENEGOTIATION_INFO];
    if (!ri) tlsFail(A_HANDSHAKE_FAILURE, "TLS_NO_SECURE_RENEGOTIATION", "the server does not support secure renegotiation (RFC 5746)");
    if (ri.length !== 1 || ri[0] !== 0) tlsFail(A_HANDSHAKE_FAILURE, "TLS_BAD_RENEGOTIATION_INFO", "renegotiation_info is not empty on the first handshake");
    const ems = ext[C.EXT_EXTENDED_MASTER_SECRET];
    if (!ems) tlsFail(A_HANDSHAKE_FAILURE, "TLS_NO_EXTENDED_MASTER_SECRET", "the server does not support extended_master_secret (RFC 7627), which is required for TLS 1.2");
    if (ems.length) decodeError("extended_master_secret with a body");
    const pf = ext[C.EXT_EC_POINT_FORMATS];
    if (pf) {
      const r = new Reader(pf);
      const list = r.vecBytes(1);
      r.done();
      let ok = false;
      for (let i = 0; i < list.length; i++) if (list[i] === 0) ok = true;
      if (!ok) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_POINT_FORMAT", "the server does not accept uncompressed points");
    }
    const st = ext[C.EXT_SESSION_TICKET];
    if (st && st.length) decodeError("session_ticket in ServerHello with a body");
    this.ticketPromised = !!st;
    this.alpn = serverAnswers(ext, hello, this.rec, 0);
    const th = suite.hash.create();
    th.update(this.ch as Uint8Array);
    th.update(this.shRaw);
    this.th = th;
    this.ch = null;
    this.rec.version = C.TLS12;
    progress(this, "server_hello");
    // Resumption: the server echoes the session id of the session (or ticket) we offered.
    const s = this.o12.session;
    const echoed = sh.sessionId.length > 0 && ctEqual(sh.sessionId, hello.sessionId);
    if (echoed) {
      if (!s) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SESSION_ID", "the server resumed a session that was not offered");
      if (s.suite !== suite.id) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SUITE", "the resumed session had another cipher suite");
      this.resumed = true;
      this.msgs = null;
      this.master = s.master;
      this.peer = s.peer;
      this.group = s.group || 0;
      Client12.keys(this);
      this.state = this.ticketPromised ? this.expectNewSessionTicket : this.expectCcs;
      this.ccsNext = !this.ticketPromised;
      progress(this, "resumed");
      return;
    }
    // PSK suites: no certificate, and an alert now is the server refusing the PSK.
    this.pskOffered = isPskKx(suite.kx);
    this.state = this.pskOffered ? this.expectPskKeyExchange : this.expectCertificate;
  }

  // ---- the server's flight (full handshake) ------------------------------------------------

  private expectCertificate(m: HandshakeMessage): Job<any> | null {
    this.expect(m, C.HT_CERTIFICATE, "Certificate");
    const r = new Reader(m.body);
    const list = r.vec(3);
    r.done();
    const chain: Uint8Array[] = [];
    while (list.left() > 0) chain.push(list.vecBytes(3));
    if (!chain.length) tlsFail(A_DECODE_ERROR, "TLS_NO_CERTIFICATE", "the server sent no certificate");
    Client12.transcript(this, m.raw);
    progress(this, "certificate");
    const self = this;
    const suite = this.suite as Suite12;
    return andThen(this.o.verifyChain(chain, this.o.host), function (peer: PeerIdentity) {
      const kind = peer.spki.kind;
      const fits = suite.kx === KX_ECDHE_ECDSA ? kind === KEY_EC || kind === KEY_ED25519 : kind === KEY_RSA;
      if (!fits) tlsFail(A_UNSUPPORTED_CERTIFICATE, "TLS_BAD_CERTIFICATE_KEY", "the certificate's key does not fit cipher suite " + suite.name);
      // §7.4.2: with keyUsage present, ECDHE needs digitalSignature, RSA key transport keyEncipherment.
      const use = suite.kx === KX_RSA ? KU_KEY_ENCIPHERMENT : KU_DIGITAL_SIGNATURE;
      checkKeyUsage(peer, use, use === KU_KEY_ENCIPHERMENT ? "keyEncipherment" : "digitalSignature");
      self.peer = peer;
      self.state = suite.kx === KX_RSA ? self.expectServerHelloDone : self.expectServerKeyExchange;
      progress(self, "chain_verified");
      return null;
    });
  }

  private expectServerKeyExchange(m: HandshakeMessage): Job<any> | null {
    this.expect(m, C.HT_SERVER_KEY_EXCHANGE, "ServerKeyExchange");
    const r = new Reader(m.body);
    if (r.u8() !== 3) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_GROUP", "ServerKeyExchange without a named curve");
    const group = r.u16();
    const point = r.vecBytes(1);
    const paramsEnd = r.p;
    const scheme = r.u16();
    const sig = r.vecBytes(2);
    r.done();
    Client12.checkGroup(this, group);
    if (this.hello.sigAlgs.indexOf(scheme) < 0) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SIGNATURE_SCHEME", "signature scheme 0x" + scheme.toString(16) + " was not offered");
    const peer = this.peer as PeerIdentity;
    const alg = schemeAlg12(scheme, (this.suite as Suite12).kx, peer.spki.kind);
    if (!alg) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SIGNATURE_SCHEME", "signature scheme 0x" + scheme.toString(16) + " does not fit the server's key and cipher suite");
    Client12.transcript(this, m.raw);
    // Signed: client_random + server_random + ServerECDHParams (§7.4.3, RFC 8422 §5.4).
    const signed = concat([this.hello.random, this.sh.random, m.body.subarray(0, paramsEnd)]);
    this.group = group;
    progress(this, "server_key_exchange");
    const self = this;
    const pointCopy = concat([point]);
    return andThen(verifySignatureJob(alg as SigAlg, peer.spki, signed, sig), function (ok: boolean) {
      if (!ok) tlsFail(A_DECRYPT_ERROR, "TLS_BAD_SERVER_KEY_EXCHANGE", "the ServerKeyExchange signature does not verify with the certificate's key");
      progress(self, "server_key_verified");
      return andThen(Client12.ecdhe(self, group, pointCopy), function () {
        const pub = self.ecPub as Uint8Array;
        self.cke = new Writer(1 + pub.length).vecBytes(1, pub).result();
        self.state = self.expectServerHelloDone;
        return null;
      });
    });
  }

  /** The ServerKeyExchange's group must be one we offered. */
  private static checkGroup(c: Client12, group: number): void {
    if (c.hello.groups.indexOf(group) < 0) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_GROUP", "the server chose group " + group + ", which was not offered");
  }

  /** Our ECDHE key pair for `group` (the TLS 1.3 key share when it is of that group: used for
   *  nothing else) and the secret shared with the server's `point`: premaster and ecPub. */
  private static ecdhe(c: Client12, group: number, point: Uint8Array): Job<any> {
    const mine = c.share && c.share.group === group ? c.share : null;
    c.share = null;
    const shared = function (e: Ephemeral): Job<any> {
      return andThen(sharedSecretJob(e, point), function (z: Uint8Array) {
        c.premaster = z;
        c.ecPub = e.pub;
        progress(c, "key_exchange");
        return null;
      });
    };
    if (mine) return shared(mine);
    return andThen(keyShareJob(group, c.o.random), shared);
  }

  // ---- PSK suites (psk12.ts) ---------------------------------------------------------------

  /** A ServerKeyExchange with the identity hint (ECDHE-PSK: and the server's key share, not
   *  signed: the PSK authenticates), optional for plain PSK; then ServerHelloDone. */
  private expectPskKeyExchange(m: HandshakeMessage): Job<any> | null {
    const ecdhe = (this.suite as Suite12).kx === KX_ECDHE_PSK;
    if (m.type === C.HT_SERVER_HELLO_DONE && !ecdhe) { this.pskHint = ""; return this.expectServerHelloDone(m); }
    this.expect(m, C.HT_SERVER_KEY_EXCHANGE, "ServerKeyExchange (PSK)");
    const ske = parsePskKeyExchange(m.body, ecdhe);
    if (ecdhe) Client12.checkGroup(this, ske.group);
    Client12.transcript(this, m.raw);
    this.pskHint = ske.hint;
    this.group = ske.group;
    this.state = this.expectServerHelloDone;
    progress(this, "server_key_exchange");
    return ecdhe ? Client12.ecdhe(this, ske.group, concat([ske.point as Uint8Array])) : null;
  }

  /** After the ServerHelloDone of a PSK suite: our identity (the option's, or its function's for
   *  the hint) and the premaster secret, then our flight. */
  private pskFlight(): Job<any> | null {
    const ext = this.o.extPsk as ExternalPsk;
    this.pskName = pskIdentityText(ext, this.pskHint as string);
    this.cke = pskClientKeyExchange(ascii(this.pskName), this.ecPub);
    this.premaster = pskPremaster(this.premaster, ext.key);
    return this.clientFlight();
  }

  private expectServerHelloDone(m: HandshakeMessage): Job<any> | null {
    const kx = (this.suite as Suite12).kx;
    // (no CertificateRequest with a PSK suite: RFC 4279 §2 leaves the certificates out)
    if (m.type === C.HT_CERTIFICATE_REQUEST && !this.certReq && !isPskKx(kx)) {
      // Answered after ServerHelloDone: our Certificate, or an empty one when none is configured
      // (§7.4.6). A scheme for our key is chosen now, so an unusable key fails before we send.
      this.certReq = parseCertRequest12(m.body);
      if (this.o.identity) this.certScheme = chooseScheme(this.o.identity, this.certReq);
      else this.msgs = null;
      Client12.transcript(this, m.raw);
      progress(this, "certificate_request");
      return null;
    }
    if (!this.certReq) this.msgs = null;
    this.expect(m, C.HT_SERVER_HELLO_DONE, "ServerHelloDone");
    if (m.body.length) decodeError("ServerHelloDone with a body");
    // The server's flight ends here: it has to wait for ours, so nothing may follow in the record.
    if (this.hs.pending()) unexpectedMessage("data after ServerHelloDone");
    Client12.transcript(this, m.raw);
    if (isPskKx(kx)) return this.pskFlight();
    if (kx !== KX_RSA) return this.clientFlight();
    // RSA key transport: premaster = client_version(0x0303) || 46 random bytes, encrypted.
    const pm = new Uint8Array(48);
    pm.set(this.o.random(46), 2);
    pm[0] = 3; pm[1] = 3;
    const spki = (this.peer as PeerIdentity).spki;
    const self = this;
    return andThen(rsaEncryptPkcs1Job(spki.n as Uint8Array, spki.e as Uint8Array, pm, this.o.random), function (ct: Uint8Array) {
      self.premaster = pm;
      self.cke = new Writer(ct.length + 2).vecBytes(2, ct).result();
      progress(self, "key_exchange");
      return self.clientFlight();
    });
  }

  /** Certificate (if asked), ClientKeyExchange, CertificateVerify (if we sent a certificate;
   *  signed in slices), ChangeCipherSpec, Finished. */
  private clientFlight(): Job<any> | null {
    const id = this.o.identity;
    if (this.certReq) {
      Client12.sendHandshake(this, certificateMessage(id ? id.chain : [], null));
      this.certAnswer = id ? 2 : 1;
    }
    Client12.sendHandshake(this, handshakeMessage(C.HT_CLIENT_KEY_EXCHANGE, this.cke as Uint8Array));
    // Extended master secret (RFC 7627 §4): the session hash covers ClientHello..ClientKeyExchange.
    this.master = Client12.prf(this, this.premaster as Uint8Array, "extended master secret", (this.th as Hash).digest(), 48);
    (this.premaster as Uint8Array).fill(0);
    this.premaster = null;
    this.cke = null;
    if (!this.certReq || !id) return Client12.finishFlight(this);
    const content = concat(this.msgs as Uint8Array[]);
    this.msgs = null;
    progress(this, "client_certificate");
    const self = this;
    return andThen(signCertificateVerifyJob(id, this.certScheme, content, this.o.random), function (cv: Uint8Array) {
      Client12.sendHandshake(self, cv);
      progress(self, "client_certificate_verify");
      return Client12.finishFlight(self);
    });
  }

  /** Static: it runs at the bottom of the client flight's call chain (engine.ts, call depth). */
  private static finishFlight(c: Client12): null {
    Client12.keys(c);
    c.sendFinished();
    c.state = c.ticketPromised ? c.expectNewSessionTicket : c.expectCcs;
    c.ccsNext = !c.ticketPromised;
    return null;
  }

  /** key_block (§6.3): client key, server key, client IV, server IV. Sets our write keys aside. */
  private static keys(c: Client12): void {
    const s = c.suite as Suite12;
    const kb = Client12.prf(c, c.master as Uint8Array, "key expansion", concat([c.sh.random, c.hello.random]), 2 * s.keyLen + 2 * s.ivLen);
    const ck = kb.subarray(0, s.keyLen), sk = kb.subarray(s.keyLen, 2 * s.keyLen);
    const civ = kb.subarray(2 * s.keyLen, 2 * s.keyLen + s.ivLen), siv = kb.subarray(2 * s.keyLen + s.ivLen);
    c.serverKeys = [sk, siv];
    c.clientKeys = [ck, civ];
  }

  private sendFinished(): void {
    const ccs = new Uint8Array(1);
    ccs[0] = 1;
    sendRecords(this, C.CT_CHANGE_CIPHER_SPEC, ccs);
    const s = this.suite as Suite12;
    const k = this.clientKeys as Uint8Array[];
    this.rec.write = { aead: s.aead(k[0], true), iv: k[1], seq: 0, v12: s.v12 };
    this.clientKeys = null;
    const vd = Client12.prf(this, this.master as Uint8Array, "client finished", (this.th as Hash).digest(), 12);
    Client12.sendHandshake(this, handshakeMessage(C.HT_FINISHED, vd));
  }

  private expectNewSessionTicket(m: HandshakeMessage): Job<any> | null {
    this.expect(m, C.HT_NEW_SESSION_TICKET, "NewSessionTicket");
    const r = new Reader(m.body);
    const hint = r.u32();
    const ticket = r.vecBytes(2);
    r.done();
    Client12.transcript(this, m.raw);
    // An empty ticket means the server will not issue one after all (RFC 5077 §3.3).
    if (ticket.length) { this.newTicket = concat([ticket]); this.ticketLifetime = hint; }
    this.state = this.expectCcs;
    this.ccsNext = true;
    return null;
  }

  private expectCcs(m: HandshakeMessage): Job<any> | null {
    return unexpectedMessage("expected ChangeCipherSpec, got handshake message " + m.type);
  }

  private expectFinished(m: HandshakeMessage): Job<any> | null {
    this.expect(m, C.HT_FINISHED, "Finished");
    const th = this.th as Hash;
    const want = Client12.prf(this, this.master as Uint8Array, "server finished", th.digest(), 12);
    if (!ctEqual(m.body, want)) tlsFail(A_DECRYPT_ERROR, "TLS_BAD_FINISHED", "the server's Finished does not verify");
    th.update(m.raw);
    if (this.resumed) this.sendFinished();
    this.th = null;
    this.state = this.connected;
    this.pskOffered = false;
    progress(this, "connected");
    this.keep();
    const info: ConnectionInfo = { version: C.TLS12, suite: (this.suite as Suite12).name, group: this.group, alpn: this.alpn, peer: this.peer, resumed: this.resumed };
    if (this.pskHint !== null) { info.pskIdentity = this.pskName; info.pskHint = this.pskHint; }
    notify(this.onConnected, info);
    return null;
  }

  /** Hands the session to the cache: by ticket when the server gave one, else by session id. */
  private keep(): void {
    // A PSK session proved no server identity (and the PSK itself is offered next time).
    if (!this.peer) return;
    const old = this.o12.session;
    const id = this.resumed && old ? old.id : this.sh.sessionId;
    const ticket = this.newTicket || (this.resumed && old ? old.ticket : null);
    if (!ticket && !id.length) return;
    const max = this.o12.sessionLifetime;
    const life = ticket && this.newTicket && this.ticketLifetime ? Math.min(this.ticketLifetime, max) : this.resumed && old ? old.lifetime : max;
    const received = this.resumed && old && !this.newTicket ? old.received : getTime();
    notify(this.onSession, {
      id: concat([id]), ticket: ticket, master: this.master as Uint8Array, suite: (this.suite as Suite12).id, received: received,
      lifetime: life, peer: this.peer as PeerIdentity, alpn: this.alpn, host: this.o.host, group: this.group,
    });
  }

  // ---- after the handshake -----------------------------------------------------------------

  protected connected(m: HandshakeMessage): Job<any> | null {
    return unexpectedMessage("handshake message " + m.type + " after the handshake");
  }
}
