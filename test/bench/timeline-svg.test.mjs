// The handshake timeline picture (tools/lib/timeline-svg.mjs) on fixed input: bars start at
// their step and run to the next, widths proportional to the times, every bar labelled with its
// step and time, one scale for all lanes; and the tls benchmark's rows turned into lanes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { laneBars, timelineSvg } from "../../tools/lib/timeline-svg.mjs";
import { timelineGroups } from "../../tools/bench-tls.mjs";

const steps = [
  { name: "key_share", at: 10 }, { name: "client_hello", at: 400 }, { name: "server_hello", at: 420 },
  { name: "handshake_keys", at: 800 }, { name: "certificate", at: 850 }, { name: "chain_verified", at: 2850 },
  { name: "certificate_verify", at: 3850 }, { name: "connected", at: 3900 },
];

test("laneBars: one bar per step, from its step to the next; connect first, response last", () => {
  const bars = laneBars(steps, 4000);
  assert.deepEqual(bars.map((b) => b.name), ["connect", "key_share", "client_hello", "server_hello", "handshake_keys", "certificate", "chain_verified", "certificate_verify", "response"]);
  assert.deepEqual(bars.map((b) => b.ms), [10, 390, 20, 380, 50, 2000, 1000, 50, 100]);
  for (let i = 1; i < bars.length; i++) assert.equal(bars[i].from, bars[i - 1].to);
  // a step announced at the same time as the one before has no bar; a lane without steps is one bar
  assert.deepEqual(laneBars([{ name: "key_share_ready", at: 5 }, { name: "client_hello", at: 5 }, { name: "connected", at: 9 }], 12).map((b) => [b.name, b.ms]),
    [["connect", 5], ["client_hello", 4], ["response", 3]]);
  assert.deepEqual(laneBars([], 250).map((b) => [b.name, b.ms]), [["response", 250]]);
});

function rects(svg) {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="(\d+)" width="([\d.]+)" height="18" fill="[^"]+"><title>([^<]+)<\/title>/g)]
    .map((m) => ({ x: +m[1], y: +m[2], w: +m[3], title: m[4] }));
}

test("timelineSvg: widths proportional to the times on one scale, labels with names and times", () => {
  const svg = timelineSvg([
    { title: "chain A", lanes: [{ label: "full", steps, total: 4000 }, { label: "built-in", steps: [], total: 200 }] },
    { title: "chain B", lanes: [{ label: "resumed", steps: [{ name: "resumed", at: 100 }, { name: "connected", at: 300 }], total: 400 }] },
  ], { width: 1320, note: "fixed input" });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  const r = rects(svg);
  assert.equal(r.length, 9 + 1 + 3);
  // 1320 px - 250 (labels) - 70 (totals) = 1000 px for the longest lane's 4000 ms: 0.25 px per ms
  const px = 1000 / 4000;
  for (const b of r) {
    const ms = Number(/ ([\d.]+) ms$/.exec(b.title)[1]);
    assert.ok(Math.abs(b.w - ms * px) < 0.06, `${b.title}: ${b.w} px`);
  }
  const chain = r.find((b) => b.title === "certificate 2000 ms"), cv = r.find((b) => b.title === "chain_verified 1000 ms");
  assert.ok(chain && cv && Math.abs(chain.w / cv.w - 2) < 1e-3);
  assert.ok(Math.abs(chain.x - (250 + 850 * px)) < 0.06);
  // the built-in lane (same scale) and the second group's lane start at the label column
  const builtin = r.find((b) => b.title === "response 200 ms");
  assert.ok(builtin && Math.abs(builtin.w - 50) < 0.06 && builtin.x === 250);
  // written on the bars: name and time where they fit, the time alone where only that fits
  assert.match(svg, />certificate 2000</);
  assert.match(svg, />chain_verified 1000</);
  assert.match(svg, />key_share 390</);
  assert.match(svg, />100</); // the resumed lane's "resumed 100" bar is 25 px wide: time only
  for (const t of ["chain A", "chain B", "full", "built-in", "resumed", "4000 ms", "400 ms", "fixed input"]) assert.ok(svg.includes(">" + t + "<"), t);
  // lanes go down the page in order
  const ys = [...new Set(r.map((b) => b.y))];
  assert.deepEqual(ys, [...ys].sort((a, b) => a - b));
  assert.equal(ys.length, 3);
});

test("timelineGroups: the built-in and each row's fastest run as lanes", () => {
  const g = timelineGroups({
    rsa2048: {
      builtinUnverified: { ms: 150 },
      rows: {
        full: { timeline: { steps: "key_share,client_hello,connected", at: "5,300,900", ms: 1000 } },
        failed: { problems: ["no run reported"] },
      },
    },
  });
  assert.equal(g.length, 1);
  assert.equal(g[0].title, "RSA-2048 chain");
  assert.deepEqual(g[0].lanes, [
    { label: "built-in (unverified)", steps: [], total: 150 },
    { label: "full", steps: [{ name: "key_share", at: 5 }, { name: "client_hello", at: 300 }, { name: "connected", at: 900 }], total: 1000 },
  ]);
});
