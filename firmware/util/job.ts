// Long work in slices. A Job does a bounded amount of work per step() and says when it
// is done, so the caller can yield to the event loop between steps (the board must keep
// serving its network and timers during a multi-second public-key operation).

declare function getTime(): number;

export interface Job<T> {
  /** Do one bounded piece of work; true when finished. */
  step(): boolean;
  /** The result, once step() has returned true. */
  result(): T;
}

/** Runs a job to completion now (tests, and callers that may block). */
export function runSync<T>(job: Job<T>): T {
  while (!job.step()) { /* keep stepping */ }
  return job.result();
}

/** Budget per slice in seconds: well under the 50 ms a slice may take. */
export const SLICE_SECONDS = 0.03;

/**
 * Runs a job in slices of about SLICE_SECONDS, yielding with setTimeout between them.
 * cb(err, result) is called once; an exception thrown by a step becomes err.
 */
export function runSliced<T>(job: Job<T>, cb: (err: any, res?: T) => void): void {
  const slice = function () {
    const end = getTime() + SLICE_SECONDS;
    try {
      while (!job.step()) {
        if (getTime() >= end) {
          setTimeout(slice, 0);
          return;
        }
      }
    } catch (e) {
      cb(e);
      return;
    }
    cb(null, job.result());
  };
  setTimeout(slice, 0);
}

/** A job that is already done: for fast paths (native crypto) behind a Job interface. */
export function doneJob<T>(value: T): Job<T> {
  return { step: function () { return true; }, result: function () { return value; } };
}

/** Runs `job`, then `next` with its result; `next` may return a further Job to run, or null. */
export function andThen<T>(job: Job<T>, next: (r: T) => Job<any> | null): Job<void> {
  let cur: Job<any> | null = job;
  let first = true;
  return {
    step: function () {
      if (cur === null) return true;
      if (!cur.step()) return false;
      if (!first) { cur = null; return true; }
      first = false;
      cur = next(job.result());
      return cur === null;
    },
    result: function () { return undefined; },
  };
}

/** `job` with its result passed through `f` (called once, in the step that finishes the job). */
export function mapJob<T, U>(job: Job<T>, f: (r: T) => U): Job<U> {
  let done = false;
  let out: U | null = null;
  return {
    step: function () {
      if (done) return true;
      if (!job.step()) return false;
      out = f(job.result());
      done = true;
      return true;
    },
    result: function () { return out as U; },
  };
}
