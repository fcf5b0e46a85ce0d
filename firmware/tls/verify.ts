// Chain verification for the TLS client: X.509 path validation against the trust anchors, for
// the host the application asked for, at a time the board can trust.
import type { Job } from "../util/job";
import { andThen } from "../util/job";
import type { AnchorSource } from "../x509/anchor";
import { validateJob } from "../x509/path";
import type { ValidationResult } from "../x509/path";
import { ownKey, subjectText } from "../x509/cert";
import { validationClock, noteValidated } from "../time/clock";
import type { PeerIdentity } from "./certverify";

/** onValidated (optional) sees each successful validation: the verified-chain cache uses it. */
export function chainVerifier(anchors: AnchorSource, onValidated?: (r: ValidationResult, peer: PeerIdentity) => void): (chain: Uint8Array[], host: string) => Job<PeerIdentity> {
  return function (chain: Uint8Array[], host: string): Job<PeerIdentity> {
    let peer: PeerIdentity | null = null;
    // Throws TIME_UNKNOWN when the board has no trusted time (time/clock.ts).
    const when = validationClock();
    const j = andThen(validateJob(chain, { time: when.time, host: host, anchors: anchors }), function (r: ValidationResult) {
      let notAfter = r.path[0].notAfter, notBefore = r.path[0].notBefore;
      for (let i = 1; i < r.path.length; i++) {
        if (r.path[i].notAfter < notAfter) notAfter = r.path[i].notAfter;
        if (r.path[i].notBefore > notBefore) notBefore = r.path[i].notBefore;
      }
      // A CA signed that the time is past notBefore: the trusted time floor may rise to it.
      noteValidated(when, notBefore);
      peer = { spki: ownKey(r.path[0].spki), subject: subjectText(r.path[0]), notAfter: notAfter, ku: r.path[0].ku };
      if (onValidated) onValidated(r, peer);
      return null;
    });
    return { step: j.step, result: function () { return peer as PeerIdentity; } };
  };
}
