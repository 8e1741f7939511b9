import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsIn, IsOptional } from 'class-validator';
import { ListQueryDto } from '../../../common/pagination';
import {
  CAMPAIGN_STATUSES,
  DEFAULT_RATE_PER_SECOND,
  MAX_RATE_PER_SECOND,
  TARGET_REASONS,
  TARGET_STATES,
} from '../survey-campaign';

/**
 * A campaign's fields. Only declared here (for the whitelist and the OpenAPI document): the fields
 * are checked together by validateSurveyCampaign, so one 400 names every failing field.
 */
export class SurveyCampaignBodyDto {
  @ApiProperty({ example: '100000000000001', description: 'the Page the surveys go out from' })
  @Allow()
  pageId?: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-26T00:00:00Z',
    description: 'customers whose last message to the Page is at or after this instant',
  })
  @Allow()
  since?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: '... and before this instant; default: now',
  })
  @Allow()
  until?: string;

  @ApiProperty({
    description:
      'type and the optional template fields of POST /api/surveys (not recipientId or pageId), checked as a send is',
    example: { type: 'csat', followUp: true },
  })
  @Allow()
  survey?: Record<string, unknown>;

  @ApiPropertyOptional({
    default: DEFAULT_RATE_PER_SECOND,
    minimum: 1,
    maximum: MAX_RATE_PER_SECOND,
    description: `sends per second at most, counting every campaign of the Page (Meta allows ${MAX_RATE_PER_SECOND} per Page)`,
  })
  @Allow()
  ratePerSecond?: number;

  @ApiPropertyOptional({
    nullable: true,
    description:
      '{perCustomerDays: 1 to 365}: skip a customer sent a survey (not failed) by that Page within N days',
    example: { perCustomerDays: 7 },
  })
  @Allow()
  throttle?: { perCustomerDays: number } | null;

  @ApiPropertyOptional({
    default: true,
    description:
      'true: customers who wrote within 7 days (the CUSTOMER_FEEDBACK tag past 24 hours); false: within 24 hours',
  })
  @Allow()
  useFeedbackTag?: boolean;
}

export class SurveyCampaignDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() pageId!: string;
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiProperty({ format: 'date-time' }) until!: string;
  @ApiProperty({ type: Object }) survey!: Record<string, unknown>;
  @ApiProperty() ratePerSecond!: number;
  @ApiProperty({ type: Object, nullable: true }) throttle!: { perCustomerDays: number } | null;
  @ApiProperty() useFeedbackTag!: boolean;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status!: string;
  @ApiProperty({ description: 'customers targeted (snapshotted at creation)' }) total!: number;
  @ApiProperty() sent!: number;
  @ApiProperty() skipped!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'left to send, or being sent' }) pending!: number;
  @ApiProperty({ description: 'the rate sends are paced at now (lower after Meta rate limits)' })
  currentRate!: number;
  @ApiProperty({ description: "Meta's rate-limit errors met (each such send is made again)" })
  rateLimited!: number;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'sends wait until then after a rate-limit error',
  })
  pausedUntil!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
}

export class SurveyCampaignPageDto {
  @ApiProperty({ type: [SurveyCampaignDto] }) items!: SurveyCampaignDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CampaignTargetDto {
  @ApiProperty() userId!: string;
  @ApiProperty({ enum: TARGET_STATES }) state!: string;
  @ApiProperty({ nullable: true, type: String, enum: TARGET_REASONS }) reason!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) surveyId!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) doneAt!: string | null;
}

export class CampaignTargetPageDto {
  @ApiProperty({ type: [CampaignTargetDto] }) items!: CampaignTargetDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ListCampaignsQuery extends ListQueryDto {
  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: (typeof CAMPAIGN_STATUSES)[number];
}

export class ListTargetsQuery extends ListQueryDto {
  @ApiPropertyOptional({ enum: TARGET_STATES })
  @IsOptional()
  @IsIn(TARGET_STATES)
  state?: (typeof TARGET_STATES)[number];
}
