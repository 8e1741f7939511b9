import { ResponseFeedbackService } from '../src/response-feedback/response-feedback.service';
import { responseFeedbackDelivery } from './messenger-factories';
import { eventually, readJson, startTestApp, TestApp } from './test-app';

const PAGE = '5001';
const OTHER_PAGE = '5002';
const T0 = Date.parse('2026-11-10T12:00:00Z');

describe('GET /api/response-feedback', () => {
  let t: TestApp;
  const give = async (
    userId: string,
    mid: string,
    feedback: 'Good response' | 'Bad response',
    timestamp: number,
    pageId = PAGE,
  ) => {
    const res = await t.deliver(
      responseFeedbackDelivery({ pageId, userId, mid, feedback, timestamp }),
    );
    expect(res.status).toBe(200);
  };
  const summary = async (query = `pageId=${PAGE}`): ReturnType<typeof readJson> =>
    readJson(await t.api(`/api/response-feedback?${query}`));
  const storedRows = (count: number) =>
    eventually(async () => expect(await t.prisma.responseFeedback.count()).toBe(count));

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers zeros and a null rate with no feedback', async () => {
    expect(await summary()).toEqual({ good: 0, bad: 0, total: 0, goodRate: null });
  });

  it('counts the latest feedback of each customer on each message', async () => {
    await give('1', 'm_a', 'Good response', T0);
    await give('1', 'm_a', 'Bad response', T0 + 1000); // changed their mind
    await give('2', 'm_a', 'Good response', T0 + 2000); // another customer, same message
    await give('1', 'm_b', 'Good response', T0 + 3000);
    await give('3', 'm_c', 'Good response', T0 + 4000, OTHER_PAGE);
    await storedRows(4);
    await eventually(async () =>
      expect(await summary()).toEqual({ good: 2, bad: 1, total: 3, goodRate: 0.6667 }),
    );
    expect(await summary('')).toEqual({ good: 3, bad: 1, total: 4, goodRate: 0.75 });
  });

  it('keeps the latest whatever order the events arrive in, and counts a redelivery once', async () => {
    await give('4', 'm_d', 'Bad response', T0 + 10_000);
    await give('4', 'm_d', 'Good response', T0 + 5_000); // older, delivered late
    await give('4', 'm_d', 'Bad response', T0 + 10_000); // the same event again
    await storedRows(5);
    await eventually(async () => {
      const row = await t.prisma.responseFeedback.findUniqueOrThrow({
        where: { pageId_userId_mid: { pageId: PAGE, userId: '4', mid: 'm_d' } },
      });
      expect(row).toMatchObject({ feedback: 'bad', occurredAt: new Date(T0 + 10_000) });
    });
    expect(await summary()).toEqual({ good: 2, bad: 2, total: 4, goodRate: 0.5 });
  });

  it('links the feedback to the message for the message read API', async () => {
    const feedback = await t.app
      .get(ResponseFeedbackService)
      .feedbackForMessages(PAGE, '1', ['m_a', 'm_b', 'm_unknown']);
    expect(Object.fromEntries(feedback)).toEqual({ m_a: 'bad', m_b: 'good' });
  });

  it('shows the latest feedback on the Page message in the messages API', async () => {
    // The Page's own message (an echo), then the customer's verdicts on it.
    const echo = {
      object: 'page',
      entry: [
        {
          id: PAGE,
          time: T0,
          messaging: [
            {
              sender: { id: PAGE },
              recipient: { id: '9' },
              timestamp: T0,
              message: { mid: 'm_rated', text: 'How can we help?', is_echo: true, app_id: 1 },
            },
          ],
        },
      ],
    };
    expect((await t.deliver(echo)).status).toBe(200);
    await give('9', 'm_rated', 'Good response', T0 + 100);
    await eventually(async () =>
      expect(await readJson(await t.api('/api/messages/m_rated'))).toMatchObject({
        direction: 'outbound',
        responseFeedback: 'good',
      }),
    );
    await give('9', 'm_rated', 'Bad response', T0 + 200);
    await eventually(async () => {
      const page = await readJson(await t.api(`/api/conversations/${PAGE}/9/messages`));
      expect(page.items).toEqual([
        expect.objectContaining({ mid: 'm_rated', responseFeedback: 'bad' }),
      ]);
    });
  });

  it('filters by the time of the latest feedback, from included, to excluded', async () => {
    const from = new Date(T0 + 1000).toISOString();
    const to = new Date(T0 + 3000).toISOString();
    expect(await summary(`pageId=${PAGE}&from=${from}&to=${to}`)).toEqual({
      good: 1,
      bad: 1,
      total: 2,
      goodRate: 0.5,
    });
  });

  it('refuses a bad range', async () => {
    const res = await t.api('/api/response-feedback?from=2026-11-02&to=2026-11-01');
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: ['from must not be after to'],
    });
  });
});
