import { Client } from 'pg';
import { ConfigurationError, describeDatabaseUrl } from '../config/environment';

/**
 * Connects once to DATABASE_URL before the application is built, so that a wrong or unreachable
 * database stops the start with one line naming the variable (host, port, database and user; never
 * the password) instead of a stack trace from deep inside the module graph.
 */
export async function checkDatabase(databaseUrl: string, timeoutMs = 10_000): Promise<void> {
  const client = new Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  // A server that ends the session later must not crash the process through an unhandled 'error'.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new ConfigurationError(
      `Cannot connect to the database at DATABASE_URL=${describeDatabaseUrl(databaseUrl)}: ${reason(error)}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** The first line of why; Node's AggregateError (IPv6 and IPv4 both refused) has no message. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error instanceof AggregateError ? (error.errors[0] as unknown) : undefined;
  const text =
    error.message ||
    (inner instanceof Error ? inner.message : '') ||
    (error as NodeJS.ErrnoException).code ||
    error.name;
  return text.split('\n')[0];
}
