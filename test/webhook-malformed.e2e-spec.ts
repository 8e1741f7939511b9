import { parseDeliveryBody } from '../src/webhook/intake/delivery-body';
import { delivery, PAGE_ID, textMessage } from './messenger-factories';
import { readJson, startTestApp, TestApp } from './test-app';
import { eventsOfBody, inboxCounts } from './webhook-fixtures';

/** A page delivery with one event written as raw JSON text. */
const withEvent = (eventJson: string) =>
  `{"object":"page","entry":[{"id":"${PAGE_ID}","time":1763700000500,"messaging":[${eventJson}]}]}`;
const withEntry = (entryJson: string) => `{"object":"page","entry":[${entryJson}]}`;
const message = (fields: string) =>
  withEvent(
    `{"sender":{"id":"u_1"},"recipient":{"id":"${PAGE_ID}"},"timestamp":1763700000000,${fields}}`,
  );
const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);
/** `json` with `<bytes>` replaced by raw bytes. */
const withBytes = (json: string, bytes: number[]) => {
  const [before, after] = json.split('<bytes>');
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
};

/** Signed bodies that a Page never sends but a buggy or hostile sender might: accepted and kept. */
const KEPT: [string, string | Buffer][] = [
  ['null', 'null'],
  ['an empty array', '[]'],
  ['a string', '"str"'],
  ['a number', '42'],
  ['true', 'true'],
  ['an empty object', '{}'],
  ['entry: 5', '{"object":"page","entry":5}'],
  ['entry: []', '{"object":"page","entry":[]}'],
  ['entry: [5, null, "x", []]', withEntry('5,null,"x",[]')],
  ['an entry without events', withEntry('{"id":"1","time":1}')],
  ['messaging: "x"', withEntry(`{"id":"${PAGE_ID}","time":1,"messaging":"x"}`)],
  ['messaging: [null, 5, "s", [], {}]', withEvent('null,5,"s",[],{}')],
  ['text: 42', message('"message":{"mid":"m_text_42","text":42}')],
  ['mid: 5', message('"message":{"mid":5,"text":"hi"}')],
  ['message: "x"', message('"message":"x"')],
  ['attachments: "x"', message('"message":{"mid":"m_att_x","attachments":"x"}')],
  ['attachments: [null, 1]', message('"message":{"mid":"m_att_null","attachments":[null,1]}')],
  [
    'sender: null',
    withEvent(
      '{"sender":null,"recipient":null,"timestamp":1,"message":{"mid":"m_sender_null","text":"hi"}}',
    ),
  ],
  [
    'sender: {id: {}}',
    withEvent('{"sender":{"id":{}},"recipient":{"id":[]},"message":{"mid":"m_sender_obj"}}'),
  ],
  [
    'timestamp: "x"',
    withEvent('{"sender":{"id":"u_1"},"timestamp":"x","message":{"mid":"m_ts_string"}}'),
  ],
  [
    'timestamp: 1e300',
    withEvent('{"sender":{"id":"u_1"},"timestamp":1e300,"message":{"mid":"m_ts_huge"}}'),
  ],
  [
    'timestamp: -1e20',
    withEvent('{"sender":{"id":"u_1"},"timestamp":-1e20,"message":{"mid":"m_ts_negative"}}'),
  ],
  [
    'timestamp: 1.5',
    withEvent('{"sender":{"id":"u_1"},"timestamp":1.5,"message":{"mid":"m_ts_fraction"}}'),
  ],
  [
    'entry time: 1.5',
    withEntry(`{"id":"${PAGE_ID}","time":1.5,"messaging":[{"message":{"mid":"m_time_fraction"}}]}`),
  ],
  [
    'entry time: 1e300',
    withEntry(`{"id":"${PAGE_ID}","time":1e300,"messaging":[{"message":{"mid":"m_time_huge"}}]}`),
  ],
  [
    'a number beyond float range',
    withEvent('{"sender":{"id":"u_1"},"timestamp":1e400,"message":{"mid":"m_inf"}}'),
  ],
  [
    'entry id: 1e300',
    withEntry('{"id":1e300,"time":1,"messaging":[{"message":{"mid":"m_page_huge"}}]}'),
  ],
  ['object: {toString: 1}', '{"object":{"toString":1,"valueOf":1},"entry":[]}'],
  ['object: 5', '{"object":5,"entry":[{"id":"1","messaging":[{}]}]}'],
  [
    'a constructor key',
    '{"constructor":{"prototype":{"polluted":true}},"object":"page","entry":[]}',
  ],
  ['NUL in a text', message('"message":{"mid":"m_nul_text","text":"a\\u0000b"}')],
  ['NUL in a key', message('"message":{"mid":"m_nul_key","a\\u0000b":1}')],
  [
    'NUL in the object',
    '{"object":"pa\\u0000ge","entry":[{"id":"1","messaging":[{"sender":{"id":"u"}}]}]}',
  ],
  [
    'NUL in the Page and user ids',
    withEntry(
      '{"id":"p\\u0000","messaging":[{"sender":{"id":"u\\u0000"},"recipient":{"id":"r\\u0000"},"message":{"mid":"m_nul_ids","text":"x"}}]}',
    ),
  ],
  ['a lone high surrogate', message('"message":{"mid":"m_lone_high","text":"a\\ud800b"}')],
  [
    'a lone low surrogate in an id',
    withEntry(
      '{"id":"p\\udc00","messaging":[{"sender":{"id":"u\\udfff"},"message":{"mid":"m_lone_low"}}]}',
    ),
  ],
  [
    'invalid UTF-8 bytes',
    withBytes(message('"message":{"mid":"m_bad_utf8","text":"a<bytes>b"}'), [0xc3, 0x28, 0xff]),
  ],
  ['64 levels of nesting', message(`"message":{"mid":"m_deep_ok","x":${nested(58)}}`)],
  ['a 10,000-character key', message(`"message":{"mid":"m_long_key","${'k'.repeat(10_000)}":1}`)],
  ['5000 empty events', withEvent(Array(5000).fill('{}').join(','))],
  // Escapes that merely look like the start of one in `__proto__`: kept like any other text.
  [
    'keys with escaped letters',
    message('"message":{"mid":"m_esc_keys","\\u005fx":1,"pr\\u006fto":2}'),
  ],
];

/** Signed bodies that are not JSON a Page could have sent at all: refused with 400. */
const REFUSED: [string, string][] = [
  ['an empty body', ''],
  ['whitespace', '   '],
  ['a __proto__ key at the top', '{"__proto__":{"polluted":true},"object":"page","entry":[]}'],
  [
    'a __proto__ key in an event',
    message('"message":{"mid":"m_proto","__proto__":{"polluted":true}}'),
  ],
  [
    'a __proto__ key spelt with an escape',
    '{"\\u005f_proto__":{"polluted":true},"object":"page","entry":[]}',
  ],
  [
    'a __proto__ key with every letter escaped, in an event',
    message(
      '"message":{"mid":"m_proto_esc","\\u005F\\u005F\\u0070\\u0072\\u006F\\u0074\\u006f\\u005f\\u005f":{"polluted":true}}',
    ),
  ],
  ['10,000 levels of arrays', nested(10_000)],
  ['10,000 levels of objects', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
  ['10,000 levels inside an event', message(`"message":{"mid":"m_deep","x":${nested(10_000)}}`)],
  ['a byte order mark', '\ufeff{"object":"page","entry":[]}'],
  ['unterminated JSON', withEvent('{"message":{"mid":"m_cut"')],
  ['a single quote JSON', "{'object':'page'}"],
];

describe('POST /webhook with malformed and hostile bodies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(KEPT)('does accept %s and keep it', async (_name, body) => {
    const res = await t.deliver(body);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('EVENT_RECEIVED');
    // Kept: the delivery as received, and the events read from it (as unknown where unreadable).
    const stored = await t.prisma.webhookDelivery.count({ where: { body: body.toString('utf8') } });
    expect(stored).toBe(1);
  });

  it.each(REFUSED)('does answer 400 to %s, and store nothing', async (_name, body) => {
    const before = await inboxCounts(t);
    const res = await t.deliver(body);
    expect(res.status).toBe(400);
    expect(await readJson(res)).toMatchObject({ statusCode: 400, code: 'INVALID_JSON' });
    expect(await inboxCounts(t)).toEqual(before);
  });

  it('does keep the text readable where it had NUL characters or lone surrogates', async () => {
    const [nul] = await eventsOfBody(
      t,
      message('"message":{"mid":"m_nul_text","text":"a\\u0000b"}'),
    );
    expect(nul).toMatchObject({ kind: 'message', text: 'a\uFFFDb' });
    const [lone] = await eventsOfBody(
      t,
      message('"message":{"mid":"m_lone_high","text":"a\\ud800b"}'),
    );
    expect(lone).toMatchObject({ kind: 'message', text: 'a\uFFFDb' });
  });

  it('does store values the columns refuse as near as they allow', async () => {
    const ids = withEntry(
      '{"id":"p\\u0000","messaging":[{"sender":{"id":"u\\u0000"},"recipient":{"id":"r\\u0000"},"message":{"mid":"m_nul_ids","text":"x"}}]}',
    );
    expect(await eventsOfBody(t, ids)).toMatchObject([
      { kind: 'message', pageId: 'p\uFFFD', userId: 'u\uFFFD' },
    ]);
    const object =
      '{"object":"pa\\u0000ge","entry":[{"id":"1","messaging":[{"sender":{"id":"u"}}]}]}';
    expect(await eventsOfBody(t, object)).toMatchObject([
      { kind: 'unknown', object: 'pa\uFFFDge' },
    ]);
    const byMid = (prefix: string) =>
      t.prisma.webhookEvent.findMany({
        where: { payload: { path: ['message', 'mid'], string_starts_with: prefix } },
        select: { entryTime: true, occurredAt: true },
      });
    // An entry time that is no whole number is left out; a time out of range reads as received.
    expect(await byMid('m_time_')).toEqual([
      { entryTime: null, occurredAt: expect.any(Date) },
      { entryTime: null, occurredAt: expect.any(Date) },
    ]);
    const outOfRange = await byMid('m_ts_huge');
    expect(outOfRange).toHaveLength(1);
    expect(outOfRange[0].occurredAt.getTime()).toBeGreaterThan(Date.UTC(2020, 0, 1));
    const delivery = await t.prisma.webhookDelivery.findFirst({
      where: { body: { contains: '"toString"' } },
    });
    expect(delivery?.object).toBeNull();
  });

  it('does not let a body reach Object.prototype', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => parseDeliveryBody(Buffer.from('{"__proto__":{"polluted":true}}'))).toThrow();
  });

  it('does still answer and store normally afterwards', async () => {
    expect((await t.api('/health', { auth: false })).status).toBe(200);
    const body = JSON.stringify(delivery([textMessage('m_after_hostile')]));
    expect((await t.deliver(body)).status).toBe(200);
    expect((await eventsOfBody(t, body)).map((event) => event.kind)).toEqual(['message']);
  });
});
