import { EventEmitter2 } from '@nestjs/event-emitter';
import type { MessageDetailDto } from '../src/conversations/dto/message.dto';
import { MessageReceivedEvent } from '../src/events/messenger-events';
import { PermanentEventError } from '../src/events/permanent-event.error';
import { delivery, PAGE_ID, textMessage, USER_ID } from './messenger-factories';
import { eventually, readJson, startTestApp, TestApp } from './test-app';
import { eventsByMid, eventsOfBody, listEvents, ListedEvent } from './webhook-fixtures';

/**
 * Payloads real Pages send that differ from the reference examples (times in seconds, legacy
 * spellings, the App Dashboard's test shape), and events that can never be processed.
 */
describe('real payloads and unprocessable events', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      WEBHOOK_RETRY_BASE_MS: '10',
      WEBHOOK_SWEEP_INTERVAL_MS: '50',
      WEBHOOK_MAX_ATTEMPTS: '3',
    });
  });
  afterAll(() => t.close());

  async function message(mid: string): Promise<MessageDetailDto> {
    const res = await t.api(`/api/messages/${encodeURIComponent(mid)}`);
    expect(res.status).toBe(200);
    return (await readJson(res)) as MessageDetailDto;
  }

  /** The listed event of one mid, once it has left `pending`/`failed` for `status`. */
  async function listedByMid(mid: string, status: string): Promise<ListedEvent> {
    return eventually(async () => {
      const [row] = await eventsByMid(t, [mid]);
      expect(row?.status).toBe(status);
      const { items } = await listEvents(t, `status=${status}&limit=500`);
      const item = items.find((listed) => listed.id === row.id);
      expect(item).toBeDefined();
      return item as ListedEvent;
    });
  }

  describe('times', () => {
    it('does read a timestamp in seconds as that time, not as January 1970', async () => {
      const seconds = 1_763_700_000;
      const event = { ...textMessage('m_seconds'), timestamp: seconds };
      expect((await t.deliver(delivery([event], { time: seconds }))).status).toBe(200);
      const read = await eventually(() => message('m_seconds'));
      expect(read.timestamp).toBe(new Date(seconds * 1000).toISOString());
    });

    it('does fall back to entry.time when the timestamp is out of range', async () => {
      const event = { ...textMessage('m_huge_ts'), timestamp: 1e300 };
      expect((await t.deliver(delivery([event], { time: 1_763_700_000_500 }))).status).toBe(200);
      const read = await eventually(() => message('m_huge_ts'));
      expect(read.timestamp).toBe(new Date(1_763_700_000_500).toISOString());
    });
  });

  it('does keep the link of a legacy fallback attachment spelled "URL"', async () => {
    const url = 'https://www.facebook.com/l.php?u=https%3A%2F%2Fyoutu.be%2Fbbo_fZAjIhg';
    const event = textMessage('m_legacy_fallback');
    event.message = {
      mid: 'm_legacy_fallback',
      attachments: [
        { type: 'fallback', title: 'TAHITI - Heaven on Earth', URL: url, payload: null },
      ],
    };
    expect((await t.deliver(delivery([event]))).status).toBe(200);
    const read = await eventually(() => message('m_legacy_fallback'));
    expect(read.attachments).toEqual([
      {
        type: 'fallback',
        url,
        title: 'TAHITI - Heaven on Earth',
        stickerId: null,
        coordinates: null,
        product: null,
      },
    ]);
  });

  it('does store the App Dashboard\'s "Test" delivery (a messages change) as a message', async () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: '0',
          time: 1_763_700_000,
          changes: [
            {
              field: 'messages',
              value: {
                sender: { id: '12334' },
                recipient: { id: PAGE_ID },
                timestamp: '1763700000',
                message: { mid: 'test_message_id', text: 'test_message' },
              },
            },
          ],
        },
      ],
    };
    expect((await t.deliver(body)).status).toBe(200);
    const [stored] = await eventsOfBody(t, JSON.stringify(body));
    expect(stored).toMatchObject({ kind: 'message', source: 'changes', userId: '12334' });
    const read = await eventually(() => message('test_message_id'));
    expect(read).toMatchObject({
      pageId: PAGE_ID,
      userId: '12334',
      direction: 'inbound',
      text: 'test_message',
      timestamp: new Date(1_763_700_000_000).toISOString(),
    });
  });

  it('does process a message whose text holds a NUL on the first attempt', async () => {
    const body = JSON.stringify(delivery([textMessage('m_nul_first', 'a\u0000b')]));
    expect(body).toContain('\\u0000');
    expect((await t.deliver(body)).status).toBe(200);
    await eventually(async () => {
      expect(await eventsByMid(t, ['m_nul_first'])).toMatchObject([
        { status: 'processed', attempts: 1, lastError: null },
      ]);
    });
    expect((await message('m_nul_first')).text).toBe('a\uFFFDb');
  });

  describe('reasons', () => {
    it('does show why an event is unknown', async () => {
      const instagram = {
        object: 'instagram',
        entry: [{ id: 'ig_reason', time: 1_763_700_000_500, messaging: [textMessage('m_ig')] }],
      };
      const messageRequest = delivery([
        {
          sender: { id: 'u_message_request' },
          recipient: { id: PAGE_ID },
          timestamp: 1_763_700_000_000,
          message_request: 'accept',
        },
      ]);
      for (const body of [instagram, messageRequest]) {
        expect((await t.deliver(body)).status).toBe(200);
      }
      const { items } = await listEvents(t, 'status=unknown&limit=500');
      expect(items.find((item) => item.pageId === 'ig_reason')).toMatchObject({
        status: 'unknown',
        lastError: null,
        reason: 'object:instagram',
      });
      expect(items.find((item) => item.userId === 'u_message_request')).toMatchObject({
        status: 'unknown',
        reason: 'unrecognised event: message_request',
      });
    });
  });

  describe('events that can never be processed', () => {
    it.each([
      [
        'a message without a sender',
        {
          recipient: { id: PAGE_ID },
          timestamp: 1_763_700_000_000,
          message: { mid: 'm_no_sender', text: 'x' },
        },
        'message event without a customer id (sender)',
      ],
      [
        'a message with no plausible time at all',
        { ...textMessage('m_no_time'), timestamp: 1e300 },
        expect.stringMatching(/^no plausible time/),
      ],
      [
        'a message whose mid is 1 MiB long',
        textMessage(`m_${'x'.repeat(1024 * 1024)}`),
        'the message id is longer than 1024 bytes',
      ],
    ])('does set aside %s as dead at the first attempt, with why', async (_name, event, reason) => {
      const body = { object: 'page', entry: [{ id: PAGE_ID, messaging: [event] }] };
      expect((await t.deliver(body)).status).toBe(200);
      const mid = ((event as Record<string, unknown>).message as { mid: string }).mid;
      const listed = await listedByMid(mid, 'dead');
      expect(listed).toMatchObject({ status: 'dead', attempts: 1, reason });
      expect(listed.lastError).toMatch(/^PermanentEventError: /);
    });

    it.each([
      [
        'response_feedback',
        '7770001',
        { response_feedback: { feedback: 'Good response', mid: 'm_feedback_no_sender' } },
      ],
      [
        'messaging_feedback',
        '7770002',
        {
          messaging_feedback: {
            feedback_screens: [
              { screen_id: 0, questions: { csat: { type: 'csat', payload: '5' } } },
            ],
          },
        },
      ],
    ])('does set aside a %s without a customer as dead, not drop it', async (kind, page, value) => {
      const event = { recipient: { id: page }, timestamp: Date.now(), ...value };
      const body = { object: 'page', entry: [{ id: page, time: Date.now(), messaging: [event] }] };
      expect((await t.deliver(body)).status).toBe(200);
      const listed = await eventually(async () => {
        const { items } = await listEvents(t, 'status=dead&limit=500');
        const item = items.find((dead) => dead.pageId === page);
        expect(item).toBeDefined();
        return item as ListedEvent;
      });
      expect(listed).toMatchObject({
        kind,
        attempts: 1,
        reason: `${kind} without a customer (sender.id)`,
      });
      expect(listed.lastError).toMatch(/^PermanentEventError: /);
    });

    describe('decided in one place for every handler', () => {
      const seen: string[] = [];
      const failing = (event: MessageReceivedEvent): void => {
        const { mid } = event.data;
        if (!mid.startsWith('m_fails_')) return;
        seen.push(mid);
        if (mid === 'm_fails_permanent') throw new PermanentEventError('cannot be placed');
        // A database that is restarting: worth trying again.
        throw Object.assign(new Error('terminating connection'), { code: '57P01' });
      };
      beforeAll(() => t.app.get(EventEmitter2).on(MessageReceivedEvent.eventName, failing));
      afterAll(() => t.app.get(EventEmitter2).off(MessageReceivedEvent.eventName, failing));

      it('does set aside an event a handler finds permanent at once', async () => {
        expect((await t.deliver(delivery([textMessage('m_fails_permanent')]))).status).toBe(200);
        expect(await listedByMid('m_fails_permanent', 'dead')).toMatchObject({
          attempts: 1,
          reason: 'cannot be placed',
          lastError: 'PermanentEventError: cannot be placed',
        });
        expect(seen.filter((mid) => mid === 'm_fails_permanent')).toEqual(['m_fails_permanent']);
      });

      it('does keep retrying a transient failure until its attempts are spent', async () => {
        expect((await t.deliver(delivery([textMessage('m_fails_transient')]))).status).toBe(200);
        const listed = await listedByMid('m_fails_transient', 'dead');
        expect(listed).toMatchObject({
          attempts: 3,
          reason: 'gave up after 3 attempts: Error: terminating connection',
        });
        expect(seen.filter((mid) => mid === 'm_fails_transient')).toHaveLength(3);
      });
    });
  });

  it('does clear the reason once a dead event is retried and processed', async () => {
    const [row] = await eventsByMid(t, ['m_fails_permanent']);
    const res = await t.api(`/api/webhook-events/${row.id}/retry`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await readJson(res)).toMatchObject({ status: 'pending', reason: null });
    await eventually(async () => {
      expect(await eventsByMid(t, ['m_fails_permanent'])).toMatchObject([{ status: 'processed' }]);
    });
    expect((await message('m_fails_permanent')).userId).toBe(USER_ID);
  });
});
