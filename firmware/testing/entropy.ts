// Internals of the entropy module for tests and benchmarks (test bundle only).
import { HmacDrbg, RESEED_INTERVAL, MAX_REQUEST } from "../entropy/drbg";
import { Health, APT_WINDOW, BIT_CUTOFF, STARTUP_SAMPLES } from "../entropy/health";
import { isFixedSeedStream } from "../entropy/fixedseed";
import { CHUNK } from "../entropy/index";
import { SOURCE_LABEL, readSamples, sourceReady } from "../entropy/source";
import { SEED_FILES } from "../entropy/seedfile";
import { SHA256 } from "../crypto/sha2";

export const entropy = {
  /** new T.entropy.drbg(entropy, nonce, personalization|null) with SHA-256. */
  drbg: function (e: Uint8Array, n: Uint8Array, p: Uint8Array | null): HmacDrbg {
    return new HmacDrbg(SHA256, e, n, p);
  },
  Health: Health,
  isFixedSeedStream: isFixedSeedStream,
  readSamples: readSamples,
  sourceReady: sourceReady,
  SOURCE_LABEL: SOURCE_LABEL,
  SEED_FILES: SEED_FILES,
  CHUNK: CHUNK,
  RESEED_INTERVAL: RESEED_INTERVAL,
  MAX_REQUEST: MAX_REQUEST,
  APT_WINDOW: APT_WINDOW,
  BIT_CUTOFF: BIT_CUTOFF,
  STARTUP_SAMPLES: STARTUP_SAMPLES,
};
