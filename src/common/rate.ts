import { roundHalfAwayFromZero } from './rounding';

const RATE_DECIMALS = 4;

/**
 * part / whole, 4 decimals: a survey response rate, a good-response rate. null when the whole is
 * 0: an unknown rate, not a rate of 0, like a score with no answers.
 */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : roundHalfAwayFromZero(part / whole, RATE_DECIMALS);
}
