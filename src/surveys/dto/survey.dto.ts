import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from '../../common/pagination';
import { SCORE_TYPES } from '../template/survey-template';

export const SURVEY_STATUSES = ['sent', 'failed', 'responded', 'expired'] as const;

/** The 201 of POST /api/surveys. */
export class SurveyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: SURVEY_STATUSES }) status!: (typeof SURVEY_STATUSES)[number];
  @ApiProperty() pageId!: string;
  @ApiProperty() recipientId!: string;
  @ApiProperty({ enum: SCORE_TYPES }) type!: string;
  @ApiProperty() questionId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the Send API message_id' })
  messageId!: string | null;
  @ApiProperty({ enum: ['RESPONSE', 'MESSAGE_TAG'] }) messagingType!: string;
  @ApiProperty({ nullable: true, type: String, enum: ['CUSTOMER_FEEDBACK'] }) tag!: string | null;
  @ApiProperty({ format: 'date-time' }) sentAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class SurveyResponseDto {
  @ApiProperty({ nullable: true, type: Number }) score!: number | null;
  @ApiProperty({ nullable: true, type: String }) followUpText!: string | null;
  @ApiProperty({ format: 'date-time' }) submittedAt!: string;
}

/** Meta's error as kept on a failed survey (and returned in the 502). */
export class GraphErrorDto {
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'HTTP status; null when no answer came',
  })
  httpStatus!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Meta’s error code', example: 100 })
  code!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Meta’s error_subcode',
    example: 2018001,
  })
  errorSubcode!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'OAuthException' }) type!: string | null;
  @ApiProperty() message!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Meta’s fbtrace_id' })
  fbtraceId!: string | null;
  @ApiProperty({ description: 'whether the error was of a kind that is retried' })
  transient!: boolean;
  @ApiProperty({ description: 'requests made' }) attempts!: number;
}

export class SurveyDetailDto extends SurveyDto {
  @ApiProperty({ type: SurveyResponseDto, nullable: true }) response!: SurveyResponseDto | null;
  @ApiProperty({ type: GraphErrorDto, nullable: true }) error!: GraphErrorDto | null;
}

export class SurveyPageDto {
  @ApiProperty({ type: [SurveyDetailDto] }) items!: SurveyDetailDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ListSurveysQuery extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) pageId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) recipientId?: string;
  @ApiPropertyOptional({ enum: SURVEY_STATUSES })
  @IsOptional()
  @IsIn(SURVEY_STATUSES)
  status?: (typeof SURVEY_STATUSES)[number];
  @ApiPropertyOptional({ enum: SCORE_TYPES })
  @IsOptional()
  @IsIn(SCORE_TYPES)
  type?: (typeof SCORE_TYPES)[number];
}

/** The 502 of POST /api/surveys. */
export class GraphApiErrorResponseDto {
  @ApiProperty({ example: 502 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Gateway' }) error!: string;
  @ApiProperty({ example: 'Graph API error 100/2018001: No matching user found' }) message!: string;
  @ApiProperty({ example: 'GRAPH_API_ERROR' }) code!: string;
  @ApiProperty({ format: 'uuid', description: 'the survey, kept with status failed' })
  surveyId!: string;
  @ApiProperty({ type: GraphErrorDto }) graphError!: GraphErrorDto;
}
