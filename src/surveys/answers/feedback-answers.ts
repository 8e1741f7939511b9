import type { FeedbackAnswer } from '../../events/messenger-events';
import { parseScore } from '../template/parse-score';
import { isScoreType } from '../template/survey-template';
import { truncateCharacters } from '../template/template-text';

/** Meta's limit of the free-form follow-up (Customer Feedback Template guide). */
export const FOLLOW_UP_MAX_CHARACTERS = 400;

/** One answered question, as it is stored. */
export interface AnswerToStore {
  questionId: string;
  /** csat, nps or ces; else the type as received (e.g. free_form), or 'unknown' when none. */
  type: string;
  payload: string;
  /** The number the customer chose; null when the payload was not a plain integer. */
  score: number | null;
  /** A score of a known type within its range: only these count in scores and answer surveys. */
  valid: boolean;
  followUpText: string | null;
}

/**
 * Turns the answers of a messaging_feedback event into rows. A question id answered twice in one
 * event (two screens) keeps its first answer, as the table holds one row per event and question.
 * Meta caps the follow-up at 400 characters; longer text (a forged or future payload) is cut there.
 */
export function answersToStore(answers: readonly FeedbackAnswer[]): AnswerToStore[] {
  const seen = new Set<string>();
  const rows: AnswerToStore[] = [];
  for (const answer of answers) {
    if (seen.has(answer.questionId)) continue;
    seen.add(answer.questionId);
    // The guide's own table spells the type "csat " with a space.
    const type = answer.type?.trim().toLowerCase() || 'unknown';
    const parsed = isScoreType(type)
      ? parseScore(type, answer.payload)
      : { valid: false, score: null };
    rows.push({
      questionId: answer.questionId,
      type,
      payload: answer.payload,
      score: parsed.score,
      valid: parsed.valid,
      followUpText: followUpText(answer.followUpText),
    });
  }
  return rows;
}

function followUpText(text: string | null): string | null {
  if (text === null || text.trim() === '') return null;
  return truncateCharacters(text, FOLLOW_UP_MAX_CHARACTERS);
}
