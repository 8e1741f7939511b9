import { Injectable } from '@nestjs/common';
import { isJsonObject, stringField } from '../events/json-fields';
import { jsonbSafe } from './delivery-body';
import { EventProcessor } from './event-processor.service';
import { InboxWriter, StoredEvent } from './inbox-writer.service';
import { dedupeKey, parseDelivery } from './messenger-event.parser';

/** A delivery's way in: parse, store durably (the acknowledgement waits for this), then publish. */
@Injectable()
export class WebhookIntake {
  constructor(
    private readonly writer: InboxWriter,
    private readonly processor: EventProcessor,
  ) {}

  async receive(text: string, body: unknown): Promise<void> {
    // Cleaned before parsing, so the events published from memory are the very ones stored (and
    // read back by the sweeper): cleaning only the stored copy let a NUL reach the handlers.
    const events = parseDelivery(jsonbSafe(body, text)).map((event) => ({
      dedupeKey: dedupeKey(event),
      event,
      payload: event.raw,
    }));
    // Only a string: String() throws on an object whose `toString` key is no function.
    const object = stringField(isJsonObject(body) ? body : null, 'object');
    // Events beyond what this process has room for go to the sweepers of all replicas at once.
    const leased = this.processor.reserve(events.length);
    let stored: StoredEvent[];
    try {
      stored = await this.writer.store({ object, body: text, events, leased });
    } catch (error) {
      if (leased) this.processor.unreserve(events.length);
      throw error;
    }
    if (leased) this.processor.enqueue(stored, events.length);
  }
}
