// Chain verification for the TLS client: X.509 path validation against the trust anchors, for
// the host the application asked for, at a time the board can trust.
import type { Job } from "../util/job";
import { andThen } from "../util/job";
import type { AnchorSource } from "../x509/anchor";
import { validateJob } from "../x509/path";
import type { ValidationResult } from "../x509/path";
import { subjectText } from "../x509/cert";
import { trustedTime } from "../time/clock";
import type { PeerIdentity } from "./certverify";

export function chainVerifier(anchors: AnchorSource): (chain: Uint8Array[], host: string) => Job<PeerIdentity> {
  return function (chain: Uint8Array[], host: string): Job<PeerIdentity> {
    let peer: PeerIdentity | null = null;
    const j = andThen(validateJob(chain, { time: trustedTime(), host: host, anchors: anchors }), function (r: ValidationResult) {
      let notAfter = r.path[0].notAfter;
      for (let i = 1; i < r.path.length; i++) if (r.path[i].notAfter < notAfter) notAfter = r.path[i].notAfter;
      peer = { spki: r.path[0].spki, subject: subjectText(r.path[0]), notAfter: notAfter };
      return null;
    });
    return { step: j.step, result: function () { return peer as PeerIdentity; } };
  };
}
