import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsOptional } from 'class-validator';
import { ListQueryDto } from '../../common/pagination';
import { OUTCOMES, TRIGGER_TYPES } from '../survey-rule';

/**
 * A rule's fields. Only declared here (for the whitelist and the OpenAPI document): the fields are
 * checked together by validateSurveyRule, so one 400 names every failing field.
 */
export class SurveyRuleBodyDto {
  @ApiProperty({ example: 'CSAT after support', maxLength: 200 })
  @Allow()
  name?: string;

  @ApiPropertyOptional({ default: true })
  @Allow()
  enabled?: boolean;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description: 'the Pages it watches; null or absent: every Page',
  })
  @Allow()
  pageIds?: string[] | null;

  @ApiProperty({
    description: `{type: ${TRIGGER_TYPES.join(' | ')}}; conversation_idle takes idleMinutes (1 to 10080), postback takes payload`,
    example: { type: 'postback', payload: 'RESOLVED' },
  })
  @Allow()
  trigger?: Record<string, unknown>;

  @ApiProperty({
    description:
      'type and the optional template fields of POST /api/surveys (not recipientId or pageId), checked as a send is',
    example: { type: 'csat', followUp: true },
  })
  @Allow()
  survey?: Record<string, unknown>;

  @ApiPropertyOptional({
    nullable: true,
    description:
      '{perCustomerDays: 1 to 365}: no survey from any rule to that customer of that Page within N days',
    example: { perCustomerDays: 7 },
  })
  @Allow()
  throttle?: { perCustomerDays: number } | null;

  @ApiPropertyOptional({ default: 1, description: '0 < sampleRate <= 1' })
  @Allow()
  sampleRate?: number;

  @ApiPropertyOptional({
    nullable: true,
    description:
      '{from: "HH:MM", to: "HH:MM", timeZone: IANA}; to before from runs across midnight',
    example: { from: '21:00', to: '08:00', timeZone: 'Europe/Paris' },
  })
  @Allow()
  quietHours?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    default: true,
    description: 'false: only inside the 24-hour window; true: up to 7 days with CUSTOMER_FEEDBACK',
  })
  @Allow()
  useFeedbackTag?: boolean;
}

export class SurveyRuleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: [String], nullable: true }) pageIds!: string[] | null;
  @ApiProperty({ type: Object }) trigger!: Record<string, unknown>;
  @ApiProperty({ type: Object }) survey!: Record<string, unknown>;
  @ApiProperty({ type: Object, nullable: true }) throttle!: { perCustomerDays: number } | null;
  @ApiProperty() sampleRate!: number;
  @ApiProperty({ type: Object, nullable: true }) quietHours!: Record<string, unknown> | null;
  @ApiProperty() useFeedbackTag!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class SurveyRulePageDto {
  @ApiProperty({ type: [SurveyRuleDto] }) items!: SurveyRuleDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class DecisionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) ruleId!: string;
  @ApiProperty() pageId!: string;
  @ApiProperty() userId!: string;
  @ApiProperty({ enum: TRIGGER_TYPES }) trigger!: string;
  @ApiProperty({ enum: OUTCOMES }) outcome!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: [
      'throttled',
      'open_survey',
      'outside_window',
      'quiet_hours',
      'sampled_out',
      'customer_wrote_again',
      'rule_disabled',
      'graph_error',
    ],
  })
  reason!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) surveyId!: string | null;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
}

export class DecisionPageDto {
  @ApiProperty({ type: [DecisionDto] }) items!: DecisionDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ListDecisionsQuery extends ListQueryDto {
  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: (typeof OUTCOMES)[number];
}
