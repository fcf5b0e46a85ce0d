#!/usr/bin/env node
// BoGo shim: lets BoringSSL's test runner (ssl/test/runner, see ssl/test/PORTING.md upstream)
// drive our TLS client. The client is the BUILT product bundle (dist/linux/espruino-tls.js) in
// the board mock, called through tls.connect as a board app calls it; nothing of the library
// is changed or bypassed for the tests.
//
// Protocol: the runner starts us with -port N -shim-id ID [-ipv6] plus the test's flags. For
// each connection (1 + -resume-count) we connect to the runner, send ID as 8 bytes
// little-endian, run the handshake, check the -expect-* flags, echo application data XORed
// with 0xff until the runner closes, and exit 0. Failures print ":CODE:" (the library's error
// code; config.json maps BoringSSL's error names onto them) and exit 1; flags we do not
// implement exit 89.
//
// Trust: the runner passes its root as -trust-cert and its leaf certificates are for the name
// "test", so the shim connects with ca = that root and servername = "test": the library
// verifies the chain and the name exactly as in production.
import net from "node:net";
import { appendFileSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { createBoard } from "../mock/board.mjs";
import { parseFlags, connectPlan, Unimplemented, UNIMPLEMENTED } from "./flags.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BUNDLE = process.env.BOGO_BUNDLE || path.join(ROOT, "dist/linux/espruino-tls.js");
const NAME = "test";
const CONNECTION_MS = 120000; // generous: on a loaded machine a P-384 handshake in the mock takes tens of seconds

// IANA ids of the suites our client speaks, to compare -expect-cipher with info.suite.
const SUITE_IDS = {
  TLS_AES_128_GCM_SHA256: 0x1301, TLS_AES_256_GCM_SHA384: 0x1302, TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_RSA_WITH_AES_128_GCM_SHA256: 0x009c,
};

// The board side: an app like any other, reporting its socket's events to the host.
const APP = `var etls = require("espruino-tls");
var bogoSocket = null;
function bogoXor(d) {
  var r = "";
  for (var i = 0; i < d.length; i++) r += String.fromCharCode(d.charCodeAt(i) ^ 255);
  return r;
}
function bogoConnect(o) {
  // No -trust-cert (the runner's certificate is garbage): an anchor source that trusts nothing.
  if (o.connect.ca === null) o.connect.ca = { findByIssuer: function () { return []; } };
  var s = etls.tls.connect(o.connect, function (info) {
    report("connected", { version: info.version, suite: info.suite, group: info.group, alpn: info.alpn, resumed: !!info.resumed });
    for (var i = 0; i < o.initialWrites; i++) s.write(o.initialWrite);
    if (o.shutsDown) s.end();
  });
  s.on("progress", function (step) { report("progress", step); });
  s.on("ticket", function () { report("ticket", null); });
  s.on("data", function (d) { if (!o.shutsDown) s.write(bogoXor(d)); });
  s.on("end", function () { report("end", null); });
  s.on("error", function (e) {
    var d = e.detail || {};
    report("error", { code: e.code, message: e.message, alert: typeof d.alert === "number" ? d.alert : -1, received: !!d.received });
  });
  s.on("close", function () { report("close", null); });
  bogoSocket = s;
}`;

class CheckFailed extends Error {}

function fail(message) { throw new CheckFailed(message); }

/** Checks made once the handshake is done (bssl_shim.cc CheckHandshakeProperties). */
function checkHandshake(info, st, checks, isResume) {
  if (checks.version !== undefined && info.version !== checks.version) fail(`want version ${checks.version.toString(16)}, got ${info.version.toString(16)}`);
  if (checks.cipher !== undefined && SUITE_IDS[info.suite] !== checks.cipher) fail(`cipher ${info.suite}, wanted ${checks.cipher.toString(16)}`);
  if (checks.curve !== undefined && info.group !== checks.curve) fail(`curve_id was ${info.group.toString(16)}, wanted ${checks.curve.toString(16)}`);
  if ((info.alpn || null) !== checks.alpn) fail(`negotiated alpn proto mismatch (${info.alpn})`);
  if (checks.hrr !== undefined && st.hrr !== checks.hrr) fail(`Got ${st.hrr ? "" : "no "}HRR, but wanted opposite.`);
  if (isResume && !!info.resumed === checks.sessionMiss) fail(`session unexpectedly was${info.resumed ? "" : " not"} reused`);
}

/** ":CODE: sent alert N: message" (or "received alert N"): config.json's ErrorMap matches the
 *  code or the alert against BoringSSL's error names. */
function errorLine(e) {
  const alert = e.alert < 0 ? "" : ` ${e.received ? "received" : "sent"} alert ${e.alert}:`;
  return `:${e.code}:${alert} ${e.message}`;
}

/** Checks made when the connection has ended (bssl_shim.cc DoExchange). */
function checkEnd(st, plan) {
  if (st.error && (!st.info || plan.checks.checkCloseNotify || st.error.code !== "TLS_TRUNCATED")) {
    fail(errorLine(st.error));
  }
  if (!st.info) fail("the connection closed before the handshake completed");
  if (plan.checks.checkCloseNotify && !plan.shutsDown && !st.end) fail("no close_notify from the peer");
  if (st.info.version === 0x0304) {
    const want = !plan.checks.noSession && !plan.shutsDown;
    if (want !== st.ticket) fail(`new session was${st.ticket ? "" : " not"} cached, but we expected the opposite`);
  }
}

/** A loopback relay: the board connects here; we connect to the runner and send the shim id
 *  first. A connection is relayed only once the board sends data (the mock probes a port with
 *  a connection that sends nothing). */
function startRelay(cfg) {
  const id = Buffer.alloc(8);
  id.writeBigUInt64LE(cfg.shimId);
  const server = net.createServer((board) => {
    board.once("data", (first) => {
      board.pause();
      const runner = net.connect({ host: cfg.ipv6 ? "::1" : "127.0.0.1", port: cfg.port });
      runner.setNoDelay(true);
      runner.write(id);
      runner.write(first);
      board.pipe(runner);
      runner.pipe(board);
      board.resume();
      runner.on("error", () => board.destroy());
      board.on("error", () => runner.destroy());
    });
    board.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function connectOnce(board, port, plan, ca, isResume) {
  return new Promise((resolve, reject) => {
    const st = { info: null, hrr: false, ticket: false, end: false, error: null };
    const timer = setTimeout(() => reject(new CheckFailed("connection did not finish in time")), CONNECTION_MS);
    board.define("report", (ev, data) => {
      try {
        if (ev === "progress" && data === "hello_retry") st.hrr = true;
        else if (ev === "ticket") st.ticket = true;
        else if (ev === "end") st.end = true;
        else if (ev === "error" && !st.error) st.error = data;
        else if (ev === "connected") { st.info = data; checkHandshake(data, st, plan.checks, isResume); }
        else if (ev === "close") { clearTimeout(timer); checkEnd(st, plan); resolve(st); }
      } catch (e) { clearTimeout(timer); reject(e); }
    });
    const identity = plan.clientCert ? { cert: readFileSync(plan.clientCert.certFile, "latin1"), key: readFileSync(plan.clientCert.keyFile, "latin1") } : {};
    const o = { connect: { host: "127.0.0.1", port, servername: NAME, ca, timeout: CONNECTION_MS, ...identity, ...plan.connect },
      initialWrites: plan.initialWrites, initialWrite: plan.initialWrite, shutsDown: plan.shutsDown };
    board.run(`bogoConnect(${JSON.stringify(o)});`, "connection.js");
  });
}

async function run(argv) {
  const cfgs = parseFlags(argv);
  if (cfgs.initial.handshakerQuery) { process.stdout.write("No\n"); return 0; }
  const plans = [connectPlan(cfgs.initial)];
  for (let i = 0; i < (cfgs.initial.resumeCount || 0); i++) plans.push(connectPlan(cfgs.resume));
  for (const p of plans) if (p.shutsDown && p.checks.checkCloseNotify) throw new Unimplemented("-shim-shuts-down with -check-close-notify: end() does not wait for the peer's close_notify");
  // The runner passes an empty -trust-cert when its certificate cannot be parsed (GarbageCertificate).
  const ca = cfgs.initial.trustCert ? readFileSync(cfgs.initial.trustCert, "latin1") : null;
  const relay = await startRelay(cfgs.initial);
  const board = createBoard({ board: "linux" });
  try {
    board.loadLibrary(BUNDLE);
    board.define("report", () => {});
    board.run(APP, "bogo-app.js");
    board.define("bogoConnect", board.context.bogoConnect); // known to the gate in later scripts
    for (let i = 0; i < plans.length; i++) {
      await connectOnce(board, relay.address().port, plans[i], ca, i > 0);
    }
    return 0;
  } finally {
    board.close();
    relay.close();
  }
}

export async function main(argv) {
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof Unimplemented) {
      process.stderr.write(`unimplemented: ${e.message}\n`);
      // The runner keeps no reason for an unimplemented test: BOGO_REASONS=<file> collects them.
      if (process.env.BOGO_REASONS) appendFileSync(process.env.BOGO_REASONS, e.message.replace(/\n/g, " ") + "\n");
      return UNIMPLEMENTED;
    }
    process.stderr.write(e instanceof CheckFailed ? e.message + "\n" : `shim error: ${e && e.stack || e}\n`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
