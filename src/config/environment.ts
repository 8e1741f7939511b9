import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? !['false', '0', 'no', 'off', ''].includes(value.toLowerCase())
    : value;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
/**
 * An integer variable from `min` (to `max`): read from its text, with one message for every way it
 * can be wrong (so `PORT=abc` does not read "too large"), naming the variable and its range.
 */
function IntegerVariable(min: number, max?: number, { optional = false } = {}): PropertyDecorator {
  return (target, key) => {
    const range = max === undefined ? `${min} or more` : `${min}–${max}`;
    const message = { message: `${String(key)} must be an integer (${range})` };
    Transform(toInt)(target, key);
    if (optional) IsOptional()(target, key);
    IsInt(message)(target, key);
    Min(min, message)(target, key);
    if (max !== undefined) Max(max, message)(target, key);
  };
}
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  value === '' ? undefined : value;

/** Every configuration variable (docs/api.md, "Configuration"), as read from the environment. */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IntegerVariable(0, 65535)
  PORT = 3000;

  /**
   * Listen address. Unset: 127.0.0.1 outside production, so a laptop's service is not open to its
   * network; 0.0.0.0 in production (the container sets it too). Applied by parseEnvironment.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  HOST?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, {
    message: 'DATABASE_URL must be a postgresql:// connection string',
  })
  DATABASE_URL?: string;

  /**
   * The password for DATABASE_URL, kept apart so that any password works: pasted into a URL,
   * `@ / # : %` would change where the service connects. Applied by parseEnvironment.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  DATABASE_PASSWORD?: string;

  @IsString()
  DATA_DIR = './.data';

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATE_ON_START = true;

  /**
   * The longest any one wait on the database may take: a pool connection, then each statement.
   * Past it the request answers 503, well inside Meta's webhook timeout (about 20 s).
   */
  @IntegerVariable(100, 60_000)
  DATABASE_TIMEOUT_MS = 5_000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  MESSENGER_APP_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  MESSENGER_VERIFY_TOKEN?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  MESSENGER_PAGE_ACCESS_TOKEN?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  MESSENGER_PAGE_TOKENS?: string;

  /**
   * The sandbox (src/sandbox/): a simulated Graph API and a sandbox Page. Unset: on outside
   * production when no Page token is configured (parseEnvironment decides); never in production.
   */
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  MESSENGER_SANDBOX?: boolean;

  /** The sandbox Page's id (numeric, as Meta's Page ids are). */
  @Matches(/^[0-9]{1,32}$/, { message: 'SANDBOX_PAGE_ID must be 1 to 32 digits' })
  SANDBOX_PAGE_ID = '100000000000001';
  /** JSON object app id → label, for the score breakdown by responder. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  MESSENGER_APP_LABELS?: string;

  /** Where people open the service (behind its proxy): links in exports point there. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'PUBLIC_URL must be an absolute http(s) URL' },
  )
  PUBLIC_URL?: string;

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  GRAPH_API_URL = 'https://graph.facebook.com';

  @Matches(/^v\d+\.\d+$/, { message: 'GRAPH_API_VERSION must look like v21.0' })
  GRAPH_API_VERSION = 'v21.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'API_TOKEN must be at least 16 characters' })
  API_TOKEN?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  BUSINESS_NAME?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  PRIVACY_POLICY_URL?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * What this process does: `all` (intake and processing), `intake` (acknowledges and stores
   * deliveries, handles nothing, runs no background job) or `worker` (no webhook route; processes
   * what intakes stored, woken by NOTIFY, and runs the background jobs).
   */
  @IsIn(['all', 'intake', 'worker'], { message: 'PROCESS_ROLE must be all, intake or worker' })
  PROCESS_ROLE: ProcessRole = 'all';

  /**
   * Where traces go, over OTLP/HTTP (`/v1/traces` is appended); unset: no tracing at all. Read by
   * src/telemetry/tracing.ts before the configuration (the instrumentations must load first),
   * validated here with the rest.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' },
  )
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Attempts before a failing event is marked dead. */
  @IntegerVariable(1, 100)
  WEBHOOK_MAX_ATTEMPTS = 8;

  /** First retry delay of a failed event; doubles on each attempt (with jitter), capped at one hour. */
  @IntegerVariable(0)
  WEBHOOK_RETRY_BASE_MS = 2_000;

  /** How often the sweeper looks for events stored but not processed. */
  @IntegerVariable(50)
  WEBHOOK_SWEEP_INTERVAL_MS = 5_000;

  /**
   * How long an event a process has taken is left to it before another's sweep may take it: how
   * soon the events in hand of a crashed process are handled again. Longer than a handler takes.
   */
  @IntegerVariable(1_000, 3_600_000)
  WEBHOOK_LEASE_MS = 30_000;

  /**
   * Body bytes of POST /webhook held before their signature is checked, across all requests: the
   * memory unauthenticated clients can make the service spend. At least 24 MiB, so that a 16 MiB
   * delivery fits in the three quarters large bodies may use.
   */
  @IntegerVariable(24 * 1024 * 1024)
  WEBHOOK_UNVERIFIED_BYTES_LIMIT = 64 * 1024 * 1024;

  /**
   * Time a client has to send a whole request, body included: a 16 MiB delivery on a 2 Mbit/s
   * link takes about 70 s.
   */
  @IntegerVariable(1_000)
  HTTP_REQUEST_TIMEOUT_MS = 120_000;

  /** Time a client has to send a request's headers (at most HTTP_REQUEST_TIMEOUT_MS). */
  @IntegerVariable(500)
  HTTP_HEADERS_TIMEOUT_MS = 20_000;

  /** First retry delay of a failed outbound webhook; doubles per attempt (with jitter), at most an hour. */
  @IntegerVariable(100, 3_600_000)
  OUTBOUND_WEBHOOKS_RETRY_BASE_MS = 5_000;

  /**
   * How long a receiver has to answer an outbound webhook, body included (a 2xx within it is
   * success). Ten seconds is the contract; shorter is for tests and impatient installs.
   */
  @IntegerVariable(100, 10_000)
  OUTBOUND_WEBHOOKS_TIMEOUT_MS = 10_000;

  /** How often the delivery worker looks for outbound webhooks that are due. */
  @IntegerVariable(50, 60_000)
  OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS = 1_000;

  /** How often the survey scheduler looks for scheduled decisions that are due (conversation_idle). */
  @IntegerVariable(50, 3_600_000)
  SURVEY_SCHEDULER_POLL_INTERVAL_MS = 5_000;

  /** Scheduled decisions one pass of one process decides at most: the send rate is this per poll. */
  @IntegerVariable(1, 1_000)
  SURVEY_SCHEDULER_BATCH_SIZE = 100;

  /**
   * In production, subscriptions may name only https URLs resolving to public addresses; true lifts
   * the address rule (a receiver on the private network). Outside production nothing is refused.
   */
  @Transform(toBoolean)
  @IsBoolean()
  OUTBOUND_WEBHOOKS_ALLOW_PRIVATE = false;
  /** How long a dashboard login lasts, from the login (fixed, not sliding): 1 to 720 hours. */
  @IntegerVariable(1, 720)
  SESSION_TTL_HOURS = 12;

  /**
   * Days raw deliveries and processed inbox events are kept (events at least 7: their dedupe keys
   * must outlive Meta's 36 hours of retries). Unknown, failed and dead events: three times as long.
   */
  @IntegerVariable(1, 3650)
  RAW_RETENTION_DAYS = 30;

  /** Days conversation content is kept; unset: kept for good. */
  @IntegerVariable(1, 36500, { optional: true })
  MESSAGE_RETENTION_DAYS?: number;

  /** How often the retention job runs. */
  @IntegerVariable(50, 86_400_000)
  RETENTION_SWEEP_INTERVAL_MS = 3_600_000;
}

export type ProcessRole = 'all' | 'intake' | 'worker';

/** A configuration problem, reported as one line naming the variable. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

const REQUIRED_IN_PRODUCTION = [
  'MESSENGER_APP_SECRET',
  'MESSENGER_VERIFY_TOKEN',
  'API_TOKEN',
] as const;
export type InstallSecret = (typeof REQUIRED_IN_PRODUCTION)[number];

/** Parses and validates the raw environment; throws a ConfigurationError naming what is wrong. */
export function parseEnvironment(raw: Record<string, string | undefined>): Environment {
  const known = Object.keys(new Environment()).concat(
    'HOST',
    'DATABASE_URL',
    'DATABASE_PASSWORD',
    ...REQUIRED_IN_PRODUCTION,
    'MESSENGER_PAGE_ACCESS_TOKEN',
    'MESSENGER_PAGE_TOKENS',
    'MESSENGER_APP_LABELS',
    'PUBLIC_URL',
    'BUSINESS_NAME',
    'PRIVACY_POLICY_URL',
    'MESSENGER_SANDBOX',
    'MESSAGE_RETENTION_DAYS',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
  );
  // Empty is unset, defaults included: docker compose passes `X: ${X:-}` as X=''.
  const picked = Object.fromEntries(
    known.filter((k) => raw[k] !== undefined && raw[k] !== '').map((k) => [k, raw[k]]),
  );
  const env = plainToInstance(Environment, picked);
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const first = errors[0];
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new ConfigurationError(
      `Invalid configuration: ${reason.startsWith(first.property) ? reason : `${first.property} ${reason}`}`,
    );
  }
  env.HOST ??= env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1';
  if (env.MESSENGER_PAGE_TOKENS !== undefined) parsePageTokens(env.MESSENGER_PAGE_TOKENS);
  if (env.MESSENGER_APP_LABELS !== undefined) parseAppLabels(env.MESSENGER_APP_LABELS);
  if (env.DATABASE_PASSWORD !== undefined) {
    if (env.DATABASE_URL === undefined)
      throw new ConfigurationError(
        'Invalid configuration: DATABASE_PASSWORD is set but DATABASE_URL is not',
      );
    env.DATABASE_URL = withPassword(env.DATABASE_URL, env.DATABASE_PASSWORD);
  }
  if (env.PROCESS_ROLE !== 'all' && env.DATABASE_URL === undefined) {
    // The embedded database belongs to one process: an intake alone would store and never handle.
    throw new ConfigurationError(
      `Invalid configuration: PROCESS_ROLE=${env.PROCESS_ROLE} needs DATABASE_URL (the embedded database serves one process, which must be 'all')`,
    );
  }
  if (env.MESSENGER_SANDBOX === true && env.NODE_ENV === 'production') {
    throw new ConfigurationError(
      'Invalid configuration: MESSENGER_SANDBOX must not be true when NODE_ENV=production',
    );
  }
  env.MESSENGER_SANDBOX ??=
    env.NODE_ENV !== 'production' &&
    env.MESSENGER_PAGE_ACCESS_TOKEN === undefined &&
    env.MESSENGER_PAGE_TOKENS === undefined;
  if (env.NODE_ENV === 'production') {
    const missing = REQUIRED_IN_PRODUCTION.find((name) => env[name] === undefined);
    if (missing)
      throw new ConfigurationError(
        `Missing configuration: ${missing} is required when NODE_ENV=production`,
      );
  }
  return env;
}

/**
 * DATABASE_URL with DATABASE_PASSWORD in it, percent-encoded whole (the URL setter would leave
 * `%` as is, and pg decodes the password with decodeURIComponent). Every user of DATABASE_URL (the
 * pool, the migrator, db:migrate) gets it from here.
 */
export function withPassword(databaseUrl: string, password: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigurationError('Invalid configuration: DATABASE_URL is not a valid URL');
  }
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** The URL for a message or a log line: host, port, database and user, never the password. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    // Rebuilt from its parts, so that no query or fragment (a mangled password's tail) shows.
    const url = new URL(databaseUrl);
    const user = url.username ? `${url.username}${url.password ? ':***' : ''}@` : '';
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/** `MESSENGER_PAGE_TOKENS`: a JSON object from Page id to Page access token. */
export function parsePageTokens(json: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigurationError(
      'Invalid configuration: MESSENGER_PAGE_TOKENS must be a JSON object {"<PAGE_ID>": "<token>"}',
    );
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !Object.values(value).every((token) => typeof token === 'string' && token.length > 0)
  ) {
    throw new ConfigurationError(
      'Invalid configuration: MESSENGER_PAGE_TOKENS must be a JSON object {"<PAGE_ID>": "<token>"}',
    );
  }
  return value as Record<string, string>;
}

/** `MESSENGER_APP_LABELS`: a JSON object from Meta app id to the name people know it by. */
export function parseAppLabels(json: string): Record<string, string> {
  const invalid = new ConfigurationError(
    'Invalid configuration: MESSENGER_APP_LABELS must be a JSON object {"<APP_ID>": "<label>"} of numeric app ids and non-empty labels',
  );
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid;
  const entries = Object.entries(value);
  const valid = entries.every(
    ([app, label]) =>
      /^\d{1,32}$/.test(app) && typeof label === 'string' && label.trim().length > 0,
  );
  if (!valid) throw invalid;
  // A Map-like object without a prototype: an app id can never reach Object.prototype.
  return Object.assign(Object.create(null) as Record<string, string>, value);
}

export const INSTALL_SECRETS: readonly InstallSecret[] = REQUIRED_IN_PRODUCTION;
