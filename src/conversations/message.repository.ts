import { Injectable } from '@nestjs/common';
import { ASYNC_COMMIT } from '../database/async-commit';
import { DatabaseService } from '../database/database.service';
import type { MessageRow } from './message-row';

export type ReceiptKind = 'delivery' | 'read';

/** Per receipt kind, the watermark column of the conversation and the time column of a message. */
const RECEIPT_COLUMNS: Record<ReceiptKind, { watermark: string; at: string }> = {
  delivery: { watermark: 'delivered_watermark', at: 'delivered_at' },
  read: { watermark: 'read_watermark', at: 'read_at' },
};

// Handler statements are named (prepared once per connection): they run for every event, and
// parsing and planning these CTEs each time would cost more than running them.
// They also commit asynchronously (ASYNC_COMMIT, database/async-commit.ts says why).

const INSERT_MESSAGE = `
  WITH ${ASYNC_COMMIT}, stored AS (
    INSERT INTO messages (mid, page_id, user_id, direction, sent_at, text, helper_text,
                          quick_reply_payload, reply_to_mid, attachments, referral, cart, app_id,
                          metadata, delivered_at, read_at)
    SELECT $1, $2, $3, $4::"MessageDirection", $5::timestamptz, $6, $7, $8, $9, $10::jsonb,
           $11::jsonb, $12::jsonb, $13, $14,
           CASE WHEN $4::"MessageDirection" = 'outbound' AND c.delivered_watermark >= $5::timestamptz
                THEN c.delivered_watermark END,
           CASE WHEN $4::"MessageDirection" = 'outbound' AND c.read_watermark >= $5::timestamptz
                THEN c.read_watermark END
    FROM async_commit
    LEFT JOIN conversations c ON c.page_id = $2 AND c.user_id = $3
    ON CONFLICT (mid) DO NOTHING
    RETURNING sent_at, direction, delivered_at, read_at
  ), counted AS (
    INSERT INTO conversations AS c (page_id, user_id, last_message_at, last_inbound_at, message_count)
    SELECT $2, $3, sent_at, CASE WHEN direction = 'inbound' THEN sent_at END, 1 FROM stored
    ON CONFLICT (page_id, user_id) DO UPDATE
      SET message_count = c.message_count + 1,
          last_message_at = GREATEST(c.last_message_at, EXCLUDED.last_message_at),
          last_inbound_at = GREATEST(c.last_inbound_at, EXCLUDED.last_inbound_at)
    RETURNING c.delivered_watermark, c.read_watermark
  )
  SELECT stored.direction = 'outbound'
         AND ((stored.delivered_at IS NULL AND counted.delivered_watermark >= stored.sent_at)
           OR (stored.read_at IS NULL AND counted.read_watermark >= stored.sent_at)) AS "missedReceipt"
  FROM stored CROSS JOIN counted`;

const APPLY_WATERMARKS = `
  WITH ${ASYNC_COMMIT}
  UPDATE messages m
  SET delivered_at = coalesce(m.delivered_at,
        CASE WHEN c.delivered_watermark >= m.sent_at THEN c.delivered_watermark END),
      read_at = coalesce(m.read_at, CASE WHEN c.read_watermark >= m.sent_at THEN c.read_watermark END)
  FROM conversations c, async_commit
  WHERE m.mid = $1 AND m.direction = 'outbound' AND c.page_id = m.page_id AND c.user_id = m.user_id
    AND ((m.delivered_at IS NULL AND c.delivered_watermark >= m.sent_at)
      OR (m.read_at IS NULL AND c.read_watermark >= m.sent_at))`;

const INSERT_EDIT = `
  WITH ${ASYNC_COMMIT}
  INSERT INTO message_edits (mid, num_edit, text, edited_at, page_id, user_id)
  SELECT $1, $2, $3, $4, $5, $6 FROM async_commit
  ON CONFLICT (mid, num_edit) DO NOTHING`;

/** Page messages of the conversation in (lower, watermark] not yet marked this early: marked. */
function markStatement(kind: ReceiptKind, lower: string): string {
  const { at } = RECEIPT_COLUMNS[kind];
  return `UPDATE messages SET ${at} = $4 FROM async_commit
    WHERE page_id = $1 AND user_id = $2 AND direction = 'outbound'
      AND sent_at > ${lower} AND sent_at <= $3 AND (${at} IS NULL OR ${at} > $4)`;
}

/**
 * One statement per receipt: raise the watermark (which locks the conversation row), store the
 * delivery mids, mark the Page messages newly covered. Everything else waits on `raised`, so the
 * row lock always comes first (no deadlock between two receipts of a conversation). `stale` tells
 * that a message was counted in the conversation between this statement's snapshot and its lock:
 * it may be invisible to the marking, which is then run again.
 */
function receiptStatement(kind: ReceiptKind): string {
  const { watermark } = RECEIPT_COLUMNS[kind];
  const receipts =
    kind === 'delivery'
      ? `, receipts AS (
           INSERT INTO message_receipts (mid, kind, at)
           SELECT DISTINCT m.mid, 'delivery', $4::timestamptz FROM raised, unnest($5::text[]) AS m (mid)
           ON CONFLICT (mid, kind) DO UPDATE SET at = LEAST(message_receipts.at, EXCLUDED.at)
         )`
      : '';
  return `
    WITH ${ASYNC_COMMIT}, seen AS (
      SELECT ${watermark} AS previous, message_count FROM conversations WHERE page_id = $1 AND user_id = $2
    ), raised AS (
      INSERT INTO conversations AS c (page_id, user_id, ${watermark}) SELECT $1, $2, $3 FROM async_commit
      ON CONFLICT (page_id, user_id) DO UPDATE
        SET ${watermark} = GREATEST(c.${watermark}, EXCLUDED.${watermark})
      RETURNING c.message_count,
        -- Scan above the previous watermark when this one raises it; else (an older receipt
        -- handled late, a retry) the whole range, so that an earlier time still wins.
        coalesce((SELECT CASE WHEN previous < $3 THEN previous END FROM seen), '-infinity') AS lower
    )${receipts}, marked AS (
      ${markStatement(kind, '(SELECT lower FROM raised)')}
      RETURNING 1
    )
    SELECT (SELECT message_count FROM raised) <> coalesce((SELECT message_count FROM seen), 0) AS stale,
           (SELECT lower FROM raised)::text AS lower,
           (SELECT count(*) FROM marked)::int AS marked`;
}

const RECEIPT = { delivery: receiptStatement('delivery'), read: receiptStatement('read') };
const REMARK = {
  delivery: `WITH ${ASYNC_COMMIT} ${markStatement('delivery', '$5::timestamptz')}`,
  read: `WITH ${ASYNC_COMMIT} ${markStatement('read', '$5::timestamptz')}`,
};

/**
 * Writes of messages, their edits and receipts, and the conversation counters they move: one
 * statement each (rarely a second, see below), idempotent by their keys.
 *
 * A message and a receipt covering it, handled at the same moment, can each miss the other (both
 * are single statements whose snapshot predates the other's commit). Both update the conversation
 * row, which serialises them: a message insert reads the watermarks back from that row (RETURNING
 * shows the latest, locked version) and marks itself if a watermark covers it; a receipt sees that
 * the row's message count moved since its snapshot and marks again with a fresh one.
 */
@Injectable()
export class MessageRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /**
   * Stores a message once (by mid) and counts it in its conversation. A Page message already
   * covered by a delivery or read watermark is stored as delivered / read at that watermark.
   * Returns false when the mid was already stored.
   */
  async insert(row: MessageRow): Promise<boolean> {
    const { rows } = await this.prisma.pool.query<{ missedReceipt: boolean }>({
      name: 'conversations.insert-message',
      text: INSERT_MESSAGE,
      values: [
        row.mid,
        row.pageId,
        row.userId,
        row.direction,
        row.sentAt,
        row.text,
        row.helperText,
        row.quickReplyPayload,
        row.replyToMid,
        JSON.stringify(row.attachments),
        row.referral === null ? null : JSON.stringify(row.referral),
        row.cart === null ? null : JSON.stringify(row.cart),
        row.appId,
        row.metadata,
      ],
    });
    const inserted = rows.length > 0;
    // A watermark committed while this insert was in flight; also re-checked on a redelivery, in
    // case the process died between the insert and this repair.
    if (!inserted || rows[0].missedReceipt) {
      await this.prisma.pool.query({
        name: 'conversations.apply-watermarks',
        text: APPLY_WATERMARKS,
        values: [row.mid],
      });
    }
    return inserted;
  }

  /**
   * Keeps an edit by (mid, num_edit), whether or not the message is stored yet, with the customer
   * who made it: what erasing them finds when the message never arrives.
   */
  async insertEdit(
    mid: string,
    numEdit: number,
    text: string | null,
    editedAt: Date,
    customer: { pageId: string | null; userId: string | null },
  ): Promise<void> {
    await this.prisma.pool.query({
      name: 'conversations.insert-edit',
      text: INSERT_EDIT,
      values: [mid, numEdit, text, editedAt, customer.pageId, customer.userId],
    });
  }

  /**
   * A delivery or read: raises the conversation's watermark and marks the Page messages it covers
   * with `at` (the earliest known time wins). Messages at or below the previous watermark were
   * marked when it was raised (or when they were stored), so only the range above it is scanned.
   * Delivery `mids` are kept as receipts, shown on those messages whenever they arrive.
   */
  async recordReceipt(
    kind: ReceiptKind,
    conversation: { pageId: string; userId: string },
    watermark: Date,
    at: Date,
    mids: readonly string[] = [],
  ): Promise<void> {
    const { pageId, userId } = conversation;
    const { rows } = await this.prisma.pool.query<{ stale: boolean; lower: string }>({
      name: `conversations.record-${kind}`,
      text: RECEIPT[kind],
      values:
        kind === 'delivery'
          ? [pageId, userId, watermark, at, mids]
          : [pageId, userId, watermark, at],
    });
    if (rows[0].stale) {
      await this.prisma.pool.query({
        name: `conversations.remark-${kind}`,
        text: REMARK[kind],
        values: [pageId, userId, watermark, at, rows[0].lower],
      });
    }
  }
}
