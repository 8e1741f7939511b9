import { ManualClock } from '../src/common/clock';
import { DeliveryWorker } from '../src/outbound/delivery-worker.service';
import { SurveyExpiry } from '../src/surveys/survey-expiry.service';
import { metaError } from './fake-graph-api';
import type { FakeGraphApi } from './fake-graph-api';
import { delivery, feedbackDelivery, responseFeedbackDelivery } from './messenger-factories';
import { DAY, HOUR, seedConversation, startSurveyApp } from './surveys-fixtures';
import { eventually, readJson, TestApp } from './test-app';
import { ReceivedWebhook, WebhookReceiver } from './webhook-receiver';

const PAGE = '5001';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
describe('outbound webhooks: subscriptions and the events they hear', () => {
  let t: TestApp;
  let fake: FakeGraphApi;
  let close: () => Promise<void>;
  let receiver: WebhookReceiver;
  const clock = new ManualClock();
  let next = 0;
  /** A customer of PAGE who wrote an hour ago. */
  const customer = async (): Promise<string> => {
    const id = `${9_100_000 + ++next}`;
    await seedConversation(t.prisma, PAGE, id, new Date(Date.now() - HOUR));
    return id;
  };
  const subscribe = async (json: Record<string, unknown>) => {
    const res = await t.api('/api/webhook-subscriptions', {
      method: 'POST',
      json: { url: receiver.url, ...json },
    });
    expect(res.status).toBe(201);
    return (await readJson(res)) as { id: string; secret: string; [key: string]: unknown };
  };
  /** Runs the delivery worker now, as its timer would. */
  const deliverNow = () => t.app.get(DeliveryWorker).runOnce();
  /** Waits until the event's handler has run, then delivers what it queued. */
  const deliveredOfType = async (type: string, count: number): Promise<ReceivedWebhook[]> =>
    eventually(async () => {
      await deliverNow();
      const got = receiver.ofType(type);
      expect(got).toHaveLength(count);
      return got;
    });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    ({ t, fake, close } = await startSurveyApp(
      {
        MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-secret',
        // The tests run the worker themselves (deliverNow); its timer stays out of the way.
        OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS: '60000',
      },
      { clock },
    ));
  });
  afterAll(async () => {
    await close();
    await receiver.close();
  });
  beforeEach(async () => {
    // Each test hears only its own subscriptions.
    await t.prisma.webhookSubscription.deleteMany();
    receiver.received.length = 0;
    receiver.answer = { status: 200 };
    fake.reset();
  });

  describe('subscriptions', () => {
    it('creates one with defaults and shows its secret in that answer only', async () => {
      const res = await t.api('/api/webhook-subscriptions', {
        method: 'POST',
        json: { url: receiver.url, events: ['survey.sent'], description: 'CRM' },
      });
      expect(res.status).toBe(201);
      const created = await readJson(res);
      expect(created).toEqual({
        id: expect.stringMatching(UUID),
        url: receiver.url,
        events: ['survey.sent'],
        lowScore: { csat: 2, nps: 6, ces: 3 },
        description: 'CRM',
        enabled: true,
        disabledReason: null,
        failingSince: null,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
        createdAt: clock.now().toISOString(),
        updatedAt: clock.now().toISOString(),
      });
      expect(Buffer.from(String(created.secret).slice(6), 'base64').length).toBeGreaterThanOrEqual(
        24,
      );

      const one = await readJson(await t.api(`/api/webhook-subscriptions/${created.id}`));
      const { secret, ...view } = created as { secret: string };
      expect(one).toEqual(view);
      expect(JSON.stringify(one)).not.toContain(secret.slice(6));
      const list = await readJson(await t.api('/api/webhook-subscriptions'));
      expect(list).toEqual({ items: [view], nextCursor: null });
    });

    it('pages the list newest first with a cursor', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await subscribe({ events: ['survey.sent'] })).id);
        clock.advance(1);
      }
      const first = (await readJson(await t.api('/api/webhook-subscriptions?limit=2'))) as {
        items: { id: string }[];
        nextCursor: string;
      };
      expect(first.items.map((s) => s.id)).toEqual([ids[2], ids[1]]);
      const second = await readJson(
        await t.api(`/api/webhook-subscriptions?limit=2&cursor=${first.nextCursor}`),
      );
      expect(second).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
      const forged = await t.api('/api/webhook-subscriptions?cursor=abc');
      expect(forged.status).toBe(400);
      expect((await readJson(forged)).code).toBe('INVALID_CURSOR');
    });

    it('changes, disables and deletes one', async () => {
      const { id } = await subscribe({ events: ['survey.sent'], lowScore: { nps: 4 } });
      const res = await t.api(`/api/webhook-subscriptions/${id}`, {
        method: 'PATCH',
        json: { events: ['survey.low_score'], lowScore: { csat: 1 }, enabled: false },
      });
      expect(res.status).toBe(200);
      expect(await readJson(res)).toMatchObject({
        events: ['survey.low_score'],
        lowScore: { csat: 1, nps: 4, ces: 3 },
        enabled: false,
      });
      expect((await t.api(`/api/webhook-subscriptions/${id}`, { method: 'DELETE' })).status).toBe(
        204,
      );
      expect((await t.api(`/api/webhook-subscriptions/${id}`)).status).toBe(404);
      expect((await t.api(`/api/webhook-subscriptions/${id}`, { method: 'DELETE' })).status).toBe(
        404,
      );
    });

    it('refuses bad input with a 400 and stores nothing', async () => {
      const bad: unknown[] = [
        {},
        { url: receiver.url },
        { url: receiver.url, events: [] },
        { url: receiver.url, events: ['survey.nope'] },
        { url: receiver.url, events: ['survey.sent', 'survey.sent'] },
        { url: 'ftp://example.com/x', events: ['survey.sent'] },
        { url: 'not a url', events: ['survey.sent'] },
        { url: 'http://user:pw@example.com/', events: ['survey.sent'] },
        { url: receiver.url, events: ['survey.sent'], lowScore: { csat: 6 } },
        { url: receiver.url, events: ['survey.sent'], lowScore: { nps: -1 } },
        { url: receiver.url, events: ['survey.sent'], lowScore: { ces: 2.5 } },
        { url: receiver.url, events: ['survey.sent'], secret: 'whsec_mine' },
        { url: receiver.url, events: ['survey.sent'], description: 'x'.repeat(501) },
      ];
      for (const json of bad) {
        const res = await t.api('/api/webhook-subscriptions', { method: 'POST', json });
        expect([res.status, (await readJson(res)).code]).toEqual([400, 'VALIDATION_FAILED']);
      }
      expect(await t.prisma.webhookSubscription.count()).toBe(0);
    });

    it('refuses a bad change with a 400 and changes nothing', async () => {
      const created = await subscribe({ events: ['survey.sent'] });
      const { secret: _secret, ...before } = created;
      for (const json of [
        { events: null },
        { url: null },
        { enabled: null },
        { lowScore: null },
        { lowScore: [] },
        { events: [] },
        { url: 'gopher://example.com/' },
        { lowScore: { nps: 11 } },
        { id: 'mine' },
      ]) {
        const res = await t.api(`/api/webhook-subscriptions/${created.id}`, {
          method: 'PATCH',
          json,
        });
        expect([res.status, (await readJson(res)).code]).toEqual([400, 'VALIDATION_FAILED']);
      }
      expect(await readJson(await t.api(`/api/webhook-subscriptions/${created.id}`))).toEqual(
        before,
      );
    });

    it('answers 404 for unknown or malformed ids and 401 without the token', async () => {
      for (const path of [
        '/api/webhook-subscriptions/00000000-0000-4000-8000-000000000000',
        '/api/webhook-subscriptions/nope',
        '/api/webhook-subscriptions/nope/deliveries',
      ]) {
        expect((await t.api(path)).status).toBe(404);
      }
      const { id } = await subscribe({ events: ['survey.sent'] });
      const retry = await t.api(`/api/webhook-subscriptions/${id}/deliveries/nope/retry`, {
        method: 'POST',
      });
      expect(retry.status).toBe(404);
      expect((await t.api('/api/webhook-subscriptions', { auth: false })).status).toBe(401);
      expect(
        (await t.api(`/api/webhook-subscriptions/${id}/test`, { method: 'POST', auth: false }))
          .status,
      ).toBe(401);
    });
  });

  it('delivers a test ping, signed so that standardwebhooks verifies it', async () => {
    const { id, secret } = await subscribe({ events: ['survey.sent'] });
    const res = await t.api(`/api/webhook-subscriptions/${id}/test`, { method: 'POST' });
    expect(res.status).toBe(202);
    const queued = await readJson(res);
    expect(queued).toMatchObject({ type: 'ping', status: 'pending', attempts: 0 });
    const [ping] = await deliveredOfType('ping', 1);
    expect(WebhookReceiver.verify(secret, ping)).toEqual(JSON.parse(ping.body));
    expect(ping.headers['webhook-id']).toBe(queued.webhookId);
    expect(ping.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(ping.json).toEqual({
      type: 'ping',
      timestamp: expect.any(String),
      data: { subscriptionId: id, message: 'a test delivery' },
    });
    // A wrong secret does not verify: the signature is over these bytes with this key.
    expect(() =>
      WebhookReceiver.verify(`whsec_${Buffer.alloc(32).toString('base64')}`, ping),
    ).toThrow();

    const log = await readJson(await t.api(`/api/webhook-subscriptions/${id}/deliveries`));
    expect(log.items).toEqual([
      expect.objectContaining({
        id: queued.id,
        webhookId: `msg_${queued.id}`,
        status: 'succeeded',
        attempts: 1,
        lastStatusCode: 200,
        lastError: null,
        lastDurationMs: expect.any(Number),
        nextAttemptAt: null,
        deliveredAt: expect.any(String),
        payload: ping.json,
      }),
    ]);
  });

  it('reports survey.sent and survey.failed with the survey as the API shows it', async () => {
    const { secret } = await subscribe({ events: ['survey.sent', 'survey.failed'] });
    const recipientId = await customer();
    const sent = await readJson(
      await t.api('/api/surveys', { method: 'POST', json: { recipientId, type: 'nps' } }),
    );
    fake.respondWith(metaError(400, { code: 100, error_subcode: 2018001 }));
    const refused = await t.api('/api/surveys', {
      method: 'POST',
      json: { recipientId, type: 'csat' },
    });
    expect(refused.status).toBe(502);
    const failedId = (await readJson(refused)).surveyId as string;

    const [sentHook] = await deliveredOfType('survey.sent', 1);
    expect(WebhookReceiver.verify(secret, sentHook)).toBeTruthy();
    expect(sentHook.json.data).toEqual(await readJson(await t.api(`/api/surveys/${sent.id}`)));
    const [failedHook] = await deliveredOfType('survey.failed', 1);
    expect(failedHook.json.data).toEqual(await readJson(await t.api(`/api/surveys/${failedId}`)));
    expect(failedHook.json.data).toMatchObject({ status: 'failed', error: { code: 100 } });
  });

  it('reports an answer as survey.responded, and as survey.low_score at or below the threshold', async () => {
    await subscribe({ events: ['survey.responded', 'survey.low_score'] });
    // Another system that counts only the lowest scores as low.
    const strict = await subscribe({
      events: ['survey.low_score'],
      lowScore: { csat: 1, nps: 0, ces: 1 },
    });
    const userId = await customer();
    const low = await readJson(
      await t.api('/api/surveys', { method: 'POST', json: { recipientId: userId, type: 'csat' } }),
    );
    const submitted = Date.now();
    await t.deliver(
      feedbackDelivery({
        pageId: PAGE,
        userId,
        timestamp: submitted,
        questions: { csat: { type: 'csat', payload: '2', followUp: 'slow' } },
      }),
    );
    const [responded] = await deliveredOfType('survey.responded', 1);
    const view = await readJson(await t.api(`/api/surveys/${low.id}`));
    expect(responded.json.data).toEqual(view);
    expect(view).toMatchObject({ status: 'responded', response: { score: 2 } });
    const lows = await deliveredOfType('survey.low_score', 1);
    expect(lows[0].json.data).toEqual({
      answer: {
        pageId: PAGE,
        userId,
        questionId: 'csat',
        type: 'csat',
        score: 2,
        followUpText: 'slow',
        submittedAt: new Date(submitted).toISOString(),
        surveyId: low.id,
      },
      survey: view,
    });
    const strictLog = await readJson(
      await t.api(`/api/webhook-subscriptions/${strict.id}/deliveries`),
    );
    expect(strictLog.items).toEqual([]);

    // A good score is responded, not low; an NPS of 6 is low by default (a detractor).
    const good = await readJson(
      await t.api('/api/surveys', { method: 'POST', json: { recipientId: userId, type: 'csat' } }),
    );
    await t.deliver(
      feedbackDelivery({
        pageId: PAGE,
        userId,
        timestamp: submitted + 1000,
        questions: { csat: { type: 'csat', payload: '5' }, nps: { type: 'nps', payload: '6' } },
      }),
    );
    const both = await deliveredOfType('survey.responded', 2);
    expect(both[1].json.data).toMatchObject({ id: good.id, response: { score: 5 } });
    const lowAgain = await deliveredOfType('survey.low_score', 2);
    expect(lowAgain[1].json.data.answer).toMatchObject({ type: 'nps', score: 6, surveyId: null });
  });

  it('reports Bad response feedback once, and not Good', async () => {
    await subscribe({ events: ['response_feedback.bad'] });
    const userId = await customer();
    const timestamp = Date.now();
    const bad = responseFeedbackDelivery({
      pageId: PAGE,
      userId,
      mid: 'm_outbound_1',
      feedback: 'Bad response',
      timestamp,
    });
    await t.deliver(bad);
    await t.deliver(
      responseFeedbackDelivery({
        pageId: PAGE,
        userId,
        mid: 'm_outbound_2',
        feedback: 'Good response',
        timestamp,
      }),
    );
    const [hook] = await deliveredOfType('response_feedback.bad', 1);
    expect(hook.json.data).toEqual({
      pageId: PAGE,
      userId,
      mid: 'm_outbound_1',
      feedback: 'bad',
      occurredAt: new Date(timestamp).toISOString(),
    });
    // Meta delivering it again is no new feedback.
    expect((await t.deliver(bad)).status).toBe(200);
    await eventually(async () => {
      const good = await t.prisma.responseFeedback.count({ where: { userId } });
      expect(good).toBe(2);
    });
    await deliverNow();
    expect(receiver.received).toHaveLength(1);
  });

  it('reports an event that dies as webhook_event.dead with its inbox view', async () => {
    await subscribe({ events: ['webhook_event.dead'] });
    // Feedback without a customer can never be stored: dead at once.
    await t.deliver(
      delivery(
        [
          {
            recipient: { id: PAGE },
            timestamp: Date.now(),
            response_feedback: { feedback: 'Bad response', mid: 'm_no_sender' },
          },
        ],
        { pageId: PAGE, time: Date.now() },
      ),
    );
    const [hook] = await deliveredOfType('webhook_event.dead', 1);
    const listed = await readJson(await t.api('/api/webhook-events?status=dead'));
    expect(listed.items).toContainEqual(hook.json.data);
    expect(hook.json.data).toMatchObject({
      kind: 'response_feedback',
      status: 'dead',
      reason: expect.stringContaining('without a customer'),
    });
  });

  it('writes the outbox row in the transaction of its cause: when it fails, the change is undone', async () => {
    await subscribe({ events: ['survey.sent', 'survey.responded'] });
    const userId = await customer();
    const survey = await readJson(
      await t.api('/api/surveys', { method: 'POST', json: { recipientId: userId, type: 'ces' } }),
    );
    await deliveredOfType('survey.sent', 1);
    // From here every outbox insert fails, after the change it reports has been written.
    await t.prisma.$executeRawUnsafe(`
      CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'outbox refused by the test'; END $$;
      CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbound_deliveries
        FOR EACH ROW EXECUTE FUNCTION refuse_outbox();`);
    try {
      const surveysBefore = await t.prisma.survey.count();
      const res = await t.api('/api/surveys', {
        method: 'POST',
        json: { recipientId: userId, type: 'csat' },
      });
      expect(res.status).toBe(500);
      expect((await readJson(res)).code).toBe('INTERNAL_ERROR');
      // Sent to Meta, but neither the survey nor its survey.sent was committed.
      expect(fake.sent).toHaveLength(2);
      expect(await t.prisma.survey.count()).toBe(surveysBefore);

      await t.deliver(
        feedbackDelivery({
          pageId: PAGE,
          userId,
          timestamp: Date.now(),
          questions: { ces: { type: 'ces', payload: '6' } },
        }),
      );
      const failed = await eventually(async () => {
        const events = await readJson(await t.api('/api/webhook-events?status=failed'));
        expect(events.items).toHaveLength(1);
        return events.items[0] as { id: string };
      });
      // The answer was rolled back with its outbox row: the survey is still unanswered.
      expect(await t.prisma.surveyAnswer.count({ where: { userId } })).toBe(0);
      expect(await readJson(await t.api(`/api/surveys/${survey.id}`))).toMatchObject({
        status: 'sent',
        response: null,
      });

      await t.prisma.$executeRawUnsafe('DROP TRIGGER refuse_outbox ON outbound_deliveries');
      expect(
        (await t.api(`/api/webhook-events/${failed.id}/retry`, { method: 'POST' })).status,
      ).toBe(202);
      const [responded] = await deliveredOfType('survey.responded', 1);
      expect(responded.json.data).toMatchObject({ id: survey.id, response: { score: 6 } });
    } finally {
      await t.prisma.$executeRawUnsafe(
        'DROP TRIGGER IF EXISTS refuse_outbox ON outbound_deliveries',
      );
      await t.prisma.$executeRawUnsafe('DROP FUNCTION refuse_outbox()');
    }
  });

  it('hears nothing it did not subscribe to, and nothing once disabled', async () => {
    const only = await subscribe({ events: ['survey.expired'] });
    const off = await subscribe({ events: ['survey.sent'] });
    await t.api(`/api/webhook-subscriptions/${off.id}`, {
      method: 'PATCH',
      json: { enabled: false },
    });
    const userId = await customer();
    await t.api('/api/surveys', { method: 'POST', json: { recipientId: userId, type: 'csat' } });
    await deliverNow();
    expect(receiver.received).toEqual([]);
    const test = await t.api(`/api/webhook-subscriptions/${off.id}/test`, { method: 'POST' });
    expect([test.status, (await readJson(test)).code]).toEqual([409, 'SUBSCRIPTION_DISABLED']);
    expect(
      (await readJson(await t.api(`/api/webhook-subscriptions/${only.id}/deliveries`))).items,
    ).toEqual([]);
  });

  // Last: it moves the clock on by days.
  it('reports survey.expired when the expiry job marks a survey, on the test clock', async () => {
    const { secret } = await subscribe({ events: ['survey.expired'] });
    const userId = await customer();
    const survey = await readJson(
      await t.api('/api/surveys', {
        method: 'POST',
        json: { recipientId: userId, type: 'nps', expiresInDays: 1 },
      }),
    );
    clock.advance(DAY + HOUR);
    expect(await t.app.get(SurveyExpiry).expireDue()).toBeGreaterThanOrEqual(1);
    // Surveys of the earlier tests expire too; this one is among them.
    const hooks = await eventually(async () => {
      await deliverNow();
      const got = receiver.ofType('survey.expired').filter((h) => h.json.data.id === survey.id);
      expect(got).toHaveLength(1);
      return got;
    });
    expect(hooks[0].json.data).toEqual(await readJson(await t.api(`/api/surveys/${survey.id}`)));
    expect(hooks[0].json.data).toMatchObject({ status: 'expired', response: null });
    expect(hooks[0].headers['webhook-signature']).toContain(
      WebhookReceiver.expectedSignature(secret, hooks[0]),
    );
    expect(hooks[0].json.timestamp).toBe(clock.now().toISOString());
  });
});
