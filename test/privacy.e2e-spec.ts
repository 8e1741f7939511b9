import { ManualClock } from '../src/common/clock';
import { RetentionSweeper } from '../src/privacy/retention-sweeper.service';
import {
  conversationFactory,
  feedbackDelivery,
  responseFeedbackDelivery,
} from './messenger-factories';
import { DAY, startSurveyApp } from './surveys-fixtures';
import { eventually, readJson, startTestApp, type TestApp } from './test-app';

const PAGE = '7200000000000001';
const ERASED = '7100000000000001';
const OTHER = '7100000000000002';
/** Words only the erased customer wrote. */
const WORDS = 'zebrafinch';

/** Every text and JSON column of every table, with the rows holding `needle` (information_schema). */
async function tablesHolding(t: TestApp, needles: string[]): Promise<string[]> {
  const { rows: columns } = await t.prisma.pool.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND data_type IN ('text', 'character', 'character varying', 'jsonb', 'json')`,
  );
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    for (const needle of needles) {
      const { rows } = await t.prisma.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${table}" WHERE strpos("${column}"::text, $1) > 0`,
        [needle],
      );
      if (rows[0].n > 0) found.push(`${table}.${column} holds ${needle} (${rows[0].n})`);
    }
  }
  return found;
}

const allProcessed = (t: TestApp) =>
  eventually(async () => {
    const { rows } = await t.prisma.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_events WHERE status NOT IN ('processed', 'unknown', 'dead')`,
    );
    expect(rows[0].n).toBe(0);
  });

interface Erasure {
  id: string;
  pageId: string;
  status: string;
  erased: Record<string, number>;
  doneAt: string | null;
}
interface Mids {
  items: { mid: string }[];
}
const mids = async (t: TestApp, user: string): Promise<string[]> => {
  const page = (await readJson(await t.api(`/api/conversations/${PAGE}/${user}/messages`))) as Mids;
  return page.items.map((m) => m.mid).sort();
};

const waitDone = (t: TestApp, id: string): Promise<Erasure> =>
  eventually(async () => {
    const body = (await readJson(await t.api(`/api/erasures/${id}`))) as Erasure;
    expect(body.status).toBe('done');
    return body;
  }, 20_000);

describe('customer erasure and export', () => {
  const f = conversationFactory({ page: PAGE, start: Date.now() - 3_600_000, userPrefix: 'x' });
  let t: TestApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, close } = await startSurveyApp({ MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-secret' }));
  });
  afterAll(() => close());

  /** The erased customer's whole history, beside another customer's. */
  async function history(): Promise<void> {
    // One delivery batching both customers' messages, which Meta sends twice: the second copy's
    // events are duplicates, so only its raw body names them.
    const batched = [
      f.inbound(ERASED, 1, { message: { mid: 'm_e1', text: `hello ${WORDS} one` } }),
      f.inbound(OTHER, 1, { message: { mid: 'm_o1', text: 'hello from the other one' } }),
    ];
    await f.send(t, batched);
    await f.send(t, batched);
    await f.send(t, [f.echo(ERASED, 2, 'm_p1', { text: 'the Page answers' })]);
    await f.send(t, [f.echo(OTHER, 2, 'm_p2', { text: 'the Page answers the other' })]);
    await f.send(t, [
      f.inbound(ERASED, 3, {
        message: { mid: 'm_e2', text: `${WORDS} replies`, reply_to: { mid: 'm_p1' } },
      }),
      f.inbound(OTHER, 3, {
        message: { mid: 'm_o2', text: 'the other replies to them', reply_to: { mid: 'm_e1' } },
      }),
    ]);
    await f.send(t, [
      f.inbound(ERASED, 4, { message_edit: { mid: 'm_e1', text: `${WORDS} edited`, num_edit: 1 } }),
    ]);
    // An edit of a message this service never had (sent before the app was subscribed): it
    // names the customer only through who sent it.
    await f.send(t, [
      f.inbound(ERASED, 4, {
        message_edit: { mid: 'm_e_unseen', text: `${WORDS} edited, never seen`, num_edit: 2 },
      }),
    ]);
    await f.send(t, [
      f.inbound(ERASED, 5, {
        reaction: { mid: 'm_p1', action: 'react', reaction: 'love', emoji: '\u2764' },
      }),
    ]);
    await f.send(t, [f.inbound(ERASED, 5, { delivery: { mids: ['m_p1'], watermark: f.at(2) } })]);
    await f.send(t, [f.inbound(ERASED, 6, { read: { watermark: f.at(2) } })]);
    await f.send(t, [
      f.inbound(ERASED, 6, { postback: { title: `${WORDS} button`, payload: 'P' } }),
    ]);
    await f.send(t, [
      f.inbound(OTHER, 6, {
        reaction: { mid: 'm_p2', action: 'react', reaction: 'like', emoji: '\uD83D\uDC4D' },
      }),
    ]);
    for (const [user, score, comment] of [
      [ERASED, '2', `${WORDS} was slow`],
      [OTHER, '5', 'all good'],
    ]) {
      const res = await t.api('/api/surveys', {
        method: 'POST',
        json: { pageId: PAGE, recipientId: user, type: 'csat', followUp: true },
      });
      expect(res.status).toBe(201);
      const answered = await t.deliver(
        feedbackDelivery({
          pageId: PAGE,
          userId: user,
          timestamp: Date.now(),
          questions: { csat: { type: 'csat', payload: score, followUp: comment } },
        }),
      );
      expect(answered.status).toBe(200);
    }
    for (const [user, mid] of [
      [ERASED, 'm_p1'],
      [OTHER, 'm_p2'],
    ]) {
      const res = await t.deliver(
        responseFeedbackDelivery({
          pageId: PAGE,
          userId: user,
          mid,
          feedback: 'Bad response',
          timestamp: f.at(7),
        }),
      );
      expect(res.status).toBe(200);
    }
    await allProcessed(t);
  }

  const answers = async () => {
    const scores = await readJson(await t.api(`/api/scores?pageId=${PAGE}`));
    const trend = await readJson(await t.api(`/api/scores/csat/trend?pageId=${PAGE}&interval=day`));
    const comments = await readJson(await t.api(`/api/scores/comments?pageId=${PAGE}`));
    const feedback = await readJson(await t.api(`/api/response-feedback?pageId=${PAGE}`));
    return { scores, trend, comments: comments.items.length, bad: feedback.bad as number };
  };

  it('exports everything the API shows, then erases it all and nothing else', async () => {
    await history();
    const before = await answers();
    expect(before.comments).toBe(2);

    const exported = await t.api(`/api/customers/${PAGE}/${ERASED}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('application/json');
    const doc = await readJson(exported);
    expect(doc).toMatchObject({ pageId: PAGE, userId: ERASED });
    const exportedMids = (doc as { messages: { mid: string }[] }).messages.map((m) => m.mid).sort();
    expect(exportedMids).toEqual(await mids(t, ERASED));
    expect(exportedMids).toEqual(['m_e1', 'm_e2', 'm_p1']);
    // Both edits, the one of a message never stored too.
    const editedMids = (doc as { messageEdits: { mid: string }[] }).messageEdits.map((e) => e.mid);
    expect(editedMids.sort()).toEqual(['m_e1', 'm_e_unseen']);
    expect(doc.messageReceipts.length).toBeGreaterThan(0);
    expect(doc.reactions).toHaveLength(1);
    expect(doc.conversationEvents).toHaveLength(1);
    expect(doc.surveys).toHaveLength(1);
    expect(doc.surveyAnswers[0]).toMatchObject({ follow_up_text: `${WORDS} was slow`, score: 2 });
    expect(doc.responseFeedback).toHaveLength(1);
    expect(doc.webhookEvents.length).toBeGreaterThanOrEqual(9);
    expect(JSON.stringify(doc)).not.toContain(OTHER);

    const res = await t.api(`/api/customers/${PAGE}/${ERASED}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    const accepted = await readJson(res);
    expect(accepted).toEqual({
      id: expect.any(String),
      status: expect.stringMatching(/running|done/),
    });
    const done = await waitDone(t, accepted.id);
    expect(done).toMatchObject({ id: accepted.id, pageId: PAGE, doneAt: expect.any(String) });
    expect(done.erased).toMatchObject({
      messages: 3,
      message_edits: 2,
      message_reactions: 1,
      conversation_events: 1,
      response_feedback: 1,
      surveys_anonymised: 1,
      survey_answers_anonymised: 1,
      webhook_deliveries_rewritten: 3,
    });

    expect(await tablesHolding(t, [ERASED, WORDS])).toEqual([]);
    // The other customer: every message, the reply to an erased message included, and its events.
    expect(await mids(t, OTHER)).toEqual(['m_o1', 'm_o2', 'm_p2']);
    const { rows } = await t.prisma.pool.query(
      `SELECT body FROM webhook_deliveries WHERE strpos(body, 'the other replies to them') > 0`,
    );
    expect(rows).toHaveLength(1);
    // Both copies of the batched delivery keep the other customer's message.
    const copies = await t.prisma.pool.query(
      `SELECT body FROM webhook_deliveries WHERE strpos(body, 'hello from the other one') > 0`,
    );
    expect(copies.rows).toHaveLength(2);
    // Scores, trends and comment counts answer exactly as before; the customer's response
    // feedback is erased with them, so it no longer counts.
    expect(await answers()).toEqual({ ...before, bad: before.bad - 1 });
    expect((await t.api(`/api/conversations/${PAGE}/${ERASED}/messages`)).status).toBe(404);

    // Idempotent: again finds nothing; a later message of theirs is stored as usual.
    const again = await readJson(
      await t.api(`/api/customers/${PAGE}/${ERASED}`, { method: 'DELETE' }),
    );
    expect(again.id).not.toBe(accepted.id);
    const second = await waitDone(t, again.id);
    expect(Object.values(second.erased).every((n) => n === 0)).toBe(true);
    await f.send(t, [f.inbound(ERASED, 20, { message: { mid: 'm_e3', text: 'back again' } })]);
    await eventually(async () => {
      expect(await mids(t, ERASED)).toEqual(['m_e3']);
    });
  });

  it('erases events not processed: dead, failed or still waiting', async () => {
    const users = ['x_dead', 'x_failed', 'x_pending'];
    for (const [i, user] of users.entries()) {
      await f.send(t, [
        f.inbound(user, 30 + i, { message: { mid: `m_${user}`, text: `${WORDS} ${user}` } }),
      ]);
    }
    await allProcessed(t);
    // As the backlog holds them: these rows are not in the index of processed events.
    for (const user of users) {
      await t.prisma.pool.query(
        `UPDATE webhook_events SET status = $2::"WebhookEventStatus", next_attempt_at = now() + interval '1 hour'
         WHERE user_id = $1`,
        [user, user.slice(2)],
      );
    }
    for (const user of users) {
      const res = await t.api(`/api/customers/${PAGE}/${user}`, { method: 'DELETE' });
      const done = await waitDone(t, (await readJson(res)).id);
      expect(done.erased).toMatchObject({ webhook_events: 1, webhook_deliveries: 1 });
    }
    expect(await tablesHolding(t, users)).toEqual([]);
  });

  it('refuses bad input and unknown erasures', async () => {
    expect((await t.api(`/api/erasures/not-a-uuid`)).status).toBe(404);
    expect((await t.api(`/api/erasures/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    const long = 'x'.repeat(300);
    const res = await t.api(`/api/customers/${PAGE}/${long}`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect((await readJson(res)).code).toBe('VALIDATION_FAILED');
    expect(
      (await t.api(`/api/customers/${PAGE}/${ERASED}`, { method: 'DELETE', auth: false })).status,
    ).toBe(401);
    expect((await t.api(`/api/customers/${PAGE}/${ERASED}/export`, { auth: false })).status).toBe(
      401,
    );
  });
});

describe('an erasure interrupted by a restart', () => {
  it('is resumed at the next start and finishes', async () => {
    const f = conversationFactory({ page: PAGE, start: Date.now() - 3_600_000, userPrefix: 'r' });
    let t = await startTestApp();
    try {
      await f.send(t, [
        f.inbound(ERASED, 1, { message: { mid: 'm_r1', text: `${WORDS} restarted` } }),
      ]);
      await allProcessed(t);
      await t.close({ keepStorage: true });
      // As a process that accepted the erasure and died before its worker ran leaves it.
      t = await startTestApp({}, { storage: t.storage });
      const stopped = t;
      const { rows } = await stopped.prisma.pool.query<{ id: string }>(
        `INSERT INTO customer_erasures (page_id, subject_hash, user_id, claimed_until)
         VALUES ($1, repeat('a', 64), $2, now() + interval '1 hour') RETURNING id::text`,
        [PAGE, ERASED],
      );
      // Leased by the dead process: only its end hands it over; a restart after a clean stop
      // finds it released.
      await stopped.prisma.pool.query(`UPDATE customer_erasures SET claimed_until = now()`);
      await stopped.close({ keepStorage: true });
      t = await startTestApp({}, { storage: stopped.storage });
      const done = await waitDone(t, rows[0].id);
      expect(done.erased.messages).toBe(1);
      expect(await tablesHolding(t, [ERASED, WORDS])).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('retention', () => {
  it('prunes old raw deliveries and processed events, keeps new, unknown and dead ones', async () => {
    const clock = new ManualClock();
    const f = conversationFactory({ page: PAGE, start: Date.now() - 3_600_000, userPrefix: 'k' });
    const t = await startTestApp(
      { RAW_RETENTION_DAYS: '30', RETENTION_SWEEP_INTERVAL_MS: '86400000' },
      { clock },
    );
    try {
      const user = f.newUser();
      const old = [f.inbound(user, 1, { message: { mid: 'm_old', text: 'old' } })];
      await f.send(t, old);
      await f.send(t, old); // sent again by Meta: a raw body, no new event
      await f.send(t, [f.inbound(user, 2, { mystery_field: { x: 1 } })]);
      await allProcessed(t);
      await t.prisma.pool.query(`UPDATE webhook_events SET status = 'dead' WHERE kind = 'message'`);
      await f.send(t, [f.inbound(user, 3, { message: { mid: 'm_new', text: 'new' } })]);
      await allProcessed(t);
      // The first three deliveries were received 40 days ago.
      await t.prisma.pool.query(
        `UPDATE webhook_deliveries SET received_at = now() - interval '40 days' WHERE id IN (SELECT id FROM webhook_deliveries ORDER BY id LIMIT 3);
         UPDATE webhook_redeliveries SET received_at = now() - interval '40 days';
         UPDATE webhook_events SET received_at = now() - interval '40 days' WHERE payload::text NOT LIKE '%m_new%';
         UPDATE webhook_events SET status = 'processed' WHERE kind = 'message' AND payload::text LIKE '%m_new%'`,
      );
      const counts = async () =>
        (
          await t.prisma.pool.query<{ deliveries: number; events: string[] }>(
            `SELECT (SELECT count(*)::int FROM webhook_deliveries) AS deliveries,
                    (SELECT array_agg(status::text ORDER BY id) FROM webhook_events) AS events`,
          )
        ).rows[0];
      expect(await counts()).toEqual({ deliveries: 4, events: ['dead', 'unknown', 'processed'] });
      const sweeper = t.app.get(RetentionSweeper);
      expect(await sweeper.sweep()).toMatchObject({
        webhook_deliveries: 3,
        webhook_redeliveries: 1,
      });
      // The dead and unknown events stay (3 × 30 days); the new delivery and event stay.
      expect(await counts()).toEqual({ deliveries: 1, events: ['dead', 'unknown', 'processed'] });
      clock.advance(20 * DAY);
      await sweeper.sweep();
      expect(await counts()).toEqual({ deliveries: 1, events: ['dead', 'unknown', 'processed'] });
      clock.advance(40 * DAY); // now 100 days after the old ones, 60 after the new
      await sweeper.sweep();
      expect(await counts()).toEqual({ deliveries: 0, events: null });
      // Conversation content is kept: MESSAGE_RETENTION_DAYS is unset.
      expect(await t.prisma.message.count()).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('keeps processed events 7 days whatever RAW_RETENTION_DAYS, and prunes messages with MESSAGE_RETENTION_DAYS', async () => {
    const clock = new ManualClock();
    const f = conversationFactory({ page: PAGE, start: Date.now() - 3_600_000, userPrefix: 'd' });
    const t = await startTestApp(
      { RAW_RETENTION_DAYS: '1', MESSAGE_RETENTION_DAYS: '10' },
      { clock },
    );
    try {
      const user = f.newUser();
      await f.send(t, [f.inbound(user, 1, { message: { mid: 'm_a', text: 'a' } })]);
      await allProcessed(t);
      const sweeper = t.app.get(RetentionSweeper);
      clock.advance(3 * DAY);
      expect(await sweeper.sweep()).toMatchObject({ webhook_deliveries: 1, webhook_events: 0 });
      expect(await t.prisma.webhookEvent.count()).toBe(1);
      expect(await t.prisma.message.count()).toBe(1);
      clock.advance(8 * DAY);
      expect(await sweeper.sweep()).toMatchObject({ webhook_events: 1, messages: 1 });
      expect(await t.prisma.message.count()).toBe(0);
      expect(await t.prisma.conversation.count()).toBe(1);
    } finally {
      await t.close();
    }
  });
});
