import type { InstantRange } from './instant';

/**
 * A range cut into what the daily rollups can serve and what they cannot: whole UTC days
 * ('YYYY-MM-DD', `to` exclusive, null = open) and the parts of the days at either edge, which are
 * read from the raw rows. `days` is null when the range holds no whole day.
 */
export interface SplitRange {
  days: { from: string | null; to: string | null } | null;
  partial: { from: Date; to: Date }[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

function floorDay(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS) * DAY_MS;
}

function ceilDay(date: Date): number {
  return Math.ceil(date.getTime() / DAY_MS) * DAY_MS;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Splits a range so that a query costs the same however many rows it covers: the rollups answer
 * for whole days, and at most two partial days are counted row by row.
 */
export function splitRange({ from, to }: InstantRange): SplitRange {
  if (from && to && from.getTime() >= to.getTime()) return { days: null, partial: [] };
  const fullFrom = from ? ceilDay(from) : null;
  const fullTo = to ? floorDay(to) : null;
  if (from && to && (fullFrom as number) >= (fullTo as number)) {
    // Both ends inside one day, or in two neighbouring days with no whole day between them.
    return { days: null, partial: [{ from, to }] };
  }
  const partial: SplitRange['partial'] = [];
  if (from && fullFrom !== null && from.getTime() < fullFrom) {
    partial.push({ from, to: new Date(fullFrom) });
  }
  if (to && fullTo !== null && fullTo < to.getTime()) {
    partial.push({ from: new Date(fullTo), to });
  }
  return {
    days: {
      from: fullFrom === null ? null : isoDay(fullFrom),
      to: fullTo === null ? null : isoDay(fullTo),
    },
    partial,
  };
}
