import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  ERASED_CUSTOMER,
  type CustomerDataOwner,
  type CustomerRef,
  type ErasedCounts,
  type ExportSection,
} from '../common/customer-data';
import { inTransaction } from '../database/transaction';

/**
 * A rule's decisions about a customer: kept, anonymous, so that a rule's history (how many were
 * sent, skipped, throttled) stays what it was, like the answers of an erased customer.
 */
@Injectable()
export class DecisionDataOwner implements CustomerDataOwner {
  readonly erasureOrder = 20;

  readonly exportSections: readonly ExportSection[] = [
    {
      name: 'surveyDecisions',
      table: 'survey_decisions',
      key: 't.id',
      keyType: 'uuid',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
    {
      name: 'idleWatches',
      table: 'idle_watches',
      key: 't.user_id',
      keyType: 'text',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
  ];

  async erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts> {
    return inTransaction(pool, async (tx) => {
      // A survey scheduled for an erased customer is never sent: cancelled (no reason of the
      // contract's fits; null). Also keeps one scheduled idle decision per rule and "customer".
      await tx.query(
        `UPDATE survey_decisions SET outcome = 'cancelled', reason = NULL, lease_until = NULL
         WHERE page_id = $1 AND user_id = $2 AND outcome = 'scheduled'`,
        [customer.pageId, customer.userId],
      );
      const decisions = await tx.query(
        'UPDATE survey_decisions SET user_id = $3 WHERE page_id = $1 AND user_id = $2',
        [customer.pageId, customer.userId, ERASED_CUSTOMER],
      );
      const watches = await tx.query(
        'DELETE FROM idle_watches WHERE page_id = $1 AND user_id = $2',
        [customer.pageId, customer.userId],
      );
      return {
        'survey_decisions.anonymised': decisions.rowCount ?? 0,
        'idle_watches.deleted': watches.rowCount ?? 0,
      };
    });
  }
}
