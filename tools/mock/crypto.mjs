// require("crypto") of the board mock: exactly the board's native functions, with the quirks
// measured on the interpreter (FACTS §4): one-shot hashes returning ArrayBuffers; AES with
// ECB zero-filling a trailing partial block, CTR ignoring the IV (zero counter), CTR/CFB decrypt
// wrong; errors printed and undefined returned instead of thrown.
import nodeCrypto from "node:crypto";

export function cryptoModule(profile, realm, print) {
  const mod = {};
  const hashFn = (alg) => (data) => {
    const digest = nodeCrypto.createHash(alg).update(realm.toBytes(data)).digest();
    return realm.arrayBuffer(digest);
  };
  const HASHES = { SHA1: "sha1", SHA224: "sha224", SHA256: "sha256", SHA384: "sha384", SHA512: "sha512" };
  for (const [name, alg] of Object.entries(HASHES)) if (profile.nativeCrypto.includes(name)) mod[name] = hashFn(alg);
  if (profile.nativeCrypto.includes("AES")) mod.AES = { encrypt: aes(true), decrypt: aes(false) };
  return mod;

  function aes(encrypting) {
    return function (data, key, options) {
      const k = realm.toBytes(key);
      if (![16, 24, 32].includes(k.length)) { print("Uncaught Error: Invalid key length"); return undefined; }
      const mode = ((options && options.mode) || "CBC").toUpperCase();
      let d = realm.toBytes(data);
      const bits = k.length * 8;
      try {
        switch (mode) {
          case "ECB": {
            // Measured on the release build: a trailing partial block comes back zero-filled.
            const whole = d.length - (d.length % 16);
            const tail = d.length - whole;
            d = d.subarray(0, whole);
            const c = encrypting ? nodeCrypto.createCipheriv(`aes-${bits}-ecb`, k, null) : nodeCrypto.createDecipheriv(`aes-${bits}-ecb`, k, null);
            c.setAutoPadding(false);
            return realm.arrayBuffer(Buffer.concat([c.update(d), c.final(), Buffer.alloc(tail)]));
          }
          case "CBC": {
            if (d.length % 16) { print("Uncaught Error: Data length must be a multiple of 16"); return undefined; }
            const iv = options && options.iv ? realm.toBytes(options.iv) : new Uint8Array(16);
            const c = encrypting ? nodeCrypto.createCipheriv(`aes-${bits}-cbc`, k, iv) : nodeCrypto.createDecipheriv(`aes-${bits}-cbc`, k, iv);
            c.setAutoPadding(false);
            return realm.arrayBuffer(Buffer.concat([c.update(d), c.final()]));
          }
          case "CTR": case "CFB8": {
            // Encrypt only, from a zero counter / zero IV; "decrypt" gives a wrong result on the board.
            const c = nodeCrypto.createCipheriv(mode === "CTR" ? `aes-${bits}-ctr` : `aes-${bits}-cfb8`, k, new Uint8Array(16));
            const out = Buffer.concat([c.update(d), c.final()]);
            if (!encrypting) out[0] ^= 0x5a;
            return realm.arrayBuffer(out);
          }
          default: print(`Uncaught Error: Unknown Crypto mode ${mode}`); return undefined;
        }
      } catch (e) { print("Uncaught Error: " + e.message); return undefined; }
    };
  }
}
