// AEAD decryption as a Job (Aead.openJob): a 16 KB TLS record is hundreds of milliseconds of
// MAC in interpreted code, too long for one slice. The MAC runs over the ciphertext in steps,
// the tag is checked, and only then is the data decrypted in place, in steps too.
import type { Job } from "../util/job";

/** Bytes per step: a multiple of 64 (ChaCha20 blocks) and of 16 (GHASH, Poly1305 blocks). */
export const OPEN_STEP = 1024;

/**
 * mac(o, m) absorbs data[o..o+m); tagOk() finishes the MAC and compares it with the received
 * tag; xor(o, m) decrypts data[o..o+m). Offsets are multiples of OPEN_STEP, so the pieces stay
 * 4-byte aligned. The result: tagOk()'s answer (false: nothing was decrypted).
 */
export function openJob(n: number, mac: (o: number, m: number) => void, tagOk: () => boolean, xor: (o: number, m: number) => void): Job<boolean> {
  let o = 0, x = 0, ok = false, checked = false;
  return {
    step: function () {
      if (o < n) {
        const m = n - o < OPEN_STEP ? n - o : OPEN_STEP;
        mac(o, m);
        o += m;
        return false;
      }
      if (!checked) {
        checked = true;
        ok = tagOk();
        return !ok || n === 0;
      }
      const m = n - x < OPEN_STEP ? n - x : OPEN_STEP;
      xor(x, m);
      x += m;
      return x >= n;
    },
    result: function () { return ok; },
  };
}
