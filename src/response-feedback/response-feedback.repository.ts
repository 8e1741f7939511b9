import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { ResponseFeedbackValue } from '../events/messenger-events';
import { allOf, SqlParams } from '../database/sql-params';
import { inTransaction, type SqlClient } from '../database/transaction';

export interface ResponseFeedbackToStore {
  pageId: string;
  userId: string;
  mid: string;
  feedback: ResponseFeedbackValue;
  /** The webhook event's dedupe key; breaks ties between feedback given at the same instant. */
  eventKey: string;
  occurredAt: Date;
}

export interface ResponseFeedbackCounts {
  good: number;
  bad: number;
}

/** The latest "Good response" / "Bad response" of each customer on each of the Page's messages. */
@Injectable()
export class ResponseFeedbackRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /**
   * Keeps the latest feedback whatever order events arrive in: an older one never overwrites a
   * newer one, and the same event written twice changes nothing. `then` runs on the same
   * transaction when the feedback became the latest (not for an older or repeated event).
   */
  async upsert(
    feedback: ResponseFeedbackToStore,
    then?: (tx: SqlClient) => Promise<void>,
  ): Promise<void> {
    await inTransaction(this.prisma.pool, async (tx) => {
      const { rowCount } = await this.upsertOn(tx, feedback);
      if ((rowCount ?? 0) > 0) await then?.(tx);
    });
  }

  private upsertOn(client: SqlClient, feedback: ResponseFeedbackToStore) {
    return client.query(
      `INSERT INTO response_feedback AS r (page_id, user_id, mid, feedback, event_id, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (page_id, user_id, mid) DO UPDATE
       SET feedback = EXCLUDED.feedback, event_id = EXCLUDED.event_id, occurred_at = EXCLUDED.occurred_at
       WHERE (r.occurred_at, r.event_id) < (EXCLUDED.occurred_at, EXCLUDED.event_id)`,
      [
        feedback.pageId,
        feedback.userId,
        feedback.mid,
        feedback.feedback,
        feedback.eventKey,
        feedback.occurredAt,
      ],
    );
  }

  /** Counts by the time of the latest feedback, `from` ≤ occurredAt < `to`. */
  async count(
    pageId: string | undefined,
    from: Date | null,
    to: Date | null,
  ): Promise<ResponseFeedbackCounts> {
    const params = new SqlParams();
    const where: string[] = [];
    if (pageId !== undefined) where.push(`page_id = ${params.add(pageId)}`);
    if (from !== null) where.push(`occurred_at >= ${params.add(from)}`);
    if (to !== null) where.push(`occurred_at < ${params.add(to)}`);
    const { rows } = await this.prisma.pool.query<{ good: string; bad: string }>(
      `SELECT count(*) FILTER (WHERE feedback = 'good')::text AS good,
              count(*) FILTER (WHERE feedback = 'bad')::text AS bad
       FROM response_feedback WHERE ${allOf(where)}`,
      params.values,
    );
    return { good: Number(rows[0].good), bad: Number(rows[0].bad) };
  }

  /** The customer's current feedback on each of `mids` that has one. */
  async findForMessages(
    pageId: string,
    userId: string,
    mids: readonly string[],
  ): Promise<Map<string, ResponseFeedbackValue>> {
    if (mids.length === 0) return new Map();
    const { rows } = await this.prisma.pool.query<{ mid: string; feedback: ResponseFeedbackValue }>(
      `SELECT mid, feedback FROM response_feedback
       WHERE page_id = $1 AND user_id = $2 AND mid = ANY($3::text[])`,
      [pageId, userId, mids],
    );
    return new Map(rows.map((row) => [row.mid, row.feedback]));
  }
}
