import { ValidateBy, ValidationOptions } from 'class-validator';
import { AppError } from './app-error';

/**
 * The instants this service takes from clients: those JavaScript and PostgreSQL both hold and
 * write alike, as ISO 8601 with a four-digit year (PostgreSQL has no year 0, and refuses the
 * six-digit years JavaScript writes beyond 9999).
 */
export const EARLIEST_INSTANT = new Date('0001-01-01T00:00:00.000Z');
export const LATEST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

/**
 * The latest `from` / `to`: the reports round a bound up to the next whole UTC day, which must
 * still be a four-digit-year day.
 */
export const LATEST_RANGE_BOUND = new Date('9999-12-31T00:00:00.000Z');

/** What the OpenAPI document says of every `from` / `to`. */
export const RANGE_BOUND_NOTE =
  'ISO 8601 date or date-time, UTC unless zoned, 0001-01-01 to 9999-12-31';

/** Whether a (valid) date lies in [EARLIEST_INSTANT, LATEST_INSTANT]. */
export function isStorableInstant(date: Date): boolean {
  const ms = date.getTime();
  return ms >= EARLIEST_INSTANT.getTime() && ms <= LATEST_INSTANT.getTime();
}

// A date, or a date-time with an optional zone; seconds and fractions optional.
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Reads an ISO 8601 date or date-time as an instant. A date is UTC midnight, and so is a
 * date-time without a zone (times are UTC), whatever the server's time zone. Impossible dates
 * (2026-02-30) are refused rather than rolled over, and so are instants outside
 * [EARLIEST_INSTANT, LATEST_INSTANT]. Null when not such an instant.
 */
export function parseInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const match = INSTANT.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, , , zone] = match;
  const iso = hour === undefined ? `${value}T00:00:00Z` : zone === undefined ? `${value}Z` : value;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || !isStorableInstant(date)) return null;
  // The calendar date must survive the round trip (checked before any zone offset applies).
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const calendar = new Date(0);
  calendar.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  const sameDay =
    calendar.getUTCFullYear() === Number(year) &&
    calendar.getUTCMonth() === Number(month) - 1 &&
    calendar.getUTCDate() === Number(day);
  return sameDay ? date : null;
}

/** A `from` / `to` query value: an instant no later than LATEST_RANGE_BOUND, else null. */
export function parseRangeBound(value: unknown): Date | null {
  const date = parseInstant(value);
  return date !== null && date.getTime() <= LATEST_RANGE_BOUND.getTime() ? date : null;
}

/** A `from` / `to` query value (see parseRangeBound). */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value) => parseRangeBound(value) !== null,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an ISO 8601 date or date-time from 0001-01-01 to 9999-12-31 (e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`,
      },
    },
    options,
  );
}

/** A time range `from` ≤ t < `to`; a null bound is open. */
export interface InstantRange {
  from: Date | null;
  to: Date | null;
}

/** The `from` / `to` query parameters (already checked by IsInstant) as a range; from > to is a 400. */
export function parseRange(query: { from?: string; to?: string }): InstantRange {
  const from = query.from === undefined ? null : parseRangeBound(query.from);
  const to = query.to === undefined ? null : parseRangeBound(query.to);
  if (from !== null && to !== null && from.getTime() > to.getTime()) {
    throw AppError.validation(['from must not be after to']);
  }
  return { from, to };
}
