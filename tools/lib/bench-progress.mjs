// Live progress of interpreter benchmarks: the board app prints one "ROW {json}" line per
// measured run; this echoes each as one line on stderr while the run goes on (output comes in chunks).

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
