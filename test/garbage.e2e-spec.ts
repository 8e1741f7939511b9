import { delivery, PAGE_ID, textMessage, USER_ID } from './messenger-factories';
import { readJson, startTestApp, TestApp } from './test-app';

/** Cursors as a client could forge them: base64url of a JSON array of positions. */
const cursorOf = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

const TIME = '2026-11-01T00:00:00.000Z';
const UUID = '00000000-0000-4000-8000-000000000000';

/** Values PostgreSQL refuses in text, or numbers and dates outside what it (or JavaScript) holds. */
const NUL_VALUES = ['%00', 'a%00b', '%00%00'];
const BAD_INSTANTS = [
  '-271821-04-20',
  '+275760-09-13',
  '0000-01-01',
  '9999-12-31T23:59:59Z',
  '+010000-01-01',
  '-000001-01-01T00:00:00Z',
];
const BAD_IDS = ['9223372036854775808', '99999999999999999999', '-1', '0', 'abc', 1.5, 42];
/** Cursors no list takes: not a cursor, or a time no list can hold. */
const NO_CURSOR = [
  'not-a-cursor',
  cursorOf([]),
  cursorOf([null]),
  cursorOf([{}]),
  ...BAD_INSTANTS.map((at) => cursorOf([at, '1'])),
  ...BAD_INSTANTS.map((at) => cursorOf([at, 'm_1'])),
  ...BAD_INSTANTS.map((at) => cursorOf([at, UUID])),
  cursorOf([TIME, 'm_\u0000']),
  cursorOf([TIME, 'x'.repeat(1025)]),
];
/**
 * Cursors with an id no bigint holds. A list keyed by text (messages, by mid) may read such an id
 * as a mid: then the conversation decides (404 here), never the database.
 */
const BAD_ID_CURSORS = [
  ...BAD_IDS.map((id) => cursorOf([id])),
  ...BAD_IDS.map((id) => cursorOf([TIME, id])),
];
/** Query values no parameter takes as is, but that some (ids, filters) may read as "nothing found". */
const ODD_VALUES = [
  '',
  '-1',
  '9223372036854775808',
  'x'.repeat(2000),
  '%ZZ',
  '%E0%A4%A',
  '%ED%A0%80', // a lone surrogate, as UTF-8
  '%C0%80', // an overlong NUL
  '☃',
];

interface Operation {
  method: string;
  path: string;
  pathParams: { name: string; example: string }[];
  queryParams: string[];
  hasBody: boolean;
}

interface OpenApiParameter {
  name: string;
  in: string;
  schema?: { enum?: string[] };
}

/** The /api operations as the running service documents them (not a hand-kept list). */
async function apiOperations(t: TestApp): Promise<Operation[]> {
  const document = (await readJson(await t.api('/docs-json'))) as {
    paths: Record<
      string,
      Record<string, { parameters?: OpenApiParameter[]; requestBody?: unknown }>
    >;
  };
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const parameters = operation.parameters ?? [];
        return {
          method: method.toUpperCase(),
          path,
          pathParams: parameters
            .filter((parameter) => parameter.in === 'path')
            .map((parameter) => ({
              name: parameter.name,
              example: parameter.schema?.enum?.[0] ?? '1',
            })),
          queryParams: parameters
            .filter((parameter) => parameter.in === 'query')
            .map((parameter) => parameter.name),
          hasBody: operation.requestBody !== undefined,
        };
      }),
    );
}

function url(operation: Operation, segments: Record<string, string> = {}, query = ''): string {
  let path = operation.path;
  for (const { name, example } of operation.pathParams) {
    path = path.replace(`{${name}}`, segments[name] ?? encodeURIComponent(example));
  }
  return query ? `${path}?${query}` : path;
}

describe('client garbage on every /api route', () => {
  let t: TestApp;
  let operations: Operation[];

  beforeAll(async () => {
    t = await startTestApp();
    // Some rows, so that lists and filters have something to read past.
    expect((await t.deliver(delivery([textMessage('m_1'), textMessage('m_2')]))).status).toBe(200);
    operations = await apiOperations(t);
  });
  afterAll(() => t.close());

  /** The answer, with what went wrong in the failure message when it is not the expected kind. */
  async function send(
    method: string,
    path: string,
    init: { body?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown>; request: string }> {
    const res = await t.api(path, {
      method,
      body: init.body,
      headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // a non-JSON answer fails the shape check below
    }
    return { status: res.status, body, request: `${method} ${path.slice(0, 200)}` };
  }

  function expectClientError(answer: Awaited<ReturnType<typeof send>>): void {
    const kind = answer.status >= 400 && answer.status < 500 ? '4xx' : answer.status;
    expect({ request: answer.request, status: kind }).toEqual({
      request: answer.request,
      status: '4xx',
    });
    expect(answer.body).toEqual({
      statusCode: answer.status,
      error: expect.any(String),
      message: expect.anything(),
      code: expect.stringMatching(/^[A-Z_]+$/),
    });
  }

  function expectNoServerError(answer: Awaited<ReturnType<typeof send>>): void {
    const kind = answer.status < 500 ? 'not 5xx' : answer.status;
    expect({ request: answer.request, status: kind }).toEqual({
      request: answer.request,
      status: 'not 5xx',
    });
    if (answer.status >= 400) expectClientError(answer);
  }

  it('does find the routes in the OpenAPI document', () => {
    const paths = operations.map((operation) => `${operation.method} ${operation.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /api/conversations',
        'GET /api/conversations/{pageId}/{userId}/messages',
        'GET /api/scores/{type}/trend',
        'POST /api/surveys',
        'GET /api/webhook-events',
      ]),
    );
  });

  it('does answer 4xx to NUL in any path segment or text query parameter', async () => {
    for (const operation of operations) {
      for (const { name } of operation.pathParams) {
        for (const value of NUL_VALUES) {
          expectClientError(await send(operation.method, url(operation, { [name]: value })));
        }
      }
      for (const name of operation.queryParams) {
        for (const value of NUL_VALUES) {
          expectClientError(await send(operation.method, url(operation, {}, `${name}=${value}`)));
        }
      }
    }
  });

  it('does answer 4xx to dates PostgreSQL or JavaScript cannot hold in from and to', async () => {
    const ranged = operations.filter((operation) => operation.queryParams.includes('from'));
    expect(ranged.length).toBeGreaterThanOrEqual(4);
    for (const operation of ranged) {
      for (const name of ['from', 'to']) {
        for (const value of BAD_INSTANTS) {
          const query = `${name}=${encodeURIComponent(value)}`;
          expectClientError(await send(operation.method, url(operation, {}, query)));
        }
      }
    }
  });

  it('does answer 4xx to any cursor it did not make, on every list', async () => {
    const lists = operations.filter((operation) => operation.queryParams.includes('cursor'));
    expect(lists.length).toBeGreaterThanOrEqual(7);
    for (const operation of lists) {
      for (const cursor of NO_CURSOR) {
        const answer = await send(operation.method, url(operation, {}, `cursor=${cursor}`));
        expectClientError(answer);
        expect({ request: answer.request, code: answer.body.code }).toEqual({
          request: answer.request,
          code: 'INVALID_CURSOR',
        });
      }
      // GET /api/pages is keyed by the Page id, a text: a cursor holding any digits is a position
      // there (after Page "9223372036854775808"), not an id out of range.
      if (operation.path === '/api/pages') continue;
      for (const cursor of BAD_ID_CURSORS) {
        expectClientError(await send(operation.method, url(operation, {}, `cursor=${cursor}`)));
      }
    }
  });

  it('does never answer 5xx to odd values in path segments and query parameters', async () => {
    for (const operation of operations) {
      for (const { name } of operation.pathParams) {
        for (const value of ODD_VALUES) {
          if (value === '') continue; // an empty segment is another route
          expectNoServerError(await send(operation.method, url(operation, { [name]: value })));
        }
      }
      for (const name of operation.queryParams) {
        for (const value of ODD_VALUES) {
          expectNoServerError(await send(operation.method, url(operation, {}, `${name}=${value}`)));
        }
        // Repeated, a parameter arrives as an array.
        expectNoServerError(
          await send(operation.method, url(operation, {}, `${name}=1&${name}=2`)),
        );
      }
    }
  });

  it('does answer 400 INVALID_JSON to a deeply nested body on every route that takes one', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const withBody = operations.filter((operation) => operation.hasBody);
    expect(withBody.map((operation) => operation.path)).toContain('/api/surveys');
    for (const operation of withBody) {
      for (const body of [deep, deepObject]) {
        const answer = await send(operation.method, url(operation), { body });
        expectClientError(answer);
        expect(answer.body.code).toBe('INVALID_JSON');
      }
    }
  });

  describe('targeted', () => {
    it('does refuse a webhook-events cursor beyond bigint, negative or not a number', async () => {
      for (const id of ['9223372036854775808', '-1', 'abc']) {
        const answer = await send('GET', `/api/webhook-events?cursor=${cursorOf([id])}`);
        expect(answer.status).toBe(400);
        expect(answer.body.code).toBe('INVALID_CURSOR');
      }
    });

    it('does refuse conversation and event cursors whose id is beyond bigint', async () => {
      for (const path of [
        '/api/conversations',
        `/api/conversations/${PAGE_ID}/${USER_ID}/events`,
        `/api/pages/${PAGE_ID}/events`,
        '/api/scores/comments',
      ]) {
        const answer = await send(
          'GET',
          `${path}?cursor=${cursorOf([TIME, '9223372036854775808'])}`,
        );
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({
          path,
          status: 400,
          code: 'INVALID_CURSOR',
        });
      }
    });

    it('does refuse time cursors at dates PostgreSQL does not hold', async () => {
      for (const [path, key] of [
        [`/api/conversations/${PAGE_ID}/${USER_ID}/messages`, 'm_1'],
        ['/api/surveys', UUID],
        ['/api/conversations', '1'],
      ]) {
        for (const at of ['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z']) {
          const answer = await send('GET', `${path}?cursor=${cursorOf([at, key])}`);
          expect({ path, at, status: answer.status, code: answer.body.code }).toEqual({
            path,
            at,
            status: 400,
            code: 'INVALID_CURSOR',
          });
        }
      }
    });

    it('does refuse from = 9999-12-31T23:59:59Z on the trend, which adds a period to it', async () => {
      for (const interval of ['day', 'week', 'month']) {
        const answer = await send(
          'GET',
          `/api/scores/csat/trend?interval=${interval}&from=9999-12-31T23:59:59Z`,
        );
        expect(answer.status).toBe(400);
        expect(answer.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('does answer 400 INVALID_JSON to a 10,000-deep survey and store nothing', async () => {
      const answer = await send('POST', '/api/surveys', {
        body: '{"pageId":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}',
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('INVALID_JSON');
      const { rows } = await t.prisma.pool.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM surveys',
      );
      expect(rows[0].n).toBe('0');
    });

    it('does refuse NUL in a body string before any route reads it, and store nothing', async () => {
      const answer = await send('POST', '/api/surveys', {
        body: JSON.stringify({ pageId: PAGE_ID, recipientId: `${USER_ID}\u0000`, type: 'csat' }),
      });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
      expect(answer.body.message).toEqual(['recipientId must not contain NUL characters']);
      const { rows } = await t.prisma.pool.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM surveys',
      );
      expect(rows[0].n).toBe('0');
    });

    it('does still accept a body 64 levels deep', async () => {
      const nested = '['.repeat(63) + ']'.repeat(63);
      const answer = await send('POST', '/api/surveys', {
        body: `{"pageId":"${PAGE_ID}","recipientId":"PSID_1","type":"csat","x":${nested}}`,
      });
      // Past the parser: the validation refuses the unknown field, not the depth.
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
    });
  });
});
