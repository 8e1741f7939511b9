import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { composeServiceEnvironment } from './compose-environment';
import { createFreshDatabase, FreshDatabase } from './fresh-database';
import {
  buildOnce,
  exitCode,
  freePort,
  ServiceProcess,
  startService,
  stopService,
  waitForHealth,
} from './service-process';
import { delivery, textMessage } from './messenger-factories';
import { sign } from './test-app';

/** Every character a URL gives a meaning to, and the escape character itself. */
const HOSTILE_PASSWORD = 'p@ss/w#rd:%41?x';
const API_TOKEN = 'deploy-api-token-0123456789';
const APP_SECRET = 'deploy-app-secret';

/**
 * Delivers one signed message and, unless `acknowledgedOnly`, waits until the API shows it
 * (acknowledged, stored, handled).
 */
async function deliverAndRead(
  port: number,
  secret: string,
  apiToken: string,
  mid: string,
  acknowledgedOnly = false,
): Promise<void> {
  const body = JSON.stringify(delivery([textMessage(mid, 'hello')]));
  const ack = await fetch(`http://127.0.0.1:${port}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, secret) },
    body,
  });
  expect(ack.status).toBe(200);
  expect(await ack.text()).toBe('EVENT_RECEIVED');
  if (acknowledgedOnly) return;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/api/messages/${mid}`, {
      headers: { authorization: `Bearer ${apiToken}` },
    });
    if (res.status === 200) {
      expect(await res.json()).toMatchObject({ mid, text: 'hello' });
      return;
    }
    if (Date.now() > deadline) throw new Error(`message ${mid} not readable: ${res.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The one line a refused start prints: no stack frame, no colour, nothing else. */
function expectOneLine(service: ServiceProcess): string {
  const output = service.output().trim();
  expect(output.split('\n')).toHaveLength(1);
  expect(output).not.toContain('\u001b['); // no colour
  expect(output).not.toMatch(/^\s+at /m); // no stack frame
  return output;
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The variables the README's configuration table lists (its first column). */
function configurationVariables(): string[] {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const table = readme.slice(
    readme.indexOf('## Configuration'),
    readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
  );
  return [...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((match) => match[1]);
}

/** What compose sets itself (or from the secrets it requires) rather than passing through. */
const SET_BY_COMPOSE: Record<string, true> = {
  PORT: true,
  HOST: true,
  NODE_ENV: true,
  DATABASE_URL: true,
  DATABASE_PASSWORD: true,
  PROCESS_ROLE: true,
  API_TOKEN: true,
  MESSENGER_APP_SECRET: true,
  MESSENGER_VERIFY_TOKEN: true,
};

describe('the documented deployment', () => {
  beforeAll(buildOnce);

  describe('docker compose', () => {
    let db: FreshDatabase;
    let role: { created: boolean } | null = null;
    beforeAll(async () => {
      db = await createFreshDatabase();
      if (db.concurrent) {
        // compose connects as `messenger`, with POSTGRES_PASSWORD: the role exists here with that
        // (hostile) password and owns the test database, as the postgres image sets it up.
        const url = new URL(db.url);
        const name = url.pathname.slice(1);
        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
          const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'messenger'");
          role = { created: exists.rowCount === 0 };
          const password = `'${HOSTILE_PASSWORD.replace(/'/g, "''")}'`;
          await client.query(
            `${role.created ? 'CREATE' : 'ALTER'} ROLE messenger LOGIN PASSWORD ${password}`,
          );
          await client.query(`ALTER DATABASE "${name}" OWNER TO messenger`);
        } finally {
          await client.end();
        }
      }
    });
    afterAll(async () => {
      await db.drop();
      if (role?.created) {
        const base = new URL(db.url);
        base.pathname = '/postgres';
        await admin(base.toString(), 'DROP ROLE IF EXISTS messenger');
      }
    });

    it('starts with exactly the environment compose gives it, every optional variable empty', async () => {
      const vars = {
        MESSENGER_APP_SECRET: APP_SECRET,
        MESSENGER_VERIFY_TOKEN: 'deploy-verify-token',
        API_TOKEN,
        POSTGRES_PASSWORD: HOSTILE_PASSWORD,
      };
      const composed = composeServiceEnvironment('intake', vars);
      const composedWorker = composeServiceEnvironment('worker', vars);
      // The two roles differ in their role only.
      expect(composed.PROCESS_ROLE).toBe('intake');
      expect(composedWorker).toEqual({ ...composed, PROCESS_ROLE: 'worker' });
      // Every variable of the README's configuration table goes through compose, unset ones as
      // '' (a variable added to the service but not to compose could not be set in production).
      const optional = configurationVariables().filter((name) => !(name in SET_BY_COMPOSE));
      expect(optional.length).toBeGreaterThan(30);
      for (const name of optional) {
        expect([name, composed[name]]).toEqual([name, '']);
      }
      expect(composed.NODE_ENV).toBe('production');

      // Only where the database is changes (compose's `postgres` host and `messenger` database
      // are this test's), as text: the URL is taken exactly as compose wrote it.
      const composeDatabase = '@postgres:5432/messenger';
      expect(composed.DATABASE_URL).toContain(composeDatabase);
      const test = new URL(db.url);
      const databaseUrl = composed.DATABASE_URL.replace(
        composeDatabase,
        `@${test.host}${test.pathname}`,
      );
      // And where the service listens: compose's port 3000 is the container's own.
      const port = await freePort();
      const service = startService({
        ...composed,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
      });
      // A worker beside it handles what it stores, on a real server only (below).
      const workerPort = await freePort();
      const worker = db.concurrent
        ? startService({
            ...composedWorker,
            DATABASE_URL: databaseUrl,
            PORT: String(workerPort),
            HOST: '127.0.0.1',
          })
        : null;
      let stopped: number | null = null;
      let workerStopped: number | null = 0;
      try {
        if (worker) await waitForHealth(workerPort, worker);
        const health = await waitForHealth(port, service);
        expect(await health.json()).toEqual({ status: 'ok', database: 'up' });
        // Read back on a real server only: an embedded test database serves one connection at a
        // time, and a service given a DATABASE_URL (as compose gives it) opens a pool of several,
        // whose handlers then fail and back off. Compose always runs a real PostgreSQL.
        await deliverAndRead(port, APP_SECRET, API_TOKEN, 'm_compose', !db.concurrent);
        if (db.concurrent) {
          // It reached the right database as compose's user: the URL survived the password.
          const sessions = new Client({ connectionString: db.url });
          await sessions.connect();
          try {
            const { rows } = await sessions.query<{ usename: string }>(
              'SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
            );
            expect(rows.map((row) => row.usename)).toEqual(['messenger']);
          } finally {
            await sessions.end();
          }
        }
      } finally {
        // Stopped whatever happened; asserted after, so a failure above is the one reported.
        stopped = await stopService(service);
        if (worker) workerStopped = await stopService(worker);
      }
      expect(stopped).toBe(0);
      expect(workerStopped).toBe(0);
      expect(service.output()).not.toContain(HOSTILE_PASSWORD);
      expect(worker?.output() ?? '').not.toContain(HOSTILE_PASSWORD);
    });
  });

  describe('configuration errors, one line naming the variable', () => {
    it('PORT=abc says PORT must be an integer', async () => {
      const service = startService({ PORT: 'abc', DATA_DIR: mkdtempSync(join(tmpdir(), 'mf-')) });
      expect(await exitCode(service)).toBe(1);
      expect(expectOneLine(service)).toBe(
        'Invalid configuration: PORT must be an integer (0–65535)',
      );
    });

    it('a DATA_DIR that cannot be written names the variable', async () => {
      const notADirectory = join(mkdtempSync(join(tmpdir(), 'mf-')), 'file');
      writeFileSync(notADirectory, '');
      const service = startService({ DATA_DIR: notADirectory });
      expect(await exitCode(service)).toBe(1);
      expect(expectOneLine(service)).toBe(
        `Invalid configuration: DATA_DIR ${notADirectory} cannot be written (EEXIST)`,
      );
    });

    it('an unreachable DATABASE_URL names the variable, never the password', async () => {
      const closed = await freePort();
      const service = startService({
        NODE_ENV: 'production',
        DATABASE_URL: `postgresql://someone:url-secret@127.0.0.1:${closed}/somedb`,
        MESSENGER_APP_SECRET: APP_SECRET,
        MESSENGER_VERIFY_TOKEN: 'verify',
        API_TOKEN,
      });
      expect(await exitCode(service)).toBe(1);
      const line = expectOneLine(service);
      expect(line).toContain(`DATABASE_URL=postgresql://someone:***@127.0.0.1:${closed}/somedb`);
      expect(line).toContain('ECONNREFUSED');
      expect(line).not.toContain('url-secret');
    });

    it('DATABASE_URL= (empty) means the embedded database, not libpq defaults', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'mf-empty-url-'));
      const port = await freePort();
      // libpq's defaults, if they were used, point at a port where nothing listens.
      const closed = await freePort();
      const service = startService({
        DATABASE_URL: '',
        PGHOST: '127.0.0.1',
        PGPORT: String(closed),
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
      });
      let stopped: number | null = null;
      try {
        await waitForHealth(port, service);
        expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);
      } finally {
        stopped = await stopService(service);
        rmSync(dataDir, { recursive: true, force: true });
      }
      expect(stopped).toBe(0);
      expect(service.output()).toContain('embedded');
    });
  });

  describe('one process per DATA_DIR', () => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'mf-lock-'));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('refuses a second process on the embedded database, and a SIGKILLed owner does not block the next', async () => {
      const env = { DATA_DIR: dataDir, HOST: '127.0.0.1' };
      const firstPort = await freePort();
      const first = startService({ ...env, PORT: String(firstPort) });
      try {
        await waitForHealth(firstPort, first);
        const second = startService({ ...env, PORT: String(await freePort()) });
        expect(await exitCode(second)).toBe(1);
        expect(expectOneLine(second)).toBe(
          `DATA_DIR ${dataDir} is in use by another process (pid ${first.child.pid}); stop it or set another DATA_DIR`,
        );
        // The first is unharmed.
        expect((await fetch(`http://127.0.0.1:${firstPort}/health`)).status).toBe(200);
        const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
          MESSENGER_APP_SECRET: string;
          API_TOKEN: string;
        };
        await deliverAndRead(firstPort, secrets.MESSENGER_APP_SECRET, secrets.API_TOKEN, 'm_lock');
      } finally {
        first.child.kill('SIGKILL');
        await first.exited;
      }

      const thirdPort = await freePort();
      const third = startService({ ...env, PORT: String(thirdPort) });
      let stopped: number | null = null;
      try {
        // Starts at once on the directory the killed process held. (What it had written is up
        // to the embedded database's own crash recovery, not to the lock.)
        await waitForHealth(thirdPort, third);
      } finally {
        stopped = await stopService(third);
      }
      expect(stopped).toBe(0);
      expect(existsSync(join(dataDir, 'service.lock'))).toBe(false);
    });
  });
});
