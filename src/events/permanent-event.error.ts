import type { MessengerEvent } from './messenger-event';

/**
 * An event that can never be processed, however often it is tried: no customer to place it
 * with, no plausible time, an id no column can hold. Thrown by handlers (and by
 * assertProcessable before them); the processor sets such an event aside as `dead` with this
 * message as its reason at the first attempt, instead of retrying it for minutes. Any other error
 * counts as transient and is retried.
 */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

/** Longer ids than any Meta sends (PSIDs and Page ids are ~16 digits, mids a few hundred bytes). */
export const MAX_ID_BYTES = 1024;

function checkId(label: string, value: unknown): void {
  if (typeof value !== 'string') return;
  // A NUL is refused by every text column; a long id by the btree indexes that hold ids.
  if (value.includes('\0')) throw new PermanentEventError(`${label} contains a NUL character`);
  if (Buffer.byteLength(value) > MAX_ID_BYTES) {
    throw new PermanentEventError(`${label} is longer than ${MAX_ID_BYTES} bytes`);
  }
}

/**
 * Throws PermanentEventError for what no handler could store, the same way for every kind, before
 * any handler runs. Bounded work: only ids are looked at, never the body.
 */
export function assertProcessable(event: MessengerEvent): void {
  checkId('the Page id', event.pageId);
  checkId('the customer id', event.userId);
  const data = event.data;
  if (typeof data === 'object' && data !== null && Object.hasOwn(data, 'mid')) {
    checkId('the message id', (data as { mid?: unknown }).mid);
  }
}
