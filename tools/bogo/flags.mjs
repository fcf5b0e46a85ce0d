// Command-line flags of BoringSSL's test runner (BoGo, ssl/test/test_config.cc), as our shim
// reads them. Every flag the runner may pass is in exactly one of three groups:
//  - OPTIONS: what the shim implements (connection options or checks after the handshake);
//  - NO_OP: flags that change nothing observable for our client, each with the reason;
//  - anything else: "unimplemented" (exit code 89), with the reason when we know it.
// Flags apply to every connection unless prefixed -on-initial- / -on-resume- / -on-retry-
// (one connection only) or -on-shim- (the shim) / -on-handshaker- (ignored: no handshaker).

/** Exit code that tells the runner "this shim does not implement the test" (PORTING.md). */
export const UNIMPLEMENTED = 89;

export class Unimplemented extends Error {
  constructor(message) { super(message); this.name = "Unimplemented"; }
}

const int = (s) => {
  if (!/^-?[0-9]+$/.test(s)) throw new Error("not an integer: " + s);
  return Number(s);
};

// name -> [takes a parameter, apply(config, param)]
const OPTIONS = {
  "-port": [true, (c, p) => { c.port = int(p); }],
  "-shim-id": [true, (c, p) => { c.shimId = BigInt(p); }],
  "-ipv6": [false, (c) => { c.ipv6 = true; }],
  "-trust-cert": [true, (c, p) => { c.trustCert = p; }],
  "-resume-count": [true, (c, p) => { c.resumeCount = int(p); }],
  "-is-handshaker-supported": [false, (c) => { c.handshakerQuery = true; }],
  "-host-name": [true, (c, p) => { c.hostName = p; }],
  "-min-version": [true, (c, p) => { c.minVersion = int(p); }],
  "-max-version": [true, (c, p) => { c.maxVersion = int(p); }],
  "-no-tls13": [false, (c) => { c.noTls13 = true; }],
  "-no-tls12": [false, (c) => { c.noTls12 = true; }],
  "-no-tls11": [false, () => {}],
  "-no-tls1": [false, () => {}],
  "-curves": [true, (c, p) => { (c.curves = c.curves || []).push(int(p)); }],
  "-advertise-alpn": [true, (c, p) => { c.alpn = alpnList(p); }],
  "-expect-alpn": [true, (c, p) => { c.expectAlpn = p; }],
  "-expect-version": [true, (c, p) => { c.expectVersion = int(p); }],
  "-expect-cipher": [true, (c, p) => { c.expectCipher = int(p); }],
  "-expect-curve-id": [true, (c, p) => { c.expectCurve = int(p); }],
  "-expect-hrr": [false, (c) => { c.expectHrr = true; }],
  "-expect-no-hrr": [false, (c) => { c.expectHrr = false; }],
  "-expect-session-miss": [false, (c) => { c.expectSessionMiss = true; }],
  "-expect-no-session": [false, (c) => { c.expectNoSession = true; }],
  "-shim-writes-first": [false, (c) => { c.shimWritesFirst = true; }],
  "-shim-initial-write": [true, (c, p) => { c.initialWrite = p; }],
  "-repeat-shim-initial-write": [true, (c, p) => { c.repeatInitialWrite = int(p); }],
  "-shim-shuts-down": [false, (c) => { c.shimShutsDown = true; }],
  "-check-close-notify": [false, (c) => { c.checkCloseNotify = true; }],
  "-expect-total-renegotiations": [true, (c, p) => { if (int(p) !== 0) throw new Unimplemented("renegotiation is not supported"); }],
  "-signing-prefs": [true, (c, p) => { (c.signingPrefs = c.signingPrefs || []).push(int(p)); }],
  "-cert-file": [true, (c, p) => { c.certFile = p; }],
  "-key-file": [true, (c, p) => { c.keyFile = p; }],
};

// Flags that change nothing our client does, with why.
export const NO_OP = {
  "-async": "BoringSSL's non-blocking BIO mode: our sockets are event-driven anyway",
  "-implicit-handshake": "SSL_read/SSL_write start the handshake: ours starts on connect, the same bytes",
  "-verify-peer": "our client always verifies the chain (against -trust-cert) and the name",
  "-use-custom-verify-callback": "callback flavour of BoringSSL's API; our client always verifies",
  "-expect-verify-result": "a handshake that completed was verified (ours never continues unverified)",
  "-expect-no-offer-early-data": "our client never offers early data",
  "-expect-extended-master-secret": "TLS 1.2 connections without EMS are refused, TLS 1.3 has it built in",
  "-expect-secure-renegotiation": "TLS 1.2 connections without renegotiation_info are refused",
  "-forbid-renegotiation-after-handshake": "our client never renegotiates",
  "-peek-then-read": "SSL_peek API detail: the bytes read are the same",
  "-handshake-twice": "a second SSL_do_handshake after completion is an API detail",
  "-no-op-extra-handshake": "a second SSL_do_handshake after completion is an API detail",
  "-on-handshaker-": "no split handshaker",
  "-use-old-client-cert-callback": "BoringSSL's shim hands over -cert-file/-key-file through SSL_CTX_set_client_cert_cb instead of installing them: the same certificate (or none) on the wire; ours comes from the key/cert options",
};

// Flags we know and do not implement, with why (any other unknown flag is also unimplemented).
export const UNSUPPORTED = {
  "-server": "server tests: ours is a client library",
  "-dtls": "DTLS is not implemented",
  "-quic": "QUIC is not implemented",
  "-verify-fail": "the shim cannot make the library's certificate verification fail on demand",
  "-reverify-on-resume": "resumption does not verify the certificate again",
  "-expect-peer-cert-file": "the peer's chain is not exposed by tls.connect",
  "-expect-peer-signature-algorithm": "the peer's signature algorithm is not exposed by tls.connect",
  "-verify-prefs": "the accepted signature algorithms cannot be chosen",
  "-key-shares": "the key shares cannot be chosen",
  "-no-key-shares": "the key shares cannot be chosen",
  "-enable-early-data": "0-RTT is out of scope",
  "-psk": "BoGo's TLS 1.2 PSKs (\"12345\", \"secret\") are shorter than the 16 bytes the psk option requires (BAD_PSK)",
  "-enable-ocsp-stapling": "OCSP stapling is not implemented",
  "-enable-signed-cert-timestamps": "SCTs are not implemented",
  "-resumption-delay": "the shim cannot move only the TLS clock (certificates would expire too)",
  "-send-channel-id": "Channel ID is out of scope",
  "-select-next-proto": "NPN is out of scope",
  "-application-settings": "ALPS is out of scope",
  "-ech-config-list": "ECH is out of scope",
  "-enable-ech-grease": "ECH is out of scope",
  "-renegotiate-freely": "renegotiation is out of scope",
  "-renegotiate-once": "renegotiation is out of scope",
  "-renegotiate-ignore": "renegotiation is out of scope",
  "-renegotiate-explicit": "renegotiation is out of scope",
  "-export-keying-material": "exporters are not implemented",
  "-tls-unique": "tls-unique is not implemented",
  "-export-traffic-secrets": "traffic secrets are never exported",
  "-send-alert": "tls.connect cannot send an arbitrary alert",
  "-key-update": "the client does not initiate KeyUpdate",
  "-key-update-before-read": "the client does not initiate KeyUpdate",
  "-new-x509-credential": "a list of client credentials to choose from (CertificateSelection-*): tls.connect takes one key/cert pair",
  "-new-rpk-credential": "raw public keys (RFC 7250) are not implemented",
};

// The length-prefixed ALPN wire list of -advertise-alpn ("\x03foo\x03bar") as names.
function alpnList(wire) {
  const out = [];
  for (let i = 0; i < wire.length;) {
    const n = wire.charCodeAt(i);
    if (n === 0 || i + 1 + n > wire.length) throw new Error("bad -advertise-alpn list");
    out.push(wire.substr(i + 1, n));
    i += 1 + n;
  }
  return out;
}

function unsupportedReason(name) {
  if (UNSUPPORTED[name]) return UNSUPPORTED[name];
  return "flag not implemented by this shim";
}

/**
 * Parses the runner's arguments into { initial, resume, retry } configurations. Throws
 * Unimplemented (exit 89) for a flag we do not implement, Error for a malformed one.
 */
export function parseFlags(argv) {
  const cfgs = { initial: {}, resume: {}, retry: {} };
  for (let i = 0; i < argv.length; i++) {
    let name = argv[i];
    if (name.startsWith("-on-handshaker-")) {
      // Skipped, but its parameter must be too.
      const inner = "-" + name.slice("-on-handshaker-".length);
      if (OPTIONS[inner] && OPTIONS[inner][0]) i++;
      else if (!OPTIONS[inner] && !NO_OP[inner]) throw new Unimplemented(`${name}: ${unsupportedReason(inner)}`);
      continue;
    }
    if (name.startsWith("-on-shim-")) name = "-" + name.slice("-on-shim-".length);
    let only = null;
    for (const which of ["initial", "resume", "retry"]) {
      const prefix = `-on-${which}-`;
      if (name.startsWith(prefix)) { only = which; name = "-" + name.slice(prefix.length); }
    }
    if (NO_OP[name]) continue;
    const opt = OPTIONS[name];
    if (!opt) throw new Unimplemented(`${argv[i]}: ${unsupportedReason(name)}`);
    let param;
    if (opt[0]) {
      if (i + 1 >= argv.length) throw new Error("missing parameter for " + name);
      param = argv[++i];
    }
    for (const which of only ? [only] : ["initial", "resume", "retry"]) opt[1](cfgs[which], param);
  }
  return cfgs;
}

// Groups our client offers (client13.ts): a -curves list must allow all of them, as the
// client's group list cannot be narrowed through tls.connect.
export const OFFERED_GROUPS = [0x001d, 0x0017, 0x0018];

/**
 * The tls.connect options and checks for one connection's configuration. Throws Unimplemented
 * for what tls.connect cannot express.
 */
export function connectPlan(c) {
  if (!c.certFile !== !c.keyFile) throw new Unimplemented("a client certificate without its key, or a key without a certificate");
  if (c.certFile && c.signingPrefs) throw new Unimplemented("-signing-prefs: the client's signature scheme cannot be chosen");
  if (c.hostName !== undefined && c.hostName !== "test") {
    throw new Unimplemented(`-host-name ${c.hostName}: our client verifies the name it sends as SNI, and BoGo's certificates are for "test"`);
  }
  const min = c.minVersion || 0x0301;
  const max = c.noTls13 ? 0x0303 : c.maxVersion || 0x0304;
  if (min < 0x0303 && max < 0x0303) throw new Unimplemented("TLS 1.1 and older are not implemented");
  if (max < 0x0304) throw new Unimplemented("a TLS 1.2-only client cannot be configured (tls12 adds 1.2 to 1.3)");
  if (max > 0x0304) throw new Unimplemented(`-max-version ${max}`);
  const tls12 = min <= 0x0303 && !c.noTls12;
  if (c.curves) {
    for (const g of OFFERED_GROUPS) {
      if (!c.curves.includes(g)) throw new Unimplemented(`-curves without group ${g}: the offered groups cannot be narrowed`);
    }
  }
  return {
    // rsaKeyExchange: BoringSSL's client offers RSA key exchange by default, so BoGo's tests expect it.
    connect: { tls12, alpn: c.alpn, rsaKeyExchange: true },
    checks: {
      version: c.expectVersion, cipher: c.expectCipher, curve: c.expectCurve, hrr: c.expectHrr,
      alpn: c.expectAlpn || null, sessionMiss: !!c.expectSessionMiss, noSession: !!c.expectNoSession,
      checkCloseNotify: !!c.checkCloseNotify,
    },
    // Client certificate (PEM files of the runner), given to tls.connect as `cert` and `key`.
    clientCert: c.certFile ? { certFile: c.certFile, keyFile: c.keyFile } : null,
    initialWrites: c.shimWritesFirst ? (c.repeatInitialWrite || 1) : 0,
    initialWrite: c.initialWrite || "hello",
    shutsDown: !!c.shimShutsDown,
  };
}
