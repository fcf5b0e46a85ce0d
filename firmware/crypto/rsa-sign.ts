// RSA signing (RFC 8017 RSASSA-PKCS1-v1_5 and RSASSA-PSS) with CRT: not implemented yet.
import { EtError } from "../errors";
import type { Job } from "../util/job";
import type { HashAlg } from "./types";

export function rsaSignJob(parts: Uint8Array[], state: { blind: any }, H: HashAlg, digest: Uint8Array, pss: boolean, random: (n: number) => Uint8Array): Job<Uint8Array> {
  throw new EtError("CRYPTO_UNSUPPORTED", "RSA signing is not implemented yet", [parts, state, H, digest, pss, random].length);
}
