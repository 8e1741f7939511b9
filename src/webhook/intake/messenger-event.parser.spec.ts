import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AnyMessengerEvent,
  EventKind,
  EventSource,
  MessageReceivedEvent,
  MessengerEventByKind,
} from '../../events/messenger-events';
import { dedupeKey } from '../../events/event-key';
import { parseDelivery, parseEvent } from './messenger-event.parser';

// Fixtures are the seed examples; fixtures/README.md lists the minimal fixes each one needed.
const FIXTURES = join(__dirname, 'fixtures');
const fixtureText = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const fixture = (name: string): unknown => JSON.parse(fixtureText(name));
const fixtureNames = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));

const PAGE = '111111111111111';
const USER = '2222222222222222';
const ENTRY_TIME = 1700000000000;
const TIMESTAMP = 1700000000123;

/** A Page delivery with one entry holding `events` under `source`. */
function delivery(events: unknown[], source: EventSource = 'messaging'): unknown {
  return { object: 'page', entry: [{ id: PAGE, time: ENTRY_TIME, [source]: events }] };
}

/** A customer → Page event with the given kind fields. */
function inbound(fields: Record<string, unknown>): Record<string, unknown> {
  return { sender: { id: USER }, recipient: { id: PAGE }, timestamp: TIMESTAMP, ...fields };
}

/** The one event of a delivery that must hold exactly one. */
function single(body: unknown): AnyMessengerEvent {
  const events = parseDelivery(body);
  expect(events).toHaveLength(1);
  return events[0];
}

function ofKind<K extends EventKind>(event: AnyMessengerEvent, kind: K): MessengerEventByKind[K] {
  expect(event.kind).toBe(kind);
  return event as MessengerEventByKind[K];
}

const seedContext = {
  object: 'page',
  pageId: '<PAGE_ID>',
  source: 'messaging',
  entryTime: 1458692752478,
};
/** The fields a plain inbound text message leaves empty. */
const plainMessage = { referral: null, isEcho: false, appId: null, metadata: null, cart: null };

describe('parseDelivery', () => {
  describe('seed examples', () => {
    it('does read "Good response" and "Bad response" feedback as good and bad', () => {
      const good = ofKind(single(fixture('response-feedback-good.json')), 'response_feedback');
      const bad = ofKind(single(fixture('response-feedback-bad.json')), 'response_feedback');
      expect(good.data).toEqual({ feedback: 'good', mid: '<Message-id>' });
      expect(bad.data).toEqual({ feedback: 'bad', mid: '<Message-id>' });
      expect(good).toMatchObject({
        pageId: '<PAGE_ID>',
        userId: '<PSID>',
        timestamp: 1458668856463,
      });
      expect(good.context).toEqual(seedContext);
      expect(good.name).toBe('messenger.response_feedback.received');
    });

    it('does keep the bare envelope example, which has no kind field, as unknown', () => {
      const event = ofKind(single(fixture('event-format.json')), 'unknown');
      expect(event.data.reason).toBe('event has no kind field');
      expect(event).toMatchObject({
        pageId: '<PAGE_ID>',
        userId: '<PSID>',
        timestamp: 1458692752478,
      });
    });

    it('does flatten messaging_feedback screens and questions into answers', () => {
      const event = ofKind(single(fixture('messaging-feedback.json')), 'messaging_feedback');
      expect(event.data.answers).toEqual([
        {
          screenId: 0,
          questionId: 'hauydmns8',
          type: 'csat',
          payload: '5',
          followUpText: 'I am very satisfied!',
        },
      ]);
      // The seed's entry has no id and its event no timestamp: recipient and entry.time stand in.
      expect(event).toMatchObject({
        pageId: '<page_id>',
        userId: '<PSID>',
        timestamp: 1458692752478,
      });
      expect(event.context.pageId).toBeNull();
    });

    it('does keep a Send API request, which is no delivery, as one unknown event', () => {
      const body = fixture('send-api-customer-feedback-request.json');
      const event = ofKind(single(body), 'unknown');
      expect(event.data.reason).toBe('delivery has no entry array');
      expect(event.raw.$unparsed).toEqual(body);
    });

    it('does read a text message with a quick reply', () => {
      const event = ofKind(single(fixture('text-message.json')), 'message');
      expect(event).toBeInstanceOf(MessageReceivedEvent);
      expect(event.name).toBe('messenger.message.received');
      expect(event).toMatchObject({
        pageId: '<PAGE_ID>',
        userId: '<PSID>',
        timestamp: 1458692752478,
      });
      expect(event.data).toEqual({
        mid: 'mid.1457764197618:41d102a3e1ae206a38',
        text: 'hello, world!',
        helperText: null,
        quickReplyPayload: '<DEVELOPER_DEFINED_PAYLOAD>',
        replyToMid: null,
        attachments: [],
        ...plainMessage,
      });
    });

    it('does read the mid a reply answers', () => {
      const event = ofKind(single(fixture('reply-message.json')), 'message');
      expect(event.data).toMatchObject({
        mid: 'm_1457764197618:41d102a3e1ae206a38',
        text: 'hello, world!',
        replyToMid: 'm_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU',
      });
    });

    it.each(['image', 'video', 'audio', 'file'])('does read an attachment of type %s', (type) => {
      const text = fixtureText('attachment-message.json').replace(
        '"type": "image"',
        `"type": "${type}"`,
      );
      const event = ofKind(single(JSON.parse(text)), 'message');
      expect(event.context).toEqual({
        ...seedContext,
        pageId: '682498302938465',
        entryTime: 1518479195594,
      });
      expect(event).toMatchObject({
        pageId: '<PAGE_ID>',
        userId: '<PSID>',
        timestamp: 1518479195308,
      });
      expect(event.data.text).toBeNull();
      expect(event.data.attachments).toEqual([
        {
          type,
          url: '<ATTACHMENT_URL>',
          title: null,
          stickerId: null,
          coordinates: null,
          product: null,
          payload: { url: '<ATTACHMENT_URL>' },
        },
      ]);
    });

    it('does read the products of a product template', () => {
      const event = ofKind(single(fixture('product-template-message.json')), 'message');
      const [attachment] = event.data.attachments;
      expect(attachment.type).toBe('template');
      expect(attachment.product).toEqual({
        elements: [
          {
            id: '<PRODUCT_ID>',
            retailerId: '<EXTERNAL_ID>',
            imageUrl: 'https://fb.cdn.com/sdsd',
            title: 'Some product title',
            subtitle: '$40',
          },
        ],
      });
    });

    it('does read a fallback attachment with its title beside the text', () => {
      const event = ofKind(single(fixture('fallback-message.json')), 'message');
      expect(event.data.text).toBe('This is where I want to go: https://youtu.be/bbo_fZAjIhg');
      expect(event.data.attachments).toMatchObject([
        { type: 'fallback', url: '<ATTACHMENT_URL >', title: 'TAHITI - Heaven on Earth' },
      ]);
      expect(event.timestamp).toBe(1583173666767);
    });

    it('does read the link of a legacy fallback attachment spelled URL', () => {
      // Before webhook v6.0: url and title on the attachment, the link spelled `URL`.
      const legacy = {
        type: 'fallback',
        title: 'TAHITI - Heaven on Earth',
        URL: 'https://www.facebook.com/l.php?u=https%3A%2F%2Fyoutu.be%2Fbbo_fZAjIhg',
        payload: null,
      };
      const event = single(delivery([inbound({ message: { mid: 'm_1', attachments: [legacy] } })]));
      expect(ofKind(event, 'message').data.attachments).toEqual([
        {
          type: 'fallback',
          url: legacy.URL,
          title: 'TAHITI - Heaven on Earth',
          stickerId: null,
          coordinates: null,
          product: null,
          payload: null,
        },
      ]);
    });

    it('does keep the Shops product referral of a message', () => {
      const event = ofKind(single(fixture('shops-referral-message.json')), 'message');
      expect(event.data.referral).toEqual({ product: { id: '<PRODUCT_ID>' } });
    });

    it('does read the reply schema, timed by entry.time since it has no timestamp', () => {
      const event = ofKind(single(fixture('reply-schema.json')), 'message');
      expect(event.data).toMatchObject({
        mid: '<MID>',
        text: 'I have an issue with an order',
        replyToMid: '<MID_OF_MESSAGE_BEING_REPLIED_TO>',
      });
      expect(event.timestamp).toBe(1458692752478);
    });

    it('does read the reaction schema, which nests the reaction in message, as a reaction', () => {
      const event = ofKind(single(fixture('reaction-schema.json')), 'reaction');
      expect(event.data).toEqual({
        mid: '<MID_OF_ReactedTo_Message>',
        action: 'react',
        reaction: 'smile',
        emoji: '\u2764\uFE0F',
      });
    });

    it("does take a helper reply's text from original_text and keep the rewrite aside", () => {
      const event = ofKind(single(fixture('reply-helper.json')), 'message');
      expect(event.data).toMatchObject({
        text: 'I have an issue with an order',
        helperText:
          "I have an issue with an order (replied to - 'What we can do to help you today?')",
        replyToMid:
          'm_O26bdn-DW_wQSY5rOZwoILIfLZDamVrALniheUYEDdEET7k2PRBmugCCw6WHB_Xc2Q95zKWRgqt_7mEFUvNSWA',
      });
    });

    it('does read a helper reaction as one reaction and no message', () => {
      const event = ofKind(single(fixture('reaction-helper.json')), 'reaction');
      expect(event.data).toEqual({
        mid: 'm_oyU9yvUs0lZixb_pHaK6n7IfLZDamVrALniheUYEDdHo7lzd6t5egmvcpmc1fGTO4q92bvfK-8is-RFsSkxyaw',
        action: 'react',
        emoji: '\u{1F60D}',
        reaction: 'love',
      });
      expect(event.name).toBe('messenger.reaction.received');
    });
  });

  describe('event kinds', () => {
    it('does swap Page and customer for an echo, whose sender is the Page', () => {
      const echo = {
        sender: { id: PAGE },
        recipient: { id: USER },
        timestamp: TIMESTAMP,
        message: {
          is_echo: true,
          app_id: 1517776481860111,
          metadata: '<DEVELOPER_DEFINED_METADATA_STRING>',
          mid: 'mid.1457764197618:41d102a3e1ae206a38',
          text: 'thanks!',
        },
      };
      const event = ofKind(single(delivery([echo])), 'message_echo');
      expect(event).toMatchObject({ pageId: PAGE, userId: USER, name: 'messenger.message.echoed' });
      expect(event.data).toMatchObject({
        isEcho: true,
        appId: '1517776481860111',
        metadata: '<DEVELOPER_DEFINED_METADATA_STRING>',
        text: 'thanks!',
      });
    });

    it('does take user_ref as the customer of a chat plugin message', () => {
      const body = delivery([
        { ...inbound({ message: { mid: 'm_1' } }), sender: { user_ref: 'ref_9' } },
      ]);
      expect(ofKind(single(body), 'message').userId).toBe('ref_9');
    });

    it('does read an edit, a delivery and a read', () => {
      const events = parseDelivery(
        delivery([
          inbound({ message_edit: { mid: 'm_1', text: 'hello again', num_edit: 2 } }),
          inbound({ delivery: { mids: ['m_1', 7], watermark: 1458668856253 } }),
          inbound({ delivery: { watermark: 1458668856254 } }),
          inbound({ read: { watermark: 1458668856255 } }),
        ]),
      );
      expect(events.map((event) => [event.kind, event.data])).toEqual([
        ['message_edit', { mid: 'm_1', text: 'hello again', numEdit: 2 }],
        ['delivery', { mids: ['m_1'], watermark: 1458668856253 }],
        ['delivery', { mids: null, watermark: 1458668856254 }],
        ['read', { watermark: 1458668856255 }],
      ]);
      expect(events.map((event) => event.name)).toEqual([
        'messenger.message.edited',
        'messenger.message.delivered',
        'messenger.message.delivered',
        'messenger.message.read',
      ]);
    });

    it('does read an unreact, which may carry no reaction or emoji', () => {
      const event = ofKind(
        single(delivery([inbound({ reaction: { mid: 'm_1', action: 'unreact' } })])),
        'reaction',
      );
      expect(event.data).toEqual({ mid: 'm_1', action: 'unreact', reaction: null, emoji: null });
    });

    it('does read postbacks, referrals, optins and account linking', () => {
      const referral = {
        ref: 'summer',
        source: 'ADS',
        type: 'OPEN_THREAD',
        ad_id: '6045246247433',
      };
      const events = parseDelivery(
        delivery([
          inbound({ postback: { title: 'Get Started', payload: 'START', mid: 'm_2', referral } }),
          inbound({ referral: { ...referral, referer_uri: 'https://example.com' } }),
          {
            recipient: { id: PAGE },
            timestamp: TIMESTAMP,
            optin: { ref: 'cb', user_ref: 'uref_1' },
          },
          inbound({ account_linking: { status: 'linked', authorization_code: 'code' } }),
        ]),
      );
      expect(events.map((event) => [event.kind, event.userId, event.data])).toEqual([
        ['postback', USER, { title: 'Get Started', payload: 'START', mid: 'm_2', referral }],
        [
          'referral',
          USER,
          {
            ref: 'summer',
            source: 'ADS',
            type: 'OPEN_THREAD',
            adId: '6045246247433',
            refererUri: 'https://example.com',
          },
        ],
        [
          'optin',
          'uref_1',
          { type: null, ref: 'cb', userRef: 'uref_1', payload: null, notificationToken: null },
        ],
        ['account_linking', USER, { status: 'linked', authorizationCode: 'code' }],
      ]);
    });

    it('does read policy enforcement under both spellings of its key', () => {
      const policy = { action: 'block', reason: 'The bot violated our Platform Policies' };
      const events = parseDelivery(
        delivery([
          { recipient: { id: PAGE }, timestamp: TIMESTAMP, 'policy-enforcement': policy },
          { recipient: { id: PAGE }, timestamp: TIMESTAMP, policy_enforcement: policy },
        ]),
      );
      for (const event of events) {
        expect(ofKind(event, 'policy_enforcement').data).toEqual(policy);
        expect(event).toMatchObject({ pageId: PAGE, userId: null });
      }
    });

    it('does read a game play', () => {
      const game = {
        game_id: '1',
        player_id: '2',
        context_type: 'THREAD',
        context_id: '3',
        score: 99,
        payload: 'x',
      };
      const event = ofKind(single(delivery([inbound({ game_play: game })])), 'game_play');
      expect(event.data).toEqual({
        gameId: '1',
        playerId: '2',
        contextType: 'THREAD',
        contextId: '3',
        score: 99,
        payload: 'x',
      });
    });

    it('does read the four handover events into one kind', () => {
      const events = parseDelivery(
        delivery([
          inbound({
            pass_thread_control: {
              new_owner_app_id: '123',
              previous_owner_app_id: '456',
              metadata: 'm',
            },
          }),
          inbound({
            take_thread_control: { previous_owner_app_id: '123', new_owner_app_id: '456' },
          }),
          inbound({ request_thread_control: { requested_owner_app_id: 123, metadata: 'please' } }),
          {
            recipient: { id: PAGE },
            timestamp: TIMESTAMP,
            app_roles: { '123': ['primary_receiver'] },
          },
        ]),
      );
      const data = events.map((event) => ofKind(event, 'handover').data);
      expect(data.map((item) => item.handoverType)).toEqual([
        'pass_thread_control',
        'take_thread_control',
        'request_thread_control',
        'app_roles',
      ]);
      expect(data[0]).toMatchObject({
        newOwnerAppId: '123',
        previousOwnerAppId: '456',
        metadata: 'm',
      });
      expect(data[2].requestedOwnerAppId).toBe('123');
      expect(data[3].appRoles).toEqual({ '123': ['primary_receiver'] });
      expect(events[3].userId).toBeNull();
    });

    it('does keep the cart of a send_cart event', () => {
      const order = {
        products: [{ id: 123, retailer_id: 'retailer_id_1', quantity: 1 }],
        note: 'foobar',
      };
      const event = ofKind(
        single(delivery([inbound({ message: { mid: 'm_3' }, order })])),
        'message',
      );
      expect(event.data.cart).toEqual(order);
    });

    it('does read a send_cart order without a message as a cart', () => {
      // The send_cart reference example, trailing commas removed.
      const order = {
        products: [
          {
            id: 123,
            retailer_id: 'retailer_id_1',
            name: 'name1',
            unit_price: 11,
            currency: 'THB',
            quantity: 1,
          },
          { id: '456', retailer_id: 'retailer_id_2', name: 'name2', unit_price: 22.5, quantity: 2 },
        ],
        note: 'foobar',
      };
      const event = ofKind(single(delivery([inbound({ order })])), 'cart');
      expect(event).toMatchObject({ pageId: PAGE, userId: USER, timestamp: TIMESTAMP });
      expect(event.name).toBe('messenger.cart.received');
      expect(event.data).toEqual({
        products: [
          {
            id: '123',
            retailerId: 'retailer_id_1',
            name: 'name1',
            unitPrice: 11,
            currency: 'THB',
            quantity: 1,
          },
          {
            id: '456',
            retailerId: 'retailer_id_2',
            name: 'name2',
            unitPrice: 22.5,
            currency: null,
            quantity: 2,
          },
        ],
        note: 'foobar',
      });
      const notAnObject = ofKind(single(delivery([inbound({ order: 'x' })])), 'unknown');
      expect(notAnObject.data.reason).toBe('order is not an object');
    });

    it('does read a template status update from changes', () => {
      const change = {
        field: 'messenger_template_status_update',
        value: {
          event: 'APPROVED',
          message_template_id: 1689556908129832,
          message_template_name: 'order',
          message_template_language: 'en_US',
          reason: 'NONE',
        },
      };
      const event = ofKind(single(delivery([change], 'changes')), 'template_status_update');
      expect(event).toMatchObject({ pageId: PAGE, userId: null, timestamp: ENTRY_TIME });
      expect(event.context.source).toBe('changes');
      expect(event.data).toEqual({
        field: 'messenger_template_status_update',
        status: 'APPROVED',
        templateId: '1689556908129832',
        templateName: 'order',
        language: 'en_US',
        reason: 'NONE',
        value: change.value,
      });
    });

    it("does read the App Dashboard's Test button (a messages change) as the message it holds", () => {
      const value = {
        sender: { id: USER },
        recipient: { id: PAGE },
        timestamp: '1527459824',
        message: { mid: 'test_message_id', text: 'test_message' },
      };
      const change = { field: 'messages', value };
      const body = { object: 'page', entry: [{ id: '0', time: 1527459824, changes: [change] }] };
      const event = ofKind(single(body), 'message');
      expect(event).toMatchObject({ pageId: PAGE, userId: USER, timestamp: 1527459824000 });
      expect(event.data).toMatchObject({ mid: 'test_message_id', text: 'test_message' });
      // Stored as received: the change, so that parsing it again gives the same event.
      expect(event.raw).toBe(change);
      expect(event.context).toEqual({
        object: 'page',
        pageId: '0',
        source: 'changes',
        entryTime: 1527459824000,
      });
      expect(parseEvent(event.raw, event.context)).toEqual(event);
    });

    it.each([
      ['messaging_postbacks', { postback: { title: 'Start', payload: 'GET_STARTED' } }, 'postback'],
      ['message_reads', { read: { watermark: 1527459824000 } }, 'read'],
      [
        'message_reactions',
        { reaction: { mid: 'm_1', action: 'react', reaction: 'love' } },
        'reaction',
      ],
      [
        'messaging_referrals',
        { referral: { ref: 'ad', source: 'ADS', type: 'OPEN_THREAD' } },
        'referral',
      ],
      ['message_echoes', { message: { mid: 'm_echo', is_echo: true, text: 'hi' } }, 'message_echo'],
    ])('does read a %s change as its messaging event', (field, fields, kind) => {
      const value = {
        sender: { id: USER },
        recipient: { id: PAGE },
        timestamp: TIMESTAMP,
        ...fields,
      };
      const event = single(delivery([{ field, value }], 'changes'));
      expect(event.kind).toBe(kind);
      expect(event.context.source).toBe('changes');
      expect(event.timestamp).toBe(TIMESTAMP);
    });

    it('does keep a messaging change whose value is not a messaging event as unknown, with why', () => {
      const events = parseDelivery(
        delivery(
          [
            { field: 'messages', value: { sender: { id: USER }, something_else: {} } },
            { field: 'messages', value: 'x' },
          ],
          'changes',
        ),
      );
      expect(events.map((event) => ofKind(event, 'unknown').data.reason)).toEqual([
        'unrecognised event: something_else',
        'change:messages',
      ]);
      // An Instagram change is still another object's event.
      const instagram = single({
        object: 'instagram',
        entry: [
          { id: PAGE, time: ENTRY_TIME, changes: [{ field: 'messages', value: inbound({}) }] },
        ],
      });
      expect(ofKind(instagram, 'unknown').data.reason).toBe('object:instagram');
    });

    it('does keep unknown kinds, unknown change fields and unreadable payloads as unknown', () => {
      const messaging = parseDelivery(
        delivery([
          inbound({ brand_new_thing: { a: 1 } }),
          inbound({ message: { text: 'no mid' } }),
          inbound({ message: 'not an object' }),
          inbound({ reaction: { mid: 'm_1', action: 'wave' } }),
          inbound({ response_feedback: { feedback: 'Meh', mid: 'm_1' } }),
          inbound({ read: { watermark: '12' } }),
          inbound({ message: { mid: 'm_1_reaction', text: "(reacted 'love' to - 'hi')" } }),
        ]),
      );
      const changes = parseDelivery(
        delivery([{ field: 'feed', value: {} }, { value: {} }], 'changes'),
      );
      expect(
        [...messaging, ...changes].map((event) => ofKind(event, 'unknown').data.reason),
      ).toEqual([
        'unrecognised event: brand_new_thing',
        'message.mid is missing',
        'message is not an object',
        'reaction.action is neither react nor unreact',
        'response_feedback.feedback is neither Good nor Bad response',
        'read.watermark is missing',
        'helper reaction message without a reaction',
        'change:feed',
        'change has no field',
      ]);
      expect(messaging[0]).toMatchObject({ pageId: PAGE, userId: USER, timestamp: TIMESTAMP });
      expect(messaging[0].name).toBe('messenger.unknown.received');
    });
  });

  describe('envelope', () => {
    it('does read standby events with their source', () => {
      const event = ofKind(
        single(delivery([inbound({ message: { mid: 'm_1', text: 'hi' } })], 'standby')),
        'message',
      );
      expect(event.context).toEqual({
        object: 'page',
        pageId: PAGE,
        source: 'standby',
        entryTime: ENTRY_TIME,
      });
    });

    it('does read every event of every entry, messaging then standby then changes', () => {
      const body = {
        object: 'page',
        entry: [
          {
            id: 'p1',
            time: 1,
            changes: [{ field: 'messenger_template_status_update', value: {} }],
            standby: [inbound({ read: { watermark: 1 } })],
            messaging: [inbound({ message: { mid: 'a' } }), inbound({ message: { mid: 'b' } })],
          },
          { id: 'p2', time: 2, messaging: [inbound({ delivery: { watermark: 2 } })] },
        ],
      };
      const events = parseDelivery(body);
      expect(
        events.map((event) => [event.kind, event.context.source, event.context.pageId]),
      ).toEqual([
        ['message', 'messaging', 'p1'],
        ['message', 'messaging', 'p1'],
        ['read', 'standby', 'p1'],
        ['template_status_update', 'changes', 'p1'],
        ['delivery', 'messaging', 'p2'],
      ]);
    });

    it('does fall back to entry.time, then 0, for an event without a timestamp', () => {
      const event = { sender: { id: USER }, recipient: { id: PAGE }, message: { mid: 'm_1' } };
      expect(single(delivery([event])).timestamp).toBe(ENTRY_TIME);
      expect(single({ object: 'page', entry: [{ id: PAGE, messaging: [event] }] }).timestamp).toBe(
        0,
      );
      const notATime = { ...event, timestamp: 'yesterday' };
      expect(single(delivery([notATime])).timestamp).toBe(ENTRY_TIME);
    });

    describe('event time', () => {
      const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
      const at = (timestamp: unknown, time: unknown = ENTRY_TIME): number => {
        const event = inbound({ timestamp, message: { mid: 'm_1' } });
        const body = { object: 'page', entry: [{ id: PAGE, time, messaging: [event] }] };
        const events = parseDelivery(body, NOW);
        expect(events).toHaveLength(1);
        return events[0].timestamp;
      };

      it('does read a timestamp in seconds (lead ads, some referrals) as milliseconds', () => {
        expect(at(1700000000)).toBe(1700000000000);
        expect(at(1700000000.5)).toBe(1700000000500);
        expect(new Date(at(1764763200)).getUTCFullYear()).toBe(2025);
      });

      it('does read numeric strings, in milliseconds or seconds', () => {
        expect(at('1700000000123')).toBe(1700000000123);
        expect(at('1700000000')).toBe(1700000000000);
        expect(at(' 1700000000')).toBe(ENTRY_TIME);
        expect(at('1e12')).toBe(ENTRY_TIME);
      });

      it.each([
        ['before 2004', Date.UTC(2003, 11, 31)],
        ['a day and more ahead', NOW + 25 * 60 * 60 * 1000],
        ['far in the future', 8.64e15 + 1],
        ['negative', -1],
        ['zero', 0],
        ['too small to be seconds either', 12345],
        ['not a number', { seconds: 1 }],
      ])('does fall back to entry.time for a timestamp %s', (_name, timestamp) => {
        expect(at(timestamp)).toBe(ENTRY_TIME);
      });

      it('does accept a timestamp a few hours ahead (clock drift)', () => {
        expect(at(NOW + 3 * 60 * 60 * 1000)).toBe(NOW + 3 * 60 * 60 * 1000);
      });

      it('does read entry.time in seconds too, and keep it in milliseconds in the context', () => {
        const event = single({
          object: 'page',
          entry: [{ id: PAGE, time: '1700000000', messaging: [inbound({ timestamp: undefined })] }],
        });
        expect(event.context.entryTime).toBe(1700000000000);
        expect(event.timestamp).toBe(1700000000000);
      });

      it('does leave 0 (no time) when neither the timestamp nor entry.time is plausible', () => {
        expect(at(5, 7)).toBe(0);
        expect(at(undefined, -1)).toBe(0);
      });

      it('does give a stored event the same time when it is parsed again', () => {
        const body = {
          object: 'page',
          entry: [{ id: PAGE, time: 1700000001, messaging: [inbound({ timestamp: 1700000000 })] }],
        };
        const [first] = parseDelivery(body, NOW);
        const again = parseEvent(first.raw, first.context, NOW + 1_000_000);
        expect(again.timestamp).toBe(1700000000000);
        expect(again).toEqual(first);
      });
    });

    it('does fall back to entry.id for the Page when the recipient is missing', () => {
      const event = single(delivery([{ sender: { id: USER }, message: { mid: 'm_1' } }]));
      expect(event.pageId).toBe(PAGE);
    });

    it('does keep the events of an object other than page as unknown, raw intact', () => {
      const message = inbound({ message: { mid: 'm_1', text: 'hi' } });
      const body = {
        object: 'instagram',
        entry: [{ id: PAGE, time: ENTRY_TIME, messaging: [message] }],
      };
      const event = ofKind(single(body), 'unknown');
      expect(event.data.reason).toBe('object:instagram');
      expect(event.raw).toBe(message);
      expect(event.context.object).toBe('instagram');
      const missing = ofKind(single({ entry: [{ messaging: [message] }] }), 'unknown');
      expect(missing.data.reason).toBe('object:<missing>');
      // Stored with the event: bounded, however long the sender's `object`.
      const long = { ...body, object: 'x'.repeat(100_000) };
      expect(ofKind(single(long), 'unknown').data.reason).toBe(`object:${'x'.repeat(493)}`);
    });

    it('does keep a delivery without entries as one unknown event holding the whole body', () => {
      const body = { object: 'page', entry: [] };
      const event = ofKind(single(body), 'unknown');
      expect(event.data.reason).toBe('delivery has no entries');
      expect(event.raw).toEqual({ $unparsed: body, $reason: 'delivery has no entries' });
      expect(event.context).toEqual({
        object: 'page',
        pageId: null,
        source: 'messaging',
        entryTime: null,
      });
    });

    it('does produce nothing for an entry whose arrays are empty', () => {
      expect(
        parseDelivery({ object: 'page', entry: [{ id: PAGE, time: 1, messaging: [] }] }),
      ).toEqual([]);
    });
  });

  describe('hostile input', () => {
    it.each([
      null,
      42,
      'x',
      [],
      true,
      {},
      { entry: 5 },
      { object: 'page' },
      { object: 7, entry: 'x' },
    ])('does not throw on %j and keeps it as one unknown event', (body) => {
      const event = ofKind(single(body), 'unknown');
      expect(event.raw.$unparsed).toBe(body);
      expect(event).toMatchObject({ pageId: null, userId: null, timestamp: 0 });
    });

    it('does keep entries and events that are not objects, each with its reason', () => {
      const events = parseDelivery({
        object: 'page',
        entry: [
          null,
          3,
          { id: PAGE, time: 5, messaging: 'x' },
          { id: PAGE },
          { id: PAGE, standby: [7, null] },
        ],
      });
      expect(events.map((event) => ofKind(event, 'unknown').data.reason)).toEqual([
        'entry is not an object',
        'entry is not an object',
        'entry.messaging is not an array',
        'entry has no messaging, standby or changes',
        'entry.standby[] is not an object',
        'entry.standby[] is not an object',
      ]);
      // `time: 5` is no plausible time (event-time.ts): no time rather than 1970.
      expect(events[2]).toMatchObject({ pageId: PAGE, timestamp: 0, raw: { $unparsed: 'x' } });
      expect(events[4].context.source).toBe('standby');
    });

    it('does read fields of the wrong type as absent', () => {
      const event = inbound({
        sender: 'me',
        recipient: { id: { nested: true } },
        timestamp: Number.NaN,
        message: {
          mid: 'm_1',
          text: 42,
          quick_reply: 'x',
          reply_to: { mid: 5 },
          attachments: [null, 'a', { type: 1, payload: { coordinates: { lat: '1', long: 2 } } }],
          is_echo: 'true',
        },
      });
      const parsed = ofKind(single(delivery([event])), 'message');
      expect(parsed).toMatchObject({ pageId: PAGE, userId: null, timestamp: ENTRY_TIME });
      expect(parsed.data).toMatchObject({
        text: null,
        quickReplyPayload: null,
        replyToMid: null,
        isEcho: false,
      });
      expect(parsed.data.attachments).toEqual([
        {
          type: null,
          url: null,
          title: null,
          stickerId: null,
          coordinates: null,
          product: null,
          payload: { coordinates: { lat: '1', long: 2 } },
        },
      ]);
    });

    it('does treat __proto__ keys from JSON.parse as plain data', () => {
      const body = JSON.parse(
        `{"object":"page","entry":[{"id":"${PAGE}","time":1,"messaging":[
          {"__proto__":{"message":{"mid":"evil"}},"sender":{"id":"${USER}"},"recipient":{"id":"${PAGE}"}},
          {"sender":{"id":"${USER}"},"recipient":{"id":"${PAGE}"},"message":{"__proto__":{"is_echo":true,"text":"evil"},"mid":"m_1"}},
          {"recipient":{"id":"${PAGE}"},"app_roles":{"__proto__":["primary_receiver"]}}
        ]}]}`,
      );
      const [proto, message, roles] = parseDelivery(body);
      expect(ofKind(proto, 'unknown').data.reason).toBe('unrecognised event: __proto__');
      expect(ofKind(message, 'message').data).toMatchObject({
        mid: 'm_1',
        text: null,
        isEcho: false,
      });
      const appRoles = ofKind(roles, 'handover').data.appRoles ?? {};
      expect(Object.getPrototypeOf(appRoles)).toBe(Object.prototype);
      expect(Object.hasOwn(appRoles, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>).message).toBeUndefined();
      expect(dedupeKey(proto)).not.toBe(dedupeKey({ ...proto, raw: JSON.parse('{}') }));
    });

    it('does parse and hash an event nesting 10,000 levels deep without overflowing', () => {
      const depth = 10_000;
      const deep = `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
      const text = `{"sender":{"id":"${USER}"},"recipient":{"id":"${PAGE}"},"message":{"mid":"m_1","extra":${deep}},"deep":${deep}}`;
      const event = ofKind(single(delivery([JSON.parse(text)])), 'message');
      expect(event.data.mid).toBe('m_1');
      expect(dedupeKey(event)).toMatch(/^[0-9a-f]{64}$/);
      const unknown = ofKind(single(delivery([JSON.parse(`{"deep":${deep}}`)])), 'unknown');
      expect(unknown.data.reason).toBe('unrecognised event: deep');
      expect(dedupeKey(unknown)).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});

describe('parseEvent', () => {
  const hostile = [
    null,
    42,
    { entry: [null, 3, { messaging: 'x' }] },
    { object: 'instagram', entry: [{ messaging: [{}] }] },
  ];
  const deliveries = [...fixtureNames.map(fixture), ...hostile];

  it('does rebuild every parsed event, fixtures and hostile input alike, from its raw and context', () => {
    const events = deliveries.flatMap((body) => parseDelivery(body));
    expect(events.length).toBeGreaterThan(fixtureNames.length);
    for (const event of events) {
      expect(parseEvent(event.raw, event.context)).toEqual(event);
    }
  });

  it('does rebuild the same event after a round trip through JSON, as from the database', () => {
    for (const event of deliveries.flatMap((body) => parseDelivery(body))) {
      const stored = JSON.parse(JSON.stringify({ raw: event.raw, context: event.context }));
      const rebuilt = parseEvent(stored.raw, stored.context);
      expect(rebuilt).toEqual(event);
      expect(dedupeKey(rebuilt)).toBe(dedupeKey(event));
    }
  });

  it('does key every event once, and keep the stored key of an event rebuilt with one', () => {
    for (const event of deliveries.flatMap((body) => parseDelivery(body))) {
      expect(event.key).toBe(dedupeKey(event));
      expect(parseEvent(event.raw, event.context, Date.now(), 'stored').key).toBe('stored');
    }
  });

  it('does not throw on a raw value that is not an object', () => {
    const context = { object: 'page', pageId: PAGE, source: 'messaging' as const, entryTime: null };
    const event = parseEvent(null as unknown as Record<string, unknown>, context);
    expect(ofKind(event, 'unknown').data.reason).toBe('event is not an object');
  });

  it('does not throw when reading the raw object throws', () => {
    const raw = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom');
        },
      },
    );
    const context = { object: 'page', pageId: PAGE, source: 'messaging' as const, entryTime: null };
    expect(ofKind(parseEvent(raw, context), 'unknown').data.reason).toBe('parser error: boom');
  });
});

describe('dedupeKey', () => {
  const event = (text: string, pageId = PAGE): AnyMessengerEvent =>
    single({
      object: 'page',
      entry: [{ id: pageId, time: ENTRY_TIME, messaging: [JSON.parse(text)] }],
    });

  it('does give the same key to an event redelivered with other key order and whitespace', () => {
    const first = event(
      '{"sender":{"id":"1"},"recipient":{"id":"2"},"message":{"mid":"m","text":"hi"}}',
    );
    const again = event(
      `{ "message": { "text": "hi", "mid": "m" },\n "recipient": {"id":"2"}, "sender": { "id": "1" } }`,
    );
    expect(dedupeKey(first)).toMatch(/^[0-9a-f]{64}$/);
    expect(dedupeKey(again)).toBe(dedupeKey(first));
  });

  it('does ignore entry.time, which differs between deliveries of the same event', () => {
    const text = '{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":5,"message":{"mid":"m"}}';
    const later = single({
      object: 'page',
      entry: [{ id: PAGE, time: 99, messaging: [JSON.parse(text)] }],
    });
    expect(dedupeKey(later)).toBe(dedupeKey(event(text)));
  });

  it('does give different keys across Pages, sources and contents', () => {
    const text = '{"sender":{"id":"1"},"recipient":{"id":"2"},"message":{"mid":"m"}}';
    const base = event(text);
    const standby = { ...base, context: { ...base.context, source: 'standby' as const } };
    expect(dedupeKey(event(text, 'other-page'))).not.toBe(dedupeKey(base));
    expect(dedupeKey(standby)).not.toBe(dedupeKey(base));
    expect(dedupeKey(event(text.replace('"m"', '"n"')))).not.toBe(dedupeKey(base));
    expect(dedupeKey(event(text.replace('"1"', '1')))).not.toBe(dedupeKey(base));
  });
});
