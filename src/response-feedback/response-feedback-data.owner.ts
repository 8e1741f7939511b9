import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type {
  CustomerDataOwner,
  CustomerRef,
  ErasedCounts,
  ExportSection,
} from '../common/customer-data';

/** The customer's "Good response" / "Bad response" on the Page's messages. */
@Injectable()
export class ResponseFeedbackDataOwner implements CustomerDataOwner {
  readonly erasureOrder = 10;

  readonly exportSections: readonly ExportSection[] = [
    {
      name: 'responseFeedback',
      table: 'response_feedback',
      key: 't.mid',
      keyType: 'text',
      where: 't.page_id = $1 AND t.user_id = $2',
    },
  ];

  async erase(pool: Pool, customer: CustomerRef): Promise<ErasedCounts> {
    const { rowCount } = await pool.query(
      'DELETE FROM response_feedback WHERE page_id = $1 AND user_id = $2',
      [customer.pageId, customer.userId],
    );
    return { response_feedback: rowCount ?? 0 };
  }
}
