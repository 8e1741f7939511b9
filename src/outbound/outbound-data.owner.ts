import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  jsonNeedle,
  type CustomerDataOwner,
  type CustomerRef,
  type ErasedCounts,
  type ExportSection,
} from '../common/customer-data';

/** Rows of the outbox scanned per statement: each one short, the whole pass linear. */
const SCAN_BATCH = 5_000;

/**
 * Outbound webhook bodies that name the customer (survey.*, response_feedback.bad,
 * webhook_event.dead): deleted, sent or not, since the body is the exact signed JSON and cannot be
 * rewritten; a receiver that had not got one yet never will.
 */
@Injectable()
export class OutboundDataOwner implements CustomerDataOwner {
  readonly erasureOrder = 10;
  readonly exportSections: readonly ExportSection[] = [];

  async erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts> {
    let deleted = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const { rows } = await pool.query<{ last: string | null; deleted: number }>(
        `WITH batch AS (SELECT id, body FROM outbound_deliveries WHERE id > $1::uuid ORDER BY id LIMIT $3),
         gone AS (DELETE FROM outbound_deliveries WHERE id IN (SELECT id FROM batch WHERE strpos(body, $2) > 0) RETURNING 1)
         SELECT (SELECT max(id::text) FROM batch) AS last, (SELECT count(*) FROM gone)::int AS deleted`,
        [after, jsonNeedle(customer.userId), SCAN_BATCH],
      );
      deleted += rows[0].deleted;
      if (rows[0].last === null) break;
      after = rows[0].last;
    }
    return { outbound_deliveries: deleted };
  }
}
