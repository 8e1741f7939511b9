import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseRange } from '../common/instant';
import { ResponseFeedbackQuery, ResponseFeedbackSummaryDto } from './dto/response-feedback.dto';
import { ResponseFeedbackService } from './response-feedback.service';

@ApiTags('scores')
@ApiBearerAuth()
@Controller('api/response-feedback')
export class ResponseFeedbackController {
  constructor(private readonly feedback: ResponseFeedbackService) {}

  @Get()
  @ApiOperation({
    summary: 'Good / bad response feedback on the Page’s messages',
    description: 'The latest feedback of each customer on each message counts once.',
  })
  @ApiOkResponse({ type: ResponseFeedbackSummaryDto })
  summary(@Query() query: ResponseFeedbackQuery): Promise<ResponseFeedbackSummaryDto> {
    const { from, to } = parseRange(query);
    return this.feedback.summary(query.pageId, from, to);
  }
}
