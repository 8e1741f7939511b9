import { createHash } from 'node:crypto';
import type { SurveyTemplateDefaults } from '../surveys/template/survey-template';
import { validateSurveyTemplate } from '../surveys/template/validate-survey-template';

export const TRIGGER_TYPES = ['conversation_idle', 'thread_released', 'postback'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export type RuleTrigger =
  | { type: 'conversation_idle'; idleMinutes: number }
  | { type: 'thread_released' }
  | { type: 'postback'; payload: string };

export interface QuietHours {
  from: string;
  to: string;
  timeZone: string;
}

/** A rule as the API shows and takes it. */
export interface SurveyRuleFields {
  name: string;
  enabled: boolean;
  pageIds: string[] | null;
  trigger: RuleTrigger;
  /** The optional fields of POST /api/surveys plus `type`, as given. */
  survey: Record<string, unknown>;
  throttle: { perCustomerDays: number } | null;
  sampleRate: number;
  quietHours: QuietHours | null;
  useFeedbackTag: boolean;
}

export const OUTCOMES = ['scheduled', 'sent', 'skipped', 'cancelled', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type Reason =
  | 'throttled'
  | 'open_survey'
  | 'outside_window'
  | 'quiet_hours'
  | 'sampled_out'
  | 'customer_wrote_again'
  | 'rule_disabled'
  | 'graph_error';

const NAME_MAX = 200;
const PAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const PAGE_IDS_MAX = 100;
const PAYLOAD_MAX = 1000;
const IDLE_MAX = 7 * 24 * 60;
const THROTTLE_MAX_DAYS = 365;
const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** Fields of POST /api/surveys a rule may not set: the rule decides who and where. */
const SURVEY_FIELDS_NOT_ALLOWED = ['recipientId', 'pageId'];
const FIELDS = [
  'name',
  'enabled',
  'pageIds',
  'trigger',
  'survey',
  'throttle',
  'sampleRate',
  'quietHours',
  'useFeedbackTag',
];

export type RuleResult = { ok: true; rule: SurveyRuleFields } | { ok: false; errors: string[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether the IANA time zone is one the runtime knows (Intl). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a whole rule (POST, or the stored rule merged with a PATCH) and names every failing
 * field at once. The survey is checked by the very validation a send goes through.
 */
export function validateSurveyRule(
  body: Record<string, unknown>,
  defaults: SurveyTemplateDefaults,
): RuleResult {
  const errors: string[] = [];
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) errors.push(`property ${key} should not exist`);
  }
  const { name, enabled, pageIds, trigger, survey, throttle, sampleRate, quietHours } = body;
  if (typeof name !== 'string' || name.trim() === '' || name.length > NAME_MAX) {
    errors.push(`name must be a non-empty string of at most ${NAME_MAX} characters`);
  }
  if (enabled !== undefined && typeof enabled !== 'boolean')
    errors.push('enabled must be a boolean');
  if (body.useFeedbackTag !== undefined && typeof body.useFeedbackTag !== 'boolean') {
    errors.push('useFeedbackTag must be a boolean');
  }
  if (
    pageIds != null &&
    (!Array.isArray(pageIds) ||
      pageIds.length === 0 ||
      pageIds.length > PAGE_IDS_MAX ||
      !pageIds.every((id) => typeof id === 'string' && PAGE_ID.test(id)))
  ) {
    errors.push(
      `pageIds must be null or 1 to ${PAGE_IDS_MAX} Page ids (letters, digits, _ or -, at most 128 characters)`,
    );
  }
  const checkedTrigger = checkTrigger(trigger, errors);
  if (!isObject(survey)) {
    errors.push('survey must be an object with at least a type');
  } else {
    for (const key of SURVEY_FIELDS_NOT_ALLOWED) {
      if (key in survey) errors.push(`survey.${key} should not exist: the rule decides it`);
    }
    const template = validateSurveyTemplate(survey, defaults);
    if (!template.ok) errors.push(...template.errors.map((e) => `survey.${e}`));
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
  const rate = sampleRate ?? 1;
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) {
    errors.push('sampleRate must be a number with 0 < sampleRate <= 1');
  }
  let checkedQuiet: QuietHours | null = null;
  if (quietHours != null) {
    if (
      !isObject(quietHours) ||
      Object.keys(quietHours).some((k) => !['from', 'to', 'timeZone'].includes(k))
    ) {
      errors.push('quietHours must be null or {from, to, timeZone}');
    } else {
      const { from, to, timeZone } = quietHours;
      if (typeof from !== 'string' || !CLOCK_TIME.test(from))
        errors.push('quietHours.from must be HH:MM (00:00 to 23:59)');
      if (typeof to !== 'string' || !CLOCK_TIME.test(to))
        errors.push('quietHours.to must be HH:MM (00:00 to 23:59)');
      if (from === to && typeof from === 'string')
        errors.push('quietHours.from and quietHours.to must differ');
      if (typeof timeZone !== 'string' || timeZone.length > 64 || !isTimeZone(timeZone)) {
        errors.push('quietHours.timeZone must be an IANA time zone, e.g. Europe/Paris');
      }
      checkedQuiet = { from: from as string, to: to as string, timeZone: timeZone as string };
    }
  }
  if (errors.length > 0 || checkedTrigger === null) return { ok: false, errors };
  return {
    ok: true,
    rule: {
      name: (name as string).trim(),
      enabled: (enabled as boolean | undefined) ?? true,
      pageIds: (pageIds as string[] | null | undefined) ?? null,
      trigger: checkedTrigger,
      survey: survey as Record<string, unknown>,
      throttle: checkedThrottle,
      sampleRate: rate as number,
      quietHours: checkedQuiet,
      useFeedbackTag: (body.useFeedbackTag as boolean | undefined) ?? true,
    },
  };
}

function checkTrigger(trigger: unknown, errors: string[]): RuleTrigger | null {
  if (!isObject(trigger) || !TRIGGER_TYPES.includes(trigger.type as TriggerType)) {
    errors.push(`trigger.type must be one of: ${TRIGGER_TYPES.join(', ')}`);
    return null;
  }
  const allowed: Record<TriggerType, string[]> = {
    conversation_idle: ['type', 'idleMinutes'],
    thread_released: ['type'],
    postback: ['type', 'payload'],
  };
  const type = trigger.type as TriggerType;
  const extra = Object.keys(trigger).filter((k) => !allowed[type].includes(k));
  for (const key of extra) errors.push(`trigger.${key} should not exist for ${type}`);
  if (type === 'conversation_idle') {
    const minutes = trigger.idleMinutes;
    if (
      typeof minutes !== 'number' ||
      !Number.isInteger(minutes) ||
      minutes < 1 ||
      minutes > IDLE_MAX
    ) {
      errors.push(`trigger.idleMinutes must be an integer from 1 to ${IDLE_MAX}`);
      return null;
    }
    return extra.length > 0 ? null : { type, idleMinutes: minutes };
  }
  if (type === 'postback') {
    const payload = trigger.payload;
    if (typeof payload !== 'string' || payload === '' || payload.length > PAYLOAD_MAX) {
      errors.push(
        `trigger.payload must be a non-empty string of at most ${PAYLOAD_MAX} characters`,
      );
      return null;
    }
    return extra.length > 0 ? null : { type, payload };
  }
  return extra.length > 0 ? null : { type };
}

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h * 60 + m;
}

/** The wall-clock minute of the day at `now` in `timeZone` (Intl). */
export function localMinuteOfDay(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  return hour * 60 + minute;
}

/** Whether `now` falls in [from, to) local time; a range with to < from runs across midnight. */
export function inQuietHours(quiet: QuietHours, now: Date): boolean {
  const at = localMinuteOfDay(now, quiet.timeZone);
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  return from < to ? at >= from && at < to : at >= from || at < to;
}

/**
 * Whether a decision is in the sample: a hash of the rule and the decision's key mapped to [0, 1),
 * so the same decision always falls the same way (deterministic, and testable).
 */
export function inSample(sampleRate: number, ruleId: string, key: string): boolean {
  if (sampleRate >= 1) return true;
  const digest = createHash('sha256').update(`${ruleId}\n${key}`).digest();
  return digest.readUInt32BE(0) / 0x1_0000_0000 < sampleRate;
}
