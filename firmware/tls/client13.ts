// The TLS 1.3 client (RFC 8446): a bytes-in/bytes-out core, kept apart from any socket.
// One state per expected handshake message; a state handler may return a Job (public-key work)
// that the engine runs in slices before it looks at the next message.
import type { Hash } from "../crypto/types";
import type { Job } from "../util/job";
import { andThen } from "../util/job";
import { concat, ctEqual, toHex } from "../util/bytes";
import { EtError } from "../errors";
import { Reader } from "./codec";
import * as C from "./constants";
import { tlsFail, A_DECODE_ERROR, A_DECRYPT_ERROR, A_HANDSHAKE_FAILURE, A_ILLEGAL_PARAMETER, A_MISSING_EXTENSION, A_PROTOCOL_VERSION, A_UNEXPECTED_MESSAGE, A_UNSUPPORTED_EXTENSION, unexpectedMessage, decodeError } from "./alerts";
import { RecordLayer } from "./record";
import { Engine, MAX_KEY_UPDATES, notify, progress, sendRecords } from "./engine";
import { HandshakeReader, clientHello, handshakeMessage, parseServerHello, readExtensions, serverAnswers } from "./messages";
import type { HandshakeMessage, HelloParams, PskOffer, ServerHello } from "./messages";
import type { Suite } from "./suites";
import { SUITES13, findSuite } from "./suites";
import { KeySchedule } from "./keyschedule";
import type { Ephemeral } from "./kex";
import { keyShareJob, sharedSecretJob } from "./kex";
import { certificateVerifyContent, certificateVerifyJob, checkKeyUsage } from "./certverify";
import type { PeerIdentity } from "./certverify";
import { KU_DIGITAL_SIGNATURE } from "../x509/cert";
import { HT_HELLO_REQUEST } from "./handshake-common";
import { certificateMessage, chooseScheme, parseCertRequest13, signCertificateVerifyJob } from "./clientauth";
import type { CertRequest } from "./clientauth";
import type { PskCandidate } from "./psk13";
import { pskCandidate, pskOfferFor, writeBinder } from "./psk13";
import type { ClientOptions, ConnectionInfo, SessionTicket } from "./client-types";

declare function getTime(): number;

const SIG_ALGS = [C.SIG_ECDSA_SECP256R1_SHA256, C.SIG_ECDSA_SECP384R1_SHA384, C.SIG_RSA_PSS_RSAE_SHA256, C.SIG_RSA_PSS_RSAE_SHA384,
  C.SIG_RSA_PSS_RSAE_SHA512, C.SIG_ED25519, C.SIG_RSA_PKCS1_SHA256, C.SIG_RSA_PKCS1_SHA384, C.SIG_RSA_PKCS1_SHA512];
const SH_EXTS = [C.EXT_SUPPORTED_VERSIONS, C.EXT_KEY_SHARE, C.EXT_PRE_SHARED_KEY, C.EXT_COOKIE];
const MFL_CODES: { [n: number]: number } = { 512: 1, 1024: 2, 2048: 3, 4096: 4 };

/** The HelloRetryRequest cookie: opaque cookie<1..2^16-1> (§4.2.2), nothing after it. */
function readCookie(ext: Uint8Array): Uint8Array {
  const r = new Reader(ext);
  const cookie = r.vecBytes(2);
  r.done();
  if (!cookie.length) decodeError("empty cookie");
  return cookie;
}

function isIpLiteral(h: string): boolean {
  return h.indexOf(":") >= 0 || /^[0-9.]+$/.test(h);
}


export class Client13 extends Engine {
  onTicket: (t: SessionTicket) => void;

  private o: ClientOptions;
  private hello: HelloParams | null;
  private ch1: Uint8Array | null;
  private share: Ephemeral | null;
  private retried: boolean;
  private suite: Suite | null;
  private th: Hash | null;
  private ks: KeySchedule | null;
  private cHs: Uint8Array | null;
  private sHs: Uint8Array | null;
  private cAp: Uint8Array | null;
  private sAp: Uint8Array | null;
  private resMaster: Uint8Array | null;
  private certReq: CertRequest | null;
  private certScheme: number;
  private peer: PeerIdentity | null;
  private alpn: string | null;
  private ccsAllowed: boolean;
  private ccsSent: boolean;
  /** The PSK offered (a ticket or the external PSK), null once it cannot be used. */
  private psk: PskCandidate | null;
  private resumed: boolean;
  /** The server took our external PSK: it authenticated with it, no certificate. */
  private extUsed: boolean;
  /** A HelloRequest came before the ServerHello (ignored if the server picks TLS 1.2). */
  private helloRequest: boolean;

  constructor(o: ClientOptions) {
    super(new RecordLayer(), new HandshakeReader(o.maxHandshakeMessage || 65536));
    this.o = o;
    this.onTicket = function () { /* no listener */ };
    this.hello = null; this.ch1 = null; this.share = null; this.retried = false;
    this.suite = null; this.th = null; this.ks = null;
    this.cHs = null; this.sHs = null; this.cAp = null; this.sAp = null; this.resMaster = null;
    this.certReq = null; this.certScheme = 0; this.peer = null; this.alpn = null; this.ccsAllowed = false; this.ccsSent = false;
    this.psk = pskCandidate(o.extPsk, o.psk); this.resumed = false; this.extUsed = false; this.helloRequest = false;
    // Until the handshake is done, an alert such as decrypt_error is the server refusing our PSK.
    this.pskOffered = !!o.extPsk;
    // Until the version is known, a TLS 1.2 server's warnings (unrecognized_name before its
    // ServerHello, RFC 6066 §3) are ignored as TLS 1.2 ignores them.
    this.ignoreWarnings = !!o.tls12;
  }

  // ---- engine ------------------------------------------------------------------------------

  /** Starts the handshake: makes the key share, then sends the ClientHello. */
  start(): void {
    const self = this;
    const groups = this.o.groups || [C.GROUP_X25519, C.GROUP_SECP256R1, C.GROUP_SECP384R1];
    // (an external PSK for psk_dhe_ke defers the share, but takes a precomputed one: it is free)
    const usePre = !this.o.deferShare || (!!this.o.extPsk && !this.o.pskKe);
    const pre = usePre && this.o.takeShare ? this.o.takeShare(groups[0]) : null;
    if (pre || this.o.deferShare) {
      this.share = pre;
      progress(this, pre ? "key_share_ready" : "key_share_deferred");
      try { this.sendClientHello(groups, null); } catch (e) { this.fail(e); }
      return;
    }
    progress(this, "key_share");
    let job: Job<Ephemeral>;
    try {
      job = keyShareJob(groups[0], this.o.random);
    } catch (e) {
      // No random numbers (ENTROPY_FAILED) or no key: nothing was sent, so no alert either.
      this.closed = true;
      notify(this.onError, e instanceof EtError ? e : new EtError("TLS_INTERNAL", String(e)));
      return;
    }
    this.run(andThen(job, function (e: Ephemeral) {
      self.share = e;
      self.sendClientHello(groups, null);
      return null;
    }));
  }

  protected dispatch(m: HandshakeMessage): Job<any> | null {
    if (m.type === HT_HELLO_REQUEST && this.o.tls12 && !this.retried && this.state === this.expectServerHello) {
      // TLS 1.2 offered, version not known yet: a client negotiating ignores HelloRequest (RFC 5246
      // §7.4.1.1; not part of the transcript). TLS 1.3 has no such message: refused if 1.3 is chosen.
      if (m.body.length) decodeError("HelloRequest with a body");
      this.helloRequest = true;
      return null;
    }
    return this.state!(m);
  }

  protected onRecord(type: number, data: Uint8Array): void {
    // No other record between the pieces of a handshake message (§5.1).
    if (type !== C.CT_HANDSHAKE && this.hs.pending()) unexpectedMessage("record of type " + type + " inside a handshake message");
    if (type === C.CT_HANDSHAKE) {
      if (!this.state) unexpectedMessage("handshake record before the ClientHello was sent");
      this.hs.push(data);
    } else if (type === C.CT_ALERT) {
      this.onAlert(data);
    } else if (type === C.CT_CHANGE_CIPHER_SPEC) {
      // Middlebox compatibility (§D.4): one unprotected 0x01 during the handshake is ignored.
      if (!this.ccsAllowed || data.length !== 1 || data[0] !== 1) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_CCS", "change_cipher_spec outside the handshake");
      this.ccsAllowed = false;
    } else this.onOtherRecord(type, data);
  }

  private sendHandshake(msg: Uint8Array): void {
    if (this.th) this.th.update(msg);
    sendRecords(this, C.CT_HANDSHAKE, msg);
  }

  /** Keys change only on a message boundary (§5.1). */
  private keyChange(): void {
    if (this.hs.pending()) unexpectedMessage("handshake message spans a key change");
  }

  // ---- ClientHello and ServerHello -----------------------------------------------------------

  private sendClientHello(groups: number[], cookie: Uint8Array | null): void {
    const o = this.o;
    if (!this.hello) {
      const rsl = o.recordSizeLimit || 0;
      const mfl = o.maxFragmentLength || 0;
      if (mfl && !MFL_CODES[mfl]) throw new EtError("TLS_BAD_OPTION", "maxFragmentLength must be 512, 1024, 2048 or 4096");
      if (rsl && (rsl < 64 || rsl > 16384)) throw new EtError("TLS_BAD_OPTION", "recordSizeLimit must be 64..16384");
      this.hello = {
        random: o.random(32), sessionId: o.sessionId || o.random(32), suites: (o.suites || [C.TLS_AES_128_GCM_SHA256, C.TLS_CHACHA20_POLY1305_SHA256, C.TLS_AES_256_GCM_SHA384]).concat(o.tls12 ? o.tls12.suites : []),
        serverName: isIpLiteral(o.host) ? null : o.host, groups: groups, keyShares: [], sigAlgs: SIG_ALGS,
        alpn: o.alpn || [], recordSizeLimit: rsl ? rsl + 1 : 0, maxFragmentCode: mfl ? MFL_CODES[mfl] : 0, cookie: null, versions: o.tls12 ? [C.TLS13, C.TLS12] : [C.TLS13],
        extra: o.tls12 ? o.tls12.extra : null, pskModes: [1],
      };
    }
    this.hello.psk = this.pskOffer();
    // psk_ke (resumption without (EC)DHE) is offered alone, when allowed and a ticket is in hand:
    // servers pick psk_dhe_ke whenever it is offered. A server that does not allow psk_ke then
    // does a full handshake (and sends no tickets on it).
    if (!this.th) this.hello.pskModes = o.pskKe && this.hello.psk ? [0] : [1];
    const share = this.share;
    this.hello.keyShares = share ? [{ group: share.group, pub: share.pub }] : [];
    this.hello.cookie = cookie;
    const msg = clientHello(this.hello);
    if (this.hello.psk) this.bindPsk(msg);
    if (this.th) this.th.update(msg); else this.ch1 = msg;
    // A second ClientHello is our second flight: the compatibility CCS goes before it (§D.4).
    if (this.th) this.sendCompatCcs();
    sendRecords(this, C.CT_HANDSHAKE, msg);
    this.rec.version = 0x0303;
    this.ccsAllowed = true;
    this.state = this.expectServerHello;
    progress(this, "client_hello");
  }

  /** The middlebox-compatibility change_cipher_spec (§D.4): once, before our second flight. */
  private sendCompatCcs(): void {
    if (this.ccsSent) return;
    this.ccsSent = true;
    const ccs = new Uint8Array(1);
    ccs[0] = 1;
    sendRecords(this, C.CT_CHANGE_CIPHER_SPEC, ccs);
  }

  /** The pre_shared_key identity to offer (§4.2.11), or null when there is none (any more). */
  private pskOffer(): PskOffer | null {
    const offer = this.psk ? pskOfferFor(this.psk, this.o.host) : null;
    if (!offer) this.psk = null;
    return offer;
  }

  /** Writes the PSK binder over the truncated ClientHello (psk13.ts). */
  private bindPsk(msg: Uint8Array): void {
    writeBinder(this.psk as PskCandidate, msg, this.th);
    progress(this, this.o.extPsk ? "psk_offered" : "resume_offered");
  }

  private expectServerHello(m: HandshakeMessage): Job<any> | null {
    this.expect(m, C.HT_SERVER_HELLO, "ServerHello");
    const t12 = this.o.tls12;
    // With TLS 1.2 offered, its extensions may come back; the 1.2 client checks them.
    const sh = parseServerHello(m.body, t12 ? null : SH_EXTS);
    const hello = this.hello as HelloParams;
    if (sh.version !== C.TLS13) {
      const tail = toHex(sh.random.subarray(24));
      if (tail === C.DOWNGRADE_12 || tail === C.DOWNGRADE_11) tlsFail(A_ILLEGAL_PARAMETER, "TLS_DOWNGRADE", "ServerHello carries the downgrade sentinel");
      if (sh.version === C.TLS12 && t12 && !this.retried) {
        // A ChangeCipherSpec before the ServerHello was tolerated for TLS 1.3 (§5); TLS 1.2 has none there.
        if (!this.ccsAllowed) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_CCS", "change_cipher_spec before a TLS 1.2 ServerHello");
        // The TLS 1.2 client takes over this connection: same records, same transcript.
        this.closed = true;
        this.state = null;
        t12.handover({ rec: this.rec, hs: this.hs, ch: this.ch1 as Uint8Array, hello: hello, share: this.share, sh: sh, shRaw: m.raw });
        return null;
      }
      tlsFail(A_PROTOCOL_VERSION, "TLS_VERSION", "the server chose version 0x" + sh.version.toString(16) + "; only TLS 1.3 is offered");
    }
    if (this.helloRequest) unexpectedMessage("HelloRequest (TLS 1.2 only) before a TLS 1.3 ServerHello");
    this.ignoreWarnings = false;
    if (t12) {
      for (const k in sh.ext) if (SH_EXTS.indexOf(+k) < 0) tlsFail(A_UNSUPPORTED_EXTENSION, "TLS_UNSUPPORTED_EXTENSION", "extension " + k + " not allowed in ServerHello");
    }
    if (!ctEqual(sh.sessionId, hello.sessionId)) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SESSION_ID", "ServerHello does not echo the session id");
    const suite = hello.suites.indexOf(sh.suite) >= 0 ? findSuite(SUITES13, sh.suite) : null;
    if (!suite) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SUITE", "the server chose cipher suite 0x" + sh.suite.toString(16) + ", which was not offered");
    if (this.suite && this.suite !== suite) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SUITE", "the suite changed after HelloRetryRequest");
    this.suite = suite;
    if (!this.th) {
      this.th = suite.hash.create();
      this.th.update(this.ch1 as Uint8Array);
      this.ch1 = null;
    }
    return sh.retry ? this.onRetry(sh, m) : this.onServerHello(sh, m);
  }

  private onRetry(sh: ServerHello, m: HandshakeMessage): Job<any> | null {
    if (this.retried) unexpectedMessage("a second HelloRetryRequest");
    // The server's flight ends here: it has to wait for our second ClientHello.
    if (this.hs.pending()) unexpectedMessage("data after HelloRetryRequest");
    this.retried = true;
    progress(this, "hello_retry");
    const ks = sh.ext[C.EXT_KEY_SHARE];
    const hello = this.hello as HelloParams;
    const share = this.share; // null when none was sent (deferShare)
    let group = share ? share.group : 0;
    if (ks) {
      if (ks.length !== 2) decodeError("key_share in HelloRetryRequest");
      group = (ks[0] << 8) | ks[1];
      if (hello.groups.indexOf(group) < 0 || group === (share ? share.group : 0)) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_GROUP", "HelloRetryRequest asks for group " + group);
    }
    const cookie = sh.ext[C.EXT_COOKIE] ? readCookie(sh.ext[C.EXT_COOKIE]) : null;
    if (!ks && (!cookie || !share)) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_RETRY", "HelloRetryRequest that would not change the ClientHello, or names no group");
    // The transcript restarts from message_hash(ClientHello1) (§4.4.1).
    const th = this.th as Hash;
    const h1 = th.digest();
    const t = (this.suite as Suite).hash.create();
    t.update(handshakeMessage(C.HT_MESSAGE_HASH, h1));
    t.update(m.raw);
    this.th = t;
    if (this.psk && this.psk.hash !== (this.suite as Suite).hash) this.psk = null;
    const self = this;
    if (share && group === share.group) { this.sendClientHello(hello.groups, cookie); return null; }
    return andThen(keyShareJob(group, this.o.random), function (e: Ephemeral) {
      self.share = e;
      self.sendClientHello(hello.groups, cookie);
      return null;
    });
  }

  private onServerHello(sh: ServerHello, m: HandshakeMessage): Job<any> | null {
    const ks = sh.ext[C.EXT_KEY_SHARE];
    const pskExt = sh.ext[C.EXT_PRE_SHARED_KEY];
    if (pskExt) {
      // The server accepted our PSK: identity 0 (the only one), a suite of the PSK's hash.
      const hello = this.hello as HelloParams;
      const pr = new Reader(pskExt);
      const sel = pr.u16();
      pr.done();
      const c = this.psk;
      if (!hello.psk || !c || sel !== 0) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_PSK", "pre_shared_key chosen but none was offered");
      if (c.hash !== (this.suite as Suite).hash) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_PSK", "PSK used with a suite of another hash");
      if (c.ticket) {
        if (!c.ticket.peer) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_PSK", "ticket without a verified server identity");
        this.resumed = true;
        this.peer = c.ticket.peer as PeerIdentity;
      } else this.extUsed = true;
    } else if (this.o.pskOnly) {
      tlsFail(A_HANDSHAKE_FAILURE, "PSK_REJECTED", "server did not take the PSK (no `ca`)");
    }
    // A certificate handshake instead (psk and ca): its alerts are not about the PSK.
    this.pskOffered = this.extUsed;
    if (!ks && !((this.resumed || this.extUsed) && this.o.pskKe)) tlsFail(A_MISSING_EXTENSION, "TLS_MISSING_EXTENSION", "ServerHello without key_share");
    const share = this.share as Ephemeral;
    let peer: Uint8Array | null = null;
    if (ks) {
      const r = new Reader(ks);
      const group = r.u16();
      peer = r.vecBytes(2);
      r.done();
      if (!share || group !== share.group) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_GROUP", "server key share for group " + group + ", not the one offered");
    }
    (this.th as Hash).update(m.raw);
    progress(this, this.resumed ? "resumed" : this.extUsed ? "psk_accepted" : "server_hello");
    const self = this;
    if (!peer) (this.hello as HelloParams).keyShares = [{ group: 0, pub: new Uint8Array(0) }]; // psk_ke: ConnectionInfo.group 0
    const derive = function (shared: Uint8Array): Job<any> | null {
      self.keyChange();
      const ks2 = new KeySchedule(self.suite as Suite, self.resumed || self.extUsed ? (self.psk as PskCandidate).key : null);
      ks2.handshake(shared);
      const th = (self.th as Hash).digest();
      self.cHs = ks2.derive("c hs traffic", th);
      self.sHs = ks2.derive("s hs traffic", th);
      self.ks = ks2;
      self.rec.read = ks2.cipher(self.sHs);
      // From here on everything we send is protected with the client handshake key, alerts
      // included (§5, §6: alerts are encrypted under the current write state); a plaintext alert
      // after ServerHello is dropped by strict servers (GnuTLS: "Decryption has failed").
      // The compatibility CCS (§D.4) goes first, unprotected, before the encrypted flight.
      self.sendCompatCcs();
      self.rec.write = ks2.cipher(self.cHs, true);
      self.share = null;
      self.state = self.expectEncryptedExtensions;
      progress(self, "handshake_keys");
      return null;
    };
    // psk_ke: no (EC)DHE, the handshake secret takes a zero input (§7.1).
    if (!peer) return derive(new Uint8Array((this.suite as Suite).hash.outputLen));
    return andThen(sharedSecretJob(share, peer), derive);
  }

  // ---- the server's encrypted flight ------------------------------------------------------

  private expectEncryptedExtensions(m: HandshakeMessage): Job<any> | null {
    this.expect(m, C.HT_ENCRYPTED_EXTENSIONS, "EncryptedExtensions");
    const hello = this.hello as HelloParams;
    const allowed = [C.EXT_SERVER_NAME, C.EXT_SUPPORTED_GROUPS];
    if (hello.alpn.length) allowed.push(C.EXT_ALPN);
    if (hello.recordSizeLimit) allowed.push(C.EXT_RECORD_SIZE_LIMIT);
    if (hello.maxFragmentCode) allowed.push(C.EXT_MAX_FRAGMENT_LENGTH);
    const ext = readExtensions(new Reader(m.body), allowed, "EncryptedExtensions");
    this.alpn = serverAnswers(ext, hello, this.rec, 1);
    (this.th as Hash).update(m.raw);
    // A PSK handshake has no Certificate/CertificateVerify: the PSK authenticates (§2.2).
    this.state = this.resumed || this.extUsed ? this.expectFinished : this.expectCertificate;
    return null;
  }

  private expectCertificate(m: HandshakeMessage): Job<any> | null {
    if (m.type === C.HT_CERTIFICATE_REQUEST && this.certReq === null) {
      // Unknown extensions are ignored here (§4.3.2). A scheme for our key is chosen now, so a
      // key the server cannot accept fails before anything more is sent.
      this.certReq = parseCertRequest13(m.body);
      if (this.o.identity) this.certScheme = chooseScheme(this.o.identity, this.certReq);
      (this.th as Hash).update(m.raw);
      progress(this, "certificate_request");
      return null;
    }
    this.expect(m, C.HT_CERTIFICATE, "Certificate");
    const r = new Reader(m.body);
    if (r.vecBytes(1).length !== 0) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_CERTIFICATE_CONTEXT", "server Certificate with a request context");
    const list = r.vec(3);
    r.done();
    const chain: Uint8Array[] = [];
    while (list.left() > 0) {
      chain.push(list.vecBytes(3));
      // Per-certificate extensions answer ClientHello requests (§4.4.2): we make none (no OCSP, no
      // SCT), so any is unsolicited (§4.2: unsupported_extension).
      if (list.vecBytes(2).length) tlsFail(A_UNSUPPORTED_EXTENSION, "TLS_UNSUPPORTED_EXTENSION", "extension in a CertificateEntry, none was requested");
    }
    if (!chain.length) tlsFail(A_DECODE_ERROR, "TLS_NO_CERTIFICATE", "the server sent no certificate");
    (this.th as Hash).update(m.raw);
    progress(this, "certificate");
    const self = this;
    return andThen(this.o.verifyChain(chain, this.o.host), function (peer: PeerIdentity) {
      // The key signs the CertificateVerify (§4.4.3).
      checkKeyUsage(peer, KU_DIGITAL_SIGNATURE, "digitalSignature");
      self.peer = peer;
      self.state = self.expectCertificateVerify;
      progress(self, "chain_verified");
      return null;
    });
  }

  private expectCertificateVerify(m: HandshakeMessage): Job<any> | null {
    this.expect(m, C.HT_CERTIFICATE_VERIFY, "CertificateVerify");
    const r = new Reader(m.body);
    const scheme = r.u16();
    const sig = r.vecBytes(2);
    r.done();
    if (SIG_ALGS.indexOf(scheme) < 0) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SIGNATURE_SCHEME", "signature scheme 0x" + scheme.toString(16) + " was not offered");
    const th = (this.th as Hash).digest();
    (this.th as Hash).update(m.raw);
    const content = certificateVerifyContent(true, th);
    const self = this;
    return andThen(certificateVerifyJob(scheme, (this.peer as PeerIdentity).spki, content, sig), function (ok: boolean) {
      if (!ok) tlsFail(A_DECRYPT_ERROR, "TLS_BAD_CERTIFICATE_VERIFY", "the server's CertificateVerify signature does not verify");
      self.state = self.expectFinished;
      progress(self, "certificate_verify");
      return null;
    });
  }

  private expectFinished(m: HandshakeMessage): Job<any> | null {
    this.expect(m, C.HT_FINISHED, "Finished");
    const ks = this.ks as KeySchedule;
    const th = this.th as Hash;
    if (!ctEqual(m.body, ks.finished(this.sHs as Uint8Array, th.digest()))) tlsFail(A_DECRYPT_ERROR, "TLS_BAD_FINISHED", "the server's Finished does not verify");
    th.update(m.raw);
    this.keyChange();
    ks.master();
    const th2 = th.digest();
    this.cAp = ks.derive("c ap traffic", th2);
    this.sAp = ks.derive("s ap traffic", th2);
    this.rec.read = ks.cipher(this.sAp);
    // Our second flight (the CCS and the handshake write key were set after ServerHello):
    // if asked, Certificate (ours, or an empty one) and CertificateVerify (signed in slices), then Finished.
    this.ccsAllowed = false;
    const req = this.certReq, id = this.o.identity;
    if (!req) return this.finishFlight();
    this.sendHandshake(certificateMessage(id ? id.chain : [], req.context));
    this.certAnswer = id ? 2 : 1;
    if (!id) return this.finishFlight();
    progress(this, "client_certificate");
    const self = this;
    const content = certificateVerifyContent(false, th.digest());
    return andThen(signCertificateVerifyJob(id, this.certScheme, content, this.o.random), function (cv: Uint8Array) {
      self.sendHandshake(cv);
      progress(self, "client_certificate_verify");
      return self.finishFlight();
    });
  }

  /** Finished, then the application keys: the handshake is done. */
  private finishFlight(): null {
    const ks = this.ks as KeySchedule;
    const th = this.th as Hash;
    this.sendHandshake(handshakeMessage(C.HT_FINISHED, ks.finished(this.cHs as Uint8Array, th.digest())));
    this.rec.write = ks.cipher(this.cAp as Uint8Array, true);
    this.resMaster = ks.derive("res master", th.digest());
    const group = this.hello ? this.hello.keyShares[0].group : 0;
    // Handshake state not needed any more: the transcript alone is a few KB.
    this.cHs = this.sHs = null;
    this.th = null; this.hello = null; this.share = null; this.ch1 = null;
    this.state = this.connected;
    this.pskOffered = false;
    progress(this, "connected");
    const info: ConnectionInfo = { version: C.TLS13, suite: (this.suite as Suite).name, group: group, alpn: this.alpn, peer: this.peer, resumed: this.resumed };
    if (this.extUsed) info.pskIdentity = (this.psk as PskCandidate).name;
    notify(this.onConnected, info);
    return null;
  }

  // ---- after the handshake ------------------------------------------------------------------

  protected connected(m: HandshakeMessage): Job<any> | null {
    if (m.type === C.HT_NEW_SESSION_TICKET) { this.onNewSessionTicket(m.body); return null; }
    if (m.type === C.HT_KEY_UPDATE) { this.onKeyUpdate(m.body); return null; }
    return unexpectedMessage("handshake message " + m.type + " after the handshake");
  }

  private onNewSessionTicket(body: Uint8Array): void {
    const r = new Reader(body);
    const lifetime = r.u32();
    const ageAdd = r.u32();
    const nonce = r.vecBytes(1);
    const ticket = r.vecBytes(2);
    readExtensions(r, null, "NewSessionTicket"); // unknown ones are ignored (§4.6.1)
    if (lifetime > 604800) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_TICKET", "ticket lifetime over 7 days");
    if (!ticket.length) tlsFail(A_DECODE_ERROR, "TLS_BAD_TICKET", "empty ticket");
    if (lifetime === 0) return;
    const ks = this.ks as KeySchedule;
    notify(this.onTicket, {
      ticket: concat([ticket]), psk: ks.ticketPsk(this.resMaster as Uint8Array, nonce), suite: (this.suite as Suite).id,
      lifetime: lifetime, ageAdd: ageAdd, received: getTime(), host: this.o.host, peer: this.peer, alpn: this.alpn,
    });
  }

  private onKeyUpdate(body: Uint8Array): void {
    if (body.length !== 1 || body[0] > 1) tlsFail(body.length !== 1 ? A_DECODE_ERROR : A_ILLEGAL_PARAMETER, "TLS_BAD_KEY_UPDATE", "malformed KeyUpdate");
    if (++this.keyUpdateRun > MAX_KEY_UPDATES) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_TOO_MANY_KEY_UPDATES", "too many KeyUpdates");
    this.keyChange();
    const ks = this.ks as KeySchedule;
    this.sAp = ks.nextTraffic(this.sAp as Uint8Array);
    this.rec.read = ks.cipher(this.sAp);
    // Several requests while we are silent get one answer (§4.6.3): the next is due only after
    // we have sent application data.
    if (body[0] === 1 && !this.keyUpdateAnswered) {
      this.keyUpdateAnswered = true;
      const ku = new Uint8Array(1);
      sendRecords(this, C.CT_HANDSHAKE, handshakeMessage(C.HT_KEY_UPDATE, ku));
      this.cAp = ks.nextTraffic(this.cAp as Uint8Array);
      this.rec.write = ks.cipher(this.cAp, true);
    }
  }
}
