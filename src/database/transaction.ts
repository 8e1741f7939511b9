import type { Pool, PoolClient } from 'pg';

/**
 * The client of one open transaction. Repositories take it where a change and what it causes (an
 * outbound webhook's outbox row, say) must commit together; passing the pool instead runs the
 * statement on its own.
 */
export type SqlClient = Pick<PoolClient, 'query'>;

/**
 * Runs `work` in one transaction on one pooled connection: committed when it resolves, rolled back
 * when it throws. `work` must use only `tx`: the embedded database has one connection, so waiting
 * on another while holding this one would never end.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (tx: SqlClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    // A connection whose rollback failed may be broken: destroyed rather than reused.
    client.release(broken);
  }
}
