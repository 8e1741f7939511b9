import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import { inTransaction } from '../database/transaction';
import type { ErasedCounts } from '../common/customer-data';

export interface ErasureRow {
  id: string;
  pageId: string;
  userId: string | null;
  status: 'running' | 'done';
  erased: ErasedCounts;
  requestedAt: Date;
  doneAt: Date | null;
}

const COLUMNS = `id::text, page_id AS "pageId", user_id AS "userId", status, erased,
  requested_at AS "requestedAt", done_at AS "doneAt"`;

/** The erasure jobs (`customer_erasures`). */
@Injectable()
export class ErasureRepository {
  constructor(private readonly prisma: DatabaseService) {}

  /**
   * The running erasure of this customer, or a new one: a repeated request while one runs is the
   * same job. The advisory lock on the hash makes two concurrent requests agree on one row.
   */
  async request(pageId: string, userId: string, subjectHash: string): Promise<ErasureRow> {
    return inTransaction(this.prisma.pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `erasure:${pageId}:${subjectHash}`,
      ]);
      const running = await tx.query<ErasureRow>(
        `SELECT ${COLUMNS} FROM customer_erasures
         WHERE page_id = $1 AND subject_hash = $2 AND status = 'running' LIMIT 1`,
        [pageId, subjectHash],
      );
      if (running.rows[0]) return running.rows[0];
      const created = await tx.query<ErasureRow>(
        `INSERT INTO customer_erasures (page_id, subject_hash, user_id) VALUES ($1, $2, $3)
         RETURNING ${COLUMNS}`,
        [pageId, subjectHash, userId],
      );
      return created.rows[0];
    });
  }

  async find(id: string): Promise<ErasureRow | null> {
    const { rows } = await this.prisma.pool.query<ErasureRow>(
      `SELECT ${COLUMNS} FROM customer_erasures WHERE id = $1::uuid`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Claims one running erasure whose lease has ended (a new one's has: it starts at its request),
   * for `leaseMs`: SKIP LOCKED keeps two replicas off the same job, the lease hands over the job
   * of one that died.
   */
  async claim(leaseMs: number): Promise<ErasureRow | null> {
    const { rows } = await this.prisma.pool.query<ErasureRow>(
      `UPDATE customer_erasures
       SET claimed_until = now() + make_interval(secs => $1::float8 / 1000.0), attempts = attempts + 1
       WHERE id = (
         SELECT id FROM customer_erasures WHERE status = 'running' AND claimed_until <= now()
         ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED
       )
       RETURNING ${COLUMNS}`,
      [leaseMs],
    );
    return rows[0] ?? null;
  }

  /** Adds what one step removed to the job's counts, and extends its lease. */
  async record(id: string, counts: ErasedCounts, leaseMs: number): Promise<void> {
    await this.prisma.pool.query(
      `UPDATE customer_erasures
       SET erased = (SELECT coalesce(jsonb_object_agg(k, coalesce((erased ->> k)::int, 0) + coalesce((($2::jsonb) ->> k)::int, 0)), '{}')
                     FROM (SELECT jsonb_object_keys(erased) AS k UNION SELECT jsonb_object_keys($2::jsonb)) keys),
           claimed_until = now() + make_interval(secs => $3::float8 / 1000.0)
       WHERE id = $1::uuid`,
      [id, JSON.stringify(counts), leaseMs],
    );
  }

  /** Gives a job up before its lease ends (a clean shutdown), for the next claim to take. */
  async release(id: string): Promise<void> {
    await this.prisma.pool.query(
      `UPDATE customer_erasures SET claimed_until = now() WHERE id = $1::uuid AND status = 'running'`,
      [id],
    );
  }

  /** Done: the customer's id is dropped in the same statement. */
  async finish(id: string): Promise<void> {
    await this.prisma.pool.query(
      `UPDATE customer_erasures SET status = 'done', done_at = now(), user_id = NULL WHERE id = $1::uuid`,
      [id],
    );
  }
}
