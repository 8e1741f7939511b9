import { parseInstant } from '../../common/instant';
import type { SurveyTemplateDefaults } from '../../surveys/template/survey-template';
import { validateSurveyTemplate } from '../../surveys/template/validate-survey-template';

/** Meta's Send API limit: 300 calls per second per Page. */
export const MAX_RATE_PER_SECOND = 300;
export const DEFAULT_RATE_PER_SECOND = 20;
const THROTTLE_MAX_DAYS = 365;
const PAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Fields of POST /api/surveys a campaign may not set: the campaign decides who and where. */
const SURVEY_FIELDS_NOT_ALLOWED = ['recipientId', 'pageId'];
const FIELDS = [
  'pageId',
  'since',
  'until',
  'survey',
  'ratePerSecond',
  'throttle',
  'useFeedbackTag',
];

export const CAMPAIGN_STATUSES = ['running', 'done', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const TARGET_STATES = ['pending', 'sending', 'sent', 'skipped', 'failed'] as const;
export type TargetState = (typeof TARGET_STATES)[number];
/** Why a target was skipped or failed. */
export const TARGET_REASONS = [
  'throttled',
  'open_survey',
  'outside_window',
  'cancelled',
  'graph_error',
  'send_refused',
] as const;
export type TargetReason = (typeof TARGET_REASONS)[number];

/** A campaign as POST /api/survey-campaigns takes it, checked and with its defaults. */
export interface SurveyCampaignFields {
  pageId: string;
  since: Date;
  /** Null when left out: the creation time. */
  until: Date | null;
  /** The optional fields of POST /api/surveys plus `type`, as given. */
  survey: Record<string, unknown>;
  ratePerSecond: number;
  throttle: { perCustomerDays: number } | null;
  useFeedbackTag: boolean;
}

export type CampaignResult =
  { ok: true; campaign: SurveyCampaignFields } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const INSTANT_NOTE = 'an ISO 8601 date or date-time (e.g. 2026-11-01T12:00:00Z)';

/**
 * Checks a whole campaign and names every failing field at once. The survey is checked by the very
 * validation a send goes through.
 */
export function validateSurveyCampaign(
  body: Record<string, unknown>,
  defaults: SurveyTemplateDefaults,
): CampaignResult {
  const errors: string[] = [];
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) errors.push(`property ${key} should not exist`);
  }
  const { pageId, survey, throttle, useFeedbackTag } = body;
  if (typeof pageId !== 'string' || !PAGE_ID.test(pageId)) {
    errors.push('pageId is required: a Page id (letters, digits, _ or -, at most 128 characters)');
  }
  const since = parseInstant(body.since);
  if (since === null) errors.push(`since is required: ${INSTANT_NOTE}`);
  const until = body.until == null ? null : parseInstant(body.until);
  if (body.until != null && until === null) errors.push(`until must be ${INSTANT_NOTE}`);
  if (since !== null && until !== null && until.getTime() <= since.getTime()) {
    errors.push('until must be after since');
  }
  if (!isObject(survey)) {
    errors.push('survey must be an object with at least a type');
  } else {
    for (const key of SURVEY_FIELDS_NOT_ALLOWED) {
      if (key in survey) errors.push(`survey.${key} should not exist: the campaign decides it`);
    }
    const template = validateSurveyTemplate(survey, defaults);
    if (!template.ok) errors.push(...template.errors.map((e) => `survey.${e}`));
  }
  const rate = body.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
  if (
    typeof rate !== 'number' ||
    !Number.isInteger(rate) ||
    rate < 1 ||
    rate > MAX_RATE_PER_SECOND
  ) {
    errors.push(
      `ratePerSecond must be an integer from 1 to ${MAX_RATE_PER_SECOND} (Meta's limit per Page)`,
    );
  }
  let checkedThrottle: { perCustomerDays: number } | null = null;
  if (throttle != null) {
    const days = isObject(throttle) ? throttle.perCustomerDays : undefined;
    if (
      !isObject(throttle) ||
      Object.keys(throttle).some((k) => k !== 'perCustomerDays') ||
      typeof days !== 'number' ||
      !Number.isInteger(days) ||
      days < 1 ||
      days > THROTTLE_MAX_DAYS
    ) {
      errors.push(`throttle.perCustomerDays must be an integer from 1 to ${THROTTLE_MAX_DAYS}`);
    } else checkedThrottle = { perCustomerDays: days };
  }
  if (useFeedbackTag !== undefined && typeof useFeedbackTag !== 'boolean') {
    errors.push('useFeedbackTag must be a boolean');
  }
  if (errors.length > 0 || since === null) return { ok: false, errors };
  return {
    ok: true,
    campaign: {
      pageId: pageId as string,
      since,
      until,
      survey: survey as Record<string, unknown>,
      ratePerSecond: rate as number,
      throttle: checkedThrottle,
      useFeedbackTag: (useFeedbackTag as boolean | undefined) ?? true,
    },
  };
}

/** What the pacing keeps on the campaign row. */
export interface Pacing {
  ratePerSecond: number;
  currentRate: number;
  tokens: number;
  tokensAt: Date;
  pausedUntil: Date | null;
  backoffMs: number;
  rateChangedAt: Date;
}

/** After a rate-limit error: the first pause, and the longest. */
export const BACKOFF_MIN_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
/** How long the rate must hold without a rate-limit error before it goes up a step. */
export const RECOVER_AFTER_MS = 5_000;

/** The most the token bucket holds: a fifth of a second's worth (at least one). */
export function burstOf(rate: number): number {
  return Math.max(1, Math.ceil(rate / 5));
}

/** How much the rate goes back up per step after a slowdown: a tenth of the asked rate. */
export function recoveryStep(rate: number): number {
  return Math.max(1, Math.ceil(rate / 10));
}

/**
 * The pacing at `now` before a claim: the rate back up a step (a tenth of the asked rate) when it
 * held for RECOVER_AFTER_MS, and the token bucket refilled (at the current rate, at most a burst).
 */
export function refill(p: Pacing, now: Date): Pacing {
  let { currentRate, rateChangedAt, backoffMs } = p;
  if (
    currentRate < p.ratePerSecond &&
    now.getTime() - rateChangedAt.getTime() >= RECOVER_AFTER_MS
  ) {
    currentRate = Math.min(p.ratePerSecond, currentRate + recoveryStep(p.ratePerSecond));
    rateChangedAt = now;
    if (currentRate === p.ratePerSecond) backoffMs = 0;
  }
  const elapsed = Math.max(0, now.getTime() - p.tokensAt.getTime());
  const tokens = Math.min(burstOf(currentRate), p.tokens + (elapsed * currentRate) / 1000);
  return { ...p, currentRate, rateChangedAt, backoffMs, tokens, tokensAt: now };
}

/**
 * After Meta said "too many calls" at `now`: the rate halved and a pause (1 s, doubling up to a
 * minute while the errors go on). Errors of sends made before the pause began (the same burst)
 * change nothing more.
 */
export function slowDown(p: Pacing, now: Date): Pacing {
  if (p.pausedUntil !== null && p.pausedUntil.getTime() > now.getTime()) return p;
  const backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, p.backoffMs * 2));
  return {
    ...p,
    currentRate: Math.max(1, Math.floor(p.currentRate / 2)),
    rateChangedAt: now,
    backoffMs,
    pausedUntil: new Date(now.getTime() + backoffMs),
    tokens: 0,
    tokensAt: now,
  };
}
