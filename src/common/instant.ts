import { ValidateBy, ValidationOptions } from 'class-validator';

// A date, or a date-time with an optional zone; seconds and fractions optional.
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Reads an ISO 8601 date or date-time as an instant. A date is UTC midnight, and so is a
 * date-time without a zone (API.md: times are UTC), whatever the server's time zone. Impossible
 * dates (2026-02-30) are refused rather than rolled over. Null when not an instant.
 */
export function parseInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const match = INSTANT.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, , , zone] = match;
  const iso = hour === undefined ? `${value}T00:00:00Z` : zone === undefined ? `${value}Z` : value;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  // The calendar date must survive the round trip (checked before any zone offset applies).
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const sameDay =
    calendar.getUTCFullYear() === Number(year) &&
    calendar.getUTCMonth() === Number(month) - 1 &&
    calendar.getUTCDate() === Number(day);
  return sameDay ? date : null;
}

/** An ISO 8601 date or date-time (see parseInstant). */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value) => parseInstant(value) !== null,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an ISO 8601 date or date-time (e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`,
      },
    },
    options,
  );
}
