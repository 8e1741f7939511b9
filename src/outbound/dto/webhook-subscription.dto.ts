import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  IsObject,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ListQueryDto } from '../../common/pagination';
import { OUTBOUND_EVENT_TYPES, type OutboundEventType } from '../outbound-event';

/** A PATCH field that is present must be valid: null is not "unchanged" (only absent is). */
const given = (_object: object, value: unknown): boolean => value !== undefined;

/** Thresholds at or below which an answer is a `survey.low_score`; missing types keep their default. */
export class LowScoreDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 5, default: 2 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  csat?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10, default: 6 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  nps?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 7, default: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7)
  ces?: number;
}

export class CreateWebhookSubscriptionDto {
  @ApiProperty({
    description: 'where deliveries are POSTed; https in production, to a public address',
    example: 'https://example.com/hooks/feedback',
    maxLength: 2048,
  })
  @IsString()
  @MaxLength(2048)
  url!: string;

  @ApiProperty({ enum: OUTBOUND_EVENT_TYPES, isArray: true, minItems: 1 })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(OUTBOUND_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(OUTBOUND_EVENT_TYPES, { each: true })
  events!: OutboundEventType[];

  @ApiPropertyOptional({ type: LowScoreDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LowScoreDto)
  lowScore?: LowScoreDto;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateWebhookSubscriptionDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @ValidateIf(given)
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: OUTBOUND_EVENT_TYPES, isArray: true, minItems: 1 })
  @ValidateIf(given)
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(OUTBOUND_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(OUTBOUND_EVENT_TYPES, { each: true })
  events?: OutboundEventType[];

  @ApiPropertyOptional({ type: LowScoreDto, description: 'types left out keep their threshold' })
  @ValidateIf(given)
  @IsObject()
  @ValidateNested()
  @Type(() => LowScoreDto)
  lowScore?: LowScoreDto;

  @ApiPropertyOptional({
    maxLength: 500,
    nullable: true,
    type: String,
    description: 'null clears it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({
    description: 'true re-enables a disabled subscription (its pending deliveries resume)',
  })
  @ValidateIf(given)
  @IsBoolean()
  enabled?: boolean;
}

export class LowScoreThresholdsDto {
  @ApiProperty() csat!: number;
  @ApiProperty() nps!: number;
  @ApiProperty() ces!: number;
}

export class WebhookSubscriptionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: OUTBOUND_EVENT_TYPES, isArray: true }) events!: string[];
  @ApiProperty({ type: LowScoreThresholdsDto }) lowScore!: LowScoreThresholdsDto;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'why it was disabled (a day of failed deliveries); null while enabled',
  })
  disabledReason!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'since when every attempt has failed; null after a success',
  })
  failingSince!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** The 201 of POST /api/webhook-subscriptions: the only answer that holds the secret. */
export class CreatedWebhookSubscriptionDto extends WebhookSubscriptionDto {
  @ApiProperty({
    description:
      'the signing secret, `whsec_` + base64 of 32 random bytes; shown in this answer only',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret!: string;
}

export class WebhookSubscriptionPageDto {
  @ApiProperty({ type: [WebhookSubscriptionDto] }) items!: WebhookSubscriptionDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export class ListDeliveriesQuery extends ListQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: (typeof DELIVERY_STATUSES)[number];
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'the `webhook-id` header, the same on every attempt' })
  webhookId!: string;
  @ApiProperty({ format: 'uuid' }) subscriptionId!: string;
  @ApiProperty({ description: 'the event type, or `ping` for a test' }) type!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: string;
  @ApiProperty({ description: 'attempts made so far' }) attempts!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'when the next attempt is due; null once succeeded or given up',
  })
  nextAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'HTTP status of the last attempt' })
  lastStatusCode!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'why the last attempt failed' })
  lastError!: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastDurationMs!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deliveredAt!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'the body sent: `{type, timestamp, data}`',
  })
  payload!: Record<string, unknown>;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) items!: WebhookDeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
