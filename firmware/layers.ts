// The loader of lazy layers (tools/lib/layers.mjs builds them; README "Lazy layers").
// A layer is a section of the bundle's own Storage file, after the NUL that ends what require()
// reads. It is evaluated from flash when code first reads `$L.<key>` (a getter the build puts
// in place of every import from it), kept while a connection holds the layers (hold/release) or
// the application pins it, and otherwise dropped once nobody read it for IDLE_MS: when nothing
// else refers to its functions, the interpreter collects them.
import { EtError } from "./errors";

/** Filled in by the bundle's preamble (tools/lib/layers.mjs): Storage file, build id, sections. */
interface LayerTable {
  f: string; b: string; t: any; L: any; C: any;
  n: (name: string) => any;
}
declare const $Y: LayerTable;
declare function require(name: string): any;

const loaded: any = {};
const pinned: any = {};
/** Layers read (through $L) since the last sweep. */
const used: any = {};
/** Evaluations per layer since boot (tests and benchmarks read it). */
const evaluated: any = {};
/** The layers an open connection runs after its handshake (records, HTTP, MQTT): kept while a
 *  connection is open, so that a second connection does not evaluate a second copy while the
 *  first one's objects still hold the first. The others (chain verification, signatures, key
 *  exchange, CA store, clock, device identity) are handshake-only: dropped once no handshake
 *  runs and nobody read them for an idle period. */
const CONNECTION_LAYERS: any = { tls: 1, gcm: 1, chacha: 1, https: 1, mqtt: 1 };
let handshakes = 0;
let connections = 0;
let sweepTimer: any = 0;
/** A layer nobody read for one to two of these (ms) is dropped, when nothing holds it: long
 *  enough to bridge the ticks between a request and its socket, short next to a handshake. */
export const IDLE_MS = 250;

function sweep(): void {
  sweepTimer = 0;
  // keys first: deleting the current key inside for-in skips the next one on the interpreter
  const names = Object.keys(loaded);
  let left = false;
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    // held: the end of the hold schedules the next sweep
    if (pinned[n] || handshakes > 0 || (connections > 0 && CONNECTION_LAYERS[n])) { delete used[n]; continue; }
    if (used[n]) { delete used[n]; left = true; } else delete loaded[n];
  }
  if (left) scheduleSweep();
}

function scheduleSweep(): void {
  if (!sweepTimer) sweepTimer = setTimeout(sweep, IDLE_MS);
}

function load(name: string): any {
  const at = $Y.t[name];
  if (!at) throw new EtError("LAYER_UNKNOWN", "this build has no layer " + name, { layer: name });
  const S = require("Storage");
  const head = "/*etls " + $Y.b + " " + name + " " + at[2] + "*/";
  const h = S.read($Y.f, at[0], head.length);
  if (h === undefined) {
    throw new EtError("LAYER_NOT_FOUND", "the Storage file " + $Y.f + " is missing: install the bundle into Storage (flash), not into RAM", { layer: name, file: $Y.f });
  }
  // A section of another build (the file was replaced under a running core) is never evaluated.
  if (h != head) {
    throw new EtError("LAYER_BUILD_MISMATCH", "Storage file " + $Y.f + " is not build " + $Y.b + " (replaced while running?): reboot", { layer: name, build: $Y.b });
  }
  const exp: any = {};
  loaded[name] = exp; // before evaluating it: layers that need each other get this object
  try {
    // new Function, not eval: the layer's functions then store one scope, not a copy of the
    // loader's scope chain each (tools/lib/layers.mjs); the body stays a flash string
    const p = at[2].split(",");
    const body = new Function(p[0], p[1], p[2], p[3], S.read($Y.f, at[0], at[1]));
    body(exp, $Y.L, $Y.C, $Y);
  } catch (e) {
    delete loaded[name];
    throw e;
  }
  evaluated[name] = (evaluated[name] || 0) + 1;
  return exp;
}

/** The exports of layer `name`, evaluating it from flash when it is not loaded. */
export function need(name: string): any {
  used[name] = 1;
  const x = loaded[name];
  if (x) return x;
  const r = load(name);
  if (handshakes <= 0) scheduleSweep();
  return r;
}

/** Keeps the layer now being evaluated (or loaded) for good: for a layer whose state outlives a
 *  request (the OTA updater). */
export function keepLayer(name: string): void {
  pinned[name] = true;
}

/** A connection starts: every loaded layer is kept until its handshake ends (handshakeDone),
 *  the connection layers until it closes (releaseLayers). */
export function holdLayers(): void {
  handshakes++;
  connections++;
}

/** The handshake of a holding connection is over (connected or failed; once per hold): the
 *  handshake-only layers may go. */
export function handshakeDone(): void {
  if (handshakes > 0) handshakes--;
  scheduleSweep();
}

/** A holding connection closed (after handshakeDone). */
export function releaseLayers(): void {
  if (connections > 0) connections--;
  scheduleSweep();
}

/** A layer the running handshake no longer needs (X25519 once the shared secret is known): out
 *  of the loaded set now, unless pinned, so that it is collected while the chain is verified (the
 *  peak); read again, it is evaluated again. */
export function dropLayer(name: string): void {
  if (pinned[name]) return;
  delete loaded[name];
  delete used[name];
}

/** Device API `layers`: pin(name) keeps a layer loaded until unpin(name); names(), loaded(),
 *  evaluations() for inspection; build is the build id every section carries. */
export const layersApi = {
  pin: function (name: string): void {
    need(name);
    pinned[name] = true;
  },
  unpin: function (name: string): void {
    delete pinned[name];
    scheduleSweep();
  },
  names: function (): string[] {
    return Object.keys($Y.t);
  },
  loaded: function (): string[] {
    return Object.keys(loaded);
  },
  evaluations: function (): any {
    return evaluated;
  },
  build: function (): string {
    return $Y.b;
  },
};

$Y.n = need;
