import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { EmbeddedDatabase } from './embedded-database';
import { migrate } from './migrator';

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
    const pool = new Pool({
      connectionString: url,
      // The embedded database runs one session: more connections would share its transactions.
      max: embedded ? 1 : 20,
      connectionTimeoutMillis: 5_000,
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
