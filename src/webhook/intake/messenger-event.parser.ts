/**
 * Turns a Messenger webhook delivery into typed domain events. Pure: no Nest, no I/O, and it never
 * throws, whatever JSON it is given, because a delivery we cannot parse must still be stored and
 * acknowledged. What it cannot understand becomes an `unknown` event that keeps the raw value.
 *
 * This file decides which kind an event is and whose it is (Page, customer, time); each event file
 * in events/ reads its own payload. Field names follow Meta's Messenger Platform reference.
 */
import { dedupeKey } from '../../events/event-key';
import { occurredAtMs, plausibleEpochMs } from '../../events/event-time';
import {
  Unreadable,
  idField,
  isJsonObject,
  objectField,
  ownField,
  stringField,
} from '../../events/json-fields';
import {
  AccountLinkingEvent,
  AnyMessengerEvent,
  CartReceivedEvent,
  EventContext,
  EventSource,
  GamePlayEvent,
  HandoverEvent,
  HandoverType,
  JsonObject,
  MessageDeliveredEvent,
  MessageEchoEvent,
  MessageEditedEvent,
  MessageReadEvent,
  MessageReceivedEvent,
  MessagingFeedbackEvent,
  MessengerEventInit,
  OptinReceivedEvent,
  PolicyEnforcementEvent,
  PostbackReceivedEvent,
  ReactionReceivedEvent,
  ReferralReceivedEvent,
  ResponseFeedbackEvent,
  TemplateStatusUpdateEvent,
  UnknownMessengerEvent,
  readAccountLinkingData,
  readCartData,
  readDeliveryData,
  readGamePlayData,
  readHandoverData,
  readMessageData,
  readMessageEditData,
  readMessagingFeedbackData,
  readOptinData,
  readPolicyEnforcementData,
  readPostbackData,
  readReactionData,
  readReadData,
  readReferralData,
  readResponseFeedbackData,
  readTemplateStatusData,
} from '../../events/messenger-events';

/** Everything of an event but its data: where it came from, whose it is, when, and the raw object. */
type Envelope = Omit<MessengerEventInit<never>, 'data'>;
/** `value` is the kind field's object, `event` the messaging object that holds it. */
type Handler = (value: JsonObject, envelope: Envelope, event: JsonObject) => AnyMessengerEvent;

// Values that are not event objects (a `null` entry, `messaging: "x"`, a body without entries) are
// kept in this wrapper: `raw` stays an object, and the reason travels with it, so parsing the
// stored raw again gives the same unknown event.
const UNPARSED = '$unparsed';
const UNPARSED_REASON = '$reason';

function unparsed(value: unknown, reason: string): JsonObject {
  return { [UNPARSED]: value, [UNPARSED_REASON]: reason };
}

function unparsedReason(raw: JsonObject): string | null {
  const isWrapper = Object.keys(raw).length === 2 && Object.hasOwn(raw, UNPARSED);
  return isWrapper ? stringField(raw, UNPARSED_REASON) : null;
}

// ---------------------------------------------------------------------------------------------
// The delivery: `{object, entry: [{id, time, messaging: [...], standby: [...], changes: [...]}]}`.

const SOURCES: readonly EventSource[] = ['messaging', 'standby', 'changes'];

/**
 * The most events one delivery may hold: more than Meta batches (10 MiB of ordinary messages is
 * about 40,000), far fewer than a hostile body can hold (16 MiB of `{}` entries is five million).
 * Above it the delivery is refused (413 TOO_MANY_EVENTS) before any per-event work.
 */
export const MAX_DELIVERY_EVENTS = 100_000;

/** Every event of every entry, in order. Never throws, never drops anything. */
export function parseDelivery(body: unknown, now = Date.now()): AnyMessengerEvent[] {
  return [...eachDeliveryEvent(body, now)];
}

/**
 * The events of a delivery one at a time, in order, so that a caller can give the event loop back
 * between chunks of a large delivery (parsing 30,000 events takes most of a second).
 */
export function* eachDeliveryEvent(body: unknown, now = Date.now()): Generator<AnyMessengerEvent> {
  const delivery = isJsonObject(body) ? body : null;
  const object = stringField(delivery, 'object') ?? '';
  const entries = ownField(delivery, 'entry');
  if (delivery === null || !Array.isArray(entries) || entries.length === 0) {
    const reason =
      delivery === null
        ? 'delivery is not an object'
        : Array.isArray(entries)
          ? 'delivery has no entries'
          : 'delivery has no entry array';
    const context: EventContext = { object, pageId: null, source: 'messaging', entryTime: null };
    yield parseEvent(unparsed(body, reason), context, now);
    return;
  }
  for (const entry of entries) yield* eachEntryEvent(entry, object, now);
}

/**
 * How many events eachDeliveryEvent yields, counted from the arrays' lengths without parsing any:
 * a delivery over MAX_DELIVERY_EVENTS is refused at this cost only.
 */
export function countDeliveryEvents(body: unknown): number {
  const entries = ownField(isJsonObject(body) ? body : null, 'entry');
  if (!Array.isArray(entries) || entries.length === 0) return 1;
  let count = 0;
  for (const entry of entries) {
    const record = isJsonObject(entry) ? entry : null;
    const sources =
      record === null ? [] : SOURCES.filter((source) => Object.hasOwn(record, source));
    if (record === null || sources.length === 0) count++;
    else {
      for (const source of sources) {
        const items = record[source];
        count += Array.isArray(items) ? items.length : 1;
      }
    }
  }
  return count;
}

function* eachEntryEvent(
  entry: unknown,
  object: string,
  now: number,
): Generator<AnyMessengerEvent> {
  const record = isJsonObject(entry) ? entry : null;
  const pageId = idField(record, 'id');
  // Kept as plausible milliseconds (or null), so that the stored context parses again alike.
  const entryTime = plausibleEpochMs(ownField(record, 'time'), now);
  const at = (source: EventSource): EventContext => ({ object, pageId, source, entryTime });
  if (record === null) {
    yield parseEvent(unparsed(entry, 'entry is not an object'), at('messaging'), now);
    return;
  }

  const sources = SOURCES.filter((source) => Object.hasOwn(record, source));
  if (sources.length === 0) {
    const reason = 'entry has no messaging, standby or changes';
    yield parseEvent(unparsed(entry, reason), at('messaging'), now);
    return;
  }
  for (const source of sources) {
    const items = record[source];
    if (!Array.isArray(items)) {
      yield parseEvent(unparsed(items, `entry.${source} is not an array`), at(source), now);
      continue;
    }
    for (const item of items) {
      const raw = isJsonObject(item) ? item : unparsed(item, `entry.${source}[] is not an object`);
      yield parseEvent(raw, at(source), now);
    }
  }
}

/**
 * Parses one event with the context it was delivered in. parseDelivery is built on it, so a raw
 * event stored with its context parses again into an equal event. `now` bounds how far in the
 * future a plausible event time may lie (event-time.ts). The event's key is computed here, once;
 * an event rebuilt from the inbox passes `storedKey`, the key it was stored under.
 */
export function parseEvent(
  raw: JsonObject,
  context: EventContext,
  now = Date.now(),
  storedKey?: string,
): AnyMessengerEvent {
  // The type says object, but a row read back from storage is only as sound as the database.
  const event = isJsonObject(raw) ? raw : unparsed(raw, 'event is not an object');
  try {
    return classify(event, context, now, storedKey ?? dedupeKey({ context, raw: event }));
  } catch (error) {
    // JSON cannot make the readers throw; this keeps the promise for hostile objects (getters,
    // proxies) that a caller might pass in. Such an object cannot be hashed either: it is keyed
    // by the wrapper that holds its reason.
    const reason = `parser error: ${error instanceof Error ? error.message : 'unknown'}`;
    const key = storedKey ?? dedupeKey({ context, raw: unparsed(null, reason) });
    const envelope = { context, raw: event, key, pageId: null, userId: null, timestamp: 0 };
    return unknownEvent(envelope, reason);
  }
}

function classify(
  raw: JsonObject,
  context: EventContext,
  now: number,
  key: string,
): AnyMessengerEvent {
  const wrapped = unparsedReason(raw);
  if (wrapped !== null) {
    const timestamp = context.entryTime ?? 0;
    const envelope = { context, raw, key, pageId: context.pageId, userId: null, timestamp };
    return unknownEvent(envelope, wrapped);
  }
  if (context.source === 'changes') {
    // A change about a conversation carries a messaging object in its value (the App
    // Dashboard's "Test" button sends `messages` this way): it is that messaging event.
    const field = stringField(raw, 'field');
    const value = objectField(raw, 'value');
    if (context.object === 'page' && field !== null && MESSAGING_FIELDS.has(field) && value) {
      return classifyMessaging(value, inboundEnvelope(raw, value, context, now, key));
    }
  }
  const envelope = inboundEnvelope(raw, raw, context, now, key);
  if (context.object !== 'page') {
    return unknownEvent(envelope, `object:${context.object || '<missing>'}`);
  }
  if (context.source === 'changes') return parseChange(raw, envelope);
  return classifyMessaging(raw, envelope);
}

/** A messaging object (`entry.messaging[]`, `entry.standby[]`, or a change's value) by its kind field. */
function classifyMessaging(event: JsonObject, envelope: Envelope): AnyMessengerEvent {
  for (const [key, handler] of HANDLERS) {
    if (!Object.hasOwn(event, key)) continue;
    const value = event[key];
    if (!isJsonObject(value)) return unknownEvent(envelope, `${key} is not an object`);
    return handler(value, envelope, event);
  }
  return unknownEvent(envelope, describeUnrecognised(event));
}

/**
 * Customer → Page: the sender is the customer (a PSID, or a user_ref from the chat plugin).
 * `raw` is what is stored; `event` the messaging object inside it (the same object but for
 * changes).
 */
function inboundEnvelope(
  raw: JsonObject,
  event: JsonObject,
  context: EventContext,
  now: number,
  key: string,
): Envelope {
  const sender = objectField(event, 'sender');
  return {
    context,
    raw,
    key,
    pageId: idField(objectField(event, 'recipient'), 'id') ?? context.pageId,
    userId: idField(sender, 'id') ?? stringField(sender, 'user_ref'),
    timestamp: occurredAtMs(ownField(event, 'timestamp'), context.entryTime, now),
  };
}

/** Page → customer (echoes): the Page is the sender and the customer the recipient. */
function echoEnvelope(envelope: Envelope, event: JsonObject): Envelope {
  const recipient = objectField(event, 'recipient');
  return {
    ...envelope,
    pageId: idField(objectField(event, 'sender'), 'id') ?? envelope.context.pageId,
    userId: idField(recipient, 'id') ?? stringField(recipient, 'user_ref'),
  };
}

function describeUnrecognised(raw: JsonObject): string {
  const common = new Set(['sender', 'recipient', 'timestamp']);
  const keys = Object.keys(raw).filter((key) => !common.has(key));
  if (keys.length === 0) return 'event has no kind field';
  // Bounded: the keys come from whoever sent the request.
  const shown = keys.slice(0, 5).map((key) => key.slice(0, 40));
  return `unrecognised event: ${shown.join(', ')}${keys.length > 5 ? ', ...' : ''}`;
}

/** Reasons are stored with every unknown event: bounded, whatever the sender put in `object`. */
const MAX_REASON_LENGTH = 500;

function unknownEvent(envelope: Envelope, reason: string): UnknownMessengerEvent {
  return new UnknownMessengerEvent({
    ...envelope,
    data: { reason: reason.slice(0, MAX_REASON_LENGTH) },
  });
}

/** The event of `EventClass` with `data`, or an unknown event when the payload was unreadable. */
function build<TData>(
  EventClass: new (init: MessengerEventInit<TData>) => AnyMessengerEvent,
  data: TData | Unreadable,
  envelope: Envelope,
): AnyMessengerEvent {
  if (data instanceof Unreadable) return unknownEvent(envelope, data.reason);
  return new EventClass({ ...envelope, data });
}

// ---------------------------------------------------------------------------------------------
// One handler per event key, in order of precedence. `reaction` comes before `message` because the
// legacy reaction helper adds a synthetic `message` (mid ending in `_reaction`) beside it.

const handover =
  (type: HandoverType): Handler =>
  (value, envelope) =>
    build(HandoverEvent, readHandoverData(type, value), envelope);

const policyEnforcement: Handler = (value, envelope) =>
  build(PolicyEnforcementEvent, readPolicyEnforcementData(value), envelope);

const HANDLERS: ReadonlyArray<readonly [string, Handler]> = [
  [
    'reaction',
    (value, envelope) => build(ReactionReceivedEvent, readReactionData(value), envelope),
  ],
  ['message', parseMessage],
  // send_cart: an `order` with no `message` (one beside a message stays that message's cart).
  ['order', (value, envelope) => build(CartReceivedEvent, readCartData(value), envelope)],
  [
    'message_edit',
    (value, envelope) => build(MessageEditedEvent, readMessageEditData(value), envelope),
  ],
  [
    'delivery',
    (value, envelope) => build(MessageDeliveredEvent, readDeliveryData(value), envelope),
  ],
  ['read', (value, envelope) => build(MessageReadEvent, readReadData(value), envelope)],
  [
    'postback',
    (value, envelope) => build(PostbackReceivedEvent, readPostbackData(value), envelope),
  ],
  [
    'referral',
    (value, envelope) => build(ReferralReceivedEvent, readReferralData(value), envelope),
  ],
  ['optin', parseOptin],
  [
    'account_linking',
    (value, envelope) => build(AccountLinkingEvent, readAccountLinkingData(value), envelope),
  ],
  ['policy_enforcement', policyEnforcement],
  ['policy-enforcement', policyEnforcement],
  ['game_play', (value, envelope) => build(GamePlayEvent, readGamePlayData(value), envelope)],
  ['pass_thread_control', handover('pass_thread_control')],
  ['take_thread_control', handover('take_thread_control')],
  ['request_thread_control', handover('request_thread_control')],
  ['app_roles', handover('app_roles')],
  [
    'response_feedback',
    (value, envelope) => build(ResponseFeedbackEvent, readResponseFeedbackData(value), envelope),
  ],
  [
    'messaging_feedback',
    (value, envelope) => build(MessagingFeedbackEvent, readMessagingFeedbackData(value), envelope),
  ],
];

function parseMessage(
  message: JsonObject,
  envelope: Envelope,
  event: JsonObject,
): AnyMessengerEvent {
  // The reactions reference (seed 004) sketches a reaction nested in `message`, without a mid.
  const nestedReaction = objectField(message, 'reaction');
  if (nestedReaction !== null && stringField(message, 'mid') === null) {
    return build(ReactionReceivedEvent, readReactionData(nestedReaction), envelope);
  }
  const data = readMessageData(message, event);
  if (data instanceof Unreadable) return unknownEvent(envelope, data.reason);
  if (data.isEcho) return new MessageEchoEvent({ ...echoEnvelope(envelope, event), data });
  // The helper's synthetic reaction message, without its reaction: not something the customer said.
  if (data.mid.endsWith('_reaction')) {
    return unknownEvent(envelope, 'helper reaction message without a reaction');
  }
  return new MessageReceivedEvent({ ...envelope, data });
}

function parseOptin(optin: JsonObject, envelope: Envelope): AnyMessengerEvent {
  const data = readOptinData(optin);
  // A checkbox plugin opt-in has no sender: its user_ref is all we know of the customer.
  return new OptinReceivedEvent({ ...envelope, userId: envelope.userId ?? data.userRef, data });
}

// `entry[].changes[]`: `{field, value}` notices about the Page rather than a conversation.
const TEMPLATE_STATUS_FIELDS = new Set(['messenger_template_status_update']);

/** Webhook fields whose change value is a messaging object (the `entry.messaging[]` shape). */
const MESSAGING_FIELDS = new Set([
  'messages',
  'message_echoes',
  'message_edits',
  'message_deliveries',
  'message_reads',
  'message_reactions',
  'messaging_postbacks',
  'messaging_optins',
  'messaging_referrals',
  'messaging_handovers',
  'messaging_policy_enforcement',
  'messaging_account_linking',
  'messaging_game_plays',
  'messaging_feedback',
  'messaging_seen',
  'response_feedback',
  'send_cart',
]);

function parseChange(change: JsonObject, envelope: Envelope): AnyMessengerEvent {
  const field = stringField(change, 'field');
  const page = { ...envelope, pageId: envelope.context.pageId, userId: null };
  if (field === null) return unknownEvent(page, 'change has no field');
  if (!TEMPLATE_STATUS_FIELDS.has(field)) return unknownEvent(page, `change:${field.slice(0, 80)}`);
  const data = readTemplateStatusData(field, objectField(change, 'value'));
  return new TemplateStatusUpdateEvent({ ...page, data });
}
