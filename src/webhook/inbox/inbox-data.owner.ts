import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  jsonNeedle,
  type CustomerDataOwner,
  type CustomerRef,
  type ErasedCounts,
  type ExportSection,
} from '../../common/customer-data';
import { inTransaction, type SqlClient } from '../../database/transaction';
import { redactDelivery } from './delivery-redaction';

/** The customer's inbox events (or redelivery rows) taken per transaction. */
const BATCH = 5_000;

/**
 * The customer's raw deliveries and inbox events, found through indexes: their processed events by
 * user id (`webhook_events_user_id_idx`) and the others among the backlog by status, each naming
 * the delivery it came in, and the deliveries Meta sent again, whose events were already stored,
 * through `webhook_redeliveries`. Their events are deleted with their dedupe keys: Meta has had its
 * 200, so it does not send them again, and a later delivery of theirs is new and stored as usual.
 * A delivery that also held someone else's events is rewritten without the customer's (its body is
 * then no longer what Meta signed); one with nobody else left is deleted. Events of those
 * deliveries that no parser could attribute to anyone (no user id) go too when they name the
 * customer. Events attributed to other customers are not searched for the customer's id: in
 * Messenger an event is between a Page and one person.
 */
@Injectable()
export class InboxDataOwner implements CustomerDataOwner {
  readonly erasureOrder = 0;

  readonly exportSections: readonly ExportSection[] = [
    {
      name: 'webhookEvents',
      table: 'webhook_events',
      key: 't.id',
      keyType: 'bigint',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
  ];

  async erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts> {
    const needle = jsonNeedle(customer.userId);
    const counts = { webhook_events: 0, webhook_deliveries: 0, webhook_deliveries_rewritten: 0 };
    const events = (statuses: string): string =>
      `DELETE FROM webhook_events WHERE id IN (
         SELECT id FROM webhook_events
         WHERE status IN (${statuses}) AND user_id = $2 AND page_id = $1 LIMIT ${BATCH})
       RETURNING delivery_id::text`;
    const sources: { sql: string; events: boolean }[] = [
      // webhook_events_user_id_idx (processed events only: the intake writes no entry).
      { sql: events(`'processed'`), events: true },
      // The backlog, through the (status, id) index: events not processed yet, or never.
      { sql: events(`'pending', 'failed', 'unknown', 'dead'`), events: true },
      {
        sql: `DELETE FROM webhook_redeliveries WHERE (delivery_id, user_id) IN (
                SELECT delivery_id, user_id FROM webhook_redeliveries
                WHERE user_id = $2 AND page_id = $1 LIMIT ${BATCH})
              RETURNING delivery_id::text`,
        events: false,
      },
    ];
    for (const source of sources) {
      let taken: number;
      do {
        // A batch's rows and the deliveries they name change together: a crash in between
        // cannot leave a raw body whose only index entry is gone.
        taken = await inTransaction(pool, async (tx) => {
          const { rows } = await tx.query<{ delivery_id: string }>(source.sql, [
            customer.pageId,
            customer.userId,
          ]);
          if (source.events) counts.webhook_events += rows.length;
          const deliveries = [...new Set(rows.map((row) => row.delivery_id))];
          if (deliveries.length > 0) {
            const { rowCount } = await tx.query(
              `DELETE FROM webhook_events
               WHERE user_id IS NULL AND delivery_id = ANY($1::bigint[]) AND strpos(payload::text, $2) > 0`,
              [deliveries, needle],
            );
            counts.webhook_events += rowCount ?? 0;
            const redacted = await redactDeliveries(tx, deliveries, needle);
            counts.webhook_deliveries += redacted.gone;
            counts.webhook_deliveries_rewritten += redacted.rewritten;
          }
          return rows.length;
        });
      } while (taken === BATCH);
    }
    return counts;
  }
}

/** Deliveries `ids` without the events naming `needle`: two statements, however many there are. */
async function redactDeliveries(
  tx: SqlClient,
  ids: string[],
  needle: string,
): Promise<{ gone: number; rewritten: number }> {
  const { rows } = await tx.query<{ id: string; body: string }>(
    `SELECT id::text, body FROM webhook_deliveries
     WHERE id = ANY($1::bigint[]) AND strpos(body, $2) > 0
     FOR UPDATE`,
    [ids, needle],
  );
  const gone: string[] = [];
  const rewritten: { id: string; body: string; event_count: number }[] = [];
  for (const row of rows) {
    const redacted = redactDelivery(row.body, needle);
    if (redacted === null) gone.push(row.id);
    else rewritten.push({ id: row.id, body: redacted.body, event_count: redacted.eventCount });
  }
  if (gone.length > 0) {
    await tx.query('DELETE FROM webhook_deliveries WHERE id = ANY($1::bigint[])', [gone]);
  }
  if (rewritten.length > 0) {
    await tx.query(
      `UPDATE webhook_deliveries d SET body = r.body, event_count = r.event_count
       FROM json_to_recordset($1::json) AS r(id bigint, body text, event_count int)
       WHERE d.id = r.id`,
      [JSON.stringify(rewritten)],
    );
  }
  return { gone: gone.length, rewritten: rewritten.length };
}
