import { Injectable } from '@nestjs/common';
import { OnMessengerEvent } from '../events/event-bus';
import { eventDate } from '../events/event-time';
import { PermanentEventError } from '../events/permanent-event.error';
import { ReactionReceivedEvent } from '../events/messenger-events';
import { dedupeKey } from '../webhook/intake/messenger-event.parser';
import { ReactionRepository } from './reaction.repository';

/**
 * Stores reactions (`message_reactions`, and the legacy helper's reaction, which the parser has
 * already turned into a reaction on the original mid). The message may not be stored yet: both
 * tables are keyed by mid, so the reaction shows up on the message once it arrives.
 */
@Injectable()
export class ReactionEventsHandler {
  constructor(private readonly reactions: ReactionRepository) {}

  @OnMessengerEvent(ReactionReceivedEvent)
  async onReaction(event: ReactionReceivedEvent): Promise<void> {
    if (event.userId === null) {
      throw new PermanentEventError('reaction without a customer (sender.id)');
    }
    await this.reactions.record({
      eventKey: dedupeKey(event),
      mid: event.data.mid,
      pageId: event.pageId,
      userId: event.userId,
      action: event.data.action,
      reaction: event.data.reaction,
      emoji: event.data.emoji,
      at: eventDate(event),
    });
  }
}
