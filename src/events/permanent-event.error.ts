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
export function assertProcessable(event: {
  readonly pageId: unknown;
  readonly userId: unknown;
  readonly data: unknown;
}): void {
  checkId('the Page id', event.pageId);
  checkId('the customer id', event.userId);
  const data = event.data;
  if (typeof data === 'object' && data !== null && Object.hasOwn(data, 'mid')) {
    checkId('the message id', (data as { mid?: unknown }).mid);
  }
}

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * PostgreSQL error classes that depend only on the data written, so that trying again cannot
 * help: 22 data exception (a value out of range, a character the encoding refuses) and 54 program
 * limit exceeded (a value too large for an index). Connection failures, timeouts, deadlocks and
 * the rest stay transient and are retried.
 */
const PERMANENT_SQLSTATE = /^(?:22|54)[0-9A-Z]{3}$/;

/**
 * Why the event of this failure can never be processed, or null when the failure is transient.
 * The one place that decides (the processor applies it to every handler's failure); handlers only
 * throw PermanentEventError or let errors through.
 */
export function permanentReason(error: unknown): string | null {
  if (error instanceof PermanentEventError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && PERMANENT_SQLSTATE.test(code)) {
    return `the database refused the event's data (${code}): ${errorText(error).slice(0, 300)}`;
  }
  return null;
}
