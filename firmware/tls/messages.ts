// Handshake message framing (RFC 8446 §4) and the messages a client writes or parses first.
import { Reader, Writer } from "./codec";
import { ascii, toHex } from "../util/bytes";
import type { RecordLayer } from "./record";
import {
  EXT_ALPN, EXT_COOKIE, EXT_KEY_SHARE, EXT_MAX_FRAGMENT_LENGTH, EXT_PRE_SHARED_KEY, EXT_PSK_KEY_EXCHANGE_MODES, EXT_RECORD_SIZE_LIMIT,
  EXT_SERVER_NAME, EXT_SIGNATURE_ALGORITHMS, EXT_SUPPORTED_GROUPS, EXT_SUPPORTED_VERSIONS, HRR_RANDOM, HT_CLIENT_HELLO, MAX_PLAINTEXT, TLS12, TLS13,
} from "./constants";
import { tlsFail, A_ILLEGAL_PARAMETER, A_PROTOCOL_VERSION, A_UNEXPECTED_MESSAGE, A_UNSUPPORTED_EXTENSION, decodeError } from "./alerts";

export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
  /** The whole message with its 4-byte header (what the transcript hashes). */
  raw: Uint8Array;
}

/** Reassembles handshake messages from the records that carry them (they may split or merge). */
export class HandshakeReader {
  private buf: Uint8Array;
  private len: number;
  maxMessage: number;
  constructor(maxMessage: number) { this.buf = new Uint8Array(0); this.len = 0; this.maxMessage = maxMessage; }
  push(data: Uint8Array): void {
    // A record's plaintext is ours alone: keep it as it is when nothing is pending (the usual case).
    if (this.len === 0) { this.buf = data; this.len = data.length; return; }
    const nb = new Uint8Array(this.len + data.length);
    nb.set(this.buf.subarray(0, this.len));
    nb.set(data, this.len);
    this.buf = nb;
    this.len = nb.length;
  }
  /** True when bytes of an unfinished message are waiting (a key change must not split one). */
  pending(): boolean { return this.len > 0; }
  next(): HandshakeMessage | null {
    if (this.len < 4) return null;
    const b = this.buf;
    const n = (b[1] << 16) | (b[2] << 8) | b[3];
    if (n > this.maxMessage) tlsFail(A_UNEXPECTED_MESSAGE, "TLS_MESSAGE_TOO_LARGE", "handshake message of " + n + " bytes (limit " + this.maxMessage + ")");
    if (this.len < 4 + n) return null;
    const raw = b.subarray(0, 4 + n);
    this.buf = b.subarray(4 + n, this.len);
    this.len -= 4 + n;
    return { type: raw[0], body: raw.subarray(4), raw: raw };
  }
}

export function handshakeMessage(type: number, body: Uint8Array): Uint8Array {
  return new Writer(body.length + 4).u8(type).u24(body.length).bytes(body).result();
}

export interface KeyShare { group: number; pub: Uint8Array; }

export interface HelloParams {
  random: Uint8Array;
  sessionId: Uint8Array;
  suites: number[];
  /** SNI host name; null for an IP address (RFC 6066 forbids literal addresses). */
  serverName: string | null;
  groups: number[];
  keyShares: KeyShare[];
  sigAlgs: number[];
  alpn: string[];
  /** record_size_limit to offer (RFC 8449), 0 for none. */
  recordSizeLimit: number;
  /** max_fragment_length code 1-4 (2^9..2^12) to offer (RFC 6066), 0 for none. */
  maxFragmentCode: number;
  cookie: Uint8Array | null;
  versions: number[];
  /** Further extensions, already encoded (type, length, body each): the TLS 1.2 ones. */
  extra?: Uint8Array | null;
  /** psk_key_exchange_modes to offer (default [1]: psk_dhe_ke). */
  pskModes?: number[];
  /** A resumption PSK to offer: pre_shared_key goes last, its binder zero-filled for the caller
   *  to compute over the truncated message (RFC 8446 §4.2.11.2) and write into the last bytes. */
  psk?: PskOffer | null;
}

export interface PskOffer {
  identity: Uint8Array;
  /** obfuscated_ticket_age */
  age: number;
  binderLen: number;
}

function ext(w: Writer, type: number): Writer { return w.u16(type).start(2); }

export function clientHello(p: HelloParams): Uint8Array {
  const w = new Writer(512);
  w.u16(0x0303).bytes(p.random).vecBytes(1, p.sessionId);
  w.start(2);
  for (let i = 0; i < p.suites.length; i++) w.u16(p.suites[i]);
  w.close();
  w.u8(1).u8(0); // compression: null only
  w.start(2);
  if (p.serverName) ext(w, EXT_SERVER_NAME).start(2).u8(0).vecBytes(2, ascii(p.serverName)).close().close();
  ext(w, EXT_SUPPORTED_VERSIONS).start(1);
  for (let i = 0; i < p.versions.length; i++) w.u16(p.versions[i]);
  w.close().close();
  ext(w, EXT_SUPPORTED_GROUPS).start(2);
  for (let i = 0; i < p.groups.length; i++) w.u16(p.groups[i]);
  w.close().close();
  ext(w, EXT_SIGNATURE_ALGORITHMS).start(2);
  for (let i = 0; i < p.sigAlgs.length; i++) w.u16(p.sigAlgs[i]);
  w.close().close();
  ext(w, EXT_KEY_SHARE).start(2);
  for (let i = 0; i < p.keyShares.length; i++) w.u16(p.keyShares[i].group).vecBytes(2, p.keyShares[i].pub);
  w.close().close();
  const modes = p.pskModes || [1]; // psk_dhe_ke: lets the server send tickets
  ext(w, EXT_PSK_KEY_EXCHANGE_MODES).start(1);
  for (let i = 0; i < modes.length; i++) w.u8(modes[i]);
  w.close().close();
  if (p.alpn.length) {
    ext(w, EXT_ALPN).start(2);
    for (let i = 0; i < p.alpn.length; i++) w.vecBytes(1, ascii(p.alpn[i]));
    w.close().close();
  }
  if (p.recordSizeLimit) ext(w, EXT_RECORD_SIZE_LIMIT).u16(p.recordSizeLimit).close();
  if (p.maxFragmentCode) ext(w, EXT_MAX_FRAGMENT_LENGTH).u8(p.maxFragmentCode).close();
  if (p.cookie) ext(w, EXT_COOKIE).vecBytes(2, p.cookie).close();
  if (p.extra) w.bytes(p.extra);
  if (p.psk) {
    // Last extension (§4.2.11): identities, then binders; the binder bytes end the message.
    ext(w, EXT_PRE_SHARED_KEY).start(2).vecBytes(2, p.psk.identity).u32(p.psk.age).close();
    w.start(2).vecBytes(1, new Uint8Array(p.psk.binderLen)).close().close();
  }
  w.close();
  return handshakeMessage(HT_CLIENT_HELLO, w.result());
}

/** Extensions as type -> body; a repeated type is an illegal_parameter (§4.2). */
export interface Extensions { [type: number]: Uint8Array; }

/** allowed: the types that may appear, or null to accept any. */
export function readExtensions(r: Reader, allowed: number[] | null, where: string): Extensions {
  const out: Extensions = {};
  const list = r.vec(2);
  while (list.left() > 0) {
    const type = list.u16();
    const body = list.vecBytes(2);
    if (out[type] !== undefined) tlsFail(A_ILLEGAL_PARAMETER, "TLS_DUPLICATE_EXTENSION", "extension " + type + " repeated in " + where);
    if (allowed && allowed.indexOf(type) < 0) tlsFail(A_UNSUPPORTED_EXTENSION, "TLS_UNSUPPORTED_EXTENSION", "extension " + type + " not allowed in " + where);
    out[type] = body;
  }
  r.done();
  return out;
}

export interface ServerHello {
  random: Uint8Array;
  sessionId: Uint8Array;
  suite: number;
  ext: Extensions;
  retry: boolean;
  /** The version the server chose: supported_versions when present, else legacy_version. */
  version: number;
}

export function parseServerHello(body: Uint8Array, allowed: number[] | null): ServerHello {
  const r = new Reader(body);
  const legacy = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vecBytes(1);
  // legacy_session_id_echo<0..32> (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3): longer is malformed.
  if (sessionId.length > 32) decodeError("session id over 32 bytes");
  const suite = r.u16();
  if (r.u8() !== 0) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_COMPRESSION", "ServerHello chose a compression method");
  const ext = r.left() > 0 ? readExtensions(r, allowed, "ServerHello") : {};
  let version = legacy;
  const sv = ext[EXT_SUPPORTED_VERSIONS];
  if (sv) {
    if (sv.length !== 2) decodeError("supported_versions in ServerHello");
    version = (sv[0] << 8) | sv[1];
  }
  // TLS 1.3 is chosen through supported_versions only, and that names nothing else (§4.2.1):
  // another version there is illegal_parameter, 0x0304 in legacy_version alone protocol_version.
  if (sv ? version !== TLS13 : version > TLS12) tlsFail(sv ? A_ILLEGAL_PARAMETER : A_PROTOCOL_VERSION, "TLS_VERSION", "ServerHello version 0x" + version.toString(16));
  return { random: random, sessionId: sessionId, suite: suite, ext: ext, retry: toHex(random) === HRR_RANDOM, version: version };
}

/** The server's answers to our ALPN, record_size_limit and max_fragment_length offers, the same
 *  in TLS 1.3 EncryptedExtensions and a TLS 1.2 ServerHello: sets the record sizes on `rec` and
 *  returns the protocol chosen (null for none). `ctByte`: 1 in TLS 1.3, whose limit counts the
 *  inner content type byte; 0 in TLS 1.2, where it counts plaintext only (RFC 8449 §4). */
export function serverAnswers(ext: Extensions, hello: HelloParams, rec: RecordLayer, ctByte: number): string | null {
  let name: string | null = null;
  if (ext[EXT_ALPN]) {
    const list = new Reader(ext[EXT_ALPN]).vec(2);
    const proto = list.vecBytes(1);
    list.done();
    name = "";
    for (let i = 0; i < proto.length; i++) name += String.fromCharCode(proto[i]);
    if (hello.alpn.indexOf(name) < 0) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_ALPN", "the server chose protocol " + name + ", which was not offered");
  }
  const rsl = ext[EXT_RECORD_SIZE_LIMIT];
  if (rsl) {
    const r = new Reader(rsl);
    const limit = r.u16();
    r.done();
    if (limit < 64) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_RECORD_LIMIT", "record_size_limit " + limit);
    rec.maxOut = Math.min(MAX_PLAINTEXT, limit - ctByte);
    rec.maxIn = hello.recordSizeLimit - ctByte;
  } else if (ext[EXT_MAX_FRAGMENT_LENGTH]) {
    const v = ext[EXT_MAX_FRAGMENT_LENGTH];
    if (v.length !== 1 || v[0] !== hello.maxFragmentCode) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_FRAGMENT_LENGTH", "max_fragment_length answer differs from the offer");
    rec.maxOut = rec.maxIn = 256 << v[0];
  }
  return name;
}
