import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsInstant, RANGE_BOUND_NOTE } from '../../common/instant';

export class ResponseFeedbackQuery {
  @ApiPropertyOptional({ description: 'only this Page; default: every Page' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  pageId?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: `from ≤ time of the latest feedback (${RANGE_BOUND_NOTE})`,
  })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: `time of the latest feedback < to (${RANGE_BOUND_NOTE})`,
  })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export class ResponseFeedbackSummaryDto {
  @ApiProperty({
    description: 'customer and message pairs whose latest feedback is "Good response"',
  })
  good!: number;
  @ApiProperty({
    description: 'customer and message pairs whose latest feedback is "Bad response"',
  })
  bad!: number;
  @ApiProperty() total!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'good / total, 4 decimals; null when total is 0',
    example: 0.8333,
  })
  goodRate!: number | null;
}
