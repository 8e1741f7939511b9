import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type {
  CustomerDataOwner,
  CustomerRef,
  ErasedCounts,
  ExportSection,
} from '../common/customer-data';
import { inTransaction } from '../database/transaction';

/** The customer's reactions (a PSID is scoped to one Page, so the user id alone names them). */
@Injectable()
export class ReactionDataOwner implements CustomerDataOwner {
  readonly erasureOrder = 10;

  readonly exportSections: readonly ExportSection[] = [
    {
      name: 'reactions',
      table: 'message_reactions',
      key: 't.mid',
      keyType: 'text',
      where: 't.user_id = $2 AND $1::text IS NOT NULL',
    },
    {
      name: 'reactionEvents',
      table: 'reaction_events',
      key: 't.id',
      keyType: 'bigint',
      where: 't.user_id = $2 AND (t.page_id = $1 OR t.page_id IS NULL)',
    },
  ];

  async erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts> {
    const { rows } = await inTransaction(pool, (tx) =>
      tx.query<{ message_reactions: number; reaction_events: number }>(
        `WITH latest AS (DELETE FROM message_reactions WHERE user_id = $2 RETURNING 1),
         events AS (DELETE FROM reaction_events WHERE user_id = $2 AND (page_id = $1 OR page_id IS NULL) RETURNING 1)
         SELECT (SELECT count(*) FROM latest)::int AS message_reactions,
                (SELECT count(*) FROM events)::int AS reaction_events`,
        [customer.pageId, customer.userId],
      ),
    );
    return { ...rows[0] };
  }
}
