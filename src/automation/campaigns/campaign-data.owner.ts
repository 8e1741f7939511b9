import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type {
  CustomerDataOwner,
  CustomerRef,
  ErasedCounts,
  ExportSection,
} from '../../common/customer-data';
import { inTransaction } from '../../database/transaction';

/**
 * A campaign's targets name customers: an erased customer's rows are deleted (the campaign's counts
 * stay; one not yet surveyed is counted skipped, and is not surveyed).
 */
@Injectable()
export class CampaignDataOwner implements CustomerDataOwner {
  readonly erasureOrder = 20;

  readonly exportSections: readonly ExportSection[] = [
    {
      name: 'surveyCampaignTargets',
      table: 'survey_campaign_targets',
      key: 't.campaign_id',
      keyType: 'uuid',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
  ];

  async erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts> {
    const deleted = await inTransaction(pool, async (tx) => {
      // The campaigns first, as the runner locks them (campaign, then target): no deadlock.
      await tx.query(
        `SELECT 1 FROM survey_campaigns WHERE id IN (
           SELECT campaign_id FROM survey_campaign_targets WHERE page_id = $1 AND user_id = $2)
         ORDER BY id FOR UPDATE`,
        [customer.pageId, customer.userId],
      );
      const { rows } = await tx.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM survey_campaign_targets WHERE page_id = $1 AND user_id = $2
           RETURNING campaign_id, state),
         counted AS (
           UPDATE survey_campaigns c SET skipped = c.skipped + 1
           FROM gone WHERE c.id = gone.campaign_id AND gone.state IN ('pending', 'sending'))
         SELECT count(*)::int AS n FROM gone`,
        [customer.pageId, customer.userId],
      );
      return rows[0].n;
    });
    return { survey_campaign_targets: deleted };
  }
}
