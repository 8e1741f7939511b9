import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  Environment,
  parseAppLabels,
  parseEnvironment,
  parsePageTokens,
  type ProcessRole,
} from './environment';
import { fillInstallSecrets } from './install-secrets';

type LoadedEnvironment = Environment & {
  GENERATED_SECRETS: { file: string; names: string[] } | null;
  /** The sandbox Page's access token, made for this process (null without the sandbox). */
  SANDBOX_PAGE_TOKEN: string | null;
};

/**
 * The one place where the environment is read: `parsed` is process.env already validated by
 * main.ts's preflight, so that it is read once; the tests and benchmarks pass none.
 */
export function loadEnvironment(parsed?: Environment): LoadedEnvironment {
  const env = parsed ?? parseEnvironment(process.env);
  const generated = env.NODE_ENV === 'production' ? null : fillInstallSecrets(env);
  // A new token per process: only this process's simulated Graph API ever checks it.
  const sandboxToken = env.MESSENGER_SANDBOX ? `SBX${randomBytes(24).toString('hex')}` : null;
  return Object.assign(env, { GENERATED_SECRETS: generated, SANDBOX_PAGE_TOKEN: sandboxToken });
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
    return this.get('HOST') as string;
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
  /** Lifetime of a dashboard session, from its login (SESSION_TTL_HOURS). */
  get sessionTtlMs(): number {
    return this.get('SESSION_TTL_HOURS') * 3_600_000;
  }
  /** The secrets this install generated because the environment had none (never outside DATA_DIR). */
  get generatedSecrets(): { file: string; names: string[] } | null {
    return this.get('GENERATED_SECRETS');
  }
  get defaultPageToken(): string | undefined {
    return this.get('MESSENGER_PAGE_ACCESS_TOKEN');
  }
  /**
   * Page id → Page access token, from MESSENGER_PAGE_TOKENS; in the sandbox, the sandbox Page with
   * its generated token too.
   */
  get pageTokens(): Record<string, string> {
    const json = this.get('MESSENGER_PAGE_TOKENS');
    const configured = json === undefined ? {} : parsePageTokens(json);
    const sandbox = this.sandbox;
    return sandbox === null ? configured : { ...configured, [sandbox.pageId]: sandbox.pageToken };
  }
  /** The sandbox (MESSENGER_SANDBOX): its Page and that Page's token; null when it is off. */
  get sandbox(): { pageId: string; pageToken: string } | null {
    const pageToken = this.get('SANDBOX_PAGE_TOKEN');
    return pageToken === null ? null : { pageId: this.get('SANDBOX_PAGE_ID'), pageToken };
  }
  /** Meta app id → label, from MESSENGER_APP_LABELS. */
  get appLabels(): Record<string, string> {
    const json = this.get('MESSENGER_APP_LABELS');
    return json === undefined ? parseAppLabels('{}') : parseAppLabels(json);
  }
  /** The base of links to the service (PUBLIC_URL, else http://localhost:<PORT>), no trailing slash. */
  get publicUrl(): string {
    return (this.get('PUBLIC_URL') ?? `http://localhost:${this.port}`).replace(/\/+$/, '');
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
  get processRole(): ProcessRole {
    return this.get('PROCESS_ROLE');
  }
  /** Whether this process acknowledges and stores deliveries (`POST /webhook`). */
  get servesWebhook(): boolean {
    return this.processRole !== 'worker';
  }
  /** Whether this process handles stored events and runs the background jobs. */
  get handlesEvents(): boolean {
    return this.processRole !== 'intake';
  }
  get webhookSweepIntervalMs(): number {
    return this.get('WEBHOOK_SWEEP_INTERVAL_MS');
  }

  get webhookLeaseMs(): number {
    return this.get('WEBHOOK_LEASE_MS');
  }
  get webhookUnverifiedBytesLimit(): number {
    return this.get('WEBHOOK_UNVERIFIED_BYTES_LIMIT');
  }
  get httpRequestTimeoutMs(): number {
    return this.get('HTTP_REQUEST_TIMEOUT_MS');
  }
  get outboundWebhooksRetryBaseMs(): number {
    return this.get('OUTBOUND_WEBHOOKS_RETRY_BASE_MS');
  }
  get outboundWebhooksTimeoutMs(): number {
    return this.get('OUTBOUND_WEBHOOKS_TIMEOUT_MS');
  }
  get outboundWebhooksPollIntervalMs(): number {
    return this.get('OUTBOUND_WEBHOOKS_POLL_INTERVAL_MS');
  }
  get surveySchedulerPollIntervalMs(): number {
    return this.get('SURVEY_SCHEDULER_POLL_INTERVAL_MS');
  }
  get surveySchedulerBatchSize(): number {
    return this.get('SURVEY_SCHEDULER_BATCH_SIZE');
  }
  /** Whether subscription URLs are held to https and public addresses (production, unless allowed). */
  get outboundWebhooksGuarded(): boolean {
    return this.isProduction && !this.get('OUTBOUND_WEBHOOKS_ALLOW_PRIVATE');
  }
  /** https only in production, whatever OUTBOUND_WEBHOOKS_ALLOW_PRIVATE says. */
  get outboundWebhooksHttpsOnly(): boolean {
    return this.isProduction;
  }
  get rawRetentionDays(): number {
    return this.get('RAW_RETENTION_DAYS');
  }
  /** null: conversation content is kept for good. */
  get messageRetentionDays(): number | null {
    return this.get('MESSAGE_RETENTION_DAYS') ?? null;
  }
  get retentionSweepIntervalMs(): number {
    return this.get('RETENTION_SWEEP_INTERVAL_MS');
  }
  /** Never above the request timeout: the headers are part of the request. */
  get httpHeadersTimeoutMs(): number {
    return Math.min(this.get('HTTP_HEADERS_TIMEOUT_MS'), this.get('HTTP_REQUEST_TIMEOUT_MS'));
  }
}
