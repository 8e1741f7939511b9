import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { adminUrl, databaseUrl, TEMPLATE_ENV } from './database-urls';

/** A fresh database for one test file: a clone of the migrated template on the real server. */
export class TestDatabase {
  private constructor(
    readonly url: string,
    private readonly name: string,
    private readonly base: string,
  ) {}

  /** Null when the suite runs on the embedded database (no DATABASE_URL). */
  static async create(): Promise<TestDatabase | null> {
    const base = process.env.DATABASE_URL;
    const template = process.env[TEMPLATE_ENV];
    if (!base || !template) return null;
    const name = `mf_test_${randomBytes(6).toString('hex')}`;
    await withAdmin(base, (admin) =>
      admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`),
    );
    return new TestDatabase(databaseUrl(base, name), name, base);
  }

  /**
   * A database outage as the app sees it: new connections are refused and every open one is ended
   * (the app's pool included), until `allowConnections`.
   */
  async refuseConnections(): Promise<void> {
    await withAdmin(this.base, async (admin) => {
      await admin.query(`ALTER DATABASE "${this.name}" ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [this.name],
      );
    });
  }

  async allowConnections(): Promise<void> {
    await withAdmin(this.base, (admin) =>
      admin.query(`ALTER DATABASE "${this.name}" ALLOW_CONNECTIONS true`),
    );
  }

  async drop(): Promise<void> {
    await withAdmin(this.base, (admin) =>
      admin.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`),
    );
  }
}

async function withAdmin<T>(base: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl(base) });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
