import { randomUUID } from 'node:crypto';

/** Meta's limit on a question id: letters, digits and underscores, at most 80. */
const QUESTION_ID_MAX = 80;
const SUFFIX_SEPARATOR = '__';
const SURVEY_HEX = 32;

/**
 * The question id a survey is sent with: the client's question id (cut to fit), then `__` and the
 * survey's id as 32 hex digits. `messaging_feedback` carries no message id, only question ids, so
 * this is what lets an answer name its survey exactly. At most 80 characters of [A-Za-z0-9_].
 */
export function sentQuestionId(questionId: string, surveyId: string): string {
  const hex = surveyId.replaceAll('-', '').toLowerCase();
  const room = QUESTION_ID_MAX - SUFFIX_SEPARATOR.length - SURVEY_HEX;
  return `${questionId.slice(0, room)}${SUFFIX_SEPARATOR}${hex}`;
}

/** The survey id a sent question id names, or null for a question id without the suffix. */
export function surveyIdOfQuestionId(sent: string): string | null {
  const match = /__([0-9a-f]{32})$/.exec(sent);
  if (match === null) return null;
  const h = match[1];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A fresh survey id, chosen before the send so the question id can name it. */
export function newSurveyId(): string {
  return randomUUID();
}
