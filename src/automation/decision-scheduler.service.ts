import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DatabaseOutage } from '../database/database-outage.service';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import type { SurveyRule } from '../generated/prisma/client';
import { DECISION_LEASE_MS, DecisionSender, type DecisionRef } from './decision-sender.service';
import { quietHoursEnd } from './quiet-hours-end';
import { toRuleFields } from './survey-rules.service';

/** Customers whose decisions one pass works on at once (one customer's, one after the other). */
const CONCURRENCY = 8;

interface ClaimedDecision extends DecisionRef {
  ruleId: string;
  /** When it was first claimed (by a scheduler, or by the immediate trigger that created it). */
  claimedAt: Date;
  /** Whether it was claimed before: a process died on it, and may have sent its survey. */
  reclaimed: boolean;
}

/**
 * Sends scheduled decisions when they are due (conversation_idle; also an immediate decision whose
 * process died before deciding it). Durable: a pending decision is a row, so a restart loses none.
 * Every SURVEY_SCHEDULER_POLL_INTERVAL_MS, one pass claims at most SURVEY_SCHEDULER_BATCH_SIZE due
 * decisions (by the Clock) in one short statement — `FOR UPDATE SKIP LOCKED`, and a lease
 * (DECISION_LEASE_MS) written on each — so no other process or pass claims them meanwhile; then
 * each is checked again and decided:
 *
 * - the rule disabled meanwhile → `cancelled` / `rule_disabled`;
 * - sampling, open survey, throttle, messaging window → `skipped` with the reason;
 * - quiet hours → rescheduled to their end (not skipped: an idle conversation is still worth
 *   surveying in the morning, and the window is checked again then);
 * - else sent.
 *
 * A decision whose lease ran out (its process died mid-send) is claimed again; the survey that
 * process may have sent is looked for first (same rule, customer and Page, sent since the first
 * claim), so it is recorded, not sent again. Runs where the background jobs run: PROCESS_ROLE
 * worker or all, not intake. docs/surveys.md ("Scheduled decisions") says why this and not a job library.
 */
@Injectable()
export class DecisionScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DecisionScheduler.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;
  /** Whether the last pass failed: a failure that repeats is logged once, not once a poll. */
  private failing = false;

  constructor(
    private readonly prisma: DatabaseService,
    private readonly decisions: DecisionSender,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.handlesEvents) return;
    this.tick(this.config.surveySchedulerPollIntervalMs);
  }

  /**
   * Passes start every poll interval; one that outlasts it is followed by the next at once (rather
   * than at the next tick), so a process decides up to a batch per interval, never more.
   */
  private tick(delay: number): void {
    this.timer = setTimeout(() => {
      const started = Date.now();
      void this.runOnce().finally(() => {
        if (this.stopped) return;
        const interval = this.config.surveySchedulerPollIntervalMs;
        this.tick(Math.max(0, started + interval - Date.now()));
      });
    }, delay);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One pass: claims and decides at most one batch of decisions due now (by the Clock). Passes of
   * one process never overlap: a call during a pass shares it. Resolves with how many it claimed.
   */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<number> {
    if (this.stopped) return 0;
    try {
      const claimed = await this.claimDue(this.clock.now(), this.config.surveySchedulerBatchSize);
      await this.decideAll(claimed);
      this.failing = false;
      return claimed.length;
    } catch (error) {
      // Nothing is lost: claimed decisions are due again once their lease has passed.
      if (!this.outage.jobFailed(error) && !this.failing) {
        this.logger.warn(`survey scheduler pass failed: ${String(error)}`);
      }
      this.failing = true;
      return 0;
    }
  }

  /** Claims up to `limit` due decisions in one statement; each leased for DECISION_LEASE_MS. */
  private async claimDue(now: Date, limit: number): Promise<ClaimedDecision[]> {
    const { rows } = await this.prisma.pool.query<ClaimedDecision>(
      `WITH due AS (
         SELECT id, claimed_at FROM survey_decisions
         WHERE outcome = 'scheduled' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY due_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       )
       UPDATE survey_decisions d
       SET lease_until = $2, claimed_at = COALESCE(d.claimed_at, $1)
       FROM due WHERE d.id = due.id
       RETURNING d.id::text, d.rule_id::text AS "ruleId", d.page_id AS "pageId",
                 d.user_id AS "userId", d.event_key AS "eventKey", d.claimed_at AS "claimedAt",
                 due.claimed_at IS NOT NULL AS reclaimed`,
      [now, new Date(now.getTime() + DECISION_LEASE_MS), limit],
    );
    return rows;
  }

  /**
   * Decides the claimed batch: customers in parallel (CONCURRENCY at a time), each customer's
   * decisions one after the other, so the throttle of one sees the survey the previous sent.
   */
  private async decideAll(claimed: ClaimedDecision[]): Promise<void> {
    if (claimed.length === 0) return;
    // The batch's rules in one read (a batch is mostly the decisions of a few rules).
    const ruleRows = await this.prisma.surveyRule.findMany({
      where: { id: { in: [...new Set(claimed.map((d) => d.ruleId))] } },
    });
    const rules = new Map(ruleRows.map((r) => [r.id, r]));
    const byCustomer = new Map<string, ClaimedDecision[]>();
    for (const d of claimed) {
      const key = `${d.pageId}\n${d.userId}`;
      const list = byCustomer.get(key);
      if (list) list.push(d);
      else byCustomer.set(key, [d]);
    }
    const queue = [...byCustomer.values()];
    const worker = async (): Promise<void> => {
      for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
        for (const decision of group) await this.decideOne(decision, rules.get(decision.ruleId));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  }

  private async decideOne(decision: ClaimedDecision, rule: SurveyRule | undefined): Promise<void> {
    try {
      await this.decide(decision, rule);
    } catch (error) {
      // The lease keeps it until it runs out; then it is claimed again.
      this.logger.error(`could not decide survey decision ${decision.id}: ${String(error)}`);
    }
  }

  private async decide(decision: ClaimedDecision, rule: SurveyRule | undefined): Promise<void> {
    const now = this.clock.now();
    if (rule === undefined) return; // deleted: its decisions went with it
    if (!rule.enabled) return this.decisions.close(decision, 'cancelled', 'rule_disabled');
    if (decision.reclaimed && (await this.recordLostSend(decision))) return;
    const quiet = toRuleFields(rule).quietHours;
    const reason = await this.decisions.skipReason(rule, decision, now, 'ignore');
    if (reason !== null) return this.decisions.close(decision, 'skipped', reason);
    if (quiet !== null) {
      const end = quietHoursEnd(quiet, now);
      if (end.getTime() > now.getTime()) {
        await this.prisma.surveyDecision.updateMany({
          where: { id: decision.id, outcome: 'scheduled' },
          data: { dueAt: end, leaseUntil: null, claimedAt: null },
        });
        return;
      }
    }
    await this.decisions.send(rule, decision);
  }

  /**
   * A decision claimed before, whose claim ran out: if that claim's process sent the survey before
   * dying, the survey is there (this rule, this customer, since the first claim). Records it.
   */
  private async recordLostSend(decision: ClaimedDecision): Promise<boolean> {
    const survey = await this.prisma.survey.findFirst({
      where: {
        ruleId: decision.ruleId,
        pageId: decision.pageId,
        recipientId: decision.userId,
        sentAt: { gte: decision.claimedAt },
      },
      orderBy: { sentAt: 'asc' },
      select: { id: true, status: true },
    });
    if (survey === null) return false;
    const sent = survey.status !== 'failed';
    await this.prisma.surveyDecision.updateMany({
      where: { id: decision.id },
      data: {
        outcome: sent ? 'sent' : 'failed',
        reason: sent ? null : 'graph_error',
        surveyId: survey.id,
        leaseUntil: null,
        decidedAt: this.clock.now(),
      },
    });
    return true;
  }
}
