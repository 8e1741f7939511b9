import type { InstantRange } from './instant';

export interface TimeRange {
  from: Date;
  to: Date;
}

/**
 * A range cut into what the rollups can serve and what they cannot: whole UTC days ('YYYY-MM-DD',
 * `to` exclusive, null = open) for the daily rollups, the whole UTC hours of the partial days at
 * either edge for the hourly rollups, and the minutes outside those, read from the raw rows. `days`
 * is null when the range holds no whole day.
 */
export interface SplitRange {
  days: { from: string | null; to: string | null } | null;
  hours: TimeRange[];
  partial: TimeRange[];
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const floorTo = (ms: number, unit: number): number => Math.floor(ms / unit) * unit;
const ceilTo = (ms: number, unit: number): number => Math.ceil(ms / unit) * unit;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The whole units of `unit` ms inside a non-empty range (null when there is none; open ends stay
 * open), and the parts at either edge outside them.
 */
function cut(
  from: Date | null,
  to: Date | null,
  unit: number,
): { whole: { from: number | null; to: number | null } | null; edges: TimeRange[] } {
  const wholeFrom = from ? ceilTo(from.getTime(), unit) : null;
  const wholeTo = to ? floorTo(to.getTime(), unit) : null;
  if (from && to && (wholeFrom as number) >= (wholeTo as number)) {
    // Both ends inside one unit, or in two neighbouring units with no whole one between them.
    return { whole: null, edges: [{ from, to }] };
  }
  const edges: TimeRange[] = [];
  if (from && from.getTime() < (wholeFrom as number)) {
    edges.push({ from, to: new Date(wholeFrom as number) });
  }
  if (to && (wholeTo as number) < to.getTime()) {
    edges.push({ from: new Date(wholeTo as number), to });
  }
  return { whole: { from: wholeFrom, to: wholeTo }, edges };
}

/**
 * Splits a range so that a query costs the same however many rows it covers: the daily rollups
 * answer for whole days, the hourly ones for the whole hours of at most two partial days, and at
 * most two partial hours are counted row by row.
 */
export function splitRange({ from, to }: InstantRange): SplitRange {
  if (from && to && from.getTime() >= to.getTime()) return { days: null, hours: [], partial: [] };
  const byDay = cut(from, to, DAY_MS);
  const hours: TimeRange[] = [];
  const partial: TimeRange[] = [];
  for (const edge of byDay.edges) {
    const byHour = cut(edge.from, edge.to, HOUR_MS);
    // An edge is bounded on both sides, and so are its whole hours.
    if (byHour.whole !== null) {
      hours.push({
        from: new Date(byHour.whole.from as number),
        to: new Date(byHour.whole.to as number),
      });
    }
    partial.push(...byHour.edges);
  }
  const days =
    byDay.whole === null
      ? null
      : {
          from: byDay.whole.from === null ? null : isoDay(byDay.whole.from),
          to: byDay.whole.to === null ? null : isoDay(byDay.whole.to),
        };
  return { days, hours, partial };
}
