#!/usr/bin/env node
// Removes each TLS 1.2 check (and the session-per-name checks) in turn: edit the firmware, build
// the linux bundles, run the tests named for it, restore (tools/lib/mutate.mjs). A check is
// covered when a test fails ("killed"). Local only (about 30 s per mutant on 2 cores), not in CI;
// do not commit while it runs (the firmware is edited in place). Usage: node tools/mutate-tls12.mjs [regexp over "file name"]
import { runMutants } from "./lib/mutate.mjs";

const R = "test/conformance/tls12-renegotiation.test.mjs", REC = "test/conformance/tls12-records.test.mjs",
  H = "test/conformance/tls12-handshake.test.mjs", SH = "test/conformance/tls12-serverhello.test.mjs",
  P = "test/tls12/peer-refusals.test.mjs", T12R = "test/tls12/refusals.test.mjs", KU = "test/tls12/keyusage.test.mjs",
  PN = "test/resume/per-name.test.mjs";
const C12 = "firmware/tls/client12.ts", C13 = "firmware/tls/client13.ts", R12 = "firmware/tls/record12.ts", RL = "firmware/tls/record.ts";
const SOCK = "firmware/tls/socket.ts";

// [name, file, text to find (exactly once), replacement, test files, test name pattern]
const M = [
  ["HelloRequest body (1.2)", C12, `if (m.body.length) decodeError("HelloRequest with a body");`, ``, [R], "with a body after"],
  ["no_renegotiation warning", C12, `sendAlert(this, 1, A_NO_RENEGOTIATION);`, ``, [R], "HelloRequest after the handshake"],
  ["HelloRequest ignored during handshake", C12, `if (m.type === HT_HELLO_REQUEST) {`, `if (m.type === HT_HELLO_REQUEST && this.state === this.connected) {`, [R], "during the handshake"],
  ["handshake record where CCS expected", C12, `if (this.ccsNext && !onlyHelloRequests(data)) unexpectedMessage(`, `if (false) unexpectedMessage(`, [REC], "without a ChangeCipherSpec"],
  ["onlyHelloRequests", C12, `if (!data.length || data.length % 4) return false;`, `return false;`, [R], "between NewSessionTicket and"],
  ["CCS not expected", C12, `if (!this.ccsNext || data.length !== 1`, `if (data.length !== 1`, [REC], "ChangeCipherSpec twice|before ServerHelloDone"],
  ["CCS length", C12, `|| data.length !== 1 || data[0] !== 1)`, `|| data[0] !== 1)`, [REC], "two bytes"],
  ["CCS value", C12, `|| data[0] !== 1) tlsFail(`, `) tlsFail(`, [REC], "value 2"],
  ["message spans CCS", C12, `if (this.hs.pending()) unexpectedMessage("handshake message spans ChangeCipherSpec");`, ``, [REC], "begun before"],
  ["SH extension allowed", C12, `if (allowed.indexOf(+k) < 0) tlsFail(`, `if (false) tlsFail(`, [SH, T12R], "not offered \\(unsupported_extension\\)|max_fragment_length not offered"],
  ["suite offered", C12, `const suite = hello.suites.indexOf(sh.suite) >= 0 ? findSuite12(sh.suite) : null;`, `const suite = findSuite12(sh.suite);`, [SH], "not offered"],
  ["suite known", C12, `if (!suite) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SUITE"`, `if (false) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SUITE"`, [T12R, SH], "cipher suite|not offered"],
  ["renegotiation_info missing", C12, `if (!ri) tlsFail(`, `if (false) tlsFail(`, [T12R], "renegotiation_info in the ServerHello"],
  ["renegotiation_info not empty", C12, `if (ri.length !== 1 || ri[0] !== 0) tlsFail(`, `if (false) tlsFail(`, [T12R], "non-empty renegotiation_info"],
  ["EMS missing", C12, `if (!ems) tlsFail(`, `if (false) tlsFail(`, [T12R, H], "extended_master_secret|RFC 7627"],
  ["EMS body", C12, `if (ems.length) decodeError(`, `if (false) decodeError(`, [SH], "extended_master_secret with a body"],
  ["point formats", C12, `if (!ok) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_POINT_FORMAT"`, `if (false) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_POINT_FORMAT"`, [SH], "ec_point_formats"],
  ["session_ticket body", C12, `if (st && st.length) decodeError(`, `if (false) decodeError(`, [SH], "session_ticket with a body"],
  ["ALPN offered only", C12, `if (hello.alpn.length) allowed.push(C.EXT_ALPN);`, `allowed.push(C.EXT_ALPN);`, [SH], "application_layer_protocol_negotiation not offered"],
  ["ALPN chosen from offer", "firmware/tls/messages.ts", `if (hello.alpn.indexOf(name) < 0) tlsFail(`, `if (false) tlsFail(`, [SH], "ALPN answer"],
  ["record_size_limit >= 64", "firmware/tls/messages.ts", `if (limit < 64) tlsFail(`, `if (false) tlsFail(`, [SH], "record_size_limit below"],
  ["MFL answer", "firmware/tls/messages.ts", `if (v.length !== 1 || v[0] !== hello.maxFragmentCode) tlsFail(`, `if (false) tlsFail(`, [SH], "other than the offer"],
  ["resumption not offered", C12, `if (!s) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SESSION_ID"`, `if (false) tlsFail(A_ILLEGAL_PARAMETER, "TLS_BAD_SESSION_ID"`, [H], "did not offer|never offered"],
  ["resumed suite", C12, `if (s.suite !== suite.id) tlsFail(`, `if (false) tlsFail(`, [H], "another cipher suite"],
  ["empty Certificate", C12, `if (!chain.length) tlsFail(`, `if (false) tlsFail(`, [H], "empty Certificate"],
  ["host to chain verification", C12, `this.o.verifyChain(chain, this.o.host)`, `this.o.verifyChain(chain, (undefined as any))`, [P], "wrong.example|wrong host"],
  ["certificate key fits suite", C12, `if (!fits) tlsFail(`, `if (false) tlsFail(`, [T12R], "does not fit the suite"],
  ["keyUsage checked (1.2)", C12, `checkKeyUsage(peer, use, use`, `0 && checkKeyUsage(peer, use, use`, [KU], "refused"],
  ["keyUsage rule", "firmware/tls/certverify.ts", `if (peer.ku >= 0 && (peer.ku & bit) === 0) {`, `if (false) {`, [KU], "refused"],
  ["SKE named curve", C12, `if (r.u8() !== 3) tlsFail(`, `if (r.u8() !== 3 && false) tlsFail(`, [SH], "explicit curve"],
  ["SKE group offered", C12, `if (c.hello.groups.indexOf(group) < 0) tlsFail(`, `if (false) tlsFail(`, [T12R], "group that was not offered"],
  ["SKE scheme offered", C12, `if (this.hello.sigAlgs.indexOf(scheme) < 0) tlsFail(`, `if (false) tlsFail(`, [SH], "not offered \\(ecdsa_sha1\\)"],
  ["SKE scheme fits key", C12, `if (!alg) tlsFail(`, `if (false) tlsFail(`, [SH], "RSA signature scheme with an ECDSA key"],
  ["SKE signature", C12, `if (!ok) tlsFail(A_DECRYPT_ERROR, "TLS_BAD_SERVER_KEY_EXCHANGE"`, `if (false) tlsFail(A_DECRYPT_ERROR, "TLS_BAD_SERVER_KEY_EXCHANGE"`, [T12R, SH], "signature does not verify|empty signature|not DER"],
  ["SHD body", C12, `if (m.body.length) decodeError("ServerHelloDone with a body");`, ``, [SH], "ServerHelloDone with a body"],
  ["expect Certificate", C12, `this.expect(m, C.HT_CERTIFICATE, "Certificate");`, ``, [H], "no Certificate at all"],
  ["expect ServerKeyExchange", C12, `this.expect(m, C.HT_SERVER_KEY_EXCHANGE, "ServerKeyExchange");`, ``, [SH], "ServerKeyExchange missing"],
  ["expect ServerHelloDone", C12, `this.expect(m, C.HT_SERVER_HELLO_DONE, "ServerHelloDone");`, ``, [SH], "ServerHelloDone missing"],
  ["expect NewSessionTicket", C12, `this.expect(m, C.HT_NEW_SESSION_TICKET, "NewSessionTicket");`, ``, [SH], "where NewSessionTicket was promised"],
  ["expectCcs state", C12, `return unexpectedMessage("expected ChangeCipherSpec, got handshake message " + m.type);`, `return null;`, [SH], "in one record \\(a message where"],
  ["expect Finished", C12, `this.expect(m, C.HT_FINISHED, "Finished");`, ``, [SH], "where the server Finished belongs"],
  ["server Finished", C12, `if (!ctEqual(m.body, want)) tlsFail(`, `if (false) tlsFail(`, [H, P], "Finished"],
  ["handshake after handshake", C12, `return unexpectedMessage("handshake message " + m.type + " after the handshake");`, `return null;`, [SH], "after the handshake"],
  ["record too short (1.2)", R12, `if (body.length < 8 + tag) tlsFail(`, `if (false) tlsFail(`, [SH], "shorter than its explicit"],
  ["record authentication (1.2)", R12, `if (!ok) return tlsFail(`, `if (false) return tlsFail(`, [P], "bit flipped|nonce|replayed"],
  ["record plaintext limit (1.2)", R12, `if (plain.length > maxIn) tlsFail(`, `if (false) tlsFail(`, [REC], "2\\^14"],
  ["read sequence number (1.2)", R12, `  cs.seq++;\n  return { nonce`, `  return { nonce`, [P], "replayed"],
  ["AAD content type (1.2)", R12, `aad12(cs.seq, type, ct.length - tag)`, `aad12(cs.seq, 23, ct.length - tag)`, [P], "control"],
  ["empty protected record", RL, `if (!inner.length && type !== CT_APPLICATION_DATA) tlsFail(`, `if (false) tlsFail(`, [REC], "empty protected"],
  ["empty plaintext record", RL, `if (n === 0 && type !== CT_APPLICATION_DATA) tlsFail(`, `if (false) tlsFail(`, [REC], "empty handshake record \\(plaintext\\)"],
  ["record version", RL, `if (b[LEAD + 1] !== 3) tlsFail(`, `if (false) tlsFail(`, [SH], "not 3.x"],
  ["HelloRequest before SH ignored (1.3 client)", C13, `if (m.type === HT_HELLO_REQUEST && this.o.tls12`, `if (false && this.o.tls12`, [R], "before the ServerHello|before a real TLS 1.2"],
  ["HelloRequest before SH body", C13, `if (m.body.length) decodeError("HelloRequest with a body");`, ``, [R], "with a body before"],
  ["HelloRequest then TLS 1.3", C13, `if (this.helloRequest) unexpectedMessage(`, `if (false) unexpectedMessage(`, [R], "TLS 1.3 ServerHello"],
  ["CCS before a 1.2 ServerHello", C13, `if (!this.ccsAllowed) tlsFail(`, `if (false) tlsFail(`, [REC], "before a real TLS 1.2"],
  ["1.3 ticket host", "firmware/tls/psk13.ts", `|| t.host !== host) return null;`, `) return null;`, [PN], "TLS 1.3: the client does not offer"],
  ["1.2 session host", "firmware/tls/client.ts", `v.session12 && v.session12.host === o.host ?`, `v.session12 ?`, [PN], "TLS 1.2: the client does not offer"],
  ["session cache key has the name", SOCK, `const key = name + "@" + o.host + ":" + (o.port || 443)`, `const key = o.host + ":" + (o.port || 443)`, [PN], "same host and port"],
  ["failed resumption drops the session", SOCK, `if (cache && s12 && !self.info) cache.drop12(key);`, ``, [H], "no session kept|RFC 7627"],
  ["chain cache keeps keyUsage", "firmware/tls/chaincache.ts", `notAfter: e.na, ku: e.u, cached: true`, `notAfter: e.na, ku: -1, cached: true`, [KU], "cached"],
  ["nothing after ServerHelloDone in its record", C12, 'if (this.hs.pending()) unexpectedMessage("data after ServerHelloDone");', "", ["test/conformance/tls12-limits.test.mjs"], "after ServerHelloDone in its record"],
  ["application data inside a handshake message (1.2)", "firmware/tls/engine.ts", 'if (this.hs.pending()) unexpectedMessage("application data inside', 'if (false) unexpectedMessage("application data inside', [R, REC], null],
];

runMutants({ label: "tls12", mutants: M, build: ["tools/cli.mjs", "build", "--board", "linux"], only: process.argv[2] ? new RegExp(process.argv[2]) : null });
