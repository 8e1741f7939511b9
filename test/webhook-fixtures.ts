import type { TestApp } from './test-app';

/** Reads of the webhook inbox for the webhook specs (payload builders: messenger-factories.ts). */

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
