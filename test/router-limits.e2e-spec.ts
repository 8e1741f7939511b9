import { MAX_PARAM_LENGTH } from '../src/app';
import { conversationFactory } from './messenger-factories';
import { eventually, readJson, startTestApp, TestApp } from './test-app';

const f = conversationFactory({
  page: '100000000000077',
  start: Date.UTC(2026, 10, 2, 9, 0, 0),
  userPrefix: '7700000000',
});

/** A Messenger-like mid (URL-safe characters only) of exactly `length` characters. */
const midOf = (length: number, seed: string): string =>
  `m_${seed}_${'AbC9-x_'.repeat(length)}`.slice(0, length);

describe("the router's own limits", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('path parameters up to 1 KiB', () => {
    it('stores a 1,000-character mid from a signed delivery and reads it back by its path', async () => {
      const user = f.newUser();
      const mid = midOf(1000, 'long');
      await f.send(t, [f.inbound(user, 1, { message: { mid, text: 'a long mid' } })]);
      const res = await eventually(async () => {
        const found = await t.api(`/api/messages/${mid}`);
        expect(found.status).toBe(200);
        return found;
      });
      expect(await readJson(res)).toMatchObject({ mid, text: 'a long mid', userId: user });
    });

    it('takes a parameter of exactly the limit to the route', async () => {
      const res = await t.api(`/api/messages/${midOf(MAX_PARAM_LENGTH, 'edge')}`);
      expect(res.status).toBe(404);
      expect((await readJson(res)).code).toBe('NOT_FOUND');
    });

    it('answers a longer one 414 in the error shape', async () => {
      const res = await t.api(`/api/messages/${midOf(MAX_PARAM_LENGTH + 1, 'over')}`);
      expect(res.status).toBe(414);
      expect(await readJson(res)).toEqual({
        statusCode: 414,
        error: 'Uri Too Long',
        message: 'a path segment is too long',
        code: 'URI_TOO_LONG',
      });
    });

    it('answers a longer one 401 without the token, as any path it cannot match', async () => {
      const res = await t.api(`/api/messages/${midOf(MAX_PARAM_LENGTH + 1, 'over')}`, {
        auth: false,
      });
      expect(res.status).toBe(401);
      expect((await readJson(res)).code).toBe('UNAUTHORIZED');
    });
  });
});
