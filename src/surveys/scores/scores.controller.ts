import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Page } from '../../common/pagination';
import { parseRange } from '../../common/instant';
import {
  CommentDto,
  CommentPageDto,
  CommentsQuery,
  ScoresDto,
  ScoresQuery,
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
  @ApiOkResponse({ type: ScoresDto })
  get(@Query() query: ScoresQuery): Promise<ScoresDto> {
    return this.scores.scoresFor(
      { pageId: query.pageId, questionId: query.questionId },
      parseRange(query),
    );
  }

  @Get('comments')
  @ApiOperation({ summary: 'Free-form follow-ups of valid answers, newest first' })
  @ApiOkResponse({ type: CommentPageDto })
  comments(@Query() query: CommentsQuery): Promise<Page<CommentDto>> {
    const { type, pageId, questionId, limit, cursor } = query;
    return this.scores.comments({ type, pageId, questionId }, parseRange(query), limit, cursor);
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
