import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import { Environment, parseEnvironment, parsePageTokens } from './environment';
import { fillInstallSecrets } from './install-secrets';

type LoadedEnvironment = Environment & {
  GENERATED_SECRETS: { file: string; names: string[] } | null;
};

/**
 * The one place where the environment is read: `parsed` is process.env already validated by
 * main.ts's preflight, so that it is read once; the tests and benchmarks pass none.
 */
export function loadEnvironment(parsed?: Environment): LoadedEnvironment {
  const env = parsed ?? parseEnvironment(process.env);
  const generated = env.NODE_ENV === 'production' ? null : fillInstallSecrets(env);
  return Object.assign(env, { GENERATED_SECRETS: generated });
}

/**
 * Typed, validated configuration. Inject this, never ConfigService or process.env: it reads the
 * validated object only (AppConfigModule).
 */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<LoadedEnvironment, true>) {}

  private get<K extends keyof LoadedEnvironment>(key: K): LoadedEnvironment[K] {
    return this.config.get(key, { infer: true });
  }

  get isProduction(): boolean {
    return this.get('NODE_ENV') === 'production';
  }
  get port(): number {
    return this.get('PORT');
  }
  get host(): string {
    return this.get('HOST');
  }
  get databaseUrl(): string | undefined {
    return this.get('DATABASE_URL');
  }
  get dataDir(): string {
    return resolve(this.get('DATA_DIR'));
  }
  get migrateOnStart(): boolean {
    return this.get('MIGRATE_ON_START');
  }
  /** Bound on getting a database connection and on each statement (DATABASE_TIMEOUT_MS). */
  get databaseTimeoutMs(): number {
    return this.get('DATABASE_TIMEOUT_MS');
  }
  get appSecret(): string {
    return this.get('MESSENGER_APP_SECRET') as string;
  }
  get verifyToken(): string {
    return this.get('MESSENGER_VERIFY_TOKEN') as string;
  }
  get apiToken(): string {
    return this.get('API_TOKEN') as string;
  }
  /** The secrets this install generated because the environment had none (never outside DATA_DIR). */
  get generatedSecrets(): { file: string; names: string[] } | null {
    return this.get('GENERATED_SECRETS');
  }
  get defaultPageToken(): string | undefined {
    return this.get('MESSENGER_PAGE_ACCESS_TOKEN');
  }
  /** Page id → Page access token, from MESSENGER_PAGE_TOKENS. */
  get pageTokens(): Record<string, string> {
    const json = this.get('MESSENGER_PAGE_TOKENS');
    return json === undefined ? {} : parsePageTokens(json);
  }
  get graphApiUrl(): string {
    return this.get('GRAPH_API_URL').replace(/\/+$/, '');
  }
  get graphApiVersion(): string {
    return this.get('GRAPH_API_VERSION');
  }
  get businessName(): string | undefined {
    return this.get('BUSINESS_NAME');
  }
  get privacyPolicyUrl(): string | undefined {
    return this.get('PRIVACY_POLICY_URL');
  }
  get logLevel(): string {
    return this.get('LOG_LEVEL');
  }
  get webhookMaxAttempts(): number {
    return this.get('WEBHOOK_MAX_ATTEMPTS');
  }
  get webhookRetryBaseMs(): number {
    return this.get('WEBHOOK_RETRY_BASE_MS');
  }
  get webhookSweepIntervalMs(): number {
    return this.get('WEBHOOK_SWEEP_INTERVAL_MS');
  }
  get webhookUnverifiedBytesLimit(): number {
    return this.get('WEBHOOK_UNVERIFIED_BYTES_LIMIT');
  }
  get httpRequestTimeoutMs(): number {
    return this.get('HTTP_REQUEST_TIMEOUT_MS');
  }
  /** Never above the request timeout: the headers are part of the request. */
  get httpHeadersTimeoutMs(): number {
    return Math.min(this.get('HTTP_HEADERS_TIMEOUT_MS'), this.get('HTTP_REQUEST_TIMEOUT_MS'));
  }
}
