import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AnswerRangeQuery } from '../../answer-range.query';
import { SCORE_TYPES, type ScoreType } from '../../template/survey-template';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class AnswersExportQuery extends AnswerRangeQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: `format must be one of: ${EXPORT_FORMATS.join(', ')}` })
  format: ExportFormat = 'csv';

  @ApiPropertyOptional({ enum: SCORE_TYPES, description: 'only answers of this type' })
  @IsOptional()
  @IsIn(SCORE_TYPES, { message: `type must be one of: ${SCORE_TYPES.join(', ')}` })
  type?: ScoreType;
}

/** One exported answer: an NDJSON line, or a CSV row with these columns in this order. */
export const EXPORT_COLUMNS = [
  'surveyId',
  'pageId',
  'userId',
  'type',
  'questionId',
  'score',
  'valid',
  'followUpText',
  'submittedAt',
  'surveySentAt',
  'ruleId',
  'responder',
  'conversationUrl',
] as const;
