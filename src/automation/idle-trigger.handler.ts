import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DatabaseService } from '../database/database.service';
import { inTransaction } from '../database/transaction';
import { OnMessengerEvents } from '../events/event-bus';
import { MessageEchoEvent, MessageReceivedEvent } from '../events/message.event';
import type { MessengerEvent } from '../events/messenger-event';

/**
 * The conversation_idle trigger. The customer wrote, the Page answered after the customer's last
 * message, then nobody wrote for idleMinutes: the survey is due then. Each message (the customer's
 * or the Page's, echoed) moves what its conversation has seen (`idle_watches`: the customer's last
 * message and the Page's, as maxima, so the order events are handled in does not matter, and an
 * event handled again changes nothing), then the conversation's decisions follow from it:
 *
 * - the Page answered last: the exchange (anchored on the customer's last message) has one
 *   scheduled decision per rule, due at the Page's last message + idleMinutes; a later Page
 *   message pushes it. An exchange already decided (sent, skipped, cancelled) gets no second one.
 * - the customer wrote last: every scheduled decision of the conversation is cancelled
 *   (`customer_wrote_again`); the Page's next answer starts a new exchange.
 *
 * Each conversation's changes run in one short transaction under an advisory lock on it, so two
 * events of one conversation handled at once (by one process or two) see each other's effect.
 * The scheduler (DecisionScheduler) sends what is due. A message with no conversation_idle rule
 * configured costs one indexed read.
 */
@Injectable()
export class IdleTriggerHandler {
  constructor(
    private readonly prisma: DatabaseService,
    private readonly clock: Clock,
  ) {}

  @OnMessengerEvents([MessageReceivedEvent, MessageEchoEvent])
  async onMessage(event: MessengerEvent): Promise<void> {
    const { pageId, userId } = event;
    if (pageId === null || userId === null) return;
    // Disabled rules too: their scheduled decisions are still cancelled by a customer's message.
    const rules = await this.prisma.surveyRule.findMany({
      where: { triggerType: 'conversation_idle' },
      select: { id: true, enabled: true, pageIds: true },
    });
    if (rules.length === 0) return;
    const watching = rules
      .filter((r) => r.enabled && (r.pageIds === null || (r.pageIds as string[]).includes(pageId)))
      .map((r) => r.id);
    const at = event.occurredAt();
    const fromCustomer = event instanceof MessageReceivedEvent;
    await this.apply(pageId, userId, fromCustomer ? at : null, fromCustomer ? null : at, watching);
  }

  private apply(
    pageId: string,
    userId: string,
    customerAt: Date | null,
    pageAt: Date | null,
    ruleIds: string[],
  ): Promise<void> {
    const now = this.clock.now();
    return inTransaction(this.prisma.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `conversation_idle\n${pageId}\n${userId}`,
      ]);
      const {
        rows: [seen],
      } = await tx.query<{ customerAt: Date | null; pageAt: Date | null }>(
        `INSERT INTO idle_watches (page_id, user_id, customer_at, page_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (page_id, user_id) DO UPDATE
         SET customer_at = GREATEST(idle_watches.customer_at, EXCLUDED.customer_at),
             page_at = GREATEST(idle_watches.page_at, EXCLUDED.page_at)
         RETURNING customer_at AS "customerAt", page_at AS "pageAt"`,
        [pageId, userId, customerAt, pageAt],
      );
      const waiting =
        seen.customerAt !== null &&
        seen.pageAt !== null &&
        seen.pageAt.getTime() > seen.customerAt.getTime();
      if (!waiting) {
        // The customer wrote last (or the Page has not answered yet): nothing is awaited.
        await tx.query(
          `UPDATE survey_decisions
           SET outcome = 'cancelled', reason = 'customer_wrote_again', lease_until = NULL, decided_at = $3
           WHERE page_id = $1 AND user_id = $2 AND trigger = 'conversation_idle' AND outcome = 'scheduled'`,
          [pageId, userId, now],
        );
        return;
      }
      // The exchange's scheduled decisions take its latest anchor and Page message.
      await tx.query(
        `UPDATE survey_decisions d
         SET customer_at = GREATEST(d.customer_at, $3), page_at = GREATEST(d.page_at, $4),
             due_at = GREATEST(d.page_at, $4) + make_interval(mins => (r.trigger ->> 'idleMinutes')::int)
         FROM survey_rules r
         WHERE r.id = d.rule_id AND d.page_id = $1 AND d.user_id = $2
           AND d.trigger = 'conversation_idle' AND d.outcome = 'scheduled'`,
        [pageId, userId, seen.customerAt, seen.pageAt],
      );
      if (ruleIds.length === 0) return;
      // Rules with no decision for this exchange yet get one. The key names the exchange by its
      // anchor; the unique indexes make a second one impossible whatever happens.
      await tx.query(
        `INSERT INTO survey_decisions
           (rule_id, page_id, user_id, trigger, event_key, outcome, due_at, decided_at, customer_at, page_at)
         SELECT r.id, $1, $2, 'conversation_idle', $5, 'scheduled',
                $4::timestamptz + make_interval(mins => (r.trigger ->> 'idleMinutes')::int), $6, $3, $4
         FROM survey_rules r
         WHERE r.id = ANY($7::uuid[])
           AND NOT EXISTS (
             SELECT 1 FROM survey_decisions d
             WHERE d.rule_id = r.id AND d.page_id = $1 AND d.user_id = $2
               AND d.trigger = 'conversation_idle'
               AND (d.outcome = 'scheduled' OR d.customer_at >= $3))
         ON CONFLICT DO NOTHING`,
        [
          pageId,
          userId,
          seen.customerAt,
          seen.pageAt,
          `conversation_idle:${pageId}:${userId}:${seen.customerAt?.getTime()}`,
          now,
          ruleIds,
        ],
      );
    });
  }
}
