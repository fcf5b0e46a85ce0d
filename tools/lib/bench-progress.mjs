// The rows that interpreter benchmarks print ("ROW {json}", one line per measured run): parsed
// from the output, and echoed live on stderr while the run goes on (output comes in chunks).
import { cleanOutput } from "../espruino-run.mjs";

/** An onOutput callback for runInterpreter that reports the rows of `label`'s run. */
export function progressPrinter(mode) {
  let buf = "";
  return (s) => {
    buf += s;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const m = /ROW (\{.*\})/.exec(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (!m) continue;
      try {
        const x = JSON.parse(m[1]);
        process.stderr.write(`  ${mode} ${x.row}${x.seed ? " (seed)" : ""}${x.untimed ? " (warm-up)" : ""}: ${x.error || x.note || x.ms + " ms, " + x.cpuMs + " ms CPU"}\n`);
      } catch { /* not JSON */ }
    }
  };
}

/** The interpreter's output without banner and prompts (a prompt ">" ESC[J precedes lines printed while idle). */
export const plainOutput = (out) => cleanOutput(out).replace(/>\x1b\[J/g, "");

/** The {json} of every whole "ROW {json}" line the board app printed. */
export function parseRows(out) {
  const rows = [];
  for (const m of plainOutput(out).matchAll(/^ROW (\{.*\})$/gm)) { try { rows.push(JSON.parse(m[1])); } catch { /* not a whole line */ } }
  return rows;
}
