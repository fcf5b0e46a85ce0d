// Removes each TLS 1.3 check in turn (edit the source in place, rebuild the linux product bundle,
// run the tests named for the check, restore the source) and reports whether a test failed
// (killed) or not (survived). It edits firmware/ in this working tree: run it on a clean tree and
// do not build or commit while it runs. `node tools/mutate-tls13.mjs [name regex]`; results also
// in .tmp/mutate-tls13.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { ROOT } from "./lib/paths.mjs";
const W = ROOT;
const H = "test/conformance/tls13-hello.test.mjs", F = "test/conformance/tls13-flight.test.mjs", R = "test/conformance/tls13-records.test.mjs";
const REF = "test/tls/refusals.test.mjs", RN12 = "test/conformance/tls12-renegotiation.test.mjs", RC12 = "test/conformance/tls12-records.test.mjs";
const c13 = "firmware/tls/client13.ts", msg = "firmware/tls/messages.ts", rec = "firmware/tls/record.ts", eng = "firmware/tls/engine.ts", kex = "firmware/tls/kex.ts";
const IF_FALSE = (cond) => [`if (${cond}) tlsFail(`, `if (false) tlsFail(`];
const M = [
  ["c13 HelloRequest with a body", c13, ...IF_FALSE("m.body.length"), [RN12], "HelloRequest with a body before the ServerHello"],
  ["c13 record inside a handshake message", c13, ...IF_FALSE("type !== C.CT_HANDSHAKE && this.hs.pending()"), [F], "alert record in the middle"],
  ["c13 CCS: allowed once", c13, "!this.ccsAllowed || data.length", "data.length", [R], "second ChangeCipherSpec|after the handshake"],
  ["c13 CCS: one byte", c13, "data.length !== 1 || data[0] !== 1", "data[0] !== 1", [R], "two bytes"],
  ["c13 CCS: value 1", c13, "data.length !== 1 || data[0] !== 1", "data.length !== 1", [R], "0x02"],
  ["c13 key change on a message boundary", c13, ...IF_FALSE("this.hs.pending()"), [F, R], "spans the key change"],
  ["c13 option maxFragmentLength", c13, "if (mfl && !MFL_CODES[mfl]) throw", "if (false) throw", [R], "option maxFragmentLength"],
  ["c13 option recordSizeLimit", c13, "if (rsl && (rsl < 64 || rsl > 16384)) throw", "if (false) throw", [R], "option recordSizeLimit"],
  ["c13 downgrade sentinel", c13, ...IF_FALSE("tail === C.DOWNGRADE_12 || tail === C.DOWNGRADE_11"), [H], "downgrade"],
  ["c13 CCS before a TLS 1.2 ServerHello", c13, ...IF_FALSE("!this.ccsAllowed"), [RC12], "ChangeCipherSpec before a real TLS 1.2"],
  ["c13 version other than 1.3/1.2", c13, 'tlsFail(A_PROTOCOL_VERSION, "TLS_VERSION", "the server chose', 'if (0) tlsFail(A_PROTOCOL_VERSION, "TLS_VERSION", "the server chose', [H], "TLS 1.1 without|tls12: false"],
  ["c13 HelloRequest before TLS 1.3 ServerHello", c13, ...IF_FALSE("this.helloRequest"), [RN12], "before a TLS 1.3 ServerHello"],
  ["c13 ServerHello extensions (TLS 1.2 offered)", c13, ...IF_FALSE("SH_EXTS.indexOf(+k) < 0"), [H], "TLS 1.2 also offered"],
  ["c13 session id echoed", c13, ...IF_FALSE("!ctEqual(sh.sessionId, hello.sessionId)"), [H], "session id"],
  ["c13 suite known", c13, ...IF_FALSE("!suite"), [H], "suite not offered|TLS 1.2 suite"],
  ["c13 suite offered (indexOf part)", c13, "hello.suites.indexOf(sh.suite) >= 0 ? ", "true ? ", [H], "suite not offered|TLS 1.2 suite"],
  ["c13 suite unchanged after HRR", c13, ...IF_FALSE("this.suite && this.suite !== suite"), [H], "suite changed"],
  ["c13 second HRR", c13, ...IF_FALSE("this.retried"), [H], "twice"],
  ["c13 HRR key_share length", c13, ...IF_FALSE("ks.length !== 2"), [H], "3-byte key_share"],
  ["c13 HRR group offered", c13, "hello.groups.indexOf(group) < 0 || group ===", "group ===", [H], "not offered \\(secp384r1\\)"],
  ["c13 HRR group not the one sent", c13, "hello.groups.indexOf(group) < 0 || group === (share ? share.group : 0)", "hello.groups.indexOf(group) < 0", [H], "whose share was sent"],
  ["c13 HRR changes the ClientHello", c13, ...IF_FALSE("!ks && (!cookie || !share)"), [H], "would not change"],
  ["c13 PSK offered", c13, "!hello.psk || !this.psk || sel !== 0", "sel !== 0", [H], "pre_shared_key when none"],
  ["c13 PSK identity 0", c13, "!hello.psk || !this.psk || sel !== 0", "!hello.psk || !this.psk", [R], "identity 1"],
  ["c13 PSK hash", c13, ...IF_FALSE("ts.hash !== (this.suite as Suite).hash"), [R], "another hash"],
  ["c13 PSK ticket has a peer", c13, ...IF_FALSE("!this.psk.peer"), [R], "identity 1|another hash"],
  ["c13 key_share present", c13, ...IF_FALSE("!ks && !(this.resumed && this.o.pskKe)"), [H], "without key_share"],
  ["c13 key_share group", c13, ...IF_FALSE("!share || group !== share.group"), [H], "group other than"],
  ["c13 EE allowed extensions", c13, 'readExtensions(new Reader(m.body), allowed, "EncryptedExtensions")', 'readExtensions(new Reader(m.body), null, "EncryptedExtensions")', [F], "ServerHello-only extension"],
  ["c13 ALPN offered", c13, ...IF_FALSE("hello.alpn.indexOf(name) < 0"), [F], "protocol not offered"],
  ["c13 record_size_limit >= 64", c13, ...IF_FALSE("limit < 64"), [R], "record_size_limit of 63"],
  ["c13 max_fragment_length answer", c13, ...IF_FALSE("v.length !== 1 || v[0] !== hello.maxFragmentCode"), [R], "max_fragment_length answered"],
  ["c13 certificate_request_context empty", c13, ...IF_FALSE("r.vecBytes(1).length !== 0"), [F], "certificate_request_context"],
  ["c13 Certificate not empty", c13, ...IF_FALSE("!chain.length"), [F], "empty Certificate"],
  ["c13 signature scheme offered", c13, ...IF_FALSE("SIG_ALGS.indexOf(scheme) < 0"), [F], "signature scheme not offered"],
  ["c13 CertificateVerify", c13, ...IF_FALSE("!ok"), [REF], "CertificateVerify over the wrong transcript"],
  ["c13 Finished", c13, ...IF_FALSE("!ctEqual(m.body, ks.finished(this.sHs as Uint8Array, th.digest()))"), [REF], "Finished that does not verify"],
  ["c13 post-handshake message type", c13, 'return tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_MESSAGE", "handshake message "', 'return null && tlsFail(A_UNEXPECTED_MESSAGE, "TLS_UNEXPECTED_MESSAGE", "handshake message "', [R], "ServerHello after the handshake"],
  ["c13 NST unknown extensions ignored (fix)", c13, 'readExtensions(r, null, "NewSessionTicket")', 'readExtensions(r, [C.EXT_EARLY_DATA], "NewSessionTicket")', [R], "GREASE"],
  ["c13 NST lifetime <= 7 days", c13, ...IF_FALSE("lifetime > 604800"), [R], "over 7 days"],
  ["c13 NST ticket not empty", c13, ...IF_FALSE("!ticket.length"), [R], "empty ticket"],
  ["c13 KeyUpdate length", c13, "body.length !== 1 || body[0] > 1) tlsFail", "body[0] > 1) tlsFail", [R], "KeyUpdate of two bytes"],
  ["c13 KeyUpdate value", c13, "body.length !== 1 || body[0] > 1) tlsFail", "body.length !== 1) tlsFail", [R], "request 2"],
  ["msg handshake message size limit", msg, ...IF_FALSE("n > this.maxMessage"), [F], "65537"],
  ["msg duplicate extension", msg, ...IF_FALSE("out[type] !== undefined"), [H, F], "twice"],
  ["msg allowed extensions", msg, ...IF_FALSE("allowed && allowed.indexOf(type) < 0"), [H, F], "TLS 1.2 not offered|ServerHello-only"],
  ["msg compression", msg, ...IF_FALSE("r.u8() !== 0"), [H], "compression"],
  ["msg supported_versions length", msg, ...IF_FALSE("sv.length !== 2"), [H], "3 bytes"],
  ["msg version only via supported_versions (fix)", msg, ...IF_FALSE("sv ? version !== TLS13 : version > TLS12"), [H], "0x0305|naming TLS 1.2|0x0304"],
  ["rec protected CCS (fix)", rec, ...IF_FALSE("type === CT_CHANGE_CIPHER_SPEC"), [R], "protected ChangeCipherSpec"],
  ["rec empty protected record", rec, ...IF_FALSE("!inner.length && type !== CT_APPLICATION_DATA"), [F], "zero-length handshake record \\(encrypted\\)|zero-length alert"],
  ["rec empty plaintext record", rec, ...IF_FALSE("n === 0 && type !== CT_APPLICATION_DATA"), [F], "in plaintext before the ServerHello"],
  ["rec negotiated limit", rec, ...IF_FALSE("end - 1 > this.maxIn"), [R], "record_size_limit 1024|max_fragment_length 512"],
  ["eng unknown record type", eng, ...IF_FALSE("type !== CT_APPLICATION_DATA"), [R], "unknown inner type"],
  ["eng application data before Finished", eng, ...IF_FALSE("this.state !== this.connected"), [R], "inside the server's encrypted flight"],
  ["eng alert length", eng, ...IF_FALSE("data.length !== 2"), [R], "alert of 3 bytes"],
  ["kex X25519 share length", kex, ...IF_FALSE("peer.length !== 32"), [H], "31-byte"],
  ["kex P-256 uncompressed", kex, ...IF_FALSE("peer.length !== 65 || peer[0] !== 4"), [H], "compressed point"],
];
const only = process.argv[2] ? new RegExp(process.argv[2]) : null;
const results = [];
for (const [name, file, find, repl, tests, pattern] of M) {
  if (only && !only.test(name)) continue;
  const p = `${W}/${file}`, orig = readFileSync(p, "utf8");
  const n = orig.split(find).length - 1;
  if (n !== 1) { results.push({ name, result: `BAD MUTANT (${n} matches)` }); console.log(name, "BAD", n); continue; }
  writeFileSync(p, orig.replace(find, repl));
  let result;
  try {
    const b = spawnSync("node", ["tools/cli.mjs", "build", "--board", "linux", "--no-test"], { cwd: W, encoding: "utf8" });
    if (b.status !== 0) result = "BUILD FAILED";
    else {
      const t = spawnSync("node", ["--test", "--test-name-pattern=" + pattern, ...tests], { cwd: W, encoding: "utf8", timeout: 600000 });
      const pass = +(/# pass (\d+)/.exec(t.stdout) || [0, 0])[1], fail = +(/# fail (\d+)/.exec(t.stdout) || [0, 0])[1];
      const failed = (t.stdout.match(/^not ok \d+ - .*/gm) || []).map((l) => l.replace(/^not ok \d+ - /, ""));
      result = fail > 0 ? `killed (${fail}/${pass + fail} failed: ${failed.slice(0, 3).join(" | ")})` : `SURVIVED (${pass} passed)`;
    }
  } finally { writeFileSync(p, orig); }
  results.push({ name, result });
  console.log(new Date().toISOString().slice(11, 19), name, "->", result);
}
spawnSync("node", ["tools/cli.mjs", "build", "--board", "linux", "--no-test"], { cwd: W });
mkdirSync(`${W}/.tmp`, { recursive: true });
writeFileSync(`${W}/.tmp/mutate-tls13.json`, JSON.stringify(results, null, 1));
console.log(`${results.filter((r) => r.result.startsWith("killed")).length} of ${results.length} killed`);
