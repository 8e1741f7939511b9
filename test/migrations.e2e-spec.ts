import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrate, MigrationError, MIGRATIONS_DIR, readMigrations } from '../src/database/migrator';
import { createFreshDatabase, FreshDatabase } from './fresh-database';

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('migrate', () => {
  let db: FreshDatabase;
  beforeEach(async () => {
    db = await createFreshDatabase();
  });
  afterEach(() => db.drop());

  it('applies every migration to an empty database and records it as prisma migrate deploy does', async () => {
    const applied = await migrate(db.url);
    const migrations = readMigrations();
    expect(applied).toEqual(migrations.map((m) => m.name));
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      db.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(applied);
    const first = rows[0];
    const sql = readFileSync(join(MIGRATIONS_DIR, first.migration_name, 'migration.sql'));
    expect(first.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    expect(first.finished_at).toBeInstanceOf(Date);
    expect(first.applied_steps_count).toBe(1);
  });

  it('applies nothing the second time', async () => {
    await migrate(db.url);
    expect(await migrate(db.url)).toEqual([]);
  });

  it('applies each migration once when instances start at the same time', async () => {
    const instances = db.concurrent ? 4 : 1; // the embedded database serves one connection
    const results = await Promise.all(Array.from({ length: instances }, () => migrate(db.url)));
    expect(results.flat()).toEqual(readMigrations().map((m) => m.name));
    const rows = await query<{ n: string }>(
      db.url,
      'SELECT count(*)::text AS n FROM _prisma_migrations',
    );
    expect(Number(rows[0].n)).toBe(readMigrations().length);
  });

  it('refuses to go on after a migration that failed earlier', async () => {
    await migrate(db.url);
    await query(
      db.url,
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ('x', 'y', '29990101000000_broken', now())`,
    );
    await expect(migrate(db.url)).rejects.toThrow(MigrationError);
  });
});
