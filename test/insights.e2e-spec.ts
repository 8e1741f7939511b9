import { parse } from 'csv-parse/sync';
import { Clock } from '../src/common/clock';
import { conversationFactory, feedbackDelivery } from './messenger-factories';
import { HOUR, insertBulkAnswers, startSurveyApp } from './surveys-fixtures';
import { eventually, readJson, TestApp } from './test-app';

/**
 * Insights: compare=previous, the score breakdown and the answers export, on answers recorded
 * through the normal paths (surveys sent with POST /api/surveys to the fake Graph API, answers in
 * signed messaging_feedback deliveries), against figures computed by hand.
 */

const PAGE = '5001'; // surveys, responders
const CMP = '5002'; // compare and page / question breakdown
const CMP2 = '5003';
const EXP = '5004'; // awkward export texts
const BULK = '5005'; // many rows, inserted with SQL
const AWK = '5006'; // customer ids that need percent-encoding

type Answer = [
  page: string,
  user: string,
  question: string,
  type: string,
  payload: string,
  at: string,
];

describe('insights', () => {
  let t: TestApp;
  let close: () => Promise<void>;
  const get = async (path: string): ReturnType<typeof readJson> => {
    const res = await t.api(path);
    expect(res.status).toBe(200);
    return readJson(res);
  };
  /** Delivers answers that match no survey (none was sent to these customers). */
  const answerAll = async (answers: Answer[], followUps: Record<string, string> = {}) => {
    const before = await t.prisma.surveyAnswer.count();
    const entries = answers.flatMap(([page, user, question, type, payload, at]) => {
      const followUp = followUps[user];
      const single = feedbackDelivery({
        pageId: page,
        userId: user,
        timestamp: Date.parse(at),
        questions: { [question]: { type, payload, ...(followUp !== undefined && { followUp }) } },
      }) as { entry: unknown[] };
      return single.entry;
    });
    expect((await t.deliver({ object: 'page', entry: entries })).status).toBe(200);
    await eventually(async () =>
      expect(await t.prisma.surveyAnswer.count()).toBe(before + answers.length),
    );
  };

  beforeAll(async () => {
    ({ t, close } = await startSurveyApp({
      MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-secret',
      MESSENGER_APP_LABELS: '{"42": "Support bot", "777": "Human inbox"}',
      PUBLIC_URL: 'https://feedback.example.com/',
    }));
    await answerAll([
      // previous period of [2026-10-10, 2026-10-20): [2026-09-30, 2026-10-10)
      [CMP, 'c1', 'csat', 'csat', '5', '2026-09-30T00:00:00Z'],
      [CMP, 'c2', 'csat', 'csat', '1', '2026-10-09T23:59:59.999Z'],
      [CMP, 'c3', 'ces', 'ces', '7', '2026-10-05T08:00:00Z'],
      [CMP, 'c4', 'csat', 'csat', '5', '2026-09-29T23:59:59.999Z'], // before both
      // current period
      [CMP, 'c5', 'csat', 'csat', '5', '2026-10-10T00:00:00Z'],
      [CMP, 'c6', 'delivery', 'csat', '4', '2026-10-12T10:00:00Z'],
      [CMP, 'c7', 'csat', 'csat', '2', '2026-10-19T23:00:00Z'],
      [CMP, 'c8', 'nps', 'nps', '10', '2026-10-15T00:00:00Z'],
      [CMP, 'c9', 'csat', 'csat', '6', '2026-10-15T00:00:00Z'], // out of range: counted nowhere
      [CMP, 'c10', 'csat', 'csat', '5', '2026-10-20T00:00:00Z'], // `to` is excluded
      [CMP2, 'd1', 'csat', 'csat', '3', '2026-10-11T00:00:00Z'],
      [CMP2, 'd2', 'csat', 'csat', '4', '2026-10-11T06:00:00Z'],
      [CMP2, 'd3', 'delivery', 'csat', '5', '2026-10-13T00:00:00Z'],
    ]);
  });
  afterAll(() => close());

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = await get('/docs-json');
    const exportOp = doc.paths['/api/exports/answers'].get;
    expect(exportOp.summary).toBeTruthy();
    expect(exportOp.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(Object.keys(exportOp.responses['200'].content).sort()).toEqual([
      'application/x-ndjson',
      'text/csv',
    ]);
    expect(exportOp.responses['200'].headers).toHaveProperty('Content-Disposition');
    expect(Object.keys(exportOp.responses)).toEqual(expect.arrayContaining(['400', '401', '503']));
    const breakdown = doc.paths['/api/scores/breakdown'].get;
    expect(breakdown.summary).toBeTruthy();
    expect(Object.keys(breakdown.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
    expect(breakdown.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'by', required: true }),
        expect.objectContaining({ name: 'type', required: true }),
      ]),
    );
    const scores = doc.paths['/api/scores'].get;
    expect(scores.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'compare', required: false })]),
    );
  });

  describe('GET /api/scores?compare=previous', () => {
    it('adds the period of equal length just before and the differences', async () => {
      const res = await get(
        `/api/scores?pageId=${CMP}&from=2026-10-10&to=2026-10-20&compare=previous`,
      );
      // now: csat 5, 4, 2 → 66.67 %, mean 3.67; nps 10 → 100; no ces
      expect(res.csat).toMatchObject({ responses: 3, score: 66.67, average: 3.67 });
      expect(res.nps).toMatchObject({ responses: 1, score: 100 });
      expect(res.ces).toMatchObject({ responses: 0, score: null });
      // before: csat 5, 1 → 50 %; ces 7 → 100 %; no nps
      expect(res.previous.csat).toMatchObject({ responses: 2, score: 50, average: 3 });
      expect(res.previous.nps).toMatchObject({ responses: 0, score: null });
      expect(res.previous.ces).toMatchObject({ responses: 1, score: 100, average: 7 });
      expect(res.previous.surveys).toEqual({
        sent: 0,
        responded: 0,
        expired: 0,
        failed: 0,
        responseRate: null,
      });
      expect(res.delta).toEqual({ csat: 16.67, nps: null, ces: null, responseRate: null });
    });

    it('gives the same object as a plain request for either period', async () => {
      const compared = await get(
        `/api/scores?pageId=${CMP}&from=2026-10-10T12:00:00Z&to=2026-10-19T12:00:00Z&compare=previous`,
      );
      const { previous, delta: _delta, ...current } = compared;
      expect(current).toEqual(
        await get(`/api/scores?pageId=${CMP}&from=2026-10-10T12:00:00Z&to=2026-10-19T12:00:00Z`),
      );
      expect(previous).toEqual(
        await get(`/api/scores?pageId=${CMP}&from=2026-10-01T12:00:00Z&to=2026-10-10T12:00:00Z`),
      );
    });

    it('defaults to the last 30 days, by the service clock', async () => {
      const clock = t.app.get(Clock, { strict: false });
      const now = jest.spyOn(clock, 'now').mockReturnValue(new Date('2026-10-20T00:00:00Z'));
      try {
        const res = await get(`/api/scores?pageId=${CMP}&compare=previous`);
        // [2026-09-20, 2026-10-20): every answer of the Page but the one at 2026-10-20
        expect(res.csat.responses).toBe(6);
        expect(res.previous.csat.responses).toBe(0);
        const onlyTo = await get(`/api/scores?pageId=${CMP}&to=2026-10-10&compare=previous`);
        // [2026-09-10, 2026-10-10) and [2026-08-11, 2026-09-10)
        expect(onlyTo.csat.responses).toBe(3);
        expect(onlyTo.delta.csat).toBeNull();
        const tooLate = await t.api(`/api/scores?from=2026-10-21&compare=previous`);
        expect(tooLate.status).toBe(400);
      } finally {
        now.mockRestore();
      }
    });

    it('keeps an open range without compare', async () => {
      const res = await get(`/api/scores?pageId=${CMP}`);
      expect(res.csat.responses).toBe(7);
      expect(res).not.toHaveProperty('previous');
      expect(res).not.toHaveProperty('delta');
    });
  });

  describe('GET /api/scores/breakdown', () => {
    it('breaks a type down by Page, most responses first', async () => {
      const res = await get(
        '/api/scores/breakdown?by=page&type=csat&from=2026-10-10&to=2026-10-20',
      );
      expect(res).toEqual({
        by: 'page',
        type: 'csat',
        items: [
          { key: CMP, label: CMP, responses: 3, score: 66.67, average: 3.67 },
          { key: CMP2, label: CMP2, responses: 3, score: 66.67, average: 4 },
        ],
      });
    });

    it('breaks a type down by question, partial days included', async () => {
      const res = await get(
        `/api/scores/breakdown?by=questionId&type=csat&pageId=${CMP2}&from=2026-10-11T03:00:00Z&to=2026-10-13T00:00:01Z`,
      );
      expect(res.items).toEqual([
        { key: 'csat', label: 'csat', responses: 1, score: 100, average: 4 },
        { key: 'delivery', label: 'delivery', responses: 1, score: 100, average: 5 },
      ]);
    });

    it('refuses a bad `by` or `type`, naming the valid values', async () => {
      for (const [query, message] of [
        ['by=agent&type=csat', 'by must be one of: page, questionId, rule, responder'],
        ['type=csat', 'by must be one of: page, questionId, rule, responder'],
        ['by=page', 'type must be one of: csat, nps, ces'],
        ['by=page&type=star', 'type must be one of: csat, nps, ces'],
        ['by=page&type=csat&from=2026-10-20&to=2026-10-10', 'from must not be after to'],
      ]) {
        const res = await t.api(`/api/scores/breakdown?${query}`);
        expect(res.status).toBe(400);
        const body = await readJson(res);
        expect(body).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect(JSON.stringify(body.message)).toContain(message);
      }
    });
  });

  describe('responder and rule of surveys sent by hand', () => {
    const f = conversationFactory({ page: PAGE, start: Date.now() - HOUR, userPrefix: 'r' });
    const sent: Record<string, { id: string; sentAt: string }> = {};
    const users = {
      bot: f.newUser(),
      handover: f.newUser(),
      nobody: f.newUser(),
      late: f.newUser(),
    };

    const sendSurvey = async (recipientId: string) => {
      const res = await t.api('/api/surveys', {
        method: 'POST',
        json: { pageId: PAGE, recipientId, type: 'csat' },
      });
      expect(res.status).toBe(201);
      return (await readJson(res)) as { id: string; sentAt: string };
    };

    beforeAll(async () => {
      // bot: the customer wrote, app 42 answered (its echo). handover: app 42 answered, then the
      // thread passed to app 777. nobody: no Page message, no handover.
      await f.send(t, [
        f.inbound(users.bot, 0, { message: { mid: 'rb-in', text: 'help' } }),
        f.echo(users.bot, 10, 'rb-out'),
        f.inbound(users.handover, 0, { message: { mid: 'rh-in', text: 'help' } }),
        f.echo(users.handover, 10, 'rh-out'),
        f.inbound(users.handover, 20, {
          pass_thread_control: { new_owner_app_id: '777', previous_owner_app_id: '42' },
        }),
        f.inbound(users.handover, 30, { request_thread_control: { requested_owner_app_id: '42' } }),
        f.inbound(users.nobody, 0, { message: { mid: 'rn-in', text: 'hi' } }),
        f.inbound(users.late, 0, { message: { mid: 'rl-in', text: 'hi' } }),
      ]);
      await eventually(async () => {
        expect(await t.prisma.message.count({ where: { pageId: PAGE } })).toBe(6);
        expect(await t.prisma.conversationEvent.count({ where: { pageId: PAGE } })).toBe(2);
      });
      for (const user of [users.bot, users.handover, users.nobody]) {
        sent[user] = await sendSurvey(user);
      }
      // Sent after the others: unanswered, for the response rate.
      sent[users.late] = await sendSurvey(users.late);
      const answers: [string, string][] = [
        [users.bot, '5'],
        [users.handover, '2'],
        [users.nobody, '4'],
        ['r-unmatched', '1'],
      ];
      const before = await t.prisma.surveyAnswer.count();
      for (const [user, payload] of answers) {
        const res = await t.deliver(
          feedbackDelivery({
            pageId: PAGE,
            userId: user,
            timestamp: Date.now(),
            questions: { csat: { type: 'csat', payload } },
          }),
        );
        expect(res.status).toBe(200);
      }
      await eventually(async () =>
        expect(await t.prisma.surveyAnswer.count()).toBe(before + answers.length),
      );
    });

    it('keeps on each survey who handled the conversation before it', async () => {
      const surveys = await t.prisma.survey.findMany({ where: { pageId: PAGE } });
      const by = Object.fromEntries(surveys.map((s) => [s.recipientId, s]));
      expect(by[users.bot]).toMatchObject({ responderAppId: '42', ruleId: null });
      expect(by[users.handover]).toMatchObject({ responderAppId: '777', ruleId: null });
      expect(by[users.nobody]).toMatchObject({ responderAppId: null, ruleId: null });
    });

    it('breaks scores down by responder, labelled, unknown when nothing says', async () => {
      const res = await get(`/api/scores/breakdown?by=responder&type=csat&pageId=${PAGE}`);
      expect(res.items).toEqual([
        // nobody (4) and the answer that matched no survey (1)
        { key: 'unknown', label: 'Unknown', responses: 2, score: 50, average: 2.5 },
        { key: '42', label: 'Support bot', responses: 1, score: 100, average: 5 },
        { key: '777', label: 'Human inbox', responses: 1, score: 0, average: 2 },
      ]);
      // The same from the raw rows (a range of partial days) as from the rollup (whole days).
      const now = Date.now();
      const partial = await get(
        `/api/scores/breakdown?by=responder&type=csat&pageId=${PAGE}&from=${new Date(now - HOUR).toISOString()}&to=${new Date(now + HOUR).toISOString()}`,
      );
      expect(partial.items).toEqual(res.items);
    });

    it('puts surveys sent by hand under no rule', async () => {
      const res = await get(`/api/scores/breakdown?by=rule&type=csat&pageId=${PAGE}`);
      expect(res.items).toEqual([
        {
          key: 'none',
          label: 'No rule (sent by hand, or no survey answered)',
          responses: 4,
          score: 50,
          average: 3,
        },
      ]);
    });

    it('compares response rates of two periods', async () => {
      // Split at the second survey: before it one survey (answered), from it three (two answered).
      const split = Date.parse(sent[users.handover].sentAt);
      const from = new Date(split).toISOString();
      const to = new Date(split + HOUR).toISOString();
      const res = await get(`/api/scores?pageId=${PAGE}&from=${from}&to=${to}&compare=previous`);
      expect(res.previous.surveys).toMatchObject({ sent: 1, responded: 1, responseRate: 1 });
      expect(res.surveys).toMatchObject({ sent: 3, responded: 2, responseRate: 0.6667 });
      expect(res.delta.responseRate).toBe(-0.3333);
    });

    it('exports the survey, rule and responder of each answer as NDJSON', async () => {
      const res = await t.api(`/api/exports/answers?format=ndjson&pageId=${PAGE}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      const text = await res.text();
      expect(text.endsWith('\n')).toBe(true);
      const lines = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const stored = await t.prisma.surveyAnswer.findMany({
        where: { pageId: PAGE },
        include: { survey: true },
        orderBy: { id: 'asc' },
      });
      expect(lines).toEqual(
        stored.map((a) => ({
          surveyId: a.surveyId,
          pageId: PAGE,
          userId: a.userId,
          type: 'csat',
          questionId: 'csat',
          score: a.score,
          valid: true,
          followUpText: null,
          submittedAt: a.submittedAt.toISOString(),
          surveySentAt: a.survey?.sentAt.toISOString() ?? null,
          ruleId: null,
          responder: a.survey?.responderAppId ?? null,
          conversationUrl: `https://feedback.example.com/#/conversations/${PAGE}/${a.userId}`,
        })),
      );
      const byUser = Object.fromEntries(lines.map((l) => [l.userId, l]));
      expect(byUser[users.bot]).toMatchObject({
        surveyId: sent[users.bot].id,
        surveySentAt: sent[users.bot].sentAt,
        responder: '42',
      });
      expect(byUser[users.handover]).toMatchObject({ responder: '777' });
      expect(byUser[users.nobody]).toMatchObject({ responder: null });
      expect(byUser['r-unmatched']).toMatchObject({ surveyId: null, responder: null });
    });
  });

  describe('GET /api/exports/answers', () => {
    const texts = [
      'He said "hi", then left',
      'line one\nline two',
      'windows\r\nline',
      '=HYPERLINK("http://x.example","click")',
      '+1 555 0100',
      '-2 stars',
      '@support',
      '\tindented',
      'emoji 😀👍🏽, accents éü',
      'plain',
    ];
    const users = texts.map((_, i) => `e${i}`);

    beforeAll(async () => {
      await answerAll(
        texts.map((_, i): Answer => [
          EXP,
          users[i],
          'csat',
          'csat',
          String(1 + (i % 5)),
          `2026-11-0${1 + (i % 3)}T10:00:0${i}Z`,
        ]),
        Object.fromEntries(texts.map((text, i) => [users[i], text])),
      );
      // And one answer out of range: exported too, valid false.
      await answerAll([[EXP, 'e-bad', 'csat', 'csat', '9', '2026-11-03T12:00:00Z']]);
    });

    it('writes RFC 4180 CSV that a CSV parser reads back to the same values', async () => {
      const res = await t.api(
        `/api/exports/answers?format=csv&pageId=${EXP}&from=2026-11-01&to=2026-11-04`,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(
        'attachment; filename="answers-20261101-20261104.csv"',
      );
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 byte order mark
      const text = bytes.toString('utf8');
      expect(
        text.startsWith(
          '\ufeffsurveyId,pageId,userId,type,questionId,score,valid,followUpText,submittedAt,surveySentAt,ruleId,responder,conversationUrl\r\n',
        ),
      ).toBe(true);
      const rows = parse<Record<string, string>>(bytes, { bom: true, columns: true });
      const byUser = Object.fromEntries(rows.map((row) => [row.userId, row]));
      expect(rows).toHaveLength(texts.length + 1);
      texts.forEach((text, i) => {
        // A cell that a spreadsheet would run as a formula comes back with a leading '.
        const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
        expect(byUser[users[i]]).toEqual({
          surveyId: '',
          pageId: EXP,
          userId: users[i],
          type: 'csat',
          questionId: 'csat',
          score: String(1 + (i % 5)),
          valid: 'true',
          followUpText: safe,
          submittedAt: `2026-11-0${1 + (i % 3)}T10:00:0${i}.000Z`,
          surveySentAt: '',
          ruleId: '',
          responder: '',
          conversationUrl: `https://feedback.example.com/#/conversations/${EXP}/${users[i]}`,
        });
      });
      expect(byUser['e-bad']).toMatchObject({ score: '9', valid: 'false', followUpText: '' });
    });

    it('writes NDJSON that parses back to the exact texts', async () => {
      const res = await t.api(`/api/exports/answers?format=ndjson&pageId=${EXP}&type=csat`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(
        'attachment; filename="answers-start-now.ndjson"',
      );
      const lines = (await res.text())
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { userId: string; followUpText: string | null });
      const byUser = Object.fromEntries(lines.map((l) => [l.userId, l.followUpText]));
      expect(byUser).toEqual({
        ...Object.fromEntries(texts.map((text, i) => [users[i], text])),
        'e-bad': null,
      });
    });

    it('filters by type and range, and answers an empty export with the header alone', async () => {
      const none = await t.api(`/api/exports/answers?pageId=${EXP}&type=nps`);
      expect(none.status).toBe(200);
      // (Buffer, not text(): the Fetch API's decoder drops the byte order mark.)
      expect(Buffer.from(await none.arrayBuffer()).toString('utf8')).toBe(
        '\ufeffsurveyId,pageId,userId,type,questionId,score,valid,followUpText,submittedAt,surveySentAt,ruleId,responder,conversationUrl\r\n',
      );
      const ranged = await t.api(
        `/api/exports/answers?format=ndjson&pageId=${EXP}&from=2026-11-02T00:00:00Z&to=2026-11-03T10:00:05Z`,
      );
      expect(ranged.headers.get('content-disposition')).toBe(
        'attachment; filename="answers-20261102-20261103T100005Z.ndjson"',
      );
      const inRange = (await ranged.text())
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { userId: string }).userId);
      expect(inRange.sort()).toEqual(['e1', 'e2', 'e4', 'e7']);
    });

    it('percent-encodes the ids of the conversation link as encodeURIComponent does', async () => {
      const odd = ["é x/y?&#'()~", '-1 "q", ok'];
      await answerAll(
        odd.map((user): Answer => [AWK, user, 'csat', 'csat', '4', '2026-11-05T08:00:00Z']),
      );
      const url = (user: string) =>
        `https://feedback.example.com/#/conversations/${AWK}/${encodeURIComponent(user)}`;
      const ndjson = await t.api(`/api/exports/answers?format=ndjson&pageId=${AWK}`);
      const lines = (await ndjson.text())
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { userId: string; conversationUrl: string });
      expect(lines.map((l) => [l.userId, l.conversationUrl]).sort()).toEqual(
        odd.map((user) => [user, url(user)]).sort(),
      );
      const csv = await t.api(`/api/exports/answers?format=csv&pageId=${AWK}`);
      const rows = parse<Record<string, string>>(Buffer.from(await csv.arrayBuffer()), {
        bom: true,
        columns: true,
      });
      // The second id starts with -: a spreadsheet would take it for a formula.
      expect(rows.map((r) => [r.userId, r.conversationUrl]).sort()).toEqual(
        [
          [odd[0], url(odd[0])],
          [`'${odd[1]}`, url(odd[1])],
        ].sort(),
      );
    });

    it('refuses bad inputs with a 400 before anything is streamed', async () => {
      for (const [query, message] of [
        ['format=xlsx', 'format must be one of: csv, ndjson'],
        ['type=stars', 'type must be one of: csat, nps, ces'],
        ['from=2026-11-05&to=2026-11-01', 'from must not be after to'],
        ['from=yesterday', 'from must be an ISO 8601 date'],
      ]) {
        const res = await t.api(`/api/exports/answers?${query}`);
        expect(res.status).toBe(400);
        const body = await readJson(res);
        expect(body).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect(JSON.stringify(body.message)).toContain(message);
      }
      expect((await t.api('/api/exports/answers', { auth: false })).status).toBe(401);
    });

    it('streams a large export without holding up other requests, and lets a client leave midway', async () => {
      const count = 30_000;
      await insertBulkAnswers(t.prisma, BULK, count);
      // A client that reads one chunk, then stops reading: the service waits on it.
      const slow = await t.download(`/api/exports/answers?pageId=${BULK}`);
      expect(slow.statusCode).toBe(200);
      // One chunk, then the client stops reading.
      await new Promise((resolve) => slow.once('data', resolve));
      slow.pause();
      // Meanwhile everything else is answered, on the embedded database's one session too (a
      // request waiting on a held connection would get 503 after DATABASE_TIMEOUT_MS).
      expect((await t.api('/health', { auth: false })).status).toBe(200);
      expect((await t.api(`/api/scores?pageId=${CMP}`)).status).toBe(200);
      const other = await t.api(`/api/exports/answers?format=ndjson&pageId=${EXP}`);
      expect(other.status).toBe(200);
      expect((await other.text()).trimEnd().split('\n')).toHaveLength(texts.length + 1);
      slow.destroy();
      // The service notices the client leaving: no connection stays busy with its export (on
      // PostgreSQL, the cursor's connection is closed; the embedded database held none).
      await eventually(async () => {
        const { totalCount, idleCount } = t.prisma.pool;
        expect(totalCount - idleCount).toBe(0);
        const { rows } = await t.prisma.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE pid <> pg_backend_pid()
             AND (query LIKE '%FROM survey_answers a LEFT JOIN surveys s%' OR query LIKE 'FETCH % FROM answer_export')`,
        );
        expect(rows[0].n).toBe(0);
      });
      // The whole export, every row once, in recording order.
      const full = await t.api(`/api/exports/answers?format=ndjson&pageId=${BULK}`);
      const text = await full.text();
      const lines = text.trimEnd().split('\n');
      expect(lines).toHaveLength(count);
      expect(JSON.parse(lines[0]).userId).toBe('bulk1');
      expect(JSON.parse(lines[count - 1]).userId).toBe(`bulk${count}`);
      // The leaving client's connection went back (or was closed): the database still answers.
      await eventually(async () => {
        const { rows } = await t.prisma.pool.query<{ n: number }>('SELECT 1 AS n');
        expect(rows[0].n).toBe(1);
      });
    });

    it('ends the body early when the database goes away mid-stream, and recovers', async () => {
      // The 30,000 answers of the previous test.
      const slow = await t.download(`/api/exports/answers?pageId=${BULK}`);
      expect(slow.statusCode).toBe(200);
      await new Promise((resolve) => slow.once('data', resolve));
      slow.pause();
      const restore = await t.databaseOutage();
      let received = 0;
      const outcome = await new Promise<string>((resolve) => {
        slow.on('data', (chunk: Buffer) => (received += chunk.length));
        slow.on('end', () => resolve('complete'));
        slow.on('error', () => resolve('cut'));
        slow.on('aborted', () => resolve('cut'));
        slow.resume();
      });
      expect(outcome).toBe('cut');
      await restore();
      // The next export is whole again.
      const again = await eventually(async () => {
        const res = await t.api(`/api/exports/answers?format=ndjson&pageId=${EXP}`);
        expect(res.status).toBe(200);
        return res.text();
      });
      expect(again.trimEnd().split('\n')).toHaveLength(texts.length + 1);
      expect(received).toBeGreaterThan(0);
    });
  });
});
