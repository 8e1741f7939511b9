import { WebhookController } from '../src/webhook/intake/webhook.controller';
import { startTestApp, TestApp, VERIFY_TOKEN } from './test-app';

describe(WebhookController.name, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const handshake = (params: Record<string, string | string[]>) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      for (const item of [value].flat()) query.append(key, item);
    }
    return t.api(`/webhook?${query.toString()}`, { auth: false });
  };

  describe('GET /webhook', () => {
    it('does echo the challenge as text/plain when the verify token matches', async () => {
      const res = await handshake({
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': '1158201444',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe('1158201444');
    });

    it('does echo a challenge of any characters unchanged', async () => {
      const challenge = 'a b&c=d/é"<x>';
      const res = await handshake({
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': challenge,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe(challenge);
    });

    it.each([
      ['a wrong token', { 'hub.verify_token': 'wrong-token' }],
      ['the token with a suffix', { 'hub.verify_token': `${VERIFY_TOKEN}x` }],
      ['a prefix of the token', { 'hub.verify_token': VERIFY_TOKEN.slice(0, -1) }],
      ['an empty token', { 'hub.verify_token': '' }],
      ['no token', { 'hub.verify_token': undefined }],
      ['the token twice', { 'hub.verify_token': [VERIFY_TOKEN, VERIFY_TOKEN] }],
      ['a wrong mode', { 'hub.mode': 'unsubscribe' }],
      ['no mode', { 'hub.mode': undefined }],
      ['no challenge', { 'hub.challenge': undefined }],
    ])('does answer 403 with %s', async (_name, change) => {
      const params: Record<string, string | string[] | undefined> = {
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': '1158201444',
        ...change,
      };
      const defined = Object.fromEntries(
        Object.entries(params).filter(
          (pair): pair is [string, string | string[]] => pair[1] !== undefined,
        ),
      );
      const res = await handshake(defined);
      expect(res.status).toBe(403);
      const body = await res.text();
      expect(body).not.toContain('1158201444');
      expect(JSON.parse(body)).toMatchObject({ statusCode: 403, code: 'VERIFICATION_FAILED' });
    });

    it('does answer 403 without any query', async () => {
      const res = await t.api('/webhook', { auth: false });
      expect(res.status).toBe(403);
    });
  });
});
