import type { Page } from '../src/common/pagination';
import type { ConversationDto } from '../src/conversations/dto/conversation.dto';
import type { MessageDetailDto, MessageDto } from '../src/conversations/dto/message.dto';
import { eventually, readJson, startTestApp, TestApp } from './test-app';
import { conversationFactory } from './messenger-factories';

const f = conversationFactory({
  page: '100000000000001',
  start: Date.UTC(2026, 10, 1, 9, 0, 0),
  userPrefix: '3000000000',
});
const { page: PAGE, at, iso, newUser, inbound } = f;
const echo = (
  user: string,
  seconds: number,
  mid: string,
  fields: Record<string, unknown> = {},
): unknown =>
  f.echo(user, seconds, mid, {
    app_id: 1517776481860111,
    metadata: 'agent:7',
    text: `sent ${mid}`,
    ...fields,
  });

describe('messages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const send = (...events: unknown[]): Promise<void> => f.send(t, events);

  async function messagesOf(user: string, query = ''): Promise<Page<MessageDto>> {
    const res = await t.api(`/api/conversations/${PAGE}/${user}/messages${query}`);
    expect(res.status).toBe(200);
    return (await readJson(res)) as Page<MessageDto>;
  }

  async function message(mid: string): Promise<MessageDetailDto> {
    const res = await t.api(`/api/messages/${encodeURIComponent(mid)}`);
    expect(res.status).toBe(200);
    return (await readJson(res)) as MessageDetailDto;
  }

  /** Waits until the conversation holds `count` messages and returns them. */
  async function settled(user: string, count: number): Promise<MessageDto[]> {
    return eventually(async () => {
      const body = await messagesOf(user, '?limit=500');
      expect(body.items).toHaveLength(count);
      return body.items;
    });
  }

  describe('GET /api/conversations/{pageId}/{userId}/messages', () => {
    it('does show a customer text message with its quick reply payload, in the API shape', async () => {
      const user = newUser();
      await send(
        inbound(user, 1, {
          message: {
            mid: 'm_text',
            text: 'hello, world!',
            quick_reply: { payload: 'DEV_PAYLOAD' },
          },
        }),
      );
      const [item] = await settled(user, 1);
      expect(item).toEqual({
        mid: 'm_text',
        pageId: PAGE,
        userId: user,
        direction: 'inbound',
        timestamp: iso(1),
        text: 'hello, world!',
        quickReplyPayload: 'DEV_PAYLOAD',
        replyTo: null,
        attachments: [],
        referral: null,
        edits: [],
        reactions: [],
        deliveredAt: null,
        readAt: null,
        responseFeedback: null,
      });
    });

    it('does keep attachments of every type with url, title, sticker id, coordinates and products', async () => {
      const user = newUser();
      const product = {
        id: '<PRODUCT_ID>',
        retailer_id: '<EXTERNAL_ID>',
        image_url: 'https://fb.cdn.com/sdsd',
        title: 'Some product title',
        subtitle: '$40',
      };
      await send(
        inbound(user, 1, {
          message: {
            mid: 'm_media',
            attachments: ['image', 'audio', 'video', 'file'].map((type) => ({
              type,
              payload: { url: `https://cdn.example/${type}` },
            })),
          },
        }),
        inbound(user, 2, {
          message: {
            mid: 'm_sticker',
            attachments: [
              {
                type: 'image',
                payload: { url: 'https://cdn.example/like.png', sticker_id: 369239263222822 },
              },
            ],
          },
        }),
        inbound(user, 3, {
          message: {
            mid: 'm_location',
            attachments: [
              {
                type: 'location',
                payload: { url: 'https://maps.example/x', coordinates: { lat: 48.85, long: 2.35 } },
              },
            ],
          },
        }),
        inbound(user, 4, {
          message: {
            mid: 'm_fallback',
            text: 'This is where I want to go: https://youtu.be/bbo_fZAjIhg',
            attachments: [
              {
                type: 'fallback',
                payload: { url: 'https://youtu.be/bbo_fZAjIhg', title: 'TAHITI - Heaven on Earth' },
              },
            ],
          },
        }),
        inbound(user, 5, {
          message: {
            mid: 'm_product',
            attachments: [{ type: 'template', payload: { product: { elements: [product] } } }],
          },
        }),
        inbound(user, 6, {
          message: {
            mid: 'm_shops',
            text: 'is it in stock?',
            referral: { product: { id: '<PRODUCT_ID>' } },
          },
        }),
      );
      const items = await settled(user, 6);
      const none = { url: null, title: null, stickerId: null, coordinates: null, product: null };
      expect(items.map((item: { mid: string }) => item.mid)).toEqual([
        'm_media',
        'm_sticker',
        'm_location',
        'm_fallback',
        'm_product',
        'm_shops',
      ]);
      expect(items[0].attachments).toEqual(
        ['image', 'audio', 'video', 'file'].map((type) => ({
          ...none,
          type,
          url: `https://cdn.example/${type}`,
        })),
      );
      expect(items[1].attachments).toEqual([
        {
          ...none,
          type: 'image',
          url: 'https://cdn.example/like.png',
          stickerId: '369239263222822',
        },
      ]);
      expect(items[2].attachments).toEqual([
        {
          ...none,
          type: 'location',
          url: 'https://maps.example/x',
          coordinates: { lat: 48.85, long: 2.35 },
        },
      ]);
      expect(items[3]).toMatchObject({
        text: 'This is where I want to go: https://youtu.be/bbo_fZAjIhg',
        attachments: [
          {
            ...none,
            type: 'fallback',
            url: 'https://youtu.be/bbo_fZAjIhg',
            title: 'TAHITI - Heaven on Earth',
          },
        ],
      });
      expect(items[4].attachments).toEqual([
        {
          ...none,
          type: 'template',
          product: {
            elements: [
              {
                id: '<PRODUCT_ID>',
                retailerId: '<EXTERNAL_ID>',
                imageUrl: 'https://fb.cdn.com/sdsd',
                title: 'Some product title',
                subtitle: '$40',
              },
            ],
          },
        },
      ]);
      expect(items[5]).toMatchObject({
        text: 'is it in stock?',
        referral: { product: { id: '<PRODUCT_ID>' } },
      });
    });

    it('does show what the Page sent as outbound echoes, with the app id and metadata kept', async () => {
      const user = newUser();
      await send(inbound(user, 1, { message: { mid: 'm_q', text: 'hi' } }), echo(user, 2, 'm_a'));
      const items = await settled(user, 2);
      expect(items[1]).toMatchObject({
        mid: 'm_a',
        direction: 'outbound',
        userId: user,
        text: 'sent m_a',
      });
      const stored = await t.prisma.message.findUniqueOrThrow({ where: { mid: 'm_a' } });
      expect(stored).toMatchObject({ appId: '1517776481860111', metadata: 'agent:7' });
    });

    it('does order messages by their timestamp, not by arrival', async () => {
      const user = newUser();
      await send(inbound(user, 30, { message: { mid: 'm_late', text: 'third' } }));
      await send(echo(user, 20, 'm_mid'));
      await send(inbound(user, 10, { message: { mid: 'm_early', text: 'first' } }));
      const items = await settled(user, 3);
      expect(items.map((item: { mid: string }) => item.mid)).toEqual([
        'm_early',
        'm_mid',
        'm_late',
      ]);
    });

    it('does keep edits in num_edit order, also those that arrive before their message', async () => {
      const user = newUser();
      const edit = (seconds: number, num: number, text: string): unknown =>
        inbound(user, seconds, { message_edit: { mid: 'm_edited', text, num_edit: num } });
      await send(edit(12, 2, 'second edit'));
      await eventually(async () =>
        expect(await t.prisma.messageEdit.count({ where: { mid: 'm_edited' } })).toBe(1),
      );
      await send(
        inbound(user, 10, { message: { mid: 'm_edited', text: 'original' } }),
        edit(11, 1, 'first edit'),
      );
      await eventually(async () => {
        const item = await message('m_edited');
        expect(item.text).toBe('original');
        expect(item.edits).toEqual([
          { text: 'first edit', numEdit: 1, editedAt: iso(11) },
          { text: 'second edit', numEdit: 2, editedAt: iso(12) },
        ]);
      });
    });

    it("does take a legacy helper reply's text from original_text", async () => {
      const user = newUser();
      await send(
        inbound(user, 1, {
          message: {
            mid: 'm_helper_reply',
            text: "I have an issue with an order (replied to - 'What we can do to help you today?')",
            reply_to: { mid: 'm_asked' },
            original_text: 'I have an issue with an order',
          },
        }),
      );
      const [item] = await settled(user, 1);
      expect(item).toMatchObject({ text: 'I have an issue with an order', replyTo: 'm_asked' });
    });

    it('does key a chat plugin conversation by user_ref', async () => {
      await send({
        sender: { user_ref: 'plugin-ref-1' },
        recipient: { id: PAGE },
        timestamp: at(1),
        message: { mid: 'm_plugin', text: 'from the website' },
      });
      const [item] = await settled('plugin-ref-1', 1);
      expect(item).toMatchObject({ userId: 'plugin-ref-1', text: 'from the website' });
    });

    it('does answer 404 for a conversation nothing was received for', async () => {
      const res = await t.api(`/api/conversations/${PAGE}/nobody/messages`);
      expect(res.status).toBe(404);
      expect(await readJson(res)).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });
  });

  describe('deliveries and reads', () => {
    it('does mark the listed mids delivered, and everything up to a watermark delivered and read', async () => {
      const user = newUser();
      await send(
        echo(user, 1, 'm_o1'),
        echo(user, 2, 'm_o2'),
        echo(user, 3, 'm_o3'),
        echo(user, 4, 'm_o4'),
      );
      await settled(user, 4);
      await send(inbound(user, 5, { delivery: { mids: ['m_o3'], watermark: at(1) } }));
      await send(inbound(user, 6, { delivery: { watermark: at(2) } }));
      await send(inbound(user, 7, { read: { watermark: at(1) } }));
      await eventually(async () => {
        const items = await settled(user, 4);
        expect(
          items.map((item: { deliveredAt: string | null; readAt: string | null }) => [
            item.deliveredAt,
            item.readAt,
          ]),
        ).toEqual([
          [iso(5), iso(7)],
          [iso(6), null],
          [iso(5), null],
          [null, null],
        ]);
      });
    });

    it('does mark a message delivered and read when its receipts arrived before it', async () => {
      const user = newUser();
      await send(inbound(user, 1, { message: { mid: 'm_in', text: 'hi' } }));
      await settled(user, 1);
      await send(
        inbound(user, 5, { delivery: { mids: ['m_named'], watermark: at(1) } }),
        inbound(user, 6, { delivery: { watermark: at(3) } }),
        inbound(user, 7, { read: { watermark: at(3) } }),
      );
      await eventually(async () => {
        const stored = await t.prisma.conversation.findUniqueOrThrow({
          where: { pageId_userId: { pageId: PAGE, userId: user } },
        });
        expect(stored.readWatermark?.getTime()).toBe(at(3));
      });
      await send(echo(user, 2, 'm_covered'), echo(user, 4, 'm_named'), echo(user, 8, 'm_after'));
      const items = await settled(user, 4);
      expect(
        items.map((item: { mid: string; deliveredAt: string | null; readAt: string | null }) => [
          item.mid,
          item.deliveredAt,
          item.readAt,
        ]),
      ).toEqual([
        ['m_in', null, null],
        ['m_covered', iso(3), iso(3)],
        ['m_named', iso(5), null],
        ['m_after', null, null],
      ]);
    });

    it('does miss no message when echoes and watermarks are handled at the same time', async () => {
      const user = newUser();
      // Each echo beside the delivery and read that cover it: handled concurrently, in any order.
      const events = Array.from({ length: 150 }, (_, i) => [
        echo(user, 10 + i, `m_race_${i}`),
        inbound(user, 10 + i, { delivery: { watermark: at(10 + i) } }),
        inbound(user, 10 + i, { read: { watermark: at(10 + i) } }),
      ]).flat();
      await send(...events);
      await eventually(async () => {
        const items = await settled(user, 150);
        const pending = items.filter(
          (item: { deliveredAt: string | null; readAt: string | null }) =>
            item.deliveredAt === null || item.readAt === null,
        );
        expect(pending).toEqual([]);
      });
    });

    it('does give each message the earliest receipt that covers it, whatever the order of handling', async () => {
      const user = newUser();
      await send(echo(user, 1, 'm_w1'), echo(user, 2, 'm_w2'));
      await settled(user, 2);
      const receipts = async (): Promise<unknown[]> =>
        (await settled(user, 2)).map((item) => [item.deliveredAt, item.readAt]);
      // The newer delivery and read first, each handled before the older one is sent.
      await send(
        inbound(user, 6, { delivery: { watermark: at(2) } }),
        inbound(user, 8, { read: { watermark: at(2) } }),
      );
      await eventually(async () =>
        expect(await receipts()).toEqual([
          [iso(6), iso(8)],
          [iso(6), iso(8)],
        ]),
      );
      await send(
        inbound(user, 5, { delivery: { watermark: at(1) } }),
        inbound(user, 7, { read: { watermark: at(1) } }),
      );
      await eventually(async () =>
        expect(await receipts()).toEqual([
          [iso(5), iso(7)],
          [iso(6), iso(8)],
        ]),
      );
    });

    it('does count a read message as delivered', async () => {
      const user = newUser();
      await send(echo(user, 1, 'm_read_only'));
      await settled(user, 1);
      await send(inbound(user, 3, { read: { watermark: at(1) } }));
      await eventually(async () => {
        expect(await message('m_read_only')).toMatchObject({ deliveredAt: iso(3), readAt: iso(3) });
      });
    });
  });

  describe('redelivery', () => {
    it('does change nothing when the same events are delivered again', async () => {
      const user = newUser();
      const events = [
        inbound(user, 1, { message: { mid: 'm_once', text: 'once' } }),
        inbound(user, 2, { message_edit: { mid: 'm_once', text: 'once!', num_edit: 1 } }),
        echo(user, 3, 'm_once_out'),
        inbound(user, 4, { delivery: { watermark: at(3) } }),
      ];
      // The delivery after the echo it covers, so that it is marked with the delivery's own time.
      await send(...events.slice(0, 3));
      await settled(user, 2);
      await send(events[3]);
      await eventually(async () => expect((await message('m_once_out')).deliveredAt).toBe(iso(4)));
      const before = await messagesOf(user);
      // Meta sends them again in one delivery: the inbox recognises every event.
      await send(...[...events].reverse());
      // An operator retries every event: the handlers run again on what they already stored.
      const stored = await t.prisma.webhookEvent.findMany({ where: { userId: user } });
      expect(stored).toHaveLength(events.length);
      const retriedAt = new Date();
      for (const { id } of stored) {
        expect((await t.api(`/api/webhook-events/${id}/retry`, { method: 'POST' })).status).toBe(
          202,
        );
      }
      await eventually(async () => {
        const again = await t.prisma.webhookEvent.findMany({ where: { userId: user } });
        for (const event of again) {
          expect(event.status).toBe('processed');
          expect(event.processedAt!.getTime()).toBeGreaterThanOrEqual(retriedAt.getTime());
        }
      });
      expect(await messagesOf(user)).toEqual(before);
      expect(await t.prisma.messageEdit.count({ where: { mid: 'm_once' } })).toBe(1);
      const conversation = await t.prisma.conversation.findUniqueOrThrow({
        where: { pageId_userId: { pageId: PAGE, userId: user } },
      });
      expect(conversation.messageCount).toBe(2);
    });
  });

  describe('pagination', () => {
    it('does page through a conversation oldest first without repeating or skipping, under inserts', async () => {
      const user = newUser();
      // Two messages in the same millisecond: the mid breaks the tie.
      const events = Array.from({ length: 25 }, (_, i) =>
        inbound(user, 100 + Math.floor(i / 2), {
          message: { mid: `m_p${String(i).padStart(2, '0')}`, text: `${i}` },
        }),
      );
      await send(...events);
      await settled(user, 25);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body = await messagesOf(user, `?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...body.items.map((item: { mid: string }) => item.mid));
        cursor = body.nextCursor;
        if (pages++ === 0) {
          // Newer messages arriving while the client pages are picked up at the end.
          await send(inbound(user, 500, { message: { mid: 'm_p99', text: 'late' } }));
          await settled(user, 26);
        }
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(seen).toEqual([...events.map((_, i) => `m_p${String(i).padStart(2, '0')}`), 'm_p99']);
    });

    it('does reject a cursor it did not make and a limit above 500', async () => {
      const user = newUser();
      await send(inbound(user, 1, { message: { mid: 'm_c', text: 'c' } }));
      await settled(user, 1);
      for (const cursor of ['not-a-cursor', Buffer.from('["x","y"]').toString('base64url')]) {
        const res = await t.api(`/api/conversations/${PAGE}/${user}/messages?cursor=${cursor}`);
        expect(res.status).toBe(400);
        expect(await readJson(res)).toMatchObject({ code: 'INVALID_CURSOR' });
      }
      const res = await t.api(`/api/conversations/${PAGE}/${user}/messages?limit=501`);
      expect(res.status).toBe(400);
      expect(await readJson(res)).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('does hold a conversation of 10,000 messages and serve all of it in order', async () => {
      const user = newUser();
      const total = 10_000;
      for (let batch = 0; batch < total / 500; batch++) {
        const events = Array.from({ length: 500 }, (_, i) => {
          const n = batch * 500 + i;
          const mid = `m_big_${String(n).padStart(5, '0')}`;
          return n % 2 === 0
            ? inbound(user, 1000 + n, { message: { mid, text: `${n}` } })
            : echo(user, 1000 + n, mid);
        });
        await send(...events);
      }
      await eventually(async () => {
        const conversation = await t.prisma.conversation.findUnique({
          where: { pageId_userId: { pageId: PAGE, userId: user } },
        });
        expect(conversation?.messageCount).toBe(total);
      }, 120_000);
      const mids: string[] = [];
      let cursor: string | null = null;
      do {
        const body = await messagesOf(user, `?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        mids.push(...body.items.map((item: { mid: string }) => item.mid));
        cursor = body.nextCursor;
      } while (cursor !== null);
      expect(mids).toHaveLength(total);
      expect(mids).toEqual(
        Array.from({ length: total }, (_, n) => `m_big_${String(n).padStart(5, '0')}`),
      );
      const list = (await readJson(
        await t.api(`/api/conversations?pageId=${PAGE}&limit=500`),
      )) as Page<ConversationDto>;
      expect(list.items.find((item: { userId: string }) => item.userId === user)).toEqual({
        pageId: PAGE,
        userId: user,
        lastMessageAt: iso(1000 + total - 1),
        lastInboundAt: iso(1000 + total - 2),
        messageCount: total,
      });
    });
  });

  describe('GET /api/messages/{mid}', () => {
    it('does answer 404 for a mid that is not stored', async () => {
      const res = await t.api('/api/messages/m_never');
      expect(res.status).toBe(404);
      expect(await readJson(res)).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    });

    it('does answer 401 without the bearer token, like every route of this group', async () => {
      for (const path of [
        '/api/messages/m_text',
        '/api/conversations',
        `/api/conversations/${PAGE}/x/messages`,
        `/api/conversations/${PAGE}/x/events`,
        `/api/pages/${PAGE}/events`,
      ]) {
        const res = await t.api(path, { auth: false });
        expect(res.status).toBe(401);
        expect(await readJson(res)).toMatchObject({ code: 'UNAUTHORIZED' });
      }
    });
  });
});
