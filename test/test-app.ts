import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHmac } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app';
import type { Clock } from '../src/common/clock';
import { DatabaseConnection } from '../src/database/database-connection';
import { DatabaseService } from '../src/database/database.service';
import { TestDatabase } from './test-database';

export const APP_SECRET = 'test-app-secret-0123456789';
export const VERIFY_TOKEN = 'test-verify-token';
export const API_TOKEN = 'test-api-token-0123456789abcdef';

/** Where an app's data lives; pass it to a second `startTestApp` to restart on the same data. */
export interface TestStorage {
  /** The real PostgreSQL database, or null for the embedded one (kept in `dataDir`). */
  readonly database: TestDatabase | null;
  readonly dataDir: string;
}

export interface TestApp {
  app: NestFastifyApplication;
  storage: TestStorage;
  baseUrl: string;
  prisma: DatabaseService;
  /** fetch against the app, with the API bearer token unless `auth: false`. */
  api(path: string, init?: RequestInit & { auth?: boolean; json?: unknown }): Promise<Response>;
  /**
   * GET with the API bearer token through node:http, resolved at the response's head: for a test
   * that controls how the body is read (pauses, resumes, leaves midway).
   */
  download(path: string): Promise<IncomingMessage>;
  /** POST /webhook with a valid signature of the exact bytes (a string or Buffer is sent as is). */
  deliver(body: unknown, init?: { secret?: string; signature?: string | null }): Promise<Response>;
  /**
   * Takes the database away from the running app (real server: connections refused and ended;
   * embedded: its socket server stopped) and resolves with the function that brings it back.
   */
  databaseOutage(): Promise<() => Promise<void>>;
  /**
   * Stops the app (once, whatever the number of calls) and drops its storage, unless `keepStorage`
   * (for a restart on the same data).
   */
  close(options?: { keepStorage?: boolean }): Promise<void>;
}

export function sign(body: string | Buffer, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Boots the real application on Fastify over HTTP, on a fresh database: a clone of the migrated
 * template when DATABASE_URL is set, else a new embedded database; or on `options.storage`, the
 * storage of an app closed with `keepStorage`. `options.connectVia` rewrites the real database's
 * URL the app is given (to reach it through a proxy, say). `options.clock` replaces the app's
 * Clock: pass a `ManualClock` (src/common/clock.ts) and `advance()` it to test what depends on time
 * (retries over a day, expiry) without sleeping; code that reads time through `Clock` follows it.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { storage?: TestStorage; connectVia?: (url: string) => string; clock?: Clock } = {},
): Promise<TestApp> {
  const storage = options.storage ?? {
    database: await TestDatabase.create(),
    dataDir: mkdtempSync(join(tmpdir(), 'mf-test-')),
  };
  const { database, dataDir } = storage;
  const previous = { ...process.env };
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATA_DIR: dataDir,
    MESSENGER_APP_SECRET: APP_SECRET,
    MESSENGER_VERIFY_TOKEN: VERIFY_TOKEN,
    API_TOKEN: API_TOKEN,
    // The specs run the real Graph client against FakeGraphApi; the sandbox specs turn it on.
    MESSENGER_SANDBOX: 'false',
    ...env,
  });
  if (database) process.env.DATABASE_URL = options.connectVia?.(database.url) ?? database.url;
  else delete process.env.DATABASE_URL;

  const app = await createApp(undefined, { clock: options.clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const api: TestApp['api'] = (path, init = {}) => {
    const { auth = true, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (auth) headers.set('authorization', `Bearer ${API_TOKEN}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(baseUrl + path, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };

  const download: TestApp['download'] = (path) =>
    new Promise((resolve, reject) => {
      const req = request(baseUrl + path, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      req.on('response', resolve).on('error', reject).end();
    });

  const deliver: TestApp['deliver'] = (body, init = {}) => {
    const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const signature = init.signature === undefined ? sign(raw, init.secret) : init.signature;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return fetch(`${baseUrl}/webhook`, { method: 'POST', headers, body: raw });
  };

  const databaseOutage: TestApp['databaseOutage'] = async () => {
    if (database) {
      await database.refuseConnections();
      return () => database.allowConnections();
    }
    // The embedded database serves the app through its socket server: stopping it ends the app's
    // connection and refuses new ones; starting it again listens on the same port.
    const embedded = app.get(DatabaseConnection).embedded;
    const { server } = embedded as unknown as { server: PGLiteSocketServer };
    await server.stop();
    return () => server.start();
  };

  let running = true;
  return {
    app,
    storage,
    baseUrl,
    prisma: app.get(DatabaseService),
    api,
    download,
    deliver,
    databaseOutage,
    async close({ keepStorage = false } = {}) {
      try {
        if (running) {
          running = false;
          await app.close();
        }
      } finally {
        process.env = previous;
        if (!keepStorage) {
          await database?.drop();
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
    },
  };
}

/** Retries `check` until it stops throwing (events are processed after the ack), then returns its value. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The JSON body of a response, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readJson(res: Response): Promise<any> {
  return res.json();
}
