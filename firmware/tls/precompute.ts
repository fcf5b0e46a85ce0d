// Key shares computed ahead of time, while the board is idle: tls.precompute() runs the
// ephemeral key generation (one scalar multiplication) in slices, and the next handshake takes
// the result, so that a full handshake has only the shared-secret multiplication on its
// critical path. A precomputed share is used once, by one connection, then forgotten.
import { runSliced } from "../util/job";
import { random } from "../entropy/index";
import { GROUP_X25519 } from "./constants";
import type { Ephemeral } from "./kex";
import { keyShareJob } from "./kex";

const ready: Ephemeral[] = [];
let running = 0;

export interface PrecomputeOptions {
  /** Named group (default X25519, the one the ClientHello offers first). */
  group?: number;
  /** Shares to keep ready (default 1, at most 4). */
  count?: number;
}

function have(group: number): number {
  let n = 0;
  for (let i = 0; i < ready.length; i++) if (ready[i].group === group) n++;
  return n;
}

/** Computes key shares in the background until `count` are ready; cb(err, readyCount) after. */
export function precompute(o?: PrecomputeOptions, cb?: (err: any, n?: number) => void): void {
  const group = o && o.group ? o.group : GROUP_X25519;
  const count = Math.min(4, o && o.count ? o.count : 1);
  if (have(group) + running >= count) { if (cb) cb(null, have(group)); return; }
  running++;
  runSliced(keyShareJob(group, random), function (err: any, e?: Ephemeral) {
    running--;
    if (!err && e) ready.push(e);
    if (err) { if (cb) cb(err); return; }
    precompute(o, cb);
  });
}

/** A ready share for `group`, removed from the pool; null when there is none. */
export function takeShare(group: number): Ephemeral | null {
  for (let i = 0; i < ready.length; i++) {
    if (ready[i].group === group) return ready.splice(i, 1)[0];
  }
  return null;
}

/** How many shares are ready (all groups). */
export function precomputed(): number { return ready.length; }
