import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../../common/app-error';
import { AppConfig } from '../../config/app-config';
import { Metrics } from '../../metrics/metrics';
import { currentTraceparent } from '../../telemetry/trace-context';
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
  private readonly logger = new Logger('Webhook');
  /** Whether each accepted delivery gets its line: built only then, thousands arrive a second. */
  private readonly logDeliveries: boolean;

  constructor(
    private readonly writer: InboxWriter,
    private readonly processor: EventProcessor,
    private readonly metrics: Metrics,
    config: AppConfig,
  ) {
    this.logDeliveries = ['debug', 'trace'].includes(config.logLevel);
  }

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
      stored = await this.writer.store({
        object,
        body: text,
        events,
        leased,
        // The request's trace (tracing on), kept with each event for its processing span.
        traceContext: currentTraceparent(),
      });
    } catch (error) {
      if (leased) this.processor.unreserve(events.length);
      throw error;
    }
    if (leased) this.processor.enqueue(stored, events.length);
    for (const { event } of stored) this.metrics.eventsReceived.inc({ kind: event.kind });
    if (stored.length < events.length) this.metrics.duplicates.inc(events.length - stored.length);
    if (this.logDeliveries) this.logger.debug(describeDelivery(object, events));
  }
}

/**
 * `delivery accepted: object page, Page 1234, 3 events (message 2, read 1)`: enough for someone
 * wiring a Meta app to see traffic arrive, and nothing a customer wrote.
 */
export function describeDelivery(object: string | null, events: DeliveryToStore['events']): string {
  const kinds = new Map<string, number>();
  const pages = new Set<string>();
  for (const { event } of events) {
    kinds.set(event.kind, (kinds.get(event.kind) ?? 0) + 1);
    if (event.pageId !== null) pages.add(event.pageId);
  }
  const pageIds = [...pages];
  const pageList =
    pageIds.length > 3
      ? `${pageIds.slice(0, 3).join(', ')} and ${pageIds.length - 3} more`
      : pageIds.join(', ');
  const kindList = [...kinds].map(([kind, count]) => `${kind} ${count}`).join(', ');
  return [
    `delivery accepted: object ${object || '(none)'}`,
    pageIds.length === 0 ? 'no Page' : `Page${pageIds.length > 1 ? 's' : ''} ${pageList}`,
    `${events.length} event${events.length === 1 ? '' : 's'}${kindList ? ` (${kindList})` : ''}`,
  ].join(', ');
}
