// Prime-field arithmetic for the NIST curves P-256 and P-384, without BigInt.
//
// Representation: an element is an Int32Array of N limbs of 24 bits, little-endian
// (value = sum a[i]*2^(24i)); P-256 uses N = 11 (264 bits), P-384 N = 16 (384 bits).
// 24-bit limbs are the largest that keep every column of a schoolbook product exact in
// doubles: a column sums at most 16 products < 2^48 plus small reduction terms, < 2^53.
// (26-bit limbs would overflow 2^53 with two products; 16-bit limbs need twice the products.)
//
// Elements live in the Montgomery domain (a*R mod p, R = 2^(24N)) and are only loosely
// reduced: limbs 0..N-2 are in [0, 2^24), and the value is < 2^257 (P-256) or < 2^384
// (P-384), not necessarily < p. feCanon() gives the unique value in [0, p) when needed
// (encoding, comparisons).
//
// Multiplication is Montgomery's (product scanning, one column at a time) with the
// reduction specialised to the form of the primes. Measured on the release interpreter
// (x86, µs per call, best of 25 batches, code in RAM) before choosing:
//   P-256, 24-bit limbs, special-form Montgomery, unrolled: mul 157-165, sqr 117-120
//   P-256, 24-bit limbs, generic Montgomery (any p), unrolled:  mul ~192
//   P-256, 24-bit limbs, generic Montgomery, looped:            mul ~800
//   P-256, 16-bit limbs (what a 32-bit-word Solinas reduction needs): the product alone ~470
//   P-384, 24-bit limbs, special-form Montgomery, unrolled: mul 307-320, sqr 204-216
//   additions: unrolled 40 (P-256) / 56 (P-384); looped 71 (P-256)
// (Int32Array and Float64Array limbs, `let` and `var`: no measurable difference.)
// Both primes are -1 mod 2^24, so the Montgomery multiplier of a column is simply its low
// 24 bits m, and adding m*p = m*(p+1) - m clears the column (carry (s - m)/2^24) and adds m
// times a sparse p+1 to later columns:
//   P-256: p+1 = 2^256 - 2^224 + 2^192 + 2^96 = limbs +1@4, +1@8, -2^8@9, +2^16@10
//   P-384: p+1 = 2^384 - 2^128 - 2^96 + 2^32 = limbs +2^8@1, -1@4, -2^8@5, +1@16
// For P-256, R = 2^264 leaves 8 bits of slack: inputs < 2^257 give outputs < p + 2^250, so no
// final subtraction is needed. For P-384, R = 2^384 has no slack: an output >= 2^384 (carry
// out of the top limb) is folded back with 2^384 = 2^128 + 2^96 - 2^32 + 1 (mod p) (fix384).
//
// Additions, subtractions and small multiples fold the bits above 2^256 (P-256: 2^256 =
// 2^224 - 2^192 - 2^96 + 1) or 2^384 (P-384) in the same single pass as the carries, taking
// the fold amount h from the uncarried top limb. Subtraction adds a multiple of p (8p for
// P-256, 2p for P-384) written with every low limb in [2^24-1, 2^25), so no limb goes
// negative before the fold. All these intermediate values are < 2^31, so `&` and `>>` are exact.
//
// The unrolled functions between the GENERATED markers come from tools/gen/ecfield (regenerate
// with `node tools/gen/ecfield/update.mjs`; a test checks they match) and are checked against
// BigInt arithmetic on random and edge inputs by test/unit/nist.test.mjs.
// Code size (minified): ~3.2 KB mul+sqr and ~1.5 KB add/sub/muls for P-256, ~5.4 + 2.4 KB for P-384.

/** A prime field as the curve code uses it. All operations allow r to alias the inputs. */
export interface Field {
  /** Limbs per element. */
  readonly N: number;
  /** Bytes of an encoded element (32 or 48). */
  readonly len: number;
  /** p, canonical limbs. */
  readonly p: Int32Array;
  /** R^2 mod p, for feToMont. */
  readonly r2: Int32Array;
  /** R mod p: 1 in the Montgomery domain. */
  readonly one: Int32Array;
  /** p - 2, big-endian: the inversion exponent. */
  readonly pm2: Uint8Array;
  /** r = a*b/R mod p (Montgomery product). */
  readonly mul: (r: Int32Array, a: Int32Array, b: Int32Array) => void;
  /** r = a*a/R mod p. */
  readonly sqr: (r: Int32Array, a: Int32Array) => void;
  /** r = a + b mod p. */
  readonly add: (r: Int32Array, a: Int32Array, b: Int32Array) => void;
  /** r = a - b mod p. */
  readonly sub: (r: Int32Array, a: Int32Array, b: Int32Array) => void;
  /** r = k*a mod p for a small integer 0 <= k <= 12. */
  readonly muls: (r: Int32Array, a: Int32Array, k: number) => void;
  /** Scratch element for the helpers below (not reentrant). */
  readonly tmp: Int32Array;
}

/** P-384: folds h*2^384 (h from the caller) and any excess of the top limb back into range. */
function fix384(r: Int32Array, h: number): void {
  let s: number, c: number, i: number;
  for (;;) {
    if (h === 0) {
      if (r[15] <= 16777215) return;
      h = r[15] >> 24;
      r[15] &= 16777215;
    }
    // h*2^384 = h*(2^128 + 2^96 - 2^32 + 1) mod p
    r[0] += h;
    r[1] -= 256 * h;
    r[4] += h;
    r[5] += 256 * h;
    c = 0;
    for (i = 0; i < 15; i++) {
      s = r[i] + c;
      r[i] = s & 16777215;
      c = s >> 24;
    }
    r[15] += c;
    h = 0;
  }
}

// ---- GENERATED (unrolled field operations; see the header) ----
function mul256(r: Int32Array, a: Int32Array, b: Int32Array): void {
  let s: number, c: number, t: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number, a10: number, b0: number, b1: number, b2: number, b3: number, b4: number, b5: number, b6: number, b7: number, b8: number, b9: number, b10: number, m0: number, m1: number, m2: number, m3: number, m4: number, m5: number, m6: number, m7: number, m8: number, m9: number, m10: number;
  a0=a[0];
  a1=a[1];
  a2=a[2];
  a3=a[3];
  a4=a[4];
  a5=a[5];
  a6=a[6];
  a7=a[7];
  a8=a[8];
  a9=a[9];
  a10=a[10];
  b0=b[0];
  b1=b[1];
  b2=b[2];
  b3=b[3];
  b4=b[4];
  b5=b[5];
  b6=b[6];
  b7=b[7];
  b8=b[8];
  b9=b[9];
  b10=b[10];
  s=a0*b0;m0=s&16777215;c=(s-m0)/16777216;
  s=c+a0*b1+a1*b0;m1=s&16777215;c=(s-m1)/16777216;
  s=c+a0*b2+a1*b1+a2*b0;m2=s&16777215;c=(s-m2)/16777216;
  s=c+a0*b3+a1*b2+a2*b1+a3*b0;m3=s&16777215;c=(s-m3)/16777216;
  s=c+a0*b4+a1*b3+a2*b2+a3*b1+a4*b0+m0;m4=s&16777215;c=(s-m4)/16777216;
  s=c+a0*b5+a1*b4+a2*b3+a3*b2+a4*b1+a5*b0+m1;m5=s&16777215;c=(s-m5)/16777216;
  s=c+a0*b6+a1*b5+a2*b4+a3*b3+a4*b2+a5*b1+a6*b0+m2;m6=s&16777215;c=(s-m6)/16777216;
  s=c+a0*b7+a1*b6+a2*b5+a3*b4+a4*b3+a5*b2+a6*b1+a7*b0+m3;m7=s&16777215;c=(s-m7)/16777216;
  s=c+a0*b8+a1*b7+a2*b6+a3*b5+a4*b4+a5*b3+a6*b2+a7*b1+a8*b0+m4+m0;m8=s&16777215;c=(s-m8)/16777216;
  s=c+a0*b9+a1*b8+a2*b7+a3*b6+a4*b5+a5*b4+a6*b3+a7*b2+a8*b1+a9*b0+m5+m1-256*m0;m9=s&16777215;c=(s-m9)/16777216;
  s=c+a0*b10+a1*b9+a2*b8+a3*b7+a4*b6+a5*b5+a6*b4+a7*b3+a8*b2+a9*b1+a10*b0+m6+m2-256*m1+65536*m0;m10=s&16777215;c=(s-m10)/16777216;
  s=c+a1*b10+a2*b9+a3*b8+a4*b7+a5*b6+a6*b5+a7*b4+a8*b3+a9*b2+a10*b1+m7+m3-256*m2+65536*m1;t=s&16777215;r[0]=t;c=(s-t)/16777216;
  s=c+a2*b10+a3*b9+a4*b8+a5*b7+a6*b6+a7*b5+a8*b4+a9*b3+a10*b2+m8+m4-256*m3+65536*m2;t=s&16777215;r[1]=t;c=(s-t)/16777216;
  s=c+a3*b10+a4*b9+a5*b8+a6*b7+a7*b6+a8*b5+a9*b4+a10*b3+m9+m5-256*m4+65536*m3;t=s&16777215;r[2]=t;c=(s-t)/16777216;
  s=c+a4*b10+a5*b9+a6*b8+a7*b7+a8*b6+a9*b5+a10*b4+m10+m6-256*m5+65536*m4;t=s&16777215;r[3]=t;c=(s-t)/16777216;
  s=c+a5*b10+a6*b9+a7*b8+a8*b7+a9*b6+a10*b5+m7-256*m6+65536*m5;t=s&16777215;r[4]=t;c=(s-t)/16777216;
  s=c+a6*b10+a7*b9+a8*b8+a9*b7+a10*b6+m8-256*m7+65536*m6;t=s&16777215;r[5]=t;c=(s-t)/16777216;
  s=c+a7*b10+a8*b9+a9*b8+a10*b7+m9-256*m8+65536*m7;t=s&16777215;r[6]=t;c=(s-t)/16777216;
  s=c+a8*b10+a9*b9+a10*b8+m10-256*m9+65536*m8;t=s&16777215;r[7]=t;c=(s-t)/16777216;
  s=c+a9*b10+a10*b9-256*m10+65536*m9;t=s&16777215;r[8]=t;c=(s-t)/16777216;
  s=c+a10*b10+65536*m10;t=s&16777215;r[9]=t;c=(s-t)/16777216;
  c=c;
  r[10] = c;
}

function sqr256(r: Int32Array, a: Int32Array): void {
  let s: number, c: number, t: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number, a10: number, m0: number, m1: number, m2: number, m3: number, m4: number, m5: number, m6: number, m7: number, m8: number, m9: number, m10: number;
  a0=a[0];
  a1=a[1];
  a2=a[2];
  a3=a[3];
  a4=a[4];
  a5=a[5];
  a6=a[6];
  a7=a[7];
  a8=a[8];
  a9=a[9];
  a10=a[10];
  s=a0*a0;m0=s&16777215;c=(s-m0)/16777216;
  s=c+2*a0*a1;m1=s&16777215;c=(s-m1)/16777216;
  s=c+2*a0*a2+a1*a1;m2=s&16777215;c=(s-m2)/16777216;
  s=c+2*(a0*a3+a1*a2);m3=s&16777215;c=(s-m3)/16777216;
  s=c+2*(a0*a4+a1*a3)+a2*a2+m0;m4=s&16777215;c=(s-m4)/16777216;
  s=c+2*(a0*a5+a1*a4+a2*a3)+m1;m5=s&16777215;c=(s-m5)/16777216;
  s=c+2*(a0*a6+a1*a5+a2*a4)+a3*a3+m2;m6=s&16777215;c=(s-m6)/16777216;
  s=c+2*(a0*a7+a1*a6+a2*a5+a3*a4)+m3;m7=s&16777215;c=(s-m7)/16777216;
  s=c+2*(a0*a8+a1*a7+a2*a6+a3*a5)+a4*a4+m4+m0;m8=s&16777215;c=(s-m8)/16777216;
  s=c+2*(a0*a9+a1*a8+a2*a7+a3*a6+a4*a5)+m5+m1-256*m0;m9=s&16777215;c=(s-m9)/16777216;
  s=c+2*(a0*a10+a1*a9+a2*a8+a3*a7+a4*a6)+a5*a5+m6+m2-256*m1+65536*m0;m10=s&16777215;c=(s-m10)/16777216;
  s=c+2*(a1*a10+a2*a9+a3*a8+a4*a7+a5*a6)+m7+m3-256*m2+65536*m1;t=s&16777215;r[0]=t;c=(s-t)/16777216;
  s=c+2*(a2*a10+a3*a9+a4*a8+a5*a7)+a6*a6+m8+m4-256*m3+65536*m2;t=s&16777215;r[1]=t;c=(s-t)/16777216;
  s=c+2*(a3*a10+a4*a9+a5*a8+a6*a7)+m9+m5-256*m4+65536*m3;t=s&16777215;r[2]=t;c=(s-t)/16777216;
  s=c+2*(a4*a10+a5*a9+a6*a8)+a7*a7+m10+m6-256*m5+65536*m4;t=s&16777215;r[3]=t;c=(s-t)/16777216;
  s=c+2*(a5*a10+a6*a9+a7*a8)+m7-256*m6+65536*m5;t=s&16777215;r[4]=t;c=(s-t)/16777216;
  s=c+2*(a6*a10+a7*a9)+a8*a8+m8-256*m7+65536*m6;t=s&16777215;r[5]=t;c=(s-t)/16777216;
  s=c+2*(a7*a10+a8*a9)+m9-256*m8+65536*m7;t=s&16777215;r[6]=t;c=(s-t)/16777216;
  s=c+2*a8*a10+a9*a9+m10-256*m9+65536*m8;t=s&16777215;r[7]=t;c=(s-t)/16777216;
  s=c+2*a9*a10-256*m10+65536*m9;t=s&16777215;r[8]=t;c=(s-t)/16777216;
  s=c+a10*a10+65536*m10;t=s&16777215;r[9]=t;c=(s-t)/16777216;
  c=c;
  r[10] = c;
}

function add256(r: Int32Array, a: Int32Array, b: Int32Array): void {
  let s: number, h: number, c: number;
  h=(a[10]+b[10])>>16;
  s=a[0]+b[0]+h;r[0]=s&16777215;c=s>>24;
  s=a[1]+b[1]+c;r[1]=s&16777215;c=s>>24;
  s=a[2]+b[2]+c;r[2]=s&16777215;c=s>>24;
  s=a[3]+b[3]+c;r[3]=s&16777215;c=s>>24;
  s=a[4]+b[4]-h+c;r[4]=s&16777215;c=s>>24;
  s=a[5]+b[5]+c;r[5]=s&16777215;c=s>>24;
  s=a[6]+b[6]+c;r[6]=s&16777215;c=s>>24;
  s=a[7]+b[7]+c;r[7]=s&16777215;c=s>>24;
  s=a[8]+b[8]-h+c;r[8]=s&16777215;c=s>>24;
  s=a[9]+b[9]+256*h+c;r[9]=s&16777215;c=s>>24;
  r[10]=a[10]+b[10]-h*65536+c;
}

function sub256(r: Int32Array, a: Int32Array, b: Int32Array): void {
  let s: number, h: number, c: number;
  h=(a[10]-b[10]+524286)>>16;
  s=a[0]-b[0]+33554424+h;r[0]=s&16777215;c=s>>24;
  s=a[1]-b[1]+33554430+c;r[1]=s&16777215;c=s>>24;
  s=a[2]-b[2]+33554430+c;r[2]=s&16777215;c=s>>24;
  s=a[3]-b[3]+33554430+c;r[3]=s&16777215;c=s>>24;
  s=a[4]-b[4]+16777222-h+c;r[4]=s&16777215;c=s>>24;
  s=a[5]-b[5]+16777215+c;r[5]=s&16777215;c=s>>24;
  s=a[6]-b[6]+16777215+c;r[6]=s&16777215;c=s>>24;
  s=a[7]-b[7]+16777215+c;r[7]=s&16777215;c=s>>24;
  s=a[8]-b[8]+16777223-h+c;r[8]=s&16777215;c=s>>24;
  s=a[9]-b[9]+33552383+256*h+c;r[9]=s&16777215;c=s>>24;
  r[10]=a[10]-b[10]+524286-h*65536+c;
}

function muls256(r: Int32Array, a: Int32Array, k: number): void {
  let s: number, h: number, c: number;
  h=(k*a[10])>>16;
  s=k*a[0]+h;r[0]=s&16777215;c=s>>24;
  s=k*a[1]+c;r[1]=s&16777215;c=s>>24;
  s=k*a[2]+c;r[2]=s&16777215;c=s>>24;
  s=k*a[3]+c;r[3]=s&16777215;c=s>>24;
  s=k*a[4]-h+c;r[4]=s&16777215;c=s>>24;
  s=k*a[5]+c;r[5]=s&16777215;c=s>>24;
  s=k*a[6]+c;r[6]=s&16777215;c=s>>24;
  s=k*a[7]+c;r[7]=s&16777215;c=s>>24;
  s=k*a[8]-h+c;r[8]=s&16777215;c=s>>24;
  s=k*a[9]+256*h+c;r[9]=s&16777215;c=s>>24;
  r[10]=k*a[10]-h*65536+c;
}

function mul384(r: Int32Array, a: Int32Array, b: Int32Array): void {
  let s: number, c: number, t: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number, a10: number, a11: number, a12: number, a13: number, a14: number, a15: number, b0: number, b1: number, b2: number, b3: number, b4: number, b5: number, b6: number, b7: number, b8: number, b9: number, b10: number, b11: number, b12: number, b13: number, b14: number, b15: number, m0: number, m1: number, m2: number, m3: number, m4: number, m5: number, m6: number, m7: number, m8: number, m9: number, m10: number, m11: number, m12: number, m13: number, m14: number, m15: number;
  a0=a[0];
  a1=a[1];
  a2=a[2];
  a3=a[3];
  a4=a[4];
  a5=a[5];
  a6=a[6];
  a7=a[7];
  a8=a[8];
  a9=a[9];
  a10=a[10];
  a11=a[11];
  a12=a[12];
  a13=a[13];
  a14=a[14];
  a15=a[15];
  b0=b[0];
  b1=b[1];
  b2=b[2];
  b3=b[3];
  b4=b[4];
  b5=b[5];
  b6=b[6];
  b7=b[7];
  b8=b[8];
  b9=b[9];
  b10=b[10];
  b11=b[11];
  b12=b[12];
  b13=b[13];
  b14=b[14];
  b15=b[15];
  s=a0*b0;m0=s&16777215;c=(s-m0)/16777216;
  s=c+a0*b1+a1*b0+256*m0;m1=s&16777215;c=(s-m1)/16777216;
  s=c+a0*b2+a1*b1+a2*b0+256*m1;m2=s&16777215;c=(s-m2)/16777216;
  s=c+a0*b3+a1*b2+a2*b1+a3*b0+256*m2;m3=s&16777215;c=(s-m3)/16777216;
  s=c+a0*b4+a1*b3+a2*b2+a3*b1+a4*b0+256*m3-m0;m4=s&16777215;c=(s-m4)/16777216;
  s=c+a0*b5+a1*b4+a2*b3+a3*b2+a4*b1+a5*b0+256*m4-m1-256*m0;m5=s&16777215;c=(s-m5)/16777216;
  s=c+a0*b6+a1*b5+a2*b4+a3*b3+a4*b2+a5*b1+a6*b0+256*m5-m2-256*m1;m6=s&16777215;c=(s-m6)/16777216;
  s=c+a0*b7+a1*b6+a2*b5+a3*b4+a4*b3+a5*b2+a6*b1+a7*b0+256*m6-m3-256*m2;m7=s&16777215;c=(s-m7)/16777216;
  s=c+a0*b8+a1*b7+a2*b6+a3*b5+a4*b4+a5*b3+a6*b2+a7*b1+a8*b0+256*m7-m4-256*m3;m8=s&16777215;c=(s-m8)/16777216;
  s=c+a0*b9+a1*b8+a2*b7+a3*b6+a4*b5+a5*b4+a6*b3+a7*b2+a8*b1+a9*b0+256*m8-m5-256*m4;m9=s&16777215;c=(s-m9)/16777216;
  s=c+a0*b10+a1*b9+a2*b8+a3*b7+a4*b6+a5*b5+a6*b4+a7*b3+a8*b2+a9*b1+a10*b0+256*m9-m6-256*m5;m10=s&16777215;c=(s-m10)/16777216;
  s=c+a0*b11+a1*b10+a2*b9+a3*b8+a4*b7+a5*b6+a6*b5+a7*b4+a8*b3+a9*b2+a10*b1+a11*b0+256*m10-m7-256*m6;m11=s&16777215;c=(s-m11)/16777216;
  s=c+a0*b12+a1*b11+a2*b10+a3*b9+a4*b8+a5*b7+a6*b6+a7*b5+a8*b4+a9*b3+a10*b2+a11*b1+a12*b0+256*m11-m8-256*m7;m12=s&16777215;c=(s-m12)/16777216;
  s=c+a0*b13+a1*b12+a2*b11+a3*b10+a4*b9+a5*b8+a6*b7+a7*b6+a8*b5+a9*b4+a10*b3+a11*b2+a12*b1+a13*b0+256*m12-m9-256*m8;m13=s&16777215;c=(s-m13)/16777216;
  s=c+a0*b14+a1*b13+a2*b12+a3*b11+a4*b10+a5*b9+a6*b8+a7*b7+a8*b6+a9*b5+a10*b4+a11*b3+a12*b2+a13*b1+a14*b0+256*m13-m10-256*m9;m14=s&16777215;c=(s-m14)/16777216;
  s=c+a0*b15+a1*b14+a2*b13+a3*b12+a4*b11+a5*b10+a6*b9+a7*b8+a8*b7+a9*b6+a10*b5+a11*b4+a12*b3+a13*b2+a14*b1+a15*b0+256*m14-m11-256*m10;m15=s&16777215;c=(s-m15)/16777216;
  s=c+a1*b15+a2*b14+a3*b13+a4*b12+a5*b11+a6*b10+a7*b9+a8*b8+a9*b7+a10*b6+a11*b5+a12*b4+a13*b3+a14*b2+a15*b1+256*m15-m12-256*m11+m0;t=s&16777215;r[0]=t;c=(s-t)/16777216;
  s=c+a2*b15+a3*b14+a4*b13+a5*b12+a6*b11+a7*b10+a8*b9+a9*b8+a10*b7+a11*b6+a12*b5+a13*b4+a14*b3+a15*b2-m13-256*m12+m1;t=s&16777215;r[1]=t;c=(s-t)/16777216;
  s=c+a3*b15+a4*b14+a5*b13+a6*b12+a7*b11+a8*b10+a9*b9+a10*b8+a11*b7+a12*b6+a13*b5+a14*b4+a15*b3-m14-256*m13+m2;t=s&16777215;r[2]=t;c=(s-t)/16777216;
  s=c+a4*b15+a5*b14+a6*b13+a7*b12+a8*b11+a9*b10+a10*b9+a11*b8+a12*b7+a13*b6+a14*b5+a15*b4-m15-256*m14+m3;t=s&16777215;r[3]=t;c=(s-t)/16777216;
  s=c+a5*b15+a6*b14+a7*b13+a8*b12+a9*b11+a10*b10+a11*b9+a12*b8+a13*b7+a14*b6+a15*b5-256*m15+m4;t=s&16777215;r[4]=t;c=(s-t)/16777216;
  s=c+a6*b15+a7*b14+a8*b13+a9*b12+a10*b11+a11*b10+a12*b9+a13*b8+a14*b7+a15*b6+m5;t=s&16777215;r[5]=t;c=(s-t)/16777216;
  s=c+a7*b15+a8*b14+a9*b13+a10*b12+a11*b11+a12*b10+a13*b9+a14*b8+a15*b7+m6;t=s&16777215;r[6]=t;c=(s-t)/16777216;
  s=c+a8*b15+a9*b14+a10*b13+a11*b12+a12*b11+a13*b10+a14*b9+a15*b8+m7;t=s&16777215;r[7]=t;c=(s-t)/16777216;
  s=c+a9*b15+a10*b14+a11*b13+a12*b12+a13*b11+a14*b10+a15*b9+m8;t=s&16777215;r[8]=t;c=(s-t)/16777216;
  s=c+a10*b15+a11*b14+a12*b13+a13*b12+a14*b11+a15*b10+m9;t=s&16777215;r[9]=t;c=(s-t)/16777216;
  s=c+a11*b15+a12*b14+a13*b13+a14*b12+a15*b11+m10;t=s&16777215;r[10]=t;c=(s-t)/16777216;
  s=c+a12*b15+a13*b14+a14*b13+a15*b12+m11;t=s&16777215;r[11]=t;c=(s-t)/16777216;
  s=c+a13*b15+a14*b14+a15*b13+m12;t=s&16777215;r[12]=t;c=(s-t)/16777216;
  s=c+a14*b15+a15*b14+m13;t=s&16777215;r[13]=t;c=(s-t)/16777216;
  s=c+a15*b15+m14;t=s&16777215;r[14]=t;c=(s-t)/16777216;
  c=c+m15;
  s = c; t = s & 16777215; r[15] = t;
  if (s !== t) fix384(r, (s - t) / 16777216);
}

function sqr384(r: Int32Array, a: Int32Array): void {
  let s: number, c: number, t: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, a8: number, a9: number, a10: number, a11: number, a12: number, a13: number, a14: number, a15: number, m0: number, m1: number, m2: number, m3: number, m4: number, m5: number, m6: number, m7: number, m8: number, m9: number, m10: number, m11: number, m12: number, m13: number, m14: number, m15: number;
  a0=a[0];
  a1=a[1];
  a2=a[2];
  a3=a[3];
  a4=a[4];
  a5=a[5];
  a6=a[6];
  a7=a[7];
  a8=a[8];
  a9=a[9];
  a10=a[10];
  a11=a[11];
  a12=a[12];
  a13=a[13];
  a14=a[14];
  a15=a[15];
  s=a0*a0;m0=s&16777215;c=(s-m0)/16777216;
  s=c+2*a0*a1+256*m0;m1=s&16777215;c=(s-m1)/16777216;
  s=c+2*a0*a2+a1*a1+256*m1;m2=s&16777215;c=(s-m2)/16777216;
  s=c+2*(a0*a3+a1*a2)+256*m2;m3=s&16777215;c=(s-m3)/16777216;
  s=c+2*(a0*a4+a1*a3)+a2*a2+256*m3-m0;m4=s&16777215;c=(s-m4)/16777216;
  s=c+2*(a0*a5+a1*a4+a2*a3)+256*m4-m1-256*m0;m5=s&16777215;c=(s-m5)/16777216;
  s=c+2*(a0*a6+a1*a5+a2*a4)+a3*a3+256*m5-m2-256*m1;m6=s&16777215;c=(s-m6)/16777216;
  s=c+2*(a0*a7+a1*a6+a2*a5+a3*a4)+256*m6-m3-256*m2;m7=s&16777215;c=(s-m7)/16777216;
  s=c+2*(a0*a8+a1*a7+a2*a6+a3*a5)+a4*a4+256*m7-m4-256*m3;m8=s&16777215;c=(s-m8)/16777216;
  s=c+2*(a0*a9+a1*a8+a2*a7+a3*a6+a4*a5)+256*m8-m5-256*m4;m9=s&16777215;c=(s-m9)/16777216;
  s=c+2*(a0*a10+a1*a9+a2*a8+a3*a7+a4*a6)+a5*a5+256*m9-m6-256*m5;m10=s&16777215;c=(s-m10)/16777216;
  s=c+2*(a0*a11+a1*a10+a2*a9+a3*a8+a4*a7+a5*a6)+256*m10-m7-256*m6;m11=s&16777215;c=(s-m11)/16777216;
  s=c+2*(a0*a12+a1*a11+a2*a10+a3*a9+a4*a8+a5*a7)+a6*a6+256*m11-m8-256*m7;m12=s&16777215;c=(s-m12)/16777216;
  s=c+2*(a0*a13+a1*a12+a2*a11+a3*a10+a4*a9+a5*a8+a6*a7)+256*m12-m9-256*m8;m13=s&16777215;c=(s-m13)/16777216;
  s=c+2*(a0*a14+a1*a13+a2*a12+a3*a11+a4*a10+a5*a9+a6*a8)+a7*a7+256*m13-m10-256*m9;m14=s&16777215;c=(s-m14)/16777216;
  s=c+2*(a0*a15+a1*a14+a2*a13+a3*a12+a4*a11+a5*a10+a6*a9+a7*a8)+256*m14-m11-256*m10;m15=s&16777215;c=(s-m15)/16777216;
  s=c+2*(a1*a15+a2*a14+a3*a13+a4*a12+a5*a11+a6*a10+a7*a9)+a8*a8+256*m15-m12-256*m11+m0;t=s&16777215;r[0]=t;c=(s-t)/16777216;
  s=c+2*(a2*a15+a3*a14+a4*a13+a5*a12+a6*a11+a7*a10+a8*a9)-m13-256*m12+m1;t=s&16777215;r[1]=t;c=(s-t)/16777216;
  s=c+2*(a3*a15+a4*a14+a5*a13+a6*a12+a7*a11+a8*a10)+a9*a9-m14-256*m13+m2;t=s&16777215;r[2]=t;c=(s-t)/16777216;
  s=c+2*(a4*a15+a5*a14+a6*a13+a7*a12+a8*a11+a9*a10)-m15-256*m14+m3;t=s&16777215;r[3]=t;c=(s-t)/16777216;
  s=c+2*(a5*a15+a6*a14+a7*a13+a8*a12+a9*a11)+a10*a10-256*m15+m4;t=s&16777215;r[4]=t;c=(s-t)/16777216;
  s=c+2*(a6*a15+a7*a14+a8*a13+a9*a12+a10*a11)+m5;t=s&16777215;r[5]=t;c=(s-t)/16777216;
  s=c+2*(a7*a15+a8*a14+a9*a13+a10*a12)+a11*a11+m6;t=s&16777215;r[6]=t;c=(s-t)/16777216;
  s=c+2*(a8*a15+a9*a14+a10*a13+a11*a12)+m7;t=s&16777215;r[7]=t;c=(s-t)/16777216;
  s=c+2*(a9*a15+a10*a14+a11*a13)+a12*a12+m8;t=s&16777215;r[8]=t;c=(s-t)/16777216;
  s=c+2*(a10*a15+a11*a14+a12*a13)+m9;t=s&16777215;r[9]=t;c=(s-t)/16777216;
  s=c+2*(a11*a15+a12*a14)+a13*a13+m10;t=s&16777215;r[10]=t;c=(s-t)/16777216;
  s=c+2*(a12*a15+a13*a14)+m11;t=s&16777215;r[11]=t;c=(s-t)/16777216;
  s=c+2*a13*a15+a14*a14+m12;t=s&16777215;r[12]=t;c=(s-t)/16777216;
  s=c+2*a14*a15+m13;t=s&16777215;r[13]=t;c=(s-t)/16777216;
  s=c+a15*a15+m14;t=s&16777215;r[14]=t;c=(s-t)/16777216;
  c=c+m15;
  s = c; t = s & 16777215; r[15] = t;
  if (s !== t) fix384(r, (s - t) / 16777216);
}

function add384(r: Int32Array, a: Int32Array, b: Int32Array): void {
  let s: number, h: number, c: number;
  h=(a[15]+b[15])>>24;
  s=a[0]+b[0]+h;r[0]=s&16777215;c=s>>24;
  s=a[1]+b[1]-256*h+c;r[1]=s&16777215;c=s>>24;
  s=a[2]+b[2]+c;r[2]=s&16777215;c=s>>24;
  s=a[3]+b[3]+c;r[3]=s&16777215;c=s>>24;
  s=a[4]+b[4]+h+c;r[4]=s&16777215;c=s>>24;
  s=a[5]+b[5]+256*h+c;r[5]=s&16777215;c=s>>24;
  s=a[6]+b[6]+c;r[6]=s&16777215;c=s>>24;
  s=a[7]+b[7]+c;r[7]=s&16777215;c=s>>24;
  s=a[8]+b[8]+c;r[8]=s&16777215;c=s>>24;
  s=a[9]+b[9]+c;r[9]=s&16777215;c=s>>24;
  s=a[10]+b[10]+c;r[10]=s&16777215;c=s>>24;
  s=a[11]+b[11]+c;r[11]=s&16777215;c=s>>24;
  s=a[12]+b[12]+c;r[12]=s&16777215;c=s>>24;
  s=a[13]+b[13]+c;r[13]=s&16777215;c=s>>24;
  s=a[14]+b[14]+c;r[14]=s&16777215;c=s>>24;
  r[15]=a[15]+b[15]-h*16777216+c;
  if (r[15] > 16777215) fix384(r, 0);
}

function sub384(r: Int32Array, a: Int32Array, b: Int32Array): void {
  let s: number, h: number, c: number;
  h=(a[15]-b[15]+33554430)>>24;
  s=a[0]-b[0]+33554430+h;r[0]=s&16777215;c=s>>24;
  s=a[1]-b[1]+16777726-256*h+c;r[1]=s&16777215;c=s>>24;
  s=a[2]-b[2]+16777215+c;r[2]=s&16777215;c=s>>24;
  s=a[3]-b[3]+16777215+c;r[3]=s&16777215;c=s>>24;
  s=a[4]-b[4]+33554429+h+c;r[4]=s&16777215;c=s>>24;
  s=a[5]-b[5]+33553918+256*h+c;r[5]=s&16777215;c=s>>24;
  s=a[6]-b[6]+33554430+c;r[6]=s&16777215;c=s>>24;
  s=a[7]-b[7]+33554430+c;r[7]=s&16777215;c=s>>24;
  s=a[8]-b[8]+33554430+c;r[8]=s&16777215;c=s>>24;
  s=a[9]-b[9]+33554430+c;r[9]=s&16777215;c=s>>24;
  s=a[10]-b[10]+33554430+c;r[10]=s&16777215;c=s>>24;
  s=a[11]-b[11]+33554430+c;r[11]=s&16777215;c=s>>24;
  s=a[12]-b[12]+33554430+c;r[12]=s&16777215;c=s>>24;
  s=a[13]-b[13]+33554430+c;r[13]=s&16777215;c=s>>24;
  s=a[14]-b[14]+33554430+c;r[14]=s&16777215;c=s>>24;
  r[15]=a[15]-b[15]+33554430-h*16777216+c;
  if (r[15] > 16777215) fix384(r, 0);
}

function muls384(r: Int32Array, a: Int32Array, k: number): void {
  let s: number, h: number, c: number;
  h=(k*a[15])>>24;
  s=k*a[0]+h;r[0]=s&16777215;c=s>>24;
  s=k*a[1]-256*h+c;r[1]=s&16777215;c=s>>24;
  s=k*a[2]+c;r[2]=s&16777215;c=s>>24;
  s=k*a[3]+c;r[3]=s&16777215;c=s>>24;
  s=k*a[4]+h+c;r[4]=s&16777215;c=s>>24;
  s=k*a[5]+256*h+c;r[5]=s&16777215;c=s>>24;
  s=k*a[6]+c;r[6]=s&16777215;c=s>>24;
  s=k*a[7]+c;r[7]=s&16777215;c=s>>24;
  s=k*a[8]+c;r[8]=s&16777215;c=s>>24;
  s=k*a[9]+c;r[9]=s&16777215;c=s>>24;
  s=k*a[10]+c;r[10]=s&16777215;c=s>>24;
  s=k*a[11]+c;r[11]=s&16777215;c=s>>24;
  s=k*a[12]+c;r[12]=s&16777215;c=s>>24;
  s=k*a[13]+c;r[13]=s&16777215;c=s>>24;
  s=k*a[14]+c;r[14]=s&16777215;c=s>>24;
  r[15]=k*a[15]-h*16777216+c;
  if (r[15] > 16777215) fix384(r, 0);
}
// ---- END GENERATED ----

/** Big-endian bytes b[off, off+len) to limbs r (N limbs, zero-filled); len <= 3N. */
export function limbsFromBytes(r: Int32Array, b: Uint8Array, off: number, len: number): void {
  let i: number, e: number, v: number, j: number;
  for (i = 0; i < r.length; i++) {
    e = off + len - 3 * i; // one past the limb's lowest byte
    v = 0;
    for (j = 3; j >= 1; j--) if (e - j >= off) v = v * 256 + b[e - j];
    r[i] = v;
  }
}

/** Normalized non-negative limbs a (value < 2^(8*len)) to big-endian bytes out[off, off+len). */
export function limbsToBytes(a: Int32Array, out: Uint8Array, off: number, len: number): void {
  let i: number, v: number;
  for (i = 0; i < len; i++) {
    v = a[(i / 3) | 0];
    out[off + len - 1 - i] = (v >> (8 * (i % 3))) & 255;
  }
}

/** Compares normalized non-negative limb arrays of the same length: -1, 0, 1. */
export function limbsCmp(a: Int32Array, b: Int32Array): number {
  for (let i = a.length - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** a -= b for normalized limbs with a >= b. */
export function limbsSub(a: Int32Array, b: Int32Array): void {
  let c = 0, s: number;
  for (let i = 0; i < a.length; i++) {
    s = a[i] - b[i] + c;
    a[i] = s & 16777215;
    c = s >> 24;
  }
}

/** In place: reduces a loosely reduced element to its canonical value in [0, p). */
export function feCanon(F: Field, r: Int32Array): void {
  // r < 2^257 (P-256) or < 2^384 (P-384): at most two subtractions.
  while (limbsCmp(r, F.p) >= 0) limbsSub(r, F.p);
}

/** a == 0 (mod p). The low limb of 0, p or 2p is 0, 2^24-1 or 2^24-2 for both primes,
 *  so almost every nonzero value is rejected after one read. */
export function feIsZero(F: Field, a: Int32Array): boolean {
  const x = a[0];
  if (x !== 0 && x !== 16777215 && x !== 16777214) return false;
  const t = F.tmp;
  t.set(a);
  feCanon(F, t);
  for (let i = 0; i < t.length; i++) if (t[i] !== 0) return false;
  return true;
}

/** a == b (mod p). */
export function feEq(F: Field, a: Int32Array, b: Int32Array): boolean {
  const t = F.tmp;
  F.sub(t, a, b);
  return feIsZero(F, t);
}

/** r = a*R mod p (into the Montgomery domain); a is any value < 2^(24N). */
export function feToMont(F: Field, r: Int32Array, a: Int32Array): void {
  F.mul(r, a, F.r2);
}

/** r = a/R mod p, canonical (out of the Montgomery domain). */
export function feFromMont(F: Field, r: Int32Array, a: Int32Array): void {
  const t = F.tmp;
  t.fill(0);
  t[0] = 1;
  F.mul(r, a, t);
  feCanon(F, r);
}

/**
 * Inversion by Fermat (a^(p-2)), 4-bit fixed windows over the exponent, in slices:
 * step() does up to 4 windows (16 squarings + up to 4 multiplications: ~2.6 ms for P-256,
 * ~5 ms for P-384 on the release interpreter). a is in the Montgomery domain and so is the
 * result; a = 0 gives 0.
 */
export class FeInv {
  F: Field;
  r: Int32Array;
  tab: Int32Array[];
  i: number;
  constructor(F: Field, r: Int32Array, a: Int32Array) {
    this.F = F;
    this.r = r;
    // tab[k] = a^k for k = 1..15 (Montgomery)
    const tab: Int32Array[] = [];
    tab.push(new Int32Array(F.N));
    tab.push(new Int32Array(a));
    for (let k = 2; k < 16; k++) {
      const x = new Int32Array(F.N);
      if (k & 1) F.mul(x, tab[k - 1], tab[1]);
      else F.sqr(x, tab[k >> 1]);
      tab.push(x);
    }
    this.tab = tab;
    r.set(F.one);
    this.i = 0;
  }
  step(): boolean {
    const F = this.F, r = this.r, e = F.pm2, n = e.length * 2;
    let i = this.i, w: number, k: number;
    for (k = 0; k < 4 && i < n; k++, i++) {
      w = e[i >> 1];
      w = i & 1 ? w & 15 : w >> 4;
      if (i > 0) {
        F.sqr(r, r);
        F.sqr(r, r);
        F.sqr(r, r);
        F.sqr(r, r);
      }
      if (w) F.mul(r, r, this.tab[w]);
    }
    this.i = i;
    if (i < n) return false;
    this.tab = [];
    return true;
  }
}

/** r = 1/a mod p (Montgomery domain in and out), synchronously (~40 ms P-256, ~120 ms P-384). */
export function feInv(F: Field, r: Int32Array, a: Int32Array): void {
  const j = new FeInv(F, r, a);
  while (!j.step()) { /* continue */ }
}

function hexLimbs(N: number, hex: string): Int32Array {
  const b = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(2 * i, 2), 16);
  const r = new Int32Array(N);
  limbsFromBytes(r, b, 0, b.length);
  return r;
}

function makeField(
  N: number, len: number, pHex: string, r2Hex: string, oneHex: string,
  mul: (r: Int32Array, a: Int32Array, b: Int32Array) => void,
  sqr: (r: Int32Array, a: Int32Array) => void,
  add: (r: Int32Array, a: Int32Array, b: Int32Array) => void,
  sub: (r: Int32Array, a: Int32Array, b: Int32Array) => void,
  muls: (r: Int32Array, a: Int32Array, k: number) => void,
): Field {
  const pm2 = new Uint8Array(len);
  const p = hexLimbs(N, pHex);
  limbsToBytes(p, pm2, 0, len);
  pm2[len - 1] -= 2; // p ends in 0xff
  return {
    N: N, len: len, p: p, r2: hexLimbs(N, r2Hex), one: hexLimbs(N, oneHex), pm2: pm2,
    mul: mul, sqr: sqr, add: add, sub: sub, muls: muls, tmp: new Int32Array(N),
  };
}

/** GF(p) for P-256: p = 2^256 - 2^224 + 2^192 + 2^96 - 1, R = 2^264. */
export const FP256: Field = /*#__PURE__*/ makeField(11, 32,
  "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
  "0004fffffffdfffffffffffffffefffffffbffffffff00000000000000030000", "000000fffffffeffffffffffffffffffffffff00000000000000000000000100",
  mul256, sqr256, add256, sub256, muls256);

/** GF(p) for P-384: p = 2^384 - 2^128 - 2^96 + 2^32 - 1, R = 2^384. */
export const FP384: Field = /*#__PURE__*/ makeField(16, 48,
  "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
  "000000000000000000000000000000010000000200000000fffffffe000000000000000200000000fffffffe00000001", "000000000000000000000000000000000000000000000000000000000000000100000000ffffffffffffffff00000001",
  mul384, sqr384, add384, sub384, muls384);
