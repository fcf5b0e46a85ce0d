// Fixtures of the OTA tests and benchmark: signing keys made at test time and compiled into a
// product bundle built for them, a throwaway PKI for the update server, CA store images
// (the test root, padded with Mozilla roots), signed manifests, and boards that run scripts.
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createBoard, Flash } from "../../tools/mock/board.mjs";
import { loadBoard } from "../../tools/lib/boards.mjs";
import { buildBoard } from "../../tools/build.mjs";
import { Pki } from "../../tools/lib/pki.mjs";
import { buildImage, anchorFromCertDer } from "../../tools/castore/format.mjs";
import { pemBlocks } from "../../tools/castore/der.mjs";
import { generateKey, signManifest, signRotation } from "../../tools/ota/sign.mjs";
import { serveOta } from "../../tools/ota/serve.mjs";

export const SLOT0 = "etls.ca";
export const SLOT1 = "etls.ca.b";
export const STATE_FILES = ["ota.state.0", "ota.state.1"];
const MOZILLA = "/etc/ssl/certs/ca-certificates.crt";

/** Anchors of the system's Mozilla set (DER certificates parsed to store anchors). */
export function mozillaAnchors() {
  if (!existsSync(MOZILLA)) return [];
  return pemBlocks(readFileSync(MOZILLA, "latin1")).map((b) => anchorFromCertDer(b.der || b));
}

/**
 * Everything a test needs. opts: { boards: ["linux"], threshold: 1, compiled: 1 (how many of
 * the generated keys are compiled in) }. Keys: keys[0..compiled-1] compiled; the others are
 * for rotations and "wrong key" tests.
 */
export async function otaFixture(opts = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "etls-ota-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const keys = [generateKey(), generateKey(), generateKey(), generateKey()];
  const compiled = opts.compiled ?? 1;
  const keysFile = path.join(dir, "ota-keys.json");
  writeFileSync(keysFile, JSON.stringify({ threshold: opts.threshold || 1, keys: keys.slice(0, compiled).map((k) => ({ publicKey: k.publicKey })) }));
  const bundles = {};
  const saved = process.env.ESPRUINO_TLS_OTA_KEYS;
  process.env.ESPRUINO_TLS_OTA_KEYS = keysFile;
  try {
    for (const b of opts.boards || ["linux"]) {
      bundles[b] = await buildBoard(b, { quiet: true, file: path.join(dir, `${b}.js`), test: !!opts.testBundle });
    }
  } finally {
    if (saved === undefined) delete process.env.ESPRUINO_TLS_OTA_KEYS; else process.env.ESPRUINO_TLS_OTA_KEYS = saved;
  }
  const pki = new Pki();
  const chain = pki.chain({ label: "ota test" });
  const serverRoot = anchorFromCertDer(chain.root.der);
  const other = pki.cert("other-root", { ca: true, cn: "unrelated root", days: 3650 });
  let moz = null;
  const fx = {
    dir, keys, bundles, chain, serverRoot,
    otherRoot: anchorFromCertDer(other.der),
    otherRootPem: other.pem,
    /** A store image: the update server's root (unless `without`), plus `pad` Mozilla roots. */
    image(version, o = {}) {
      const list = o.anchors ? [...o.anchors] : [];
      if (!o.anchors && !o.without) list.push(serverRoot);
      if (o.pad) { moz = moz || mozillaAnchors(); list.push(...moz.slice(0, o.pad)); }
      if (!list.length) list.push(fx.otherRoot);
      return buildImage(list, { version, created: o.created ?? Math.floor(Date.now() / 1000) - 60 }).image;
    },
    /** The manifest document (JSON text) for an image. o: signManifest options; keys default [0]. */
    manifest(image, o = {}) {
      const doc = signManifest({ image, minLibrary: "0.0.1", keys: (o.signers || [0]).map((i) => keys[i].privatePem), ...o });
      return JSON.stringify(doc);
    },
    rotation(version, newKeyIdx, signerIdx, o = {}) {
      return signRotation({ version, keys: newKeyIdx.map((i) => keys[i].publicKey), threshold: o.threshold || 1, signers: signerIdx.map((i) => keys[i].privatePem) });
    },
    /** The update server: files by path. */
    server(files, o = {}) {
      const c = o.chain || chain;
      return serveOta({ files, cert: c.leaf.pem + c.inter.pem, key: readFileSync(c.leaf.keyFile, "utf8"), ...o });
    },
    /** A board with the bundle loaded; `store` (bytes) installed as slot 0 when given. */
    board(o = {}) {
      const name = o.board || "linux";
      const b = createBoard({ board: name, flash: o.flash });
      b.loadLibrary(bundles[name]);
      if (o.store) b.install(SLOT0, Buffer.from(o.store).toString("latin1"));
      return b;
    },
    newFlash(name = "linux") { return new Flash(loadBoard(name).storage.bytes); },
  };
  return fx;
}

// Errors a board raises after its power was cut (its callbacks keep failing for a moment, and
// the mock's network events are not tied to the board) are swallowed by one handler; any other
// uncaught error fails the script that is running.
let current = null;
const powerError = (e) => !!e && (e.code === "POWER_CUT" || /power cut/.test(String(e.message)));
function onUncaught(e) {
  const c = current;
  if (powerError(e)) { if (c && c.b.flash.dead) c.end(() => c.resolve({ cut: true })); return; }
  if (c) c.end(() => c.reject(e)); else throw e;
}

/**
 * Once a board's power is cut it is dead: on the device nothing of it runs any more. In the mock
 * its network and timer callbacks still fire (and fail: Storage throws, the entropy module
 * refuses): those failures are dropped here instead of reaching Node as uncaught exceptions.
 */
function deadQuiet(b) {
  if (b.quietWhenDead) return;
  b.quietWhenDead = true;
  const guard = (fn) => (typeof fn !== "function" ? fn : function (...a) {
    try { return fn.apply(this, a); } catch (e) { if (b.flash.dead || powerError(e)) return undefined; throw e; }
  });
  const net = b.require("net");
  const connect = net.connect;
  net.connect = (o, cb) => {
    const sock = connect.call(net, o, guard(cb));
    const on = sock.on.bind(sock);
    sock.on = (ev, fn) => on(ev, guard(fn));
    return sock;
  };
  const ctx = b.context;
  for (const k of ["setTimeout", "setInterval"]) {
    const orig = ctx[k];
    ctx[k] = (fn, ms, ...a) => orig(guard(fn), ms, ...a);
  }
}

/**
 * Runs `script` on board `b` until it calls done(result). Resolves { result } or, when the
 * board's flash lost power first, { cut: true }.
 */
export function runOn(b, script, globals = {}, timeoutMs = 120000) {
  for (const [k, v] of Object.entries(globals)) b.define(k, v);
  deadQuiet(b);
  if (!process.listeners("uncaughtException").includes(onUncaught)) process.on("uncaughtException", onUncaught);
  return new Promise((resolve, reject) => {
    let over = false;
    const poll = setInterval(() => { if (b.flash.dead) end(() => resolve({ cut: true })); }, 10);
    const timer = setTimeout(() => end(() => reject(new Error(`script did not finish in ${timeoutMs} ms; printed:\n${b.printed.join("\n")}`))), timeoutMs);
    function end(fn) {
      if (over) return;
      over = true;
      if (current && current.b === b) current = null;
      clearInterval(poll);
      clearTimeout(timer);
      b.close();
      fn();
    }
    current = { b, end, resolve, reject };
    b.define("done", (r) => end(() => resolve(b.flash.dead ? { cut: true } : { result: JSON.parse(JSON.stringify(r === undefined ? null : r)) })));
    try { b.run(script, "ota-app.js"); } catch (e) {
      if (powerError(e)) end(() => resolve({ cut: true })); else end(() => reject(e));
    }
  });
}

/** The device side of one update check: done({ err, res, status, store }). */
export const CHECK = `var ota = require("espruino-tls").ota;
ota.configure(CFG);
ota.check(function (err, res) {
  var st = null;
  try { var s = ota.store(); st = { version: s.version, count: s.count, name: s.name }; } catch (e) { st = { error: e.code }; }
  done({ err: err ? { code: err.code, message: err.message, detail: err.detail } : null, res: res || null, status: ota.status(), store: st });
});`;

/** What a booting board sees: the active store opened and fully re-checked. */
export const BOOT = `var t = require("espruino-tls"), ota = t.ota, r = {};
try { var s = ota.store(); r.version = s.version; r.count = s.count; r.name = s.name;
  var again = t.castore.open(s.name, true); r.verified = again.version === s.version; } catch (e) { r.error = e.code + ": " + e.message; }
r.status = ota.status();
done(r);`;
