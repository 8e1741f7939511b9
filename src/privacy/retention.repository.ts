import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { inTransaction } from '../database/transaction';

/** One advisory lock for the whole job: a batch on one replica, none on the others meanwhile. */
const RETENTION_LOCK = 7_311_001;

/** A table (or column) retention empties, with the time its rows are judged by. */
export interface RetentionTarget {
  readonly name: string;
  /** One batch: deletes (or blanks) at most $2 rows older than $1, below id $3 where given. */
  readonly sql: string;
  /**
   * The first id at or after the cutoff, found once per pass: batches then walk an index range.
   * Ids follow `received_at` (both are given at insert) up to the few milliseconds by which
   * concurrent transactions can interleave: an old row beyond the boundary is kept until the next
   * pass, and a batch still deletes only rows older than the cutoff, so nothing new goes.
   */
  readonly boundarySql?: string;
}

const rawDeliveries = (): RetentionTarget => ({
  name: 'webhook_deliveries',
  boundarySql:
    'SELECT id::text FROM webhook_deliveries WHERE received_at >= $1 ORDER BY id LIMIT 1',
  sql: `DELETE FROM webhook_deliveries WHERE id IN (
          SELECT id FROM webhook_deliveries WHERE ($3::bigint IS NULL OR id < $3::bigint) AND received_at < $1
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
});

const events = (name: string, statuses: string): RetentionTarget => ({
  name,
  boundarySql: 'SELECT id::text FROM webhook_events WHERE received_at >= $1 ORDER BY id LIMIT 1',
  // The (status, id) index: one range scan a status.
  sql: `DELETE FROM webhook_events WHERE id IN (
          SELECT id FROM webhook_events
          WHERE status IN (${statuses}) AND ($3::bigint IS NULL OR id < $3::bigint) AND received_at < $1
          ORDER BY status, id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
});

/** A table with no index on its time: a batch is a sequential scan until it has $2 rows. */
const content = (table: string, column: string): RetentionTarget => ({
  name: table,
  sql: `DELETE FROM ${table} WHERE ctid IN (
          SELECT ctid FROM ${table} WHERE ${column} < $1 AND $3::bigint IS NULL LIMIT $2 FOR UPDATE SKIP LOCKED)`,
});

export const RAW_TARGETS = {
  deliveries: rawDeliveries(),
  // Who a redelivered body names: kept as long as the body (a few rows: Meta rarely sends again).
  redeliveries: content('webhook_redeliveries', 'received_at'),
  processedEvents: events('webhook_events', `'processed'`),
  unhandledEvents: events('webhook_events_unhandled', `'unknown', 'failed', 'dead'`),
};

export const CONTENT_TARGETS: readonly RetentionTarget[] = [
  content('messages', 'sent_at'),
  content('message_edits', 'edited_at'),
  content('message_receipts', 'at'),
  content('message_reactions', 'reacted_at'),
  content('reaction_events', 'at'),
  content('conversation_events', 'occurred_at'),
  {
    // The comment's words go, the answer and that it had a comment stay (comment counts hold).
    name: 'survey_answers_comments',
    sql: `UPDATE survey_answers SET follow_up_text = '' WHERE ctid IN (
            SELECT ctid FROM survey_answers WHERE submitted_at < $1 AND follow_up_text <> '' AND $3::bigint IS NULL
            LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  },
];

@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: DatabaseService) {}

  async boundary(target: RetentionTarget, cutoff: Date): Promise<string | null> {
    if (!target.boundarySql) return null;
    const { rows } = await this.prisma.pool.query<{ id: string }>(target.boundarySql, [cutoff]);
    return rows[0]?.id ?? null;
  }

  /**
   * One batch in its own short transaction, under the job's advisory lock: null when another
   * replica holds it (it is pruning now; this one leaves it the work), else the rows affected.
   */
  async batch(
    target: RetentionTarget,
    cutoff: Date,
    limit: number,
    below: string | null,
  ): Promise<number | null> {
    return inTransaction(this.prisma.pool, async (tx) => {
      const { rows } = await tx.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1) AS locked',
        [RETENTION_LOCK],
      );
      if (!rows[0].locked) return null;
      const { rowCount } = await tx.query(target.sql, [cutoff, limit, below]);
      return rowCount ?? 0;
    });
  }
}
