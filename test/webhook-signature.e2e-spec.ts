import { delivery, metaJson, textMessage } from './messenger-factories';
import { eventually, sign, startTestApp, TestApp } from './test-app';
import { eventsByMid, inboxCounts } from './webhook-fixtures';

describe('POST /webhook signature', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('POST /webhook with a bad signature', () => {
    const body = JSON.stringify(delivery([textMessage('m_signed')]));
    const good = sign(body);
    const flipHexDigit = (signature: string) =>
      signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');

    it.each([
      ['no signature header', body, null],
      ['an empty header', body, ''],
      ['the signature made with another secret', body, sign(body, 'another-app-secret')],
      ['a truncated hex digest', body, good.slice(0, -2)],
      ['the hex digest with one digit more', body, `${good}0`],
      ['the sha1= prefix', body, good.replace('sha256=', 'sha1=')],
      ['no prefix', body, good.replace('sha256=', '')],
      ['one hex digit flipped', body, flipHexDigit(good)],
      ['one byte of the body flipped', body.replace('m_signed', 'm_signee'), good],
      ['a byte appended to the body', `${body} `, good],
      ['a signature of nothing', body, sign('')],
      ['a digest that is not hex', body, `sha256=${'z'.repeat(64)}`],
    ])('does answer 401 with %s, and store nothing', async (_name, raw, signature) => {
      const before = await inboxCounts(t);
      const res = await t.deliver(raw, { signature });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ statusCode: 401, code: 'INVALID_SIGNATURE' });
      expect(await inboxCounts(t)).toEqual(before);
    });

    it('does answer 401, not 400, for an unsigned body that is not JSON', async () => {
      const res = await t.deliver('{"object": "page", "entry": [', { signature: null });
      expect(res.status).toBe(401);
    });

    it('does verify the exact bytes, never a re-serialised body', async () => {
      const value = delivery([textMessage('m_reserialised', 'café')]);
      // Signed as raw UTF-8, sent as Meta would write it: the same JSON value, other bytes.
      const res = await t.deliver(metaJson(value), { signature: sign(JSON.stringify(value)) });
      expect(res.status).toBe(401);
      expect(await eventsByMid(t, ['m_reserialised'])).toEqual([]);
    });

    it('does still accept a correctly signed delivery afterwards', async () => {
      const res = await t.deliver(body);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('EVENT_RECEIVED');
      expect(await eventsByMid(t, ['m_signed'])).toHaveLength(1);
    });
  });

  describe('POST /webhook with non-ASCII text', () => {
    const text = 'Café crème, ça va? 😍 👍🏽 日本語';

    it('does verify Meta-escaped and raw UTF-8 bodies alike and store the same text', async () => {
      const escaped = metaJson(delivery([textMessage('m_escaped', text)]));
      expect(escaped).toContain('Caf\\u00e9');
      expect(escaped).toContain('\\ud83d\\ude0d');
      expect(/^[\x20-\x7e]*$/.test(escaped)).toBe(true);
      const raw = JSON.stringify(delivery([textMessage('m_utf8', text)]));
      expect(raw).toContain('😍');

      expect((await t.deliver(escaped)).status).toBe(200);
      expect((await t.deliver(Buffer.from(raw, 'utf8'))).status).toBe(200);

      const events = await eventsByMid(t, ['m_escaped', 'm_utf8']);
      expect(events.map((event) => [event.mid, event.kind, event.text])).toEqual([
        ['m_escaped', 'message', text],
        ['m_utf8', 'message', text],
      ]);
      await eventually(async () => {
        const rows = await eventsByMid(t, ['m_escaped', 'm_utf8']);
        expect(rows.map((event) => event.status)).toEqual(['processed', 'processed']);
      });
    });

    it('does recognise one event sent once escaped and once as UTF-8 as the same event', async () => {
      const value = delivery([textMessage('m_both', text)]);
      expect((await t.deliver(metaJson(value))).status).toBe(200);
      expect((await t.deliver(JSON.stringify(value))).status).toBe(200);
      const events = await eventsByMid(t, ['m_both']);
      expect(events.map((event) => event.text)).toEqual([text]);
    });
  });
});
