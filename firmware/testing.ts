// Test build entry: the product API plus internals for vector tests and benchmarks.
// Built as dist/<board>/espruino-tls-test.js with the same pipeline and board choices. On a
// board without the TLS stack (HAS_TLS false) only what its product bundle has is exported.
// first: the lazy-layer loader must exist before any module reads a layer
import { layersApi } from "./layers";
import { HAS_TLS } from "./board";
import { aead as aeadT } from "./testing/aead";
import { rsa as rsaT } from "./testing/rsa";
import { c25519 as c25519T } from "./testing/c25519";
import { nist as nistT } from "./testing/nist";
import { x509t as x509T } from "./testing/x509t";
import { fuzz as fuzzT } from "./testing/fuzz";
import { sign as signT } from "./testing/sign";
import { psk as pskT } from "./testing/psk";

export * from "./index";
/** The loader itself (its device API is `layers`), for tests. */
export const layerLoader = layersApi;
export { util } from "./testing/util";
export { hashes } from "./testing/hashes";
export { entropy } from "./testing/entropy";
export const aead = HAS_TLS ? aeadT : undefined;
export const rsa = HAS_TLS ? rsaT : undefined;
export const c25519 = HAS_TLS ? c25519T : undefined;
export const nist = HAS_TLS ? nistT : undefined;
export const x509t = HAS_TLS ? x509T : undefined;
export const fuzz = HAS_TLS ? fuzzT : undefined;
export const sign = HAS_TLS ? signT : undefined;
export const psk = HAS_TLS ? pskT : undefined;
