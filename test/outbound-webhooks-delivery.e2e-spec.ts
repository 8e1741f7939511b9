import { ManualClock } from '../src/common/clock';
import { DeliveryWorker } from '../src/outbound/delivery-worker.service';
import { OutboundRepository } from '../src/outbound/outbound.repository';
import { readJson, startTestApp, TestApp } from './test-app';
import { WebhookReceiver } from './webhook-receiver';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const TIMEOUT_MS = 500;

describe('outbound webhooks: delivery, retries and their clock', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const clock = new ManualClock();
  const deliverNow = () => t.app.get(DeliveryWorker).runOnce();
  const subscribe = async (url = receiver.url) => {
    const res = await t.api('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url, events: ['survey.sent'] },
    });
    expect(res.status).toBe(201);
    return (await readJson(res)) as { id: string; secret: string };
  };
  const ping = async (id: string) => {
    const res = await t.api(`/api/webhook-subscriptions/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(202);
    return (await readJson(res)) as { id: string; webhookId: string };
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const deliveries = async (id: string): Promise<any[]> =>
    ((await readJson(await t.api(`/api/webhook-subscriptions/${id}/deliveries`))) as { items: [] })
      .items;
  const subscription = async (id: string): Promise<unknown> =>
    (await readJson(await t.api(`/api/webhook-subscriptions/${id}`))) as unknown;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp(
      {
        // Passes are driven by the tests; a short timeout keeps the hanging receivers quick.
        OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS: '60000',
        OUTBOUND_WEBHOOKS_TIMEOUT_MS: String(TIMEOUT_MS),
      },
      { clock },
    );
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await t.prisma.webhookSubscription.deleteMany();
    receiver.received.length = 0;
    receiver.answer = { status: 200 };
    // wake() after the ping may have started a pass: let it end before the test drives the clock.
    await deliverNow();
  });

  it('retries with the same webhook-id and growing delays for a day, then disables the subscription with why', async () => {
    receiver.answer = { status: 500, body: 'database down' };
    const { id, secret } = await subscribe();
    const queued = await ping(id);
    const start = clock.now().getTime();
    const attemptTimes: number[] = [];
    for (let i = 0; i < 100; i++) {
      const before = receiver.received.length;
      attemptTimes.push(clock.now().getTime());
      await deliverNow();
      expect(receiver.received).toHaveLength(before + 1);
      const [row] = await deliveries(id);
      if (row.status !== 'pending') break;
      // Nothing is attempted before it is due.
      clock.set(new Date(new Date(row.nextAttemptAt).getTime() - 1));
      await deliverNow();
      expect(receiver.received).toHaveLength(before + 1);
      clock.set(new Date(row.nextAttemptAt));
    }
    const attempts = receiver.received.length;
    const [given] = await deliveries(id);
    expect(given).toMatchObject({
      status: 'failed',
      attempts,
      lastStatusCode: 500,
      lastError: 'HTTP 500: database down',
      nextAttemptAt: null,
    });
    // Every attempt is the same message: same id, same body, signed again at its own time.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([queued.webhookId]),
    );
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    for (const request of receiver.received) {
      expect(request.headers['webhook-signature']).toBe(
        WebhookReceiver.expectedSignature(secret, request),
      );
    }
    // The delays: about 5 s first (the default base, with jitter), each longer than the one
    // before until they reach the one-hour cap, for at least a day.
    const gaps = attemptTimes.slice(1).map((time, i) => time - attemptTimes[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(3_750);
    expect(gaps[0]).toBeLessThanOrEqual(6_250);
    for (let i = 1; i < gaps.length; i++) {
      if (gaps[i - 1] < HOUR * 0.75) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]);
      expect(gaps[i]).toBeLessThanOrEqual(HOUR);
    }
    expect(Math.max(...gaps)).toBe(HOUR);
    expect(attemptTimes.at(-1)! - start).toBeGreaterThanOrEqual(DAY);
    expect(attemptTimes.at(-1)! - start).toBeLessThan(DAY + HOUR);

    const disabled = await subscription(id);
    expect(disabled).toMatchObject({
      enabled: false,
      disabledReason: expect.stringMatching(
        /^every delivery failed since \d{4}-.*Z; last error: HTTP 500: database down$/,
      ),
    });

    // Disabled: nothing more is tried, a test or a retry is refused until it is enabled again.
    const refused = await t.api(`/api/webhook-subscriptions/${id}/test`, { method: 'POST' });
    expect([refused.status, (await readJson(refused)).code]).toEqual([
      409,
      'SUBSCRIPTION_DISABLED',
    ]);
    const enabled = await t.api(`/api/webhook-subscriptions/${id}`, {
      method: 'PATCH',
      json: { enabled: true },
    });
    expect(await readJson(enabled)).toMatchObject({
      enabled: true,
      disabledReason: null,
      failingSince: null,
    });

    // A manual retry sends the same message once more.
    receiver.answer = { status: 204 };
    const retried = await t.api(`/api/webhook-subscriptions/${id}/deliveries/${queued.id}/retry`, {
      method: 'POST',
    });
    expect(retried.status).toBe(202);
    await deliverNow();
    expect(receiver.received).toHaveLength(attempts + 1);
    expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(queued.webhookId);
    expect((await deliveries(id))[0]).toMatchObject({
      status: 'succeeded',
      attempts: attempts + 1,
      lastStatusCode: 204,
      lastError: null,
    });
  });

  it('keeps a subscription whose deliveries recover within the day', async () => {
    receiver.answer = { status: 503 };
    const { id } = await subscribe();
    await ping(id);
    await deliverNow();
    expect(await subscription(id)).toMatchObject({
      enabled: true,
      failingSince: clock.now().toISOString(),
    });
    clock.advance(20 * HOUR);
    receiver.answer = { status: 200 };
    await deliverNow();
    expect(await subscription(id)).toMatchObject({ enabled: true, failingSince: null });
    expect((await deliveries(id))[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('records a receiver that never answers as a failure within the timeout', async () => {
    receiver.answer = { hang: true };
    const { id } = await subscribe();
    await ping(id);
    const started = Date.now();
    await deliverNow();
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 4_000);
    const [row] = await deliveries(id);
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: null,
      lastError: `no answer within ${TIMEOUT_MS} ms`,
    });
    expect(row.lastDurationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
  });

  it('times out a receiver that answers 200 but never finishes its body', async () => {
    receiver.answer = { trickle: true };
    const { id } = await subscribe();
    await ping(id);
    const started = Date.now();
    await deliverNow();
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 4_000);
    expect((await deliveries(id))[0]).toMatchObject({
      status: 'pending',
      lastError: `no answer within ${TIMEOUT_MS} ms`,
    });
  });

  it('does not follow redirects', async () => {
    const elsewhere = await WebhookReceiver.start();
    try {
      receiver.answer = { status: 307, headers: { location: elsewhere.url } };
      const { id } = await subscribe();
      await ping(id);
      await deliverNow();
      expect(elsewhere.received).toEqual([]);
      expect((await deliveries(id))[0]).toMatchObject({
        status: 'pending',
        lastStatusCode: 307,
        lastError: `redirect not followed (HTTP 307 to ${elsewhere.url})`,
      });
    } finally {
      await elsewhere.close();
    }
  });

  it('records a connection refused as a failure', async () => {
    const gone = await WebhookReceiver.start();
    const url = gone.url;
    await gone.close();
    const { id } = await subscribe(url);
    await ping(id);
    await deliverNow();
    expect((await deliveries(id))[0]).toMatchObject({
      status: 'pending',
      lastStatusCode: null,
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('lets one claim only take a due delivery: replicas never send one attempt twice at once', async () => {
    const { id } = await subscribe();
    await t.prisma.outboundDelivery.create({
      data: {
        subscriptionId: id,
        eventType: 'ping',
        body: '{}',
        nextAttemptAt: clock.now(),
        createdAt: clock.now(),
      },
    });
    const repository = t.app.get(OutboundRepository);
    const now = clock.now();
    const lease = new Date(now.getTime() + 60_000);
    const claims = await Promise.all([
      repository.claimDue(now, lease, 10),
      repository.claimDue(now, lease, 10),
      repository.claimDue(now, lease, 10),
    ]);
    expect(claims.map((c) => c.length).sort()).toEqual([0, 0, 1]);
    // Claimed: leased, not due again before the lease ends.
    expect(await repository.claimDue(new Date(lease.getTime() - 1), lease, 10)).toEqual([]);
    expect(await repository.claimDue(lease, new Date(lease.getTime() + 1), 10)).toHaveLength(1);
  });

  it('pages a subscription’s deliveries newest first and filters them by status', async () => {
    const { id } = await subscribe();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await ping(id)).id);
      clock.advance(1);
    }
    await deliverNow();
    const first = (await readJson(
      await t.api(`/api/webhook-subscriptions/${id}/deliveries?limit=2`),
    )) as { items: { id: string }[]; nextCursor: string };
    expect(first.items.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    const second = await readJson(
      await t.api(`/api/webhook-subscriptions/${id}/deliveries?limit=2&cursor=${first.nextCursor}`),
    );
    expect(second).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
    const pending = await readJson(
      await t.api(`/api/webhook-subscriptions/${id}/deliveries?status=pending`),
    );
    expect(pending.items).toEqual([]);
    const bad = await t.api(`/api/webhook-subscriptions/${id}/deliveries?status=lost`);
    expect(bad.status).toBe(400);
  });
});
