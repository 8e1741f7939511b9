import { CartReceivedEvent } from './cart.event';
import {
  AccountLinkingEvent,
  GamePlayEvent,
  OptinReceivedEvent,
  PostbackReceivedEvent,
  ReferralReceivedEvent,
} from './engagement.event';
import { MessagingFeedbackEvent, ResponseFeedbackEvent } from './feedback.event';
import { MessageEchoEvent, MessageEditedEvent, MessageReceivedEvent } from './message.event';
import { MessageDeliveredEvent, MessageReadEvent } from './message-status.event';
import { EventKind, MessengerEvent, MessengerEventInit } from './messenger-event';
import { HandoverEvent, PolicyEnforcementEvent, TemplateStatusUpdateEvent } from './page.event';
import { ReactionReceivedEvent } from './reaction.event';
import { UnknownMessengerEvent } from './unknown.event';

export { Unreadable } from './json-fields';
export * from './cart.event';
export * from './engagement.event';
export * from './feedback.event';
export * from './message.event';
export * from './message-status.event';
export * from './messenger-event';
export * from './page.event';
export * from './reaction.event';
export * from './unknown.event';

/** What every entry of MESSENGER_EVENTS is: a class building events of kind K, with its bus name. */
export interface MessengerEventClass<K extends EventKind = EventKind> {
  readonly eventName: string;
  // `never` accepts every class's own data type: each class knows its data, the map only its kind.
  new (init: MessengerEventInit<never>): MessengerEvent & { readonly kind: K };
}

/**
 * Every event class by kind: the one place that says which class a stored `kind` column rebuilds
 * into and which bus name it is published under. `satisfies` makes a missing kind a compile error.
 */
export const MESSENGER_EVENTS = {
  message: MessageReceivedEvent,
  message_echo: MessageEchoEvent,
  message_edit: MessageEditedEvent,
  delivery: MessageDeliveredEvent,
  read: MessageReadEvent,
  reaction: ReactionReceivedEvent,
  postback: PostbackReceivedEvent,
  referral: ReferralReceivedEvent,
  optin: OptinReceivedEvent,
  account_linking: AccountLinkingEvent,
  policy_enforcement: PolicyEnforcementEvent,
  game_play: GamePlayEvent,
  handover: HandoverEvent,
  response_feedback: ResponseFeedbackEvent,
  messaging_feedback: MessagingFeedbackEvent,
  template_status_update: TemplateStatusUpdateEvent,
  cart: CartReceivedEvent,
  unknown: UnknownMessengerEvent,
} as const satisfies { readonly [K in EventKind]: MessengerEventClass<K> };

export type MessengerEventByKind = {
  [K in EventKind]: InstanceType<(typeof MESSENGER_EVENTS)[K]>;
};

/** Any concrete event; `switch (event.kind)` narrows it to its class and data. */
export type AnyMessengerEvent = MessengerEventByKind[EventKind];

/** True for a string that names a kind, e.g. the `kind` column of a stored event. */
export function isEventKind(value: string): value is EventKind {
  return Object.hasOwn(MESSENGER_EVENTS, value);
}
