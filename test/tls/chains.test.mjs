// Chains as OpenSSL's tooling writes them (issue 18), served by a real Node TLS 1.3 server to
// the product bundle on the board mock: a leading-period name constraint works and a violation
// of it is refused with NAME_CONSTRAINT_VIOLATION and alert bad_certificate (42); a chain
// without authorityKeyIdentifier connects, with the anchor given as `ca` and from the CA store
// in Storage; an intermediate with CA:FALSE or without basicConstraints is refused with
// NOT_A_CA (42). Validator-level cases are in test/unit/x509-openssl-chains.test.mjs.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Pki } from "../../tools/lib/pki.mjs";
import { buildImage, anchorFromCertDer } from "../../tools/castore/format.mjs";
import { connectApp, until } from "../helpers/tls-connect-app.mjs";
import { observedTlsServer } from "../helpers/tls-observe.mjs";

const pki = new Pki();
const root = pki.cert("root", { ca: true, cn: "chains root", days: 3650 });
const LOCAL = ["DNS:localhost", "IP:127.0.0.1"];

const toClose = [];
after(async () => { for (const c of toClose) await c.close(); });

async function serve(leaf, inter) {
  const srv = await observedTlsServer({ leaf, inter });
  toClose.push(srv);
  return srv;
}

async function works(leaf, inter, o = {}) {
  const srv = await serve(leaf, inter);
  const r = await connectApp(srv.port, { ca: root.pem, send: "ping", ...o });
  assert.deepEqual(r.errors, [], r.message);
  assert.equal(r.connected, true);
  assert.equal(r.data, "ping", "echoed by the server");
  assert.equal(srv.state.handshakes, 1);
}

async function refused(leaf, inter, code, o = {}) {
  const srv = await serve(leaf, inter);
  const r = await connectApp(srv.port, { ca: root.pem, send: "must not be sent", ...o });
  await until(() => srv.alerts.length > 0);
  assert.equal(r.error, code, r.message);
  assert.equal(r.connected, false, "the app saw a connection");
  assert.deepEqual(srv.alerts, [42], `alerts the server received (errors: ${srv.state.errors.join(" | ")})`);
  assert.equal(srv.state.handshakes, 0);
}

const ncInter = pki.cert("nc-inter", { ca: true, cn: "chains nc intermediate", issuer: root, nameConstraints: "critical,permitted;DNS:.example.com" });

test("leading-period constraint ('.example.com'): a subdomain connects", { timeout: 60000 }, async () => {
  const leaf = pki.cert("nc-ok", { issuer: ncInter, cn: "api.example.com", san: ["DNS:api.example.com"] });
  await works(leaf, ncInter, { host: "127.0.0.1", servername: "api.example.com" });
});

test("leading-period constraint: a name outside it -> NAME_CONSTRAINT_VIOLATION, alert 42", { timeout: 60000 }, async () => {
  const leaf = pki.cert("nc-bad", { issuer: ncInter, cn: "localhost", san: LOCAL });
  await refused(leaf, ncInter, "NAME_CONSTRAINT_VIOLATION");
});

const noAkiInter = pki.cert("noaki-inter", { ca: true, cn: "chains no-AKI intermediate", issuer: root, aki: false });
const noAkiLeaf = pki.cert("noaki-leaf", { issuer: noAkiInter, cn: "localhost", san: LOCAL, aki: false });

test("no authorityKeyIdentifier in leaf and intermediate: connects (anchor given as ca)", { timeout: 60000 }, async () => {
  await works(noAkiLeaf, noAkiInter);
});

test("no authorityKeyIdentifier: connects with the anchor from the CA store in Storage", { timeout: 60000 }, async () => {
  const other = pki.cert("other-root", { ca: true, cn: "chains other root", days: 3650 });
  const store = buildImage([anchorFromCertDer(other.der), anchorFromCertDer(root.der)], { version: 3, created: 1763700000 }).image;
  await works(noAkiLeaf, noAkiInter, { ca: null, store });
});

test("intermediate with CA:FALSE (keyCertSign set) -> NOT_A_CA, alert 42", { timeout: 60000 }, async () => {
  const inter = pki.cert("cafalse-inter", { issuer: root, cn: "chains CA:FALSE intermediate", keyUsage: "keyCertSign,digitalSignature", eku: null });
  await refused(pki.cert("cafalse-leaf", { issuer: inter, cn: "localhost", san: LOCAL }), inter, "NOT_A_CA");
});

test("intermediate without basicConstraints -> NOT_A_CA, alert 42", { timeout: 60000 }, async () => {
  const inter = pki.cert("nobc-inter", { ca: true, issuer: root, cn: "chains no-bc intermediate", basicConstraints: false });
  await refused(pki.cert("nobc-leaf", { issuer: inter, cn: "localhost", san: LOCAL }), inter, "NOT_A_CA");
});
