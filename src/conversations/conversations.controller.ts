import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ListQueryDto, Page } from '../common/pagination';
import { ConversationReader } from './conversation-reader.service';
import {
  ConversationDto,
  ConversationPageDto,
  ListConversationsQuery,
} from './dto/conversation.dto';
import { ConversationEventDto, ConversationEventPageDto } from './dto/conversation-event.dto';
import { MessageDto, MessagePageDto } from './dto/message.dto';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/conversations')
export class ConversationsController {
  constructor(private readonly reader: ConversationReader) {}

  @Get()
  @ApiOperation({
    summary: 'Conversations with at least one message, newest message first',
  })
  @ApiOkResponse({ type: ConversationPageDto })
  list(@Query() query: ListConversationsQuery): Promise<Page<ConversationDto>> {
    return this.reader.listConversations(query.pageId ?? null, query.cursor, query.limit);
  }

  @Get(':pageId/:userId/messages')
  @ApiOperation({ summary: "A conversation's messages, both directions, oldest first" })
  @ApiOkResponse({ type: MessagePageDto })
  @ApiNotFoundResponse({ description: 'nothing was ever received for this Page and customer' })
  messages(
    @Param('pageId') pageId: string,
    @Param('userId') userId: string,
    @Query() query: ListQueryDto,
  ): Promise<Page<MessageDto>> {
    return this.reader.listMessages(pageId, userId, query.cursor, query.limit);
  }

  @Get(':pageId/:userId/events')
  @ApiOperation({
    summary:
      "A conversation's other events (postbacks, referrals, optins, account linking, handovers, " +
      'policy enforcement, game plays, carts), oldest first',
  })
  @ApiOkResponse({ type: ConversationEventPageDto })
  @ApiNotFoundResponse({ description: 'nothing was ever received for this Page and customer' })
  events(
    @Param('pageId') pageId: string,
    @Param('userId') userId: string,
    @Query() query: ListQueryDto,
  ): Promise<Page<ConversationEventDto>> {
    return this.reader.listEvents(pageId, userId, query.cursor, query.limit);
  }
}
