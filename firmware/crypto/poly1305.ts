// Poly1305 (RFC 8439 §2.5) in doubles with six 22-bit limbs.
//
// Why 22 bits: the interpreter has exact integers only up to 2^53 (FACTS §2, §7). With
// limbs of 22 bits, 6 limbs hold 132 bits and 2^132 = 4 * 2^130 = 20 (mod p), so the
// wrapped-around products use s_j = 20*r_j < 2^26.33. After a block's carries every limb is
// < 2^22 except h1 < 2^22 + 2^13; adding a message limb (< 2^22) keeps them < 2^23.01, so
// every product is < 2^49.34 and a sum of six is < 2^51.93: exact. Five 26-bit limbs (the
// usual choice with 64-bit integers) would need 2^55. Carries: d < 2^52, so d / 2^22 < 2^30
// and `d / 4194304 | 0` and `d & 4194303` are exact (x|0 is exact below 2^63, FACTS §2;
// `>>>` is not usable above 2^32).
// The six sums of products per block are native dot products, E.convolve (measured 23.1 ->
// 20.2 M interpreter instructions per KB against the 36 products written in JS; ~2.5-3 ms of
// CPU per KB on the release build). E.convolve exists on builds without
// SAVE_ON_FLASH (all our boards) and sums in doubles (JsVarFloat is double unless USE_FLOATS).
//
// State layout (Float64Array(39)): [0..5] r limbs, [6..10] 20*r1..20*r5, [11..16] h limbs,
// [17..20] the pad s as four 32-bit words, [21..32] the convolution operand B (see blocks),
// [33..38] scratch for h plus the message block.

const M22 = 4194303;
// (Hot loops write 4194303 literally: a module-level name costs a scope-chain lookup there.)

/** Key setup: clamps r and stores the pad. key is 32 bytes (r || s). */
export function polyInit(key: Uint8Array): Float64Array {
  const st = new Float64Array(39);
  const w = new Int32Array(8);
  new Uint8Array(w.buffer).set(key.subarray(0, 32));
  const a = w[0] & 0x0fffffff;
  const b = w[1] & 0x0ffffffc;
  const c = w[2] & 0x0ffffffc;
  const d = w[3] & 0x0ffffffc;
  st[0] = a & M22;
  st[1] = ((a >>> 22) | (b << 10)) & M22;
  st[2] = ((b >>> 12) | (c << 20)) & M22;
  st[3] = (c >>> 2) & M22;
  st[4] = ((c >>> 24) | (d << 8)) & M22;
  st[5] = d >>> 14;
  for (let i = 1; i < 6; i++) st[5 + i] = st[i] * 20;
  for (let i = 0; i < 4; i++) st[17 + i] = w[4 + i] >>> 0;
  for (let i = 0; i < 6; i++) st[27 - i] = st[i];
  for (let i = 1; i < 6; i++) st[33 - i] = st[5 + i];
  return st;
}

declare const E: any;

/**
 * The block loop. The six products sums d_k = sum_i h_i * c_(k-i) are native dot products:
 * E.convolve(H, B, 6 - k) = sum_i H[i] * B[i + 6 - k] (doubles, exact below 2^53), with
 * B = [0, r5, r4, r3, r2, r1, r0, 20r5, 20r4, 20r3, 20r2, 20r1] (st[21..32]).
 * Accumulator and temporaries are parameters only so that they are the first names in the
 * scope (the interpreter looks names up by a linear scan).
 */
function blocks(h0: number, h1: number, h2: number, h3: number, h4: number, h5: number,
  d0: number, a: number, b: number, c: number, d: number, top: number, cv: any,
  H: Float64Array, B: Float64Array, st: Float64Array, w: Int32Array, wi: number, nb: number): void {
  while (nb-- > 0) {
    a = w[wi]; b = w[wi + 1]; c = w[wi + 2]; d = w[wi + 3];
    wi += 4;
    H[0] = h0 + (a & 4194303);
    H[1] = h1 + (((a >>> 22) | (b << 10)) & 4194303);
    H[2] = h2 + (((b >>> 12) | (c << 20)) & 4194303);
    H[3] = h3 + ((c >>> 2) & 4194303);
    H[4] = h4 + (((c >>> 24) | (d << 8)) & 4194303);
    H[5] = h5 + (d >>> 14) + top;
    d0 = cv(H, B, 6); h0 = d0 & 4194303;
    d0 = cv(H, B, 5) + (d0 / 4194304 | 0); h1 = d0 & 4194303;
    d0 = cv(H, B, 4) + (d0 / 4194304 | 0); h2 = d0 & 4194303;
    d0 = cv(H, B, 3) + (d0 / 4194304 | 0); h3 = d0 & 4194303;
    d0 = cv(H, B, 2) + (d0 / 4194304 | 0); h4 = d0 & 4194303;
    d0 = cv(H, B, 1) + (d0 / 4194304 | 0); h5 = d0 & 4194303;
    h0 += (d0 / 4194304 | 0) * 20;
    h1 += h0 / 4194304 | 0; h0 &= 4194303; // h0 may pass 2^32 here: no >>>
  }
  st[11] = h0; st[12] = h1; st[13] = h2; st[14] = h3; st[15] = h4; st[16] = h5;
}

/**
 * Absorbs nb 16-byte blocks given as little-endian words w[wi .. wi + 4*nb).
 * hb is 1 for full blocks (adds 2^128), 0 only for the final padded block of plain Poly1305.
 */
export function polyBlocks(st: Float64Array, w: Int32Array, wi: number, nb: number, hb: number): void {
  blocks(st[11], st[12], st[13], st[14], st[15], st[16], 0, 0, 0, 0, 0,
    hb ? 262144 : 0, // 2^128 = bit 18 of limb 5 (which starts at bit 110)
    E.convolve, st.subarray(33, 39), st.subarray(21, 33), st, w, wi, nb);
}

/** Writes the 16-byte tag (h + s) mod 2^128 to out[o..o+16). */
export function polyFinish(st: Float64Array, out: Uint8Array, o: number): void {
  const h = new Int32Array(6);
  const g = new Int32Array(6);
  let c = 0;
  let i = 0;
  for (i = 0; i < 6; i++) h[i] = st[11 + i];
  // Two carry passes: limb 5 holds 20 bits (2^130 = 5 mod p); after them h < 2^130.
  for (let pass = 0; pass < 2; pass++) {
    for (i = 0; i < 5; i++) {
      h[i + 1] += h[i] >>> 22;
      h[i] &= M22;
    }
    c = h[5] >>> 20;
    h[5] &= 0xfffff;
    h[0] += c * 5;
  }
  // g = h + 5 - 2^130; use g when it is not negative (h >= p). Masked select.
  c = 5;
  for (i = 0; i < 6; i++) {
    g[i] = h[i] + c;
    c = g[i] >>> 22;
    g[i] &= M22;
  }
  const m = -((g[5] >>> 20) & 1); // -1 when h + 5 >= 2^130
  g[5] &= 0xfffff;
  for (i = 0; i < 6; i++) h[i] = (h[i] & ~m) | (g[i] & m);
  // To 32-bit words and add the pad.
  const w0 = (h[0] | (h[1] << 22)) >>> 0;
  const w1 = ((h[1] >>> 10) | (h[2] << 12)) >>> 0;
  const w2 = ((h[2] >>> 20) | (h[3] << 2) | (h[4] << 24)) >>> 0;
  const w3 = ((h[4] >>> 8) | (h[5] << 14)) >>> 0;
  const ws = new Int32Array(4);
  let t = w0 + st[17];
  ws[0] = t;
  t = w1 + st[18] + (t > 0xffffffff ? 1 : 0);
  ws[1] = t;
  t = w2 + st[19] + (t > 0xffffffff ? 1 : 0);
  ws[2] = t;
  ws[3] = w3 + st[20] + (t > 0xffffffff ? 1 : 0);
  out.set(new Uint8Array(ws.buffer), o);
}

/** Poly1305 of a whole message (RFC 8439 §2.5): the 16-byte tag. */
export function poly1305(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const st = polyInit(key);
  const n = msg.length;
  const full = n >> 4;
  const buf = new Uint8Array((full + 1) << 4);
  buf.set(msg);
  const w = new Int32Array(buf.buffer);
  polyBlocks(st, w, 0, full, 1);
  if (n & 15) {
    buf[n] = 1; // the final partial block gets a 1 byte and no 2^128 bit
    polyBlocks(st, w, full << 2, 1, 0);
  }
  const tag = new Uint8Array(16);
  polyFinish(st, tag, 0);
  return tag;
}
