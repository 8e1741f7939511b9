import type { Pool, QueryResult, QueryResultRow } from 'pg';

/**
 * Runs a read-only query with parallel workers turned off for it alone (SET LOCAL, so the pooled
 * connection is left as it was). The score queries read a few thousand rollup rows; PostgreSQL
 * still plans some of them in parallel, and starting the workers costs more (about 10 ms measured)
 * than the whole query. Three round trips on one connection: BEGIN + SET, the query, COMMIT.
 */
export async function serialQuery<R extends QueryResultRow>(
  pool: Pool,
  text: string,
  values: unknown[],
): Promise<QueryResult<R>> {
  const client = await pool.connect();
  let discard: Error | undefined;
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL max_parallel_workers_per_gather = 0');
    const result = await client.query<R>(text, values);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // No transaction may stay open on a connection going back to the pool: one that cannot even
    // roll back is discarded.
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      discard = rollbackError;
    });
    throw error;
  } finally {
    client.release(discard);
  }
}
