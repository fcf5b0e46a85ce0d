// The board side of the cut-connection and stall tests, run on the board mock and on the real
// interpreter: COUNT sequential tls.connect to the proxy (one proxy rule per connection), each
// sending a GET once connected, recording every event in order. Prepended by the host: PORT,
// CA, COUNT, TIMEOUT (the tls.connect timeout, ms; TIMEOUTS[k], if given, for connection k), SETTLE (ms to wait after close for late
// events), KEEP(record) per connection, report(records kept in `out`). On the interpreter KEEP
// prints each record and keeps none: held until the end, 47-98 JsVars each, 77 records and a
// handshake outgrew the ESP32 layout's 16,383 JsVars (AES_FAILED from then on).
// A connection that gives no close within TIMEOUT + 20 s is a hang.
import { runApp } from "./board-app.mjs";

export const CUT_APP = String.raw`var lib = require("espruino-tls"), out = [];
function one(k) {
  if (k >= COUNT) { report(out); return; }
  var r = { k: k, ev: [], errors: [], steps: [], bytes: 0 }, settled = false;
  var limit = TIMEOUTS && TIMEOUTS[k] ? TIMEOUTS[k] : TIMEOUT;
  var wd = setTimeout(function () { r.ev.push("hang"); next(); }, limit + 20000);
  function next() {
    if (settled) return;
    settled = true;
    clearTimeout(wd);
    KEEP(r);
    setTimeout(function () { one(k + 1); }, 0);
  }
  var s;
  try {
    s = lib.tls.connect({ host: "localhost", port: PORT, ca: CA, timeout: limit, session: false }, function () {
      // What had been checked when the app was told the server is verified.
      r.ev.push("connect");
      r.verifiedAtConnect = r.steps.indexOf("connected") >= 0 && r.steps.indexOf("chain_verified") >= 0 &&
        (r.steps.indexOf("certificate_verify") >= 0 || r.steps.indexOf("server_key_verified") >= 0);
      s.write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
    });
  } catch (e) { r.ev.push("threw " + (e.code || e.message || e)); next(); return; }
  s.on("progress", function (p) { r.steps.push(p); });
  s.on("data", function (d) { if (r.ev[r.ev.length - 1] !== "data") r.ev.push("data"); r.bytes += d.length; });
  s.on("end", function () { r.ev.push("end"); });
  s.on("error", function (e) { r.ev.push("error"); r.errors.push(e.code || ("UNCODED " + (e.message || e))); });
  s.on("close", function () { r.ev.push("close"); setTimeout(next, SETTLE); });
}
one(0);
`;

/** Runs the app on the board mock against `port`; resolves with the per-connection records. */
export async function cutAppOnMock({ port, ca, count, timeout = 5000, settle = 30 }) {
  return runApp(`var report = done;\nfunction KEEP(r) { out.push(r); }\n${CUT_APP}`, {
    timeoutMs: count * (timeout + 25000),
    globals: { PORT: port, CA: ca, COUNT: count, TIMEOUT: timeout, TIMEOUTS: null, SETTLE: settle },
  });
}

/**
 * What is wrong with one connection's record. `whole`: the cut let the whole exchange through,
 * so the connection must end cleanly (no error). Otherwise: exactly one coded error, then one
 * close, nothing after the close, and a "connect" only with the server verified.
 */
export function cutProblems(r, { whole = false } = {}) {
  const p = [], ev = r.ev, closes = ev.filter((e) => e === "close").length;
  if (ev.includes("hang")) p.push("hang (no close)");
  if (ev.some((e) => e.startsWith("threw"))) p.push("connect threw");
  if (closes !== 1) p.push(`${closes} close events`);
  if (ev.indexOf("close") !== ev.length - 1) p.push("events after close: " + ev.slice(ev.indexOf("close") + 1).join(","));
  if (ev.filter((e) => e === "connect").length > 1) p.push("connect twice");
  if (ev.includes("connect") && !r.verifiedAtConnect) p.push("connect without verification: " + r.steps.join(","));
  if (r.errors.some((c) => /^UNCODED/.test(c))) p.push("uncoded error " + r.errors.join(","));
  if (whole) {
    if (r.errors.length) p.push("errors on a whole exchange: " + r.errors.join(","));
  } else {
    if (r.errors.length !== 1) p.push(`${r.errors.length} errors (${r.errors.join(",")})`);
    if (ev.includes("error") && ev.indexOf("error") > ev.indexOf("close")) p.push("error after close");
  }
  return p;
}

/** The events of a connection that must work (after each cut): connected, data, clean end. */
export function okProblems(r) {
  const p = cutProblems(r, { whole: true });
  if (!r.ev.includes("connect")) p.push("did not connect: " + r.errors.join(","));
  if (!r.bytes) p.push("no response");
  return p;
}

/**
 * What is wrong with connection i of a cut sweep: plan[i] is its proxy rule (null: not cut, it
 * must work), b the byte streams of a whole exchange (cutProxy.bytes). A cut after the whole
 * server stream is no cut. A client-side cut at or after the end of the client's second-last
 * record (its GET, or its close_notify when it sent one in the whole exchange) may come before
 * the server answered (one coded error) or after (a working exchange): either is right.
 */
export function sweepProblems(r, rule, b) {
  if (!rule) return okProblems(r);
  if (rule.dir === "server") return cutProblems(r, { whole: rule.n >= b.server.length });
  const late = rule.n >= b.client.length || rule.n >= b.clientEnds[b.clientEnds.length - 2];
  return late && !r.errors.length ? okProblems(r) : cutProblems(r);
}

/** The cut points for a stream of `total` bytes whose records end at `ends`: every step-th
 *  byte count, each record end, and with `neighbours` the byte counts on either side of it. */
export function cutPoints(total, ends, step, neighbours = true) {
  const set = new Set([0, total]);
  for (let n = 0; n <= total; n += step) set.add(n);
  for (const e of ends) for (const n of neighbours ? [e - 1, e, e + 1] : [e]) if (n >= 0 && n <= total) set.add(n);
  return [...set].sort((a, b) => a - b);
}
