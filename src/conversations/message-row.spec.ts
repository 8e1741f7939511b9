import { parseDelivery } from '../webhook/intake/messenger-event.parser';
import { MessageEchoEvent, MessageReceivedEvent } from '../events/messenger-events';
import { PermanentEventError } from '../events/permanent-event.error';
import { conversationOf, toMessageRow } from './message-row';

const PAGE = '111';
const USER = '222';

function parseOne(event: Record<string, unknown>): unknown {
  const [parsed] = parseDelivery({
    object: 'page',
    entry: [{ id: PAGE, time: 5, messaging: [event] }],
  });
  return parsed;
}

describe('toMessageRow', () => {
  it('does make a customer message inbound, keyed by Page and sender', () => {
    const event = parseOne({
      sender: { id: USER },
      recipient: { id: PAGE },
      timestamp: 1_700_000_000_123,
      message: { mid: 'm_1', text: 'hi', quick_reply: { payload: 'P' }, reply_to: { mid: 'm_0' } },
    }) as MessageReceivedEvent;
    expect(toMessageRow(event)).toMatchObject({
      mid: 'm_1',
      pageId: PAGE,
      userId: USER,
      direction: 'inbound',
      sentAt: new Date(1_700_000_000_123),
      text: 'hi',
      quickReplyPayload: 'P',
      replyToMid: 'm_0',
      attachments: [],
    });
  });

  it('does make an echo outbound, to the customer it was sent to, with its app and metadata', () => {
    const event = parseOne({
      sender: { id: PAGE },
      recipient: { id: USER },
      timestamp: 1_700_000_000_010,
      message: { mid: 'm_2', is_echo: true, app_id: 42, metadata: 'meta', text: 'answer' },
    }) as MessageEchoEvent;
    expect(toMessageRow(event)).toMatchObject({
      pageId: PAGE,
      userId: USER,
      direction: 'outbound',
      appId: '42',
      metadata: 'meta',
    });
  });

  it("does keep a helper reply's own words as text and the rewrite aside", () => {
    const event = parseOne({
      sender: { id: USER },
      recipient: { id: PAGE },
      timestamp: 1_700_000_000_010,
      message: {
        mid: 'm_3',
        text: "ok (replied to - 'x')",
        original_text: 'ok',
        reply_to: { mid: 'm_x' },
      },
    }) as MessageReceivedEvent;
    expect(toMessageRow(event)).toMatchObject({ text: 'ok', helperText: "ok (replied to - 'x')" });
  });
});

describe('conversationOf', () => {
  it('does refuse an event that names no Page or no customer', () => {
    expect(() => conversationOf({ kind: 'message', pageId: null, userId: USER })).toThrow(/Page/);
    expect(() => conversationOf({ kind: 'read', pageId: PAGE, userId: null })).toThrow(/customer/);
    // Never placeable, so not worth a retry.
    expect(() => conversationOf({ kind: 'read', pageId: PAGE, userId: null })).toThrow(
      PermanentEventError,
    );
    expect(conversationOf({ kind: 'read', pageId: PAGE, userId: USER })).toEqual({
      pageId: PAGE,
      userId: USER,
    });
  });
});
