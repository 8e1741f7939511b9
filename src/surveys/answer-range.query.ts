import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsInstant, RANGE_BOUND_NOTE } from '../common/instant';

/** Answers of one Page (or every Page) submitted in [from, to): scores and the answers export. */
export class AnswerRangeQuery {
  @ApiPropertyOptional({ description: 'only this Page; default: every Page' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  pageId?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: `from ≤ submittedAt (${RANGE_BOUND_NOTE})`,
  })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: `submittedAt < to (${RANGE_BOUND_NOTE})`,
  })
  @IsOptional()
  @IsInstant()
  to?: string;
}
