// The physical noise source of this board, chosen at build time from the board profile
// (ENTROPY_SOURCE); tree-shaking drops the other readers.
//   peek32     ESP32-class chips: the RNG data register (RNG_REGISTER). ESP-IDF (docs
//              api-reference/system/random.rst): true random only while the RF subsystem
//              (WiFi/Bluetooth) is on or the SAR ADC entropy source is enabled; otherwise a
//              pseudo-random sequence that no statistical test can tell apart. Enforced: every
//              read of the register (start-up and each reseed) first requires
//              require("Wifi").getStatus() to report a connected station or a started access
//              point (Espruino's ESP32 port reports mode "NULL" otherwise).
//   adc-hwrand Espruino WiFi (STM32F411, no RNG peripheral): E.hwRand(), which XOR-folds 32 ADC
//              conversions of the internal voltage reference (targets/stm32/jshardware.c
//              jshGetRandomNumber). The microsecond timer's low bits around each read are
//              recorded as timing jitter and conditioned along with the samples, credited with
//              no entropy; the health tests see only the E.hwRand() words.
//   os-file    The Linux interpreter: /dev/urandom through E.openFile (the kernel CSPRNG).
// Samples are 32-bit words; the stated min-entropy per word is ENTROPY_BITS_PER_SAMPLE.

import { ENTROPY_SOURCE, RNG_REGISTER } from "../board";
import { EtError } from "../errors";

declare function peek32(addr: number): number;
declare function getTime(): number;
declare function require(name: string): any;
declare const E: any;

/** Short description for entropyStatus() and error messages. */
export const SOURCE_LABEL: string = ENTROPY_SOURCE === "peek32"
  ? "peek32 RNG register 0x" + RNG_REGISTER.toString(16)
  : ENTROPY_SOURCE === "adc-hwrand" ? "adc-hwrand (E.hwRand ADC noise + timing jitter)"
  : "os-file /dev/urandom";

/** Why the source cannot be read right now ("" when it can). */
function peek32Ready(): string {
  let st: any = null;
  try {
    st = require("Wifi").getStatus();
  } catch (e) {
    return "the radio state is unknown (require(\"Wifi\") failed): the RNG register is only random while WiFi is on";
  }
  if (st && (st.station === "connected" || st.mode === "STA" || st.mode === "AP" || st.mode === "APSTA")) return "";
  return "WiFi is off (Wifi.getStatus(): mode " + (st ? st.mode : "?") + ", station " + (st ? st.station : "?") +
    "): the RNG register is only random while the radio is on; connect WiFi first";
}

function alwaysReady(): string {
  return "";
}

export const sourceReady: () => string = ENTROPY_SOURCE === "peek32" ? peek32Ready : alwaysReady;

/** Fills out[0..n) with samples; jitter[0..n) gets timing noise where the source has it. */
function readPeek32(out: Uint32Array, n: number, jitter: Uint16Array): void {
  const a = RNG_REGISTER;
  for (let i = 0; i < n; i++) out[i] = peek32(a);
  jitter[0] = (getTime() * 1000000) & 0xffff;
}

function readHwRand(out: Uint32Array, n: number, jitter: Uint16Array): void {
  for (let i = 0; i < n; i++) {
    out[i] = E.hwRand();
    jitter[i] = (getTime() * 1000000) & 0xffff;
  }
}

function readOsFile(out: Uint32Array, n: number, jitter: Uint16Array): void {
  const f = E.openFile("/dev/urandom", "r");
  let d: any;
  try {
    d = f.read(n * 4);
  } finally {
    f.close();
  }
  if (!d || d.length !== n * 4) throw new EtError("ENTROPY_FAILED", "short read from /dev/urandom");
  const b: Uint8Array = E.toUint8Array(d);
  if ((b.byteOffset & 3) === 0) out.set(new Uint32Array(b.buffer, b.byteOffset, n)); // little-endian host
  else for (let i = 0, j = 0; i < n; i++, j += 4) out[i] = b[j] | (b[j + 1] << 8) | (b[j + 2] << 16) | (b[j + 3] << 24);
  jitter[0] = (getTime() * 1000000) & 0xffff;
}

export const readSamples: (out: Uint32Array, n: number, jitter: Uint16Array) => void =
  ENTROPY_SOURCE === "peek32" ? readPeek32 : ENTROPY_SOURCE === "adc-hwrand" ? readHwRand : readOsFile;
