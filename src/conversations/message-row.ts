/**
 * Pure mappings from Messenger events to the rows the conversations repositories store. Events
 * that cannot be placed in a conversation throw PermanentEventError: the event is then dead at
 * once, with its reason, where an operator sees it, instead of being dropped or retried.
 */
import type {
  MessageAttachment,
  MessageEchoEvent,
  MessageReceivedEvent,
  MessengerEvent,
} from '../events/messenger-events';
import type { JsonObject } from '../events/messenger-events';
import { PermanentEventError } from '../events/permanent-event.error';

export type MessageDirection = 'inbound' | 'outbound';

export interface MessageRow {
  mid: string;
  pageId: string;
  userId: string;
  direction: MessageDirection;
  sentAt: Date;
  text: string | null;
  helperText: string | null;
  quickReplyPayload: string | null;
  replyToMid: string | null;
  attachments: MessageAttachment[];
  referral: JsonObject | null;
  cart: JsonObject | null;
  appId: string | null;
  metadata: string | null;
}

/** The Page and the customer of an event that belongs to a conversation. */
export function conversationOf(event: Pick<MessengerEvent, 'pageId' | 'userId' | 'kind'>): {
  pageId: string;
  userId: string;
} {
  // Never placeable: set aside at once rather than retried (PermanentEventError).
  if (event.pageId === null) throw new PermanentEventError(`${event.kind} event without a Page id`);
  if (event.userId === null) {
    throw new PermanentEventError(`${event.kind} event without a customer id (sender)`);
  }
  return { pageId: event.pageId, userId: event.userId };
}

/** A customer's message (inbound) or the Page's echo (outbound). */
export function toMessageRow(event: MessageReceivedEvent | MessageEchoEvent): MessageRow {
  const { data } = event;
  return {
    ...conversationOf(event),
    mid: data.mid,
    direction: event.kind === 'message_echo' ? 'outbound' : 'inbound',
    sentAt: event.occurredAt(),
    // For a legacy helper reply this is already `original_text`; the rewrite is kept aside.
    text: data.text,
    helperText: data.helperText,
    quickReplyPayload: data.quickReplyPayload,
    replyToMid: data.replyToMid,
    attachments: data.attachments,
    referral: data.referral,
    cart: data.cart,
    appId: data.appId,
    metadata: data.metadata,
  };
}
