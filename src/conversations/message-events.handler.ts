import { Injectable } from '@nestjs/common';
import { OnMessengerEvent } from '../events/event-bus';
import {
  MessageDeliveredEvent,
  MessageEchoEvent,
  MessageEditedEvent,
  MessageReadEvent,
  MessageReceivedEvent,
  readCartData,
} from '../events/messenger-events';
import { ConversationEventRepository } from './conversation-event.repository';
import { conversationOf, toMessageRow } from './message-row';
import { MessageRepository } from './message.repository';

/**
 * Messages both ways, their edits, deliveries and reads. Each may arrive before what it refers to
 * (an edit or a receipt before its message): it is stored by mid or by watermark and shows up on
 * the message when that arrives.
 */
@Injectable()
export class MessageEventsHandler {
  constructor(
    private readonly messages: MessageRepository,
    private readonly events: ConversationEventRepository,
  ) {}

  @OnMessengerEvent(MessageReceivedEvent)
  onMessage(event: MessageReceivedEvent): Promise<void> {
    return this.store(event);
  }

  @OnMessengerEvent(MessageEchoEvent)
  onEcho(event: MessageEchoEvent): Promise<void> {
    return this.store(event);
  }

  @OnMessengerEvent(MessageEditedEvent)
  async onEdit(event: MessageEditedEvent): Promise<void> {
    const { mid, numEdit, text } = event.data;
    // Meta always numbers edits; an unnumbered one is kept as edit 0 rather than lost.
    await this.messages.insertEdit(mid, numEdit ?? 0, text, event.occurredAt(), event);
  }

  @OnMessengerEvent(MessageDeliveredEvent)
  async onDelivery(event: MessageDeliveredEvent): Promise<void> {
    const { watermark, mids } = event.data;
    const at = event.occurredAt();
    await this.messages.recordReceipt(
      'delivery',
      conversationOf(event),
      new Date(watermark),
      at,
      mids ?? [],
    );
  }

  @OnMessengerEvent(MessageReadEvent)
  async onRead(event: MessageReadEvent): Promise<void> {
    const { watermark } = event.data;
    const at = event.occurredAt();
    await this.messages.recordReceipt('read', conversationOf(event), new Date(watermark), at);
  }

  private async store(event: MessageReceivedEvent | MessageEchoEvent): Promise<void> {
    const row = toMessageRow(event);
    await this.messages.insert(row);
    // The API's message has no cart: a cart sent inside a message is shown with the events.
    if (row.cart !== null) {
      await this.events.insert({
        eventKey: event.key,
        pageId: row.pageId,
        userId: row.userId,
        kind: 'cart',
        occurredAt: row.sentAt,
        data: { mid: row.mid, ...readCartData(row.cart) },
      });
    }
  }
}
