import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { allOf, SqlParams } from '../database/sql-params';
import type { TimeKey } from './conversation-event.repository';

export interface ConversationRow {
  id: string;
  pageId: string;
  userId: string;
  lastMessageAt: Date;
  lastInboundAt: Date | null;
  messageCount: number;
}

/** Conversations and the Pages they belong to. */
@Injectable()
export class ConversationRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /** When the customer last wrote to the Page (null when never). */
  async findLastInboundAt(pageId: string, userId: string): Promise<Date | null> {
    const conversation = await this.prisma.conversation.findUnique({
      where: { pageId_userId: { pageId, userId } },
      select: { lastInboundAt: true },
    });
    return conversation?.lastInboundAt ?? null;
  }

  async exists(pageId: string, userId: string): Promise<boolean> {
    const { rows } = await this.prisma.pool.query(
      'SELECT 1 FROM conversations WHERE page_id = $1 AND user_id = $2',
      [pageId, userId],
    );
    return rows.length > 0;
  }

  /**
   * Conversations that hold at least one message, newest first, after `before` (keyset on the
   * indexes (page_id, last_message_at DESC, id DESC) and (last_message_at DESC, id DESC)).
   */
  async list(
    pageId: string | null,
    before: TimeKey | null,
    limit: number,
  ): Promise<ConversationRow[]> {
    const params = new SqlParams();
    const where = ['last_message_at IS NOT NULL'];
    if (pageId !== null) where.push(`page_id = ${params.add(pageId)}`);
    if (before !== null) {
      where.push(
        `(last_message_at, id) < (${params.add(before.at)}::timestamptz, ${params.add(before.id)}::bigint)`,
      );
    }
    const { rows } = await this.prisma.pool.query<ConversationRow>(
      `SELECT id::text, page_id AS "pageId", user_id AS "userId", last_message_at AS "lastMessageAt",
              last_inbound_at AS "lastInboundAt", message_count AS "messageCount"
       FROM conversations WHERE ${allOf(where)}
       ORDER BY last_message_at DESC, id DESC
       LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows;
  }

  async listPageIds(): Promise<string[]> {
    const pages = await this.prisma.page.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    return pages.map((page) => page.id);
  }

  /** Known Pages by id, after the id `after`; `limit` rows through the primary key. */
  async listPages(
    after: string | null,
    limit: number,
  ): Promise<{ id: string; firstSeen: Date }[]> {
    return this.prisma.page.findMany({
      where: after === null ? {} : { id: { gt: after } },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }

  async insertPages(pageIds: readonly string[]): Promise<void> {
    await this.prisma.pool.query(
      'INSERT INTO pages (id) SELECT unnest($1::text[]) ON CONFLICT (id) DO NOTHING',
      [pageIds],
    );
  }
}
