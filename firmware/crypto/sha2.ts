// SHA-2 selectors: the board profile decides at build time whether the native
// require("crypto") functions or the portable implementations are used; tree-shaking drops
// the other one. Everything else imports SHA256 / SHA384 / SHA512 from here.

import type { HashAlg } from "./types";
import { NATIVE_SHA256, NATIVE_SHA384, NATIVE_SHA512 } from "../board";
import { nativeSha256, nativeSha384, nativeSha512 } from "./sha2-native";
import { portableSha256 } from "./sha256";
import { portableSha384, portableSha512 } from "./sha512";

export const SHA256: HashAlg = NATIVE_SHA256 ? nativeSha256 : portableSha256;
export const SHA384: HashAlg = NATIVE_SHA384 ? nativeSha384 : portableSha384;
export const SHA512: HashAlg = NATIVE_SHA512 ? nativeSha512 : portableSha512;
