import { HttpStatus, Injectable } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../common/app-error';
import { isJsonObject, stringField } from '../events/json-fields';
import { jsonbSafeFor } from './delivery-body';
import { EventProcessor } from './event-processor.service';
import { InboxWriter, StoredEvent } from './inbox-writer.service';
import type { DeliveryToStore } from './inbox.repository';
import {
  countDeliveryEvents,
  dedupeKey,
  eachDeliveryEvent,
  MAX_DELIVERY_EVENTS,
} from './messenger-event.parser';

/**
 * Events parsed and keyed between two turns of the event loop: some tens of milliseconds of work,
 * so a delivery of 30,000 events never holds up other requests (or /health) for long.
 */
const EVENTS_PER_TURN = 1_000;

/** A delivery's way in: parse, store durably (the acknowledgement waits for this), then publish. */
@Injectable()
export class WebhookIntake {
  constructor(
    private readonly writer: InboxWriter,
    private readonly processor: EventProcessor,
  ) {}

  async receive(text: string, body: unknown): Promise<void> {
    const count = countDeliveryEvents(body);
    if (count > MAX_DELIVERY_EVENTS) {
      throw new AppError(
        HttpStatus.PAYLOAD_TOO_LARGE,
        'TOO_MANY_EVENTS',
        `a delivery may hold at most ${MAX_DELIVERY_EVENTS} events (this one holds ${count})`,
      );
    }
    // Whether payloads need cleaning is decided once for the whole text, not once per event:
    // per event, that scan made a delivery's cost grow with the square of its size.
    const jsonbSafe = jsonbSafeFor(text);
    const events: DeliveryToStore['events'] = [];
    for (const event of eachDeliveryEvent(body)) {
      events.push({ dedupeKey: dedupeKey(event), event, payload: jsonbSafe(event.raw) });
      if (events.length % EVENTS_PER_TURN === 0) await nextTurn();
    }
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
