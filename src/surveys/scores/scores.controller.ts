import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../../common/error-response.dto';
import type { Page } from '../../common/pagination';
import { parseRange } from '../../common/instant';
import {
  BreakdownDto,
  BreakdownQuery,
  CommentDto,
  ComparedScoresDto,
  CommentPageDto,
  CommentsQuery,
  ScoresCompareQuery,
  TrendDto,
  TrendParams,
  TrendQuery,
} from './dto/scores.dto';
import { ScoresService } from './scores.service';

@ApiTags('scores')
@ApiBearerAuth()
@Controller('api/scores')
export class ScoresController {
  constructor(private readonly scores: ScoresService) {}

  @Get()
  @ApiOperation({
    summary: 'CSAT, NPS and CES scores and survey counts',
    description:
      'Valid answers with from ≤ submittedAt < to (answers that matched no survey included); surveys by sentAt in the same range.',
  })
  @ApiOkResponse({ type: ComparedScoresDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED: a bad from, to or compare, or from after to',
  })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'UNAUTHORIZED: no valid token' })
  get(@Query() query: ScoresCompareQuery): Promise<ComparedScoresDto> {
    const filter = { pageId: query.pageId, questionId: query.questionId };
    if (query.compare === 'previous') return this.scores.compared(filter, parseRange(query));
    return this.scores.scoresFor(filter, parseRange(query));
  }

  @Get('breakdown')
  @ApiOperation({
    summary: "One type's score per Page, question, rule or responder, most responses first",
    description:
      'Valid answers of `type` with from ≤ submittedAt < to. Rule and responder are those of the survey each answer answered, fixed when it was sent; answers that matched no survey count under `none` / `unknown`.',
  })
  @ApiOkResponse({ type: BreakdownDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description:
      'VALIDATION_FAILED: by or type missing or not one of their values (named), a bad from or to, or from after to',
  })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'UNAUTHORIZED: no valid token' })
  breakdown(@Query() query: BreakdownQuery): Promise<BreakdownDto> {
    return this.scores.breakdown(
      query.by,
      query.type,
      { pageId: query.pageId, questionId: query.questionId },
      parseRange(query),
    );
  }

  @Get('comments')
  @ApiOperation({
    summary: 'Free-form follow-ups of valid answers, newest or lowest first',
    description:
      'Valid answers with a follow-up text and from ≤ submittedAt < to, filtered by type, Page, question, score (minScore / maxScore, inclusive) and band. A cursor belongs to its order.',
  })
  @ApiOkResponse({ type: CommentPageDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description:
      'VALIDATION_FAILED: a bad type, band, order, minScore, maxScore, from, to or limit (named), from after to, or minScore above maxScore; INVALID_CURSOR',
  })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'UNAUTHORIZED: no valid token' })
  comments(@Query() query: CommentsQuery): Promise<Page<CommentDto>> {
    const { type, pageId, questionId, minScore, maxScore, band, order, limit, cursor } = query;
    return this.scores.comments(
      { type, pageId, questionId, minScore, maxScore, band },
      order,
      parseRange(query),
      limit,
      cursor,
    );
  }

  @Get(':type/trend')
  @ApiOperation({ summary: 'One score per UTC day, week (from Monday) or month, oldest first' })
  @ApiOkResponse({ type: TrendDto })
  trend(@Param() params: TrendParams, @Query() query: TrendQuery): Promise<TrendDto> {
    return this.scores.trend(
      params.type,
      query.interval,
      { pageId: query.pageId, questionId: query.questionId },
      parseRange(query),
    );
  }
}
