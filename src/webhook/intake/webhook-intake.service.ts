import { HttpStatus, Injectable } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../../common/app-error';
import { isJsonObject, stringField } from '../../events/json-fields';
import { jsonbSafe } from './delivery-body';
import { EventProcessor } from '../inbox/event-processor.service';
import { InboxWriter } from '../inbox/inbox-writer.service';
import type { DeliveryToStore, StoredEvent } from '../inbox/stored-event';
import {
  countDeliveryEvents,
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
    // Cleaned once, before parsing, so the events published from memory are the very ones stored
    // (and read back by the sweeper): cleaning only the stored copy let a NUL reach the handlers.
    // Once for the whole delivery: per event, the scan of the text made a delivery's cost grow
    // with the square of its size.
    const cleaned = jsonbSafe(body, text);
    const events: DeliveryToStore['events'] = [];
    for (const event of eachDeliveryEvent(cleaned)) {
      events.push({ dedupeKey: event.key, event, payload: event.raw });
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
