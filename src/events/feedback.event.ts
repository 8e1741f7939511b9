import {
  Unreadable,
  idField,
  isJsonObject,
  numberField,
  objectField,
  ownField,
  stringField,
} from './json-fields';
import { JsonObject, MessengerEvent } from './messenger-event';

export type ResponseFeedbackValue = 'good' | 'bad';

export interface ResponseFeedbackData {
  /** Normalised from "Good response" / "Bad response" (thumbs up / thumbs down). */
  feedback: ResponseFeedbackValue;
  /** The Page's message the feedback is about. */
  mid: string;
}

/** A customer rated one of the Page's messages (`response_feedback`). */
export class ResponseFeedbackEvent extends MessengerEvent<ResponseFeedbackData> {
  static readonly eventName = 'messenger.response_feedback.received';
  override readonly kind = 'response_feedback';
}

/** One answered question of a Customer Feedback Template. */
export interface FeedbackAnswer {
  /** `feedback_screens[].screen_id`, or the screen's index when it had none. */
  screenId: number;
  /** The question id the business chose when sending the template. */
  questionId: string;
  /** csat, nps, ces or free_form. */
  type: string | null;
  /** The score as sent ("1".."5", "0".."10", "1".."7"), or the text of a free-form question. */
  payload: string;
  /** The optional free-form follow-up. */
  followUpText: string | null;
}

export interface MessagingFeedbackData {
  /** Every answer of every screen, flattened in the order received. */
  answers: FeedbackAnswer[];
}

/** A customer submitted a Customer Feedback Template (`messaging_feedback`). */
export class MessagingFeedbackEvent extends MessengerEvent<MessagingFeedbackData> {
  static readonly eventName = 'messenger.messaging_feedback.received';
  override readonly kind = 'messaging_feedback';
}

const FEEDBACK_LABELS: Readonly<Record<string, ResponseFeedbackValue>> = {
  'good response': 'good',
  good: 'good',
  'bad response': 'bad',
  bad: 'bad',
};

export function readResponseFeedbackData(feedback: JsonObject): ResponseFeedbackData | Unreadable {
  const label = stringField(feedback, 'feedback')?.trim().toLowerCase() ?? '';
  const mid = stringField(feedback, 'mid');
  if (!Object.hasOwn(FEEDBACK_LABELS, label)) {
    return new Unreadable('response_feedback.feedback is neither Good nor Bad response');
  }
  if (mid === null) return new Unreadable('response_feedback.mid is missing');
  return { feedback: FEEDBACK_LABELS[label], mid };
}

/** Flattens `feedback_screens[].questions{id: {type, payload, follow_up}}` into answers. */
export function readMessagingFeedbackData(feedback: JsonObject): MessagingFeedbackData {
  const screens = ownField(feedback, 'feedback_screens');
  const answers = (Array.isArray(screens) ? screens : []).flatMap((screen, index) =>
    isJsonObject(screen) ? readScreen(screen, numberField(screen, 'screen_id') ?? index) : [],
  );
  return { answers };
}

function readScreen(screen: JsonObject, screenId: number): FeedbackAnswer[] {
  // The reference sends `questions` keyed by question id; accept the Send API's array form too.
  const questions = ownField(screen, 'questions');
  const entries: Array<[string | null, unknown]> = Array.isArray(questions)
    ? questions.map((question) => [
        idField(isJsonObject(question) ? question : null, 'id'),
        question,
      ])
    : isJsonObject(questions)
      ? Object.entries(questions)
      : [];
  return entries.flatMap(([questionId, question]) => {
    const answer = isJsonObject(question) ? question : null;
    // Scores are sent as strings ("5"); a number is the same answer, anything else is none.
    const payload = stringField(answer, 'payload') ?? numberField(answer, 'payload')?.toString();
    if (questionId === null || payload === undefined) return [];
    const type = stringField(answer, 'type');
    const followUpText = stringField(objectField(answer, 'follow_up'), 'payload');
    return [{ screenId, questionId, type, payload, followUpText }];
  });
}
