// Random sources of the board mock.
import { randomBytes } from "node:crypto";

/** The interpreter's rand(): a fixed-seed multiply-with-carry generator behind E.hwRand() and
 *  Math.random() on Linux and ESP32 (FACTS §4). Same sequence after every boot. */
export function fixedSeedRand() {
  let w = 0xdeadbeef, z = 0xcafebabe;
  return function rand() {
    z = (36969 * (z & 65535) + (z >>> 16)) >>> 0;
    w = (18000 * (w & 65535) + (w >>> 16)) >>> 0;
    return ((((z << 16) >>> 0) + w) >>> 0) & 0x7fffffff;
  };
}

/**
 * Physical entropy sources that tests inject: each is a function returning one 32-bit sample.
 * good: the OS CSPRNG. stuck: a constant. biased: each bit 1 with probability 0.9.
 * repeating: a short cycle of 4 values. fixed-seed: the interpreter's rand() (what E.hwRand gives).
 */
export function entropySource(kind) {
  if (typeof kind === "function") return kind;
  switch (kind) {
    case "good": return () => randomBytes(4).readUInt32LE(0);
    case "stuck": return () => 0x5a5a5a5a;
    case "biased": return () => {
      const b = randomBytes(32);
      let v = 0;
      for (let i = 0; i < 32; i++) v = (v | ((b[i] < 230 ? 1 : 0) << i)) >>> 0;
      return v;
    };
    case "repeating": { let i = 0; const cycle = [0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321]; return () => cycle[i++ % 4]; }
    case "fixed-seed": return fixedSeedRand();
    default: throw new Error(`unknown entropy source "${kind}" (good, stuck, biased, repeating, fixed-seed, or a function)`);
  }
}
