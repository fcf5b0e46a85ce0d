// A TCP error on an open connection (the peer resets it) reaches the app as one "error" event
// with NET_ERROR, then "close"; "connect" never fires and no second error (TLS_TRUNCATED) follows.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { Pki } from "../../tools/lib/pki.mjs";
import { connectApp } from "../helpers/tls-connect-app.mjs";

const chain = new Pki().chain({ label: "net error" });
let server = null;
after(() => new Promise((r) => (server ? server.close(r) : r())));

test("the server resets the connection after reading the ClientHello: NET_ERROR once, then close", { timeout: 60000 }, async () => {
  let hellos = 0;
  // The mock's connect() first probes the port with a connection that sends nothing: only a
  // connection that sends a ClientHello is reset (RST), the probe is just closed.
  server = net.createServer((s) => {
    s.on("error", () => {});
    s.once("data", (d) => { if (d[0] === 22) { hellos++; s.resetAndDestroy(); } });
    s.on("end", () => s.end());
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const r = await connectApp(server.address().port, { ca: chain.root.pem, host: "127.0.0.1", servername: "localhost" });
  assert.equal(hellos, 1, "one ClientHello was sent and answered by a reset");
  assert.deepEqual(r.errors, ["NET_ERROR"], JSON.stringify(r));
  assert.match(r.message, /network error: .*ECONNRESET/);
  assert.equal(r.connected, false);
});
