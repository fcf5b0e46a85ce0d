// The device API: require("espruino-tls"). Names here are stable (README "Device API").
// A board whose Storage cannot hold the TLS stack (HAS_TLS false) gets the entropy module only:
// the rest is dropped by tree-shaking, and those names are undefined there.
import { VERSION, HAS_TLS } from "./board";
import { connect } from "./tls/socket";
import { request, get, postJSON, closeIdle } from "./https/client";
import { x509 as x509api } from "./x509/index";

export const version: string = VERSION;
export { random, entropyStatus } from "./entropy/index";
/** Certificate parsing and path validation. */
export const x509 = HAS_TLS ? x509api : undefined;
/** Shaped like Espruino's `tls`: connect(options, cb) gives a net.Socket-like verified socket. */
export const tls = HAS_TLS ? { connect: connect } : undefined;
/** Shaped like Espruino's `http`, for https:// only: request, get, plus postJSON and closeIdle. */
export const https = HAS_TLS ? { request: request, get: get, postJSON: postJSON, closeIdle: closeIdle } : undefined;
