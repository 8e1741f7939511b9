import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DatabaseConnection } from '../src/database/database-connection';
import { EMBEDDED_MAX_CONNECTIONS } from '../src/database/embedded-database';
import { eventually, readJson, sign, startTestApp, TestApp } from './test-app';
import { TcpProxy } from './tcp-proxy';
import { insertBulkAnswers } from './surveys-fixtures';
import { delivery, textMessage, USER_ID } from './messenger-factories';
import { eventsByMid } from './webhook-fixtures';

/** The app's bound on each database wait in these specs (DATABASE_TIMEOUT_MS). */
const TIMEOUT_MS = 500;
/**
 * How soon a request must be answered while the database is frozen: a wait for the pool or one
 * statement, each within the bound, and much slack for a busy machine (a shared CI runner). Before
 * the bound, these requests were not answered at all until the database thawed.
 */
const ANSWER_WITHIN_MS = 5_000;
/** A request never waits longer than this in these specs, whatever the app does. */
const CLIENT_TIMEOUT_MS = 10_000;

interface Proxied {
  t: TestApp;
  proxy: TcpProxy;
  close(): Promise<void>;
}

/**
 * The app with its database behind a TcpProxy: the real server's (DATABASE_URL set), or the
 * embedded one's. The embedded database is started by the app itself (one connection, as in
 * production); its socket server then moves to another port and the proxy takes the port the app's
 * pool connects to.
 */
async function startBehindProxy(env: Record<string, string>): Promise<Proxied> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const server = new URL(base);
    const proxy = await TcpProxy.start({
      host: server.hostname,
      port: Number(server.port || 5432),
    });
    const t = await startTestApp(env, { connectVia: (url) => proxy.url(url) });
    return {
      t,
      proxy,
      async close() {
        proxy.thaw();
        await t.close();
        await proxy.close();
      },
    };
  }
  const t = await startTestApp(env);
  const embedded = t.app.get(DatabaseConnection).embedded as unknown as {
    db: PGlite;
    server: PGLiteSocketServer;
    url: string;
  };
  await embedded.server.stop();
  const moved = new PGLiteSocketServer({
    db: embedded.db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
  });
  await moved.start();
  const proxy = await TcpProxy.start(
    { host: '127.0.0.1', port: Number(moved.getServerConn().split(':')[1]) },
    { port: Number(new URL(embedded.url).port) },
  );
  return {
    t,
    proxy,
    async close() {
      // The socket server first: its connections must be gone before the app closes the database.
      await moved.stop();
      await proxy.close();
      await t.close();
    },
  };
}

/**
 * What the app logs, one JSON line each. Pino writes through `process.stdout.write` once that has
 * been replaced (its documented behaviour), so this must start before the app is created.
 */
function captureLogs(): { lines: () => string[]; restore: () => void } {
  const original = Object.getOwnPropertyDescriptor(process.stdout, 'write');
  let text = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  };
  return {
    lines: () => text.split('\n').filter((line) => line.trim() !== ''),
    restore: () => {
      if (original) Object.defineProperty(process.stdout, 'write', original);
      else delete (process.stdout as { write?: unknown }).write;
    },
  };
}

interface Timed {
  res: Response;
  ms: number;
}

async function timed(request: Promise<Response>): Promise<Timed> {
  const started = Date.now();
  const res = await request;
  return { res, ms: Date.now() - started };
}

async function expectUnavailable({ res, ms }: Timed): Promise<void> {
  const body = await readJson(res);
  expect({ status: res.status, body }).toEqual({
    status: 503,
    body: {
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.any(String),
      code: 'DATABASE_UNAVAILABLE',
    },
  });
  expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
}

describe('the database not answering', () => {
  let p: Proxied;
  let t: TestApp;
  let logs: ReturnType<typeof captureLogs>;
  const limited = { signal: undefined as AbortSignal | undefined };

  beforeAll(async () => {
    logs = captureLogs();
    try {
      p = await startBehindProxy({
        DATABASE_TIMEOUT_MS: String(TIMEOUT_MS),
        LOG_LEVEL: 'info',
        MESSENGER_PAGE_ACCESS_TOKEN: 'page-token',
        // Nothing from the sweeper in the middle of the outage's log lines.
        WEBHOOK_SWEEP_INTERVAL_MS: '600000',
      });
    } catch (error) {
      logs.restore();
      throw error;
    }
    t = p.t;
  });
  afterAll(async () => {
    try {
      await p?.close();
    } finally {
      logs.restore();
    }
  });
  beforeEach(() => {
    limited.signal = AbortSignal.timeout(CLIENT_TIMEOUT_MS);
  });

  const deliver = (body: string): Promise<Response> =>
    fetch(`${t.baseUrl}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': sign(body),
      },
      body,
      signal: limited.signal,
    });
  const api = (path: string, init: Parameters<TestApp['api']>[1] = {}): Promise<Response> =>
    t.api(path, { ...init, signal: limited.signal });

  it('does answer 503 DATABASE_UNAVAILABLE with Retry-After within the bound while it is frozen, then recover by itself', async () => {
    const before = JSON.stringify(delivery([textMessage('m_frozen_before')]));
    expect((await deliver(before)).status).toBe(200);
    expect((await api('/api/webhook-events')).status).toBe(200);
    // Handled before the freeze, so that reading it afterwards proves the reads came back (an
    // event caught by the freeze is retried later, on its own schedule).
    await eventually(async () => {
      expect((await api('/api/messages/m_frozen_before')).status).toBe(200);
    });

    const bodies = ['m_frozen_1', 'm_frozen_2', 'm_frozen_3'].map((mid) =>
      JSON.stringify(delivery([textMessage(mid)])),
    );
    p.proxy.freeze();
    try {
      // Deliveries arriving together share the group commit: all of them are refused in time.
      const answers = await Promise.all([
        ...bodies.map((body) => timed(deliver(body))),
        timed(api('/api/webhook-events')),
        timed(api('/api/messages/m_frozen_before')),
        // Through Prisma (the driver adapter over the same pool).
        timed(
          api('/api/surveys', { method: 'POST', json: { recipientId: USER_ID, type: 'csat' } }),
        ),
      ]);
      for (const answer of answers) await expectUnavailable(answer);
      // Asked again while still frozen: the same, each within the bound.
      await expectUnavailable(await timed(deliver(bodies[0])));
      await expectUnavailable(await timed(api('/api/webhook-events')));
      // /health keeps its own shape.
      const health = await api('/health', { auth: false });
      expect(health.status).toBe(503);
      expect(await readJson(health)).toEqual({ status: 'error', database: 'down' });
    } finally {
      p.proxy.thaw();
    }

    // Nothing to restart: the next requests are served.
    await eventually(async () => {
      const res = await deliver(bodies[0]);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('EVENT_RECEIVED');
    });
    for (const body of bodies) expect((await deliver(body)).status).toBe(200);
    expect((await api('/api/webhook-events')).status).toBe(200);
    expect((await api('/api/messages/m_frozen_before')).status).toBe(200);
    // Each delivery sent again is stored once.
    const stored = await eventsByMid(t, ['m_frozen_1', 'm_frozen_2', 'm_frozen_3']);
    expect(stored.map((event) => event.mid)).toEqual(['m_frozen_1', 'm_frozen_2', 'm_frozen_3']);
  });

  it('does answer 503 DATABASE_UNAVAILABLE with Retry-After while connections are refused, then recover', async () => {
    const body = JSON.stringify(delivery([textMessage('m_refused_1')]));
    await p.proxy.refuse();
    try {
      await expectUnavailable(await timed(deliver(body)));
      await expectUnavailable(await timed(api('/api/webhook-events')));
      await expectUnavailable(await timed(api('/api/messages/m_frozen_before')));
    } finally {
      await p.proxy.accept();
    }
    await eventually(async () => {
      expect((await deliver(body)).status).toBe(200);
    });
    expect((await api('/api/webhook-events')).status).toBe(200);
    expect((await deliver(body)).status).toBe(200);
    expect((await eventsByMid(t, ['m_refused_1'])).length).toBe(1);
  });

  it('does log one line per refused request, no stack, and one line for the start and the end of the outage', async () => {
    // Any earlier outage is over (its end line written) before this one starts.
    await eventually(async () => {
      expect((await api('/health', { auth: false })).status).toBe(200);
      const messages = logs
        .lines()
        .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg));
      expect(messages.filter((msg) => msg.startsWith('database answers again'))).toHaveLength(
        messages.filter((msg) => msg.startsWith('database unavailable')).length,
      );
    });
    const from = logs.lines().length;
    const refused = 12;
    p.proxy.freeze();
    try {
      for (let i = 0; i < refused / 2; i++) {
        await expectUnavailable(
          await timed(deliver(JSON.stringify(delivery([textMessage(`m_log_${i}`)])))),
        );
        await expectUnavailable(await timed(api('/api/webhook-events')));
      }
    } finally {
      p.proxy.thaw();
    }
    await eventually(() => {
      expect(
        logs
          .lines()
          .slice(from)
          .some((line) => line.includes('answers again')),
      ).toBe(true);
    });
    const lines = logs.lines().slice(from);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const perRequest = parsed.filter((line) => String(line.msg).includes('DATABASE_UNAVAILABLE'));
    expect(perRequest.filter((line) => String(line.msg).includes('→ 503'))).toHaveLength(refused);
    expect(
      parsed.filter((line) => String(line.msg).startsWith('database unavailable')),
    ).toHaveLength(1);
    const end = parsed.filter((line) => String(line.msg).includes('answers again'));
    expect(end).toHaveLength(1);
    expect(end[0].msg).toMatch(new RegExp(`\\b${refused} request\\(s\\) were refused`));
    // No stack traces at all, no line from the background jobs that polled through the outage
    // (its start and end lines speak for them), and little else (an idle connection lost, say).
    expect(lines.filter((line) => /\bat .+:\d+:\d+/.test(line))).toEqual([]);
    expect(parsed.filter((line) => /pass failed|sweep failed/.test(String(line.msg)))).toEqual([]);
    expect(lines.length).toBeLessThanOrEqual(refused + 2 + 2);
  });

  it('does give every 500 an errorId that its one log line carries, with the stack', async () => {
    // A genuinely unexpected error: the table the route reads is not there.
    await t.prisma.pool.query('ALTER TABLE webhook_events RENAME TO webhook_events_away');
    const from = logs.lines().length;
    let res: Response;
    try {
      res = await api('/api/webhook-events');
    } finally {
      await t.prisma.pool.query('ALTER TABLE webhook_events_away RENAME TO webhook_events');
    }
    const body = await readJson(res);
    expect(res.status).toBe(500);
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: `Internal server error (id ${body.errorId})`,
      code: 'INTERNAL_ERROR',
      errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const logged = logs
      .lines()
      .slice(from)
      .map((line) => JSON.parse(line) as { errorId?: string; err?: { stack?: string } })
      .filter((line) => line.errorId === body.errorId);
    expect(logged).toHaveLength(1);
    expect(logged[0].err?.stack).toMatch(/webhook_events/);
  });

  it('does end an export whose database stops answering mid-stream within the bound, then export whole again', async () => {
    const page = 'PAGE_EXPORT_FROZEN';
    const count = 5_000;
    await insertBulkAnswers(t.prisma, page, count);
    const path = `/api/exports/answers?format=ndjson&pageId=${page}`;
    const reply = await t.download(path);
    expect(reply.statusCode).toBe(200);
    await new Promise((resolve) => reply.once('data', resolve));
    reply.pause();
    p.proxy.freeze();
    let outcome: { how: string; ms: number };
    try {
      // A statement in flight gets no answer: the export ends within the bound, not at the thaw.
      const started = Date.now();
      outcome = await new Promise((resolve) => {
        const end = (how: string) => () => resolve({ how, ms: Date.now() - started });
        reply.on('data', () => {});
        reply.on('end', end('complete'));
        reply.on('error', end('cut'));
        reply.on('aborted', end('cut'));
        reply.resume();
      });
    } finally {
      p.proxy.thaw();
    }
    expect(outcome.how).toBe('cut');
    expect(outcome.ms).toBeLessThan(ANSWER_WITHIN_MS);
    const again = await eventually(async () => {
      const res = await api(path);
      expect(res.status).toBe(200);
      return res.text();
    });
    expect(again.trimEnd().split('\n')).toHaveLength(count);
  });

  it('does document the 503 with Retry-After on every operation of the OpenAPI document', async () => {
    const res = await api('/docs-json');
    expect(res.status).toBe(200);
    const document = (await readJson(res)) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({ path, method, responses: operation.responses })),
    );
    expect(operations.map(({ method, path }) => `${method} ${path}`)).toEqual(
      expect.arrayContaining(['post /webhook', 'get /api/webhook-events', 'post /api/surveys']),
    );
    for (const { path, method, responses } of operations) {
      const unavailable = responses['503'] as {
        description?: string;
        headers?: Record<string, unknown>;
      };
      if (path === '/health') {
        // Its own shape, as before.
        expect(JSON.stringify(unavailable)).toContain('"database":"down"');
        continue;
      }
      expect({ operation: `${method} ${path}`, description: unavailable?.description }).toEqual({
        operation: `${method} ${path}`,
        description: expect.stringContaining('DATABASE_UNAVAILABLE'),
      });
      expect(unavailable.headers).toHaveProperty('Retry-After');
    }
  });
});
