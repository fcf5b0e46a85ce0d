// The trusted clock on the real Linux interpreter ($ESPRUINO_BIN; skipped without it): dgram
// sends and receives NTP packets as byte strings (NUL and high bytes intact), a sync against
// local NTP servers sets the time (setTime does nothing on Linux: the offset is kept), a forged
// reply is refused, the raised floor is written to Storage and read back on the next run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { prepareFlash, runInterpreter, cleanOutput } from "../../tools/espruino-run.mjs";
import { NTP_UNIX, ntpReply, ntpServer } from "../helpers/ntp-server.mjs";

const BIN = process.env.ESPRUINO_BIN;
const DAY = 86400;
const hostNow = () => Date.now() / 1000;

// A floor record (firmware/time/floor.ts) for `floor`, as the clock writes it.
function floorRecord(gen, floor) {
  const b = Buffer.alloc(16);
  b.write("TF\x01\x00", 0, "latin1");
  b.writeUInt32LE(gen, 4);
  b.writeUInt32LE(floor, 8);
  let c = -1;
  for (let i = 0; i < 12; i++) { c ^= b[i]; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  b.writeUInt32LE((c ^ -1) >>> 0, 12);
  return b;
}

async function run(dir, code) {
  writeFileSync(path.join(dir, "s.js"), code);
  const r = await runInterpreter(BIN, dir, "s.js", { timeoutMs: 60000 });
  const out = cleanOutput(r.out).replace(/>\x1b\[J/g, "");
  assert.doesNotMatch(out, /Uncaught|INTERNAL ERROR|ASSERT/, out);
  return out;
}
const field = (out, tag) => { const m = new RegExp(`^${tag} (.*)$`, "m").exec(out); assert.ok(m, `no ${tag} line in:\n${out}`); return JSON.parse(m[1]); };

test("real interpreter: SNTP over dgram, floor in Storage across runs", { skip: !BIN && "ESPRUINO_BIN not set" }, async () => {
  // The board clock (the host's) is put below a floor 10 days ahead; the servers say 20 days ahead.
  const a = await ntpServer((q) => ntpReply(q, hostNow() + 20 * DAY));
  const b = await ntpServer((q) => ntpReply(q, hostNow() + 20 * DAY));
  const forged = await ntpServer((q) => ntpReply(q, hostNow() + 20 * DAY, { originate: Buffer.alloc(8, 0x80) }));
  const dir = await prepareFlash(BIN);
  try {
    const floor0 = Math.floor(hostNow() + 10 * DAY);
    const first = await run(dir, `require("Storage").write(".etls-floor0", atob(${JSON.stringify(floorRecord(1, floor0).toString("base64"))}));
var c = require("espruino-tls").clock;
try { print("NOW " + c.now()); } catch (e) { print("NOW " + JSON.stringify(e.code)); }
var t0 = getTime();
c.sync([{ host: "127.0.0.1", port: ${a.port} }, { host: "127.0.0.1", port: ${b.port} }, { host: "127.0.0.1", port: ${forged.port} }], { timeout: 500, retries: 1 }, function (err, r) {
  print("MS " + JSON.stringify(Math.round((getTime() - t0) * 1000)));
  print("ERR " + JSON.stringify(err ? err.code + ": " + err.message : null));
  if (r) print("SYNC " + JSON.stringify({ agreed: r.agreed, vouched: r.vouched, floorRaised: r.floorRaised, offset: r.offset, codes: r.sources.map(function (s) { return s.code || "ok"; }) }));
  var s = c.status();
  print("STATUS " + JSON.stringify({ basis: s.basis, floor: s.floor, floorSource: s.floorSource, floorFile: s.floorFile, boardTime: s.boardTime }));
  print("NOW2 " + JSON.stringify(c.now()));
  print("MEM " + JSON.stringify(process.memory().usage));
  quit();
});
`);
    assert.equal(field(first, "NOW"), "TIME_UNKNOWN");
    assert.equal(field(first, "ERR"), null);
    const sync = field(first, "SYNC");
    assert.equal(sync.agreed, 2);
    assert.equal(sync.vouched, true);
    assert.equal(sync.floorRaised, true);
    assert.deepEqual(sync.codes, ["ok", "ok", "NTP_BAD_ORIGINATE"]);
    assert.ok(Math.abs(sync.offset - 20 * DAY) < 2, `offset ${sync.offset}`);
    const st = field(first, "STATUS");
    assert.equal(st.basis, "sync");
    assert.equal(st.floorFile, "written");
    assert.ok(Math.abs(st.floor - (hostNow() + 20 * DAY)) < 60);
    assert.ok(Math.abs(field(first, "NOW2") - (hostNow() + 20 * DAY)) < 60);
    // Requests as the servers saw them: 48 bytes, LI 0 VN 4 mode 3, NULs intact, seconds from the clock.
    const q = a.requests[0];
    assert.equal(q.length, 48);
    assert.equal(q[0], 0x23);
    assert.ok(q.subarray(1, 40).every((x) => x === 0));
    assert.ok(Math.abs(q.readUInt32BE(40) - NTP_UNIX - hostNow()) < 60);
    assert.equal(forged.requests.length, 2, "the forged server: first request and one retry");
    console.log(`# real interpreter: sync of 3 servers (one forged, 500 ms timeout x 2) in ${field(first, "MS")} ms; memory usage ${field(first, "MEM")} JsVars`);

    // Next run: the floor comes back from Storage; the host clock is below it again.
    const second = await run(dir, `var c = require("espruino-tls").clock, s = c.status();
print("STATUS " + JSON.stringify({ basis: s.basis, floor: s.floor, floorSource: s.floorSource, storedFloor: s.storedFloor }));
try { print("NOW " + c.now()); } catch (e) { print("NOW " + JSON.stringify(e.code)); }
c.acceptFloorOnly(true);
print("FLOORONLY " + JSON.stringify([c.now(), c.status().basis]));
setTimeout(quit, 0);
`);
    const st2 = field(second, "STATUS");
    assert.equal(st2.floor, st.floor);
    assert.equal(st2.floorSource, "storage");
    assert.equal(st2.basis, "unknown");
    assert.equal(field(second, "NOW"), "TIME_UNKNOWN");
    assert.deepEqual(field(second, "FLOORONLY"), [st.floor, "floor-only"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await a.close(); await b.close(); await forged.close();
  }
});
