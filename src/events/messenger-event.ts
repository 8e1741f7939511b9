import { eventDate } from './event-time';

/** Which array of a webhook `entry` an event came from. */
export type EventSource = 'messaging' | 'standby' | 'changes';

/** Where an event sat in its delivery; stored beside the raw event so it can be parsed again alike. */
export interface EventContext {
  /** The delivery's `object` (`page` for Messenger), or '' when it had none. */
  object: string;
  /** `entry[].id`: the Page the entry is about, when it said so. */
  pageId: string | null;
  source: EventSource;
  /** `entry[].time` in epoch milliseconds, when it was a plausible time (event-time.ts). */
  entryTime: number | null;
}

export type EventKind =
  | 'message'
  | 'message_echo'
  | 'message_edit'
  | 'delivery'
  | 'read'
  | 'reaction'
  | 'postback'
  | 'referral'
  | 'optin'
  | 'account_linking'
  | 'policy_enforcement'
  | 'game_play'
  | 'handover'
  | 'response_feedback'
  | 'messaging_feedback'
  | 'template_status_update'
  | 'cart'
  | 'unknown';

/** A JSON object as received: nothing about its shape is trusted. */
export type JsonObject = Record<string, unknown>;

export interface MessengerEventInit<TData> {
  context: EventContext;
  pageId: string | null;
  userId: string | null;
  timestamp: number;
  raw: JsonObject;
  /** The event's dedupe key (event-key.ts): computed by the parser, or the one the inbox stored. */
  key: string;
  data: TData;
}

/**
 * One Messenger webhook event, whatever its kind. Subclasses only fix `kind`, the bus name (a
 * static `eventName`) and the shape of `data`; every field is plain data so an event survives a
 * round trip through storage.
 */
export abstract class MessengerEvent<TData = unknown> {
  abstract readonly kind: EventKind;
  readonly context: EventContext;
  /** The business Page: the recipient of inbound events, the sender of echoes, `entry.id` for changes. */
  readonly pageId: string | null;
  /** The customer: a PSID, or the `user_ref` of chat plugin and checkbox users who have none yet. */
  readonly userId: string | null;
  /**
   * Epoch milliseconds: the event's own `timestamp`, else `entry.time`, each only when plausible
   * (seconds read as such), else 0 for "no time" (occurredAtMs in event-time.ts, the one rule).
   * Handlers read it as occurredAt().
   */
  readonly timestamp: number;
  /** The event object exactly as received (see the parser for values that were not objects). */
  readonly raw: JsonObject;
  /**
   * The event's identity (dedupeKey in event-key.ts): the inbox stores the event under it and
   * handlers write it beside what they store, so handling the event again is a no-op. Computed
   * once, by the parser; an event rebuilt from the inbox carries the stored key.
   */
  readonly key: string;
  readonly data: TData;

  constructor(init: MessengerEventInit<TData>) {
    this.context = init.context;
    this.pageId = init.pageId;
    this.userId = init.userId;
    this.timestamp = init.timestamp;
    this.raw = init.raw;
    this.key = init.key;
    this.data = init.data;
  }

  /**
   * When the event happened, for every handler that stores it: `timestamp` as a Date. An event
   * with no plausible time (0) can never be placed in time and throws PermanentEventError, so the
   * processor sets it aside at once (eventDate in event-time.ts). The inbox still lists it, at the
   * time it was received.
   */
  occurredAt(): Date {
    return eventDate(this);
  }

  /** The dotted name the event is published under on the bus: its class's `eventName`. */
  get name(): string {
    // Every concrete class declares it; MESSENGER_EVENTS's type and its spec check each one.
    return (this.constructor as unknown as { readonly eventName: string }).eventName;
  }
}
