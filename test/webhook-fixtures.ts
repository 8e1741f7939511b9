import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from './test-app';

/** The seed examples (src/webhook/fixtures/README.md says where each comes from). */
const FIXTURES = join(__dirname, '..', 'src', 'webhook', 'fixtures');

export const fixtureNames = (): string[] =>
  readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort();

/** A fixture's exact bytes, as Meta would send them. */
export const fixtureBytes = (name: string): Buffer => readFileSync(join(FIXTURES, name));

export const PAGE_ID = '1000000000000001';
export const USER_ID = '2000000000000001';

/** One customer → Page text message, as `entry[].messaging[]` holds it. */
export function textMessage(
  mid: string,
  text = `text of ${mid}`,
  { pageId = PAGE_ID, userId = USER_ID, timestamp = 1_763_700_000_000 } = {},
): Record<string, unknown> {
  return {
    sender: { id: userId },
    recipient: { id: pageId },
    timestamp,
    message: { mid, text },
  };
}

/** A `page` delivery of one entry holding `events` under `source`. */
export function delivery(
  events: unknown[],
  { pageId = PAGE_ID, source = 'messaging', time = 1_763_700_000_500 } = {},
): Record<string, unknown> {
  return { object: 'page', entry: [{ id: pageId, time, [source]: events }] };
}

/**
 * JSON as Meta writes it: every non-ASCII UTF-16 unit escaped (`é` → `\u00e9`, an emoji as its
 * surrogate pair `\ud83d\ude0d`), so the signature is over ASCII bytes only.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface StoredEventRow {
  id: string;
  kind: string;
  status: string;
  source: string;
  object: string;
  pageId: string | null;
  userId: string | null;
  mid: string | null;
  text: string | null;
  attempts: number;
  lastError: string | null;
}

const EVENT_COLUMNS = `e.id::text, e.kind, e.status::text AS status, e.source, e.object, e.page_id AS "pageId",
  e.user_id AS "userId", e.payload #>> '{message,mid}' AS mid, e.payload #>> '{message,text}' AS text,
  e.attempts, e.last_error AS "lastError"`;

/** The events stored from the deliveries whose body is exactly `body`, in order. */
export async function eventsOfBody(t: TestApp, body: string | Buffer): Promise<StoredEventRow[]> {
  const { rows } = await t.prisma.pool.query<StoredEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM webhook_events e JOIN webhook_deliveries d ON d.id = e.delivery_id
     WHERE d.body = $1 ORDER BY e.id`,
    [body.toString()],
  );
  return rows;
}

/** The events whose `message.mid` is one of `mids`, in order. */
export async function eventsByMid(t: TestApp, mids: string[]): Promise<StoredEventRow[]> {
  const { rows } = await t.prisma.pool.query<StoredEventRow>(
    `SELECT ${EVENT_COLUMNS} FROM webhook_events e WHERE e.payload #>> '{message,mid}' = ANY($1::text[])
     ORDER BY e.id`,
    [mids],
  );
  return rows;
}

export interface ListedEvent {
  id: string;
  kind: string;
  pageId: string | null;
  userId: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  reason: string | null;
  receivedAt: string;
}

/** GET /api/webhook-events?`query`, expecting 200. */
export async function listEvents(
  t: TestApp,
  query: string,
): Promise<{ items: ListedEvent[]; nextCursor: string | null }> {
  const res = await t.api(`/api/webhook-events?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { items: ListedEvent[]; nextCursor: string | null };
}

/** How many deliveries and events are stored. */
export async function inboxCounts(t: TestApp): Promise<{ deliveries: number; events: number }> {
  const [deliveries, events] = await Promise.all([
    t.prisma.webhookDelivery.count(),
    t.prisma.webhookEvent.count(),
  ]);
  return { deliveries, events };
}
