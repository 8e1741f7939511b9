import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { SqlClient } from '../database/transaction';
import type { OutboundDeliveryStatus, Prisma } from '../generated/prisma/client';
import type { LowScoreThresholds } from './outbound-event';

export interface SubscriptionRow {
  id: string;
  url: string;
  events: string[];
  lowScore: LowScoreThresholds;
  description: string | null;
  secret: string;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  eventType: string;
  body: string;
  status: OutboundDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** A claimed attempt: the delivery, where it goes and the key it is signed with. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  body: string;
  url: string;
  secret: string;
  /** Attempts so far, this one included. */
  attempts: number;
  createdAt: Date;
}

/** One row of the outbox insert: an event, its body, and the score a low-score event is about. */
export interface OutboxRow {
  type: string;
  body: string;
  scoreType: string | null;
  score: number | null;
  /** Only this subscription (the test ping); else every enabled subscription that asked for `type`. */
  subscriptionId: string | null;
}

export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

function toSubscription(row: Prisma.WebhookSubscriptionGetPayload<object>): SubscriptionRow {
  return {
    ...row,
    events: row.events as string[],
    lowScore: row.lowScore as unknown as LowScoreThresholds,
  };
}

/** Subscriptions (Prisma Client) and their outbox of deliveries (SQL where it must lock or fan out). */
@Injectable()
export class OutboundRepository {
  constructor(private readonly prisma: DatabaseService) {}

  async createSubscription(
    data: Pick<SubscriptionRow, 'url' | 'events' | 'lowScore' | 'description' | 'secret'>,
    now: Date,
  ): Promise<SubscriptionRow> {
    const row = await this.prisma.webhookSubscription.create({
      data: { ...data, createdAt: now, updatedAt: now },
    });
    return toSubscription(row);
  }

  async findSubscription(id: string): Promise<SubscriptionRow | null> {
    const row = await this.prisma.webhookSubscription.findUnique({ where: { id } });
    return row === null ? null : toSubscription(row);
  }

  /** Newest first, after the keyset `after`. */
  async listSubscriptions(
    limit: number,
    after: { createdAt: Date; id: string } | null,
  ): Promise<SubscriptionRow[]> {
    const rows = await this.prisma.webhookSubscription.findMany({
      where: after
        ? {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }
        : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map(toSubscription);
  }

  async updateSubscription(
    id: string,
    data: Partial<
      Pick<
        SubscriptionRow,
        | 'url'
        | 'events'
        | 'lowScore'
        | 'description'
        | 'enabled'
        | 'disabledReason'
        | 'failingSince'
      >
    >,
    now: Date,
  ): Promise<SubscriptionRow | null> {
    const { count } = await this.prisma.webhookSubscription.updateMany({
      where: { id },
      data: { ...data, updatedAt: now },
    });
    return count === 0 ? null : this.findSubscription(id);
  }

  /** Deletes the subscription and, by cascade, its deliveries. */
  async deleteSubscription(id: string): Promise<boolean> {
    const { count } = await this.prisma.webhookSubscription.deleteMany({ where: { id } });
    return count > 0;
  }

  async findDelivery(subscriptionId: string, id: string): Promise<DeliveryRow | null> {
    return this.prisma.outboundDelivery.findFirst({ where: { id, subscriptionId } });
  }

  /** A subscription's deliveries, newest first, after the keyset `after`. */
  async listDeliveries(
    subscriptionId: string,
    status: OutboundDeliveryStatus | undefined,
    limit: number,
    after: { createdAt: Date; id: string } | null,
  ): Promise<DeliveryRow[]> {
    return this.prisma.outboundDelivery.findMany({
      where: {
        subscriptionId,
        ...(status ? { status } : {}),
        ...(after
          ? {
              OR: [
                { createdAt: { lt: after.createdAt } },
                { createdAt: after.createdAt, id: { lt: after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  /** Due again now (a manual retry); its attempts so far stay counted. */
  async requeueDelivery(
    subscriptionId: string,
    id: string,
    now: Date,
  ): Promise<DeliveryRow | null> {
    const { count } = await this.prisma.outboundDelivery.updateMany({
      where: { id, subscriptionId },
      data: { status: 'pending', nextAttemptAt: now },
    });
    return count === 0 ? null : this.findDelivery(subscriptionId, id);
  }

  /**
   * The outbox write, on the caller's transaction: one delivery per event and matching
   * subscription (enabled, asked for the type; for a low score, at or below its threshold for the
   * answer's type), in one statement whatever the number of events.
   */
  async insertOutbox(tx: SqlClient, rows: OutboxRow[], now: Date): Promise<string[]> {
    if (rows.length === 0) return [];
    const { rows: inserted } = await tx.query<{ id: string }>(
      `INSERT INTO outbound_deliveries (subscription_id, event_type, body, next_attempt_at, created_at)
       SELECT s.id, e.type, e.body, $2, $2
       FROM json_to_recordset($1::json)
            AS e(type text, body text, score_type text, score int, subscription_id uuid)
       JOIN webhook_subscriptions s
         ON s.enabled
        AND CASE WHEN e.subscription_id IS NOT NULL THEN s.id = e.subscription_id
                 ELSE s.events ? e.type END
        AND (e.score_type IS NULL OR e.score <= (s.low_score ->> e.score_type)::int)
       RETURNING id::text`,
      [
        JSON.stringify(
          rows.map((r) => ({
            type: r.type,
            body: r.body,
            score_type: r.scoreType,
            score: r.score,
            subscription_id: r.subscriptionId,
          })),
        ),
        now,
      ],
    );
    return inserted.map((r) => r.id);
  }

  /** A delivery for one subscription only (the test ping), on its own. */
  async insertPing(subscriptionId: string, body: string, now: Date): Promise<DeliveryRow | null> {
    const [id] = await this.insertOutbox(
      this.prisma.pool,
      [{ type: 'ping', body, scoreType: null, score: null, subscriptionId }],
      now,
    );
    return id === undefined ? null : this.findDelivery(subscriptionId, id);
  }

  /**
   * Claims up to `limit` due deliveries of enabled subscriptions for one attempt each: the attempt
   * is counted and the row leased until `leaseUntil`, so no other pass or replica sends it while
   * this one does (SKIP LOCKED skips rows another claim holds; the lease, rows it has claimed).
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const { rows } = await this.prisma.pool.query<ClaimedDelivery>(
      `WITH due AS (
         SELECT d.id FROM outbound_deliveries d
         JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.enabled
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1
         ORDER BY d.next_attempt_at
         LIMIT $3
         FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE outbound_deliveries d
       SET next_attempt_at = $2, attempts = d.attempts + 1, last_attempt_at = $1
       FROM due, webhook_subscriptions s
       WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id::text, d.subscription_id::text AS "subscriptionId", d.body, s.url, s.secret,
                 d.attempts, d.created_at AS "createdAt"`,
      [now, leaseUntil, limit],
    );
    return rows;
  }

  /**
   * Records successful attempts, all in one statement: each delivery ends, and so does its
   * subscription's run of failures if one was running. The same as recordAttempt with a success
   * for each, one commit instead of one per delivery (PostgreSQL's commit, not the posts, bounded
   * the deliveries per second).
   */
  async recordSuccesses(
    attempts: readonly { delivery: ClaimedDelivery; outcome: AttemptOutcome; at: Date }[],
  ): Promise<void> {
    if (attempts.length === 0) return;
    await this.prisma.pool.query(
      `WITH delivered AS (
         UPDATE outbound_deliveries d
         SET status = 'succeeded', last_status_code = r.status_code, last_error = NULL,
             last_duration_ms = r.duration_ms, delivered_at = r.at
         FROM json_to_recordset($1::json) AS r(id uuid, status_code int, duration_ms int, at timestamptz)
         WHERE d.id = r.id
         RETURNING d.subscription_id
       )
       UPDATE webhook_subscriptions SET failing_since = NULL
       WHERE id IN (SELECT subscription_id FROM delivered) AND failing_since IS NOT NULL`,
      [
        JSON.stringify(
          attempts.map(({ delivery, outcome, at }) => ({
            id: delivery.id,
            status_code: outcome.statusCode,
            duration_ms: outcome.durationMs,
            at,
          })),
        ),
      ],
    );
  }

  /**
   * Records an attempt's outcome and what it means for the subscription, in one statement: a
   * success ends the delivery and the subscription's run of failures; a failure schedules the next
   * attempt at `retryAt` (or gives up when it is null), starts the subscription's run of failures
   * if none is running, and disables the subscription once that run has lasted `disableAfterMs`.
   */
  async recordAttempt(
    claimed: ClaimedDelivery,
    outcome: AttemptOutcome,
    now: Date,
    retryAt: Date | null,
    disableAfterMs: number,
  ): Promise<void> {
    const succeeded = outcome.error === null;
    await this.prisma.pool.query(
      `WITH delivery AS (
         UPDATE outbound_deliveries
         SET status = CASE WHEN $2 THEN 'succeeded' WHEN $7::timestamptz IS NULL THEN 'failed'
                           ELSE 'pending' END::"OutboundDeliveryStatus",
             next_attempt_at = coalesce($7, next_attempt_at),
             last_status_code = $3, last_error = left($4, 2000), last_duration_ms = $5,
             delivered_at = CASE WHEN $2 THEN $6::timestamptz END
         WHERE id = $1::uuid
       )
       UPDATE webhook_subscriptions
       SET failing_since = CASE WHEN $2 THEN NULL ELSE coalesce(failing_since, $6::timestamptz) END,
           enabled = enabled AND ($2 OR coalesce(failing_since, $6::timestamptz) > $6 - make_interval(secs => $9::float8 / 1000)),
           disabled_reason = CASE
             WHEN enabled AND NOT $2 AND coalesce(failing_since, $6::timestamptz) <= $6 - make_interval(secs => $9::float8 / 1000)
             THEN 'every delivery failed since ' || to_char(coalesce(failing_since, $6::timestamptz) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                  || '; last error: ' || left($4, 500)
             ELSE disabled_reason END
       WHERE id = $8::uuid
         -- Only when something changes: a success ends a run of failures, a failure starts one or
         -- ends in disabling. Otherwise every attempt of a subscription would take its row lock
         -- and wait for the previous attempt's commit: deliveries one commit at a time.
         AND CASE WHEN $2 THEN failing_since IS NOT NULL
                  ELSE failing_since IS NULL
                       OR (enabled AND failing_since <= $6 - make_interval(secs => $9::float8 / 1000)) END`,
      [
        claimed.id,
        succeeded,
        outcome.statusCode,
        outcome.error,
        outcome.durationMs,
        now,
        retryAt,
        claimed.subscriptionId,
        disableAfterMs,
      ],
    );
  }
}
