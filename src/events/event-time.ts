import { PermanentEventError } from './permanent-event.error';

/**
 * When an event happened: the one rule every event follows (the parser applies it to
 * `event.timestamp`; handlers only call `event.occurredAt()`, which is eventDate below). Meta
 * documents epoch milliseconds, but real payloads also carry epoch seconds (lead ads, some
 * referrals) and numbers sent as strings; read as milliseconds, seconds land in January 1970 and
 * put every customer outside the messaging window.
 */

/** Nothing on Messenger predates Facebook (2004); an earlier reading is a misread unit. */
export const EARLIEST_EVENT_MS = Date.UTC(2004, 0, 1);
/** Clocks drift, but not by a day: a later time is a misread unit or garbage. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/** Digits with an optional fraction: what a number sent as a JSON string may look like. */
const NUMERIC = /^\d{1,16}(?:\.\d{1,6})?$/;

/**
 * `value` (epoch milliseconds or seconds, a number or a numeric string) as epoch milliseconds
 * when that is a plausible event time (after 2004, at most a day ahead of `now`), else null.
 * Milliseconds are tried first: a plausible time in seconds is at most ~4e9, which read as
 * milliseconds is 1970, so the two readings never both pass.
 */
export function plausibleEpochMs(value: unknown, now: number): number | null {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && NUMERIC.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isFinite(number)) return null;
  for (const ms of [number, number * 1000]) {
    const whole = Math.round(ms);
    if (whole >= EARLIEST_EVENT_MS && whole <= now + MAX_FUTURE_MS) return whole;
  }
  return null;
}

/**
 * The event's time in epoch milliseconds: its own `timestamp` when plausible, else its entry's
 * `time` (already read with plausibleEpochMs), else 0, which means "no time" and which handlers
 * that need one refuse as permanent.
 */
export function occurredAtMs(timestamp: unknown, entryTime: number | null, now: number): number {
  return plausibleEpochMs(timestamp, now) ?? entryTime ?? 0;
}

/**
 * The event's time as a Date (MessengerEvent.occurredAt). An event without one (timestamp 0, see
 * occurredAtMs) can never be placed in time: PermanentEventError, so it is set aside at once,
 * whatever its kind. (The inbox lists such an event at the time it was received; a handler never
 * stores it at a time made up later.)
 */
export function eventDate(event: { readonly timestamp: number }): Date {
  const at = new Date(event.timestamp);
  if (!(event.timestamp > 0) || Number.isNaN(at.getTime())) {
    throw new PermanentEventError(
      `no plausible time: timestamp and entry.time are missing or out of range (${event.timestamp})`,
    );
  }
  return at;
}
