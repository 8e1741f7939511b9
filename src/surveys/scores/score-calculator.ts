import { SCORE_RANGES, type ScoreType } from '../template/survey-template';
import { roundHalfAwayFromZero } from '../../common/rounding';

/**
 * Pure score arithmetic for GET /api/scores and its trend. Input is a count of valid answers
 * per score value, e.g. {1: 3, 4: 2, 5: 10}, as the daily score table stores them.
 * Every percentage and average is one division of two integers, rounded half away from zero to
 * 2 decimals, and null when there is no answer: "no score yet" is not a score of 0.
 */

/** Answers per score value. Keys outside the type's range are ignored: counted nowhere. */
export type ScoreCounts = Readonly<Record<number | string, number>>;
/** Every score value of the type's range, in order, with 0 where there is no answer. */
export type Distribution = Record<string, number>;

export interface CsatScore {
  responses: number;
  /** Percent of answers that are 4 or 5. */
  score: number | null;
  average: number | null;
  distribution: Distribution;
}

export interface NpsScore {
  responses: number;
  /** Percent promoters minus percent detractors, -100..100. */
  score: number | null;
  /** Counts of answers (not percentages): 9-10, 7-8 and 0-6. */
  promoters: number;
  passives: number;
  detractors: number;
  distribution: Distribution;
}

export interface CesScore {
  responses: number;
  /** Percent of answers from 5 to 7. */
  score: number | null;
  average: number | null;
  distribution: Distribution;
}

export interface TrendPoint {
  responses: number;
  score: number | null;
  average: number | null;
}

export type TrendInterval = 'day' | 'week' | 'month';

const DECIMALS = 2;

interface Tally {
  distribution: Distribution;
  responses: number;
  sum: number;
  /** Answers with a score from `from` to `to`, inclusive. */
  between(from: number, to: number): number;
}

function tally(type: ScoreType, counts: ScoreCounts): Tally {
  const { min, max } = SCORE_RANGES[type];
  const distribution: Distribution = {};
  let responses = 0;
  let sum = 0;
  for (let value = min; value <= max; value++) {
    const count = counts[value] ?? 0;
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`count of ${type} score ${value} must be a non-negative integer`);
    }
    distribution[String(value)] = count;
    responses += count;
    sum += value * count;
  }
  const between = (from: number, to: number): number => {
    let total = 0;
    for (let value = from; value <= to; value++) total += distribution[String(value)];
    return total;
  };
  return { distribution, responses, sum, between };
}

/** 100 × part / whole, as one division so that rounding sees the exact quotient. */
function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : roundHalfAwayFromZero((100 * part) / whole, DECIMALS);
}

function mean({ sum, responses }: Tally): number | null {
  return responses === 0 ? null : roundHalfAwayFromZero(sum / responses, DECIMALS);
}

export function csatScore(counts: ScoreCounts): CsatScore {
  const t = tally('csat', counts);
  return {
    responses: t.responses,
    score: percent(t.between(4, 5), t.responses),
    average: mean(t),
    distribution: t.distribution,
  };
}

export function npsScore(counts: ScoreCounts): NpsScore {
  const t = tally('nps', counts);
  const promoters = t.between(9, 10);
  const detractors = t.between(0, 6);
  return {
    responses: t.responses,
    // Not percent(promoters) - percent(detractors): two roundings could be off by 0.01.
    score: percent(promoters - detractors, t.responses),
    promoters,
    passives: t.between(7, 8),
    detractors,
    distribution: t.distribution,
  };
}

export function cesScore(counts: ScoreCounts): CesScore {
  const t = tally('ces', counts);
  return {
    responses: t.responses,
    score: percent(t.between(5, 7), t.responses),
    average: mean(t),
    distribution: t.distribution,
  };
}

/** One point of a trend; for NPS `average` is the mean of the 0-10 answers. */
export function trendPoint(type: ScoreType, counts: ScoreCounts): TrendPoint {
  if (type === 'nps') {
    const { responses, score } = npsScore(counts);
    return { responses, score, average: mean(tally('nps', counts)) };
  }
  const { responses, score, average } = type === 'csat' ? csatScore(counts) : cesScore(counts);
  return { responses, score, average };
}
