import { type QuietHours, inQuietHours, localMinuteOfDay } from './survey-rule';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/**
 * The first instant at or after `now` outside the rule's quiet hours: `now` itself when it is not
 * in them, else the next local `to` (the minute it starts). Where a daylight-saving change moves
 * the wall clock inside the quiet hours, the answer may still be in them by up to that change; the
 * scheduler then looks again at that time and moves on once more.
 */
export function quietHoursEnd(quiet: QuietHours, now: Date): Date {
  if (!inQuietHours(quiet, now)) return now;
  const at = localMinuteOfDay(now, quiet.timeZone);
  const [h, m] = quiet.to.split(':').map(Number);
  const minutes = (h * 60 + m - at + DAY_MINUTES) % DAY_MINUTES || DAY_MINUTES;
  const minuteStart = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  return new Date(minuteStart + minutes * MINUTE_MS);
}
