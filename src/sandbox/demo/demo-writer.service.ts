import { BeforeApplicationShutdown, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../common/app-error';
import { AppConfig } from '../../config/app-config';
import { SurveyRepository } from '../../surveys/survey.repository';
import { SandboxWebhook } from '../sandbox-webhook';
import { DemoCounts, planDemo } from './demo-plan';

export interface DemoRequest {
  days: number;
  customers: number;
  seed: number;
}

export type DemoWritten = Partial<DemoCounts> & { surveysStored: number; eventsDelivered: number };

export interface DemoStatus {
  status: 'idle' | 'running' | 'done' | 'failed';
  /** 0 … 1. */
  progress: number;
  written: DemoWritten;
  request: DemoRequest | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export const DEMO_DEFAULTS = { days: 90, customers: 400 } as const;
/** Events per delivery: Meta batches too, and one delivery is one group commit. */
const EVENTS_PER_DELIVERY = 250;
/** How long the written events may take to be handled before the run counts as failed. */
const PROCESSING_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 200;
/** Share of the progress bar each stage fills: surveys, deliveries, processing. */
const STAGES = [0.15, 0.6, 0.25] as const;

/**
 * Writes the demo history (planDemo) into the sandbox Page: the surveys sent in the past through
 * the surveys repository (the Send API cannot back-date), then every event, back-dated by its
 * own timestamp, through POST /webhook (SandboxWebhook), in time order; then waits until the
 * service has handled them, so that "done" means the scores, trends and conversations show it.
 * One run at a time.
 */
@Injectable()
export class DemoWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DemoWriter.name);
  private state: DemoStatus = {
    status: 'idle',
    progress: 0,
    written: { surveysStored: 0, eventsDelivered: 0 },
    request: null,
    startedAt: null,
    finishedAt: null,
    error: null,
  };
  private readonly pageId: string;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly webhook: SandboxWebhook,
    private readonly surveys: SurveyRepository,
  ) {
    this.pageId = (config.sandbox as { pageId: string }).pageId;
  }

  /** A run stops between two writes when the service stops: what is written stays written. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  private checkRunning(): void {
    if (this.stopping) throw new Error('stopped: the service is shutting down');
  }

  get status(): DemoStatus {
    return { ...this.state, written: { ...this.state.written } };
  }

  /** Completes the request with its defaults (a random seed unless one is given). */
  static request(input: Partial<DemoRequest>): DemoRequest {
    return {
      days: input.days ?? DEMO_DEFAULTS.days,
      customers: input.customers ?? DEMO_DEFAULTS.customers,
      seed: input.seed ?? randomInt(1, 2 ** 31 - 1),
    };
  }

  /** Starts a run in the background (POST /api/sandbox/demo); 409 while one runs. */
  start(request: DemoRequest): DemoStatus {
    this.begin(request);
    this.write(request).catch(() => undefined);
    return this.status;
  }

  /** Runs to the end (npm run demo in-process): the counts written, or the run's error. */
  async run(request: DemoRequest, onProgress?: (status: DemoStatus) => void): Promise<DemoCounts> {
    this.begin(request);
    return this.write(request, onProgress);
  }

  private begin(request: DemoRequest): void {
    if (this.state.status === 'running') {
      throw new AppError(
        HttpStatus.CONFLICT,
        'DEMO_RUNNING',
        'a demo history is being written already',
      );
    }
    this.state = {
      status: 'running',
      progress: 0,
      written: { surveysStored: 0, eventsDelivered: 0 },
      request,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    };
  }

  private async write(
    request: DemoRequest,
    onProgress: (status: DemoStatus) => void = () => undefined,
  ): Promise<DemoCounts> {
    const advance = (stage: 0 | 1 | 2, fraction: number): void => {
      const before = STAGES.slice(0, stage).reduce((sum, share) => sum + share, 0);
      this.state.progress = Math.min(1, before + STAGES[stage] * fraction);
      onProgress(this.status);
    };
    try {
      const plan = planDemo({
        ...request,
        pageId: this.pageId,
        end: new Date(Date.now() - 60_000),
        businessName: this.config.businessName ?? 'Sandbox Shop',
      });
      const firstMid = (plan.events[0]?.message as { mid?: string } | undefined)?.mid;
      if (firstMid !== undefined && (await this.messageExists(firstMid))) {
        throw new AppError(
          HttpStatus.CONFLICT,
          'DEMO_ALREADY_WRITTEN',
          `the demo history of seed ${request.seed} is in this database already: choose another seed`,
        );
      }
      const responderOf = lastEchoApps(plan.events);
      for (const [i, survey] of plan.surveys.entries()) {
        this.checkRunning();
        await this.surveys.insert({
          pageId: this.pageId,
          recipientId: survey.psid,
          type: survey.type,
          questionId: survey.questionId,
          status: survey.error === null ? 'sent' : 'failed',
          messageId: survey.messageId,
          messagingType: survey.request.messaging_type,
          tag: survey.request.tag ?? null,
          request: survey.request,
          error: survey.error,
          sentAt: survey.sentAt,
          expiresAt: survey.expiresAt,
          // Written before the conversation it follows: who answered is told, not looked up.
          responderAppId: responderOf(survey.psid, survey.sentAt.getTime()),
        });
        this.state.written.surveysStored = i + 1;
        if (i % 20 === 0) advance(0, (i + 1) / plan.surveys.length);
      }
      advance(1, 0);
      for (let i = 0; i < plan.events.length; i += EVENTS_PER_DELIVERY) {
        this.checkRunning();
        const batch = plan.events.slice(i, i + EVENTS_PER_DELIVERY);
        await this.webhook.deliver(this.pageId, batch);
        this.state.written.eventsDelivered = i + batch.length;
        advance(1, (i + batch.length) / plan.events.length);
      }
      await this.waitUntilHandled(plan.events.length, (fraction) => advance(2, fraction));
      this.state = {
        ...this.state,
        status: 'done',
        progress: 1,
        written: { ...this.state.written, ...plan.counts },
        finishedAt: new Date().toISOString(),
      };
      onProgress(this.status);
      this.logger.log(
        `demo history written: seed ${request.seed}, ${plan.counts.events} events, ${plan.surveys.length} surveys`,
      );
      return plan.counts;
    } catch (error) {
      this.state = {
        ...this.state,
        status: 'failed',
        finishedAt: new Date().toISOString(),
        error: error instanceof Error ? error.message : String(error),
      };
      onProgress(this.status);
      this.logger.warn(`demo history failed: ${this.state.error}`);
      throw error;
    }
  }

  /** GET /api/messages/{mid} through the app itself, as a client would. */
  private async messageExists(mid: string): Promise<boolean> {
    const res = await this.webhook.get(`/api/messages/${encodeURIComponent(mid)}`);
    return res.statusCode === 200;
  }

  /**
   * Until no event of the service is waiting to be handled (GET /api/webhook-events, as an
   * operator would look), at most PROCESSING_TIMEOUT_MS. Progress: the share no longer waiting,
   * as far as one page of the list can tell.
   */
  private async waitUntilHandled(
    total: number,
    advance: (fraction: number) => void,
  ): Promise<void> {
    const deadline = Date.now() + PROCESSING_TIMEOUT_MS;
    for (;;) {
      this.checkRunning();
      const res = await this.webhook.get('/api/webhook-events?status=pending&limit=500');
      if (res.statusCode !== 200)
        throw new Error(`GET /api/webhook-events answered ${res.statusCode}`);
      const waiting = (JSON.parse(res.body) as { items: unknown[] }).items.length;
      advance(total === 0 ? 1 : 1 - Math.min(waiting, total) / total);
      if (waiting === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `events still waiting to be handled after ${PROCESSING_TIMEOUT_MS / 1000} s`,
        );
      }
      await sleep(POLL_MS);
    }
  }
}

/**
 * The app of the Page's last echo to a customer before a time, from the planned events: what the
 * survey insert would find in the conversation, were it written first.
 */
function lastEchoApps(
  events: readonly Record<string, unknown>[],
): (psid: string, at: number) => string | null {
  const echoes = new Map<string, { at: number; appId: string }[]>();
  for (const event of events) {
    const message = event.message as { is_echo?: boolean; app_id?: unknown } | undefined;
    const appId = message?.app_id;
    if (!message?.is_echo || (typeof appId !== 'number' && typeof appId !== 'string')) continue;
    const psid = (event.recipient as { id: string }).id;
    const list = echoes.get(psid) ?? [];
    list.push({ at: event.timestamp as number, appId: String(appId) });
    echoes.set(psid, list);
  }
  for (const list of echoes.values()) list.sort((a, b) => a.at - b.at);
  return (psid, at) => {
    let found: string | null = null;
    for (const echo of echoes.get(psid) ?? []) {
      if (echo.at > at) break;
      found = echo.appId;
    }
    return found;
  };
}
