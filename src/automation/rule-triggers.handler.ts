import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DatabaseService } from '../database/database.service';
import { OnMessengerEvent } from '../events/event-bus';
import { PostbackReceivedEvent } from '../events/engagement.event';
import type { MessengerEvent } from '../events/messenger-event';
import { HandoverEvent } from '../events/page.event';
import type { SurveyRule } from '../generated/prisma/client';
import { DECISION_LEASE_MS, DecisionSender } from './decision-sender.service';
import type { TriggerType } from './survey-rule';

/**
 * Evaluates the rules whose trigger fires at once (postback, thread_released) for each event on
 * the bus. Events no rule can watch cost nothing but a property read; the others one indexed read
 * of the enabled rules of that trigger. Every rule that fires produces one decision, keyed by the
 * rule and the event's key, so a redelivered or retried event decides once and sends at most once.
 */
@Injectable()
export class RuleTriggersHandler {
  constructor(
    private readonly prisma: DatabaseService,
    private readonly decisions: DecisionSender,
    private readonly clock: Clock,
  ) {}

  @OnMessengerEvent(PostbackReceivedEvent)
  async onPostback(event: PostbackReceivedEvent): Promise<void> {
    const payload = event.data.payload;
    if (payload === null) return;
    await this.fire(event, 'postback', (rule) => {
      const trigger = rule.trigger as { payload?: unknown };
      return trigger.payload === payload;
    });
  }

  /**
   * The human agent is done: thread control is passed (back to the primary receiver, or released
   * to the Page inbox). Meta reports both as pass_thread_control to the app that gets the thread.
   */
  @OnMessengerEvent(HandoverEvent)
  async onHandover(event: HandoverEvent): Promise<void> {
    if (event.data.handoverType !== 'pass_thread_control') return;
    await this.fire(event, 'thread_released', () => true);
  }

  private async fire(
    event: MessengerEvent,
    trigger: TriggerType,
    matches: (rule: SurveyRule) => boolean,
  ): Promise<void> {
    const { pageId, userId } = event;
    if (pageId === null || userId === null) return;
    const rules = await this.prisma.surveyRule.findMany({
      where: { enabled: true, triggerType: trigger },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    for (const rule of rules) {
      const pages = rule.pageIds as string[] | null;
      if (pages !== null && !pages.includes(pageId)) continue;
      if (!matches(rule)) continue;
      // One rule after the other: the throttle of the next sees the survey the previous sent.
      await this.decide(rule, trigger, event.key, pageId, userId);
    }
  }

  private async decide(
    rule: SurveyRule,
    trigger: TriggerType,
    eventKey: string,
    pageId: string,
    userId: string,
  ): Promise<void> {
    const now = this.clock.now();
    const id = randomUUID();
    // Claimed first as scheduled: a retry of this event finds it and sends nothing again. Leased
    // like a claim of the scheduler's, which takes it over only if this process dies meanwhile.
    const claimed = await this.prisma.surveyDecision.createMany({
      data: [
        {
          id,
          ruleId: rule.id,
          pageId,
          userId,
          trigger,
          eventKey,
          outcome: 'scheduled',
          dueAt: now,
          decidedAt: now,
          leaseUntil: new Date(now.getTime() + DECISION_LEASE_MS),
          claimedAt: now,
        },
      ],
      skipDuplicates: true,
    });
    if (claimed.count === 0) return;
    const decision = { id, eventKey, pageId, userId };
    const reason = await this.decisions.skipReason(rule, decision, now);
    if (reason !== null) return this.decisions.close(decision, 'skipped', reason);
    await this.decisions.send(rule, decision);
  }
}
