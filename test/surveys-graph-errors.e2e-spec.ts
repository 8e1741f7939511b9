import { createServer } from 'node:net';
import { GraphApiError } from '../src/surveys/graph/graph-api-error';
import { GraphSendApiClient } from '../src/surveys/graph/graph-send-api.client';
import { buildSendApiBody } from '../src/surveys/template/send-api-body';
import { validateSurveyTemplate } from '../src/surveys/template/validate-survey-template';
import { FakeGraphApi, metaError } from './fake-graph-api';
import { seedConversation, startSurveyApp } from './surveys-fixtures';
import { readJson, startTestApp, TestApp } from './test-app';

const PAGE = '2001';
const TOKEN = 'EAA-page-2001-secret-token';

describe('POST /api/surveys with Graph API errors', () => {
  let fake: FakeGraphApi;
  let t: TestApp;
  let close: () => Promise<void>;
  const send = () =>
    t.api('/api/surveys', { method: 'POST', json: { recipientId: '9', type: 'csat' } });

  beforeAll(async () => {
    ({ t, fake, close } = await startSurveyApp({
      MESSENGER_PAGE_TOKENS: JSON.stringify({ [PAGE]: TOKEN }),
    }));
    await seedConversation(t.prisma, PAGE, '9', new Date());
  });
  afterAll(() => close());
  beforeEach(() => fake.reset());

  it.each([
    [
      'invalid parameter',
      metaError(400, { code: 100, error_subcode: 2018001, message: 'No matching user found' }),
    ],
    [
      'outside the allowed window',
      metaError(400, {
        code: 10,
        error_subcode: 2018278,
        message: 'Message sent outside of allowed window',
      }),
    ],
    [
      'person unavailable',
      metaError(400, { code: 551, message: "This person isn't available right now." }),
    ],
    ['invalid token', metaError(400, { code: 190, message: 'Invalid OAuth access token.' })],
    ['permission, even with a 500', metaError(500, { code: 200, message: 'Permissions error' })],
  ])('does not retry a permanent error (%s): 502 and a failed survey', async (_name, response) => {
    fake.respondWith(response);
    const res = await send();
    expect(fake.sent).toHaveLength(1);
    expect(res.status).toBe(502);
    const body = await readJson(res);
    const meta = (response as { body: { error: Record<string, unknown> } }).body.error;
    expect(body).toEqual({
      statusCode: 502,
      error: 'Bad Gateway',
      code: 'GRAPH_API_ERROR',
      message: expect.stringContaining(String(meta.message)),
      surveyId: expect.any(String),
      graphError: {
        httpStatus: (response as { status: number }).status,
        code: meta.code,
        errorSubcode: meta.error_subcode ?? null,
        type: 'OAuthException',
        message: meta.message,
        fbtraceId: meta.fbtrace_id,
        transient: false,
        attempts: 1,
      },
    });
    const survey = await readJson(await t.api(`/api/surveys/${body.surveyId}`));
    expect(survey).toMatchObject({
      status: 'failed',
      messageId: null,
      response: null,
      error: body.graphError,
    });
  });

  it.each([1, 2, 4, 17, 32, 613])('retries transient code %d until it succeeds', async (code) => {
    fake.respondWith(metaError(400, { code }));
    const res = await send();
    expect(res.status).toBe(201);
    expect(fake.sent).toHaveLength(2);
    expect(fake.sent[1].body).toEqual(fake.sent[0].body);
  });

  it('gives up after 3 attempts of a transient error', async () => {
    fake.respondWith(
      metaError(503, { code: 2, message: 'Service temporarily unavailable' }),
      metaError(503, { code: 2, message: 'Service temporarily unavailable' }),
      metaError(503, { code: 2, message: 'Service temporarily unavailable', fbtrace_id: 'last' }),
    );
    const res = await send();
    expect(fake.sent).toHaveLength(3);
    expect(res.status).toBe(502);
    expect((await readJson(res)).graphError).toMatchObject({
      httpStatus: 503,
      code: 2,
      fbtraceId: 'last',
      transient: true,
      attempts: 3,
    });
  });

  it('retries a 5xx without an error body and a dropped connection', async () => {
    fake.respondWith({ status: 502, body: '<html>Bad gateway</html>' }, { drop: true });
    const res = await send();
    expect(res.status).toBe(201);
    expect(fake.sent).toHaveLength(3);
  });

  it('keeps the last network error when no attempt is answered', async () => {
    fake.respondWith({ drop: true }, { drop: true }, { drop: true });
    const res = await send();
    expect(res.status).toBe(502);
    expect(fake.sent).toHaveLength(3);
    expect((await readJson(res)).graphError).toMatchObject({
      httpStatus: null,
      code: null,
      message: expect.stringMatching(/^network error: /),
      attempts: 3,
    });
  });

  it('does not retry another 4xx', async () => {
    fake.respondWith(metaError(400, { code: 9999 }));
    expect((await send()).status).toBe(502);
    expect(fake.sent).toHaveLength(1);
  });

  it('never shows the token, even when Meta echoes it', async () => {
    fake.respondWith(metaError(400, { code: 190, message: `Malformed access token ${TOKEN}` }));
    const res = await send();
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(text).not.toContain(TOKEN);
    expect(text).toContain('Malformed access token [Redacted]');
    const stored = await t.prisma.survey.findMany();
    expect(JSON.stringify(stored)).not.toContain(TOKEN);
    expect(fake.sent[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(fake.sent[0].rawBody).not.toContain(TOKEN);
  });

  it('counts failed surveys apart from sent ones', async () => {
    const before = await readJson(await t.api(`/api/scores?pageId=${PAGE}`));
    fake.respondWith(metaError(400, { code: 100 }));
    await send();
    await send();
    const after = await readJson(await t.api(`/api/scores?pageId=${PAGE}`));
    expect(after.surveys.failed - before.surveys.failed).toBe(1);
    expect(after.surveys.sent - before.surveys.sent).toBe(1);
  });
});

describe('POST /api/surveys with no Page known yet', () => {
  let fake: FakeGraphApi;
  let t: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, fake, close } = await startSurveyApp({
      GRAPH_API_VERSION: 'v20.0',
      MESSENGER_PAGE_ACCESS_TOKEN: TOKEN,
    }));
  });
  afterAll(() => close());

  it("asks the Graph API once for the default token's Page", async () => {
    fake.mePageId = '555';
    for (const recipientId of ['1', '2']) {
      const res = await t.api('/api/surveys', {
        method: 'POST',
        json: { recipientId, type: 'ces' },
      });
      expect(res.status).toBe(201);
      expect(await readJson(res)).toMatchObject({ pageId: '555', messagingType: 'MESSAGE_TAG' });
    }
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([
      `GET /v20.0/me Bearer ${TOKEN}`,
      `POST /v20.0/555/messages Bearer ${TOKEN}`,
      `POST /v20.0/555/messages Bearer ${TOKEN}`,
    ]);
  });
});

describe('POST /api/surveys without any token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PRIVACY_POLICY_URL: 'https://www.example.com/privacy' });
  });
  afterAll(() => t.close());

  it('answers 422 NO_PAGE_ACCESS_TOKEN', async () => {
    const res = await t.api('/api/surveys', {
      method: 'POST',
      json: { recipientId: '1', pageId: '77', type: 'csat' },
    });
    expect(res.status).toBe(422);
    expect(await readJson(res)).toMatchObject({ code: 'NO_PAGE_ACCESS_TOKEN' });
  });
});

describe(GraphSendApiClient.name, () => {
  let fake: FakeGraphApi;
  const template = validateSurveyTemplate(
    { type: 'csat' },
    { privacyPolicyUrl: 'https://x.example/p' },
  );
  if (!template.ok) throw new Error('template');
  const body = buildSendApiBody(
    template.template,
    { id: '1' },
    { messagingType: 'RESPONSE', tag: null },
  );
  const client = (timeoutMs: number) =>
    new GraphSendApiClient({
      baseUrl: fake.url,
      version: 'v21.0',
      timeoutMs,
      maxAttempts: 2,
      baseDelayMs: 10,
      maxDelayMs: 20,
    });

  beforeAll(async () => {
    fake = await FakeGraphApi.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('times out a request that is not answered, then retries it', async () => {
    fake.respondWith({ delayMs: 2_000 });
    const result = await client(200).sendMessage('3', TOKEN, body);
    expect(result).toEqual({ messageId: expect.stringMatching(/^m_fake_/), attempts: 2 });
    expect(fake.sent).toHaveLength(2);
  });

  it('reports the timeout when every attempt times out', async () => {
    fake.respondWith({ delayMs: 2_000 }, { delayMs: 2_000 });
    const error = await client(200)
      .sendMessage('3', TOKEN, body)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphApiError);
    expect((error as GraphApiError).detail).toMatchObject({
      httpStatus: null,
      message: 'network error: no answer within 200 ms',
      transient: true,
      attempts: 2,
    });
  });

  it('reports a refused connection', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const closed = new GraphSendApiClient({
      baseUrl: `http://127.0.0.1:${port}`,
      version: 'v21.0',
      timeoutMs: 1000,
      maxAttempts: 1,
      baseDelayMs: 1,
      maxDelayMs: 1,
    });
    const error = await closed.sendMessage('3', TOKEN, body).catch((e: unknown) => e);
    expect((error as GraphApiError).detail.message).toBe('network error: ECONNREFUSED');
    expect(String((error as GraphApiError).message)).not.toContain(TOKEN);
  });
});
