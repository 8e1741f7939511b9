import { EventProcessor } from '../src/webhook/inbox/event-processor.service';
import { EventSweeper } from '../src/webhook/inbox/event-sweeper.service';
import { delivery, textMessage } from './messenger-factories';
import { eventually, startTestApp, TestApp } from './test-app';
import { eventsByMid } from './webhook-fixtures';

describe('webhook ingestion faults', () => {
  describe('the database down during a delivery', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    it('does answer 5xx, then store the delivery once when Meta sends it again', async () => {
      const mids = ['m_outage_1', 'm_outage_2'];
      const body = JSON.stringify(delivery(mids.map((mid) => textMessage(mid))));
      // Acknowledged before the outage: must survive it.
      const before = JSON.stringify(delivery([textMessage('m_before_outage')]));
      expect((await t.deliver(before)).status).toBe(200);

      const restore = await t.databaseOutage();
      try {
        const res = await t.deliver(body);
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.status).toBeLessThan(600);
        expect(await res.text()).not.toContain('EVENT_RECEIVED');
        expect((await t.api('/health', { auth: false })).status).toBe(503);
      } finally {
        await restore();
      }

      await eventually(async () => {
        expect((await t.api('/health', { auth: false })).status).toBe(200);
      });
      // Meta delivers again (and maybe again): stored once.
      for (let i = 0; i < 2; i++) {
        const res = await t.deliver(body);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('EVENT_RECEIVED');
      }
      expect((await eventsByMid(t, mids)).map((event) => event.mid)).toEqual(mids);
      // The refused attempt left nothing behind: only the two acknowledged copies are stored.
      expect(await t.prisma.webhookDelivery.count({ where: { body } })).toBe(2);
      await eventually(async () => {
        const events = await eventsByMid(t, mids);
        expect(events.map((event) => event.status)).toEqual(['processed', 'processed']);
      });

      // The event acknowledged just before the outage may have been handled while its outcome
      // could not be written: it is then still pending (or failed), for the sweeper once its lease
      // (or backoff) has run out. Wind the clock on rather than wait, and sweep.
      await eventually(async () => {
        await t.prisma.pool.query(
          `UPDATE webhook_events SET next_attempt_at = now() WHERE status IN ('pending', 'failed')`,
        );
        await t.app.get(EventSweeper).sweep();
        const [event] = await eventsByMid(t, ['m_before_outage']);
        expect(event.status).toBe('processed');
      });
    });
  });

  describe('a process that dies between commit and processing', () => {
    it('does process the stored events once the service starts again on the same database', async () => {
      const first = await startTestApp();
      let second: TestApp | null = null;
      try {
        // The process stops publishing (as if about to die) before the delivery comes in.
        await first.app.get(EventSweeper).beforeApplicationShutdown();
        await first.app.get(EventProcessor).beforeApplicationShutdown();
        const mids = ['m_crash_1', 'm_crash_2', 'm_crash_3'];
        expect((await first.deliver(delivery(mids.map((mid) => textMessage(mid))))).status).toBe(
          200,
        );
        const stored = await eventsByMid(first, mids);
        expect(stored.map((event) => [event.mid, event.status, event.attempts])).toEqual(
          mids.map((mid) => [mid, 'pending', 0]),
        );
        // Acknowledged events carry a lease (PUBLISH_LEASE_MS) that keeps other replicas off them
        // while this process publishes; after a crash it runs out. Wind the clock on rather than wait.
        await first.prisma.pool.query(
          `UPDATE webhook_events SET next_attempt_at = now() - interval '1 second' WHERE status = 'pending'`,
        );
        await first.close({ keepStorage: true });

        second = await startTestApp({}, { storage: first.storage });
        const restarted = second;
        await eventually(async () => {
          const events = await eventsByMid(restarted, mids);
          expect(events.map((event) => [event.mid, event.status, event.attempts])).toEqual(
            mids.map((mid) => [mid, 'processed', 1]),
          );
        });
      } finally {
        await (second ?? first).close();
      }
    });

    it('does drain a backlog larger than one sweep batch in a single sweep', async () => {
      // A long sweep interval: only the sweep at start may pick the backlog up.
      const first = await startTestApp({ WEBHOOK_SWEEP_INTERVAL_MS: '600000' });
      let second: TestApp | null = null;
      try {
        await first.app.get(EventSweeper).beforeApplicationShutdown();
        await first.app.get(EventProcessor).beforeApplicationShutdown();
        const mids = Array.from({ length: 1_200 }, (_, i) => `m_backlog_${i}`);
        expect((await first.deliver(delivery(mids.map((mid) => textMessage(mid))))).status).toBe(
          200,
        );
        await first.prisma.pool.query(
          `UPDATE webhook_events SET next_attempt_at = now() - interval '1 second' WHERE status = 'pending'`,
        );
        await first.close({ keepStorage: true });

        second = await startTestApp(
          { WEBHOOK_SWEEP_INTERVAL_MS: '600000' },
          { storage: first.storage },
        );
        const restarted = second;
        await eventually(async () => {
          const { rows } = await restarted.prisma.pool.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM webhook_events WHERE status = 'processed'`,
          );
          expect(Number(rows[0].n)).toBe(mids.length);
        }, 60_000);
      } finally {
        await (second ?? first).close();
      }
    });
  });
});
