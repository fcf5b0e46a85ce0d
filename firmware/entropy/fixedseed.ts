// Detection of the interpreter's fixed-seed generator (FACTS §4): E.hwRand() and Math.random()
// on the Linux and ESP32 builds are one multiply-with-carry generator, seeded identically at
// every boot:
//   z = 36969 * (z & 65535) + (z >>> 16)
//   w = 18000 * (w & 65535) + (w >>> 16)
//   out = ((z << 16) + w) & 0x7fffffff          (seeds z = 0xCAFEBABE, w = 0xDEADBEEF)
// A source that returns its outputs (a mis-wired build, a register address that reads back
// the same generator, a test double) passes every statistical health test, so it is refused by
// recovering the generator's state from two outputs and checking that the following outputs
// are exactly what the recurrence predicts. This finds the generator at any point of its
// sequence, not only at boot.
//
// State recovery. After a step both halves are below 2^32: w < 18001 * 65536 and
// z < 36970 * 65536, so w = wh * 65536 + wl with wh <= 18000, z = zh * 65536 + zl with zh <= 36969.
//   - out & 0xffff = wl (the z part is shifted left by 16), so two outputs give wl1, wl2 and
//     w2 = 18000 * wl1 + wh1 fixes wh1 = (wl2 - 18000 * wl1) mod 65536, which must be <= 18000.
//   - bits 16..30 of out are (zl + wh) mod 2^15: output 1 gives zl1 mod 2^15 (bit 15 of zl1 is
//     lost: 2 choices); output 2 gives z2 mod 2^15 = (36969 * zl1 + zh1) mod 2^15, so zh1 is
//     r or r + 32768 (at most 36969): at most 4 candidate states in all.
//   Each candidate is run forward and must reproduce every further output exactly (31 bits
//   each): with 8 outputs a random source matches with probability below 4 * 2^-186.
// All arithmetic stays below 2^33: exact in doubles, and & / >>> see values below 2^63.

/** First outputs after boot (FACTS §4). */
export const FIXED_SEED_FIRST = 2002641757;

/** True when s[o], s[o+1], ... s[o+n-1] (n >= 3) are consecutive outputs of the generator. */
export function isFixedSeedStream(s: Uint32Array, o: number, n: number): boolean {
  let i: number, j: number, b: number, k: number, z: number, w: number, zl: number, zh: number, r: number, ok: boolean;
  if (n < 3 || o + n > s.length) return false;
  for (i = 0; i < n; i++) if (s[o + i] > 0x7fffffff) return false;
  const o1 = s[o], o2 = s[o + 1];
  const wl1 = o1 & 0xffff;
  const wh1 = ((o2 & 0xffff) - ((18000 * wl1) & 0xffff) + 65536) & 0xffff;
  if (wh1 > 18000) return false;
  const w1 = wh1 * 65536 + wl1;
  const w2 = 18000 * wl1 + wh1;
  const zl15 = (((o1 - w1) % 2147483648 + 2147483648) % 2147483648) / 65536; // integer 0..32767
  const t2 = (((o2 - w2) % 2147483648 + 2147483648) % 2147483648) / 65536; // z2 mod 2^15
  for (b = 0; b < 2; b++) {
    zl = zl15 + b * 32768;
    r = (t2 - ((36969 * zl) % 32768) + 32768) % 32768;
    for (k = 0; k < 2; k++) {
      zh = r + k * 32768;
      if (zh > 36969) continue;
      // Candidate state after output 1: z = zh:zl, w = w1. Run it forward.
      z = zh * 65536 + zl;
      w = w1;
      ok = true;
      for (j = 1; j < n; j++) {
        z = 36969 * (z & 65535) + (z >>> 16);
        w = 18000 * (w & 65535) + (w >>> 16);
        if (((z & 65535) * 65536 + w) % 2147483648 !== s[o + j]) { ok = false; break; }
      }
      if (ok) return true;
    }
  }
  return false;
}
