import { Injectable } from '@nestjs/common';
import { ConversationRepository } from './conversation.repository';

/** What other modules may ask of conversations. */
@Injectable()
export class ConversationsService {
  constructor(private readonly conversations: ConversationRepository) {}

  /** The time of the customer's last message to the Page: the start of the messaging window. */
  lastInboundAt(pageId: string, userId: string): Promise<Date | null> {
    return this.conversations.findLastInboundAt(pageId, userId);
  }

  /** Every Page seen in a delivery. */
  knownPageIds(): Promise<string[]> {
    return this.conversations.listPageIds();
  }
}
