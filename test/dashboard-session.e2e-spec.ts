import { createHash } from 'node:crypto';
import { SessionStore } from '../src/dashboard/session.store';
import { API_TOKEN, readJson, startTestApp, TestApp } from './test-app';

/** The session cookie's `name=value` from a login's Set-Cookie. */
function cookieOf(res: Response): string {
  const header = res.headers.get('set-cookie') ?? '';
  const match = /^(mf_session=[^;]+);/.exec(header);
  if (!match) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return match[1];
}

describe('dashboard sessions: POST/DELETE /api/session and the cookie on /api/*', () => {
  let t: TestApp;
  let origin: string;

  beforeAll(async () => {
    t = await startTestApp();
    origin = t.baseUrl;
  });
  afterAll(() => t.close());

  const login = (token = API_TOKEN, headers: Record<string, string> = {}): Promise<Response> =>
    t.api('/api/session', { method: 'POST', auth: false, json: { token }, headers });

  /** A request as the dashboard page makes it: the cookie, no bearer, from its own origin. */
  const withCookie = (
    cookie: string,
    path: string,
    init: RequestInit & { json?: unknown } = {},
    headers: Record<string, string> = { origin },
  ): Promise<Response> => t.api(path, { ...init, auth: false, headers: { cookie, ...headers } });

  it('exchanges the API token for an HttpOnly, SameSite=Strict cookie that the API accepts', async () => {
    const res = await login();
    expect(res.status).toBe(204);
    const header = res.headers.get('set-cookie') ?? '';
    expect(header).toMatch(/^mf_session=[A-Za-z0-9_-]{43};/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/');
    expect(header).toContain('Max-Age=43200');
    expect(header).not.toContain('Secure'); // not in production: a laptop serves plain http
    expect(header).not.toContain(API_TOKEN);

    const scores = await withCookie(cookieOf(res), '/api/scores');
    expect(scores.status).toBe(200);
    expect(await readJson(scores)).toHaveProperty('csat');

    const session = await readJson(await withCookie(cookieOf(res), '/api/session'));
    expect(session.authenticatedBy).toBe('session');
    const left = Date.parse(session.expiresAt) - Date.now();
    expect(left).toBeGreaterThan(11 * 3_600_000);
    expect(left).toBeLessThanOrEqual(12 * 3_600_000);
    expect(await readJson(await t.api('/api/session'))).toEqual({
      authenticatedBy: 'bearer',
      expiresAt: null,
    });
    expect((await t.api('/api/session', { auth: false })).status).toBe(401);
  });

  it('keeps only the hash of the session id in the database', async () => {
    const cookie = cookieOf(await login());
    const id = cookie.split('=')[1];
    const hash = createHash('sha256').update(id).digest('hex');
    const rows = await t.prisma.dashboardSession.findMany();
    expect(rows.map((row) => row.idHash)).toContain(hash);
    expect(rows.map((row) => row.idHash)).not.toContain(id);
  });

  it('refuses a wrong token with 401 and sets no cookie; a bad body is a 400', async () => {
    const before = await t.prisma.dashboardSession.count();
    for (const token of ['wrong-token-0123456789abcdef', `${API_TOKEN}x`, API_TOKEN.slice(0, -1)]) {
      const res = await login(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect((await readJson(res)).code).toBe('UNAUTHORIZED');
    }
    for (const body of [{}, { token: 42 }, { token: '' }, { token: 'x'.repeat(2000) }]) {
      const res = await t.api('/api/session', { method: 'POST', auth: false, json: body });
      expect(res.status).toBe(400);
      expect((await readJson(res)).code).toBe('VALIDATION_FAILED');
    }
    expect(await t.prisma.dashboardSession.count()).toBe(before);
  });

  it('refuses a login posted by a page of another site (login CSRF)', async () => {
    const before = await t.prisma.dashboardSession.count();
    const foreign = await login(API_TOKEN, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await readJson(foreign)).code).toBe('CSRF_REJECTED');
    const crossSite = await login(API_TOKEN, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(await t.prisma.dashboardSession.count()).toBe(before);
    expect((await login(API_TOKEN, { origin })).status).toBe(204);
  });

  it('refuses a made-up, malformed or doubled cookie', async () => {
    for (const cookie of [
      'mf_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'mf_session=not-a-session',
      'mf_session=',
      'other=1',
    ]) {
      const res = await withCookie(cookie, '/api/scores');
      expect({ cookie, status: res.status }).toEqual({ cookie, status: 401 });
    }
  });

  it('ends the session on the server at logout: the old cookie is refused afterwards', async () => {
    const cookie = cookieOf(await login());
    expect((await withCookie(cookie, '/api/scores')).status).toBe(200);
    const out = await withCookie(cookie, '/api/session', { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^mf_session=;.*Max-Age=0/);
    const after = await withCookie(cookie, '/api/scores');
    expect(after.status).toBe(401);
    expect((await readJson(after)).code).toBe('UNAUTHORIZED');
    // Logging out again with the dead cookie is refused like any other use of it.
    expect((await withCookie(cookie, '/api/session', { method: 'DELETE' })).status).toBe(401);
  });

  it('refuses a change made with the cookie from another origin, and changes nothing', async () => {
    const cookie = cookieOf(await login());
    const retry = '/api/webhook-events/1/retry';
    const foreign: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin },
      { 'sec-fetch-site': 'same-site' },
      {}, // neither header: not a browser of this origin
    ];
    for (const headers of foreign) {
      const res = await withCookie(cookie, retry, { method: 'POST' }, headers);
      expect({ headers, status: res.status }).toEqual({ headers, status: 403 });
      expect((await readJson(res)).code).toBe('CSRF_REJECTED');
    }
    const logout = await withCookie(
      cookie,
      '/api/session',
      { method: 'DELETE' },
      {
        origin: 'https://evil.example',
      },
    );
    expect(logout.status).toBe(403);
    // Still logged in: the cross-site logout changed nothing.
    expect((await withCookie(cookie, '/api/scores')).status).toBe(200);
    // A read with the cookie needs no origin (SameSite=Strict keeps it off cross-site requests).
    expect((await withCookie(cookie, '/api/scores', {}, {})).status).toBe(200);
    // From the dashboard itself the same change passes the check (and reaches the route: 404).
    const own: Array<Record<string, string>> = [{ origin }, { 'sec-fetch-site': 'same-origin' }];
    for (const headers of own) {
      const res = await withCookie(cookie, retry, { method: 'POST' }, headers);
      expect({ headers, status: res.status }).toEqual({ headers, status: 404 });
    }
  });

  it('leaves bearer requests as they were: no origin needed, with or without a cookie', async () => {
    const cookie = cookieOf(await login());
    const bearer = await t.api('/api/webhook-events/1/retry', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(bearer.status).toBe(404);
    const both = await t.api('/api/webhook-events/1/retry', {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(both.status).toBe(404);
    const deadCookie = await t.api('/api/scores', {
      headers: { cookie: 'mf_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(deadCookie.status).toBe(200);
  });

  it('lets a session expire SESSION_TTL_HOURS after its login, by the clock the store reads', async () => {
    const store = t.app.get(SessionStore);
    const start = Date.now();
    store.now = () => start;
    try {
      const cookie = cookieOf(await login());
      store.now = () => start + 12 * 3_600_000 - 1;
      expect((await withCookie(cookie, '/api/scores')).status).toBe(200);
      store.now = () => start + 12 * 3_600_000;
      expect((await withCookie(cookie, '/api/scores')).status).toBe(401);
      // The next login sweeps the expired rows away.
      const id = cookie.split('=')[1];
      const hash = createHash('sha256').update(id).digest('hex');
      await login();
      expect(await t.prisma.dashboardSession.findUnique({ where: { idHash: hash } })).toBeNull();
    } finally {
      store.now = Date.now;
    }
  });
});

describe('dashboard session cookie in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production', SESSION_TTL_HOURS: '2' });
  });
  afterAll(() => t.close());

  it('is Secure and lasts SESSION_TTL_HOURS', async () => {
    const res = await t.api('/api/session', {
      method: 'POST',
      auth: false,
      json: { token: API_TOKEN },
    });
    expect(res.status).toBe(204);
    const header = res.headers.get('set-cookie') ?? '';
    expect(header).toContain('Secure');
    expect(header).toContain('Max-Age=7200');
  });
});

describe('the dashboard shell', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves its page, scripts, styles and chart code without a token, from the service itself', async () => {
    const page = await t.api('/', { auth: false });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('/assets/app.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const path of [
      '/assets/app.js',
      '/assets/views/overview.js',
      '/assets/dashboard.css',
      '/assets/uPlot.esm.js',
      '/assets/uPlot.min.css',
    ]) {
      const res = await t.api(path, { auth: false });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
  });

  it('serves no data and no directory listing without a token', async () => {
    expect([403, 404]).toContain((await t.api('/assets/', { auth: false })).status);
    expect((await t.api('/assets/../package.json', { auth: false })).status).not.toBe(200);
    expect((await t.api('/assets/%2e%2e/%2e%2e/package.json', { auth: false })).status).not.toBe(
      200,
    );
    expect((await t.api('/api/scores', { auth: false })).status).toBe(401);
  });
});
