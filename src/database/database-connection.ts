import { Logger } from '@nestjs/common';
import { Client, Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { EmbeddedDatabase } from './embedded-database';
import { migrate } from './migrator';

/**
 * A pg client that closes its connection once a statement has run past `query_timeout`. pg answers
 * the caller with "Query read timeout" but keeps the connection, the unanswered statement still
 * occupying it: given back to the pool (as `release()` without an error does, Prisma's
 * transactions included), it would hold every later statement on it until each timed out too, and
 * the embedded database's one session would stay taken by a socket nobody reads. Closing it sets
 * `_ending`, so the pool discards it instead of keeping it.
 */
class BoundedClient extends Client {
  // The overloads of pg's query are many; this wraps them all and changes none.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
    const result: unknown = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        this.discardAfterTimeout(error);
        throw error;
      });
    }
    return result;
  }

  private discardAfterTimeout(error: unknown): void {
    if (error instanceof Error && error.message === 'Query read timeout') {
      // end() destroys the socket at once when a statement is still outstanding.
      this.end().catch(() => {});
    }
  }
}

/** Where the database is and the one pool every query goes through. */
export class DatabaseConnection {
  private constructor(
    readonly pool: Pool,
    readonly embedded: EmbeddedDatabase | null,
  ) {}

  /** Starts the embedded database when DATABASE_URL is unset, then migrates unless told not to. */
  static async open(config: AppConfig): Promise<DatabaseConnection> {
    const logger = new Logger('Database');
    const embedded = config.databaseUrl ? null : await EmbeddedDatabase.start(config.dataDir);
    if (embedded) logger.log(`embedded PostgreSQL (PGlite) in ${config.dataDir}`);
    const url = config.databaseUrl ?? embedded?.url ?? '';
    try {
      if (config.migrateOnStart) await migrate(url, (line) => logger.log(line));
    } catch (error) {
      await embedded?.close();
      throw error;
    }
    const timeoutMs = config.databaseTimeoutMs;
    const pool = new Pool({
      connectionString: url,
      Client: BoundedClient,
      // The embedded database runs one session: more connections would share its transactions.
      max: embedded ? 1 : 20,
      // Every wait on the database is bounded, so that a server that accepts TCP but never answers
      // (a frozen host or proxy) turns into a prompt 503 instead of requests hanging until it
      // thaws: waiting for a pool slot or a new connection...
      connectionTimeoutMillis: timeoutMs,
      // ...and each statement, measured here: a silent network delivers no server-side timeout.
      // (No server-side statement_timeout: the inbox write of a large batch is given longer than
      // this bound, per statement; see InboxRepository.)
      query_timeout: timeoutMs,
      // A peer that vanished is noticed on idle connections too.
      keepAlive: !embedded,
      // The embedded database's one session outlives each connection: statements an earlier
      // connection prepared are still there, and preparing them again would be refused. The pool
      // waits for this before it hands the connection out.
      // eslint-disable-next-line @typescript-eslint/no-misused-promises -- pg-pool awaits it; @types/pg says void
      onConnect: embedded ? (client) => client.query('DEALLOCATE ALL') : undefined,
    });
    // An idle client that loses its server (a restart) must not crash the process.
    pool.on('error', (error) => logger.warn(`idle database connection lost: ${error.message}`));
    return new DatabaseConnection(pool, embedded);
  }

  async close(): Promise<void> {
    await this.pool.end();
    await this.embedded?.close();
  }
}
