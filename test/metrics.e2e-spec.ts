import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { ManualClock } from '../src/common/clock';
import { SurveyExpiry } from '../src/surveys/survey-expiry.service';
import { metaError } from './fake-graph-api';
import { delivery, feedbackDelivery, textMessage } from './messenger-factories';
import { seedConversation, startSurveyApp, DAY } from './surveys-fixtures';
import { eventually, readJson, TestApp } from './test-app';
import { FakeGraphApi } from './fake-graph-api';
import { WebhookReceiver } from './webhook-receiver';

const PAGE = '3001';
const TOKEN = 'EAA-page-3001-secret-token';

/** Every sample of a scrape, `name{a="1",b="2"}` → value (histograms as _count and _sum). */
type Samples = Map<string, number>;

const seriesKey = (name: string, labels: Record<string, string> = {}): string => {
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}="${labels[key]}"`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
};

describe('GET /metrics', () => {
  const clock = new ManualClock();
  let t: TestApp;
  let fake: FakeGraphApi;
  let close: () => Promise<void>;
  let receiver: WebhookReceiver;

  const scrape = async (): Promise<Samples> => {
    const res = await t.api('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const samples: Samples = new Map();
    // The parser checks the whole document and reads counters and gauges; it folds a labelled
    // histogram's series into one, so their _count and _sum lines are read from the text.
    for (const family of parsePrometheusTextFormat(text)) {
      if (family.type === 'HISTOGRAM') continue;
      for (const metric of family.metrics) {
        samples.set(seriesKey(family.name, metric.labels), Number(metric.value));
      }
    }
    for (const [, name, labels, number] of text.matchAll(
      /^(\w+_(?:count|sum))(?:\{([^}]*)\})? (\S+)$/gm,
    )) {
      const parsed = Object.fromEntries(
        [...(labels ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, key, v]) => [key, v]),
      );
      samples.set(seriesKey(name, parsed), Number(number));
    }
    return samples;
  };
  const value = (samples: Samples, name: string, labels?: Record<string, string>): number =>
    samples.get(seriesKey(name, labels)) ?? 0;
  /** How much each named series moved between two scrapes. */
  const moved = (before: Samples, after: Samples, name: string, labels?: Record<string, string>) =>
    value(after, name, labels) - value(before, name, labels);

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    ({ t, fake, close } = await startSurveyApp(
      { MESSENGER_PAGE_TOKENS: JSON.stringify({ [PAGE]: TOKEN }) },
      { clock },
    ));
  });
  afterAll(async () => {
    await close();
    await receiver.close();
  });

  it('needs the bearer token', async () => {
    const res = await t.api('/metrics', { auth: false });
    expect(res.status).toBe(401);
    expect(await readJson(res)).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('is Prometheus text with the process metrics, the pool and the inbox gauges', async () => {
    const samples = await scrape();
    expect(value(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(samples.has('nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(value(samples, 'database_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    expect(samples.has(seriesKey('database_pool_connections', { state: 'waiting' }))).toBe(true);
    expect(value(samples, 'webhook_inbox_backlog')).toBe(0);
    expect(value(samples, 'webhook_inbox_oldest_waiting_age_seconds')).toBe(0);
  });

  it('counts deliveries, events, duplicates, outcomes and handler time by the amounts sent', async () => {
    const before = await scrape();
    const body = delivery(
      [textMessage('m.metrics.1'), textMessage('m.metrics.2'), textMessage('m.metrics.3')],
      {
        pageId: PAGE,
      },
    );
    expect((await t.deliver(body)).status).toBe(200);
    // The same delivery again (Meta retrying): acknowledged, nothing new stored.
    expect((await t.deliver(body)).status).toBe(200);
    expect((await t.deliver(body, { signature: 'sha256=00' })).status).toBe(401);
    // One event no handler can ever process (a message with no customer): dead at once.
    const orphan = delivery(
      [
        {
          recipient: { id: PAGE },
          timestamp: Date.now(),
          message: { mid: 'm.metrics.orphan', text: 'x' },
        },
      ],
      {
        pageId: PAGE,
      },
    );
    expect((await t.deliver(orphan)).status).toBe(200);

    const after = await eventually(async () => {
      const samples = await scrape();
      expect(moved(before, samples, 'webhook_events_outcome_total', { status: 'processed' })).toBe(
        3,
      );
      expect(moved(before, samples, 'webhook_events_outcome_total', { status: 'dead' })).toBe(1);
      return samples;
    });
    expect(moved(before, after, 'webhook_deliveries_total', { outcome: 'accepted' })).toBe(3);
    expect(moved(before, after, 'webhook_deliveries_total', { outcome: 'invalid_signature' })).toBe(
      1,
    );
    expect(
      moved(before, after, 'webhook_acknowledgement_seconds_count', { outcome: 'accepted' }),
    ).toBe(3);
    expect(
      moved(before, after, 'webhook_acknowledgement_seconds_sum', { outcome: 'accepted' }),
    ).toBeGreaterThan(0);
    expect(moved(before, after, 'webhook_events_received_total', { kind: 'message' })).toBe(4);
    expect(moved(before, after, 'webhook_events_duplicate_total')).toBe(3);
    expect(moved(before, after, 'webhook_events_outcome_total', { status: 'failed' })).toBe(0);
    // Each processed message went through the conversations' message handler once.
    expect(
      moved(before, after, 'event_handler_duration_seconds_count', { module: 'message-events' }),
    ).toBe(4);
    expect(moved(before, after, 'event_handler_failures_total', { module: 'message-events' })).toBe(
      1,
    );
    expect(value(after, 'webhook_inbox_backlog')).toBe(0);
  });

  it('counts Send API calls by outcome and Meta code, and surveys sent, failed, answered and expired by type', async () => {
    await seedConversation(t.prisma, PAGE, '5001', new Date());
    await seedConversation(t.prisma, PAGE, '5002', new Date());
    await seedConversation(t.prisma, PAGE, '5003', new Date());
    const before = await scrape();
    const send = async (recipientId: string, type: string) => {
      const res = await t.api('/api/surveys', {
        method: 'POST',
        json: { pageId: PAGE, recipientId, type },
      });
      return { status: res.status, body: await res.text() };
    };
    expect((await send('5001', 'csat')).status).toBe(201);
    expect((await send('5002', 'nps')).status).toBe(201);
    fake.respondWith(
      metaError(400, { code: 551, message: "This person isn't available right now." }),
    );
    expect((await send('5003', 'csat')).status).toBe(502);
    fake.respondWith(metaError(400, { code: 987654, message: 'a code nobody knows' }));
    expect((await send('5003', 'ces')).status).toBe(502);

    const answer = feedbackDelivery({
      pageId: PAGE,
      userId: '5001',
      timestamp: Date.now(),
      questions: { csat: { type: 'csat', payload: '4' } },
    });
    expect((await t.deliver(answer)).status).toBe(200);
    await eventually(async () => {
      expect(
        moved(before, await scrape(), 'surveys_total', { event: 'answered', type: 'csat' }),
      ).toBe(1);
    });
    clock.advance(8 * DAY);
    await t.app.get(SurveyExpiry).expireDue();

    const after = await scrape();
    expect(moved(before, after, 'graph_sends_total', { outcome: 'sent', code: 'none' })).toBe(2);
    expect(moved(before, after, 'graph_sends_total', { outcome: 'failed', code: '551' })).toBe(1);
    expect(moved(before, after, 'graph_sends_total', { outcome: 'failed', code: 'other' })).toBe(1);
    expect(moved(before, after, 'surveys_total', { event: 'sent', type: 'csat' })).toBe(1);
    expect(moved(before, after, 'surveys_total', { event: 'sent', type: 'nps' })).toBe(1);
    expect(moved(before, after, 'surveys_total', { event: 'failed', type: 'csat' })).toBe(1);
    expect(moved(before, after, 'surveys_total', { event: 'failed', type: 'ces' })).toBe(1);
    expect(moved(before, after, 'surveys_total', { event: 'expired', type: 'nps' })).toBe(1);
    expect(moved(before, after, 'surveys_total', { event: 'expired', type: 'csat' })).toBe(0);
    expect(samplesNamed(after, 'graph_sends_total').some((key) => key.includes('987654'))).toBe(
      false,
    );
  });

  it('counts outbound webhook attempts by outcome', async () => {
    const created = await t.api('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url: receiver.url, events: ['survey.sent'] },
    });
    expect(created.status).toBe(201);
    const { id } = (await readJson(created)) as { id: string };
    const before = await scrape();
    expect(
      (await t.api(`/api/webhook-subscriptions/${id}/test`, { method: 'POST' })).status,
    ).toBeLessThan(300);
    await eventually(async () => {
      expect(
        moved(before, await scrape(), 'outbound_webhook_attempts_total', { outcome: 'delivered' }),
      ).toBe(1);
    });
    receiver.answer = { status: 500, body: 'down' };
    expect(
      (await t.api(`/api/webhook-subscriptions/${id}/test`, { method: 'POST' })).status,
    ).toBeLessThan(300);
    await eventually(async () => {
      expect(
        moved(before, await scrape(), 'outbound_webhook_attempts_total', { outcome: 'failed' }),
      ).toBe(1);
    });
  });

  it('adds no series for 1,000 more Pages and customers: no label holds an id', async () => {
    // Every kind of series this traffic touches exists already (the messages above).
    const warmUp = await scrape();
    const entries = Array.from({ length: 1_000 }, (_, i) => ({
      id: `9${String(i).padStart(6, '0')}`,
      time: Date.now(),
      messaging: [
        textMessage(`m.cardinality.${i}`, 'hi', {
          pageId: `9${String(i).padStart(6, '0')}`,
          userId: `u${i}`,
        }),
      ],
    }));
    expect((await t.deliver({ object: 'page', entry: entries })).status).toBe(200);
    const after = await eventually(async () => {
      const samples = await scrape();
      expect(moved(warmUp, samples, 'webhook_events_outcome_total', { status: 'processed' })).toBe(
        1_000,
      );
      return samples;
    });
    expect(moved(warmUp, after, 'webhook_events_received_total', { kind: 'message' })).toBe(1_000);
    // The runtime's own series (nodejs_*, process_*) carry fixed labels, such as a garbage
    // collection's kind, that appear the first time that kind of collection runs.
    const newSeries = [...after.keys()].filter(
      (key) => !warmUp.has(key) && !/^(nodejs|process)_/.test(key),
    );
    expect(newSeries).toEqual([]);
    for (const key of after.keys()) {
      expect(key).not.toMatch(/9\d{6}|u\d+|m\.cardinality/);
    }
  });
});

function samplesNamed(samples: Samples, name: string): string[] {
  return [...samples.keys()].filter((key) => key === name || key.startsWith(`${name}{`));
}
