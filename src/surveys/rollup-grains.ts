/**
 * Every rollup of scores and surveys is kept at two grains, UTC days (score_daily, ...) and UTC
 * hours (score_hourly, ...), written by the same statement: a range is read from the days it
 * covers whole, the hours of its partial edge days, and only the minutes outside those from the
 * rows (splitRange).
 */
export interface RollupGrain {
  /** The bucket column: a date, or the hour's start as timestamptz. */
  column: 'day' | 'hour';
  /** The table of this grain, given the daily one's name. */
  table(daily: string): string;
  /** The bucket of a timestamptz expression. */
  bucketOf(at: string): string;
}

export const DAILY: RollupGrain = {
  column: 'day',
  table: (daily) => daily,
  bucketOf: (at) => `(${at} AT TIME ZONE 'UTC')::date`,
};

export const HOURLY: RollupGrain = {
  column: 'hour',
  table: (daily) => daily.replace('_daily', '_hourly'),
  bucketOf: (at) => `date_trunc('hour', ${at} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
};

/** One CTE per grain (`name_day`, `name_hour`), from one statement template. */
export function atEveryGrain(name: string, statement: (grain: RollupGrain) => string): string {
  return [DAILY, HOURLY]
    .map((grain) => `${name}_${grain.column} AS (${statement(grain)})`)
    .join(', ');
}
