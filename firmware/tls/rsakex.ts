// RSA key transport for TLS_RSA_WITH_AES_128_GCM_SHA256 (RFC 5246 §7.4.7.1): the premaster
// secret encrypted to the server's certificate key with RSAES-PKCS1-v1_5 (RFC 8017 §7.2.1).
// No forward secrecy: whoever gets the server's private key later can decrypt the session.
import type { Job } from "../util/job";
import { EtError } from "../errors";
import { stripZeros, modExpJob } from "../crypto/bignum";

/** EM = 00 02 PS 00 M with PS at least 8 random nonzero bytes, then EM^e mod N (k bytes). */
export function rsaEncryptPkcs1Job(modulus: Uint8Array, exponent: Uint8Array, msg: Uint8Array, random: (n: number) => Uint8Array): Job<Uint8Array> {
  const N = stripZeros(modulus);
  const k = N.length;
  if (msg.length > k - 11) throw new EtError("CRYPTO_BAD_KEY", "RSA modulus too small for the message");
  const eb = stripZeros(exponent);
  if (eb.length > 5) throw new EtError("CRYPTO_BAD_KEY", "RSA exponent longer than 33 bits");
  let e = 0;
  for (let i = 0; i < eb.length; i++) e = e * 256 + eb[i];
  const psLen = k - 3 - msg.length;
  const ps = random(psLen);
  for (let i = 0; i < psLen; i++) {
    while (ps[i] === 0) ps[i] = random(1)[0];
  }
  const em = new Uint8Array(k);
  em[1] = 2;
  em.set(ps, 2);
  em.set(msg, k - msg.length);
  return modExpJob(N, em, e);
}
