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
/** One message for every way an integer variable can be wrong, so `PORT=abc` does not read "too large". */
const integer = (name: string, range: string) => ({
  message: `${name} must be an integer (${range})`,
});
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  value === '' ? undefined : value;

/** Every configuration variable (docs/api.md, "Configuration"), as read from the environment. */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt(integer('PORT', '0–65535'))
  @Min(0, integer('PORT', '0–65535'))
  @Max(65535, integer('PORT', '0–65535'))
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

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
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
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

  /** Attempts before a failing event is marked dead. */
  @Transform(toInt)
  @IsInt(integer('WEBHOOK_MAX_ATTEMPTS', '1–100'))
  @Min(1, integer('WEBHOOK_MAX_ATTEMPTS', '1–100'))
  @Max(100, integer('WEBHOOK_MAX_ATTEMPTS', '1–100'))
  WEBHOOK_MAX_ATTEMPTS = 8;

  /** First retry delay of a failed event; doubles on each attempt (with jitter), capped at one hour. */
  @Transform(toInt)
  @IsInt(integer('WEBHOOK_RETRY_BASE_MS', '0 or more'))
  @Min(0, integer('WEBHOOK_RETRY_BASE_MS', '0 or more'))
  WEBHOOK_RETRY_BASE_MS = 2_000;

  /** How often the sweeper looks for events stored but not processed. */
  @Transform(toInt)
  @IsInt(integer('WEBHOOK_SWEEP_INTERVAL_MS', '50 or more'))
  @Min(50, integer('WEBHOOK_SWEEP_INTERVAL_MS', '50 or more'))
  WEBHOOK_SWEEP_INTERVAL_MS = 5_000;

  /**
   * Body bytes of POST /webhook held before their signature is checked, across all requests: the
   * memory unauthenticated clients can make the service spend. At least 24 MiB, so that a 16 MiB
   * delivery fits in the three quarters large bodies may use.
   */
  @Transform(toInt)
  @IsInt()
  @Min(24 * 1024 * 1024)
  WEBHOOK_UNVERIFIED_BYTES_LIMIT = 64 * 1024 * 1024;

  /**
   * Time a client has to send a whole request, body included: a 16 MiB delivery on a 2 Mbit/s
   * link takes about 70 s.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  HTTP_REQUEST_TIMEOUT_MS = 120_000;

  /** Time a client has to send a request's headers (at most HTTP_REQUEST_TIMEOUT_MS). */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  HTTP_HEADERS_TIMEOUT_MS = 20_000;
}

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
    'DATABASE_URL',
    'DATABASE_PASSWORD',
    ...REQUIRED_IN_PRODUCTION,
    'MESSENGER_PAGE_ACCESS_TOKEN',
    'MESSENGER_PAGE_TOKENS',
    'BUSINESS_NAME',
    'PRIVACY_POLICY_URL',
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
  if (env.MESSENGER_PAGE_TOKENS !== undefined) parsePageTokens(env.MESSENGER_PAGE_TOKENS);
  if (env.DATABASE_PASSWORD !== undefined) {
    if (env.DATABASE_URL === undefined)
      throw new ConfigurationError(
        'Invalid configuration: DATABASE_PASSWORD is set but DATABASE_URL is not',
      );
    env.DATABASE_URL = withPassword(env.DATABASE_URL, env.DATABASE_PASSWORD);
  }
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

export const INSTALL_SECRETS: readonly InstallSecret[] = REQUIRED_IN_PRODUCTION;
