// The time certificate validation may trust. The board's clock is only believed when it is at
// least the bundle's build time (a board that booted without setTime reads 1970).
// SNTP and a persisted last-known-good floor extend this (issue 5).
import { BUILD_TIME } from "../board";
import { EtError } from "../errors";

declare function getTime(): number;

export function trustedTime(): number {
  const t = getTime();
  if (t < BUILD_TIME) throw new EtError("TIME_UNKNOWN", "the clock reads " + Math.floor(t) + ", before this build (" + BUILD_TIME + "): set the time (setTime or SNTP) before validating certificates");
  return t;
}
