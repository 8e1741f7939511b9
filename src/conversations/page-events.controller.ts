import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/error-response.dto';
import { ListQueryDto, Page } from '../common/pagination';
import { ConversationReader } from './conversation-reader.service';
import { ConversationEventDto, ConversationEventPageDto } from './dto/conversation-event.dto';
import { PageDto, PageListDto } from './dto/page.dto';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/pages')
export class PageEventsController {
  constructor(private readonly reader: ConversationReader) {}

  @Get()
  @ApiOperation({
    summary: 'Every Page the service knows, by id',
    description:
      'Pages seen in a delivery, and those named in MESSENGER_PAGE_TOKENS.',
  })
  @ApiOkResponse({ type: PageListDto })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'VALIDATION_FAILED: a bad limit; INVALID_CURSOR',
  })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'UNAUTHORIZED: no valid token' })
  list(@Query() query: ListQueryDto): Promise<Page<PageDto>> {
    return this.reader.listPages(query.cursor, query.limit);
  }

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
