import { Injectable } from '@nestjs/common';
import { ASYNC_COMMIT } from '../database/async-commit';
import { DatabaseService } from '../database/database.service';
import type { ReactionAction } from '../events/messenger-events';

/** One reaction event as stored: the history keeps every one, by the event's dedupe key. */
export interface ReactionToStore {
  eventKey: string;
  mid: string;
  pageId: string | null;
  userId: string;
  action: ReactionAction;
  reaction: string | null;
  emoji: string | null;
  at: Date;
}

export interface CurrentReactionRow {
  mid: string;
  userId: string;
  reaction: string | null;
  emoji: string | null;
  reactedAt: Date;
}

export interface ReactionHistoryRow {
  userId: string;
  action: ReactionAction;
  reaction: string | null;
  emoji: string | null;
  at: Date;
}

// Prepared once per connection, and committed asynchronously (ASYNC_COMMIT says why).
const RECORD_REACTION = `
  WITH ${ASYNC_COMMIT},
  history AS (
    INSERT INTO reaction_events (event_id, mid, page_id, user_id, action, reaction, emoji, at)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM async_commit
    ON CONFLICT (event_id) DO NOTHING
  )
  INSERT INTO message_reactions AS current (mid, user_id, action, reaction, emoji, reacted_at)
  SELECT $2, $4, $5, $6, $7, $8 FROM async_commit
  ON CONFLICT (mid, user_id) DO UPDATE
    SET action = EXCLUDED.action, reaction = EXCLUDED.reaction, emoji = EXCLUDED.emoji,
        reacted_at = EXCLUDED.reacted_at
    WHERE (EXCLUDED.reacted_at, EXCLUDED.action, coalesce(EXCLUDED.reaction, ''), coalesce(EXCLUDED.emoji, ''))
        > (current.reacted_at, current.action, coalesce(current.reaction, ''), coalesce(current.emoji, ''))`;

/** Reactions by message id: the latest action of each customer, and the full history. */
@Injectable()
export class ReactionRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /**
   * Adds the event to the history (once, whatever the redeliveries) and makes it the customer's
   * current action on the message unless a newer one is already there, so arrival order does not
   * matter. At equal times `unreact` wins (it sorts after `react`), so the outcome is the same
   * whichever of the two was handled first. Neither table needs the message to exist.
   */
  async record(reaction: ReactionToStore): Promise<void> {
    await this.prisma.pool.query({
      name: 'reactions.record',
      text: RECORD_REACTION,
      values: [
        reaction.eventKey,
        reaction.mid,
        reaction.pageId,
        reaction.userId,
        reaction.action,
        reaction.reaction,
        reaction.emoji,
        reaction.at,
      ],
    });
  }

  /** The reactions shown on these messages now (an unreact removes one), oldest first. */
  async findCurrent(mids: string[]): Promise<CurrentReactionRow[]> {
    if (mids.length === 0) return [];
    const { rows } = await this.prisma.pool.query<CurrentReactionRow>(
      `SELECT mid, user_id AS "userId", reaction, emoji, reacted_at AS "reactedAt"
       FROM message_reactions
       WHERE mid = ANY($1::text[]) AND action = 'react'
       ORDER BY mid, reacted_at, user_id`,
      [mids],
    );
    return rows;
  }

  /** Every reaction and unreact on a message, in the order they happened. */
  async findHistory(mid: string): Promise<ReactionHistoryRow[]> {
    const { rows } = await this.prisma.pool.query<ReactionHistoryRow>(
      `SELECT user_id AS "userId", action, reaction, emoji, at
       FROM reaction_events WHERE mid = $1 ORDER BY at, id`,
      [mid],
    );
    return rows;
  }
}
