import { eventDate } from './event-time';
import { Unreadable, numberField, stringsField } from './json-fields';
import { JsonObject, MessengerEvent } from './messenger-event';

export interface DeliveryData {
  /** The messages delivered, when Meta lists them; null means "everything before the watermark". */
  mids: string[] | null;
  /** Every message sent before this time (epoch ms) has been delivered. */
  watermark: number;
}

/** Messages the Page sent reached the customer (`delivery`). */
export class MessageDeliveredEvent extends MessengerEvent<DeliveryData> {
  static readonly eventName = 'messenger.message.delivered';
  override readonly kind = 'delivery';

  override occurredAt(): Date {
    return receiptTime(this);
  }
}

export interface ReadData {
  /** Every message sent before this time (epoch ms) has been read. */
  watermark: number;
}

/** The customer read the Page's messages (`read`). */
export class MessageReadEvent extends MessengerEvent<ReadData> {
  static readonly eventName = 'messenger.message.read';
  override readonly kind = 'read';

  override occurredAt(): Date {
    return receiptTime(this);
  }
}

/**
 * A receipt's time: its own, or its watermark when it carried none (everything before the
 * watermark was delivered or read, so it happened by then); neither is PermanentEventError.
 */
function receiptTime(event: MessengerEvent<{ watermark: number }>): Date {
  return eventDate(event.timestamp > 0 ? event : { timestamp: event.data.watermark });
}

export function readDeliveryData(delivery: JsonObject): DeliveryData | Unreadable {
  const watermark = numberField(delivery, 'watermark');
  if (watermark === null) return new Unreadable('delivery.watermark is missing');
  return { mids: stringsField(delivery, 'mids'), watermark };
}

export function readReadData(read: JsonObject): ReadData | Unreadable {
  const watermark = numberField(read, 'watermark');
  if (watermark === null) return new Unreadable('read.watermark is missing');
  return { watermark };
}
