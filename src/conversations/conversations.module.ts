import { Module } from '@nestjs/common';
import { ConversationRepository } from './conversation.repository';
import { ConversationsService } from './conversations.service';

@Module({
  providers: [ConversationRepository, ConversationsService],
  exports: [ConversationsService],
})
export class ConversationsModule {}
