// Test build entry: the product API plus internals for vector tests and benchmarks.
// Built as dist/<board>/espruino-tls-test.js with the same pipeline and board choices.
export * from "./index";
export { util } from "./testing/util";
export { hashes } from "./testing/hashes";
export { aead } from "./testing/aead";
export { rsa } from "./testing/rsa";
export { c25519 } from "./testing/c25519";
export { nist } from "./testing/nist";
export { x509t } from "./testing/x509t";
