import { CampaignRunner } from '../src/automation/campaigns/campaign-runner.service';
import { ManualClock } from '../src/common/clock';
import { FakeGraphApi, metaError } from './fake-graph-api';
import { DAY, HOUR, seedConversation } from './surveys-fixtures';
import { eventually, readJson, startTestApp, TestApp } from './test-app';

const PAGES = ['6001', '6002', '6003', '6004', '6005', '6006'];
const PAGES_ALL = [...PAGES, '6007'];
const [BIG, LIMITED, CANCELLED, RESTARTED, WINDOW, MISC, SHARED] = PAGES_ALL;
const ENV = (fake: FakeGraphApi) => ({
  GRAPH_API_URL: fake.url,
  PRIVACY_POLICY_URL: 'https://www.example.com/privacy',
  MESSENGER_PAGE_TOKENS: JSON.stringify(Object.fromEntries(PAGES_ALL.map((p) => [p, `EAA-${p}`]))),
});

interface Campaign {
  id: string;
  status: string;
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  pending: number;
  currentRate: number;
  rateLimited: number;
}
interface Target {
  userId: string;
  state: string;
  reason: string | null;
  surveyId: string | null;
}

describe('survey campaigns', () => {
  const clock = new ManualClock(new Date());
  let fake: FakeGraphApi;
  let t: TestApp;
  /** The clock's time when each Send API request reached the fake, in order. */
  const sentAt: number[] = [];

  /** Customers `prefix00001`... of `pageId` who last wrote at `lastInboundAt`, in one statement. */
  const seed = async (pageId: string, prefix: string, count: number, lastInboundAt: Date) => {
    await t.prisma.pool.query(`INSERT INTO pages (id) VALUES ($1) ON CONFLICT DO NOTHING`, [
      pageId,
    ]);
    await t.prisma.pool.query(
      `INSERT INTO conversations (page_id, user_id, last_inbound_at, last_message_at, message_count)
       SELECT $1, $2 || lpad(g::text, 5, '0'), $3, $3, 1 FROM generate_series(1, $4) g`,
      [pageId, prefix, lastInboundAt, count],
    );
  };
  const ago = (ms: number) => new Date(clock.now().getTime() - ms);
  const create = async (body: Record<string, unknown>): Promise<Campaign> => {
    const res = await t.api('/api/survey-campaigns', {
      method: 'POST',
      json: { since: ago(7 * DAY).toISOString(), survey: { type: 'csat' }, ...body },
    });
    expect(res.status).toBe(202);
    return (await readJson(res)) as Campaign;
  };
  const get = async (id: string): Promise<Campaign> =>
    (await readJson(await t.api(`/api/survey-campaigns/${id}`))) as Campaign;
  const targets = async (id: string, query = 'limit=500'): Promise<Target[]> =>
    (
      (await readJson(await t.api(`/api/survey-campaigns/${id}/targets?${query}`))) as {
        items: Target[];
      }
    ).items;
  const recipients = (pageId: string) =>
    fake.sent
      .filter((r) => r.path.endsWith(`/${pageId}/messages`))
      .map((r) => (r.body as { recipient: { id: string } }).recipient.id);
  const sendTimes = (pageId: string) =>
    fake.sent.flatMap((r, i) => (r.path.endsWith(`/${pageId}/messages`) ? [sentAt[i]] : []));

  /**
   * Moves the clock on by `stepMs` and lets the runner do what is due, until the campaign is no
   * longer running or `maxMs` of its clock have passed; returns the clock time it took.
   */
  const drive = async (id: string, stepMs = 100, maxMs = 120_000): Promise<number> => {
    const start = clock.now().getTime();
    const runner = t.app.get(CampaignRunner);
    for (let i = 0; clock.now().getTime() - start < maxMs; i++) {
      clock.advance(stepMs);
      await runner.runOnce();
      while (sentAt.length < fake.sent.length) sentAt.push(clock.now().getTime());
      if (i % 10 === 0 && (await get(id)).status !== 'running') break;
    }
    return clock.now().getTime() - start;
  };
  /** The most sends in any one-second window [a, a + 1 s). */
  const busiestSecond = (times: number[]): number => {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; j < sorted.length; j++) {
      while (sorted[j] - sorted[i] >= 1000) i++;
      most = Math.max(most, j - i + 1);
    }
    return most;
  };

  beforeAll(async () => {
    fake = await FakeGraphApi.start();
    t = await startTestApp(ENV(fake), { clock });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('surveys 2,000 customers at 50/s in about 40 s of its clock, never more than 50 in any second', async () => {
    await seed(BIG, 'big', 2_000, ago(2 * HOUR));
    const created = await create({ pageId: BIG, ratePerSecond: 50 });
    expect(created).toMatchObject({
      status: 'running',
      total: 2_000,
      sent: 0,
      skipped: 0,
      failed: 0,
    });
    const took = await drive(created.id);
    const done = await get(created.id);
    expect(done).toMatchObject({
      status: 'done',
      total: 2_000,
      sent: 2_000,
      skipped: 0,
      failed: 0,
    });
    expect(took).toBeGreaterThanOrEqual(39_000);
    expect(took).toBeLessThanOrEqual(42_000);
    const sent = recipients(BIG);
    expect(sent).toHaveLength(2_000);
    expect(new Set(sent).size).toBe(2_000);
    expect(busiestSecond(sendTimes(BIG))).toBe(50);
    const [first] = await targets(created.id, 'limit=1');
    expect(first).toMatchObject({ userId: 'big00001', state: 'sent', reason: null });
    expect(
      await t.prisma.survey.count({ where: { pageId: BIG, status: 'sent', ruleId: null } }),
    ).toBe(2_000);
  }, 300_000);

  it("slows down on Meta's rate-limit errors and still finishes, without failing anyone", async () => {
    await seed(LIMITED, 'lim', 300, ago(2 * HOUR));
    const created = await create({ pageId: LIMITED, ratePerSecond: 30 });
    await drive(created.id, 100, 2_000);
    // Meta says "too many calls" (613, then 4 and 32) to the next requests.
    fake.respondWith(
      metaError(400, { code: 613, message: 'Calls to this api have exceeded the rate limit.' }),
      metaError(400, { code: 4, message: 'Application request limit reached' }),
      metaError(400, { code: 32, message: 'Page request limit reached' }),
    );
    await drive(created.id, 100, 1_000);
    const slowed = await get(created.id);
    expect(slowed.rateLimited).toBeGreaterThanOrEqual(1);
    expect(slowed.currentRate).toBeLessThanOrEqual(15);
    expect(slowed.failed).toBe(0);
    await drive(created.id);
    const done = await get(created.id);
    expect(done).toMatchObject({ status: 'done', sent: 300, failed: 0, skipped: 0 });
    expect(done.currentRate).toBeGreaterThan(slowed.currentRate);
    // 300 at 30/s is 10 s; the pauses and the lower rate made it longer.
    const times = sendTimes(LIMITED);
    expect(times[times.length - 1] - times[0]).toBeGreaterThan(11_000);
    expect(busiestSecond(times)).toBeLessThanOrEqual(30);
    // Each customer got one survey; the refused requests stored no failed survey.
    expect(new Set(recipients(LIMITED)).size).toBe(300);
    expect(await t.prisma.survey.count({ where: { pageId: LIMITED, status: 'failed' } })).toBe(0);
  }, 120_000);

  it('cancel stops it: the customers left are skipped as cancelled', async () => {
    await seed(CANCELLED, 'can', 100, ago(2 * HOUR));
    const created = await create({ pageId: CANCELLED, ratePerSecond: 10 });
    await drive(created.id, 100, 2_000);
    const res = await t.api(`/api/survey-campaigns/${created.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    const cancelled = (await readJson(res)) as Campaign;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.sent).toBeGreaterThanOrEqual(15);
    expect(cancelled.sent).toBeLessThanOrEqual(20);
    expect(cancelled.skipped).toBe(100 - cancelled.sent);
    expect(cancelled.pending).toBe(0);
    const before = recipients(CANCELLED).length;
    await drive(created.id, 100, 3_000);
    expect(recipients(CANCELLED)).toHaveLength(before);
    const skipped = await targets(created.id, 'limit=500&state=skipped');
    expect(skipped).toHaveLength(100 - cancelled.sent);
    expect(skipped.every((s) => s.reason === 'cancelled')).toBe(true);
    // Cancelling again changes nothing.
    const again = await t.api(`/api/survey-campaigns/${created.id}/cancel`, { method: 'POST' });
    expect(await readJson(again)).toEqual(cancelled);
  });

  it('resumes after a restart on the same database, sending no one twice', async () => {
    await seed(RESTARTED, 'res', 100, ago(2 * HOUR));
    const created = await create({ pageId: RESTARTED, ratePerSecond: 10 });
    await drive(created.id, 100, 3_000);
    const before = await get(created.id);
    expect(before.sent).toBeGreaterThan(0);
    expect(before.status).toBe('running');
    await t.close({ keepStorage: true });
    t = await startTestApp(ENV(fake), { storage: t.storage, clock });
    await drive(created.id);
    expect(await get(created.id)).toMatchObject({ status: 'done', sent: 100, skipped: 0 });
    const sent = recipients(RESTARTED);
    expect(sent).toHaveLength(100);
    expect(new Set(sent).size).toBe(100);
  }, 60_000);

  // Several processes share a real PostgreSQL only: the embedded database belongs to one process
  // (its DATA_DIR lock), as PROCESS_ROLE's spec has it. CI runs this file on both.
  const onPostgres = process.env.DATABASE_URL ? it : () => undefined;
  onPostgres(
    'two processes on one database share a campaign: nobody surveyed twice, the rate held across both',
    async () => {
      await seed(SHARED, 'two', 400, ago(2 * HOUR));
      const created = await create({ pageId: SHARED, ratePerSecond: 40 });
      const other = await startTestApp(ENV(fake), { storage: t.storage, clock });
      try {
        const runners = [t.app.get(CampaignRunner), other.app.get(CampaignRunner)];
        const start = clock.now().getTime();
        for (
          let i = 0;
          i < 400 && (i % 10 !== 0 || (await get(created.id)).status === 'running');
          i++
        ) {
          clock.advance(100);
          await Promise.all(runners.map((r) => r.runOnce()));
          while (sentAt.length < fake.sent.length) sentAt.push(clock.now().getTime());
        }
        expect(await get(created.id)).toMatchObject({ status: 'done', sent: 400, skipped: 0 });
        expect(clock.now().getTime() - start).toBeGreaterThanOrEqual(9_900);
        const sent = recipients(SHARED);
        expect(sent).toHaveLength(400);
        expect(new Set(sent).size).toBe(400);
        expect(busiestSecond(sendTimes(SHARED))).toBe(40);
      } finally {
        await other.close({ keepStorage: true });
      }
    },
    60_000,
  );

  it('targets only customers in [since, until) who can still be reached, and skips with reasons', async () => {
    const since = ago(10 * DAY);
    const until = ago(HOUR);
    const at = (userId: string, when: Date) => seedConversation(t.prisma, WINDOW, userId, when);
    await at('w_recent', ago(3 * HOUR)); // within 24 hours
    await at('w_days', ago(3 * DAY)); // within 7 days: the tag
    await at('w_old', ago(8 * DAY)); // in the range, out of reach
    await at('w_before', ago(11 * DAY)); // before since
    await at('w_after', ago(30 * 60_000)); // after until
    await at('w_edge', ago(7 * DAY - 500)); // reachable now, no longer at its send
    await at('w_open', ago(2 * HOUR)); // has an open survey
    await at('w_throttled', ago(2 * HOUR)); // surveyed 2 days ago (answered)
    const survey = (userId: string, status: 'sent' | 'responded', sent: Date) =>
      t.prisma.survey.create({
        data: {
          pageId: WINDOW,
          recipientId: userId,
          type: 'csat',
          questionId: 'csat',
          status,
          messagingType: 'RESPONSE',
          request: {},
          sentAt: sent,
          expiresAt: new Date(sent.getTime() + 3 * DAY),
        },
      });
    await survey('w_open', 'sent', ago(HOUR));
    await survey('w_throttled', 'responded', ago(2 * DAY));

    const noTag = await create({
      pageId: WINDOW,
      since: since.toISOString(),
      until: until.toISOString(),
      useFeedbackTag: false,
    });
    expect(noTag.total).toBe(3); // w_recent, w_open, w_throttled
    await t.api(`/api/survey-campaigns/${noTag.id}/cancel`, { method: 'POST' });

    const created = await create({
      pageId: WINDOW,
      since: since.toISOString(),
      until: until.toISOString(),
      ratePerSecond: 1,
      throttle: { perCustomerDays: 7 },
    });
    expect(created.total).toBe(5);
    await drive(created.id, 250);
    expect(await get(created.id)).toMatchObject({ status: 'done', sent: 2, skipped: 3, failed: 0 });
    const byUser = Object.fromEntries(
      (await targets(created.id)).map((x) => [x.userId, `${x.state}/${x.reason}`]),
    );
    expect(byUser).toEqual({
      w_days: 'sent/null',
      w_edge: 'skipped/outside_window',
      w_open: 'skipped/open_survey',
      w_recent: 'sent/null',
      w_throttled: 'skipped/throttled',
    });
    const tagged = fake.sent.find(
      (r) => (r.body as { recipient: { id: string } }).recipient.id === 'w_days',
    );
    expect((tagged?.body as { tag?: string }).tag).toBe('CUSTOMER_FEEDBACK');
    // At most one send a second.
    expect(busiestSecond(sendTimes(WINDOW))).toBe(1);

    // A target names a customer: exported, and erased (the campaign's counts stay).
    const doc = await readJson(await t.api(`/api/customers/${WINDOW}/w_days/export`));
    expect(doc.surveyCampaignTargets).toHaveLength(1);
    const erasure = await readJson(
      await t.api(`/api/customers/${WINDOW}/w_days`, { method: 'DELETE' }),
    );
    await eventually(async () => {
      const status = await readJson(await t.api(`/api/erasures/${erasure.id as string}`));
      expect(status.status).toBe('done');
    }, 20_000);
    expect((await targets(created.id)).map((x) => x.userId)).not.toContain('w_days');
    expect(await get(created.id)).toMatchObject({ total: 5, sent: 2, skipped: 3 });
  }, 60_000);

  it('lists campaigns newest first with a cursor, and counts a Meta error as failed', async () => {
    await seedConversation(t.prisma, MISC, 'm_fail', ago(HOUR));
    fake.respondWith(metaError(400, { code: 100, error_subcode: 2018001, message: 'No user' }));
    const created = await create({ pageId: MISC, ratePerSecond: 5 });
    await drive(created.id);
    expect(await get(created.id)).toMatchObject({ status: 'done', failed: 1, sent: 0 });
    const [failed] = await targets(created.id);
    expect(failed).toMatchObject({ state: 'failed', reason: 'graph_error' });
    expect((await readJson(await t.api(`/api/surveys/${failed.surveyId}`))).status).toBe('failed');

    const first = await readJson(await t.api('/api/survey-campaigns?limit=2'));
    expect(first.items[0].id).toBe(created.id);
    expect(first.items).toHaveLength(2);
    const rest = await readJson(
      await t.api(`/api/survey-campaigns?limit=500&cursor=${first.nextCursor as string}`),
    );
    const ids = [...first.items, ...rest.items].map((c: Campaign) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(6);
    const done = (await readJson(
      await t.api('/api/survey-campaigns?status=cancelled&limit=500'),
    )) as { items: Campaign[] };
    expect(done.items.length).toBeGreaterThan(0);
    expect(done.items.every((c) => c.status === 'cancelled')).toBe(true);
    expect((await t.api('/api/survey-campaigns?cursor=garbage')).status).toBe(400);
    expect((await t.api('/api/survey-campaigns?status=paused')).status).toBe(400);
  });

  it('refuses bad input with every field named and creates nothing; 404 and 401 as elsewhere', async () => {
    const before = await t.prisma.surveyCampaign.count();
    const res = await t.api('/api/survey-campaigns', {
      method: 'POST',
      json: {
        pageId: 'a/b',
        since: '2026-02-30',
        until: 'tomorrow',
        survey: { type: 'stars', recipientId: '1' },
        ratePerSecond: 301,
        throttle: { perCustomerDays: 0 },
        useFeedbackTag: 'yes',
      },
    });
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pageId /),
        expect.stringMatching(/^since /),
        expect.stringMatching(/^until /),
        expect.stringMatching(/^survey\.type /),
        expect.stringMatching(/^survey\.recipientId /),
        expect.stringMatching(/^ratePerSecond /),
        expect.stringMatching(/^throttle\.perCustomerDays /),
        expect.stringMatching(/^useFeedbackTag /),
      ]),
    );
    const missing = await readJson(
      await t.api('/api/survey-campaigns', { method: 'POST', json: {} }),
    );
    expect(missing.message).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pageId is required/),
        expect.stringMatching(/^since is required/),
        expect.stringMatching(/^survey /),
      ]),
    );
    const backwards = await t.api('/api/survey-campaigns', {
      method: 'POST',
      json: {
        pageId: MISC,
        since: '2026-11-02',
        until: '2026-11-01',
        survey: { type: 'nps' },
      },
    });
    expect(backwards.status).toBe(400);
    expect((await readJson(backwards)).message).toEqual(
      expect.arrayContaining(['until must be after since']),
    );
    const extra = await t.api('/api/survey-campaigns', {
      method: 'POST',
      json: { pageId: MISC, since: '2026-11-01', survey: { type: 'nps' }, extra: 1 },
    });
    expect(extra.status).toBe(400);
    expect((await readJson(extra)).message).toEqual(['property extra should not exist']);
    const noToken = await t.api('/api/survey-campaigns', {
      method: 'POST',
      json: { pageId: '999', since: '2026-11-01', survey: { type: 'csat' } },
    });
    expect(noToken.status).toBe(422);
    expect((await readJson(noToken)).code).toBe('NO_PAGE_ACCESS_TOKEN');
    expect(await t.prisma.surveyCampaign.count()).toBe(before);

    for (const path of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      expect((await t.api(`/api/survey-campaigns/${path}`)).status).toBe(404);
      expect((await t.api(`/api/survey-campaigns/${path}/cancel`, { method: 'POST' })).status).toBe(
        404,
      );
      expect((await t.api(`/api/survey-campaigns/${path}/targets`)).status).toBe(404);
    }
    expect((await t.api('/api/survey-campaigns', { auth: false })).status).toBe(401);
    expect(
      (await t.api('/api/survey-campaigns', { method: 'POST', auth: false, json: {} })).status,
    ).toBe(401);
  });
});
