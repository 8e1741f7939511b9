/**
 * Types and constants of Meta's Customer Feedback Template (Messenger Send API).
 * Source: Meta's "Customer Feedback Template" guide, sections "Score Types", "Score Level
 * Indicators" and the Send API property table.
 */

export const SCORE_TYPES = ['csat', 'nps', 'ces'] as const;
export type ScoreType = (typeof SCORE_TYPES)[number];

/** Selector views per type. The guide's table once spells CSAT's "1_to_5"; its Score Types
 * section (the API nomenclature) spells "one_to_five", which is what we send. */
export const SCORE_OPTIONS = {
  csat: ['one_to_five', 'five_stars', 'five_emojis'],
  nps: ['zero_to_ten'],
  ces: ['one_to_seven'],
} as const satisfies Record<ScoreType, readonly string[]>;
export type ScoreOption = (typeof SCORE_OPTIONS)[ScoreType][number];

export const DEFAULT_SCORE_OPTION: Readonly<Record<ScoreType, ScoreOption>> = {
  csat: 'five_stars',
  nps: 'zero_to_ten',
  ces: 'one_to_seven',
};

/**
 * Score labels (the guide's "Score Level Indicators"). Any of them suits any type ("for each of
 * the scoring options you can also set the score labels"): the guide only names a default per
 * type, DEFAULT_SCORE_LABEL.
 */
export const SCORE_LABELS = [
  'neg_pos',
  'hard_easy',
  'dis_sat',
  'unlike_like',
  'poor_great',
  'none',
] as const;
export type ScoreLabel = (typeof SCORE_LABELS)[number];

export const DEFAULT_SCORE_LABEL: Readonly<Record<ScoreType, ScoreLabel>> = {
  csat: 'neg_pos',
  nps: 'unlike_like',
  ces: 'hard_easy',
};

/** Inclusive range of the numeric payload Meta sends back for each type. */
export const SCORE_RANGES: Readonly<Record<ScoreType, { min: number; max: number }>> = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
  ces: { min: 1, max: 7 },
};

/** Limits of the template texts, in characters (Unicode code points, see countCharacters). */
export const TEMPLATE_LIMITS = {
  titleMax: 65,
  subtitleMax: 80,
  buttonTitleMax: 20,
  placeholderMax: 65,
  questionTitleMin: 5,
  questionTitleMax: 85,
  expiresInDaysMin: 1,
  expiresInDaysMax: 7,
} as const;

export const DEFAULT_EXPIRES_IN_DAYS = 1;

export const QUESTION_ID_PATTERN = /^[A-Za-z0-9_]{1,80}$/;

export function isScoreType(value: unknown): value is ScoreType {
  return typeof value === 'string' && (SCORE_TYPES as readonly string[]).includes(value);
}

/** What a caller may ask for; raw (e.g. a request body), checked by validateSurveyTemplate. */
export interface SurveyTemplateInput {
  type?: string | null;
  questionId?: string | null;
  title?: string | null;
  subtitle?: string | null;
  buttonTitle?: string | null;
  questionTitle?: string | null;
  scoreOption?: string | null;
  scoreLabel?: string | null;
  followUp?: true | { placeholder?: string | null } | null;
  privacyUrl?: string | null;
  expiresInDays?: number | null;
}

/** Install-wide defaults (BUSINESS_NAME, PRIVACY_POLICY_URL). */
export interface SurveyTemplateDefaults {
  businessName?: string | null;
  privacyPolicyUrl?: string | null;
}

/**
 * A valid template with every default resolved, ready to store and send. Texts Meta localises
 * itself (the question title, the follow-up placeholder) stay null when not given, so that the
 * customer sees Meta's translated default rather than our English one.
 */
export interface SurveyTemplate {
  type: ScoreType;
  questionId: string;
  title: string;
  subtitle: string;
  buttonTitle: string;
  questionTitle: string | null;
  scoreOption: ScoreOption;
  scoreLabel: ScoreLabel;
  followUp: { placeholder: string | null } | null;
  privacyUrl: string;
  expiresInDays: number;
}

export type SurveyTemplateResult =
  { ok: true; template: SurveyTemplate } | { ok: false; errors: string[] };
