import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEMO_LIMITS = { days: 365, customers: 2_000 } as const;

export class StartDemoDto {
  @ApiPropertyOptional({ minimum: 1, maximum: DEMO_LIMITS.days, default: 90 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(DEMO_LIMITS.days)
  days?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: DEMO_LIMITS.customers, default: 400 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(DEMO_LIMITS.customers)
  customers?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 2 ** 31 - 1,
    description: 'the same seed writes the same history; default: a random one (shown in request)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  seed?: number;
}

class DemoRequestDto {
  @ApiProperty() days!: number;
  @ApiProperty() customers!: number;
  @ApiProperty() seed!: number;
}

export class DemoStatusDto {
  @ApiProperty({ enum: ['idle', 'running', 'done', 'failed'] })
  status!: 'idle' | 'running' | 'done' | 'failed';

  @ApiProperty({ minimum: 0, maximum: 1, example: 0.42 })
  progress!: number;

  @ApiProperty({
    type: Object,
    description:
      'surveysStored and eventsDelivered as the run goes; once done, every count of the history as well (customers, conversations, messages, echoes, replies, edits, reactions, deliveryReceipts, readReceipts, responseFeedback, surveys and answered by type, expired, open, failed, comments, events)',
  })
  written!: Record<string, unknown>;

  @ApiProperty({ type: DemoRequestDto, nullable: true })
  request!: DemoRequestDto | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'why a failed run failed' })
  error!: string | null;
}
