// Build-time facts of the board this bundle is for. The build (tools/lib/rollup-board.mjs)
// replaces this module with literal constants from boards/<name>.json, so that code a board
// does not use is dropped by tree-shaking. The values below are only for the type checker.

export const BOARD_NAME: string = "linux";
/** Native functions of require("crypto") on this board. */
export const NATIVE_SHA256: boolean = true;
export const NATIVE_SHA384: boolean = true;
export const NATIVE_SHA512: boolean = true;
export const NATIVE_AES: boolean = true;
/** How the entropy module reads the physical source: "peek32" | "adc-hwrand" | "os-file". */
export const ENTROPY_SOURCE: string = "os-file";
/** Address of the RNG data register for "peek32" sources, else 0. */
export const RNG_REGISTER: number = 0;
/** Stated min-entropy of one 32-bit raw sample of the entropy source, in bits (integer 1..8):
 *  the health-test cut-offs and the conditioning input size follow from it. */
export const ENTROPY_BITS_PER_SAMPLE: number = 8;
/** Whether setTime() changes the clock on this board. */
export const CAN_SET_TIME: boolean = false;
/** Whether this board's bundle carries the TLS/X.509/HTTPS stack (it must fit its Storage). */
export const HAS_TLS: boolean = true;
/** Bytes the TLS layer may hold for one record (plaintext fragment limit it offers). */
export const RECORD_BUFFER: number = 16384;
/** Storage (flash file system) size in bytes. */
export const STORAGE_BYTES: number = 262144;
/** Bytes the CA store may take in Storage (one slot; OTA keeps two: boards budgets.caStoreBytes). */
export const CA_STORE_BYTES: number = 65536;
/** OTA signing public keys compiled in (ota-keys.json): Ed25519, 64 hex digits each, comma-separated. */
export const OTA_KEYS: string = "";
/** Signatures by distinct OTA keys needed on a manifest or key rotation (ota-keys.json). */
export const OTA_THRESHOLD: number = 1;
/** Seconds since 1970 when the bundle was built: the lowest trusted time floor. */
export const BUILD_TIME: number = 0;
/** Library version (package.json). */
export const VERSION: string = "0.0.0";
