import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { ConversationsService } from '../conversations/conversations.service';
import { DatabaseService } from '../database/database.service';
import type { SurveyRule } from '../generated/prisma/client';
import { SurveySender } from '../surveys/survey-sender.service';
import {
  CUSTOMER_FEEDBACK_TAG_WINDOW_MS,
  STANDARD_WINDOW_MS,
} from '../surveys/template/messaging-window';
import { type Reason, inQuietHours, inSample } from './survey-rule';
import { toRuleFields } from './survey-rules.service';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * How long a claim on a decision keeps every other process off it: far beyond a send (the Graph
 * client's attempts, each with its timeout), so it runs out only when its process died.
 */
export const DECISION_LEASE_MS = 10 * 60 * 1000;

/** The decision being made: its row, and the customer it is about. */
export interface DecisionRef {
  id: string;
  eventKey: string;
  pageId: string;
  userId: string;
}

/**
 * What a rule decides about one customer, once its trigger has fired (at once for postback and
 * thread_released; when due for conversation_idle): the checks, cheapest first, then the send,
 * and the outcome written on the decision row. Shared by the immediate triggers and the scheduler
 * so that both check exactly the same things.
 */
@Injectable()
export class DecisionSender {
  private readonly logger = new Logger(DecisionSender.name);

  constructor(
    private readonly prisma: DatabaseService,
    private readonly conversations: ConversationsService,
    private readonly sender: SurveySender,
    private readonly clock: Clock,
  ) {}

  /**
   * Why this rule must not survey this customer now, or null. `quietHours: 'ignore'` leaves quiet
   * hours to the caller (the scheduler waits for their end instead of skipping).
   */
  async skipReason(
    rule: SurveyRule,
    decision: DecisionRef,
    now: Date,
    quietHours: 'check' | 'ignore' = 'check',
  ): Promise<Reason | null> {
    const fields = toRuleFields(rule);
    const { pageId, userId } = decision;
    if (!inSample(fields.sampleRate, rule.id, decision.eventKey)) return 'sampled_out';
    if (
      quietHours === 'check' &&
      fields.quietHours !== null &&
      inQuietHours(fields.quietHours, now)
    )
      return 'quiet_hours';
    const open = await this.prisma.survey.findFirst({
      where: { pageId, recipientId: userId, status: 'sent', expiresAt: { gt: now } },
      select: { id: true },
    });
    if (open !== null) return 'open_survey';
    if (fields.throttle !== null) {
      const since = new Date(now.getTime() - fields.throttle.perCustomerDays * DAY_MS);
      const recent = await this.prisma.survey.findFirst({
        where: {
          pageId,
          recipientId: userId,
          ruleId: { not: null },
          status: { not: 'failed' },
          sentAt: { gte: since },
        },
        select: { id: true },
      });
      if (recent !== null) return 'throttled';
    }
    const lastInboundAt = await this.conversations.lastInboundAt(pageId, userId);
    const window = fields.useFeedbackTag ? CUSTOMER_FEEDBACK_TAG_WINDOW_MS : STANDARD_WINDOW_MS;
    if (lastInboundAt === null || now.getTime() - lastInboundAt.getTime() >= window) {
      return 'outside_window';
    }
    return null;
  }

  /** Records a decision that ends without a send, unless it was decided meanwhile (cancelled). */
  async close(
    decision: DecisionRef,
    outcome: 'skipped' | 'cancelled',
    reason: Reason,
  ): Promise<void> {
    await this.prisma.surveyDecision.updateMany({
      where: { id: decision.id, outcome: 'scheduled' },
      data: { outcome, reason, leaseUntil: null, decidedAt: this.clock.now() },
    });
  }

  /**
   * Sends the rule's survey and records `sent`, or `skipped`/`outside_window` and
   * `failed`/`graph_error` with the failed survey. The outcome is written whatever happened to
   * the row meanwhile: a survey went out (or was tried), and the decision says so.
   */
  async send(rule: SurveyRule, decision: DecisionRef): Promise<void> {
    const { pageId, userId } = decision;
    const fields = toRuleFields(rule);
    try {
      const survey = await this.sender.send(
        { ...fields.survey, recipientId: userId, pageId },
        { ruleId: rule.id },
      );
      await this.prisma.surveyDecision.updateMany({
        where: { id: decision.id },
        data: {
          outcome: 'sent',
          reason: null,
          surveyId: survey.id,
          leaseUntil: null,
          decidedAt: this.clock.now(),
        },
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const details = error.details as { surveyId?: string | null } | undefined;
      const outside = error.code === 'OUTSIDE_MESSAGING_WINDOW';
      await this.prisma.surveyDecision.updateMany({
        where: { id: decision.id },
        data: {
          outcome: outside ? 'skipped' : 'failed',
          reason: outside ? 'outside_window' : 'graph_error',
          surveyId: details?.surveyId ?? null,
          leaseUntil: null,
          decidedAt: this.clock.now(),
        },
      });
      this.logger.warn(
        `rule ${rule.id} could not survey ${userId} of Page ${pageId}: ${error.message}`,
      );
    }
  }
}
