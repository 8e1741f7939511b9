import { CUSTOMER_DATA } from '../common/customer-data';
import { Module } from '@nestjs/common';
import { ReactionsModule } from '../reactions/reactions.module';
import { ResponseFeedbackModule } from '../response-feedback/response-feedback.module';
import { ConversationEventRepository } from './conversation-event.repository';
import { ConversationEventsHandler } from './conversation-events.handler';
import { ConversationReader } from './conversation-reader.service';
import { ConversationRepository } from './conversation.repository';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';
import { MessageEventsHandler } from './message-events.handler';
import { MessageQueryRepository } from './message-query.repository';
import { MessageRepository } from './message.repository';
import { MessagesController } from './messages.controller';
import { PageEventsController } from './page-events.controller';
import { PageRegistry } from './page-registry.service';
import { ConversationDataOwner } from './conversation-data.owner';

/** Conversations, messages and their events: the handlers that store them and the read API. */
@Module({
  imports: [ReactionsModule, ResponseFeedbackModule],
  controllers: [ConversationsController, MessagesController, PageEventsController],
  providers: [
    ConversationRepository,
    ConversationEventRepository,
    MessageRepository,
    MessageQueryRepository,
    ConversationsService,
    ConversationReader,
    PageRegistry,
    MessageEventsHandler,
    ConversationEventsHandler,
    ConversationDataOwner,
    { provide: CUSTOMER_DATA, useExisting: ConversationDataOwner },
  ],
  exports: [ConversationsService],
})
export class ConversationsModule {}
