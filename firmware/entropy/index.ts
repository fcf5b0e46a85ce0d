// Random bytes for the rest of the firmware: random(n) and entropyStatus().
//
//   physical source (source.ts) ──> health tests (health.ts) + fixed-seed detection (fixedseed.ts)
//     ──> SHA-256 conditioning ──> HMAC-DRBG (drbg.ts) <── seed file (seedfile.ts)
//
// Boot (at the first random() call):
//   1. the source's precondition (ESP32: radio on);
//   2. start-up test: 1024 samples through the continuous tests, in chunks; every chunk is also
//      checked against the interpreter's fixed-seed generator;
//   3. conditioning: each chunk of CHUNK = ceil(512 / H) samples carries at least 512 bits of
//      stated min-entropy, twice the 256 bits of its SHA-256 digest (SP 800-90B §3.1.5.1.2
//      gives full entropy for h_in >= n_out + 64);
//   4. HMAC-DRBG instantiate: entropy_input = the chunk digests but the last, nonce = the last
//      digest, personalization = label, board, both seed-file slots as read, the time;
//   5. the seed file is rewritten from the DRBG (seedfile.ts) before any output is returned.
// Reseed after RESEED_INTERVAL requests: one fresh, health-tested chunk (256-bit digest) plus
// the time as additional input.
// Failure: a health-test failure or the fixed-seed generator makes the module refuse for good
// (until reboot): every random() throws EtError("ENTROPY_FAILED") naming the source and the
// test. A source that cannot be read now (radio off, /dev/urandom unreadable) or a seed file that
// cannot be rewritten also throws ENTROPY_FAILED but is retried at the next call. There is no
// fallback to any other generator.

import { ENTROPY_BITS_PER_SAMPLE, BOARD_NAME } from "../board";
import { SHA256 } from "../crypto/sha2";
import { EtError } from "../errors";
import { ascii } from "../util/bytes";
import { HmacDrbg, MAX_REQUEST } from "./drbg";
import { Health, STARTUP_SAMPLES, OK, testName } from "./health";
import { isFixedSeedStream, FIXED_SEED_FIRST } from "./fixedseed";
import { SOURCE_LABEL, sourceReady, readSamples } from "./source";
import { readSeeds, writeSeed, SEED_FILES } from "./seedfile";

declare function getTime(): number;

/** Samples per conditioned 256-bit block: twice the entropy of the digest. */
export const CHUNK: number = Math.ceil(512 / ENTROPY_BITS_PER_SAMPLE);
/** Samples checked against the fixed-seed generator at the start of each chunk. */
const FIXED_SEED_CHECK = 8;

const UNTESTED = 0, HEALTHY = 1, FAILED = 2, UNAVAILABLE = 3;
const HEALTH_NAMES = ["untested", "ok", "failed", "unavailable"];

let state = UNTESTED;
let drbg: HmacDrbg | null = null;
let health: Health | null = null;
let error: EtError | null = null;
let reseeds = 0;
let bytesOut = 0;
let seedFile = "untouched";
/** [domain (4 bytes) | CHUNK samples (32-bit) | CHUNK jitter values (16-bit)], hashed whole. */
let cbuf: Uint8Array | null = null;
let samples: Uint32Array | null = null;
let jitter: Uint16Array | null = null;

function stop(code: number, message: string, detail: any): never {
  state = code;
  if (code === FAILED && drbg !== null) {
    // Wipe the generator: nothing derived from a failed source stays usable.
    drbg.K.fill(0);
    drbg.V.fill(0);
    drbg = null;
  }
  release();
  error = new EtError("ENTROPY_FAILED", message, detail);
  throw error;
}

/** The chunk buffer is needed only while sampling (boot, reseeds): free its JsVars between. */
function release(): void {
  cbuf = null;
  samples = null;
  jitter = null;
}

function timeBytes(): Uint8Array {
  const t = new Float64Array(1);
  t[0] = getTime();
  return new Uint8Array(t.buffer);
}

/** Reads one chunk, tests it and returns its SHA-256 digest (phase: "start-up" or "reseed"). */
function drawChunk(phase: string, index: number): Uint8Array {
  if (cbuf === null) {
    const ab = new ArrayBuffer(4 + CHUNK * 6);
    cbuf = new Uint8Array(ab);
    samples = new Uint32Array(ab, 4, CHUNK);
    jitter = new Uint16Array(ab, 4 + CHUNK * 4, CHUNK);
  }
  const s = samples as Uint32Array, h = health as Health;
  try {
    readSamples(s, CHUNK, jitter as Uint16Array);
  } catch (e: any) {
    stop(UNAVAILABLE, "entropy source " + SOURCE_LABEL + " could not be read: " + (e && e.message ? e.message : String(e)),
      { source: SOURCE_LABEL, test: "read", phase: phase });
  }
  const t = h.check(s, CHUNK);
  if (t !== OK) {
    stop(FAILED, "entropy source " + SOURCE_LABEL + " failed the " + testName(t) + " during the " + phase + " test: " +
      h.why + "; no random output until reboot", { source: SOURCE_LABEL, test: testName(t), phase: phase, samples: h.count });
  }
  if (isFixedSeedStream(s, 0, FIXED_SEED_CHECK)) {
    stop(FAILED, "entropy source " + SOURCE_LABEL + " failed the fixed-seed generator test during the " + phase +
      " test: its samples follow the recurrence of the interpreter's rand() (the fixed-seed generator behind E.hwRand and Math.random, the same after every boot)" +
      (s[0] === FIXED_SEED_FIRST ? ", starting at its first output after boot" : "") + "; no random output until reboot",
      { source: SOURCE_LABEL, test: "fixed-seed generator", phase: phase, samples: h.count });
  }
  const c = cbuf as Uint8Array;
  c[0] = 0x45; // domain separation: 'E', phase, chunk index
  c[1] = phase === "reseed" ? 1 : 0;
  c[2] = (index >> 8) & 255;
  c[3] = index & 255;
  return SHA256.hash(c);
}

function boot(): HmacDrbg {
  const why = sourceReady();
  if (why) stop(UNAVAILABLE, "entropy source " + SOURCE_LABEL + " is not usable now: " + why, { source: SOURCE_LABEL, test: "precondition", phase: "start-up" });
  health = new Health(ENTROPY_BITS_PER_SAMPLE);
  const n = Math.ceil(STARTUP_SAMPLES / CHUNK);
  const digests = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) digests.set(drawChunk("start-up", i), 32 * i);
  release();
  const seeds = readSeeds(SHA256);
  const label = ascii("espruino-tls entropy v1 " + BOARD_NAME + " " + SOURCE_LABEL);
  const t = timeBytes();
  const pers = new Uint8Array(label.length + seeds.raw.length + t.length);
  pers.set(label, 0);
  pers.set(seeds.raw, label.length);
  pers.set(t, label.length + seeds.raw.length);
  const d = new HmacDrbg(SHA256, digests.subarray(0, 32 * (n - 1)), digests.subarray(32 * (n - 1)), pers);
  // Rewrite the seed file before anything is returned.
  const seed = d.generate(32, null) as Uint8Array;
  const w = writeSeed(SHA256, seeds.next, seeds.gen + 1, seed);
  seed.fill(0);
  if (w) {
    seedFile = "write-failed";
    stop(UNAVAILABLE, "entropy source " + SOURCE_LABEL + ": the seed file " + SEED_FILES[seeds.next] +
      " could not be rewritten (" + w + "); without it two boots could repeat a stream, so no output", { source: SOURCE_LABEL, test: "seed file", phase: "start-up" });
  }
  seedFile = "rewritten";
  state = HEALTHY;
  error = null;
  drbg = d;
  return d;
}

function reseed(d: HmacDrbg): void {
  const why = sourceReady();
  if (why) stop(UNAVAILABLE, "entropy source " + SOURCE_LABEL + " is not usable now (reseed due): " + why, { source: SOURCE_LABEL, test: "precondition", phase: "reseed" });
  d.reseed(drawChunk("reseed", reseeds), timeBytes());
  release();
  reseeds++;
  state = HEALTHY;
  error = null;
}

/** n random bytes from the HMAC-DRBG, or EtError("ENTROPY_FAILED") (never weaker output). */
export function random(n: number): Uint8Array {
  if (state === FAILED) throw new EtError("ENTROPY_FAILED", (error as EtError).message, (error as EtError).detail);
  if (!(n >= 0 && n === Math.floor(n))) throw new EtError("ENTROPY_BAD_LENGTH", "random(n): n must be a whole number >= 0, not " + n);
  const d = drbg === null ? boot() : drbg;
  const out = n <= MAX_REQUEST ? null : new Uint8Array(n);
  let o = 0, r: Uint8Array | null = null;
  do {
    const k = n - o < MAX_REQUEST ? n - o : MAX_REQUEST;
    r = d.generate(k, null);
    if (r === null) {
      reseed(d);
      r = d.generate(k, null) as Uint8Array;
    }
    if (out !== null) out.set(r, o);
    o += k;
  } while (o < n);
  bytesOut += n;
  return out !== null ? out : (r as Uint8Array);
}

export interface EntropyStatus {
  /** The physical source: "peek32 RNG register 0x...", "adc-hwrand (...)", "os-file /dev/urandom". */
  source: string;
  /** "untested" (before the first random()), "ok", "failed" (for good), "unavailable" (retried). */
  health: string;
  /** Stated min-entropy per 32-bit sample (bits), from which the cut-offs follow. */
  minEntropyBitsPerSample: number;
  /** Raw samples health-tested so far. */
  samples: number;
  /** DRBG reseeds since boot (the instantiation is not counted). */
  reseeds: number;
  /** Random bytes returned since boot. */
  bytes: number;
  /** "untouched", "rewritten" or "write-failed". */
  seedFile: string;
  /** Why the module refuses (absent while healthy). */
  error?: string;
}

export function entropyStatus(): EntropyStatus {
  const s: EntropyStatus = {
    source: SOURCE_LABEL,
    health: HEALTH_NAMES[state],
    minEntropyBitsPerSample: ENTROPY_BITS_PER_SAMPLE,
    samples: health !== null ? health.count : 0,
    reseeds: reseeds,
    bytes: bytesOut,
    seedFile: seedFile,
  };
  if (error !== null) s.error = error.message;
  return s;
}
