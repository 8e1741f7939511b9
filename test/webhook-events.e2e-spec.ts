import { EventEmitter2 } from '@nestjs/event-emitter';
import { MessageReceivedEvent } from '../src/events/messenger-events';
import { EventSweeper } from '../src/webhook/inbox/event-sweeper.service';
import { WebhookEventsController } from '../src/webhook/inbox/webhook-events.controller';
import { delivery, PAGE_ID, textMessage } from './messenger-factories';
import { eventually, readJson, startTestApp, TestApp } from './test-app';
import { eventsByMid, listEvents } from './webhook-fixtures';

const cursorOf = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

describe(WebhookEventsController.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      WEBHOOK_RETRY_BASE_MS: '10',
      WEBHOOK_SWEEP_INTERVAL_MS: '50',
      WEBHOOK_MAX_ATTEMPTS: '3',
    });
  });
  afterAll(() => t.close());

  /** The stored event of one mid, as GET /api/webhook-events lists it. */
  async function listed(status: string, mid: string) {
    const [row] = await eventsByMid(t, [mid]);
    const { items } = await listEvents(t, `status=${status}&limit=500`);
    return items.find((item) => item.id === row.id);
  }

  describe('a handler that throws', () => {
    const seen: string[] = [];
    const failing = (event: MessageReceivedEvent): void => {
      seen.push(event.data.mid);
      if (event.data.mid === 'm_poison') throw new Error('handler refused m_poison');
    };
    let poisonId: string;

    beforeAll(() => {
      t.app.get(EventEmitter2).on(MessageReceivedEvent.eventName, failing);
    });
    afterAll(() => {
      t.app.get(EventEmitter2).off(MessageReceivedEvent.eventName, failing);
    });

    it('does retry the event, then mark it dead with its error, while other events keep flowing', async () => {
      const first = ['m_before', 'm_poison', 'm_after'];
      expect((await t.deliver(delivery(first.map((mid) => textMessage(mid))))).status).toBe(200);
      const later = Array.from({ length: 5 }, (_, i) => `m_later_${i}`);
      expect((await t.deliver(delivery(later.map((mid) => textMessage(mid))))).status).toBe(200);

      await eventually(async () => {
        const rows = await eventsByMid(t, [...first, ...later]);
        expect(rows.map((row) => [row.mid, row.status])).toEqual([
          ['m_before', 'processed'],
          ['m_poison', 'dead'],
          ['m_after', 'processed'],
          ...later.map((mid) => [mid, 'processed']),
        ]);
      });
      const [poison] = await eventsByMid(t, ['m_poison']);
      poisonId = poison.id;
      expect(poison).toMatchObject({ attempts: 3, lastError: 'Error: handler refused m_poison' });
      expect(seen.filter((mid) => mid === 'm_poison')).toHaveLength(3);

      expect(await listed('dead', 'm_poison')).toEqual({
        id: poisonId,
        kind: 'message',
        pageId: PAGE_ID,
        userId: '2000000000000001',
        status: 'dead',
        attempts: 3,
        lastError: 'Error: handler refused m_poison',
        // A plain error is transient: dead only once every attempt is spent.
        reason: 'gave up after 3 attempts: Error: handler refused m_poison',
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      // Dead is final: the sweeper no longer takes it.
      await t.app.get(EventSweeper).sweep();
      expect(await eventsByMid(t, ['m_poison'])).toMatchObject([{ status: 'dead', attempts: 3 }]);
    });

    it('does process the event again on POST retry, once its handler works', async () => {
      t.app.get(EventEmitter2).off(MessageReceivedEvent.eventName, failing);
      const res = await t.api(`/api/webhook-events/${poisonId}/retry`, { method: 'POST' });
      expect(res.status).toBe(202);
      expect(await readJson(res)).toMatchObject({
        id: poisonId,
        kind: 'message',
        status: 'pending',
        attempts: 0,
      });
      await eventually(async () => {
        expect(await eventsByMid(t, ['m_poison'])).toMatchObject([
          { status: 'processed', lastError: null },
        ]);
      });
      expect(await listed('dead', 'm_poison')).toBeUndefined();
      const { rows } = await t.prisma.pool.query<{ reason: string | null }>(
        'SELECT reason FROM webhook_events WHERE id = $1::bigint',
        [poisonId],
      );
      expect(rows).toEqual([{ reason: null }]);
    });

    it('does accept a retry of a processed event and process it again', async () => {
      const [processed] = await eventsByMid(t, ['m_before']);
      const res = await t.api(`/api/webhook-events/${processed.id}/retry`, { method: 'POST' });
      expect(res.status).toBe(202);
      await eventually(async () => {
        expect(await eventsByMid(t, ['m_before'])).toMatchObject([
          { status: 'processed', attempts: 1 },
        ]);
      });
    });
  });

  describe('GET /api/webhook-events', () => {
    const unknownIds: string[] = [];

    beforeAll(async () => {
      // Ids that cross a digit boundary (999 → 1000), where text order is not number order.
      await t.prisma.pool.query(
        `SELECT setval(pg_get_serial_sequence('webhook_events', 'id'), 997)`,
      );
      const events = Array.from({ length: 5 }, (_, i) => ({
        sender: { id: `u_page_${i}` },
        recipient: { id: PAGE_ID },
        timestamp: 1_763_700_000_000 + i,
        not_a_kind_yet: { i },
      }));
      expect((await t.deliver(delivery(events))).status).toBe(200);
      const { rows } = await t.prisma.pool.query<{ id: string }>(
        `SELECT e.id::text FROM webhook_events e WHERE e.user_id LIKE 'u_page_%' ORDER BY e.id`,
      );
      unknownIds.push(...rows.map((row) => row.id));
    });

    it('does answer 401 without the bearer token', async () => {
      expect((await t.api('/api/webhook-events', { auth: false })).status).toBe(401);
      expect((await t.api('/api/webhook-events?status=unknown', { auth: false })).status).toBe(401);
    });

    it('does page through the events with limit and cursor, oldest first', async () => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page = await listEvents(
          t,
          `status=unknown&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.items.every((item) => item.status === 'unknown')).toBe(true);
        pages.push(page.items.map((item) => item.id));
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 10);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(unknownIds).toEqual(['998', '999', '1000', '1001', '1002']);
      expect(pages.flat()).toEqual(unknownIds);
    });

    it('does show why each unknown event is unknown', async () => {
      const { items } = await listEvents(t, 'status=unknown&limit=500');
      expect(items.map((item) => item.reason)).toEqual(
        unknownIds.map(() => 'unrecognised event: not_a_kind_yet'),
      );
    });

    it('does list every event not processed when no status is given', async () => {
      const { items, nextCursor } = await listEvents(t, 'limit=500');
      expect(nextCursor).toBeNull();
      expect(items.map((item) => item.id)).toEqual(unknownIds);
    });

    it.each([
      ['a status that is not listed', 'status=processed'],
      ['an unknown status', 'status=bogus'],
      ['limit 0', 'limit=0'],
      ['limit 501', 'limit=501'],
      ['a limit that is no number', 'limit=ten'],
      ['an unknown parameter', 'sort=id'],
      ['a cursor that is not one', 'cursor=not-a-cursor'],
      ['a cursor of another shape', `cursor=${cursorOf(['1', '2'])}`],
      ['a cursor whose id is not a number', `cursor=${cursorOf(['abc'])}`],
      ['a cursor whose id is a fraction', `cursor=${cursorOf([1.5])}`],
      ['a cursor whose id is out of range', `cursor=${cursorOf(['9223372036854775808'])}`],
    ])('does answer 400 to %s', async (_name, query) => {
      const res = await t.api(`/api/webhook-events?${query}`);
      expect(res.status).toBe(400);
      expect(await readJson(res)).toMatchObject({ statusCode: 400, code: expect.any(String) });
    });
  });

  describe('POST /api/webhook-events/{id}/retry', () => {
    it.each(['999999999', '0', 'abc', '-1', '1.5', '9223372036854775808', '99999999999999999999'])(
      'does answer 404 for the unknown id %s',
      async (id) => {
        const res = await t.api(`/api/webhook-events/${id}/retry`, { method: 'POST' });
        expect(res.status).toBe(404);
        expect(await readJson(res)).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      },
    );

    it('does answer 401 without the bearer token', async () => {
      const [row] = await eventsByMid(t, ['m_after']);
      const res = await t.api(`/api/webhook-events/${row.id}/retry`, {
        method: 'POST',
        auth: false,
      });
      expect(res.status).toBe(401);
    });

    it('does leave an unknown event listed as unknown', async () => {
      const { rows } = await t.prisma.pool.query<{ id: string }>(
        `SELECT id::text FROM webhook_events WHERE user_id = 'u_page_0'`,
      );
      const res = await t.api(`/api/webhook-events/${rows[0].id}/retry`, { method: 'POST' });
      expect(res.status).toBe(202);
      expect(await readJson(res)).toMatchObject({
        id: rows[0].id,
        kind: 'unknown',
        status: 'unknown',
      });
      const { items } = await listEvents(t, 'status=unknown&limit=500');
      expect(items.map((item) => item.id)).toContain(rows[0].id);
    });
  });

  describe('the event key', () => {
    it('does hand handlers the key the inbox stored, also when the sweeper rebuilds the event', async () => {
      const keys = new Map<string, string[]>();
      const record = (event: MessageReceivedEvent): void => {
        keys.set(event.data.mid, [...(keys.get(event.data.mid) ?? []), event.key]);
      };
      t.app.get(EventEmitter2).on(MessageReceivedEvent.eventName, record);
      try {
        expect((await t.deliver(delivery([textMessage('m_keyed')]))).status).toBe(200);
        await eventually(async () =>
          expect(await eventsByMid(t, ['m_keyed'])).toMatchObject([{ status: 'processed' }]),
        );
        const stored = () =>
          t.prisma.pool.query<{ id: string; key: string }>(
            `SELECT id::text, dedupe_key AS key FROM webhook_events WHERE payload #>> '{message,mid}' = 'm_keyed'`,
          );
        const [row] = (await stored()).rows;
        expect(keys.get('m_keyed')).toEqual([row.key]);

        // Another key (the column holds 64 characters) under the same payload: the sweeper must
        // pass the stored one on, not hash the payload again.
        const storedKey = 'f'.repeat(64);
        await t.prisma.pool.query(
          `UPDATE webhook_events SET dedupe_key = $2, status = 'pending', next_attempt_at = now()
           WHERE id = $1::bigint`,
          [row.id, storedKey],
        );
        await t.app.get(EventSweeper).sweep();
        await eventually(() => expect(keys.get('m_keyed')).toEqual([row.key, storedKey]));
      } finally {
        t.app.get(EventEmitter2).off(MessageReceivedEvent.eventName, record);
      }
    });
  });
});
