import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ListQueryDto } from '../../../common/pagination';
import type { InboxStatus } from '../stored-event';

export const LISTED_STATUSES = ['pending', 'failed', 'dead', 'unknown'] as const;

export class ListWebhookEventsQuery extends ListQueryDto {
  @ApiPropertyOptional({ enum: LISTED_STATUSES, description: 'default: every event not processed' })
  @IsOptional()
  @IsIn(LISTED_STATUSES)
  status?: (typeof LISTED_STATUSES)[number];
}

export class WebhookEventDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ example: 'message' }) kind!: string;
  @ApiProperty({ nullable: true, type: String }) pageId!: string | null;
  @ApiProperty({ nullable: true, type: String }) userId!: string | null;
  @ApiProperty({ enum: ['pending', 'processed', 'failed', 'dead', 'unknown'] })
  status!: InboxStatus;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'why the event is unknown (what the parser could not read), failed (its last error) or dead (the error that cannot be retried away, or the last one after every attempt); null otherwise',
    example: 'unrecognised event: message_request',
  })
  reason!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
}

export class WebhookEventPageDto {
  @ApiProperty({ type: [WebhookEventDto] }) items!: WebhookEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
