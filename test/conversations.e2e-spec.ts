import type { Page } from '../src/common/pagination';
import { ConversationsService } from '../src/conversations/conversations.service';
import type { ConversationDto } from '../src/conversations/dto/conversation.dto';
import type { ConversationEventDto } from '../src/conversations/dto/conversation-event.dto';
import type { MessageDto } from '../src/conversations/dto/message.dto';
import { eventually, readJson, startTestApp, TestApp } from './test-app';
import { conversationFactory } from './messenger-factories';

const PAGE = '100000000000001';
const OTHER_PAGE = '100000000000002';
const STANDBY_PAGE = '100000000000003';
const CONFIGURED_PAGE = '100000000000009';
const f = conversationFactory({
  page: PAGE,
  start: Date.UTC(2026, 10, 2, 9, 0, 0),
  userPrefix: '4000000000',
});
const { at, iso, newUser, inbound } = f;
const text = (user: string, seconds: number, mid: string, page = PAGE): unknown =>
  inbound(user, seconds, { message: { mid, text: mid } }, page);
const echo = (user: string, seconds: number, mid: string, page = PAGE): unknown =>
  f.echo(user, seconds, mid, {}, page);

describe('conversations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      MESSENGER_PAGE_TOKENS: JSON.stringify({ [CONFIGURED_PAGE]: 'page-token' }),
    });
  });
  afterAll(() => t.close());

  const send = (events: unknown[], page?: string, source?: string): Promise<void> =>
    f.send(t, events, page, source);

  async function list<T>(path: string): Promise<Page<T>> {
    const res = await t.api(path);
    expect(res.status).toBe(200);
    return (await readJson(res)) as Page<T>;
  }

  describe('GET /api/conversations', () => {
    it('does list conversations newest message first, with counts and the last inbound time', async () => {
      const [a, b, c] = [newUser(), newUser(), newUser()];
      await send([
        text(a, 10, 'm_a1'),
        echo(a, 50, 'm_a2'),
        text(b, 30, 'm_b1'),
        text(c, 20, 'm_c1'),
      ]);
      await send([text(a, 40, 'm_o1', OTHER_PAGE)], OTHER_PAGE);
      await eventually(async () => {
        const body = await list<ConversationDto>(`/api/conversations?pageId=${PAGE}`);
        expect(
          body.items.filter((item: { userId: string }) => [a, b, c].includes(item.userId)),
        ).toEqual([
          {
            pageId: PAGE,
            userId: a,
            lastMessageAt: iso(50),
            lastInboundAt: iso(10),
            messageCount: 2,
          },
          {
            pageId: PAGE,
            userId: b,
            lastMessageAt: iso(30),
            lastInboundAt: iso(30),
            messageCount: 1,
          },
          {
            pageId: PAGE,
            userId: c,
            lastMessageAt: iso(20),
            lastInboundAt: iso(20),
            messageCount: 1,
          },
        ]);
      });
      await eventually(async () => {
        const other = await list<ConversationDto>(`/api/conversations?pageId=${OTHER_PAGE}`);
        expect(other.items).toEqual([
          {
            pageId: OTHER_PAGE,
            userId: a,
            lastMessageAt: iso(40),
            lastInboundAt: iso(40),
            messageCount: 1,
          },
        ]);
      });
      const all = await list<ConversationDto>('/api/conversations?limit=500');
      expect(all.items.map((item: { pageId: string }) => item.pageId)).toContain(OTHER_PAGE);
    });

    it('does keep lastInboundAt for the survey window: the customer writing, never the Page', async () => {
      const user = newUser();
      await send([echo(user, 5, 'm_w1'), text(user, 3, 'm_w2'), echo(user, 9, 'm_w3')]);
      const service = t.app.get(ConversationsService);
      await eventually(async () =>
        expect((await service.lastInboundAt(PAGE, user))?.toISOString()).toBe(iso(3)),
      );
      await send([text(user, 1, 'm_w0')]); // older, arriving late: changes nothing
      await eventually(async () => {
        const [item] = (
          await list<ConversationDto>(`/api/conversations?pageId=${PAGE}&limit=500`)
        ).items.filter((row: { userId: string }) => row.userId === user);
        expect(item).toEqual({
          pageId: PAGE,
          userId: user,
          lastMessageAt: iso(9),
          lastInboundAt: iso(3),
          messageCount: 4,
        });
      });
      expect(await service.lastInboundAt(PAGE, 'never-wrote')).toBeNull();
    });

    it('does page newest first without repeating or skipping', async () => {
      const page = '100000000000004';
      const customers = Array.from({ length: 7 }, () => newUser());
      // Two conversations with the same last message time: the row id breaks the tie.
      await send(
        customers.map((user, i) => text(user, 100 + Math.min(i, 5), `m_l${i}`, page)),
        page,
      );
      await eventually(async () =>
        expect(
          (await list<ConversationDto>(`/api/conversations?pageId=${page}`)).items,
        ).toHaveLength(7),
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const body: Page<ConversationDto> = await list<ConversationDto>(
          `/api/conversations?pageId=${page}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(body.items.length).toBeLessThanOrEqual(3);
        seen.push(...body.items.map((item: { userId: string }) => item.userId));
        cursor = body.nextCursor;
      } while (cursor !== null);
      expect(new Set(seen).size).toBe(7);
      // The two at 105 s first (in id order, which arrival decides), then one by one.
      expect(new Set(seen.slice(0, 2))).toEqual(new Set(customers.slice(5)));
      expect(seen.slice(2)).toEqual(customers.slice(0, 5).reverse());
    });

    it('does reject a bad cursor', async () => {
      const res = await t.api(
        `/api/conversations?cursor=${Buffer.from('["2026-01-01T00:00:00Z","x"]').toString('base64url')}`,
      );
      expect(res.status).toBe(400);
      expect(await readJson(res)).toMatchObject({ code: 'INVALID_CURSOR' });
    });
  });

  describe('GET /api/conversations/{pageId}/{userId}/events', () => {
    it('does keep every other kind of event, typed, in time order', async () => {
      const user = newUser();
      await send([
        inbound(user, 8, {
          game_play: {
            game_id: '111',
            player_id: '222',
            context_type: 'SOLO',
            context_id: null,
            score: 99,
            payload: '{"level":3}',
          },
        }),
        inbound(user, 1, {
          postback: {
            title: 'Get Started',
            payload: 'GET_STARTED',
            mid: 'm_pb',
            referral: { ref: 'spring', source: 'SHORTLINK', type: 'OPEN_THREAD' },
          },
        }),
        inbound(user, 2, {
          referral: { ref: 'ad-7', source: 'ADS', type: 'OPEN_THREAD', ad_id: 6045246247433 },
        }),
        inbound(user, 3, {
          optin: {
            type: 'notification_messages',
            payload: 'deals',
            notification_messages_token: 'tok-1',
          },
        }),
        inbound(user, 4, { account_linking: { status: 'linked', authorization_code: 'code-1' } }),
        inbound(user, 5, {
          pass_thread_control: {
            new_owner_app_id: '123',
            previous_owner_app_id: '456',
            metadata: 'to inbox',
          },
        }),
        inbound(user, 6, {
          take_thread_control: { previous_owner_app_id: '123', new_owner_app_id: '456' },
        }),
        inbound(user, 7, {
          order: {
            products: [
              {
                id: 123,
                retailer_id: 'sku-1',
                name: 'Mug',
                unit_price: 11,
                currency: 'THB',
                quantity: 2,
              },
            ],
            note: 'gift',
          },
        }),
        inbound(user, 9, {
          message: { mid: 'm_cart', text: 'my cart' },
          order: { products: [{ id: '456', quantity: 1 }] },
        }),
      ]);
      const body = await eventually(async () => {
        const events = await list<ConversationEventDto>(
          `/api/conversations/${PAGE}/${user}/events`,
        );
        expect(events.items).toHaveLength(9);
        return events;
      });
      expect(body.nextCursor).toBeNull();
      expect(
        body.items.map((item: { kind: string; timestamp: string }) => [item.kind, item.timestamp]),
      ).toEqual([
        ['postback', iso(1)],
        ['referral', iso(2)],
        ['optin', iso(3)],
        ['account_linking', iso(4)],
        ['handover', iso(5)],
        ['handover', iso(6)],
        ['cart', iso(7)],
        ['game_play', iso(8)],
        ['cart', iso(9)],
      ]);
      expect(body.items[0]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        kind: 'postback',
        pageId: PAGE,
        userId: user,
        timestamp: iso(1),
        data: {
          title: 'Get Started',
          payload: 'GET_STARTED',
          mid: 'm_pb',
          referral: { ref: 'spring', source: 'SHORTLINK', type: 'OPEN_THREAD' },
        },
      });
      const data = body.items.map((item: { data: unknown }) => item.data);
      expect(data[1]).toEqual({
        ref: 'ad-7',
        source: 'ADS',
        type: 'OPEN_THREAD',
        adId: '6045246247433',
        refererUri: null,
      });
      expect(data[2]).toMatchObject({
        type: 'notification_messages',
        payload: 'deals',
        notificationToken: 'tok-1',
      });
      expect(data[3]).toEqual({ status: 'linked', authorizationCode: 'code-1' });
      expect(data[4]).toMatchObject({
        handoverType: 'pass_thread_control',
        newOwnerAppId: '123',
        metadata: 'to inbox',
      });
      expect(data[5]).toMatchObject({ handoverType: 'take_thread_control', newOwnerAppId: '456' });
      expect(data[6]).toEqual({
        mid: null,
        products: [
          {
            id: '123',
            retailerId: 'sku-1',
            name: 'Mug',
            unitPrice: 11,
            currency: 'THB',
            quantity: 2,
          },
        ],
        note: 'gift',
      });
      expect(data[7]).toMatchObject({
        gameId: '111',
        playerId: '222',
        score: 99,
        payload: '{"level":3}',
      });
      expect(data[8]).toMatchObject({ mid: 'm_cart', products: [{ id: '456', quantity: 1 }] });
      // The message that carried the cart is a message too.
      expect(
        (await list<MessageDto>(`/api/conversations/${PAGE}/${user}/messages`)).items,
      ).toHaveLength(1);
    });

    it('does keep a checkbox plugin opt-in under its user_ref, and store each event once', async () => {
      const optin = {
        recipient: { id: PAGE },
        timestamp: at(1),
        optin: { ref: 'checkout', user_ref: 'checkbox-ref-9' },
      };
      await send([optin]);
      await send([optin]);
      const body = await eventually(async () => {
        const events = await list<ConversationEventDto>(
          `/api/conversations/${PAGE}/checkbox-ref-9/events`,
        );
        expect(events.items).toHaveLength(1);
        return events;
      });
      expect(body.items[0]).toMatchObject({
        kind: 'optin',
        userId: 'checkbox-ref-9',
        data: { ref: 'checkout', userRef: 'checkbox-ref-9' },
      });
      // Handled again (an operator's retry): still one event.
      const [stored] = await t.prisma.webhookEvent.findMany({
        where: { userId: 'checkbox-ref-9' },
      });
      const retriedAt = new Date();
      expect(
        (await t.api(`/api/webhook-events/${stored.id}/retry`, { method: 'POST' })).status,
      ).toBe(202);
      await eventually(async () => {
        const again = await t.prisma.webhookEvent.findUniqueOrThrow({ where: { id: stored.id } });
        expect(again.processedAt!.getTime()).toBeGreaterThanOrEqual(retriedAt.getTime());
      });
      expect(
        (await list<ConversationEventDto>(`/api/conversations/${PAGE}/checkbox-ref-9/events`))
          .items,
      ).toHaveLength(1);
      // A conversation with events only: it exists, with no messages, and is not listed.
      expect(
        (await list<MessageDto>(`/api/conversations/${PAGE}/checkbox-ref-9/messages`)).items,
      ).toEqual([]);
      const all = await list<ConversationDto>('/api/conversations?limit=500');
      expect(all.items.map((item) => item.userId)).not.toContain('checkbox-ref-9');
    });

    it('does page through events oldest first', async () => {
      const user = newUser();
      await send(
        Array.from({ length: 5 }, (_, i) =>
          inbound(user, 10 - i, { postback: { title: `b${i}`, payload: `P${i}` } }),
        ),
      );
      await eventually(async () =>
        expect(
          (await list<ConversationEventDto>(`/api/conversations/${PAGE}/${user}/events`)).items,
        ).toHaveLength(5),
      );
      const first = await list<ConversationEventDto>(
        `/api/conversations/${PAGE}/${user}/events?limit=3`,
      );
      const second = await list<ConversationEventDto>(
        `/api/conversations/${PAGE}/${user}/events?limit=3&cursor=${first.nextCursor}`,
      );
      expect(second.nextCursor).toBeNull();
      expect([...first.items, ...second.items].map((item) => item.data.payload)).toEqual([
        'P4',
        'P3',
        'P2',
        'P1',
        'P0',
      ]);
    });

    it('does answer 404 for a conversation nothing was received for', async () => {
      const res = await t.api(`/api/conversations/${PAGE}/nobody/events`);
      expect(res.status).toBe(404);
    });
  });

  describe('GET /api/pages/{pageId}/events', () => {
    it("does keep the Page's own events: policy enforcement and app roles", async () => {
      const page = '100000000000005';
      await send(
        [
          {
            recipient: { id: page },
            timestamp: at(2),
            'policy-enforcement': { action: 'block', reason: 'spam' },
          },
          { recipient: { id: page }, timestamp: at(1), app_roles: { '123': ['primary_receiver'] } },
        ],
        page,
      );
      const body = await eventually(async () => {
        const events = await list<ConversationEventDto>(`/api/pages/${page}/events`);
        expect(events.items).toHaveLength(2);
        return events;
      });
      expect(body.items).toEqual([
        expect.objectContaining({
          kind: 'handover',
          userId: null,
          timestamp: iso(1),
          data: expect.objectContaining({
            handoverType: 'app_roles',
            appRoles: { '123': ['primary_receiver'] },
          }),
        }),
        expect.objectContaining({
          kind: 'policy_enforcement',
          userId: null,
          timestamp: iso(2),
          data: { action: 'block', reason: 'spam' },
        }),
      ]);
    });
  });

  describe('pages', () => {
    it('does record every Page seen in an event, from any source, and the configured ones', async () => {
      const user = newUser();
      await send([text(user, 1, 'm_standby', STANDBY_PAGE)], STANDBY_PAGE, 'standby');
      const service = t.app.get(ConversationsService);
      await eventually(async () => {
        expect(await service.knownPageIds()).toEqual(
          expect.arrayContaining([PAGE, OTHER_PAGE, STANDBY_PAGE, CONFIGURED_PAGE]),
        );
      });
    });
  });

  describe('GET /docs-json', () => {
    it('does document the conversation routes with their response schemas', async () => {
      const doc = await readJson(await t.api('/docs-json'));
      for (const path of [
        '/api/conversations',
        '/api/conversations/{pageId}/{userId}/messages',
        '/api/conversations/{pageId}/{userId}/events',
        '/api/messages/{mid}',
        '/api/pages/{pageId}/events',
      ]) {
        expect(
          doc.paths[path]?.get?.responses?.['200']?.content?.['application/json']?.schema,
        ).toBeDefined();
      }
      const message = doc.components.schemas.MessageDto;
      expect(Object.keys(message.properties)).toEqual([
        'mid',
        'pageId',
        'userId',
        'direction',
        'timestamp',
        'text',
        'quickReplyPayload',
        'replyTo',
        'attachments',
        'referral',
        'edits',
        'reactions',
        'deliveredAt',
        'readAt',
        'responseFeedback',
      ]);
      expect(Object.keys(doc.components.schemas.MessageDetailDto.properties)).toEqual(
        expect.arrayContaining(['replies', 'reactionHistory']),
      );
    });
  });
});
