import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFreshDatabase, FreshDatabase } from './fresh-database';
import {
  buildOnce,
  freePort,
  ServiceProcess,
  startService,
  stopService,
  waitForHealth,
} from './service-process';
import { sign } from './test-app';

/** The service as a user starts it, its start-up lines at `info`. */
const start = (env: Record<string, string>): ServiceProcess =>
  startService({ LOG_LEVEL: 'info', ...env });

describe('the compiled service', () => {
  beforeAll(buildOnce);

  it('refuses to start in production without API_TOKEN, in one line naming it', async () => {
    const started = start({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      MESSENGER_APP_SECRET: 'secret',
      MESSENGER_VERIFY_TOKEN: 'verify',
    });
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toBe(
      'Missing configuration: API_TOKEN is required when NODE_ENV=production',
    );
  });

  describe('in production on a database', () => {
    let db: FreshDatabase;
    beforeAll(async () => {
      db = await createFreshDatabase();
    });
    afterAll(() => db.drop());

    it('migrates the empty database, serves /health, and keeps secrets out of its logs', async () => {
      const port = await freePort();
      const started = start({
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        MESSENGER_APP_SECRET: 'prod-app-secret-value',
        MESSENGER_VERIFY_TOKEN: 'prod-verify-token-value',
        API_TOKEN: 'prod-api-token-value-0123456789',
      });
      try {
        const res = await waitForHealth(port, started);
        expect(await res.json()).toEqual({ status: 'ok', database: 'up' });
        await fetch(
          `http://127.0.0.1:${port}/webhook?hub.mode=subscribe&hub.verify_token=prod-verify-token-value&hub.challenge=1`,
        );
        await fetch(`http://127.0.0.1:${port}/api/webhook-events`, {
          headers: { authorization: 'Bearer prod-api-token-value-0123456789' },
        });
        await fetch(`http://127.0.0.1:${port}/api/webhook-events`, {
          headers: { authorization: 'Bearer wrong-token' },
        });
      } finally {
        expect(await stopService(started)).toBe(0);
      }
      expect(started.output()).toContain('applied migration');
      expect(started.output()).not.toMatch(/prod-(app-secret|verify-token|api-token)-value/);
    });
  });

  describe('on a laptop with no configuration at all', () => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'mf-laptop-'));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('runs on the embedded database with generated secrets, and a second start keeps the data', async () => {
      const port = await freePort();
      const env = { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir };
      const first = start(env);
      let secrets: Record<string, string>;
      const body = JSON.stringify({
        object: 'page',
        entry: [
          {
            id: 'P1',
            time: 1,
            messaging: [
              {
                sender: { id: 'U1' },
                recipient: { id: 'P1' },
                timestamp: 1700000000000,
                message: { mid: 'm_persist', text: 'kept' },
              },
            ],
          },
        ],
      });
      try {
        await waitForHealth(port, first);
        secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<
          string,
          string
        >;
        expect(Object.keys(secrets).sort()).toEqual([
          'API_TOKEN',
          'MESSENGER_APP_SECRET',
          'MESSENGER_VERIFY_TOKEN',
        ]);
        expect(first.output()).toContain(join(dataDir, 'secrets.json'));
        const res = await fetch(`http://127.0.0.1:${port}/webhook`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': sign(body, secrets.MESSENGER_APP_SECRET),
          },
          body,
        });
        expect(await res.text()).toBe('EVENT_RECEIVED');
        // Processed before the stop, so the second start proves the data itself survived.
        const deadline = Date.now() + 10_000;
        while (
          (
            await fetch(`http://127.0.0.1:${port}/api/messages/m_persist`, {
              headers: { authorization: `Bearer ${secrets.API_TOKEN}` },
            })
          ).status !== 200
        ) {
          if (Date.now() > deadline) throw new Error('message not processed');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        expect(await stopService(first)).toBe(0);
      }
      for (const value of Object.values(secrets)) expect(first.output()).not.toContain(value);

      const second = start(env);
      try {
        await waitForHealth(port, second);
        const res = await fetch(`http://127.0.0.1:${port}/api/messages/m_persist`, {
          headers: { authorization: `Bearer ${secrets.API_TOKEN}` },
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({
          mid: 'm_persist',
          text: 'kept',
          pageId: 'P1',
          userId: 'U1',
        });
        const again = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<
          string,
          string
        >;
        expect(again).toEqual(secrets);
      } finally {
        expect(await stopService(second)).toBe(0);
      }
      expect(second.output()).not.toContain('applied migration');
    });
  });
});
