import { FakeGraphApi } from './fake-graph-api';
import { exitCode, freePort, startService } from './service-process';
import { eventually, readJson, startTestApp, TestApp } from './test-app';

const SANDBOX_PAGE = '100000000000001';

/** The sandbox on, as outside production without a Page token. */
async function startSandbox(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({
    MESSENGER_SANDBOX: 'true',
    PRIVACY_POLICY_URL: 'https://www.example.com/privacy',
    ...env,
  });
}

describe('the sandbox: the whole loop without a Meta app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startSandbox();
  });
  afterAll(() => t.close());

  const post = (path: string, json: unknown) => t.api(path, { method: 'POST', json });

  it('runs customer → survey → inbox → answer with a comment → scores and comments', async () => {
    const psid = '7000000000000001';
    const wrote = await post(`/api/sandbox/customers/${psid}/messages`, {
      text: 'Hi, my parcel never arrived',
    });
    expect(wrote.status).toBe(202);
    const { mid } = await readJson(wrote);
    expect(mid).toMatch(/^m_/);

    // Stored and handled exactly like Meta's deliveries.
    await eventually(async () => {
      const message = await readJson(await t.api(`/api/messages/${mid}`));
      expect(message).toMatchObject({
        mid,
        pageId: SANDBOX_PAGE,
        userId: psid,
        text: 'Hi, my parcel never arrived',
      });
    });

    // The sandbox Page is the only Page known: no pageId needed.
    const sent = await post('/api/surveys', { recipientId: psid, type: 'csat', followUp: true });
    expect(sent.status).toBe(201);
    const survey = await readJson(sent);
    expect(survey).toMatchObject({
      status: 'sent',
      pageId: SANDBOX_PAGE,
      recipientId: psid,
      messagingType: 'RESPONSE',
      messageId: expect.stringMatching(/^m_/),
    });

    const inbox = await readJson(await t.api(`/api/sandbox/customers/${psid}/inbox`));
    expect(inbox.items).toEqual([
      expect.objectContaining({
        mid: survey.messageId,
        kind: 'survey',
        messagingType: 'RESPONSE',
        tag: null,
        survey: { id: survey.id, type: 'csat', questionId: 'csat', status: 'sent', followUp: true },
        message: expect.objectContaining({
          attachment: expect.objectContaining({ type: 'template' }),
        }),
      }),
    ]);

    // The simulated Page's echo comes back through the webhook too (with its app id).
    await eventually(async () => {
      const echo = await readJson(await t.api(`/api/messages/${survey.messageId}`));
      expect(echo).toMatchObject({ mid: survey.messageId, userId: psid });
    });

    const answered = await post(`/api/sandbox/customers/${psid}/feedback`, {
      surveyId: survey.id,
      score: 4,
      followUp: 'Quick and friendly, thanks!',
    });
    expect(answered.status).toBe(202);
    // The answer carries the question id the customer received: the survey's own (exact matching).
    expect(await readJson(answered)).toMatchObject({
      surveyId: survey.id,
      questionId: `csat__${(survey.id as string).replaceAll('-', '')}`,
    });

    await eventually(async () => {
      const after = await readJson(await t.api(`/api/surveys/${survey.id}`));
      expect(after).toMatchObject({
        status: 'responded',
        response: { score: 4, followUpText: 'Quick and friendly, thanks!' },
      });
    });
    const scores = await readJson(await t.api(`/api/scores?pageId=${SANDBOX_PAGE}`));
    expect(scores.csat).toMatchObject({ responses: 1, average: 4, score: 100 });
    expect(scores.surveys).toMatchObject({ sent: 1, responded: 1, responseRate: 1 });
    const comments = await readJson(await t.api('/api/scores/comments?type=csat'));
    expect(comments.items).toEqual([
      expect.objectContaining({
        surveyId: survey.id,
        score: 4,
        text: 'Quick and friendly, thanks!',
      }),
    ]);

    // Answered once: Messenger offers the form no more.
    const again = await post(`/api/sandbox/customers/${psid}/feedback`, {
      surveyId: survey.id,
      score: 5,
    });
    expect(again.status).toBe(409);
    expect(await readJson(again)).toMatchObject({ code: 'SURVEY_ALREADY_ANSWERED' });
  });

  it('delivers reactions, replies and response feedback as webhook events', async () => {
    const psid = '7000000000000002';
    await post(`/api/sandbox/customers/${psid}/messages`, { text: 'Hello' });
    const survey = await readJson(await post('/api/surveys', { recipientId: psid, type: 'nps' }));
    const pageMid = survey.messageId as string;
    await eventually(async () => {
      expect((await t.api(`/api/messages/${pageMid}`)).status).toBe(200);
    });

    expect(
      (
        await post(`/api/sandbox/customers/${psid}/reactions`, {
          mid: pageMid,
          reaction: 'love',
          action: 'react',
        })
      ).status,
    ).toBe(202);
    const reply = await readJson(
      await post(`/api/sandbox/customers/${psid}/messages`, {
        text: 'Thanks!',
        replyTo: pageMid,
        quickReplyPayload: 'THANKS',
        attachments: [{ type: 'image', url: 'https://example.com/a.jpg' }],
      }),
    );
    expect(
      (
        await post(`/api/sandbox/customers/${psid}/response-feedback`, {
          mid: pageMid,
          feedback: 'Bad response',
        })
      ).status,
    ).toBe(202);

    await eventually(async () => {
      const message = await readJson(await t.api(`/api/messages/${pageMid}`));
      expect(message.reactions).toEqual([expect.objectContaining({ reaction: 'love' })]);
      expect(message.replies).toEqual([reply.mid]);
      expect(message.responseFeedback).toBe('bad');
    });
    const written = await readJson(await t.api(`/api/messages/${reply.mid}`));
    expect(written).toMatchObject({
      text: 'Thanks!',
      quickReplyPayload: 'THANKS',
      replyTo: pageMid,
      attachments: [expect.objectContaining({ type: 'image', url: 'https://example.com/a.jpg' })],
    });
  });

  it('turns injected Graph failures into the 502s of POST /api/surveys', async () => {
    const psid = '7000000000000003';
    await post(`/api/sandbox/customers/${psid}/messages`, { text: 'Hello' });

    // A permanent error: one request, not retried, the survey kept failed.
    const injected = await post('/api/sandbox/graph/failures', {
      count: 1,
      code: 551,
      errorSubcode: 1545041,
    });
    expect(injected.status).toBe(202);
    expect(await readJson(injected)).toEqual({ pending: 1 });
    const failed = await post('/api/surveys', { recipientId: psid, type: 'ces' });
    expect(failed.status).toBe(502);
    const body = await readJson(failed);
    expect(body).toMatchObject({
      code: 'GRAPH_API_ERROR',
      surveyId: expect.any(String),
      graphError: {
        httpStatus: 400,
        code: 551,
        errorSubcode: 1545041,
        type: 'OAuthException',
        message: "(#551) This person isn't available right now.",
        fbtraceId: expect.any(String),
        transient: false,
        attempts: 1,
      },
    });
    expect((await readJson(await t.api(`/api/surveys/${body.surveyId}`))).status).toBe('failed');
    // Never delivered: nothing in the customer's inbox, and it cannot be answered.
    expect((await readJson(await t.api(`/api/sandbox/customers/${psid}/inbox`))).items).toEqual([]);
    const answer = await post(`/api/sandbox/customers/${psid}/feedback`, {
      surveyId: body.surveyId,
      score: 3,
    });
    expect(answer.status).toBe(409);
    expect(await readJson(answer)).toMatchObject({ code: 'SURVEY_NOT_DELIVERED' });

    // A transient error three times: every attempt fails, the 502 says transient after 3.
    await post('/api/sandbox/graph/failures', { count: 3, code: 2, message: 'Try later' });
    const busy = await readJson(await post('/api/surveys', { recipientId: psid, type: 'ces' }));
    expect(busy.graphError).toMatchObject({
      httpStatus: 500,
      code: 2,
      message: 'Try later',
      transient: true,
      attempts: 3,
    });

    // A transient error once: the client's retry gets through.
    await post('/api/sandbox/graph/failures', { count: 1, code: 613 });
    const retried = await post('/api/surveys', { recipientId: psid, type: 'ces' });
    expect(retried.status).toBe(201);
    expect((await readJson(await t.api(`/api/sandbox/customers/${psid}/inbox`))).items).toEqual([
      expect.objectContaining({ kind: 'survey', survey: expect.objectContaining({ type: 'ces' }) }),
    ]);
  });

  it('refuses bad input with a 4xx and delivers nothing', async () => {
    const deliveries = async (): Promise<number> =>
      (
        await t.prisma.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM webhook_deliveries',
        )
      ).rows[0].n;
    const before = await deliveries();
    const psid = '7000000000000004';
    const cases: [string, unknown][] = [
      [`/api/sandbox/customers/${psid}/messages`, {}],
      [`/api/sandbox/customers/${psid}/messages`, { text: '' }],
      [`/api/sandbox/customers/${psid}/messages`, { text: 'x'.repeat(2001) }],
      [`/api/sandbox/customers/${psid}/messages`, { text: 'a', extra: 1 }],
      [`/api/sandbox/customers/${psid}/messages`, { attachments: [{ type: 'sticker', url: 'x' }] }],
      [`/api/sandbox/customers/bad%20psid/messages`, { text: 'a' }],
      [`/api/sandbox/customers/${'1'.repeat(65)}/messages`, { text: 'a' }],
      [
        `/api/sandbox/customers/${psid}/reactions`,
        { mid: 'm_1', reaction: 'hug', action: 'react' },
      ],
      [`/api/sandbox/customers/${psid}/reactions`, { mid: 'm_1', reaction: 'like', action: 'x' }],
      [`/api/sandbox/customers/${psid}/feedback`, { surveyId: 'nope', score: 3 }],
      [`/api/sandbox/customers/${psid}/feedback`, { surveyId: crypto.randomUUID(), score: 11 }],
      [`/api/sandbox/customers/${psid}/response-feedback`, { mid: 'm_1', feedback: 'Meh' }],
      ['/api/sandbox/graph/failures', { count: 0, code: 2 }],
      ['/api/sandbox/graph/failures', { count: 1001, code: 2 }],
      ['/api/sandbox/graph/failures', { count: 1, code: 'x' }],
    ];
    for (const [path, json] of cases) {
      const res = await post(path, json);
      expect([path, res.status]).toEqual([path, 400]);
      expect(await readJson(res)).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const unknown = await post(`/api/sandbox/customers/${psid}/feedback`, {
      surveyId: crypto.randomUUID(),
      score: 3,
    });
    expect(unknown.status).toBe(404);
    expect(await deliveries()).toBe(before);

    // A score outside the survey's own scale, a follow-up it does not ask.
    await post(`/api/sandbox/customers/${psid}/messages`, { text: 'Hello' });
    const survey = await readJson(await post('/api/surveys', { recipientId: psid, type: 'csat' }));
    const tooHigh = await post(`/api/sandbox/customers/${psid}/feedback`, {
      surveyId: survey.id,
      score: 6,
    });
    expect(tooHigh.status).toBe(400);
    expect(await readJson(tooHigh)).toMatchObject({
      message: ['score must be 1 to 5 for a csat survey'],
    });
    const followUp = await post(`/api/sandbox/customers/${psid}/feedback`, {
      surveyId: survey.id,
      score: 5,
      followUp: 'hi',
    });
    expect(followUp.status).toBe(400);
    // Another customer cannot answer it.
    const stranger = await post('/api/sandbox/customers/7000000000000099/feedback', {
      surveyId: survey.id,
      score: 5,
    });
    expect(stranger.status).toBe(404);
    expect((await readJson(await t.api(`/api/surveys/${survey.id}`))).status).toBe('sent');
  });

  it('documents every sandbox route in the OpenAPI document', async () => {
    const doc = (await readJson(await t.api('/docs-json'))) as {
      paths: Record<
        string,
        Record<
          string,
          { summary?: string; security?: unknown[]; responses: Record<string, unknown> }
        >
      >;
    };
    const sandbox = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/sandbox/'));
    expect(sandbox.map(([path]) => path).sort()).toEqual([
      '/api/sandbox/customers/{psid}/feedback',
      '/api/sandbox/customers/{psid}/inbox',
      '/api/sandbox/customers/{psid}/messages',
      '/api/sandbox/customers/{psid}/reactions',
      '/api/sandbox/customers/{psid}/response-feedback',
      '/api/sandbox/demo',
      '/api/sandbox/graph/failures',
    ]);
    for (const [path, operations] of sandbox) {
      for (const [method, operation] of Object.entries(operations)) {
        expect([path, method, operation.summary]).toEqual([path, method, expect.any(String)]);
        expect(operation.security).toEqual([{ bearer: [] }, { session: [] }]);
        expect(Object.keys(operation.responses).some((status) => /^2/.test(status))).toBe(true);
        if (method === 'post') {
          expect(Object.keys(operation.responses)).toContain('400');
        }
      }
    }
  });

  it('keeps every sandbox route private', async () => {
    for (const [method, path] of [
      ['POST', '/api/sandbox/customers/1/messages'],
      ['GET', '/api/sandbox/customers/1/inbox'],
      ['POST', '/api/sandbox/graph/failures'],
    ]) {
      const res = await t.api(path, {
        method,
        auth: false,
        json: method === 'POST' ? {} : undefined,
      });
      expect([path, res.status]).toEqual([path, 401]);
    }
  });
});

describe('the sandbox off', () => {
  let fake: FakeGraphApi;
  let t: TestApp;
  beforeAll(async () => {
    fake = await FakeGraphApi.start();
    t = await startTestApp({
      MESSENGER_SANDBOX: 'false',
      GRAPH_API_URL: fake.url,
      MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-real-page-token',
      PRIVACY_POLICY_URL: 'https://www.example.com/privacy',
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('has no sandbox routes and sends surveys to the configured Graph API', async () => {
    for (const [method, path] of [
      ['POST', '/api/sandbox/customers/1/messages'],
      ['GET', '/api/sandbox/customers/1/inbox'],
      ['POST', '/api/sandbox/graph/failures'],
      ['POST', '/api/sandbox/demo'],
      ['GET', '/api/sandbox/demo'],
    ]) {
      const res = await t.api(path, {
        method,
        json: method === 'POST' ? { text: 'a' } : undefined,
      });
      expect([path, res.status]).toEqual([path, 404]);
    }
    const doc = (await readJson(await t.api('/docs-json'))) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((path) => path.includes('sandbox'))).toEqual([]);
    const res = await t.api('/api/surveys', {
      method: 'POST',
      json: { recipientId: '42', pageId: '424242', type: 'nps' },
    });
    expect(res.status).toBe(201);
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0].path).toBe('/v21.0/424242/messages');
    expect(fake.sent[0].headers.authorization).toBe('Bearer EAA-real-page-token');
  });
});

describe('the sandbox in production', () => {
  it('stops the start with one line naming MESSENGER_SANDBOX', async () => {
    const service = startService({
      NODE_ENV: 'production',
      MESSENGER_SANDBOX: 'true',
      PORT: String(await freePort()),
      MESSENGER_APP_SECRET: 'app-secret',
      MESSENGER_VERIFY_TOKEN: 'verify-token',
      API_TOKEN: 'api-token-0123456789abcdef',
      DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
    });
    expect(await exitCode(service)).toBe(1);
    expect(service.output().trim()).toBe(
      'Invalid configuration: MESSENGER_SANDBOX must not be true when NODE_ENV=production',
    );
  });
});
