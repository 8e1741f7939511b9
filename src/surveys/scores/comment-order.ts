import { SCORE_RANGES, SCORE_TYPES, type ScoreType } from '../template/survey-template';

/**
 * Which comments GET /api/scores/comments reads, and in which order, as a pure plan: the
 * repository runs one index scan per slice it returns (a type, or one score of a type) and merges
 * them, so a page costs `limit` rows per slice however many answers there are.
 */

export const COMMENT_ORDERS = ['newest', 'lowest'] as const;
export type CommentOrder = (typeof COMMENT_ORDERS)[number];

export const SCORE_BANDS = ['low', 'neutral', 'high'] as const;
export type ScoreBand = (typeof SCORE_BANDS)[number];

/**
 * The bands of each scale, inclusive: low is what the scores count against (dissatisfied,
 * detractors, hard), high what they count for (satisfied, promoters, easy).
 */
export const BANDS: Readonly<Record<ScoreType, Record<ScoreBand, [number, number]>>> = {
  csat: { low: [1, 2], neutral: [3, 3], high: [4, 5] },
  nps: { low: [0, 6], neutral: [7, 8], high: [9, 10] },
  ces: { low: [1, 3], neutral: [4, 4], high: [5, 7] },
};

/**
 * A score's place on a common scale of 0–60: (score − min) / (max − min) of its type, times 60
 * (a multiple of 4, 10 and 6, the steps of CSAT, NPS and CES), so ranks are exact integers.
 */
export function rankOf(type: ScoreType, score: number): number {
  const { min, max } = SCORE_RANGES[type];
  return ((score - min) * 60) / (max - min);
}

export interface CommentFilter {
  type?: ScoreType;
  minScore?: number;
  maxScore?: number;
  band?: ScoreBand;
}

/** One index scan: a whole type (score null, newest first only), or one score of a type. */
export interface CommentSlice {
  type: ScoreType;
  score: number | null;
  rank: number;
}

/**
 * The slices a filter and an order read. Newest first without a score filter reads a type per
 * slice; a score filter or lowest first reads a score per slice (at most 23: the three scales).
 */
export function commentSlices(filter: CommentFilter, order: CommentOrder): CommentSlice[] {
  const types = filter.type === undefined ? SCORE_TYPES : [filter.type];
  const byScore =
    order === 'lowest' ||
    filter.minScore !== undefined ||
    filter.maxScore !== undefined ||
    filter.band !== undefined;
  if (!byScore) return types.map((type) => ({ type, score: null, rank: 0 }));
  const slices: CommentSlice[] = [];
  for (const type of types) {
    let { min, max } = SCORE_RANGES[type];
    if (filter.band !== undefined) [min, max] = BANDS[type][filter.band];
    min = Math.max(min, filter.minScore ?? min);
    max = Math.min(max, filter.maxScore ?? max);
    for (let score = min; score <= max; score++) {
      slices.push({ type, score, rank: rankOf(type, score) });
    }
  }
  return slices;
}
