// AES block cipher selection: the board's native AES-ECB when it has one, else portable code.
// NATIVE_AES is a build-time literal, so the unused implementation is dropped.

import type { AesBlock } from "./types";
import { NATIVE_AES } from "../board";
import { nativeAesBlock } from "./aes-native";
import { portableAesBlock } from "./aes-portable";

/** AES encryption with an expanded key of 16, 24 or 32 bytes (throws EtError BAD_KEY otherwise). */
export const aesBlock: (key: Uint8Array) => AesBlock = NATIVE_AES ? nativeAesBlock : portableAesBlock;
