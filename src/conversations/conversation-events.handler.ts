import { Injectable } from '@nestjs/common';
import { OnMessengerEvent } from '../events/event-bus';
import { PermanentEventError } from '../events/permanent-event.error';
import {
  AccountLinkingEvent,
  CartReceivedEvent,
  GamePlayEvent,
  HandoverEvent,
  MessengerEvent,
  OptinReceivedEvent,
  PolicyEnforcementEvent,
  PostbackReceivedEvent,
  ReferralReceivedEvent,
} from '../events/messenger-events';
import { dedupeKey } from '../webhook/intake/messenger-event.parser';
import { ConversationEventRepository } from './conversation-event.repository';
import { eventTime } from './message-row';

/**
 * Everything in a conversation that is not a message, kept with its typed data and shown beside
 * the messages in time order. Events without a customer (policy enforcement, app roles) are the
 * Page's own.
 */
@Injectable()
export class ConversationEventsHandler {
  constructor(private readonly events: ConversationEventRepository) {}

  @OnMessengerEvent(PostbackReceivedEvent)
  onPostback(event: PostbackReceivedEvent): Promise<void> {
    return this.store(event, event.data);
  }

  @OnMessengerEvent(ReferralReceivedEvent)
  onReferral(event: ReferralReceivedEvent): Promise<void> {
    return this.store(event, event.data);
  }

  @OnMessengerEvent(OptinReceivedEvent)
  onOptin(event: OptinReceivedEvent): Promise<void> {
    return this.store(event, event.data);
  }

  @OnMessengerEvent(AccountLinkingEvent)
  onAccountLinking(event: AccountLinkingEvent): Promise<void> {
    return this.store(event, event.data);
  }

  @OnMessengerEvent(PolicyEnforcementEvent)
  onPolicyEnforcement(event: PolicyEnforcementEvent): Promise<void> {
    return this.store(event, event.data);
  }

  @OnMessengerEvent(GamePlayEvent)
  onGamePlay(event: GamePlayEvent): Promise<void> {
    return this.store(event, event.data);
  }

  @OnMessengerEvent(HandoverEvent)
  onHandover(event: HandoverEvent): Promise<void> {
    return this.store(event, event.data);
  }

  @OnMessengerEvent(CartReceivedEvent)
  onCart(event: CartReceivedEvent): Promise<void> {
    // Same shape as a cart sent inside a message, which has a mid.
    return this.store(event, { mid: null, ...event.data });
  }

  private async store(event: MessengerEvent, data: object): Promise<void> {
    if (event.pageId === null)
      throw new PermanentEventError(`${event.kind} event without a Page id`);
    await this.events.insert({
      eventKey: dedupeKey(event),
      pageId: event.pageId,
      userId: event.userId,
      kind: event.kind,
      occurredAt: eventTime(event),
      data,
    });
  }
}
