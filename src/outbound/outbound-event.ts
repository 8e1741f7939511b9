/** What a subscription can ask to hear about (docs/api.md, "Outbound webhooks"). */
export const OUTBOUND_EVENT_TYPES = [
  'survey.sent',
  'survey.failed',
  'survey.responded',
  'survey.low_score',
  'survey.expired',
  'response_feedback.bad',
  'webhook_event.dead',
] as const;
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];

/** The event of POST /api/webhook-subscriptions/{id}/test: sent to that subscription only. */
export const PING_EVENT = 'ping';

export const LOW_SCORE_TYPES = ['csat', 'nps', 'ces'] as const;
export type LowScoreType = (typeof LOW_SCORE_TYPES)[number];
export type LowScoreThresholds = Record<LowScoreType, number>;

/**
 * An answer at or below these is a low score unless the subscription says otherwise: CSAT 1–2 of
 * 5 (dissatisfied), NPS 0–6 of 10 (detractors, as NPS itself counts them), CES 1–3 of 7 (the
 * difficult half of the scale).
 */
export const DEFAULT_LOW_SCORE: LowScoreThresholds = { csat: 2, nps: 6, ces: 3 };

/** One event for the outbox, with the API's own view of what it is about as `data`. */
export interface OutboundEvent {
  type: OutboundEventType;
  data: unknown;
  /** For survey.low_score: the answer's type and score, matched against each subscription's threshold. */
  score?: { type: string; score: number };
}
