import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { QueryResult } from 'pg';
import type { CustomerRef, ExportSection } from '../common/customer-data';
import { DatabaseService } from '../database/database.service';
import { CustomerDataRegistry } from './customer-data.registry';

/** Rows read per statement: memory stays bounded by one batch, whatever the customer's history. */
const BATCH = 500;

/**
 * One JSON document of everything kept about one customer, streamed: each owner's sections are
 * read in keyset batches (one short statement each, no connection held between them) and written
 * as they come, at the pace the client reads.
 */
@Injectable()
export class CustomerExport {
  constructor(
    private readonly database: DatabaseService,
    private readonly registry: CustomerDataRegistry,
  ) {}

  stream(customer: CustomerRef, exportedAt: Date): Readable {
    return Readable.from(this.chunks(customer, exportedAt), { objectMode: false });
  }

  private async *chunks(customer: CustomerRef, exportedAt: Date): AsyncGenerator<string> {
    yield (
      `{"pageId":${JSON.stringify(customer.pageId)},"userId":${JSON.stringify(customer.userId)},` +
      `"exportedAt":${JSON.stringify(exportedAt.toISOString())}`
    );
    for (const owner of this.registry.owners) {
      for (const section of owner.exportSections) {
        yield `,${JSON.stringify(section.name)}:[`;
        let first = true;
        for await (const row of this.rows(section, customer)) {
          yield (first ? '' : ',') + row;
          first = false;
        }
        yield ']';
      }
    }
    yield '}\n';
  }

  private async *rows(section: ExportSection, customer: CustomerRef): AsyncGenerator<string> {
    let after: string | null = null;
    for (;;) {
      const result: QueryResult<{ k: string; row: string }> = await this.database.pool.query(
        `SELECT (${section.key})::text AS k, to_jsonb(t)::text AS row FROM ${section.table} t
         WHERE (${section.where}) AND ($3::${section.keyType} IS NULL OR (${section.key}) > $3::${section.keyType})
         ORDER BY ${section.key} LIMIT $4`,
        [customer.pageId, customer.userId, after, BATCH],
      );
      const rows = result.rows;
      for (const row of rows) yield row.row;
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1].k;
    }
  }
}
