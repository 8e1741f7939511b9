import { SCORE_RANGES, type ScoreType } from './survey-template';

export type ParsedScore = { valid: true; score: number } | { valid: false; score: number | null };

const INT32_MAX = 2 ** 31 - 1;

/**
 * Reads the score payload of a messaging_feedback answer. Meta sends canonical integer strings
 * ("0".."10"), so only those are valid: "5.0", " 5", "05", "" are not.
 * An invalid answer is still stored, so its score is kept when it is a plain integer that fits a
 * 32-bit column ("11" → 11, "0" for csat → 0), else null.
 */
export function parseScore(type: ScoreType, payload: string): ParsedScore {
  // Webhook JSON is untyped at runtime; a non-string is never a valid payload.
  if (typeof payload !== 'string' || !/^-?\d{1,10}$/.test(payload))
    return { valid: false, score: null };
  // + 0 turns "-0" into 0.
  const score = Number(payload) + 0;
  if (Math.abs(score) > INT32_MAX) return { valid: false, score: null };
  const { min, max } = SCORE_RANGES[type];
  const canonical = String(score) === payload;
  if (canonical && score >= min && score <= max) return { valid: true, score };
  return { valid: false, score };
}
