import { ManualClock } from '../src/common/clock';
import { DecisionScheduler } from '../src/automation/decision-scheduler.service';
import type { FakeGraphApi } from './fake-graph-api';
import { delivery } from './messenger-factories';
import { startSurveyApp } from './surveys-fixtures';
import { eventually, readJson, startTestApp, type TestApp } from './test-app';

// 13:00 in Paris.
const NOON_PARIS = new Date('2026-12-03T12:00:00Z');
const MINUTE = 60_000;
const PAGES = ['6001', '6002', '6003', '6004', '6005', '6006', '6007', '6008', '6009'];
const TOKENS = JSON.stringify(Object.fromEntries(PAGES.map((p) => [p, `EAA-${p}`])));

interface Decision {
  id: string;
  userId: string;
  trigger: string;
  outcome: string;
  reason: string | null;
  surveyId: string | null;
  dueAt: string;
}

describe('conversation_idle and the survey scheduler', () => {
  let t: TestApp;
  let fake: FakeGraphApi;
  let close: () => Promise<void>;
  const clock = new ManualClock(NOON_PARIS);
  let users = 0;
  let mids = 0;
  let pages = 0;

  const env = {
    MESSENGER_PAGE_TOKENS: TOKENS,
    // Passes are run by the tests (runOnce) unless a test says otherwise.
    SURVEY_SCHEDULER_POLL_INTERVAL_MS: '3600000',
  };
  const newUser = () => `${9_300_000 + ++users}`;
  const at = (minutes: number) => NOON_PARIS.getTime() + minutes * MINUTE;
  /** The customer writes, at `minutes` after the start. */
  const customerSays = (app: TestApp, page: string, user: string, minutes: number) =>
    send(app, page, {
      sender: { id: user },
      recipient: { id: page },
      timestamp: at(minutes),
      message: { mid: `m_idle_${++mids}`, text: 'hello' },
    });
  /** The Page answers (its echo), at `minutes` after the start. */
  const pageSays = (app: TestApp, page: string, user: string, minutes: number, mid?: string) =>
    send(app, page, {
      sender: { id: page },
      recipient: { id: user },
      timestamp: at(minutes),
      message: { mid: mid ?? `m_idle_${++mids}`, is_echo: true, app_id: 42, text: 'answer' },
    });
  const send = async (app: TestApp, page: string, ...events: unknown[]) => {
    const res = await app.deliver(delivery(events, { pageId: page, time: Date.now() }));
    expect(res.status).toBe(200);
  };
  const createRule = async (page: string, body: Record<string, unknown> = {}) => {
    const res = await t.api('/api/survey-rules', {
      method: 'POST',
      json: {
        name: 'after a quiet conversation',
        pageIds: [page],
        trigger: { type: 'conversation_idle', idleMinutes: 30 },
        survey: { type: 'csat' },
        ...body,
      },
    });
    expect(res.status).toBe(201);
    return (await readJson(res)) as { id: string };
  };
  const decisionsOf = async (app: TestApp, ruleId: string, userId: string) => {
    const res = await app.api(`/api/survey-rules/${ruleId}/decisions?limit=500`);
    expect(res.status).toBe(200);
    const items = ((await readJson(res)) as { items: Decision[] }).items;
    // By exchange (each one's dueAt comes after the previous one's): decidedAt ties under a
    // ManualClock, and the API breaks ties by id.
    return items
      .filter((d) => d.userId === userId)
      .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  };
  /** Waits until the user's decisions are as `expected` says (events are handled after the ack). */
  const decisions = (
    ruleId: string,
    userId: string,
    expected: Partial<Decision>[],
    app: TestApp = t,
  ): Promise<Decision[]> =>
    eventually(async () => {
      const items = await decisionsOf(app, ruleId, userId);
      expect(items).toEqual(expected.map((e): unknown => expect.objectContaining(e)));
      return items;
    });
  const sentTo = (userId: string) =>
    fake.sent.filter((r) => (r.body as { recipient?: { id: string } }).recipient?.id === userId);
  const pass = (app: TestApp = t) => app.app.get(DecisionScheduler).runOnce();
  const nextPage = () => PAGES[pages++];

  beforeAll(async () => {
    ({ t, fake, close } = await startSurveyApp(env, { clock }));
  });
  afterAll(() => close());
  beforeEach(() => clock.set(NOON_PARIS));

  it('fires once per exchange, idleMinutes after the Page answered, and a replayed event changes nothing', async () => {
    const page = nextPage();
    const rule = await createRule(page);
    const user = newUser();
    await customerSays(t, page, user, 0);
    await pageSays(t, page, user, 1, 'm_idle_answer_1');
    const due = new Date(at(31)).toISOString();
    await decisions(rule.id, user, [
      { trigger: 'conversation_idle', outcome: 'scheduled', dueAt: due },
    ]);

    clock.set(new Date(at(30)));
    await pass();
    expect(sentTo(user)).toHaveLength(0);
    clock.set(new Date(at(31)));
    await pass();
    const [sent] = await decisions(rule.id, user, [{ outcome: 'sent', reason: null }]);
    expect(sentTo(user)).toHaveLength(1);
    const survey = await t.prisma.survey.findUnique({ where: { id: sent.surveyId as string } });
    expect(survey?.ruleId).toBe(rule.id);

    // The survey's own echo, a replay of the answer, another pass: still one decision, one survey.
    await pageSays(t, page, user, 32);
    await pageSays(t, page, user, 1, 'm_idle_answer_1');
    clock.set(new Date(at(120)));
    await pass();
    await decisions(rule.id, user, [{ outcome: 'sent' }]);
    expect(sentTo(user)).toHaveLength(1);
  });

  it('a later Page message pushes the one decision of the exchange', async () => {
    const page = nextPage();
    const rule = await createRule(page);
    const user = newUser();
    await customerSays(t, page, user, 0);
    await pageSays(t, page, user, 1);
    await decisions(rule.id, user, [
      { outcome: 'scheduled', dueAt: new Date(at(31)).toISOString() },
    ]);
    await pageSays(t, page, user, 20);
    await decisions(rule.id, user, [
      { outcome: 'scheduled', dueAt: new Date(at(50)).toISOString() },
    ]);
    clock.set(new Date(at(40)));
    await pass();
    expect(sentTo(user)).toHaveLength(0);
    clock.set(new Date(at(50)));
    await pass();
    await decisions(rule.id, user, [{ outcome: 'sent' }]);
    expect(sentTo(user)).toHaveLength(1);
  });

  it('a customer message cancels it; the next Page answer starts a new exchange', async () => {
    const page = nextPage();
    const rule = await createRule(page);
    const user = newUser();
    await customerSays(t, page, user, 0);
    await pageSays(t, page, user, 1);
    await decisions(rule.id, user, [{ outcome: 'scheduled' }]);
    await customerSays(t, page, user, 10);
    await decisions(rule.id, user, [{ outcome: 'cancelled', reason: 'customer_wrote_again' }]);
    clock.set(new Date(at(60)));
    await pass();
    expect(sentTo(user)).toHaveLength(0);

    await pageSays(t, page, user, 61);
    await decisions(rule.id, user, [
      { outcome: 'cancelled' },
      { outcome: 'scheduled', dueAt: new Date(at(91)).toISOString() },
    ]);
    clock.set(new Date(at(91)));
    await pass();
    await decisions(rule.id, user, [{ outcome: 'cancelled' }, { outcome: 'sent' }]);
    expect(sentTo(user)).toHaveLength(1);
  });

  it('handles the exchange whatever order its events come in', async () => {
    const page = nextPage();
    const rule = await createRule(page);
    const user = newUser();
    // The Page's answer first, then (in another delivery) the customer's message it answered.
    await pageSays(t, page, user, 2);
    await customerSays(t, page, user, 1);
    await decisions(rule.id, user, [
      { outcome: 'scheduled', dueAt: new Date(at(32)).toISOString() },
    ]);
    // And a customer message and an answer in one delivery, answer first.
    const other = newUser();
    await send(
      t,
      page,
      {
        sender: { id: page },
        recipient: { id: other },
        timestamp: at(5),
        message: { mid: `m_idle_${++mids}`, is_echo: true, text: 'answer' },
      },
      {
        sender: { id: other },
        recipient: { id: page },
        timestamp: at(4),
        message: { mid: `m_idle_${++mids}`, text: 'question' },
      },
    );
    await decisions(rule.id, other, [
      { outcome: 'scheduled', dueAt: new Date(at(35)).toISOString() },
    ]);
  });

  it('cancels a pending decision whose rule was disabled (rule_disabled)', async () => {
    const page = nextPage();
    const rule = await createRule(page);
    const user = newUser();
    await customerSays(t, page, user, 0);
    await pageSays(t, page, user, 1);
    await decisions(rule.id, user, [{ outcome: 'scheduled' }]);
    const patch = await t.api(`/api/survey-rules/${rule.id}`, {
      method: 'PATCH',
      json: { enabled: false },
    });
    expect(patch.status).toBe(200);
    clock.set(new Date(at(31)));
    await pass();
    await decisions(rule.id, user, [{ outcome: 'cancelled', reason: 'rule_disabled' }]);
    expect(sentTo(user)).toHaveLength(0);
  });

  it('checks the throttle when the decision is due, not when it was made', async () => {
    const page = nextPage();
    const rule = await createRule(page, { throttle: { perCustomerDays: 7 } });
    const user = newUser();
    await customerSays(t, page, user, 0);
    await pageSays(t, page, user, 1);
    await customerSays(t, page, user, 2);
    await pageSays(t, page, user, 3);
    // Two exchanges: the first cancelled, the second scheduled.
    await decisions(rule.id, user, [{ outcome: 'cancelled' }, { outcome: 'scheduled' }]);
    // Meanwhile another rule of the Page surveys the customer (and the survey is answered).
    const other = await createRule(page, { trigger: { type: 'postback', payload: 'DONE_T' } });
    await send(t, page, {
      sender: { id: user },
      recipient: { id: page },
      timestamp: at(4),
      postback: { title: 'Done', payload: 'DONE_T', mid: `m_idle_${++mids}` },
    });
    await decisions(other.id, user, [{ outcome: 'sent' }]);
    await t.prisma.survey.updateMany({
      where: { recipientId: user },
      data: { status: 'responded' },
    });
    clock.set(new Date(at(33)));
    await pass();
    await decisions(rule.id, user, [
      { outcome: 'cancelled' },
      { outcome: 'skipped', reason: 'throttled' },
    ]);
    expect(sentTo(user)).toHaveLength(1);
  });

  it('waits for the end of quiet hours across midnight in the rule’s time zone, then sends', async () => {
    const page = nextPage();
    const rule = await createRule(page, {
      quietHours: { from: '21:00', to: '08:00', timeZone: 'Europe/Paris' },
    });
    const user = newUser();
    // 23:00 and 23:01 in Paris: due at 23:31, inside the quiet hours.
    await customerSays(t, page, user, 600);
    await pageSays(t, page, user, 601);
    await decisions(rule.id, user, [{ outcome: 'scheduled' }]);
    clock.set(new Date(at(631)));
    await pass();
    // Rescheduled to 08:00 in Paris the next morning (07:00 UTC).
    await decisions(rule.id, user, [{ outcome: 'scheduled', dueAt: '2026-12-04T07:00:00.000Z' }]);
    expect(sentTo(user)).toHaveLength(0);
    clock.set(new Date('2026-12-04T06:59:00Z'));
    await pass();
    expect(sentTo(user)).toHaveLength(0);
    clock.set(new Date('2026-12-04T07:00:00Z'));
    await pass();
    await decisions(rule.id, user, [{ outcome: 'sent' }]);
    expect(sentTo(user)).toHaveLength(1);
  });

  it('keeps a pending decision across a restart and sends it once', async () => {
    const page = nextPage();
    const storage = await startSurveyApp(env, { clock });
    const first = storage.t;
    let second: TestApp | null = null;
    try {
      const res = await first.api('/api/survey-rules', {
        method: 'POST',
        json: {
          name: 'restart',
          pageIds: [page],
          trigger: { type: 'conversation_idle', idleMinutes: 30 },
          survey: { type: 'csat' },
        },
      });
      const rule = (await readJson(res)) as { id: string };
      const user = newUser();
      await customerSays(first, page, user, 0);
      await pageSays(first, page, user, 1);
      await decisions(rule.id, user, [{ outcome: 'scheduled' }], first);
      await first.close({ keepStorage: true });

      // A new process on the same database, its scheduler on a timer (no pass run by the test).
      second = await startTestApp(
        {
          GRAPH_API_URL: storage.fake.url,
          PRIVACY_POLICY_URL: 'https://www.example.com/privacy',
          MESSENGER_PAGE_TOKENS: TOKENS,
          SURVEY_SCHEDULER_POLL_INTERVAL_MS: '50',
        },
        { clock, storage: first.storage },
      );
      clock.set(new Date(at(31)));
      await decisions(rule.id, user, [{ outcome: 'sent' }], second);
      const sent = storage.fake.sent.filter(
        (r) => (r.body as { recipient?: { id: string } }).recipient?.id === user,
      );
      expect(sent).toHaveLength(1);
    } finally {
      await second?.close();
      await storage.close();
    }
  });

  if (process.env.DATABASE_URL !== undefined) {
    it('two processes on one database send each due decision exactly once', async () => {
      const page = nextPage();
      const rule = await createRule(page);
      const customers = Array.from({ length: 12 }, newUser);
      for (const user of customers) {
        await customerSays(t, page, user, 0);
        await pageSays(t, page, user, 1);
      }
      for (const user of customers) await decisions(rule.id, user, [{ outcome: 'scheduled' }]);
      // A second application on the same database and the same Graph API.
      const second = await startTestApp(
        {
          GRAPH_API_URL: fake.url,
          PRIVACY_POLICY_URL: 'https://www.example.com/privacy',
          ...env,
          SURVEY_SCHEDULER_BATCH_SIZE: '5',
        },
        { clock, storage: t.storage },
      );
      try {
        clock.set(new Date(at(31)));
        // Passes of both at once, until nothing is left: each decision claimed by one of them
        // (SKIP LOCKED, then the lease), so the claims add up to the decisions.
        let claimed = 0;
        for (let round = 0; round < 10; round++) {
          const counts = await Promise.all([pass(t), pass(second)]);
          claimed += counts[0] + counts[1];
          if (counts[0] + counts[1] === 0) break;
        }
        expect(claimed).toBe(customers.length);
        for (const user of customers) {
          await decisions(rule.id, user, [{ outcome: 'sent' }]);
          expect(sentTo(user)).toHaveLength(1);
        }
      } finally {
        // Its storage is the first app's: kept for it.
        await second.close({ keepStorage: true });
      }
    });
  }
});
