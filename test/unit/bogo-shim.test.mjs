// The BoGo shim (tools/bogo/shim.mjs) without Go or BoringSSL: its flag handling, its exit codes
// (89 = unimplemented, "No" to -is-handshaker-supported), and the shim protocol against a small
// stand-in for the runner (shim id as 8 bytes little-endian first, then TLS, then the echo of
// the runner's message XORed with 0xff). The full runner is run by hand (README "BoGo").
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import tls from "node:tls";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseFlags, connectPlan, Unimplemented } from "../../tools/bogo/flags.mjs";
import { Pki } from "../../tools/lib/pki.mjs";

const SHIM = fileURLToPath(new URL("../../tools/bogo/shim-wrapper", import.meta.url));

function runShim(args, timeoutMs = 60000, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(SHIM, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "", err = "";
    p.stdout.on("data", (d) => { out += d; });
    p.stderr.on("data", (d) => { err += d; });
    const t = setTimeout(() => { p.kill(); reject(new Error("shim did not exit; stderr: " + err)); }, timeoutMs);
    p.on("exit", (code) => { clearTimeout(t); resolve({ code, out, err }); });
  });
}

test("flags: prefixes, parameters, ALPN list, unknown and unsupported flags", () => {
  const c = parseFlags(["-port", "7", "-shim-id", "258", "-async", "-on-resume-expect-session-miss",
    "-advertise-alpn", "\x03foo\x02h2", "-on-initial-expect-alpn", "foo", "-on-handshaker-async"]);
  assert.equal(c.initial.port, 7);
  assert.equal(c.resume.shimId, 258n);
  assert.equal(c.initial.expectSessionMiss, undefined);
  assert.equal(c.resume.expectSessionMiss, true);
  assert.deepEqual(c.resume.alpn, ["foo", "h2"]);
  assert.equal(c.initial.expectAlpn, "foo");
  assert.equal(c.resume.expectAlpn, undefined);
  assert.throws(() => parseFlags(["-server"]), Unimplemented);
  assert.throws(() => parseFlags(["-dtls"]), Unimplemented);
  assert.throws(() => parseFlags(["-no-such-flag"]), Unimplemented);
  assert.throws(() => parseFlags(["-on-resume-enable-early-data"]), Unimplemented);
  assert.throws(() => parseFlags(["-expect-version"]), /missing parameter/);
  // The old client-certificate callback changes nothing on the wire; a credential list does.
  assert.doesNotThrow(() => parseFlags(["-use-old-client-cert-callback", "-cert-file", "/x", "-key-file", "/y"]));
  assert.throws(() => parseFlags(["-new-x509-credential", "-cert-file", "/x"]), /one key\/cert pair/);
});

test("connect plan: versions, groups and names tls.connect can express", () => {
  assert.equal(connectPlan({}).connect.tls12, true);
  assert.equal(connectPlan({ minVersion: 0x0304 }).connect.tls12, false);
  assert.equal(connectPlan({ noTls12: true }).connect.tls12, false);
  assert.throws(() => connectPlan({ maxVersion: 0x0303 }), Unimplemented);
  assert.throws(() => connectPlan({ noTls13: true }), Unimplemented);
  assert.throws(() => connectPlan({ curves: [0x001d] }), Unimplemented);
  assert.doesNotThrow(() => connectPlan({ curves: [0x0018, 0x0017, 0x001d] }));
  assert.throws(() => connectPlan({ curves: [0x0017, 0x001d] }), Unimplemented); // P-384 is offered too
  assert.throws(() => connectPlan({ hostName: "example.com" }), Unimplemented);
  assert.deepEqual(connectPlan({ certFile: "/x", keyFile: "/y" }).clientCert, { certFile: "/x", keyFile: "/y" });
  assert.throws(() => connectPlan({ certFile: "/x" }), Unimplemented);
  assert.throws(() => connectPlan({ certFile: "/x", keyFile: "/y", signingPrefs: [0x0403] }), Unimplemented);
});

test("exit codes: 89 for -server and unknown flags, No for -is-handshaker-supported", async () => {
  const server = await runShim(["-port", "1", "-shim-id", "0", "-server", "-cert-file", "/nonexistent"]);
  assert.equal(server.code, 89, server.err);
  const reasons = path.join(mkdtempSync(path.join(tmpdir(), "bogo-")), "reasons.txt");
  const unknown = await runShim(["-port", "1", "-shim-id", "0", "-frobnicate"], 60000, { BOGO_REASONS: reasons });
  assert.equal(unknown.code, 89, unknown.err);
  assert.equal(readFileSync(reasons, "utf8"), "-frobnicate: flag not implemented by this shim\n", "BOGO_REASONS collects the reason");
  const hs = await runShim(["-is-handshaker-supported"]);
  assert.equal(hs.code, 0);
  assert.equal(hs.out, "No\n");
});

// A stand-in for the runner: reads the shim id, then serves TLS with a certificate for "test"
// and sends one 32-byte message, which the shim must echo XORed with 0xff.
async function fakeRunner(pki, root, leaf, tlsOptions = {}) {
  const seen = { ids: [], replies: [], errors: [], clientCerts: [] };
  const server = net.createServer((sock) => {
    sock.once("readable", function readId() {
      const id = sock.read(8);
      if (!id) { sock.once("readable", readId); return; }
      seen.ids.push(id.readBigUInt64LE(0));
      const t = new tls.TLSSocket(sock, { isServer: true, key: readFileSync(leaf.keyFile), cert: leaf.pem + root.pem, ...tlsOptions });
      t.on("secure", () => {
        const peer = t.getPeerCertificate();
        seen.clientCerts.push(peer && peer.subject ? peer.subject.CN : null);
        t.write(Buffer.alloc(32, 0x42));
      });
      let got = Buffer.alloc(0);
      t.on("data", (d) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 32) { seen.replies.push(got); t.end(); }
      });
      t.on("error", (e) => seen.errors.push(e.message));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, seen, port: server.address().port };
}

test("protocol: shim id first, verified handshake, echo XOR 0xff; an -expect flag that fails exits 1", { timeout: 120000 }, async (t) => {
  const pki = new Pki();
  const root = pki.cert("root", { ca: true, cn: "bogo test root", days: 30 });
  const leaf = pki.cert("leaf", { issuer: root, cn: "test", san: ["DNS:test"] });
  const rootFile = pki.file("root.pem");
  (await import("node:fs")).writeFileSync(rootFile, root.pem);
  const runner = await fakeRunner(pki, root, leaf);
  t.after(() => runner.server.close());

  const ok = await runShim(["-port", String(runner.port), "-shim-id", "513", "-trust-cert", rootFile, "-expect-version", "772"]);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.err, "");
  assert.deepEqual(runner.seen.ids, [513n]);
  assert.deepEqual(runner.seen.replies[0], Buffer.alloc(32, 0xbd));

  const wrong = await runShim(["-port", String(runner.port), "-shim-id", "514", "-trust-cert", rootFile, "-expect-version", "771"]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /want version 303, got 304/);
  // Node's server sends tickets: a TLS 1.3 client told to expect none must fail (bssl_shim.cc).
  const ticket = await runShim(["-port", String(runner.port), "-shim-id", "515", "-trust-cert", rootFile, "-expect-no-session"]);
  assert.equal(ticket.code, 1);
  assert.match(ticket.err, /new session was cached/);
});

test("protocol: a server whose chain does not reach -trust-cert is refused with the library's code", { timeout: 120000 }, async (t) => {
  const pki = new Pki();
  const root = pki.cert("root", { ca: true, cn: "bogo test root", days: 30 });
  const other = pki.cert("other", { ca: true, cn: "another root", days: 30 });
  const leaf = pki.cert("leaf", { issuer: other, cn: "test", san: ["DNS:test"] });
  const rootFile = pki.file("root.pem");
  (await import("node:fs")).writeFileSync(rootFile, root.pem);
  const runner = await fakeRunner(pki, other, leaf);
  t.after(() => runner.server.close());
  const r = await runShim(["-port", String(runner.port), "-shim-id", "1", "-trust-cert", rootFile]);
  assert.equal(r.code, 1);
  assert.match(r.err, /:UNKNOWN_ISSUER:/);
});

test("protocol: -cert-file/-key-file give tls.connect the client certificate the runner asks for", { timeout: 120000 }, async (t) => {
  const pki = new Pki();
  const root = pki.cert("root", { ca: true, cn: "bogo test root", days: 30 });
  const leaf = pki.cert("leaf", { issuer: root, cn: "test", san: ["DNS:test"] });
  const device = pki.cert("device", { issuer: root, cn: "bogo device", eku: "clientAuth" });
  const fs = await import("node:fs");
  const rootFile = pki.file("root.pem");
  fs.writeFileSync(rootFile, root.pem);
  const runner = await fakeRunner(pki, root, leaf, { requestCert: true, rejectUnauthorized: true, ca: root.pem });
  t.after(() => runner.server.close());
  const r = await runShim(["-port", String(runner.port), "-shim-id", "9", "-trust-cert", rootFile, "-cert-file", device.certFile, "-key-file", device.keyFile]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(runner.seen.clientCerts, ["bogo device"]);
  assert.deepEqual(runner.seen.replies[0], Buffer.alloc(32, 0xbd));
});
