// The PSK inputs: a TLS 1.2 PSK / ECDHE-PSK ServerKeyExchange (psk12.ts parsePskKeyExchange, the
// one handshake message the PSK suites add) and the `psk` option (psk.ts pskFrom) with a hostile
// key and identity. Invariants: coded errors only; a ServerKeyExchange accepted only when it is
// exactly hint<0..2^16-1> [, named_curve(3), group, point<0..2^8-1>]; an option accepted only with
// a key of 16+ bytes and a non-empty identity; no error message or detail carries the key (its
// hex or its bytes).
import { fuzzFirmware, coded, latin1, Violation } from "../engine.mjs";

const vec = (n, b) => Buffer.concat([n === 2 ? Buffer.from([b.length >> 8, b.length & 255]) : Buffer.from([b.length]), b]);
const ske = (hint, ecdhe) => Buffer.concat([vec(2, Buffer.from(hint)), ecdhe ? Buffer.concat([Buffer.from([3, 0, 29]), vec(1, Buffer.alloc(32, 9))]) : Buffer.alloc(0)]);

/** Input: [mode, ...bytes]. mode & 3: 0/1 ServerKeyExchange (PSK / ECDHE-PSK), 2 the key as a byte
 *  string, 3 the key as text (hex or not); the top bits of mode split identity from key for 2/3. */
function checkKeyExchange(ctx, body, ecdhe) {
  const r = coded(() => ctx.P.parsePskKeyExchange(ctx.u8(body), ecdhe), "parsePskKeyExchange");
  if (!r.ok) return;
  const hint = Buffer.from(r.ok.hint, "latin1");
  const again = Buffer.concat([vec(2, hint), ecdhe ? Buffer.concat([Buffer.from([3, r.ok.group >> 8, r.ok.group & 255]), vec(1, Buffer.from(r.ok.point))]) : Buffer.alloc(0)]);
  // (the point's contents, empty included, are the ECDH decoder's to refuse, as on the
  // certificate path: TLS_BAD_KEY_SHARE; the key-exchange tests cover it)
  if (!again.equals(body)) throw new Violation("an accepted ServerKeyExchange is not its own encoding");
}

function checkOption(ctx, bytes, split, asText) {
  const identity = latin1(bytes.subarray(0, split)), keyPart = bytes.subarray(split);
  const key = asText ? Buffer.from(keyPart).toString("hex") + latin1(keyPart.subarray(0, keyPart.length & 3)) : latin1(keyPart);
  const r = coded(() => ctx.P.pskFrom({ identity, key }), "pskFrom");
  if (r.ok) {
    if (r.ok.key.length < 16 || !identity.length) throw new Violation("a short key or an empty identity accepted");
    return;
  }
  const said = r.err.message + " " + (r.err.detail === undefined ? "" : String(r.err.detail));
  // (the raw bytes are looked for only when some are not printable: no fixed message has such)
  const hex = Buffer.from(keyPart).toString("hex"), raw = latin1(keyPart);
  if (keyPart.length >= 4 && said.indexOf(hex) >= 0) throw new Violation("an error carries the key's hex");
  if (/[^\x20-\x7e]/.test(raw) && said.indexOf(raw) >= 0) throw new Violation("an error carries the key's bytes");
}

export default {
  async setup() {
    const fw = await fuzzFirmware();
    return { fw, P: fw.T.psk, u8: (b) => fw.board.realm.u8(b) };
  },
  seeds() {
    return [
      Buffer.concat([Buffer.from([0]), ske("", false)]), Buffer.concat([Buffer.from([1]), ske("hint", true)]),
      Buffer.concat([Buffer.from([1]), ske("", true)]), Buffer.concat([Buffer.from([0x22]), Buffer.from("device-1"), Buffer.alloc(32, 0xa5)]),
      Buffer.concat([Buffer.from([0x43]), Buffer.from("id"), Buffer.alloc(16, 0x5c)]),
    ].map((b) => new Uint8Array(b));
  },
  run(ctx, input) {
    if (!input.length) return;
    const mode = input[0], rest = Buffer.from(input.subarray(1));
    if ((mode & 3) < 2) return checkKeyExchange(ctx, rest, (mode & 3) === 1);
    checkOption(ctx, rest, Math.min(rest.length, mode >> 2), (mode & 3) === 3);
  },
};
