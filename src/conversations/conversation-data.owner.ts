import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type {
  CustomerDataOwner,
  CustomerRef,
  ErasedCounts,
  ExportSection,
} from '../common/customer-data';
import { inTransaction } from '../database/transaction';

/**
 * The conversation with a customer: its row, every message of it in both directions (the Page's
 * replies name the customer as recipient and often quote them), their edits and receipts, and the
 * conversation events. Messages of other customers that reply to an erased message stay as they
 * are (they are the other customer's words); their `reply_to_mid` then points at nothing, as a
 * reply that arrived before its message does.
 */
@Injectable()
export class ConversationDataOwner implements CustomerDataOwner {
  readonly erasureOrder = 10;

  readonly exportSections: readonly ExportSection[] = [
    {
      name: 'conversation',
      table: 'conversations',
      key: 't.id',
      keyType: 'bigint',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
    {
      name: 'messages',
      table: 'messages',
      key: 't.mid',
      keyType: 'text',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
    {
      name: 'messageEdits',
      table: 'message_edits',
      key: 't.id',
      keyType: 'bigint',
      where:
        '(t.page_id = $1 AND t.user_id = $2) OR t.mid IN (SELECT mid FROM messages WHERE page_id = $1 AND user_id = $2)',
    },
    {
      name: 'messageReceipts',
      table: 'message_receipts',
      key: "t.mid || ' ' || t.kind",
      keyType: 'text',
      where: 't.mid IN (SELECT mid FROM messages WHERE page_id = $1 AND user_id = $2)',
    },
    {
      name: 'conversationEvents',
      table: 'conversation_events',
      key: 't.id',
      keyType: 'bigint',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
  ];

  async erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts> {
    // One statement: the receipts are found through the messages it deletes, the edits through
    // them and through their own customer (an edit of a message never stored has only that).
    const { rows } = await inTransaction(pool, (tx) =>
      tx.query<Record<string, string>>(
        `WITH mids AS (SELECT mid FROM messages WHERE page_id = $1 AND user_id = $2),
         edits AS (
           DELETE FROM message_edits
           WHERE (page_id = $1 AND user_id = $2) OR mid IN (SELECT mid FROM mids) RETURNING 1
         ),
         receipts AS (DELETE FROM message_receipts WHERE mid IN (SELECT mid FROM mids) RETURNING 1),
         messages AS (DELETE FROM messages WHERE page_id = $1 AND user_id = $2 RETURNING 1),
         events AS (DELETE FROM conversation_events WHERE page_id = $1 AND user_id = $2 RETURNING 1),
         conversations AS (DELETE FROM conversations WHERE page_id = $1 AND user_id = $2 RETURNING 1)
         SELECT (SELECT count(*) FROM messages)::int AS messages,
                (SELECT count(*) FROM edits)::int AS message_edits,
                (SELECT count(*) FROM receipts)::int AS message_receipts,
                (SELECT count(*) FROM events)::int AS conversation_events,
                (SELECT count(*) FROM conversations)::int AS conversations`,
        [customer.pageId, customer.userId],
      ),
    );
    return numbers(rows[0]);
  }
}

export const numbers = (row: Record<string, string | number> | undefined): ErasedCounts =>
  Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
