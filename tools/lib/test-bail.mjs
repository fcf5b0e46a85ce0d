// A node:test reporter that ends the process at the first failing test (tools/lib/mutate.mjs:
// one failure is enough to kill a mutant). Run the tests in this process for it to stop them:
// `node --test-reporter=./tools/lib/test-bail.mjs file.mjs` (no --test). Prints TAP-like lines:
// "not ok N - name" for the failure, then "# pass P" and "# fail F".
export default async function* bail(source) {
  let pass = 0, n = 0;
  for await (const ev of source) {
    if (ev.type === "test:pass" && !ev.data.details?.type) { pass++; n++; }
    else if (ev.type === "test:fail" && ev.data.details?.type !== "suite") {
      n++;
      const err = ev.data.details && ev.data.details.error;
      const why = err ? String(err.cause && err.cause.message ? err.cause.message : err.message).split("\n")[0].slice(0, 200) : "";
      // written here, not yielded: the process ends before a yielded line would be printed
      process.stdout.write(`not ok ${n} - ${ev.data.name}${why ? " (" + why + ")" : ""}\n# pass ${pass}\n# fail 1\n`);
      process.exit(1);
    }
  }
  yield `# pass ${pass}\n# fail 0\n`;
}
