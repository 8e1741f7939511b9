import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  jsonNeedle,
  type CustomerDataOwner,
  type CustomerRef,
  type ErasedCounts,
  type ExportSection,
} from '../../common/customer-data';
import { inTransaction } from '../../database/transaction';
import { redactDelivery } from './delivery-redaction';

/**
 * Ids of the raw tables walked per statement. Neither table has an index that finds a customer
 * (one would slow every delivery to serve a rare erasure), so an erasure walks them by id range:
 * each statement short, the whole walk linear in what retention keeps (RAW_RETENTION_DAYS).
 */
const ID_RANGE = 20_000;

/**
 * The customer's raw deliveries and inbox events. Events naming them (their own, and any other
 * event whose payload holds their id) are deleted with their dedupe keys: Meta has had its 200, so
 * it does not send them again, and a later delivery of theirs is new and stored as usual. A
 * delivery that also held someone else's events is rewritten without the customer's (its body is
 * then no longer what Meta signed); one with nobody else left is deleted.
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
    const top = await pool.query<{ events: string | null; deliveries: string | null }>(
      `SELECT (SELECT max(id) FROM webhook_events)::text AS events,
              (SELECT max(id) FROM webhook_deliveries)::text AS deliveries`,
    );
    const maxEvent = BigInt(top.rows[0].events ?? '0');
    for (let low = 0n; low < maxEvent; low += BigInt(ID_RANGE)) {
      const { rowCount } = await pool.query(
        `DELETE FROM webhook_events
         WHERE id > $1::bigint AND id <= $1::bigint + $2
           AND ((page_id = $3 AND user_id = $4) OR strpos(payload::text, $5) > 0)`,
        [low.toString(), ID_RANGE, customer.pageId, customer.userId, needle],
      );
      counts.webhook_events += rowCount ?? 0;
    }
    const maxDelivery = BigInt(top.rows[0].deliveries ?? '0');
    for (let low = 0n; low < maxDelivery; low += BigInt(ID_RANGE)) {
      await inTransaction(pool, async (tx) => {
        const { rows } = await tx.query<{ id: string; body: string }>(
          `SELECT id::text, body FROM webhook_deliveries
           WHERE id > $1::bigint AND id <= $1::bigint + $2 AND strpos(body, $3) > 0
           FOR UPDATE`,
          [low.toString(), ID_RANGE, needle],
        );
        const gone: string[] = [];
        const rewritten: { id: string; body: string; event_count: number }[] = [];
        for (const row of rows) {
          const redacted = redactDelivery(row.body, needle);
          if (redacted === null) gone.push(row.id);
          else
            rewritten.push({ id: row.id, body: redacted.body, event_count: redacted.eventCount });
        }
        // Two statements a range, however many deliveries in it name the customer.
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
        counts.webhook_deliveries += gone.length;
        counts.webhook_deliveries_rewritten += rewritten.length;
      });
    }
    return counts;
  }
}
