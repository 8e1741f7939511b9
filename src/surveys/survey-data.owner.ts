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
 * Surveys sent to the customer and their answers. Both rows stay, with the customer's id replaced
 * by `erased`, so that every score, rollup, trend and count answers exactly as before; the answer
 * loses its words: a comment's text becomes '' (still a comment, so comment counts hold) and the
 * payload keeps only the score it carried.
 */
@Injectable()
export class SurveyDataOwner implements CustomerDataOwner {
  readonly erasureOrder = 10;

  readonly exportSections: readonly ExportSection[] = [
    {
      name: 'surveys',
      table: 'surveys',
      key: 't.id',
      keyType: 'uuid',
      where: 't.page_id = $1 AND t.recipient_id = $2',
    },
    {
      name: 'surveyAnswers',
      table: 'survey_answers',
      key: 't.id',
      keyType: 'bigint',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
  ];

  async erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts> {
    const { rows } = await inTransaction(pool, (tx) =>
      tx.query<ErasedCounts>(
        `WITH surveys AS (
           UPDATE surveys SET recipient_id = $3,
             request = CASE WHEN request ? 'recipient' THEN jsonb_set(request, '{recipient}', jsonb_build_object('id', $3::text)) ELSE request END
           WHERE page_id = $1 AND recipient_id = $2 RETURNING 1
         ), answers AS (
           UPDATE survey_answers SET user_id = $3, payload = coalesce(score::text, ''),
             follow_up_text = CASE WHEN follow_up_text IS NULL THEN NULL ELSE '' END
           WHERE page_id = $1 AND user_id = $2 RETURNING 1
         )
         SELECT (SELECT count(*) FROM surveys)::int AS surveys_anonymised,
                (SELECT count(*) FROM answers)::int AS survey_answers_anonymised`,
        [customer.pageId, customer.userId, ERASED_CUSTOMER],
      ),
    );
    return { ...rows[0] };
  }
}
