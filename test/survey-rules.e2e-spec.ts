import { ManualClock } from '../src/common/clock';
import type { FakeGraphApi } from './fake-graph-api';
import { passThreadControlDelivery, postbackDelivery } from './messenger-factories';
import { HOUR, seedConversation, startSurveyApp } from './surveys-fixtures';
import { eventually, readJson, TestApp } from './test-app';

const PAGE = '5001';
const OTHER_PAGE = '5002';
// 13:00 in Paris: outside the quiet hours below.
const NOON_PARIS = new Date('2026-12-03T12:00:00Z');

interface Decision {
  id: string;
  ruleId: string;
  pageId: string;
  userId: string;
  trigger: string;
  outcome: string;
  reason: string | null;
  surveyId: string | null;
}

describe('survey rules', () => {
  let t: TestApp;
  let fake: FakeGraphApi;
  let close: () => Promise<void>;
  const clock = new ManualClock(NOON_PARIS);
  let next = 0;
  let mid = 0;

  /** A customer who wrote `ago` before the test clock's now, on both Pages. */
  const customer = async (ago = HOUR): Promise<string> => {
    const id = `${9_100_000 + ++next}`;
    for (const page of [PAGE, OTHER_PAGE]) {
      await seedConversation(t.prisma, page, id, new Date(clock.now().getTime() - ago));
    }
    return id;
  };
  const createRule = async (body: Record<string, unknown>): Promise<{ id: string }> => {
    const res = await t.api('/api/survey-rules', {
      method: 'POST',
      json: {
        name: 'after support',
        pageIds: [PAGE],
        trigger: { type: 'postback', payload: 'RESOLVED' },
        survey: { type: 'csat' },
        ...body,
      },
    });
    expect(res.status).toBe(201);
    return (await readJson(res)) as { id: string };
  };
  const postback = async (userId: string, payload = 'RESOLVED', pageId = PAGE) => {
    const res = await t.deliver(
      postbackDelivery({ pageId, userId, payload, mid: `m_pb_${++mid}` }),
    );
    expect(res.status).toBe(200);
  };
  const decisions = async (ruleId: string, query = ''): Promise<Decision[]> => {
    const res = await t.api(`/api/survey-rules/${ruleId}/decisions${query}`);
    expect(res.status).toBe(200);
    return ((await readJson(res)) as { items: Decision[] }).items;
  };
  /** Waits for the rule's decisions about `userId` to be final (no longer scheduled). */
  const decided = (ruleId: string, userId: string, count: number) =>
    eventually(async () => {
      const mine = (await decisions(ruleId)).filter((d) => d.userId === userId);
      expect(mine).toHaveLength(count);
      expect(mine.every((d) => d.outcome !== 'scheduled')).toBe(true);
      return mine;
    });
  const sentTo = (userId: string) =>
    fake.sent.filter((r) => (r.body as { recipient: { id: string } }).recipient.id === userId);
  /** Each rule its own trigger payload, so tests do not see each other's rules. */
  let payloads = 0;
  const payload = () => `RESOLVED_${++payloads}`;

  beforeAll(async () => {
    ({ t, fake, close } = await startSurveyApp(
      { MESSENGER_PAGE_TOKENS: JSON.stringify({ [PAGE]: 'EAA-a', [OTHER_PAGE]: 'EAA-b' }) },
      { clock },
    ));
  });
  afterAll(() => close());
  beforeEach(() => clock.set(NOON_PARIS));

  describe('CRUD', () => {
    it('creates, reads, lists, changes and deletes a rule', async () => {
      const created = await readJson(
        await t.api('/api/survey-rules', {
          method: 'POST',
          json: {
            name: 'CSAT after support',
            trigger: { type: 'conversation_idle', idleMinutes: 30 },
            survey: { type: 'csat', followUp: true },
            throttle: { perCustomerDays: 7 },
            quietHours: { from: '21:00', to: '08:00', timeZone: 'Europe/Paris' },
          },
        }),
      );
      expect(created).toEqual({
        id: expect.any(String),
        name: 'CSAT after support',
        enabled: true,
        pageIds: null,
        trigger: { type: 'conversation_idle', idleMinutes: 30 },
        survey: { type: 'csat', followUp: true },
        throttle: { perCustomerDays: 7 },
        sampleRate: 1,
        quietHours: { from: '21:00', to: '08:00', timeZone: 'Europe/Paris' },
        useFeedbackTag: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const id = created.id as string;
      expect(await readJson(await t.api(`/api/survey-rules/${id}`))).toEqual(created);
      const list = await readJson(await t.api('/api/survey-rules?limit=500'));
      expect((list.items as { id: string }[]).map((r) => r.id)).toContain(id);

      const patched = await t.api(`/api/survey-rules/${id}`, {
        method: 'PATCH',
        json: { enabled: false, quietHours: null },
      });
      expect(patched.status).toBe(200);
      expect(await readJson(patched)).toMatchObject({
        enabled: false,
        quietHours: null,
        throttle: { perCustomerDays: 7 },
      });

      expect((await t.api(`/api/survey-rules/${id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await t.api(`/api/survey-rules/${id}`)).status).toBe(404);
      expect((await t.api(`/api/survey-rules/${id}/decisions`)).status).toBe(404);
      expect((await t.api('/api/survey-rules/not-a-uuid')).status).toBe(404);
    });

    it('refuses a bad rule with every failing field named, the survey as a send would, and stores nothing', async () => {
      const before = await t.prisma.surveyRule.count();
      const res = await t.api('/api/survey-rules', {
        method: 'POST',
        json: {
          name: '',
          trigger: { type: 'postback' },
          survey: { type: 'csat', title: 'x'.repeat(66), recipientId: '1' },
          sampleRate: 1.5,
          quietHours: { from: '21:00', to: '08:00', timeZone: 'Europe/Nowhere' },
        },
      });
      expect(res.status).toBe(400);
      const body = await readJson(res);
      expect(body.code).toBe('VALIDATION_FAILED');
      expect(body.message).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^name /),
          expect.stringMatching(/^trigger\.payload /),
          expect.stringMatching(/^survey\.title /),
          expect.stringMatching(/^survey\.recipientId /),
          expect.stringMatching(/^sampleRate /),
          expect.stringMatching(/^quietHours\.timeZone /),
        ]),
      );
      expect(await t.prisma.surveyRule.count()).toBe(before);

      const rule = await createRule({ trigger: { type: 'postback', payload: payload() } });
      const patch = await t.api(`/api/survey-rules/${rule.id}`, {
        method: 'PATCH',
        json: { survey: { type: 'nps', scoreOption: 'five_stars' } },
      });
      expect(patch.status).toBe(400);
      expect((await readJson(await t.api(`/api/survey-rules/${rule.id}`))).survey).toEqual({
        type: 'csat',
      });
      expect((await t.api(`/api/survey-rules/${rule.id}/decisions?outcome=done`)).status).toBe(400);
    });

    it('is private', async () => {
      expect((await t.api('/api/survey-rules', { auth: false })).status).toBe(401);
    });
  });

  describe('postback trigger', () => {
    it('sends the rule’s survey once per event, carrying the rule id, and records the decision', async () => {
      const p = payload();
      const rule = await createRule({ trigger: { type: 'postback', payload: p } });
      const userId = await customer();
      await postback(userId, p);
      const [decision] = await decided(rule.id, userId, 1);
      expect(decision).toMatchObject({
        ruleId: rule.id,
        pageId: PAGE,
        userId,
        trigger: 'postback',
        outcome: 'sent',
        reason: null,
      });
      const survey = await readJson(await t.api(`/api/surveys/${decision.surveyId}`));
      expect(survey).toMatchObject({ recipientId: userId, pageId: PAGE, type: 'csat' });
      const row = await t.prisma.survey.findUnique({ where: { id: decision.surveyId as string } });
      expect(row?.ruleId).toBe(rule.id);
      expect(sentTo(userId)).toHaveLength(1);

      // Another payload, another Page: no decision.
      await postback(userId, 'SOMETHING_ELSE');
      await postback(userId, p, OTHER_PAGE);
      const filtered = await decisions(rule.id, '?outcome=sent');
      expect(filtered.filter((d) => d.userId === userId)).toHaveLength(1);
      expect(sentTo(userId)).toHaveLength(1);
    });

    it('skips a customer with an open survey (open_survey), then throttles across rules', async () => {
      const p = payload();
      const first = await createRule({
        trigger: { type: 'postback', payload: p },
        throttle: { perCustomerDays: 7 },
      });
      const userId = await customer();
      await postback(userId, p);
      await decided(first.id, userId, 1);
      // The survey is still open: the next trigger, a minute later, skips.
      clock.advance(60_000);
      await postback(userId, p);
      const [open] = await decided(first.id, userId, 2);
      expect(open).toMatchObject({ outcome: 'skipped', reason: 'open_survey', surveyId: null });

      // Once it is answered, the throttle of a second rule (same customer and Page) still holds.
      const sent = await t.prisma.survey.findFirst({ where: { recipientId: userId } });
      await t.prisma.survey.update({
        where: { id: sent?.id },
        data: { status: 'responded' },
      });
      const q = payload();
      const second = await createRule({
        trigger: { type: 'postback', payload: q },
        throttle: { perCustomerDays: 7 },
      });
      await postback(userId, q);
      const [throttled] = await decided(second.id, userId, 1);
      expect(throttled).toMatchObject({ outcome: 'skipped', reason: 'throttled' });
      // Eight days later the throttle has passed.
      clock.advance(8 * 24 * HOUR);
      await seedConversation(t.prisma, PAGE, userId, new Date(clock.now().getTime() - HOUR));
      await postback(userId, q);
      const [later] = await decided(second.id, userId, 2);
      expect(later).toMatchObject({ outcome: 'sent' });
      expect(sentTo(userId)).toHaveLength(2);
      expect((await decisions(second.id, '?outcome=skipped')).map((d) => d.id)).toEqual([
        throttled.id,
      ]);
    });

    it('skips during quiet hours in the rule’s time zone, across midnight', async () => {
      const p = payload();
      const rule = await createRule({
        trigger: { type: 'postback', payload: p },
        quietHours: { from: '21:00', to: '08:00', timeZone: 'Europe/Paris' },
      });
      const userId = await customer();
      clock.set(new Date('2026-12-03T23:30:00Z')); // 00:30 in Paris
      await postback(userId, p);
      const [quiet] = await decided(rule.id, userId, 1);
      expect(quiet).toMatchObject({ outcome: 'skipped', reason: 'quiet_hours' });
      clock.set(new Date('2026-12-04T07:05:00Z')); // 08:05 in Paris
      await seedConversation(t.prisma, PAGE, userId, new Date(clock.now().getTime() - HOUR));
      await postback(userId, p);
      const [sent] = await decided(rule.id, userId, 2);
      expect(sent).toMatchObject({ outcome: 'sent' });
    });

    it('samples deterministically: about the share asked, the rest sampled_out', async () => {
      const p = payload();
      const rule = await createRule({ trigger: { type: 'postback', payload: p }, sampleRate: 0.5 });
      const users: string[] = [];
      for (let i = 0; i < 20; i++) users.push(await customer());
      for (const userId of users) await postback(userId, p);
      const all = await eventually(async () => {
        const items = await decisions(rule.id, '?limit=500');
        expect(items).toHaveLength(20);
        expect(items.every((d) => d.outcome !== 'scheduled')).toBe(true);
        return items;
      });
      const outcomes = all.map((d) => `${d.outcome}/${d.reason}`);
      const sent = outcomes.filter((o) => o === 'sent/null').length;
      const out = outcomes.filter((o) => o === 'skipped/sampled_out').length;
      expect(sent + out).toBe(20);
      expect(sent).toBeGreaterThan(0);
      expect(out).toBeGreaterThan(0);
    });

    it('keeps to the 24-hour window without the tag, and to 7 days with it', async () => {
      const p = payload();
      const q = payload();
      const noTag = await createRule({
        trigger: { type: 'postback', payload: p },
        useFeedbackTag: false,
      });
      const withTag = await createRule({ trigger: { type: 'postback', payload: q } });
      const a = await customer(2 * 24 * HOUR);
      const b = await customer(2 * 24 * HOUR);
      const c = await customer(8 * 24 * HOUR);
      await postback(a, p);
      await postback(b, q);
      await postback(c, q);
      expect((await decided(noTag.id, a, 1))[0]).toMatchObject({
        outcome: 'skipped',
        reason: 'outside_window',
      });
      expect((await decided(withTag.id, b, 1))[0]).toMatchObject({ outcome: 'sent' });
      expect((await decided(withTag.id, c, 1))[0]).toMatchObject({
        outcome: 'skipped',
        reason: 'outside_window',
      });
      expect((sentTo(b)[0].body as { tag?: string }).tag).toBe('CUSTOMER_FEEDBACK');
      expect(sentTo(a)).toHaveLength(0);
    });

    it('records a Graph API failure as failed/graph_error with the failed survey', async () => {
      const p = payload();
      const rule = await createRule({ trigger: { type: 'postback', payload: p } });
      const userId = await customer();
      fake.respondWith({
        status: 400,
        body: { error: { message: 'No matching user', code: 100, error_subcode: 2018001 } },
      });
      await postback(userId, p);
      const [failed] = await decided(rule.id, userId, 1);
      expect(failed).toMatchObject({ outcome: 'failed', reason: 'graph_error' });
      expect((await readJson(await t.api(`/api/surveys/${failed.surveyId}`))).status).toBe(
        'failed',
      );
    });

    it('does nothing for a disabled rule', async () => {
      const p = payload();
      const rule = await createRule({ trigger: { type: 'postback', payload: p }, enabled: false });
      const userId = await customer();
      await postback(userId, p);
      // A second, enabled rule on the same payload shows the event was handled.
      const witness = await createRule({ trigger: { type: 'postback', payload: p } });
      await postback(userId, p);
      await decided(witness.id, userId, 1);
      expect(await decisions(rule.id)).toEqual([]);
    });
  });

  describe('thread_released trigger', () => {
    it('surveys when thread control is passed back, once per event', async () => {
      const rule = await createRule({
        pageIds: [OTHER_PAGE],
        trigger: { type: 'thread_released' },
      });
      const userId = await customer();
      const delivery = passThreadControlDelivery({ pageId: OTHER_PAGE, userId });
      expect((await t.deliver(delivery)).status).toBe(200);
      expect((await t.deliver(delivery)).status).toBe(200); // redelivered: one decision
      const [sent] = await decided(rule.id, userId, 1);
      expect(sent).toMatchObject({
        trigger: 'thread_released',
        outcome: 'sent',
        pageId: OTHER_PAGE,
      });
      expect(sentTo(userId)).toHaveLength(1);
    });
  });
});
