import { ConversationsService } from '../src/conversations/conversations.service';
import { FakeGraphApi } from './fake-graph-api';
import { DAY, HOUR, seedConversation, startSurveyApp } from './surveys-fixtures';
import { eventually, readJson, TestApp } from './test-app';

const PAGE = '1001';
const OTHER_PAGE = '1002';
const PAGE_TOKEN = 'EAA-page-1001-secret-token';
const DEFAULT_TOKEN = 'EAA-default-secret-token';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The template payload the defaults give (BUSINESS_NAME, PRIVACY_POLICY_URL below). */
const DEFAULT_PAYLOAD = {
  template_type: 'customer_feedback',
  title: 'Rate your experience with Original Coast Clothing',
  subtitle: 'Let Original Coast Clothing know how they are doing',
  button_title: 'Rate experience',
  business_privacy: { url: 'https://www.example.com/privacy' },
  expires_in_days: 1,
};

describe('POST /api/surveys', () => {
  let fake: FakeGraphApi;
  let t: TestApp;
  let close: () => Promise<void>;
  let user = 0;
  /** A customer of PAGE who last wrote `ago` milliseconds ago (null: never). */
  const customer = async (ago: number | null): Promise<string> => {
    const id = `${7_000_000 + ++user}`;
    if (ago !== null) await seedConversation(t.prisma, PAGE, id, new Date(Date.now() - ago));
    return id;
  };
  const send = (json: unknown) => t.api('/api/surveys', { method: 'POST', json });

  beforeAll(async () => {
    ({ t, fake, close } = await startSurveyApp({
      GRAPH_API_VERSION: 'v21.0',
      MESSENGER_PAGE_TOKENS: JSON.stringify({ [PAGE]: PAGE_TOKEN }),
      MESSENGER_PAGE_ACCESS_TOKEN: DEFAULT_TOKEN,
      BUSINESS_NAME: 'Original Coast Clothing',
    }));
  });
  afterAll(() => close());
  beforeEach(() => fake.reset());

  it('sends a csat survey with every default as a standard response', async () => {
    const recipientId = await customer(HOUR);
    const res = await send({ recipientId, type: 'csat' });
    expect(res.status).toBe(201);
    const survey = await readJson(res);
    expect(survey).toEqual({
      id: expect.stringMatching(UUID),
      status: 'sent',
      pageId: PAGE,
      recipientId,
      type: 'csat',
      questionId: 'csat',
      messageId: expect.stringMatching(/^m_fake_/),
      messagingType: 'RESPONSE',
      tag: null,
      sentAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(survey.expiresAt) - Date.parse(survey.sentAt)).toBe(DAY);

    expect(fake.sent).toHaveLength(1);
    const [request] = fake.sent;
    expect(request.path).toBe(`/v21.0/${PAGE}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(request.query).toEqual({});
    expect(request.body).toEqual({
      recipient: { id: recipientId },
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: {
            ...DEFAULT_PAYLOAD,
            feedback_screens: [
              {
                questions: [
                  {
                    // The client's question id plus the survey's own: answers match it exactly.
                    id: `csat__${(survey.id as string).replaceAll('-', '')}`,
                    type: 'csat',
                    score_label: 'neg_pos',
                    score_option: 'five_stars',
                  },
                ],
              },
            ],
          },
        },
      },
    });
  });

  it.each([
    [
      'csat one_to_five',
      { type: 'csat', scoreOption: 'one_to_five' },
      { id: 'csat', type: 'csat', score_label: 'neg_pos', score_option: 'one_to_five' },
    ],
    [
      'csat five_emojis, poor_great, own question id',
      {
        type: 'csat',
        scoreOption: 'five_emojis',
        scoreLabel: 'poor_great',
        questionId: 'delivery_1',
      },
      { id: 'delivery_1', type: 'csat', score_label: 'poor_great', score_option: 'five_emojis' },
    ],
    [
      'nps with its defaults',
      { type: 'nps' },
      { id: 'nps', type: 'nps', score_label: 'unlike_like', score_option: 'zero_to_ten' },
    ],
    [
      'nps with a question title and no labels',
      {
        type: 'nps',
        scoreOption: 'zero_to_ten',
        scoreLabel: 'none',
        questionTitle: 'Would you recommend us?',
      },
      {
        id: 'nps',
        type: 'nps',
        title: 'Would you recommend us?',
        score_label: 'none',
        score_option: 'zero_to_ten',
      },
    ],
    [
      'ces with its defaults',
      { type: 'ces' },
      { id: 'ces', type: 'ces', score_label: 'hard_easy', score_option: 'one_to_seven' },
    ],
    [
      'ces with dis_sat and a follow-up',
      { type: 'ces', scoreLabel: 'dis_sat', followUp: true },
      {
        id: 'ces',
        type: 'ces',
        score_label: 'dis_sat',
        score_option: 'one_to_seven',
        follow_up: { type: 'free_form' },
      },
    ],
    [
      'csat with a follow-up placeholder',
      { type: 'csat', followUp: { placeholder: 'Tell us more' } },
      {
        id: 'csat',
        type: 'csat',
        score_label: 'neg_pos',
        score_option: 'five_stars',
        follow_up: { type: 'free_form', placeholder: 'Tell us more' },
      },
    ],
  ])('sends %s as the exact question object', async (_name, fields, question) => {
    const recipientId = await customer(HOUR);
    const res = await send({ recipientId, ...fields });
    expect(res.status).toBe(201);
    const { id } = (await readJson(res)) as { id: string };
    const sentQuestion = { ...question, id: `${question.id}__${id.replaceAll('-', '')}` };
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0].body).toEqual({
      recipient: { id: recipientId },
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: { ...DEFAULT_PAYLOAD, feedback_screens: [{ questions: [sentQuestion] }] },
        },
      },
    });
  });

  it('sends the given texts, privacy URL and expiry instead of the defaults', async () => {
    const recipientId = await customer(HOUR);
    const res = await send({
      recipientId,
      type: 'csat',
      title: 'How did we do?',
      subtitle: 'Two taps, no more',
      buttonTitle: 'Rate us',
      privacyUrl: 'https://shop.example/privacy',
      expiresInDays: 7,
    });
    expect(res.status).toBe(201);
    const survey = await readJson(res);
    expect(Date.parse(survey.expiresAt) - Date.parse(survey.sentAt)).toBe(7 * DAY);
    expect(fake.sent[0].body).toMatchObject({
      message: {
        attachment: {
          payload: {
            title: 'How did we do?',
            subtitle: 'Two taps, no more',
            button_title: 'Rate us',
            business_privacy: { url: 'https://shop.example/privacy' },
            expires_in_days: 7,
          },
        },
      },
    });
  });

  describe('messaging window', () => {
    it.each([
      ['just now', 0],
      ['23 hours 59 minutes ago', 24 * HOUR - 60_000],
    ])('sends a standard response when the customer wrote %s', async (_when, ago) => {
      const res = await send({ recipientId: await customer(ago), type: 'nps' });
      expect(res.status).toBe(201);
      expect(await readJson(res)).toMatchObject({ messagingType: 'RESPONSE', tag: null });
      expect(fake.sent[0].body).toMatchObject({ messaging_type: 'RESPONSE' });
      expect(fake.sent[0].body).not.toHaveProperty('tag');
    });

    it.each([
      ['25 hours ago', 25 * HOUR],
      ['6 days 23 hours ago', 7 * DAY - HOUR],
      ['never (no message on record)', null],
    ])('sends with the CUSTOMER_FEEDBACK tag when the customer wrote %s', async (_when, ago) => {
      const res = await send({ recipientId: await customer(ago), type: 'nps' });
      expect(res.status).toBe(201);
      expect(await readJson(res)).toMatchObject({
        messagingType: 'MESSAGE_TAG',
        tag: 'CUSTOMER_FEEDBACK',
      });
      expect(fake.sent[0].body).toMatchObject({
        messaging_type: 'MESSAGE_TAG',
        tag: 'CUSTOMER_FEEDBACK',
      });
    });

    it('measures the window from a message delivered through the webhook', async () => {
      const recipientId = await customer(null);
      const timestamp = Date.now() - 2 * DAY;
      const res = await t.deliver({
        object: 'page',
        entry: [
          {
            id: PAGE,
            time: timestamp,
            messaging: [
              {
                sender: { id: recipientId },
                recipient: { id: PAGE },
                timestamp,
                message: { mid: `m_window_${recipientId}`, text: 'Where is my parcel?' },
              },
            ],
          },
        ],
      });
      expect(res.status).toBe(200);
      const conversations = t.app.get(ConversationsService);
      await eventually(async () =>
        expect(await conversations.lastInboundAt(PAGE, recipientId)).toEqual(new Date(timestamp)),
      );
      const sent = await send({ recipientId, type: 'csat' });
      expect(await readJson(sent)).toMatchObject({
        messagingType: 'MESSAGE_TAG',
        tag: 'CUSTOMER_FEEDBACK',
      });
    });

    it('measures the window from a message timed in seconds (lead ads), not from 1970', async () => {
      const recipientId = await customer(null);
      const seconds = Math.floor((Date.now() - HOUR) / 1000);
      const res = await t.deliver({
        object: 'page',
        entry: [
          {
            id: PAGE,
            time: seconds,
            messaging: [
              {
                sender: { id: recipientId },
                recipient: { id: PAGE },
                timestamp: seconds,
                message: { mid: `m_seconds_${recipientId}`, text: 'I filled in your form' },
              },
            ],
          },
        ],
      });
      expect(res.status).toBe(200);
      const conversations = t.app.get(ConversationsService);
      await eventually(async () =>
        expect(await conversations.lastInboundAt(PAGE, recipientId)).toEqual(
          new Date(seconds * 1000),
        ),
      );
      const sent = await send({ recipientId, type: 'csat' });
      expect(sent.status).toBe(201);
      expect(await readJson(sent)).toMatchObject({ messagingType: 'RESPONSE', tag: null });
    });

    it('refuses with 422 past 7 days and sends and keeps nothing', async () => {
      const recipientId = await customer(7 * DAY + 60_000);
      const res = await send({ recipientId, type: 'csat' });
      expect(res.status).toBe(422);
      expect(await readJson(res)).toMatchObject({
        statusCode: 422,
        error: 'Unprocessable Entity',
        code: 'OUTSIDE_MESSAGING_WINDOW',
      });
      expect(fake.requests).toHaveLength(0);
      expect(await t.prisma.survey.count({ where: { recipientId } })).toBe(0);
    });
  });

  describe('validation', () => {
    it('names every failing field in one 400 and sends nothing', async () => {
      const res = await send({
        type: 'nps',
        questionId: 'q-1',
        title: 'T'.repeat(66),
        subtitle: 'Visit www.example.com',
        buttonTitle: 'B'.repeat(21),
        questionTitle: 'Why',
        scoreOption: 'five_stars',
        scoreLabel: 'meh',
        followUp: { placeholder: 'p'.repeat(66) },
        expiresInDays: 8,
      });
      expect(res.status).toBe(400);
      expect(await readJson(res)).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: [
          'recipientId is required',
          'questionId must match [A-Za-z0-9_]{1,80}',
          'title must be at most 65 characters',
          'subtitle must not contain a URL',
          'buttonTitle must be at most 20 characters',
          'questionTitle must be at least 5 characters',
          'scoreOption must be one of zero_to_ten for nps',
          'scoreLabel must be one of neg_pos, hard_easy, dis_sat, unlike_like, poor_great, none for nps',
          'followUp.placeholder must be at most 65 characters',
          'expiresInDays must be an integer from 1 to 7',
        ],
      });
      expect(fake.requests).toHaveLength(0);
    });

    it('requires the type', async () => {
      const res = await send({ recipientId: '1' });
      expect(res.status).toBe(400);
      expect((await readJson(res)).message).toEqual(['type is required']);
    });

    it('refuses unknown fields', async () => {
      const res = await send({ recipientId: '1', type: 'csat', colour: 'blue' });
      expect(res.status).toBe(400);
      expect(await readJson(res)).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: ['property colour should not exist'],
      });
    });
  });

  describe('Pages and tokens', () => {
    afterEach(() => t.prisma.page.deleteMany({ where: { id: OTHER_PAGE } }));

    it('requires pageId once a second Page is known', async () => {
      await t.prisma.page.create({ data: { id: OTHER_PAGE } });
      const res = await send({ recipientId: '42', type: 'csat' });
      expect(res.status).toBe(400);
      expect((await readJson(res)).message).toEqual([
        `pageId is required when more than one Page is known (${PAGE}, ${OTHER_PAGE})`,
      ]);
      expect(fake.requests).toHaveLength(0);
    });

    it("sends with each Page's own token, else the default token", async () => {
      await t.prisma.page.create({ data: { id: OTHER_PAGE } });
      expect((await send({ recipientId: '42', pageId: PAGE, type: 'csat' })).status).toBe(201);
      const res = await send({ recipientId: '42', pageId: OTHER_PAGE, type: 'csat' });
      expect(res.status).toBe(201);
      expect(await readJson(res)).toMatchObject({ pageId: OTHER_PAGE });
      expect(fake.sent.map((r) => [r.path, r.headers.authorization])).toEqual([
        [`/v21.0/${PAGE}/messages`, `Bearer ${PAGE_TOKEN}`],
        [`/v21.0/${OTHER_PAGE}/messages`, `Bearer ${DEFAULT_TOKEN}`],
      ]);
    });

    it('measures the window on the chosen Page', async () => {
      await seedConversation(t.prisma, OTHER_PAGE, '43', new Date(Date.now() - HOUR));
      await seedConversation(t.prisma, PAGE, '43', new Date(Date.now() - 3 * DAY));
      const res = await send({ recipientId: '43', pageId: OTHER_PAGE, type: 'ces' });
      expect(await readJson(res)).toMatchObject({ messagingType: 'RESPONSE' });
    });
  });

  it('stores the request exactly as sent, without any token', async () => {
    const recipientId = await customer(HOUR);
    const { id } = await readJson(await send({ recipientId, type: 'ces', followUp: true }));
    const row = await t.prisma.survey.findUniqueOrThrow({ where: { id } });
    expect(row.request).toEqual(fake.sent[0].body);
    expect(JSON.stringify(row)).not.toContain(PAGE_TOKEN);
    expect(JSON.stringify(row)).not.toContain(DEFAULT_TOKEN);
  });
});

describe('GET /api/surveys', () => {
  let t: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, close } = await startSurveyApp({
      MESSENGER_PAGE_ACCESS_TOKEN: DEFAULT_TOKEN,
    }));
    await seedConversation(t.prisma, PAGE, '1', new Date());
  });
  afterAll(() => close());

  it('reads one survey with no answer and no error yet', async () => {
    const sent = await readJson(
      await t.api('/api/surveys', { method: 'POST', json: { recipientId: '1', type: 'nps' } }),
    );
    const res = await t.api(`/api/surveys/${sent.id}`);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ ...sent, response: null, error: null });
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['3f1c2a4e-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await t.api(`/api/surveys/${id}`);
      expect(res.status).toBe(404);
      expect(await readJson(res)).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('lists surveys newest first with filters and a cursor', async () => {
    await seedConversation(t.prisma, PAGE, '2', new Date());
    const ids: string[] = [];
    for (const [recipientId, type] of [
      ['2', 'csat'],
      ['2', 'ces'],
      ['2', 'csat'],
    ]) {
      const res = await t.api('/api/surveys', { method: 'POST', json: { recipientId, type } });
      ids.push((await readJson(res)).id);
    }
    const first = await readJson(await t.api('/api/surveys?recipientId=2&limit=2'));
    expect((first.items as { id: string }[]).map((s) => s.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await readJson(
      await t.api(`/api/surveys?recipientId=2&limit=2&cursor=${first.nextCursor}`),
    );
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    const csat = await readJson(await t.api(`/api/surveys?pageId=${PAGE}&recipientId=2&type=csat`));
    expect((csat.items as { id: string }[]).map((s) => s.id)).toEqual([ids[2], ids[0]]);
    const sent = await readJson(await t.api('/api/surveys?recipientId=2&status=sent'));
    expect(sent.items).toHaveLength(3);
    const failed = await readJson(await t.api('/api/surveys?recipientId=2&status=failed'));
    expect(failed.items).toHaveLength(0);
  });

  it('refuses an unknown status or a bad cursor', async () => {
    expect((await t.api('/api/surveys?status=lost')).status).toBe(400);
    expect((await t.api('/api/surveys?cursor=nonsense')).status).toBe(400);
  });
});
