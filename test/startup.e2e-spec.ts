import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import { join } from 'node:path';
import { createFreshDatabase, FreshDatabase } from './fresh-database';
import {
  buildOnce,
  freePort,
  ROOT,
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

  describe('started by a person', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'mf-person-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads .env from its working directory, the real environment winning, and .env.example is not production', async () => {
      const port = await freePort();
      // .env.example as a user would fill it in, nothing else.
      const example = readFileSync(join(ROOT, '.env.example'), 'utf8')
        .replace(/^PORT=.*$/m, `PORT=${port}`)
        .replace(/^API_TOKEN=.*$/m, 'API_TOKEN=token-from-dotenv-0123456789')
        .replace(/^MESSENGER_APP_SECRET=.*$/m, 'MESSENGER_APP_SECRET=secret-from-dotenv')
        .replace(/^DATA_DIR=.*$/m, `DATA_DIR=${join(dir, 'data')}`)
        .replace(/^LOG_LEVEL=.*$/m, 'LOG_LEVEL=debug');
      writeFileSync(join(dir, '.env'), example);
      const started = startService({ MESSENGER_APP_SECRET: 'secret-from-environment' }, dir);
      try {
        await waitForHealth(port, started);
        const api = (token: string) =>
          fetch(`http://127.0.0.1:${port}/api/webhook-events`, {
            headers: { authorization: `Bearer ${token}` },
          });
        expect((await api('token-from-dotenv-0123456789')).status).toBe(200);
        const body = JSON.stringify({
          object: 'page',
          entry: [
            {
              id: 'P_ENV',
              time: 1700000000000,
              messaging: [
                {
                  sender: { id: 'U_ENV' },
                  recipient: { id: 'P_ENV' },
                  timestamp: 1700000000000,
                  message: { mid: 'm_env', text: 'words nobody should log' },
                },
              ],
            },
          ],
        });
        const deliver = (secret: string) =>
          fetch(`http://127.0.0.1:${port}/webhook`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': sign(body, secret),
            },
            body,
          });
        expect((await deliver('secret-from-dotenv')).status).toBe(401);
        expect((await deliver('secret-from-environment')).status).toBe(200);
      } finally {
        expect(await stopService(started)).toBe(0);
      }
      const output = started.output();
      // Not production (which would have refused to start without MESSENGER_VERIFY_TOKEN).
      expect(output).toContain(
        `ready: open http://localhost:${port}/ · API docs at http://localhost:${port}/docs · API token: the API_TOKEN variable`,
      );
      // A line per accepted delivery at debug: kinds and Pages, none of the customer's words.
      expect(output).toContain('delivery accepted: object page, Page P_ENV, 1 event (message 1)');
      expect(output).not.toContain('words nobody should log');
      expect(output).not.toContain('token-from-dotenv-0123456789');
      // Nest's route mapping is at debug, not info.
      const mapped = output.split('\n').filter((line) => line.includes('Mapped {'));
      expect(mapped.length).toBeGreaterThan(10);
      for (const line of mapped) expect(JSON.parse(line)).toMatchObject({ level: 20 });
    });

    it('listens on loopback only, says in one line what to open and where the token is, and has no route mapping at info', async () => {
      const port = await freePort();
      const started = startService(
        { PORT: String(port), LOG_LEVEL: 'info', DATA_DIR: join(dir, 'data') },
        dir,
      );
      try {
        await waitForHealth(port, started);
        // The local addresses of the sockets listening on the port (column 4 of `ss`).
        const listening = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .map((line) => line.trim().split(/\s+/)[3]);
        expect(listening).toEqual([`127.0.0.1:${port}`]);
      } finally {
        expect(await stopService(started)).toBe(0);
      }
      const lines = started.output().trim().split('\n');
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toContain(
        `ready: open http://localhost:${port}/ · API docs at http://localhost:${port}/docs · API token in data/secrets.json (API_TOKEN)`,
      );
      expect(messages.filter((msg) => /Mapped|dependencies initialized/.test(msg))).toEqual([]);
    });

    it('writes lines a person reads on a terminal, JSON otherwise', async () => {
      const port = await freePort();
      // `script` gives the service a terminal, as a person's shell does.
      const command = `exec ${process.execPath} ${join(ROOT, 'dist', 'main.js')}`;
      const terminal = spawn('script', ['-qec', command, '/dev/null'], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          TERM: 'dumb',
          PORT: String(port),
          DATA_DIR: join(dir, 'data'),
        },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const exited = new Promise((resolve) => terminal.on('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start line:\n${output}`)), 60_000);
        terminal.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('ready: open')) {
            clearTimeout(timer);
            resolve();
          }
        });
      }).finally(() => {
        process.kill(-(terminal.pid as number), 'SIGTERM');
      });
      await exited;
      const plain = stripVTControlCharacters(output);
      expect(plain).toMatch(
        /\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Bootstrap\] ready: open http:\/\/localhost:/,
      );
      expect(plain).not.toContain('{"level"');
    });
  });
});
