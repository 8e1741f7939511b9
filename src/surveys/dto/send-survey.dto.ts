import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { FOLLOW_UP_MAX_CHARACTERS } from '../answers/feedback-answers';
import {
  DEFAULT_EXPIRES_IN_DAYS,
  DEFAULT_SCORE_LABEL,
  DEFAULT_SCORE_OPTION,
  QUESTION_ID_PATTERN,
  SCORE_LABELS,
  SCORE_OPTIONS,
  SCORE_TYPES,
  TEMPLATE_LIMITS as LIMITS,
} from '../template/survey-template';
import { DEFAULT_BUTTON_TITLE } from '../template/survey-template-defaults';

// What the document says is what validateSurveyTemplate checks: the same constants, never restated.
const SCORE_OPTION_NOTE = SCORE_TYPES.map((type) => {
  const options = SCORE_OPTIONS[type] as readonly string[];
  const named = options.map((option) =>
    options.length > 1 && option === DEFAULT_SCORE_OPTION[type] ? `${option} (default)` : option,
  );
  return `${type}: ${named.join(', ')}`;
}).join('; ');
const SCORE_LABEL_NOTE = `default: ${SCORE_TYPES.map((type) => `${type} ${DEFAULT_SCORE_LABEL[type]}`).join(', ')}`;

/**
 * POST /api/surveys. Only declared here (for the whitelist and the OpenAPI document): the fields
 * are checked together by validateSendSurveyRequest, so that one 400 names every failing field.
 */
export class SendSurveyDto {
  @ApiProperty({ example: '1254459154682919', description: 'the customer’s PSID' })
  @Allow()
  recipientId?: string;

  @ApiPropertyOptional({ description: 'required when more than one Page is configured or known' })
  @Allow()
  pageId?: string;

  @ApiProperty({ enum: SCORE_TYPES })
  @Allow()
  type?: string;

  @ApiPropertyOptional({ pattern: QUESTION_ID_PATTERN.source, description: 'default: the type' })
  @Allow()
  questionId?: string;

  @ApiPropertyOptional({
    maxLength: LIMITS.titleMax,
    description: 'no URLs; default from BUSINESS_NAME',
  })
  @Allow()
  title?: string;

  @ApiPropertyOptional({
    maxLength: LIMITS.subtitleMax,
    description: 'no URLs; default from BUSINESS_NAME',
  })
  @Allow()
  subtitle?: string;

  @ApiPropertyOptional({
    maxLength: LIMITS.buttonTitleMax,
    description: `no URLs; default "${DEFAULT_BUTTON_TITLE}"`,
  })
  @Allow()
  buttonTitle?: string;

  @ApiPropertyOptional({
    minLength: LIMITS.questionTitleMin,
    maxLength: LIMITS.questionTitleMax,
    description: 'no URLs; default: Meta’s question, translated to the customer’s locale',
  })
  @Allow()
  questionTitle?: string;

  @ApiPropertyOptional({
    enum: Object.values(SCORE_OPTIONS).flat(),
    description: SCORE_OPTION_NOTE,
  })
  @Allow()
  scoreOption?: string;

  @ApiPropertyOptional({
    enum: SCORE_LABELS,
    description: SCORE_LABEL_NOTE,
  })
  @Allow()
  scoreLabel?: string;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'boolean', enum: [true] },
      {
        type: 'object',
        properties: { placeholder: { type: 'string', maxLength: LIMITS.placeholderMax } },
      },
    ],
    description: `a free-form follow-up (answers up to ${FOLLOW_UP_MAX_CHARACTERS} characters)`,
  })
  @Allow()
  followUp?: true | { placeholder?: string };

  @ApiPropertyOptional({ format: 'uri', description: 'required unless PRIVACY_POLICY_URL is set' })
  @Allow()
  privacyUrl?: string;

  @ApiPropertyOptional({
    minimum: LIMITS.expiresInDaysMin,
    maximum: LIMITS.expiresInDaysMax,
    default: DEFAULT_EXPIRES_IN_DAYS,
  })
  @Allow()
  expiresInDays?: number;
}
