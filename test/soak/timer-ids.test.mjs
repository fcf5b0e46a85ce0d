// The interpreter hands out timer ids as small integers, the last live timer's id + 1, so the id
// of a timer that has fired or was cleared is soon someone else's: clearing a stale handle
// cancels another timer. The board mock gives ids the same way (checked here against the
// interpreter when ESPRUINO_BIN is set). Found on the interpreter by the cut sweep
// (test/soak/real.test.mjs): a TLS connection cut after its handshake got "end" and "close" but
// no error, because the socket cleared its handshake timer at "connect" and again when it shut,
// and the second clearTimeout cancelled the timer that was to emit TLS_TRUNCATED.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runApp } from "../helpers/board-app.mjs";
import { runInterpreter, cleanOutput } from "../../tools/espruino-run.mjs";
import { cutServer } from "../helpers/cut-server.mjs";
import { cutProxy } from "../helpers/cut-proxy.mjs";
import { cutAppOnMock, cutProblems, okProblems } from "../helpers/cut-app.mjs";

const BIN = process.env.ESPRUINO_BIN;
// Ids of: a, b, c after clearing b, d after clearing a, an interval e, g after clearing all;
// and a timer made while the only one is firing.
const IDS = String.raw`var f = function () {};
var a = setTimeout(f, 1000), b = setTimeout(f, 2000); clearTimeout(b); var c = setTimeout(f, 1000); clearTimeout(a);
var d = setTimeout(f, 10), e = setInterval(f, 5000); clearTimeout(c); clearTimeout(d); clearInterval(e);
var g = setTimeout(function () { var h = setTimeout(f, 1); clearTimeout(h); REPORT([a, b, c, d, e, g, h]); }, 1);
`;
const EXPECTED = [1, 2, 2, 3, 4, 1, 2];

test("timer ids on the board mock: the last live id + 1, reused once freed (as on the interpreter)", async () => {
  assert.deepEqual(await runApp(`var REPORT = done;\n${IDS}`, {}), EXPECTED);
});

test("timer ids on the interpreter are the ones the mock gives", { skip: !BIN && "ESPRUINO_BIN not set" }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "espruino-"));
  try {
    writeFileSync(path.join(dir, "ids.js"), `function REPORT(x) { print("IDS " + JSON.stringify(x)); }\n${IDS}`);
    const r = await runInterpreter(BIN, dir, "ids.js", { timeoutMs: 30000, boardHeap: false });
    const m = /IDS (\[.*\])/.exec(cleanOutput(r.out));
    assert.ok(m, r.out.slice(-300));
    assert.deepEqual(JSON.parse(m[1]), EXPECTED);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

for (const version of ["TLSv1.3", "TLSv1.2"]) {
  test(`a cut after the handshake, inside the response record, gives TLS_TRUNCATED (mock, ${version})`, { timeout: 120000 }, async () => {
    const srv = await cutServer({ version });
    const px = await cutProxy(srv.port, [null]);
    try {
      const first = await cutAppOnMock({ port: px.port, ca: srv.ca, count: 1 });
      assert.deepEqual(okProblems(first[0]), [], JSON.stringify(first[0]));
      const ends = px.bytes(0).serverEnds;
      // The last two records are the response and close_notify: cut 10 bytes into the response.
      px.setPlan([{ dir: "server", n: ends[ends.length - 3] + 10, action: "cut" }, null]);
      const res = await cutAppOnMock({ port: px.port, ca: srv.ca, count: 2 });
      assert.deepEqual(res[0].ev, ["connect", "error", "end", "close"], JSON.stringify(res[0]));
      assert.deepEqual(res[0].errors, ["TLS_TRUNCATED"]);
      assert.deepEqual(cutProblems(res[0]), []);
      assert.deepEqual(okProblems(res[1]), [], JSON.stringify(res[1]));
    } finally { await px.close(); await srv.close(); }
  });
}
