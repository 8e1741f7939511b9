import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { SCORE_LABELS, SCORE_TYPES } from '../template/survey-template';

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

  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9_]{1,80}$', description: 'default: the type' })
  @Allow()
  questionId?: string;

  @ApiPropertyOptional({ maxLength: 65, description: 'no URLs; default from BUSINESS_NAME' })
  @Allow()
  title?: string;

  @ApiPropertyOptional({ maxLength: 80, description: 'no URLs; default from BUSINESS_NAME' })
  @Allow()
  subtitle?: string;

  @ApiPropertyOptional({ maxLength: 20, description: 'no URLs; default "Rate experience"' })
  @Allow()
  buttonTitle?: string;

  @ApiPropertyOptional({
    minLength: 5,
    maxLength: 85,
    description: 'no URLs; default: Meta’s question, translated to the customer’s locale',
  })
  @Allow()
  questionTitle?: string;

  @ApiPropertyOptional({
    enum: ['one_to_five', 'five_stars', 'five_emojis', 'zero_to_ten', 'one_to_seven'],
    description:
      'csat: one_to_five, five_stars (default), five_emojis; nps: zero_to_ten; ces: one_to_seven',
  })
  @Allow()
  scoreOption?: string;

  @ApiPropertyOptional({
    enum: SCORE_LABELS,
    description: 'default: csat neg_pos, nps unlike_like, ces hard_easy',
  })
  @Allow()
  scoreLabel?: string;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'boolean', enum: [true] },
      { type: 'object', properties: { placeholder: { type: 'string', maxLength: 65 } } },
    ],
    description: 'a free-form follow-up (answers up to 400 characters)',
  })
  @Allow()
  followUp?: true | { placeholder?: string };

  @ApiPropertyOptional({ format: 'uri', description: 'required unless PRIVACY_POLICY_URL is set' })
  @Allow()
  privacyUrl?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 7, default: 1 })
  @Allow()
  expiresInDays?: number;
}
