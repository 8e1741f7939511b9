import { EventEmitter2 } from '@nestjs/event-emitter';
import { MessageReceivedEvent } from '../src/events/messenger-events';
import { EventProcessor, MAX_QUEUED } from '../src/webhook/inbox/event-processor.service';
import { InboxWriter } from '../src/webhook/inbox/inbox-writer.service';
import { ManualClock } from '../src/common/clock';
import { DeliveryWorker } from '../src/outbound/delivery-worker.service';
import { delivery, textMessage } from './messenger-factories';
import { eventually, readJson, startTestApp, TestApp } from './test-app';
import { WebhookReceiver } from './webhook-receiver';
import { eventsByMid } from './webhook-fixtures';

describe('webhook intake under pressure', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('does let handlers only trickle while deliveries wait for their commit, then catch up', async () => {
    const processor = t.app.get(EventProcessor);
    const writer = t.app.get(InboxWriter);

    // A second subscriber on the real bus holds each message event's publication until the gate
    // of the moment opens, so that handlers stay in hand and events queue behind them.
    const gates: (() => void)[] = [];
    let gate: Promise<void> = Promise.resolve();
    const closeGate = (): void => {
      gate = new Promise<void>((resolve) => gates.push(resolve));
    };
    const openGates = (): void => gates.splice(0).forEach((open) => open());
    const hold = (): Promise<void> => gate;
    const emitter = t.app.get(EventEmitter2);
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- awaited by emitAsync, as the app's own handlers
    emitter.on(MessageReceivedEvent.eventName, hold, { promisify: true });

    closeGate();
    const held = Array.from({ length: 24 }, (_, i) => `m_pressure_held_${i}`);
    expect((await t.deliver(delivery(held.map((mid) => textMessage(mid))))).status).toBe(200);
    await eventually(() => expect(processor.handling).toBe(16));
    expect(processor.backlog).toBe(24);

    // The intake is pressed: the inbox table is locked, so twenty deliveries wait for their commit.
    const lock = await t.prisma.pool.connect();
    let answers: Promise<Response[]> = Promise.resolve([]);
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE webhook_deliveries IN EXCLUSIVE MODE');
      const waiting = Array.from({ length: 20 }, (_, i) => `m_pressure_waiting_${i}`);
      answers = Promise.all(waiting.map((mid) => t.deliver(delivery([textMessage(mid)]))));
      await eventually(() => expect(writer.pending).toBe(20));

      // The sixteen held handlers finish; of the eight events behind them, one at a time starts
      // (and is held in turn). Unpressed, all eight would start at once.
      const first = gates.splice(0);
      closeGate();
      first.forEach((open) => open());
      await eventually(() => expect(processor.backlog).toBe(8));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(processor.handling).toBe(1);
      expect(processor.backlog).toBe(8);
    } finally {
      gate = Promise.resolve();
      openGates();
      await lock.query('ROLLBACK');
      lock.release();
    }
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the listener added above
    emitter.off(MessageReceivedEvent.eventName, hold);

    // Once the deliveries have committed, every event is handled.
    expect((await answers).map((res) => res.status)).toEqual(Array(20).fill(200));
    await eventually(async () => {
      const { rows } = await t.prisma.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_events WHERE status = 'processed'`,
      );
      expect(rows[0].n).toBe(44);
    });
    expect((await eventsByMid(t, held)).every((event) => event.status === 'processed')).toBe(true);
  });

  it('does store the events of a process that cannot take them due at once, for any sweeper', async () => {
    const processor = t.app.get(EventProcessor);
    const normal = 'm_room_taken';
    expect((await t.deliver(delivery([textMessage(normal)]))).status).toBe(200);
    await eventually(async () =>
      expect((await eventsByMid(t, [normal]))[0].status).toBe('processed'),
    );
    await processor.beforeApplicationShutdown(); // no room any more: the process is stopping
    const left = 'm_room_left';
    expect((await t.deliver(delivery([textMessage(left)]))).status).toBe(200);

    const { rows } = await t.prisma.pool.query<{ mid: string; status: string; due: boolean }>(
      `SELECT payload->'message'->>'mid' AS mid, status, next_attempt_at <= now() AS due
       FROM webhook_events WHERE payload->'message'->>'mid' = ANY($1)`,
      [[normal, left]],
    );
    // Left pending and due now, not under this process's lease: another replica's sweeper (or
    // this service's next start) takes it at once.
    expect(rows.find((row) => row.mid === left)).toEqual({
      mid: left,
      status: 'pending',
      due: true,
    });
  });
});

describe('webhook intake with one place left in the queue', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No sweep after the one at start: what is stored due must stay as it was stored.
    t = await startTestApp({ WEBHOOK_SWEEP_INTERVAL_MS: '3600000' });
  });
  afterAll(() => t.close());

  it('does give the last place to one of the deliveries committed together, and store the other due at once', async () => {
    const processor = t.app.get(EventProcessor);
    const writer = t.app.get(InboxWriter);
    expect(processor.reserve(MAX_QUEUED - 1)).toBe(true);
    expect(processor.reserve(2)).toBe(false);

    const mids = ['m_last_place_a', 'm_last_place_b'];
    const lock = await t.prisma.pool.connect();
    let answers: Promise<Response[]> = Promise.resolve([]);
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE webhook_deliveries IN EXCLUSIVE MODE');
      answers = Promise.all(mids.map((mid) => t.deliver(delivery([textMessage(mid)]))));
      await eventually(() => expect(writer.pending).toBe(2)); // both counted for room before either commits
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
    expect((await answers).map((res) => res.status)).toEqual([200, 200]);
    processor.unreserve(MAX_QUEUED - 1);

    // One was leased to this process (due only after the lease) and handled; the other was stored
    // due at once, for any sweeper. Neither was released by a later UPDATE, which would have moved
    // its next attempt past the moment it was stored.
    await eventually(async () => {
      const { rows } = await t.prisma.pool.query<{ status: string; storedDue: boolean }>(
        `SELECT status, next_attempt_at = received_at AS "storedDue"
         FROM webhook_events WHERE payload->'message'->>'mid' = ANY($1) ORDER BY "storedDue"`,
        [mids],
      );
      expect(rows).toEqual([
        { status: 'processed', storedDue: false },
        { status: 'pending', storedDue: true },
      ]);
    });
    // Every reservation was settled: the whole queue is free again.
    expect(processor.reserve(MAX_QUEUED)).toBe(true);
    processor.unreserve(MAX_QUEUED);
  });
});

describe('outbound webhooks while the intake is pressed', () => {
  const HOUR = 60 * 60 * 1000;
  let t: TestApp;
  let receiver: WebhookReceiver;
  const clock = new ManualClock();
  const deliverNow = () => t.app.get(DeliveryWorker).runOnce();
  const subscribe = async () => {
    const res = await t.api('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url: receiver.url, events: ['survey.sent'] },
    });
    expect(res.status).toBe(201);
    return (await readJson(res)) as { id: string };
  };
  const ping = async (id: string) => {
    expect((await t.api(`/api/webhook-subscriptions/${id}/test`, { method: 'POST' })).status).toBe(
      202,
    );
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const deliveries = async (id: string): Promise<any[]> =>
    ((await readJson(await t.api(`/api/webhook-subscriptions/${id}/deliveries`))) as { items: [] })
      .items;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // Passes are driven by the test.
    t = await startTestApp({ OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS: '60000' }, { clock });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('gives way to a pressed intake: eight deliveries a pass while deliveries wait for their commit, all once they have', async () => {
    receiver.answer = { status: 503 };
    const { id } = await subscribe();
    for (let i = 0; i < 20; i++) await ping(id);
    await deliverNow();
    expect(receiver.received).toHaveLength(20);
    receiver.received.length = 0;
    receiver.answer = { status: 200 };
    clock.advance(HOUR); // every retry is due

    // The intake is pressed: the raw deliveries' table is locked, so twenty deliveries wait.
    const lock = await t.prisma.pool.connect();
    let answers: Promise<Response[]> = Promise.resolve([]);
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE webhook_deliveries IN EXCLUSIVE MODE');
      answers = Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.deliver(delivery([textMessage(`m_out_press_${i}`)])),
        ),
      );
      await eventually(() => expect(t.app.get(InboxWriter).pending).toBe(20));
      expect(await deliverNow()).toBe(8);
      expect(await deliverNow()).toBe(8);
      expect(receiver.received).toHaveLength(16);
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
    }
    expect((await answers).map((res) => res.status)).toEqual(Array(20).fill(200));
    // Unpressed, one pass takes every delivery due.
    expect(await deliverNow()).toBe(4);
    expect((await deliveries(id)).every((row) => row.status === 'succeeded')).toBe(true);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(20);
  });
});
