import type {
  AnyMessengerEvent,
  EventContext,
  EventKind,
  JsonObject,
} from '../../events/messenger-events';
import { parseEvent } from '../intake/messenger-event.parser';

// The inbox's shared vocabulary in one place: what is written, what is read back, what is
// published. (The lease that keeps the sweeper off events a process is about to publish is
// WEBHOOK_LEASE_MS.)

export type InboxStatus = 'pending' | 'processed' | 'failed' | 'dead' | 'unknown';

/** One delivery as it is written: its body and its parsed events. */
export interface DeliveryToStore {
  object: string | null;
  body: string;
  events: { dedupeKey: string; event: AnyMessengerEvent; payload: unknown }[];
  /** Whether this process will publish the events itself (else they are due to the sweeper at once). */
  leased: boolean;
  /** The W3C `traceparent` of the intake request (tracing on), kept with each event; else null. */
  traceContext: string | null;
}

/** A stored event as the inbox reads it back. */
export interface InboxRow {
  id: string;
  dedupeKey: string;
  kind: EventKind;
  object: string;
  source: EventContext['source'];
  pageId: string | null;
  userId: string | null;
  entryTime: string | null;
  payload: JsonObject;
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
  /** Why the event is unknown, failed or dead; null otherwise. */
  reason: string | null;
  receivedAt: Date;
  traceContext: string | null;
}

/** An event that is durably stored, ready to publish: its inbox id and its domain event. */
export interface StoredEvent {
  id: string;
  event: AnyMessengerEvent;
  /** The intake request's `traceparent`, when tracing was on there. */
  traceContext?: string | null;
}

/**
 * Rebuilds the domain event from its stored row, exactly as the parser built it at intake, with
 * the key it is stored under (not hashed again).
 */
export function toStoredEvent(row: InboxRow): StoredEvent {
  const context = {
    object: row.object,
    pageId: row.pageId,
    source: row.source,
    entryTime: row.entryTime === null ? null : Number(row.entryTime),
  };
  return {
    id: row.id,
    event: parseEvent(row.payload, context, Date.now(), row.dedupeKey),
    traceContext: row.traceContext,
  };
}
