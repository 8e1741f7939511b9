import { Injectable } from '@nestjs/common';
import { ASYNC_COMMIT } from '../database/async-commit';
import { DatabaseService } from '../database/database.service';
import { allOf, SqlParams } from '../database/sql-params';

export interface ConversationEventToStore {
  /** The webhook event's dedupe key. */
  eventKey: string;
  pageId: string | null;
  /** Null for events about the Page rather than one customer (policy enforcement, app roles). */
  userId: string | null;
  kind: string;
  occurredAt: Date;
  data: unknown;
}

export interface ConversationEventRow {
  id: string;
  pageId: string | null;
  userId: string | null;
  kind: string;
  occurredAt: Date;
  data: unknown;
}

/** A position in a list ordered by time then id. */
export interface TimeKey {
  at: Date;
  id: string;
}

const COLUMNS = `id::text, page_id AS "pageId", user_id AS "userId", kind, occurred_at AS "occurredAt", data`;

/** Postbacks, referrals, optins, account linking, handovers, policy enforcement, game plays, carts. */
@Injectable()
export class ConversationEventRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /**
   * Stores the event once, and opens the customer's conversation if it had none yet (committed
   * asynchronously, like every handler write: see database/async-commit.ts).
   */
  async insert(event: ConversationEventToStore): Promise<void> {
    await this.prisma.pool.query({
      name: 'conversations.insert-event',
      text: `WITH ${ASYNC_COMMIT}, conversation AS (
          INSERT INTO conversations (page_id, user_id)
          SELECT $2, $3 FROM async_commit WHERE $2::text IS NOT NULL AND $3::text IS NOT NULL
          ON CONFLICT (page_id, user_id) DO NOTHING
        )
        INSERT INTO conversation_events (event_id, page_id, user_id, kind, occurred_at, data)
        SELECT $1, $2, $3, $4, $5, $6::jsonb FROM async_commit
        ON CONFLICT (event_id) DO NOTHING`,
      values: [
        event.eventKey,
        event.pageId,
        event.userId,
        event.kind,
        event.occurredAt,
        JSON.stringify(event.data),
      ],
    });
  }

  /**
   * Events of one conversation, or of the Page itself when `userId` is null, oldest first after
   * `after` (keyset on the index (page_id, user_id, occurred_at, id)).
   */
  async list(
    pageId: string,
    userId: string | null,
    after: TimeKey | null,
    limit: number,
  ): Promise<ConversationEventRow[]> {
    const params = new SqlParams();
    const where = [
      `page_id = ${params.add(pageId)}`,
      userId === null ? 'user_id IS NULL' : `user_id = ${params.add(userId)}`,
    ];
    if (after !== null) {
      where.push(
        `(occurred_at, id) > (${params.add(after.at)}::timestamptz, ${params.add(after.id)}::bigint)`,
      );
    }
    const { rows } = await this.prisma.pool.query<ConversationEventRow>(
      `SELECT ${COLUMNS} FROM conversation_events
       WHERE ${allOf(where)}
       ORDER BY occurred_at, id
       LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows;
  }
}
