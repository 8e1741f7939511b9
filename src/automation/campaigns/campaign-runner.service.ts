import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DatabaseOutage } from '../../database/database-outage.service';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../common/app-error';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { ConversationsService } from '../../conversations/conversations.service';
import { DatabaseService } from '../../database/database.service';
import { GraphApiError, isRateLimit } from '../../surveys/graph/graph-api-error';
import { SurveySender } from '../../surveys/survey-sender.service';
import {
  CUSTOMER_FEEDBACK_TAG_WINDOW_MS,
  STANDARD_WINDOW_MS,
} from '../../surveys/template/messaging-window';
import {
  CampaignRepository,
  type ClaimedBatch,
  type ClaimedTarget,
  type RecordedAttempt,
  type TargetOutcome,
} from './campaign.repository';
import type { TargetReason } from './survey-campaign';

/**
 * Between the starts of two passes while a campaign runs: well inside the pacing's burst (a fifth
 * of a second), so a pass that takes longer than usual loses no tokens.
 */
const TICK_MS = 50;
/** Between looks for running campaigns while there are none (a worker finds an intake's). */
const IDLE_MS = 1_000;
/** Campaigns looked at per pass, oldest first. */
const CAMPAIGNS_PER_PASS = 100;
/** Sends under way at once in one process, all campaigns together. */
const MAX_IN_FLIGHT = 600;
/** Attempts at one target when the Send API fails transiently (timeouts, 5xx; not rate limits). */
const MAX_ATTEMPTS = 3;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How often a send waiting for its rate slot asks again, and for how long at most. */
const SLOT_POLL_MS = 10;
const SLOT_WAIT_MS = 10_000;

/** A send found no rate slot in time: it goes back to pending, unsent. */
class NoSlot extends Error {}

/** Outcomes written in one transaction at most. */
const RECORD_BATCH = 500;

interface QueuedOutcome {
  campaignId: string;
  attempt: RecordedAttempt;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Sends the running campaigns' surveys. Every tick it claims, per campaign, what the pacing allows
 * now (CampaignRepository.claim: a token bucket on the Clock) and starts those sends without
 * waiting for them, so a slow Send API does not slow the pace; each send takes its rate slot just
 * before its call (CampaignRepository.takeSlot: never more than the rate in any second of the
 * Page), and the outcomes are written in groups. All state is in rows: any number of processes
 * run it together, and a restart resumes where the rows say.
 */
@Injectable()
export class CampaignRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CampaignRunner.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<boolean> | null = null;
  private next: Promise<boolean> | null = null;
  private stopped = false;
  private failing = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly outcomes: QueuedOutcome[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repository: CampaignRepository,
    private readonly prisma: DatabaseService,
    private readonly conversations: ConversationsService,
    private readonly sender: SurveySender,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    // Background jobs run on workers (and `all`), not on an intake.
    if (!this.config.handlesEvents) return;
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.next;
    await this.running;
    await this.settled();
  }

  /** A pass now (a campaign was just created), without waiting for it. */
  wake(): void {
    if (!this.config.handlesEvents || this.stopped) return;
    void this.pass();
  }

  /** One pass, then every send it (or an earlier pass) started has ended: for tests. */
  async runOnce(): Promise<void> {
    await this.pass();
    await this.settled();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      void this.pass().then((active) =>
        this.schedule(Math.max(0, (active ? TICK_MS : IDLE_MS) - (Date.now() - started))),
      );
    }, ms);
    this.timer.unref();
  }

  /** Passes never overlap: a call during one gets one more right after it, shared by all. */
  private pass(): Promise<boolean> {
    if (this.running !== null) {
      this.next ??= this.running.then(() => {
        this.next = null;
        return this.pass();
      });
      return this.next;
    }
    this.running = this.claimAll().finally(() => (this.running = null));
    return this.running;
  }

  private async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Whether any campaign is running. */
  private async claimAll(): Promise<boolean> {
    if (this.stopped) return false;
    try {
      const ids = await this.repository.running(CAMPAIGNS_PER_PASS);
      for (const id of ids) {
        const room = MAX_IN_FLIGHT - this.inFlight.size;
        if (room <= 0 || this.stopped) break;
        const batch = await this.repository.claim(id, this.clock.now(), room);
        for (const target of batch?.targets ?? []) this.start(batch as ClaimedBatch, target);
      }
      this.failing = false;
      return ids.length > 0;
    } catch (error) {
      // Nothing is lost: claimed targets come back once their lease has passed.
      if (!this.outage.jobFailed(error) && !this.failing) {
        this.logger.warn(`campaign pass failed: ${String(error)}`);
      }
      this.failing = true;
      return true;
    }
  }

  private start(batch: ClaimedBatch, target: ClaimedTarget): void {
    const work = this.process(batch, target).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async process(batch: ClaimedBatch, target: ClaimedTarget): Promise<void> {
    try {
      const outcome = await this.attempt(batch, target);
      await this.record(batch.campaignId, { target, outcome, at: this.clock.now() });
    } catch (error) {
      // Left `sending`: claimed again once its lease has passed (the open-survey check then
      // keeps a survey that did go out from going out twice).
      this.logger.error(
        `campaign ${batch.campaignId}: could not survey a customer of Page ${batch.pageId}: ${String(error)}`,
      );
    }
  }

  /**
   * Queues an outcome for the next write of outcomes (group commit: many sends, one transaction
   * per campaign) and resolves once it is committed.
   */
  private record(campaignId: string, attempt: RecordedAttempt): Promise<void> {
    return new Promise((resolve, reject) => {
      this.outcomes.push({ campaignId, attempt, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = null));
    });
  }

  private async flush(): Promise<void> {
    while (this.outcomes.length > 0) {
      const queued = this.outcomes.splice(0, RECORD_BATCH);
      const byCampaign = new Map<string, QueuedOutcome[]>();
      for (const q of queued) {
        byCampaign.set(q.campaignId, [...(byCampaign.get(q.campaignId) ?? []), q]);
      }
      for (const [campaignId, group] of byCampaign) {
        try {
          await this.repository.record(
            campaignId,
            group.map((q) => q.attempt),
          );
          for (const q of group) q.resolve();
        } catch (error) {
          for (const q of group) q.reject(error);
        }
      }
    }
  }

  private async attempt(batch: ClaimedBatch, target: ClaimedTarget): Promise<TargetOutcome> {
    const now = this.clock.now();
    const reason = await this.skipReason(batch, target.userId, now);
    if (reason !== null) return { state: 'skipped', reason };
    try {
      const survey = await this.sender.send(
        { ...batch.survey, recipientId: target.userId, pageId: batch.pageId },
        {},
        { callerRetries: true, beforeSend: () => this.slot(batch, target) },
      );
      return { state: 'sent', surveyId: survey.id };
    } catch (error) {
      const at = this.clock.now();
      if (error instanceof NoSlot) {
        return { state: 'pending', dueAt: at, rateLimited: false, error: error.message };
      }
      if (error instanceof GraphApiError) {
        // Transient, nothing stored: a rate limit slows the campaign; other errors are tried
        // again a little later (1 s, 2 s), then the target has failed.
        if (isRateLimit(error.detail)) {
          return { state: 'pending', dueAt: at, rateLimited: true, error: error.message };
        }
        if (target.attempts < MAX_ATTEMPTS) {
          const dueAt = new Date(at.getTime() + 1000 * 2 ** (target.attempts - 1));
          return { state: 'pending', dueAt, rateLimited: false, error: error.message };
        }
        return { state: 'failed', reason: 'graph_error', error: error.message };
      }
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'OUTSIDE_MESSAGING_WINDOW') {
        return { state: 'skipped', reason: 'outside_window' };
      }
      const details = error.details as { surveyId?: string | null };
      const graph = error.code === 'GRAPH_API_ERROR';
      return {
        state: 'failed',
        reason: graph ? 'graph_error' : 'send_refused',
        surveyId: details.surveyId ?? null,
        error: `${error.code}: ${error.message}`.slice(0, 1000),
      };
    }
  }

  /**
   * Waits for the send's rate slot (CampaignRepository.takeSlot), asking again every SLOT_POLL_MS
   * on the Clock's time; past SLOT_WAIT_MS the target goes back to pending, unsent.
   */
  private async slot(batch: ClaimedBatch, target: ClaimedTarget): Promise<void> {
    const deadline = Date.now() + SLOT_WAIT_MS;
    for (;;) {
      const now = this.clock.now();
      const slot = await this.repository.takeSlot(
        batch.campaignId,
        target,
        batch.pageId,
        batch.rate,
        now,
      );
      if (slot === 'taken') return;
      if (slot === 'gone') throw new NoSlot('the campaign was cancelled or the claim taken over');
      if (Date.now() > deadline) throw new NoSlot(`no rate slot within ${SLOT_WAIT_MS} ms`);
      await sleep(SLOT_POLL_MS);
    }
  }

  /**
   * Why this customer must not be surveyed now, or null: an open survey from the Page (which is
   * also what keeps a target claimed again after a crash from being sent twice), the throttle (a
   * survey that did not fail, from anyone, within perCustomerDays), the messaging window.
   */
  private async skipReason(
    batch: ClaimedBatch,
    userId: string,
    now: Date,
  ): Promise<TargetReason | null> {
    const { pageId } = batch;
    const open = await this.prisma.survey.findFirst({
      where: { pageId, recipientId: userId, status: 'sent', expiresAt: { gt: now } },
      select: { id: true },
    });
    if (open !== null) return 'open_survey';
    if (batch.throttleDays !== null) {
      const since = new Date(now.getTime() - batch.throttleDays * DAY_MS);
      const recent = await this.prisma.survey.findFirst({
        where: { pageId, recipientId: userId, status: { not: 'failed' }, sentAt: { gte: since } },
        select: { id: true },
      });
      if (recent !== null) return 'throttled';
    }
    const lastInboundAt = await this.conversations.lastInboundAt(pageId, userId);
    const window = batch.useFeedbackTag ? CUSTOMER_FEEDBACK_TAG_WINDOW_MS : STANDARD_WINDOW_MS;
    if (lastInboundAt === null || now.getTime() - lastInboundAt.getTime() >= window) {
      return 'outside_window';
    }
    return null;
  }
}
