import { roundHalfAwayFromZero } from '../src/common/rounding';
import { SurveyExpiry } from '../src/surveys/survey-expiry.service';
import { FakeGraphApi, metaError } from './fake-graph-api';
import { feedbackDelivery } from './messenger-factories';
import { DAY, HOUR, seedConversation, startSurveyApp } from './surveys-fixtures';
import { eventually, readJson, TestApp } from './test-app';

type ScoreType = 'csat' | 'nps' | 'ces';
interface Seeded {
  page: string;
  user: string;
  question: string;
  type: ScoreType;
  payload: string;
  score: number;
  valid: boolean;
  at: number;
  text: string | null;
}

const P1 = '4001';
const P2 = '4002';
const RANGES = { csat: [1, 5], nps: [0, 10], ces: [1, 7] } as const;
const START = Date.parse('2026-09-28T00:00:00Z'); // a Monday

/** 90 answers over about 27 days, two Pages, four questions; every 11th out of range. */
function seedAnswers(): Seeded[] {
  let state = 12345;
  const random = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  return Array.from({ length: 90 }, (_, i) => {
    const type = (['csat', 'nps', 'ces'] as const)[i % 3];
    const [min, max] = RANGES[type];
    const valid = i % 11 !== 5;
    const score = valid ? min + random(max - min + 1) : max + 1 + random(3);
    return {
      page: random(3) === 0 ? P2 : P1,
      user: `${9_000 + i}`,
      question: type === 'csat' && i % 2 === 0 ? 'delivery' : type,
      type,
      payload: String(score),
      score,
      valid,
      // Every 7 h 13 min, so that answers fall at every hour of the day.
      at: START + i * (7 * HOUR + 13 * 60_000),
      text: i % 4 === 0 ? `comment ${i}` : null,
    };
  });
}

const round = (value: number) => roundHalfAwayFromZero(value, 2);

/** The scores of docs/api.md, computed the plain way from the seeded answers. */
function expectedScores(answers: Seeded[]) {
  const of = (type: ScoreType) => answers.filter((a) => a.valid && a.type === type);
  const distribution = (type: ScoreType) => {
    const [min, max] = RANGES[type];
    const counts: Record<string, number> = {};
    for (let v = min; v <= max; v++) counts[v] = of(type).filter((a) => a.score === v).length;
    return counts;
  };
  const share = (type: ScoreType, test: (s: number) => boolean) => {
    const all = of(type);
    return all.length === 0
      ? null
      : round((100 * all.filter((a) => test(a.score)).length) / all.length);
  };
  const average = (type: ScoreType) => {
    const all = of(type);
    return all.length === 0 ? null : round(all.reduce((sum, a) => sum + a.score, 0) / all.length);
  };
  const nps = of('nps');
  const promoters = nps.filter((a) => a.score >= 9).length;
  const detractors = nps.filter((a) => a.score <= 6).length;
  return {
    csat: {
      responses: of('csat').length,
      score: share('csat', (s) => s >= 4),
      average: average('csat'),
      distribution: distribution('csat'),
    },
    nps: {
      responses: nps.length,
      score: nps.length === 0 ? null : round((100 * (promoters - detractors)) / nps.length),
      promoters,
      passives: nps.length - promoters - detractors,
      detractors,
      distribution: distribution('nps'),
    },
    ces: {
      responses: of('ces').length,
      score: share('ces', (s) => s >= 5),
      average: average('ces'),
      distribution: distribution('ces'),
    },
  };
}

function periodOf(at: number, interval: 'day' | 'week' | 'month'): string {
  const date = new Date(at);
  if (interval === 'month') return date.toISOString().slice(0, 8) + '01';
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const monday = interval === 'week' ? day - ((date.getUTCDay() + 6) % 7) * DAY : day;
  return new Date(monday).toISOString().slice(0, 10);
}

function expectedTrend(answers: Seeded[], type: ScoreType, interval: 'day' | 'week' | 'month') {
  const periods = new Map<string, Seeded[]>();
  for (const a of answers.filter((x) => x.valid && x.type === type).sort((x, y) => x.at - y.at)) {
    const key = periodOf(a.at, interval);
    periods.set(key, [...(periods.get(key) ?? []), a]);
  }
  return [...periods].map(([period, list]) => {
    const { responses, score } = expectedScores(list)[type];
    const average = round(list.reduce((sum, a) => sum + a.score, 0) / list.length);
    return { period, responses, score, average };
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /api/scores', () => {
  let fake: FakeGraphApi;
  let t: TestApp;
  let close: () => Promise<void>;
  const seeded = seedAnswers();
  const get = async (path: string): ReturnType<typeof readJson> => {
    const res = await t.api(path);
    expect(res.status).toBe(200);
    return readJson(res);
  };

  beforeAll(async () => {
    ({ t, fake, close } = await startSurveyApp({
      MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-secret',
    }));
    // One delivery holding every answer, as Meta batches events.
    const entries = seeded.flatMap((a) => {
      const answer = {
        type: a.type,
        payload: a.payload,
        ...(a.text !== null && { followUp: a.text }),
      };
      const single = feedbackDelivery({
        pageId: a.page,
        userId: a.user,
        timestamp: a.at,
        questions: { [a.question]: answer },
      }) as { entry: unknown[] };
      return single.entry;
    });
    const res = await t.deliver({ object: 'page', entry: entries });
    expect(res.status).toBe(200);
    await eventually(async () => expect(await t.prisma.surveyAnswer.count()).toBe(seeded.length));
  });
  afterAll(() => close());

  it('computes a small case by hand', async () => {
    const page = '4005';
    const at = Date.parse('2026-11-05T12:00:00Z'); // after the seeded answers
    const answers: [ScoreType, string][] = [
      ['csat', '5'],
      ['csat', '4'],
      ['csat', '2'],
      ['nps', '10'],
      ['nps', '7'],
      ['nps', '3'],
      ['ces', '7'],
      ['ces', '5'],
      ['ces', '1'],
    ];
    await t.deliver({
      object: 'page',
      entry: answers.map(([type, payload], i) => ({
        id: page,
        time: at + i,
        messaging: [
          {
            sender: { id: `hand${i}` },
            recipient: { id: page },
            timestamp: at + i,
            messaging_feedback: {
              feedback_screens: [{ screen_id: 0, questions: { [type]: { type, payload } } }],
            },
          },
        ],
      })),
    });
    await eventually(async () =>
      expect(await t.prisma.surveyAnswer.count({ where: { pageId: page } })).toBe(9),
    );
    const res = await get(`/api/scores?pageId=${page}`);
    expect(res.csat).toEqual({
      responses: 3,
      score: 66.67,
      average: 3.67,
      distribution: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 1 },
    });
    expect(res.nps).toMatchObject({
      responses: 3,
      score: 0,
      promoters: 1,
      passives: 1,
      detractors: 1,
    });
    expect(res.ces).toMatchObject({ responses: 3, score: 66.67, average: 4.33 });
  });

  it.each([
    [
      'every answer (no filter)',
      'to=2026-11-01',
      (a: Seeded) => a.at < Date.parse('2026-11-01T00:00:00Z'),
    ],
    [`Page ${P1}`, `pageId=${P1}`, (a: Seeded) => a.page === P1],
    [
      `Page ${P2}, question delivery`,
      `pageId=${P2}&questionId=delivery`,
      (a: Seeded) => a.page === P2 && a.question === 'delivery',
    ],
    [
      'whole days',
      `from=2026-09-30&to=2026-10-13`,
      (a: Seeded) =>
        a.at >= Date.parse('2026-09-30T00:00:00Z') && a.at < Date.parse('2026-10-13T00:00:00Z'),
    ],
    [
      'partial days at both edges',
      `pageId=${P1}&from=2026-09-30T10:30:00Z&to=2026-10-13T06:00:00.000Z`,
      (a: Seeded) =>
        a.page === P1 &&
        a.at >= Date.parse('2026-09-30T10:30:00Z') &&
        a.at < Date.parse('2026-10-13T06:00:00Z'),
    ],
    [
      'partial hours at both edges',
      `pageId=${P1}&from=2026-09-30T10:47:00Z&to=2026-10-13T06:21:00Z`,
      (a: Seeded) =>
        a.page === P1 &&
        a.at >= Date.parse('2026-09-30T10:47:00Z') &&
        a.at < Date.parse('2026-10-13T06:21:00Z'),
    ],
    [
      'whole hours across midnight, no whole day',
      `from=2026-10-02T07:00:00Z&to=2026-10-03T22:00:00Z`,
      (a: Seeded) =>
        a.at >= Date.parse('2026-10-02T07:00:00Z') && a.at < Date.parse('2026-10-03T22:00:00Z'),
    ],
    [
      'minutes inside one hour',
      `from=2026-09-28T07:05:00Z&to=2026-09-28T07:55:00Z`,
      (a: Seeded) =>
        a.at >= Date.parse('2026-09-28T07:05:00Z') && a.at < Date.parse('2026-09-28T07:55:00Z'),
    ],
    [
      'a few hours of one day',
      `from=2026-10-05T03:00:00Z&to=2026-10-05T21:00:00Z`,
      (a: Seeded) =>
        a.at >= Date.parse('2026-10-05T03:00:00Z') && a.at < Date.parse('2026-10-05T21:00:00Z'),
    ],
    [
      'an open start',
      `to=2026-10-08T12:00:00Z`,
      (a: Seeded) => a.at < Date.parse('2026-10-08T12:00:00Z'),
    ],
    [
      'an open end',
      `pageId=${P2}&from=2026-10-08T12:00:00Z`,
      (a: Seeded) => a.page === P2 && a.at >= Date.parse('2026-10-08T12:00:00Z'),
    ],
  ])('counts valid answers for %s', async (_name, query, keep) => {
    const res = await get(`/api/scores?${query}`);
    const { surveys: _surveys, ...scores } = res;
    expect(scores).toEqual(expectedScores(seeded.filter(keep)));
  });

  it('includes `from` and excludes `to`', async () => {
    const a = seeded.find((x) => x.valid && x.type === 'ces') as Seeded;
    const at = await get(`/api/scores?pageId=${a.page}&from=${iso(a.at)}&to=${iso(a.at + 1)}`);
    expect(at.ces.responses).toBe(1);
    const before = await get(`/api/scores?pageId=${a.page}&from=${iso(a.at - 1)}&to=${iso(a.at)}`);
    expect(before.ces.responses).toBe(0);
  });

  it('answers null scores and rates when there is nothing', async () => {
    expect(await get('/api/scores?pageId=nobody')).toEqual({
      csat: {
        responses: 0,
        score: null,
        average: null,
        distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
      },
      nps: {
        responses: 0,
        score: null,
        promoters: 0,
        passives: 0,
        detractors: 0,
        distribution: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [String(i), 0])),
      },
      ces: {
        responses: 0,
        score: null,
        average: null,
        distribution: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [String(i + 1), 0])),
      },
      surveys: { sent: 0, responded: 0, expired: 0, failed: 0, responseRate: null },
    });
  });

  it('refuses a bad range', async () => {
    for (const query of ['from=yesterday', 'to=2026-02-30', 'from=2026-10-05&to=2026-10-04']) {
      const res = await t.api(`/api/scores?${query}`);
      expect(res.status).toBe(400);
      expect(await readJson(res)).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  describe('trend', () => {
    it.each([
      ['csat', 'day'],
      ['nps', 'week'],
      ['ces', 'month'],
      ['nps', 'day'],
    ] as const)('gives %s per %s, oldest first, empty periods left out', async (type, interval) => {
      const res = await get(`/api/scores/${type}/trend?interval=${interval}&to=2026-11-01`);
      expect(res).toEqual({ type, interval, points: expectedTrend(seeded, type, interval) });
    });

    it('starts weeks on Monday (UTC)', async () => {
      const res = await get('/api/scores/csat/trend?interval=week');
      for (const { period } of res.points) {
        expect(new Date(`${period}T00:00:00Z`).getUTCDay()).toBe(1);
      }
    });

    it('filters by Page, question and a range with partial days', async () => {
      const from = Date.parse('2026-10-01T13:00:00Z');
      const to = Date.parse('2026-10-15T09:30:00Z');
      const res = await get(
        `/api/scores/csat/trend?interval=week&pageId=${P1}&questionId=delivery&from=${iso(from)}&to=${iso(to)}`,
      );
      const keep = seeded.filter(
        (a) => a.page === P1 && a.question === 'delivery' && a.at >= from && a.at < to,
      );
      expect(res.points).toEqual(expectedTrend(keep, 'csat', 'week'));
      expect(res.points.length).toBeGreaterThan(0);
    });

    it('puts the whole and partial hours of the edge days in their days', async () => {
      const from = Date.parse('2026-09-29T05:40:00Z');
      const to = Date.parse('2026-10-06T17:20:00Z');
      const res = await get(`/api/scores/csat/trend?interval=day&from=${iso(from)}&to=${iso(to)}`);
      const keep = seeded.filter((a) => a.at >= from && a.at < to);
      expect(res.points).toEqual(expectedTrend(keep, 'csat', 'day'));
      expect(res.points[0].period).toBe('2026-09-29');
    });

    it('defaults to days and refuses an unknown type or interval', async () => {
      expect((await get('/api/scores/ces/trend')).interval).toBe('day');
      expect((await t.api('/api/scores/stars/trend')).status).toBe(400);
      expect((await t.api('/api/scores/csat/trend?interval=year')).status).toBe(400);
    });

    it('puts a week across a new year, and the last instant of a Sunday, in the week of its Monday', async () => {
      // Before the seeded answers (timestamps must not be in the future) but on a Page of its own,
      // and after every trend test that reads all Pages, which it would otherwise change.
      const page = '4006';
      const answers = [
        ['2026-01-01T08:00:00.000Z', '5'], // Thursday
        ['2026-01-04T23:59:59.999Z', '1'], // Sunday
        ['2026-01-05T00:00:00.000Z', '4'], // Monday
        ['2024-02-29T12:00:00.000Z', '3'], // a leap day, Thursday
      ] as const;
      const entries = answers.flatMap(([at, payload], i) => {
        const single = feedbackDelivery({
          pageId: page,
          userId: `newyear${i}`,
          timestamp: Date.parse(at),
          questions: { csat: { type: 'csat', payload } },
        }) as { entry: unknown[] };
        return single.entry;
      });
      expect((await t.deliver({ object: 'page', entry: entries })).status).toBe(200);
      await eventually(async () =>
        expect(await t.prisma.surveyAnswer.count({ where: { pageId: page } })).toBe(4),
      );
      const trend = async (query: string) => {
        const body = (await get(`/api/scores/csat/trend?pageId=${page}&${query}`)) as {
          points: { period: string; responses: number }[];
        };
        return body.points.map((p) => [p.period, p.responses]);
      };
      // Whole days come from the daily rollup ...
      expect(await trend('interval=week')).toEqual([
        ['2024-02-26', 1],
        ['2025-12-29', 2],
        ['2026-01-05', 1],
      ]);
      expect(await trend('interval=month')).toEqual([
        ['2024-02-01', 1],
        ['2026-01-01', 3],
      ]);
      // ... and a range starting within a day reads that day's answers row by row.
      expect(await trend('interval=week&from=2026-01-04T12:00:00Z')).toEqual([
        ['2025-12-29', 1],
        ['2026-01-05', 1],
      ]);
      expect(await trend('interval=day&from=2026-01-04T12:00:00Z&to=2026-01-05T01:00:00Z')).toEqual(
        [
          ['2026-01-04', 1],
          ['2026-01-05', 1],
        ],
      );
    });
  });

  describe('comments', () => {
    const comment = (a: Seeded) => ({
      surveyId: null,
      pageId: a.page,
      userId: a.user,
      type: a.type,
      score: a.score,
      text: a.text,
      submittedAt: iso(a.at),
    });
    const expectedComments = (keep: (a: Seeded) => boolean) =>
      seeded
        .filter((a) => a.valid && a.text !== null && keep(a))
        .sort((x, y) => y.at - x.at)
        .map((a) => ({
          surveyId: null,
          pageId: a.page,
          userId: a.user,
          type: a.type,
          score: a.score,
          text: a.text,
          submittedAt: iso(a.at),
        }));

    it('lists follow-ups of valid answers, newest first, page by page', async () => {
      const all: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page = await get(
          `/api/scores/comments?limit=4&to=2026-11-01${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.items.length).toBeLessThanOrEqual(4);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(all).toEqual(expectedComments(() => true));
    });

    it('filters by type, Page and range', async () => {
      const from = Date.parse('2026-10-04T00:00:00Z');
      const res = await get(
        `/api/scores/comments?type=nps&pageId=${P1}&from=${iso(from)}&limit=500`,
      );
      expect(res).toEqual({
        items: expectedComments((a) => a.type === 'nps' && a.page === P1 && a.at >= from),
        nextCursor: null,
      });
    });

    /** Every page of a comments query, followed by its cursors. */
    const allPages = async (path: string, limit: number) => {
      const all: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page = await get(`${path}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return all;
    };
    /** The bottom of each scale is 0, its top 1: (score - min) / (max - min). */
    const position = (a: Seeded) => {
      const [min, max] = RANGES[a.type];
      return (a.score - min) / (max - min);
    };

    it('lists lowest first relative to each scale, newest first among equals, page by page', async () => {
      const expected = seeded
        .filter((a) => a.valid && a.text !== null)
        .sort((x, y) => position(x) - position(y) || y.at - x.at)
        .map(comment);
      expect(expected.length).toBeGreaterThan(10);
      expect(await allPages('/api/scores/comments?order=lowest&to=2026-11-01', 3)).toEqual(
        expected,
      );
      const first = await get('/api/scores/comments?order=lowest&to=2026-11-01&limit=1');
      expect(first.items).toEqual(expected.slice(0, 1));
    });

    it('filters by score band and by minScore / maxScore, in either order', async () => {
      const bands = {
        low: { csat: [1, 2], nps: [0, 6], ces: [1, 3] },
        high: { csat: [4, 5], nps: [9, 10], ces: [5, 7] },
      } as const;
      for (const band of ['low', 'high'] as const) {
        const inBand = (a: Seeded) =>
          a.score >= bands[band][a.type][0] && a.score <= bands[band][a.type][1];
        expect(await allPages(`/api/scores/comments?band=${band}&to=2026-11-01`, 2)).toEqual(
          expectedComments(inBand),
        );
      }
      const between = (a: Seeded) => a.type === 'nps' && a.score >= 3 && a.score <= 8;
      expect(
        await allPages(
          '/api/scores/comments?type=nps&minScore=3&maxScore=8&order=lowest&to=2026-11-01',
          2,
        ),
      ).toEqual(
        seeded
          .filter((a) => a.valid && a.text !== null && between(a))
          .sort((x, y) => x.score - y.score || y.at - x.at)
          .map(comment),
      );
      expect(await allPages('/api/scores/comments?minScore=5&to=2026-11-01', 50)).toEqual(
        expectedComments((a) => a.score >= 5),
      );
    });

    it('refuses bad score filters, orders and a cursor of the other order', async () => {
      const newest = await get('/api/scores/comments?limit=1');
      expect(newest.nextCursor).not.toBeNull();
      for (const [query, code] of [
        ['minScore=6&maxScore=5', 'VALIDATION_FAILED'],
        ['minScore=-1', 'VALIDATION_FAILED'],
        ['maxScore=11', 'VALIDATION_FAILED'],
        ['minScore=1.5', 'VALIDATION_FAILED'],
        ['band=terrible', 'VALIDATION_FAILED'],
        ['order=highest', 'VALIDATION_FAILED'],
        [`order=lowest&cursor=${newest.nextCursor}`, 'INVALID_CURSOR'],
      ]) {
        const res = await t.api(`/api/scores/comments?${query}`);
        expect({ query, status: res.status, code: (await readJson(res)).code }).toEqual({
          query,
          status: 400,
          code,
        });
      }
    });
  });

  describe('survey counts', () => {
    const PAGE = '4009';

    it('counts sent, responded, expired and failed surveys, whatever the range', async () => {
      const start = Date.now();
      await seedConversation(t.prisma, PAGE, '1', new Date());
      const send = async (): ReturnType<typeof readJson> => {
        const res = await t.api('/api/surveys', {
          method: 'POST',
          json: { recipientId: '1', pageId: PAGE, type: 'csat' },
        });
        return readJson(res);
      };
      fake.respondWith(metaError(400, { code: 100 }));
      expect((await send()).code).toBe('GRAPH_API_ERROR');
      const toExpire = await send();
      await send(); // stays open
      const toAnswer = await send(); // the newest: the answer goes to it
      await t.deliver({
        object: 'page',
        entry: [
          {
            id: PAGE,
            time: Date.now(),
            messaging: [
              {
                sender: { id: '1' },
                recipient: { id: PAGE },
                timestamp: Date.now(),
                messaging_feedback: {
                  feedback_screens: [
                    { screen_id: 0, questions: { csat: { type: 'csat', payload: '5' } } },
                  ],
                },
              },
            ],
          },
        ],
      });
      await eventually(async () =>
        expect((await get(`/api/surveys/${toAnswer.id}`)).status).toBe('responded'),
      );
      await t.prisma.survey.update({
        where: { id: toExpire.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });

      const now = Date.now();
      const today = new Date(now).toISOString().slice(0, 10);
      const expected = { sent: 3, responded: 1, expired: 1, failed: 1, responseRate: 0.3333 };
      const queries = [
        `pageId=${PAGE}`,
        `pageId=${PAGE}&from=${today}&to=${iso(Date.parse(today) + DAY)}`,
        `pageId=${PAGE}&from=${iso(now - HOUR)}&to=${iso(now + HOUR)}`,
        // Whole hours only (the hourly rollup), and minutes only (the surveys themselves).
        `pageId=${PAGE}&from=${iso(start - (start % HOUR))}&to=${iso(now - (now % HOUR) + HOUR)}`,
        `pageId=${PAGE}&from=${iso(start - 1000)}&to=${iso(now + 1000)}`,
        `pageId=${PAGE}&questionId=csat`,
      ];
      for (const query of queries)
        expect((await get(`/api/scores?${query}`)).surveys).toEqual(expected);
      // The same once the expiry job has marked it.
      await t.app.get(SurveyExpiry).expireDue();
      for (const query of queries)
        expect((await get(`/api/scores?${query}`)).surveys).toEqual(expected);
      expect((await get(`/api/scores?pageId=${PAGE}&questionId=nps`)).surveys.sent).toBe(0);
    });
  });
});
