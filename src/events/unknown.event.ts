import { MessengerEvent } from './messenger-event';

export interface UnknownEventData {
  /** Why the parser could not classify it, for the operator who looks at it. */
  reason: string;
}

/**
 * Anything the parser could not understand: a new event kind, another `object`, a malformed entry.
 * It is kept and shown to operators rather than dropped, since Meta will not send it again.
 */
export class UnknownMessengerEvent extends MessengerEvent<UnknownEventData> {
  static readonly eventName = 'messenger.unknown.received';
  override readonly kind = 'unknown';
}
