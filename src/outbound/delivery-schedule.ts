const HOUR_MS = 60 * 60 * 1000;

/** How long deliveries keep being retried, and a subscription may keep failing, before giving up. */
export const GIVE_UP_AFTER_MS = 24 * HOUR_MS;

/** Retries are never more than an hour apart. */
export const MAX_RETRY_DELAY_MS = HOUR_MS;

/**
 * The wait after the `attempts`-th failed attempt: `baseMs` doubled for each earlier one, times
 * `jitter` (0.75–1.25, so that deliveries that failed together do not retry together; every
 * delay stays longer than the one before until the cap), at most an hour.
 */
export function retryDelayMs(attempts: number, baseMs: number, jitter: number): number {
  const doubled = baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30);
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, doubled * jitter));
}

export function randomJitter(): number {
  return 0.75 + Math.random() * 0.5;
}

/**
 * When the next attempt is due, or null to give up: a delivery is retried until a day after it was
 * written, so its last attempt is the first one at or past that day.
 */
export function nextAttemptAt(
  createdAt: Date,
  now: Date,
  attempts: number,
  baseMs: number,
  jitter: number,
): Date | null {
  if (now.getTime() - createdAt.getTime() >= GIVE_UP_AFTER_MS) return null;
  return new Date(now.getTime() + retryDelayMs(attempts, baseMs, jitter));
}
