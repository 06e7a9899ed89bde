/** Reconnect delays: exponential growth, a cap, and jitter so that many clients do not retry in step. */

export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  readonly initialMs: number;
  /** Largest delay, in milliseconds. */
  readonly maxMs: number;
  /** Growth per attempt. */
  readonly factor: number;
  /** Fraction of the delay that is random (0: none; 0.5: between half and all of it). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialMs: 500, maxMs: 15_000, factor: 2, jitter: 0.5 });

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry after a drop).
 *
 * The delay lies in `[d * (1 - jitter), d]` where `d = min(maxMs, initialMs * factor ** attempt)`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  const n = Math.max(0, Math.floor(Number.isFinite(attempt) ? attempt : 0));
  const full = Math.min(options.maxMs, options.initialMs * options.factor ** Math.min(n, 64));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(full * (1 - jitter) + full * jitter * r);
}
