import { request as httpRequest } from 'node:http';
import { PUBLIC_ROUTES, registeredRoutes, RouteKey } from '../src/common/route-auth';
import { FakeGraphApi } from './fake-graph-api';
import { seedConversation, startSurveyApp } from './surveys-fixtures';
import { API_TOKEN, sign, startTestApp, TestApp, VERIFY_TOKEN } from './test-app';

const PAGE = '1001';
const CUSTOMER = '7000001';

interface RawResponse {
  status: number;
  body: string;
}

/**
 * One request over node:http with the path sent exactly as given: fetch would resolve `/./` and
 * re-encode, and the point is to send what an attacker would.
 */
function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, method, path, headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Plausible values for the path parameters of the service's routes. */
const PARAMS: Record<string, string> = {
  pageId: PAGE,
  userId: CUSTOMER,
  mid: 'm_1',
  id: '00000000-0000-4000-8000-000000000001',
  type: 'csat',
};

function fillPattern(url: string): string {
  return (
    url
      // A parameter named nowhere above gets an id-like value: the token is checked before any
      // handler looks at it.
      .replace(/:(\w+)/g, (_match, name: string) => PARAMS[name] ?? '1000000000000002')
      .replace(/^\/assets\/\*$/, '/assets/app.js')
      .replace(/\*$/, 'swagger-ui.css')
  );
}

/** Spellings of one path that a lax router (or a raw-URL check) might tell apart. */
function spellings(path: string): Array<[string, string]> {
  const [, first, rest] = /^\/([^/]+)(.*)$/.exec(path) ?? [];
  const encoded = `%${first.charCodeAt(0).toString(16)}${first.slice(1)}`;
  return [
    ['as registered', path],
    ['a percent-encoded letter', `/${encoded}${rest}`],
    ['a leading double slash', `/${path}`],
    ['a double slash inside', `/${first}/${rest}`],
    ['a dot segment', `/.${path}`],
    ['a trailing slash', `${path}/`],
    ['a ;x suffix', `${path};x`],
  ];
}

const UNAUTHORIZED = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'a valid bearer token is required',
  code: 'UNAUTHORIZED',
};

/** A body the route's handler would act on, if it were ever reached. */
const BODIES: Record<string, unknown> = {
  'POST /api/surveys': { recipientId: CUSTOMER, pageId: PAGE, type: 'csat' },
};

/** Whether the public list names the route (a HEAD route is its GET's). */
function isPublic(route: RouteKey, production = false): boolean {
  return PUBLIC_ROUTES.some(
    (entry) =>
      !(production && entry.outsideProductionOnly) &&
      entry.url === route.url &&
      entry.method === (route.method === 'HEAD' ? 'GET' : route.method),
  );
}

const routesOf = (t: TestApp): readonly RouteKey[] =>
  registeredRoutes(t.app.getHttpAdapter().getInstance());

/**
 * Every spelling of every private route, without a token: each must answer 401 in the one error
 * shape. Returns what did not.
 */
async function leaksOfPrivateRoutes(
  t: TestApp,
  routes: readonly RouteKey[],
  production: boolean,
): Promise<string[]> {
  const privateRoutes = routes.filter((route) => !isPublic(route, production));
  expect(privateRoutes.length).toBeGreaterThan(10);
  const leaks: string[] = [];
  for (const route of privateRoutes) {
    const body = BODIES[`${route.method} ${route.url}`];
    const headers: Record<string, string> =
      body === undefined ? {} : { 'content-type': 'application/json' };
    for (const [name, path] of spellings(fillPattern(route.url))) {
      const res = await rawRequest(
        t.baseUrl,
        route.method,
        path,
        headers,
        body === undefined ? undefined : JSON.stringify(body),
      );
      const shaped = route.method === 'HEAD' || res.body === JSON.stringify(UNAUTHORIZED);
      if (res.status !== 401 || !shaped) {
        leaks.push(`${route.method} ${path} (${name}) → ${res.status} ${res.body.slice(0, 80)}`);
      }
    }
  }
  return leaks;
}

describe('authentication on the matched route', () => {
  let t: TestApp;
  let fake: FakeGraphApi;
  let close: () => Promise<void>;
  let routes: readonly RouteKey[];

  beforeAll(async () => {
    ({ t, fake, close } = await startSurveyApp({ MESSENGER_PAGE_ACCESS_TOKEN: 'EAA-page-token' }));
    // A customer who wrote a minute ago: a survey that reached its handler would be sent.
    await seedConversation(t.prisma, PAGE, CUSTOMER, new Date(Date.now() - 60_000));
    routes = routesOf(t);
  });
  afterAll(() => close());

  it('knows the whole route table, and every public entry names a registered route', () => {
    const keys = new Set(routes.map((route) => `${route.method} ${route.url}`));
    for (const expected of ['GET /api/conversations', 'POST /api/surveys', 'POST /webhook']) {
      expect(keys).toContain(expected);
    }
    for (const entry of PUBLIC_ROUTES) expect(keys).toContain(`${entry.method} ${entry.url}`);
  });

  it('refuses every spelling of every private route without the token, and reaches no handler', async () => {
    expect(await leaksOfPrivateRoutes(t, routes, false)).toEqual([]);
    expect(fake.requests).toEqual([]);
    expect(await t.prisma.survey.count()).toBe(0);
  });

  it('does match the spellings to the route, so they are not refused merely as unknown paths', async () => {
    const withToken = { authorization: `Bearer ${API_TOKEN}` };
    for (const path of ['/%61pi/conversations', '/%61%70%69/conversations', '/api/conversations']) {
      const res = await rawRequest(t.baseUrl, 'GET', path, withToken);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    const survey = await rawRequest(
      t.baseUrl,
      'POST',
      '/%61pi/surveys',
      { ...withToken, 'content-type': 'application/json' },
      JSON.stringify(BODIES['POST /api/surveys']),
    );
    expect(survey.status).toBe(201);
    expect(fake.sent).toHaveLength(1);
    fake.reset();
    await t.prisma.survey.deleteMany();
  });

  it('refuses a wrong token, another scheme or an empty bearer on every private route', async () => {
    const wrong = [
      'Bearer wrong-token-0123456789abcdef',
      `Bearer ${API_TOKEN}x`,
      `Basic ${Buffer.from(`user:${API_TOKEN}`).toString('base64')}`,
      'Bearer ',
      API_TOKEN,
    ];
    const statuses = new Set<number>();
    for (const route of routes.filter((one) => !isPublic(one))) {
      for (const authorization of wrong) {
        const res = await rawRequest(t.baseUrl, route.method, fillPattern(route.url), {
          authorization,
        });
        statuses.add(res.status);
      }
    }
    expect([...statuses]).toEqual([401]);
  });

  it('takes a live session cookie as it takes the bearer on every private route, and refuses an ended one', async () => {
    const login = await fetch(`${t.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: API_TOKEN }),
    });
    const cookie = /^(mf_session=[^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1] ?? '';
    expect(cookie).not.toBe('');
    const origin = t.baseUrl;
    // The logout last: it ends the session the walk uses.
    const walk = routes
      .filter((one) => !isPublic(one))
      .sort((a, b) => Number(a.url === '/api/session') - Number(b.url === '/api/session'));
    const refused: string[] = [];
    for (const route of walk) {
      const res = await rawRequest(t.baseUrl, route.method, fillPattern(route.url), {
        cookie,
        origin,
      });
      if (res.status === 401 || res.status === 403) refused.push(`${route.method} ${route.url}`);
    }
    expect(refused).toEqual([]);
    expect(fake.requests).toEqual([]);
    const statuses = new Set<number>();
    for (const route of walk) {
      const res = await rawRequest(t.baseUrl, route.method, fillPattern(route.url), {
        cookie,
        origin,
      });
      statuses.add(res.status);
    }
    expect([...statuses]).toEqual([401]);
  });

  it('answers an unknown path 401 without the token and 404 with it', async () => {
    for (const path of ['/nope', '/api/nope', '/api', '/index.html', '/webhook/x', '/health/']) {
      const anonymous = await rawRequest(t.baseUrl, 'GET', path);
      expect({ path, status: anonymous.status, body: JSON.parse(anonymous.body) }).toEqual({
        path,
        status: 401,
        body: UNAUTHORIZED,
      });
      const known = await rawRequest(t.baseUrl, 'GET', path, {
        authorization: `Bearer ${API_TOKEN}`,
      });
      expect({ path, status: known.status, code: JSON.parse(known.body).code }).toEqual({
        path,
        status: 404,
        code: 'NOT_FOUND',
      });
    }
  });

  it('answers every public route without a token', async () => {
    const challenge = `/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`;
    const delivery = JSON.stringify({ object: 'page', entry: [] });
    for (const route of routes.filter((one) => isPublic(one))) {
      if (route.method === 'POST' && route.url === '/api/session') {
        const login = await rawRequest(
          t.baseUrl,
          'POST',
          route.url,
          { 'content-type': 'application/json' },
          JSON.stringify({ token: API_TOKEN }),
        );
        expect({ route, status: login.status }).toEqual({ route, status: 204 });
        continue;
      }
      const res =
        route.method === 'POST'
          ? await rawRequest(
              t.baseUrl,
              'POST',
              route.url,
              { 'content-type': 'application/json', 'x-hub-signature-256': sign(delivery) },
              delivery,
            )
          : await rawRequest(
              t.baseUrl,
              route.method,
              route.url === '/webhook' ? challenge : fillPattern(route.url),
            );
      // Swagger UI hides its LICENSE route behind a 404 of its own.
      const status = route.url === '/docs/LICENSE' ? 404 : 200;
      expect({ route, status: res.status }).toEqual({ route, status });
    }
  });
});

describe('authentication on the matched route in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    // startTestApp sets the three secrets production requires.
    t = await startTestApp({ NODE_ENV: 'production' });
  });
  afterAll(() => t.close());

  it('refuses every spelling of every route not public in production, /docs included', async () => {
    const routes = routesOf(t);
    expect(routes.filter((route) => route.url.startsWith('/docs')).length).toBeGreaterThan(5);
    expect(await leaksOfPrivateRoutes(t, routes, true)).toEqual([]);
  });

  it.each(['/docs', '/docs/', '/docs-json', '/docs-yaml', '/docs/swagger-ui.css', '/%64ocs-json'])(
    'requires the token for %s',
    async (path) => {
      const anonymous = await rawRequest(t.baseUrl, 'GET', path);
      expect(anonymous.status).toBe(401);
      expect(JSON.parse(anonymous.body)).toEqual(UNAUTHORIZED);
      const known = await rawRequest(t.baseUrl, 'GET', path, {
        authorization: `Bearer ${API_TOKEN}`,
      });
      expect(known.status).toBe(200);
    },
  );

  it('still answers /health and the webhook handshake without a token', async () => {
    expect((await rawRequest(t.baseUrl, 'GET', '/health')).status).toBe(200);
    const handshake = await rawRequest(
      t.baseUrl,
      'GET',
      `/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=7`,
    );
    expect(handshake).toEqual({ status: 200, body: '7' });
  });
});
