// The handshake timeline picture (issue 20): one lane per benchmark row, one bar per handshake
// step from the client's progress events, to scale, with each step's time written on it. A bar
// starts where its step was announced and runs to the next one: "certificate 2100" is the time
// from the Certificate message to the next step (chain_verified: the chain check);
// "server_hello" the shared secret; "client_hello" the wait for the server. The first bar
// ("connect") is the time to the first step (TCP connection, options); after "connected" the
// bar is "response" (the request and the body).

/** Steps drawn in a colour of their own (issue 20's list); others are grey. */
export const STEP_COLOURS = {
  connect: "#eeeeee",
  key_share: "#8dd3c7", key_share_ready: "#8dd3c7", client_hello: "#80b1d3", server_hello: "#fdb462",
  resumed: "#fdb462", hello_retry: "#ffed6f", handshake_keys: "#bebada", certificate: "#fb8072",
  chain_verified: "#e31a1c", certificate_verify: "#b15928", server_key_exchange: "#fb8072",
  server_key_verified: "#b15928", key_exchange: "#bebada", client_certificate_verify: "#cab2d6",
  connected: "#b3de69", response: "#33a02c",
};
const OTHER = "#d9d9d9";

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fmt = (ms) => (ms >= 100 ? String(Math.round(ms)) : String(Math.round(ms * 10) / 10));

/** Bars of one lane: steps [{name, at}] (ms from the start, in order) and the total. */
export function laneBars(steps, total) {
  const marks = [{ name: "connect", at: 0 }, ...steps.map((s, i) => ({ name: i === steps.length - 1 && s.name === "connected" ? "response" : s.name, at: s.at }))];
  if (!steps.length) marks[0].name = "response";
  const bars = [];
  for (let i = 0; i < marks.length; i++) {
    const to = i + 1 < marks.length ? marks[i + 1].at : total;
    if (to > marks[i].at) bars.push({ name: marks[i].name, from: marks[i].at, to, ms: to - marks[i].at });
  }
  return bars;
}

/**
 * groups: [{ title, lanes: [{ label, steps: [{name, at}], total }] }] -> SVG text. width: pixels
 * of the whole picture; every lane shares one scale (the longest total).
 */
export function timelineSvg(groups, { title = "Where a handshake's time goes", width = 1100, note = "" } = {}) {
  const labelW = 250, rightW = 70, laneH = 26, barH = 18, headH = 24, top = 44;
  let max = 0;
  for (const g of groups) for (const l of g.lanes) for (const b of laneBars(l.steps, l.total)) if (b.to > max) max = b.to;
  const scale = max > 0 ? (width - labelW - rightW) / max : 0;
  const out = [];
  let y = top;
  for (const g of groups) {
    out.push(`<text x="8" y="${y + 16}" class="g">${esc(g.title)}</text>`);
    y += headH;
    for (const l of g.lanes) {
      out.push(`<text x="8" y="${y + 13}" class="l">${esc(l.label)}</text>`);
      const bars = laneBars(l.steps, l.total);
      for (const b of bars) {
        const x = labelW + b.from * scale, w = Math.max(0.5, b.ms * scale);
        const text = `${b.name} ${fmt(b.ms)}`;
        out.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${STEP_COLOURS[b.name] || OTHER}"><title>${esc(text)} ms</title></rect>`);
        // the name and time when they fit (about 6 px a character), else the time alone
        if (w >= text.length * 6 + 4) out.push(`<text x="${(x + 3).toFixed(1)}" y="${y + 13}" class="b">${esc(text)}</text>`);
        else if (w >= fmt(b.ms).length * 6 + 4) out.push(`<text x="${(x + 2).toFixed(1)}" y="${y + 13}" class="b">${fmt(b.ms)}</text>`);
      }
      const end = bars.length ? bars[bars.length - 1].to : 0;
      out.push(`<text x="${(labelW + end * scale + 4).toFixed(1)}" y="${y + 13}" class="t">${esc(fmt(end))} ms</text>`);
      y += laneH;
    }
    y += 6;
  }
  // legend: the colours of the named steps that appear
  const seen = [];
  for (const g of groups) for (const l of g.lanes) for (const b of laneBars(l.steps, l.total)) if (!seen.includes(b.name)) seen.push(b.name);
  let lx = 8;
  y += 6;
  for (const name of seen) {
    out.push(`<rect x="${lx}" y="${y}" width="12" height="12" fill="${STEP_COLOURS[name] || OTHER}"/><text x="${lx + 16}" y="${y + 10}" class="b">${esc(name)}</text>`);
    lx += 24 + name.length * 6.5;
    if (lx > width - 160) { lx = 8; y += 18; }
  }
  y += 22;
  if (note) { out.push(`<text x="8" y="${y}" class="n">${esc(note)}</text>`); y += 16; }
  const height = y + 4;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<style>.g{font-size:14px;font-weight:bold}.l{font-size:12px}.b{font-size:10px}.t{font-size:11px;fill:#444}.n{font-size:11px;fill:#444}.h{font-size:16px;font-weight:bold}</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="8" y="24" class="h">${esc(title)}</text>
<text x="${width - 8}" y="24" text-anchor="end" class="n">each bar starts at the step written on it; times in ms, one scale for all lanes (${fmt(max)} ms across)</text>
${out.join("\n")}
</svg>
`;
}
