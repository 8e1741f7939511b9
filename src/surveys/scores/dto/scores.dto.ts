import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from '../../../common/pagination';
import { FOLLOW_UP_MAX_CHARACTERS } from '../../answers/feedback-answers';
import { SCORE_TYPES, type ScoreType } from '../../template/survey-template';
import { IsInstant, RANGE_BOUND_NOTE } from '../../../common/instant';

export const TREND_INTERVALS = ['day', 'week', 'month'] as const;

class RangeQuery {
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

export class ScoresQuery extends RangeQuery {
  @ApiPropertyOptional({ description: 'only this question id' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  questionId?: string;
}

export class TrendQuery extends ScoresQuery {
  @ApiPropertyOptional({
    enum: TREND_INTERVALS,
    default: 'day',
    description: 'UTC periods; weeks start on Monday',
  })
  @IsOptional()
  @IsIn(TREND_INTERVALS)
  interval: (typeof TREND_INTERVALS)[number] = 'day';
}

export class TrendParams {
  @ApiProperty({ enum: SCORE_TYPES })
  @IsIn(SCORE_TYPES)
  type!: ScoreType;
}

export class CommentsQuery extends ListQueryDto {
  @ApiPropertyOptional({ enum: SCORE_TYPES })
  @IsOptional()
  @IsIn(SCORE_TYPES)
  type?: ScoreType;

  @ApiPropertyOptional({ description: 'only this Page; default: every Page' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  pageId?: string;

  @ApiPropertyOptional({ description: 'only this question id' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  questionId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: RANGE_BOUND_NOTE })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: RANGE_BOUND_NOTE })
  @IsOptional()
  @IsInstant()
  to?: string;
}

const scoreNote = 'percent, 2 decimals; null with no answers';
const averageNote = 'mean score, 2 decimals; null with no answers';

export class CsatScoreDto {
  @ApiProperty() responses!: number;
  @ApiProperty({ nullable: true, type: Number, description: `answers of 4 or 5, ${scoreNote}` })
  score!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: averageNote }) average!: number | null;
  @ApiProperty({
    example: { '1': 0, '2': 1, '3': 2, '4': 5, '5': 9 },
    description: 'answers per score 1-5',
  })
  distribution!: Record<string, number>;
}

export class NpsScoreDto {
  @ApiProperty() responses!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: `% promoters − % detractors, -100..100, 2 decimals; null with no answers`,
  })
  score!: number | null;
  @ApiProperty({ description: 'answers of 9-10' }) promoters!: number;
  @ApiProperty({ description: 'answers of 7-8' }) passives!: number;
  @ApiProperty({ description: 'answers of 0-6' }) detractors!: number;
  @ApiProperty({ description: 'answers per score 0-10', example: { '0': 0, '10': 4 } })
  distribution!: Record<string, number>;
}

export class CesScoreDto {
  @ApiProperty() responses!: number;
  @ApiProperty({ nullable: true, type: Number, description: `answers of 5 to 7, ${scoreNote}` })
  score!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: averageNote }) average!: number | null;
  @ApiProperty({ description: 'answers per score 1-7', example: { '1': 0, '7': 3 } })
  distribution!: Record<string, number>;
}

export class SurveyCountsDto {
  @ApiProperty({ description: 'surveys sent, those later responded or expired included' })
  sent!: number;
  @ApiProperty() responded!: number;
  @ApiProperty() expired!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'responded / sent, 4 decimals; null when none was sent',
  })
  responseRate!: number | null;
}

export class ScoresDto {
  @ApiProperty({ type: CsatScoreDto }) csat!: CsatScoreDto;
  @ApiProperty({ type: NpsScoreDto }) nps!: NpsScoreDto;
  @ApiProperty({ type: CesScoreDto }) ces!: CesScoreDto;
  @ApiProperty({ type: SurveyCountsDto, description: 'surveys sent in the range (by sentAt)' })
  surveys!: SurveyCountsDto;
}

export class TrendPointDto {
  @ApiProperty({ example: '2026-11-02', description: 'first day of the UTC period' })
  period!: string;
  @ApiProperty() responses!: number;
  @ApiProperty({ nullable: true, type: Number }) score!: number | null;
  @ApiProperty({ nullable: true, type: Number }) average!: number | null;
}

export class TrendDto {
  @ApiProperty({ enum: SCORE_TYPES }) type!: string;
  @ApiProperty({ enum: TREND_INTERVALS }) interval!: string;
  @ApiProperty({
    type: [TrendPointDto],
    description: 'oldest first; periods without answers left out',
  })
  points!: TrendPointDto[];
}

export class CommentDto {
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'null when the answer matched no survey',
  })
  surveyId!: string | null;
  @ApiProperty() userId!: string;
  @ApiProperty({ enum: SCORE_TYPES }) type!: string;
  @ApiProperty({ nullable: true, type: Number }) score!: number | null;
  @ApiProperty({
    description: `the free-form follow-up, at most ${FOLLOW_UP_MAX_CHARACTERS} characters`,
  })
  text!: string;
  @ApiProperty({ format: 'date-time' }) submittedAt!: string;
}

export class CommentPageDto {
  @ApiProperty({ type: [CommentDto] }) items!: CommentDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
