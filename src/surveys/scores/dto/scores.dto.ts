import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { BREAKDOWN_BY, type BreakdownBy } from '../scores.repository';
import { COMMENT_ORDERS, SCORE_BANDS, type CommentOrder, type ScoreBand } from '../comment-order';
import { ListQueryDto } from '../../../common/pagination';
import { FOLLOW_UP_MAX_CHARACTERS } from '../../answers/feedback-answers';
import { SCORE_TYPES, type ScoreType } from '../../template/survey-template';
import { IsInstant, RANGE_BOUND_NOTE } from '../../../common/instant';
import { AnswerRangeQuery } from '../../answer-range.query';

export const TREND_INTERVALS = ['day', 'week', 'month'] as const;

export class ScoresQuery extends AnswerRangeQuery {
  @ApiPropertyOptional({ description: 'only this question id' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  questionId?: string;
}

export const COMPARE_WITH = ['previous'] as const;

export class ScoresCompareQuery extends ScoresQuery {
  @ApiPropertyOptional({
    enum: COMPARE_WITH,
    description:
      'previous: add `previous`, the scores of the period of equal length just before [from, to), and `delta`. With it, `to` defaults to now and `from` to 30 days before `to`.',
  })
  @IsOptional()
  @IsIn(COMPARE_WITH, { message: `compare must be one of: ${COMPARE_WITH.join(', ')}` })
  compare?: (typeof COMPARE_WITH)[number];
}

export class BreakdownQuery extends ScoresQuery {
  @ApiProperty({
    enum: BREAKDOWN_BY,
    description:
      'page, questionId, rule (the automation rule that sent the answered survey; `none`) or responder (the app that handled the conversation before the survey; `unknown`)',
  })
  @IsIn(BREAKDOWN_BY, { message: `by must be one of: ${BREAKDOWN_BY.join(', ')}` })
  by!: BreakdownBy;

  @ApiProperty({
    enum: SCORE_TYPES,
    description: 'required: a score means something else for each type',
  })
  @IsIn(SCORE_TYPES, { message: `type must be one of: ${SCORE_TYPES.join(', ')}` })
  type!: ScoreType;
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

  @ApiPropertyOptional({ minimum: 0, maximum: 10, description: 'only scores ≥ minScore' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10)
  minScore?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10, description: 'only scores ≤ maxScore' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10)
  maxScore?: number;

  @ApiPropertyOptional({
    enum: SCORE_BANDS,
    description:
      "only this band of each type's scale: low (CSAT 1–2, NPS 0–6, CES 1–3), neutral (CSAT 3, NPS 7–8, CES 4), high (CSAT 4–5, NPS 9–10, CES 5–7)",
  })
  @IsOptional()
  @IsIn(SCORE_BANDS, { message: `band must be one of: ${SCORE_BANDS.join(', ')}` })
  band?: ScoreBand;

  @ApiPropertyOptional({
    enum: COMMENT_ORDERS,
    default: 'newest',
    description:
      'newest: newest first. lowest: lowest first relative to its scale (the bottom of every scale first, then up in equal steps: an NPS 0 with a CSAT 1, an NPS 6 before a CSAT 4), newest first among equals',
  })
  @IsOptional()
  @IsIn(COMMENT_ORDERS, { message: `order must be one of: ${COMMENT_ORDERS.join(', ')}` })
  order: CommentOrder = 'newest';
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

export class ScoreDeltaDto {
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'CSAT score now minus before, 2 decimals; null where either has no answers',
  })
  csat!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'NPS score now minus before' })
  nps!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'CES score now minus before' })
  ces!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'response rate now minus before, 4 decimals; null where either sent none',
  })
  responseRate!: number | null;
}

export class ComparedScoresDto extends ScoresDto {
  @ApiPropertyOptional({
    type: ScoresDto,
    description: 'only with compare=previous: the period of equal length just before [from, to)',
  })
  previous?: ScoresDto;
  @ApiPropertyOptional({ type: ScoreDeltaDto, description: 'only with compare=previous' })
  delta?: ScoreDeltaDto;
}

export class BreakdownItemDto {
  @ApiProperty({
    description:
      'the Page id, question id, rule id or responder app id; `none` (rule) / `unknown` (responder) when nothing says',
  })
  key!: string;
  @ApiProperty({
    description: 'responders: their MESSENGER_APP_LABELS label, else the app id; others: the key',
  })
  label!: string;
  @ApiProperty() responses!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "the type's score (CSAT and CES: percent satisfied / easy; NPS: -100..100)",
  })
  score!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'mean answer, 2 decimals (NPS: of its 0-10 answers)',
  })
  average!: number | null;
}

export class BreakdownDto {
  @ApiProperty({ enum: BREAKDOWN_BY }) by!: string;
  @ApiProperty({ enum: SCORE_TYPES }) type!: string;
  @ApiProperty({ type: [BreakdownItemDto], description: 'most responses first, then by key' })
  items!: BreakdownItemDto[];
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
  @ApiProperty({ description: 'the Page the answer came to' }) pageId!: string;
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
