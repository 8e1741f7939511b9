import { Controller, Get, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ConversationReader } from './conversation-reader.service';
import { MessageDetailDto } from './dto/message.dto';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/messages')
export class MessagesController {
  constructor(private readonly reader: ConversationReader) {}

  @Get(':mid')
  @ApiOperation({ summary: 'One message, with the mids that reply to it and its reaction history' })
  @ApiOkResponse({ type: MessageDetailDto })
  @ApiNotFoundResponse({ description: 'no message with this mid is stored' })
  get(@Param('mid') mid: string): Promise<MessageDetailDto> {
    return this.reader.getMessage(mid);
  }
}
