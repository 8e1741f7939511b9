import { EventBus } from '../src/events/event-bus';
import { SurveyExpiry } from '../src/surveys/survey-expiry.service';
import { parseDelivery } from '../src/webhook/intake/messenger-event.parser';
import type { FakeGraphApi } from './fake-graph-api';
import { FeedbackAnswerFixture, feedbackDelivery } from './messenger-factories';
import { DAY, HOUR, seedConversation, startSurveyApp } from './surveys-fixtures';
import { eventually, readJson, TestApp } from './test-app';

const PAGE = '3001';
const OTHER_PAGE = '3002';

describe('messaging_feedback answers', () => {
  let t: TestApp;
  let fake: FakeGraphApi;
  let close: () => Promise<void>;
  let next = 0;
  /** A customer who wrote an hour ago on both Pages. */
  const customer = async (): Promise<string> => {
    const id = `${8_000_000 + ++next}`;
    for (const page of [PAGE, OTHER_PAGE]) {
      await seedConversation(t.prisma, page, id, new Date(Date.now() - HOUR));
    }
    return id;
  };
  const sendSurvey = async (json: Record<string, unknown>): Promise<string> => {
    const res = await t.api('/api/surveys', { method: 'POST', json: { pageId: PAGE, ...json } });
    expect(res.status).toBe(201);
    return ((await readJson(res)) as { id: string }).id;
  };
  const survey = async (id: string): ReturnType<typeof readJson> =>
    readJson(await t.api(`/api/surveys/${id}`));
  const answer = async (
    userId: string,
    questions: Record<string, FeedbackAnswerFixture>,
    options: { pageId?: string; timestamp?: number } = {},
  ) => {
    const res = await t.deliver(
      feedbackDelivery({
        pageId: options.pageId ?? PAGE,
        userId,
        timestamp: options.timestamp ?? Date.now(),
        questions,
      }),
    );
    expect(res.status).toBe(200);
  };
  const answersOf = (userId: string) =>
    t.prisma.surveyAnswer.findMany({ where: { userId }, orderBy: { id: 'asc' } });
  /** Waits until `count` answers of the customer are stored. */
  const stored = (userId: string, count: number) =>
    eventually(async () => {
      const rows = await answersOf(userId);
      expect(rows).toHaveLength(count);
      return rows;
    });
  const scores = async (query = ''): ReturnType<typeof readJson> =>
    readJson(await t.api(`/api/scores?pageId=${PAGE}${query}`));

  beforeAll(async () => {
    ({ t, fake, close } = await startSurveyApp({
      MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-secret',
    }));
  });
  afterAll(() => close());

  it('marks the survey responded with the score and the follow-up', async () => {
    const userId = await customer();
    const id = await sendSurvey({ recipientId: userId, type: 'csat', followUp: true });
    const submitted = Date.now();
    await answer(
      userId,
      { csat: { type: 'csat', payload: '4', followUp: 'Quick delivery' } },
      { timestamp: submitted },
    );
    await eventually(async () => {
      expect(await survey(id)).toMatchObject({
        status: 'responded',
        response: {
          score: 4,
          followUpText: 'Quick delivery',
          submittedAt: new Date(submitted).toISOString(),
        },
        error: null,
      });
    });
  });

  it('answers the newest unanswered survey first, then the one before', async () => {
    const userId = await customer();
    const older = await sendSurvey({ recipientId: userId, type: 'nps' });
    const newer = await sendSurvey({ recipientId: userId, type: 'nps' });
    await answer(userId, { nps: { type: 'nps', payload: '9' } });
    await eventually(async () => expect((await survey(newer)).response?.score).toBe(9));
    expect((await survey(older)).status).toBe('sent');

    await answer(userId, { nps: { type: 'nps', payload: '3' } });
    await eventually(async () => expect((await survey(older)).response?.score).toBe(3));

    // Both surveys are answered: the third answer matches none but still counts.
    await answer(userId, { nps: { type: 'nps', payload: '10' } });
    const rows = await stored(userId, 3);
    expect(rows.map((row) => [row.score, row.surveyId])).toEqual([
      [9, newer],
      [3, older],
      [10, null],
    ]);
  });

  describe('exact matching', () => {
    /** The question id Meta received for the last survey sent to `userId`. */
    const sentQuestionIdTo = (userId: string): string => {
      const body = fake.sent
        .map((r) => r.body as SentSurvey)
        .filter((b) => b.recipient.id === userId)
        .at(-1);
      const id = body?.message.attachment.payload.feedback_screens[0].questions[0].id;
      if (id === undefined) throw new Error(`no survey sent to ${userId}`);
      return id;
    };

    it('sends each survey with a question id of its own, within 80 characters of [A-Za-z0-9_]', async () => {
      const userId = await customer();
      const first = await sendSurvey({ recipientId: userId, type: 'csat' });
      const firstSent = sentQuestionIdTo(userId);
      const second = await sendSurvey({
        recipientId: userId,
        type: 'csat',
        questionId: 'q'.repeat(80),
      });
      const secondSent = sentQuestionIdTo(userId);
      expect(firstSent).toBe(`csat__${first.replaceAll('-', '')}`);
      expect(secondSent).toMatch(/^[A-Za-z0-9_]{80}$/);
      expect(secondSent.endsWith(second.replaceAll('-', ''))).toBe(true);
      // The API shows the client's question id, not the one sent.
      expect((await survey(first)).questionId).toBe('csat');
      expect((await survey(second)).questionId).toBe('q'.repeat(80));
    });

    it('gives two open surveys of one type to one customer each their own answer', async () => {
      const userId = await customer();
      const older = await sendSurvey({ recipientId: userId, type: 'nps' });
      const olderSent = sentQuestionIdTo(userId);
      const newer = await sendSurvey({ recipientId: userId, type: 'nps' });
      const newerSent = sentQuestionIdTo(userId);
      const before = await scores('&questionId=nps');
      // The older survey is answered first: by question id alone the newer one would take it.
      await answer(userId, { [olderSent]: { type: 'nps', payload: '2' } });
      await eventually(async () => expect((await survey(older)).response?.score).toBe(2));
      expect((await survey(newer)).status).toBe('sent');
      await answer(userId, { [newerSent]: { type: 'nps', payload: '10' } });
      await eventually(async () => expect((await survey(newer)).response?.score).toBe(10));
      expect((await survey(older)).response?.score).toBe(2);

      // Stored and scored under the client's question id.
      const rows = await stored(userId, 2);
      expect(rows.map((row) => [row.questionId, row.surveyId, row.score])).toEqual([
        ['nps', older, 2],
        ['nps', newer, 10],
      ]);
      const after = await scores('&questionId=nps');
      expect(after.nps.responses - before.nps.responses).toBe(2);
    });

    it('lets an answer naming a survey answer only that survey, and only once', async () => {
      const userId = await customer();
      const stranger = await customer();
      const id = await sendSurvey({ recipientId: userId, type: 'csat' });
      const sent = sentQuestionIdTo(userId);
      // Another customer, or another Page, cannot answer it with its question id.
      await answer(stranger, { [sent]: { type: 'csat', payload: '1' } });
      await answer(userId, { [sent]: { type: 'csat', payload: '1' } }, { pageId: OTHER_PAGE });
      await stored(stranger, 1);
      await stored(userId, 1);
      expect((await survey(id)).status).toBe('sent');
      await answer(userId, { [sent]: { type: 'csat', payload: '5' } });
      await eventually(async () => expect((await survey(id)).response?.score).toBe(5));
      // A second answer to the same survey matches no other open survey.
      const other = await sendSurvey({ recipientId: userId, type: 'csat' });
      await answer(userId, { [sent]: { type: 'csat', payload: '3' } });
      const rows = await stored(userId, 3);
      expect(rows.map((row) => [row.questionId, row.surveyId])).toEqual([
        ['csat', null],
        ['csat', id],
        ['csat', null],
      ]);
      expect((await survey(other)).status).toBe('sent');
    });
  });

  it('matches only the same customer, Page and question id', async () => {
    const userId = await customer();
    const stranger = await customer();
    const id = await sendSurvey({ recipientId: userId, type: 'ces', questionId: 'effort' });
    const before = await scores();
    await answer(stranger, { effort: { type: 'ces', payload: '6' } });
    await answer(userId, { effort: { type: 'ces', payload: '6' } }, { pageId: OTHER_PAGE });
    await answer(userId, { other_question: { type: 'ces', payload: '6' } });
    await stored(stranger, 1);
    const rows = await stored(userId, 2);
    expect(rows.every((row) => row.surveyId === null)).toBe(true);
    expect((await survey(id)).status).toBe('sent');
    // Unmatched answers still count: the two on this Page.
    const after = await scores();
    expect(after.ces.responses - before.ces.responses).toBe(2);
    expect(after.ces.distribution['6'] - before.ces.distribution['6']).toBe(2);
  });

  it('keeps an invalid score, counted nowhere, and leaves the survey open', async () => {
    const userId = await customer();
    const id = await sendSurvey({ recipientId: userId, type: 'csat' });
    const before = await scores();
    await answer(userId, { csat: { type: 'csat', payload: '6', followUp: 'six stars!' } });
    const [invalid] = await stored(userId, 1);
    expect(invalid).toMatchObject({ score: 6, payload: '6', valid: false, surveyId: null });
    expect((await survey(id)).status).toBe('sent');
    const after = await scores();
    expect(after.csat).toEqual(before.csat);
    expect(after.surveys).toEqual(before.surveys);
    const comments = await readJson(await t.api('/api/scores/comments?limit=500'));
    expect((comments.items as { text: string }[]).map((c) => c.text)).not.toContain('six stars!');

    await answer(userId, { csat: { type: 'csat', payload: '5' } });
    await eventually(async () => expect((await survey(id)).status).toBe('responded'));
  });

  it('cuts a follow-up longer than 400 characters', async () => {
    const userId = await customer();
    await answer(userId, { csat: { type: 'csat', payload: '3', followUp: 'é'.repeat(450) } });
    const [row] = await stored(userId, 1);
    expect(row.followUpText).toBe('é'.repeat(400));
  });

  it('counts an answer delivered twice once', async () => {
    const userId = await customer();
    const id = await sendSurvey({ recipientId: userId, type: 'ces' });
    const before = await scores();
    const body = feedbackDelivery({
      pageId: PAGE,
      userId,
      timestamp: Date.now(),
      questions: { ces: { type: 'ces', payload: '7' } },
    });
    expect((await t.deliver(body)).status).toBe(200);
    expect((await t.deliver(body)).status).toBe(200);
    await stored(userId, 1);
    // The same event published again and concurrently, as the sweeper may do.
    const bus = t.app.get(EventBus);
    const [event] = parseDelivery(body);
    await Promise.all([bus.publish(event), bus.publish(event), bus.publish(event)]);
    await stored(userId, 1);
    const after = await scores();
    expect(after.ces.responses - before.ces.responses).toBe(1);
    expect(after.surveys.responded - before.surveys.responded).toBe(1);
    expect((await survey(id)).status).toBe('responded');
  });

  it('gives a survey to one of two answers handled at the same time', async () => {
    const userId = await customer();
    const id = await sendSurvey({ recipientId: userId, type: 'csat' });
    const bus = t.app.get(EventBus);
    const events = [4, 5].map((score, i) =>
      parseDelivery(
        feedbackDelivery({
          pageId: PAGE,
          userId,
          timestamp: Date.now() + i,
          questions: { csat: { type: 'csat', payload: String(score) } },
        }),
      ),
    );
    await Promise.all(events.map(([event]) => bus.publish(event)));
    const rows = await stored(userId, 2);
    expect(rows.filter((row) => row.surveyId === id)).toHaveLength(1);
    expect(rows.filter((row) => row.surveyId === null)).toHaveLength(1);
    expect((await survey(id)).status).toBe('responded');
  });

  describe('expiry', () => {
    const pastDue = (id: string, sentAgo: number, expiredAgo: number) =>
      t.prisma.survey.update({
        where: { id },
        data: {
          sentAt: new Date(Date.now() - sentAgo),
          expiresAt: new Date(Date.now() - expiredAgo),
        },
      });

    it('reads a survey past its expiry as expired, before and after the job marks it', async () => {
      const userId = await customer();
      const id = await sendSurvey({ recipientId: userId, type: 'nps' });
      const before = await scores();
      await pastDue(id, 2 * DAY, DAY);

      expect((await survey(id)).status).toBe('expired');
      const listed = await readJson(
        await t.api(`/api/surveys?recipientId=${userId}&status=expired`),
      );
      expect((listed.items as { id: string }[]).map((s) => s.id)).toEqual([id]);
      expect((await scores()).surveys.expired - before.surveys.expired).toBe(1);

      await t.app.get(SurveyExpiry).expireDue();
      expect((await t.prisma.survey.findUniqueOrThrow({ where: { id } })).status).toBe('expired');
      expect((await survey(id)).status).toBe('expired');
      const after = await scores();
      expect(after.surveys.expired - before.surveys.expired).toBe(1);
      // Counted as sent when it was sent; expiring does not change that.
      expect(after.surveys.sent).toBe(before.surveys.sent);

      // Submitted after the expiry: no survey to answer, but it counts in the scores.
      await answer(userId, { nps: { type: 'nps', payload: '8' } });
      const [late] = await stored(userId, 1);
      expect(late.surveyId).toBeNull();
      expect((await survey(id)).status).toBe('expired');
    });

    it('answers an expired survey with an answer submitted in time but delivered late', async () => {
      const userId = await customer();
      const id = await sendSurvey({ recipientId: userId, type: 'csat' });
      await pastDue(id, 2 * DAY, DAY);
      await t.app.get(SurveyExpiry).expireDue();
      const before = await scores();

      await answer(
        userId,
        { csat: { type: 'csat', payload: '2' } },
        { timestamp: Date.now() - 1.5 * DAY },
      );
      await eventually(async () => expect((await survey(id)).status).toBe('responded'));
      const after = await scores();
      expect(after.surveys.expired - before.surveys.expired).toBe(-1);
      expect(after.surveys.responded - before.surveys.responded).toBe(1);
      expect(after.surveys.sent).toBe(before.surveys.sent);
    });
  });
});

/** The part of a Send API body that holds the question id. */
interface SentSurvey {
  recipient: { id: string };
  message: {
    attachment: { payload: { feedback_screens: { questions: { id: string }[] }[] } };
  };
}
