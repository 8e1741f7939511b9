import {
  DEFAULT_EXPIRES_IN_DAYS,
  DEFAULT_SCORE_LABEL,
  DEFAULT_SCORE_OPTION,
  QUESTION_ID_PATTERN,
  SCORE_LABELS,
  SCORE_OPTIONS,
  SCORE_TYPES,
  isScoreType,
  type ScoreLabel,
  type ScoreOption,
  type ScoreType,
  type SurveyTemplate,
  type SurveyTemplateDefaults,
  type SurveyTemplateInput,
  type SurveyTemplateResult,
  TEMPLATE_LIMITS as LIMITS,
} from './survey-template';
import { DEFAULT_BUTTON_TITLE, defaultSubtitle, defaultTitle } from './survey-template-defaults';
import { containsUrl, countCharacters } from './template-text';

/**
 * Checks a survey request against every limit of Meta's Customer Feedback Template and resolves
 * the defaults. Every failing field is reported at once (messages name the field in camelCase),
 * so a client can fix its request in one round trip. `null` counts as "not given".
 */
export function validateSurveyTemplate(
  input: SurveyTemplateInput,
  defaults: SurveyTemplateDefaults = {},
): SurveyTemplateResult {
  const errors: string[] = [];
  const type = checkType(input.type, errors);
  const questionId = checkQuestionId(input.questionId ?? type, errors);
  const title = checkText('title', input.title ?? defaultTitle(defaults.businessName), errors, {
    max: LIMITS.titleMax,
  });
  const subtitle = checkText(
    'subtitle',
    input.subtitle ?? defaultSubtitle(defaults.businessName),
    errors,
    { max: LIMITS.subtitleMax },
  );
  const buttonTitle = checkText('buttonTitle', input.buttonTitle ?? DEFAULT_BUTTON_TITLE, errors, {
    max: LIMITS.buttonTitleMax,
  });
  const questionTitle =
    input.questionTitle == null
      ? null
      : checkText('questionTitle', input.questionTitle, errors, {
          min: LIMITS.questionTitleMin,
          max: LIMITS.questionTitleMax,
        });
  const scoreOption = checkScoreOption(input.scoreOption, type, errors);
  const scoreLabel = checkScoreLabel(input.scoreLabel, type, errors);
  const followUp = checkFollowUp(input.followUp, errors);
  const privacyUrl = checkPrivacyUrl(input.privacyUrl, defaults.privacyPolicyUrl, errors);
  const expiresInDays = checkExpiresInDays(input.expiresInDays, errors);

  if (errors.length > 0) return { ok: false, errors };
  // With no errors every check above returned a value; the casts only tell the compiler so.
  const template: SurveyTemplate = {
    type: type as ScoreType,
    questionId: questionId as string,
    title: title as string,
    subtitle: subtitle as string,
    buttonTitle: buttonTitle as string,
    questionTitle: questionTitle ?? null,
    scoreOption: scoreOption ?? DEFAULT_SCORE_OPTION[type as ScoreType],
    scoreLabel: scoreLabel ?? DEFAULT_SCORE_LABEL[type as ScoreType],
    followUp: followUp ?? null,
    privacyUrl: privacyUrl as string,
    expiresInDays: expiresInDays ?? DEFAULT_EXPIRES_IN_DAYS,
  };
  return { ok: true, template };
}

function checkType(value: unknown, errors: string[]): ScoreType | undefined {
  if (value == null || value === '') {
    errors.push('type is required');
    return undefined;
  }
  if (!isScoreType(value)) {
    errors.push(`type must be one of ${SCORE_TYPES.join(', ')}`);
    return undefined;
  }
  return value;
}

/** Meta: alphanumeric plus underscores, at most 80; "abnj-4567" is its own invalid example. */
function checkQuestionId(value: unknown, errors: string[]): string | undefined {
  // An unknown type already has its own error; there is then no default id to check.
  if (value == null) return undefined;
  if (typeof value !== 'string' || !QUESTION_ID_PATTERN.test(value)) {
    errors.push('questionId must match [A-Za-z0-9_]{1,80}');
    return undefined;
  }
  return value;
}

function checkText(
  field: string,
  value: unknown,
  errors: string[],
  limits: { min?: number; max: number },
): string | undefined {
  if (typeof value !== 'string') {
    errors.push(`${field} must be a string`);
    return undefined;
  }
  const before = errors.length;
  const length = countCharacters(value);
  if (value.trim() === '') errors.push(`${field} must not be empty`);
  else if (limits.min !== undefined && length < limits.min)
    errors.push(`${field} must be at least ${limits.min} characters`);
  if (length > limits.max) errors.push(`${field} must be at most ${limits.max} characters`);
  if (containsUrl(value)) errors.push(`${field} must not contain a URL`);
  return errors.length === before ? value : undefined;
}

function checkScoreOption(
  value: unknown,
  type: ScoreType | undefined,
  errors: string[],
): ScoreOption | undefined {
  if (value == null) return undefined;
  // With an unknown type, at least reject what no type knows.
  const allowed: readonly string[] = type
    ? SCORE_OPTIONS[type]
    : Object.values(SCORE_OPTIONS).flat();
  if (typeof value === 'string' && allowed.includes(value)) return value as ScoreOption;
  errors.push(`scoreOption must be one of ${allowed.join(', ')}${type ? ` for ${type}` : ''}`);
  return undefined;
}

function checkScoreLabel(
  value: unknown,
  type: ScoreType | undefined,
  errors: string[],
): ScoreLabel | undefined {
  if (value == null) return undefined;
  // Every label suits every type; the type is named in the message as for scoreOption.
  const allowed: readonly string[] = SCORE_LABELS;
  if (typeof value === 'string' && allowed.includes(value)) return value as ScoreLabel;
  errors.push(`scoreLabel must be one of ${allowed.join(', ')}${type ? ` for ${type}` : ''}`);
  return undefined;
}

function checkFollowUp(value: unknown, errors: string[]): SurveyTemplate['followUp'] | undefined {
  if (value == null || value === false) return null;
  if (value === true) return { placeholder: null };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const placeholder = (value as { placeholder?: unknown }).placeholder;
    if (placeholder == null) return { placeholder: null };
    const checked = checkText('followUp.placeholder', placeholder, errors, {
      max: LIMITS.placeholderMax,
    });
    return checked === undefined ? undefined : { placeholder: checked };
  }
  errors.push('followUp must be true or an object with an optional placeholder');
  return undefined;
}

function checkPrivacyUrl(
  value: unknown,
  fallback: string | null | undefined,
  errors: string[],
): string | undefined {
  const fromDefault = value == null;
  const url: unknown = fromDefault ? fallback : value;
  if (fromDefault && (url == null || url === '')) {
    errors.push('privacyUrl is required when PRIVACY_POLICY_URL is not set');
    return undefined;
  }
  if (typeof url === 'string' && isAbsoluteHttpUrl(url)) return url;
  errors.push(
    `privacyUrl must be an absolute http or https URL${fromDefault ? ' (PRIVACY_POLICY_URL is not)' : ''}`,
  );
  return undefined;
}

/** `new URL` alone is lenient ("https:example.com" parses), hence the explicit prefix. */
function isAbsoluteHttpUrl(text: string): boolean {
  if (!/^https?:\/\/[^\s/?#]/i.test(text) || /\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function checkExpiresInDays(value: unknown, errors: string[]): number | undefined {
  if (value == null) return undefined;
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= LIMITS.expiresInDaysMin &&
    value <= LIMITS.expiresInDaysMax
  ) {
    return value;
  }
  errors.push(
    `expiresInDays must be an integer from ${LIMITS.expiresInDaysMin} to ${LIMITS.expiresInDaysMax}`,
  );
  return undefined;
}
