import { AppError } from '../../common/app-error';
import type { InstantRange } from '../scores/day-range';
import { parseInstant } from './instant';

/** The `from` / `to` query parameters (already checked by IsInstant) as a range; from > to is a 400. */
export function parseRange(query: { from?: string; to?: string }): InstantRange {
  const from = query.from === undefined ? null : parseInstant(query.from);
  const to = query.to === undefined ? null : parseInstant(query.to);
  if (from !== null && to !== null && from.getTime() > to.getTime()) {
    throw AppError.validation(['from must not be after to']);
  }
  return { from, to };
}
