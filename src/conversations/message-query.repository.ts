import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { allOf, SqlParams } from '../database/sql-params';
import type { MessageAttachment } from '../events/messenger-events';
import type { MessageDirection } from './message-row';

export interface MessageEditRow {
  text: string | null;
  numEdit: number;
  /** Epoch milliseconds. */
  editedAt: number;
}

export interface MessageViewRow {
  mid: string;
  pageId: string;
  userId: string;
  direction: MessageDirection;
  sentAt: Date;
  text: string | null;
  quickReplyPayload: string | null;
  replyTo: string | null;
  attachments: MessageAttachment[];
  referral: Record<string, unknown> | null;
  edits: MessageEditRow[] | null;
  deliveredAt: Date | null;
  readAt: Date | null;
}

/** A position in a conversation: messages are ordered by (sent_at, mid). */
export interface MessageKey {
  sentAt: Date;
  mid: string;
}

/**
 * One message as the API shows it, everything but reactions (the reactions module's). Receipts
 * naming the mid and the read time also count as delivered (a read message was delivered);
 * the customer's response feedback comes from the response-feedback module's service.
 */
const MESSAGE_VIEW = `
  SELECT m.mid, m.page_id AS "pageId", m.user_id AS "userId", m.direction, m.sent_at AS "sentAt",
         m.text, m.quick_reply_payload AS "quickReplyPayload", m.reply_to_mid AS "replyTo",
         m.attachments, m.referral,
         (SELECT json_agg(json_build_object('text', e.text, 'numEdit', e.num_edit,
                   'editedAt', floor(extract(epoch FROM e.edited_at) * 1000)) ORDER BY e.num_edit)
          FROM message_edits e WHERE e.mid = m.mid) AS edits,
         CASE WHEN m.direction = 'outbound' THEN LEAST(m.delivered_at, m.read_at,
           (SELECT r.at FROM message_receipts r WHERE r.mid = m.mid AND r.kind = 'delivery')) END
           AS "deliveredAt",
         CASE WHEN m.direction = 'outbound' THEN m.read_at END AS "readAt"
  FROM messages m`;

@Injectable()
export class MessageQueryRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /** A conversation's messages oldest first, after `after` (keyset on (sent_at, mid)). */
  async listByConversation(
    pageId: string,
    userId: string,
    after: MessageKey | null,
    limit: number,
  ): Promise<MessageViewRow[]> {
    const params = new SqlParams();
    const where = [`m.page_id = ${params.add(pageId)}`, `m.user_id = ${params.add(userId)}`];
    if (after !== null) {
      where.push(
        `(m.sent_at, m.mid) > (${params.add(after.sentAt)}::timestamptz, ${params.add(after.mid)}::text)`,
      );
    }
    const { rows } = await this.prisma.pool.query<MessageViewRow>(
      `${MESSAGE_VIEW}
       WHERE ${allOf(where)}
       ORDER BY m.sent_at, m.mid
       LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows;
  }

  async findByMid(mid: string): Promise<MessageViewRow | null> {
    const { rows } = await this.prisma.pool.query<MessageViewRow>(
      `${MESSAGE_VIEW} WHERE m.mid = $1`,
      [mid],
    );
    return rows[0] ?? null;
  }

  /** The mids of the messages that reply to `mid`, in conversation order. */
  async findReplyMids(mid: string): Promise<string[]> {
    const { rows } = await this.prisma.pool.query<{ mid: string }>(
      'SELECT mid FROM messages WHERE reply_to_mid = $1 ORDER BY sent_at, mid',
      [mid],
    );
    return rows.map((row) => row.mid);
  }
}
