/**
 * An event's identity: the key the inbox stores it under (a redelivery is skipped by it) and that
 * handlers write beside what they store, so that handling it again is idempotent. The parser
 * computes it once per event (MessengerEvent.key); an event rebuilt from its inbox row carries the
 * stored key instead, so handlers see the very key the inbox holds.
 */
import { createHash } from 'node:crypto';
import { writeCanonicalJson } from './canonical-json';
import type { EventContext, JsonObject } from './messenger-event';

/**
 * sha256 hex of the canonical JSON of `{pageId, source, raw}`: the same event delivered again (in
 * another delivery, with other key order or whitespace) gets the same key; the same body on
 * another Page or from standby does not.
 */
export function dedupeKey(event: {
  readonly context: EventContext;
  readonly raw: JsonObject;
}): string {
  const hash = createHash('sha256');
  const identity = { pageId: event.context.pageId, source: event.context.source, raw: event.raw };
  writeCanonicalJson(identity, (chunk) => hash.update(chunk, 'utf8'));
  return hash.digest('hex');
}
