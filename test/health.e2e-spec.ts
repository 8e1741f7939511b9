import { readJson, startTestApp, TestApp } from './test-app';

describe('operations routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('GET /health', () => {
    it('answers 200 with the database up', async () => {
      const res = await t.api('/health', { auth: false });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', database: 'up' });
    });
  });

  describe('/api/* bearer token', () => {
    it.each([
      ['no header', undefined],
      ['a wrong token', 'Bearer wrong-token-0123456789abcdef'],
      ['another scheme', 'Basic dGVzdDp0ZXN0'],
      ['an empty bearer', 'Bearer '],
    ])('answers 401 with %s', async (_name, header) => {
      const headers = header === undefined ? undefined : { authorization: header };
      const res = await t.api('/api/webhook-events', { auth: false, headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'a valid bearer token is required',
        code: 'UNAUTHORIZED',
      });
    });
  });

  describe('errors', () => {
    it.each([
      ['broken JSON', '{"recipientId": '],
      ['a prototype-poisoning key', '{"__proto__": {"polluted": true}}'],
      ['a prototype-poisoning key spelt with an escape', '{"\\u005f_proto__": {"polluted": true}}'],
      [
        'a poisoning key beside a huge array',
        `{"b": {"__proto__": 1}, "a": [${'0,'.repeat(300_000)}0]}`,
      ],
    ])('answers %s sent to an /api route with 400 INVALID_JSON', async (_name, body) => {
      const res = await t.api('/api/surveys', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(await readJson(res)).toMatchObject({ statusCode: 400, code: 'INVALID_JSON' });
    });

    it('answers unknown routes with the one error shape', async () => {
      // With the token: without it an unknown path is 401, like any route not public.
      const res = await t.api('/nowhere');
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        statusCode: 404,
        error: 'Not Found',
        code: 'NOT_FOUND',
      });
    });
  });

  describe('GET /docs-json', () => {
    it('serves an OpenAPI 3 document with bearer auth', async () => {
      const res = await t.api('/docs-json', { auth: false });
      expect(res.status).toBe(200);
      const doc = await readJson(res);
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBeTruthy();
      expect(doc.paths['/health']).toBeDefined();
      expect(doc.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
    });

    it('documents the webhook: the handshake and the deliveries, which no controller serves', async () => {
      const doc = await readJson(await t.api('/docs-json', { auth: false }));
      expect(doc.paths['/webhook'].get.summary).toMatch(/handshake/i);
      expect(doc.paths['/webhook'].post).toMatchObject({
        tags: ['webhook'],
        parameters: [{ name: 'X-Hub-Signature-256', in: 'header', required: true }],
      });
      expect(Object.keys(doc.paths['/webhook'].post.responses)).toEqual(
        expect.arrayContaining(['200', '400', '401', '413']),
      );
    });

    it('serves the Swagger UI at /docs', async () => {
      const res = await t.api('/docs', { auth: false });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('swagger');
    });
  });
});
