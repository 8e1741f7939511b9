import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListQueryDto, Page } from '../common/pagination';
import { ConversationReader } from './conversation-reader.service';
import { ConversationEventDto, ConversationEventPageDto } from './dto/conversation-event.dto';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/pages')
export class PageEventsController {
  constructor(private readonly reader: ConversationReader) {}

  @Get(':pageId/events')
  @ApiOperation({
    summary:
      'Events about the Page itself rather than one customer (policy enforcement, app roles), oldest first',
  })
  @ApiOkResponse({ type: ConversationEventPageDto })
  events(
    @Param('pageId') pageId: string,
    @Query() query: ListQueryDto,
  ): Promise<Page<ConversationEventDto>> {
    return this.reader.listEvents(pageId, null, query.cursor, query.limit);
  }
}
