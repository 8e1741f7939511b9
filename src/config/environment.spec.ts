import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import {
  ConfigurationError,
  describeDatabaseUrl,
  parseEnvironment,
  parseAppLabels,
  parsePageTokens,
} from './environment';
import { fillInstallSecrets } from './install-secrets';

const PRODUCTION = {
  NODE_ENV: 'production',
  MESSENGER_APP_SECRET: 'app-secret',
  MESSENGER_VERIFY_TOKEN: 'verify-token',
  API_TOKEN: 'api-token-0123456789',
};

describe('parseEnvironment', () => {
  it('applies the documented defaults', () => {
    const env = parseEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './.data',
      GRAPH_API_URL: 'https://graph.facebook.com',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: true,
    });
    expect(env.GRAPH_API_VERSION).toMatch(/^v\d+\.\d+$/);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('listens on loopback outside production and on every interface in production, unless HOST says', () => {
    expect(parseEnvironment({ NODE_ENV: 'development' }).HOST).toBe('127.0.0.1');
    expect(parseEnvironment({ NODE_ENV: 'test', HOST: '' }).HOST).toBe('127.0.0.1');
    expect(parseEnvironment(PRODUCTION).HOST).toBe('0.0.0.0');
    expect(parseEnvironment({ ...PRODUCTION, HOST: '127.0.0.1' }).HOST).toBe('127.0.0.1');
    expect(parseEnvironment({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('reads numbers and booleans from strings', () => {
    expect(parseEnvironment({ PORT: '8080', MIGRATE_ON_START: 'false' })).toMatchObject({
      PORT: 8080,
      MIGRATE_ON_START: false,
    });
  });

  it.each(['MESSENGER_APP_SECRET', 'MESSENGER_VERIFY_TOKEN', 'API_TOKEN'])(
    'refuses production without %s, naming it in one line',
    (name) => {
      const env: Record<string, string> = { ...PRODUCTION };
      delete env[name];
      expect(() => parseEnvironment(env)).toThrow(
        new ConfigurationError(
          `Missing configuration: ${name} is required when NODE_ENV=production`,
        ),
      );
    },
  );

  it('turns the sandbox on by default outside production and without a Page token only', () => {
    expect(parseEnvironment({}).MESSENGER_SANDBOX).toBe(true);
    expect(parseEnvironment({ NODE_ENV: 'test' }).MESSENGER_SANDBOX).toBe(true);
    expect(parseEnvironment({ MESSENGER_PAGE_ACCESS_TOKEN: 't' }).MESSENGER_SANDBOX).toBe(false);
    expect(parseEnvironment({ MESSENGER_PAGE_TOKENS: '{"1":"t"}' }).MESSENGER_SANDBOX).toBe(false);
    expect(parseEnvironment(PRODUCTION).MESSENGER_SANDBOX).toBe(false);
    expect(parseEnvironment({ MESSENGER_SANDBOX: 'false' }).MESSENGER_SANDBOX).toBe(false);
    expect(
      parseEnvironment({ MESSENGER_SANDBOX: 'true', MESSENGER_PAGE_ACCESS_TOKEN: 't' })
        .MESSENGER_SANDBOX,
    ).toBe(true);
    expect(parseEnvironment({ ...PRODUCTION, MESSENGER_SANDBOX: 'false' }).MESSENGER_SANDBOX).toBe(
      false,
    );
    expect(parseEnvironment({}).SANDBOX_PAGE_ID).toBe('100000000000001');
  });

  it('refuses the sandbox in production, naming MESSENGER_SANDBOX in one line', () => {
    expect(() => parseEnvironment({ ...PRODUCTION, MESSENGER_SANDBOX: 'true' })).toThrow(
      new ConfigurationError(
        'Invalid configuration: MESSENGER_SANDBOX must not be true when NODE_ENV=production',
      ),
    );
  });

  it('refuses a SANDBOX_PAGE_ID that is not a Page id', () => {
    expect(() => parseEnvironment({ SANDBOX_PAGE_ID: 'page-1' })).toThrow(
      'Invalid configuration: SANDBOX_PAGE_ID must be 1 to 32 digits',
    );
  });

  it('reads the outbound webhook settings, with their defaults', () => {
    expect(parseEnvironment({})).toMatchObject({
      OUTBOUND_WEBHOOKS_RETRY_BASE_MS: 5_000,
      OUTBOUND_WEBHOOKS_TIMEOUT_MS: 10_000,
      OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS: 1_000,
      OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: false,
    });
    expect(
      parseEnvironment({
        OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'true',
        OUTBOUND_WEBHOOKS_TIMEOUT_MS: '500',
      }),
    ).toMatchObject({ OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: true, OUTBOUND_WEBHOOKS_TIMEOUT_MS: 500 });
  });

  it('reads the survey scheduler settings, with their defaults, and refuses bad ones', () => {
    expect(parseEnvironment({})).toMatchObject({
      SURVEY_SCHEDULER_POLL_INTERVAL_MS: 5_000,
      SURVEY_SCHEDULER_BATCH_SIZE: 100,
    });
    expect(
      parseEnvironment({
        SURVEY_SCHEDULER_POLL_INTERVAL_MS: '250',
        SURVEY_SCHEDULER_BATCH_SIZE: '20',
      }),
    ).toMatchObject({ SURVEY_SCHEDULER_POLL_INTERVAL_MS: 250, SURVEY_SCHEDULER_BATCH_SIZE: 20 });
    expect(() => parseEnvironment({ SURVEY_SCHEDULER_POLL_INTERVAL_MS: '10' })).toThrow(
      'SURVEY_SCHEDULER_POLL_INTERVAL_MS must be an integer (50–3600000)',
    );
    expect(() => parseEnvironment({ SURVEY_SCHEDULER_BATCH_SIZE: '0' })).toThrow(
      'SURVEY_SCHEDULER_BATCH_SIZE must be an integer (1–1000)',
    );
  });

  it('reads the retention settings, with their defaults (message content kept unless set)', () => {
    const defaults = parseEnvironment({});
    expect(defaults).toMatchObject({
      RAW_RETENTION_DAYS: 30,
      RETENTION_SWEEP_INTERVAL_MS: 3_600_000,
    });
    expect(defaults.MESSAGE_RETENTION_DAYS).toBeUndefined();
    expect(
      parseEnvironment({ RAW_RETENTION_DAYS: '7', MESSAGE_RETENTION_DAYS: '90' }),
    ).toMatchObject({ RAW_RETENTION_DAYS: 7, MESSAGE_RETENTION_DAYS: 90 });
  });

  it('treats an empty variable as unset', () => {
    expect(() => parseEnvironment({ ...PRODUCTION, API_TOKEN: '' })).toThrow(
      /API_TOKEN is required/,
    );
  });

  it('treats every empty variable as unset, defaults included (as docker compose passes them)', () => {
    const empty = Object.fromEntries(
      Object.keys(parseEnvironment({})).map((name) => [name, '']),
    ) as Record<string, string>;
    for (const name of [
      'DATABASE_URL',
      'DATABASE_PASSWORD',
      'MESSENGER_PAGE_TOKENS',
      'MESSENGER_APP_LABELS',
      'PUBLIC_URL',
      'API_TOKEN',
    ])
      empty[name] = '';
    expect(parseEnvironment(empty)).toEqual(parseEnvironment({}));
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer (0–65535)'],
    [{ PORT: '65536' }, 'PORT must be an integer (0–65535)'],
    [{ PORT: '80.5' }, 'PORT must be an integer (0–65535)'],
    [{ WEBHOOK_MAX_ATTEMPTS: 'many' }, 'WEBHOOK_MAX_ATTEMPTS must be an integer (1–100)'],
    [
      { WEBHOOK_SWEEP_INTERVAL_MS: '10' },
      'WEBHOOK_SWEEP_INTERVAL_MS must be an integer (50 or more)',
    ],
    [{ WEBHOOK_LEASE_MS: '999' }, 'WEBHOOK_LEASE_MS must be an integer (1000–3600000)'],
    [{ DATABASE_TIMEOUT_MS: '50' }, 'DATABASE_TIMEOUT_MS must be an integer (100–60000)'],
    [
      { OUTBOUND_WEBHOOKS_TIMEOUT_MS: '10001' },
      'OUTBOUND_WEBHOOKS_TIMEOUT_MS must be an integer (100–10000)',
    ],
    [
      { OUTBOUND_WEBHOOKS_RETRY_BASE_MS: 'soon' },
      'OUTBOUND_WEBHOOKS_RETRY_BASE_MS must be an integer (100–3600000)',
    ],
    [
      { OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS: '0' },
      'OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS must be an integer (50–60000)',
    ],
    [{ RAW_RETENTION_DAYS: '0' }, 'RAW_RETENTION_DAYS must be an integer (1–3650)'],
    [{ MESSAGE_RETENTION_DAYS: 'forever' }, 'MESSAGE_RETENTION_DAYS must be an integer (1–36500)'],
    [
      { RETENTION_SWEEP_INTERVAL_MS: '10' },
      'RETENTION_SWEEP_INTERVAL_MS must be an integer (50–86400000)',
    ],
  ])('refuses %j, saying what the variable must be', (raw, message) => {
    expect(() => parseEnvironment(raw)).toThrow(
      new ConfigurationError(`Invalid configuration: ${message}`),
    );
  });

  it('applies DATABASE_PASSWORD to DATABASE_URL so that pg reads it back exactly', () => {
    const password = `p@ss/w#rd:%41?x é'"`;
    const env = parseEnvironment({
      DATABASE_URL: 'postgresql://messenger@postgres:5432/messenger?sslmode=disable',
      DATABASE_PASSWORD: password,
    });
    expect(parseConnectionString(env.DATABASE_URL as string)).toMatchObject({
      user: 'messenger',
      password,
      host: 'postgres',
      port: '5432',
      database: 'messenger',
      sslmode: 'disable',
    });
    expect(describeDatabaseUrl(env.DATABASE_URL as string)).toBe(
      'postgresql://messenger:***@postgres:5432/messenger',
    );
  });

  it('refuses DATABASE_PASSWORD without DATABASE_URL', () => {
    expect(() => parseEnvironment({ DATABASE_PASSWORD: 'x' })).toThrow(
      'Invalid configuration: DATABASE_PASSWORD is set but DATABASE_URL is not',
    );
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ GRAPH_API_VERSION: '21' }, /GRAPH_API_VERSION/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ MESSENGER_PAGE_TOKENS: '["a"]' }, /MESSENGER_PAGE_TOKENS/],
    [{ MESSENGER_APP_LABELS: '{"abc": "Bot"}' }, /MESSENGER_APP_LABELS/],
    [{ PUBLIC_URL: 'dashboard.example.com' }, /PUBLIC_URL must be an absolute http\(s\) URL/],
    [{ API_TOKEN: 'short' }, /API_TOKEN must be at least 16 characters/],
  ])('refuses %j with a message naming the variable', (raw, message) => {
    expect(() => parseEnvironment(raw)).toThrow(message);
  });
});

describe('parsePageTokens', () => {
  it('reads a JSON object of Page id to token', () => {
    expect(parsePageTokens('{"111":"a","222":"b"}')).toEqual({ 111: 'a', 222: 'b' });
  });

  it.each(['not json', '[]', '{"1": 2}', '{"1": ""}', 'null'])('refuses %s', (json) => {
    expect(() => parsePageTokens(json)).toThrow(ConfigurationError);
  });
});

describe('parseAppLabels', () => {
  it('reads a JSON object of app id to label', () => {
    expect(parseAppLabels('{"263902037430900":"Page inbox","42":"Support bot"}')).toEqual({
      263902037430900: 'Page inbox',
      42: 'Support bot',
    });
  });

  it('gives an app id named like a prototype key no way into Object.prototype', () => {
    expect(Object.getPrototypeOf(parseAppLabels('{"1":"a"}'))).toBeNull();
  });

  it.each([
    'not json',
    '[]',
    'null',
    '"x"',
    '{"1": 2}',
    '{"1": " "}',
    '{"bot": "Bot"}',
    '{"": "x"}',
  ])('refuses %s', (json) => {
    expect(() => parseAppLabels(json)).toThrow(ConfigurationError);
  });
});

describe('fillInstallSecrets', () => {
  it('generates missing secrets once per install, private to the owner, and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-secrets-'));
    const first = parseEnvironment({ DATA_DIR: dir, API_TOKEN: 'given-api-token-0123' });
    const generated = fillInstallSecrets(first);
    expect(generated).toEqual({
      file: join(dir, 'secrets.json'),
      names: ['MESSENGER_APP_SECRET', 'MESSENGER_VERIFY_TOKEN'],
    });
    const file = generated?.file;
    expect(first.API_TOKEN).toBe('given-api-token-0123');
    expect(first.MESSENGER_APP_SECRET).toMatch(/^[0-9a-f]{48}$/);
    expect(first.MESSENGER_VERIFY_TOKEN).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(file as string).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file as string, 'utf8'))).not.toHaveProperty('API_TOKEN');

    const second = parseEnvironment({ DATA_DIR: dir, API_TOKEN: 'given-api-token-0123' });
    fillInstallSecrets(second);
    expect(second.MESSENGER_APP_SECRET).toBe(first.MESSENGER_APP_SECRET);
    expect(second.MESSENGER_VERIFY_TOKEN).toBe(first.MESSENGER_VERIFY_TOKEN);
  });

  it('generates different secrets for different installs', () => {
    const a = parseEnvironment({ DATA_DIR: mkdtempSync(join(tmpdir(), 'mf-secrets-')) });
    const b = parseEnvironment({ DATA_DIR: mkdtempSync(join(tmpdir(), 'mf-secrets-')) });
    fillInstallSecrets(a);
    fillInstallSecrets(b);
    expect(a.API_TOKEN).not.toBe(b.API_TOKEN);
  });

  it('does nothing when every secret is given', () => {
    expect(
      fillInstallSecrets(parseEnvironment({ ...PRODUCTION, NODE_ENV: 'development' })),
    ).toBeNull();
  });
});
