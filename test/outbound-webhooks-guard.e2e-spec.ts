import { DeliveryWorker } from '../src/outbound/delivery-worker.service';
import { readJson, startTestApp, TestApp } from './test-app';
import { WebhookReceiver } from './webhook-receiver';

/** Addresses no production subscription may reach, each as a URL host. */
const REFUSED_HOSTS = [
  '127.0.0.1', // loopback
  '127.8.9.10',
  '10.1.2.3', // private
  '172.16.0.1',
  '192.168.1.1',
  '169.254.169.254', // link-local (cloud metadata)
  '100.64.0.1', // carrier-grade NAT
  '0.0.0.0', // unspecified
  '224.0.0.1', // multicast
  '[::1]', // IPv6 loopback
  '[::]',
  '[fe80::1]', // IPv6 link-local
  '[fc00::1]', // unique-local
  '[ff02::1]', // IPv6 multicast
  '[::ffff:127.0.0.1]', // IPv4-mapped loopback
  '[::ffff:10.0.0.1]',
  'localhost', // a name that resolves to loopback
];

describe('outbound webhooks in production: the address guard', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const create = (url: string) =>
    t.api('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url, events: ['survey.sent'] },
    });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    t = await startTestApp({
      NODE_ENV: 'production',
      OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS: '60000',
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('refuses http', async () => {
    const res = await create('http://1.1.1.1/hooks');
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: ['url must be https in production'],
    });
  });

  it.each(REFUSED_HOSTS)('refuses https://%s', async (host) => {
    const res = await create(`https://${host}:8443/hooks`);
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: [expect.stringMatching(/ address.*: not allowed$/)],
    });
  });

  it('stores nothing it refused, and accepts a public https address', async () => {
    expect(await t.prisma.webhookSubscription.count()).toBe(0);
    const res = await create('https://1.1.1.1/hooks');
    expect(res.status).toBe(201);
    const patch = await t.api(`/api/webhook-subscriptions/${(await readJson(res)).id}`, {
      method: 'PATCH',
      json: { url: 'https://[::ffff:192.168.0.1]/hooks' },
    });
    expect(patch.status).toBe(400);
  });

  it('checks again at delivery: a stored URL that reaches loopback is refused, nothing is sent', async () => {
    // As if the URL had passed at creation (say its name resolved elsewhere then).
    for (const url of [
      `https://127.0.0.1:${receiver.port}/hooks`,
      `https://localhost:${receiver.port}/hooks`,
      `https://[::ffff:127.0.0.1]:${receiver.port}/hooks`,
    ]) {
      const subscription = await t.prisma.webhookSubscription.create({
        data: { url, events: ['survey.sent'], lowScore: {}, secret: 'whsec_AAAA' },
      });
      const res = await t.api(`/api/webhook-subscriptions/${subscription.id}/test`, {
        method: 'POST',
      });
      expect(res.status).toBe(202);
      await t.app.get(DeliveryWorker).runOnce();
      const [row] = await t.prisma.outboundDelivery.findMany({
        where: { subscriptionId: subscription.id },
      });
      expect(row).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: expect.stringMatching(/^refused: .* is a loopback address/),
      });
    }
    expect(receiver.received).toEqual([]);
  });
});

describe('outbound webhooks in production with OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'true' });
  });
  afterAll(() => t.close());

  it('accepts private addresses, still over https only', async () => {
    const ok = await t.api('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url: 'https://10.0.0.5/hooks', events: ['survey.sent'] },
    });
    expect(ok.status).toBe(201);
    const http = await t.api('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url: 'http://10.0.0.5/hooks', events: ['survey.sent'] },
    });
    expect(http.status).toBe(400);
  });
});
