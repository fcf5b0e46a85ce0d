// The device API: require("espruino-tls"). Names here are stable (README "Device API").
// A board whose Storage cannot hold the TLS stack (HAS_TLS false) gets the entropy module only:
// the rest is dropped by tree-shaking, and those names are undefined there.
// first: the lazy-layer loader must exist before any module reads a layer
import { layersApi } from "./layers";
import { VERSION, HAS_TLS } from "./board";
import { connect } from "./tls/socket";
import { precompute, precomputed } from "./tls/precompute";
import { SessionCache, defaultSessions } from "./tls/resume";
import { ChainCache, defaultChainCache } from "./tls/chaincache";
import { request, get, postJSON, closeIdle } from "./https/client";
import { x509 as x509api } from "./x509/index";
import { castore as castoreApi } from "./castore/index";
import { clock as clockApi } from "./time/clock";
import { otaApi } from "./ota/index";
import { mqttConnect } from "./mqtt/connect";
import { generate as identityGenerate } from "./identity/generate";

export const version: string = VERSION;
/** Lazy layers of this bundle (README "Lazy layers"): pin, unpin, names, loaded, evaluations, build. */
export const layers = layersApi;
export { random, entropyStatus } from "./entropy/index";
/** Certificate parsing and path validation. */
export const x509 = HAS_TLS ? x509api : undefined;
/** Trust anchors in flash: open(name?) gives a store with findByIssuer, findByKeyId, version, count, info. */
export const castore = HAS_TLS ? castoreApi : undefined;
/** Shaped like Espruino's `tls`: connect(options, cb) gives a net.Socket-like verified socket.
 *  precompute(opts?, cb?) makes the next key share while idle; sessions / chainCache are the
 *  shared resumption and verified-chain caches (SessionCache / ChainCache make private ones). */
export const tls = HAS_TLS ? {
  connect: function (o: any, cb?: any): any { return connect(o, cb); },
  precompute: precompute, precomputed: precomputed,
  sessions: defaultSessions, chainCache: defaultChainCache, SessionCache: SessionCache, ChainCache: ChainCache,
} : undefined;
/** Shaped like Espruino's `http`, for https:// only: request, get, plus postJSON and closeIdle. */
// Forwarders (tls, https, mqtt, identity): the implementations are lazy layers, evaluated when called.
export const https = HAS_TLS ? {
  request: function (o: any, cb?: any): any { return request(o, cb); },
  get: function (o: any, cb?: any): any { return get(o, cb); },
  postJSON: function (url: string, value: any, cb: any): any { return postJSON(url, value, cb); },
  closeIdle: function (): void { closeIdle(); },
} : undefined;
/** The time certificate validation trusts: now, sync (SNTP and pluggable sources), status, acceptFloorOnly. */
export const clock = HAS_TLS ? clockApi : undefined;
/** Signed CA list updates: configure, check, start/stop, status, store, ca, confirm, rollback, onSwitch. */
export const ota = HAS_TLS ? otaApi : undefined;
/** MQTT over verified TLS with Espruino's own MQTT module: connect("mqtts://host:port", options)
 *  returns that module's object, reconnecting (with session resumption) after a drop. */
export const mqtt = HAS_TLS ? { connect: function (url: string, options: any): any { return mqttConnect(url, options); } } : undefined;
/** The device's own key pair: generate(options, cb) makes a P-256 key from the DRBG, keeps the
 *  private key in Storage (never returned) and calls back with a PKCS#10 CSR signed by it. */
export const identity = HAS_TLS ? { generate: function (o: any, cb: any): void { identityGenerate(o, cb); } } : undefined;
