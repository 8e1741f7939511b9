import { WEBHOOK_BODY_LIMIT } from '../src/webhook/intake/webhook-delivery.route';
import { WebhookIntake } from '../src/webhook/intake/webhook-intake.service';
import { delivery, fixtureBytes, fixtureNames, PAGE_ID, textMessage } from './messenger-factories';
import { eventually, readJson, sign, startTestApp, TestApp } from './test-app';
import { eventsByMid, eventsOfBody, inboxCounts, listEvents } from './webhook-fixtures';

/** The kind each seed example is stored as (the parser spec reads their fields). */
const FIXTURE_KINDS: Record<string, string> = {
  'attachment-message.json': 'message',
  'event-format.json': 'unknown',
  'fallback-message.json': 'message',
  'messaging-feedback.json': 'messaging_feedback',
  'product-template-message.json': 'message',
  'reaction-helper.json': 'reaction',
  'reaction-schema.json': 'reaction',
  'reply-helper.json': 'message',
  'reply-message.json': 'message',
  'reply-schema.json': 'message',
  'response-feedback-bad.json': 'response_feedback',
  'response-feedback-good.json': 'response_feedback',
  'send-api-customer-feedback-request.json': 'unknown',
  'shops-referral-message.json': 'message',
  'text-message.json': 'message',
};

const MiB = 1024 * 1024;

/** A delivery of exactly `size` bytes: one text message whose text fills it. */
function deliveryOfSize(mid: string, size: number): string {
  const empty = JSON.stringify(delivery([textMessage(mid, '')]));
  return empty.replace('"text":""', `"text":"${'x'.repeat(size - empty.length)}"`);
}

describe(WebhookIntake.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Status and JSON error of a request that the server may answer before reading all its body. */
  async function outcome(request: Promise<Response>): Promise<{ status: number; body: unknown }> {
    const res = await request;
    return { status: res.status, body: await readJson(res) };
  }
  const TOO_LARGE = { status: 413, body: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) };

  describe('the seed examples', () => {
    it('does cover every fixture', () => {
      expect(fixtureNames()).toEqual(Object.keys(FIXTURE_KINDS).sort());
    });

    it.each(fixtureNames())('does accept %s verbatim and store its event', async (name) => {
      const bytes = fixtureBytes(name);
      const res = await t.deliver(bytes);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe('EVENT_RECEIVED');

      // Durable before the ack: the delivery and its event are there as soon as it answers.
      const events = await eventsOfBody(t, bytes);
      expect(events.map((event) => event.kind)).toEqual([FIXTURE_KINDS[name]]);
      const expected = FIXTURE_KINDS[name] === 'unknown' ? 'unknown' : 'processed';
      await eventually(async () => {
        expect((await eventsOfBody(t, bytes)).map((event) => event.status)).toEqual([expected]);
      });
    });
  });

  describe('body format and size', () => {
    it('does answer 400 to a signed body that is not JSON, and store nothing', async () => {
      const before = await inboxCounts(t);
      for (const body of ['{"object": "page", "entry": [', 'object=page', '{"a": 1} {"b": 2}']) {
        const res = await t.deliver(body);
        expect(res.status).toBe(400);
        expect(await readJson(res)).toMatchObject({ statusCode: 400, code: 'INVALID_JSON' });
      }
      expect(await inboxCounts(t)).toEqual(before);
    });

    it('does accept a signed delivery of 10 MiB', async () => {
      const body = deliveryOfSize('m_10mib', 10 * MiB);
      expect(Buffer.byteLength(body)).toBe(10 * MiB);
      const res = await t.deliver(body);
      expect(res.status).toBe(200);
      const [event] = await eventsByMid(t, ['m_10mib']);
      expect(event).toMatchObject({ kind: 'message' });
      expect(event.text).toHaveLength(
        10 * MiB - JSON.stringify(delivery([textMessage('m_10mib', '')])).length,
      );
    });

    it('does answer 413 to a delivery over the body limit, and store nothing', async () => {
      const before = await inboxCounts(t);
      const body = deliveryOfSize('m_too_large', WEBHOOK_BODY_LIMIT + 1);
      expect(await outcome(t.deliver(body))).toEqual(TOO_LARGE);
      expect(await inboxCounts(t)).toEqual(before);
    });

    it('does keep the large limit to /webhook: 2 MiB of JSON to an /api route is 413', async () => {
      const json = { padding: 'x'.repeat(2 * MiB) };
      const res = t.api('/api/webhook-events/1/retry', { method: 'POST', json });
      expect(await outcome(res)).toEqual(TOO_LARGE);
    });

    it('does accept JSON sent with a charset parameter', async () => {
      const body = JSON.stringify(delivery([textMessage('m_charset')]));
      const res = await fetch(`${t.baseUrl}/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'x-hub-signature-256': sign(body),
        },
        body,
      });
      expect(res.status).toBe(200);
      expect(await eventsByMid(t, ['m_charset'])).toHaveLength(1);
    });

    it('does refuse a signed body that is not sent as JSON, and store nothing', async () => {
      const body = JSON.stringify(delivery([textMessage('m_text_plain')]));
      const res = await fetch(`${t.baseUrl}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-hub-signature-256': sign(body) },
        body,
      });
      // Only the JSON parser keeps the raw bytes a signature is checked over.
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await eventsByMid(t, ['m_text_plain'])).toEqual([]);
    });
  });

  describe('exactly once', () => {
    it('does store each event once when the same delivery arrives 50 times at once', async () => {
      const mids = ['m_dup_1', 'm_dup_2', 'm_dup_3'];
      const body = JSON.stringify(delivery(mids.map((mid) => textMessage(mid))));
      const responses = await Promise.all(Array.from({ length: 50 }, () => t.deliver(body)));
      expect(responses.map((res) => res.status)).toEqual(Array(50).fill(200));
      expect(await Promise.all(responses.map((res) => res.text()))).toEqual(
        Array(50).fill('EVENT_RECEIVED'),
      );

      const events = await eventsByMid(t, mids);
      expect(events.map((event) => event.mid)).toEqual(mids);
      // Every acknowledged delivery is kept, even when all its events were already known.
      expect(await t.prisma.webhookDelivery.count({ where: { body } })).toBe(50);
      await eventually(async () => {
        const rows = await eventsByMid(t, mids);
        expect(rows.map((event) => [event.status, event.attempts])).toEqual(
          Array(3).fill(['processed', 1]),
        );
      });
    });

    it('does recognise an event repeated in another delivery, whatever its key order and spacing', async () => {
      const event = textMessage('m_repeated');
      const first = JSON.stringify(delivery([event]));
      const reordered = {
        timestamp: event.timestamp,
        message: event.message,
        recipient: event.recipient,
        sender: event.sender,
      };
      const second = JSON.stringify(delivery([reordered, textMessage('m_repeated_new')]), null, 2);
      expect((await t.deliver(first)).status).toBe(200);
      expect((await t.deliver(second)).status).toBe(200);
      expect(
        (await eventsByMid(t, ['m_repeated', 'm_repeated_new'])).map((row) => row.mid),
      ).toEqual(['m_repeated', 'm_repeated_new']);
    });

    it('does store the same event body from another Page as another event', async () => {
      const event = textMessage('m_two_pages');
      expect((await t.deliver(delivery([event], { pageId: '1000000000000002' }))).status).toBe(200);
      expect((await t.deliver(delivery([event], { pageId: '1000000000000003' }))).status).toBe(200);
      expect(await eventsByMid(t, ['m_two_pages'])).toHaveLength(2);
    });

    it('does store every event of every entry: 3 entries of 5 events are 15 events', async () => {
      const pages = ['1000000000000011', '1000000000000012', '1000000000000013'];
      const entry = (pageId: string) => ({
        id: pageId,
        time: 1_763_700_000_500,
        messaging: Array.from({ length: 5 }, (_, i) =>
          textMessage(`m_${pageId}_${i}`, `text ${i}`, { pageId }),
        ),
      });
      const body = JSON.stringify({ object: 'page', entry: pages.map(entry) });
      expect((await t.deliver(body)).status).toBe(200);
      const events = await eventsOfBody(t, body);
      expect(events).toHaveLength(15);
      expect(events.map((event) => event.pageId)).toEqual(
        pages.flatMap((pageId) => Array<string>(5).fill(pageId)),
      );
      expect(new Set(events.map((event) => event.mid)).size).toBe(15);
      await eventually(async () => {
        expect((await eventsOfBody(t, body)).every((event) => event.status === 'processed')).toBe(
          true,
        );
      });
    });

    it('does store and process all 1000 events of one delivery', async () => {
      const mids = Array.from({ length: 1000 }, (_, i) => `m_bulk_${i}`);
      const body = JSON.stringify(
        delivery(
          mids.map((mid, i) => textMessage(mid, `bulk ${i}`, { timestamp: 1_763_700_000_000 + i })),
        ),
      );
      expect((await t.deliver(body)).status).toBe(200);
      const events = await eventsOfBody(t, body);
      expect(events.map((event) => event.mid)).toEqual(mids);
      const { id: deliveryId } = await t.prisma.webhookDelivery.findFirstOrThrow({
        where: { body },
      });
      await eventually(async () => {
        const processed = await t.prisma.webhookEvent.count({
          where: { deliveryId, status: 'processed' },
        });
        expect(processed).toBe(1000);
      }, 30_000);
    });
  });

  describe('where events come from', () => {
    it('does store events of entry[].standby[] with source standby', async () => {
      const body = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: PAGE_ID,
            time: 1_763_700_000_500,
            messaging: [textMessage('m_primary')],
            standby: [textMessage('m_standby_1'), textMessage('m_standby_2')],
          },
        ],
      });
      expect((await t.deliver(body)).status).toBe(200);
      const events = await eventsOfBody(t, body);
      expect(events.map((event) => [event.mid, event.source, event.kind])).toEqual([
        ['m_primary', 'messaging', 'message'],
        ['m_standby_1', 'standby', 'message'],
        ['m_standby_2', 'standby', 'message'],
      ]);
      await eventually(async () => {
        expect((await eventsOfBody(t, body)).map((event) => event.status)).toEqual(
          Array(3).fill('processed'),
        );
      });
    });

    it('does keep unknown kinds and other objects as unknown, listed for operators', async () => {
      const unknownKind = JSON.stringify(
        delivery([
          {
            sender: { id: 'u_unknown_kind' },
            recipient: { id: PAGE_ID },
            timestamp: 1,
            brand_new_kind: { x: 1 },
          },
          textMessage('m_beside_unknown'),
        ]),
      );
      const instagram = JSON.stringify({
        object: 'instagram',
        entry: [
          {
            id: 'ig_1',
            time: 1,
            messaging: [{ ...textMessage('m_instagram'), sender: { id: 'u_instagram' } }],
          },
        ],
      });
      const noObject = JSON.stringify({
        entry: [{ id: PAGE_ID, time: 1, messaging: [{ sender: { id: 'u_no_object' } }] }],
      });
      for (const body of [unknownKind, instagram, noObject]) {
        const res = await t.deliver(body);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('EVENT_RECEIVED');
        const events = await eventsOfBody(t, body);
        expect(events[0]).toMatchObject({ kind: 'unknown', status: 'unknown' });
        expect(events.slice(1).map((event) => event.kind)).toEqual(
          body === unknownKind ? ['message'] : [],
        );
      }
      // Once the known event beside it is processed, the unknown one is still there for operators.
      await eventually(async () => {
        const events = await eventsOfBody(t, unknownKind);
        expect(events.map((event) => [event.kind, event.status])).toEqual([
          ['unknown', 'unknown'],
          ['message', 'processed'],
        ]);
      });
      expect((await eventsOfBody(t, instagram))[0].object).toBe('instagram');

      const { items } = await listEvents(t, 'status=unknown&limit=500');
      expect(items.map((item) => item.userId)).toEqual(
        expect.arrayContaining(['u_unknown_kind', 'u_instagram', 'u_no_object']),
      );
      expect(items.find((item) => item.userId === 'u_instagram')).toMatchObject({
        kind: 'unknown',
        status: 'unknown',
        pageId: 'ig_1',
        attempts: 0,
        lastError: null,
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
    });
  });
});
