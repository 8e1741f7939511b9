import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedDatabase } from '../src/database/embedded-database';
import { adminUrl, databaseUrl } from './database-urls';

/** An EMPTY database (no migrations): a new one on the real server, or a new embedded one. */
export interface FreshDatabase {
  url: string;
  /** Whether several connections may be open at once (not on the embedded database). */
  concurrent: boolean;
  drop(): Promise<void>;
}

export async function createFreshDatabase(): Promise<FreshDatabase> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const name = `mf_fresh_${randomBytes(6).toString('hex')}`;
    await admin(base, `CREATE DATABASE "${name}"`);
    return {
      url: databaseUrl(base, name),
      concurrent: true,
      drop: () => admin(base, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'mf-fresh-'));
  const embedded = await EmbeddedDatabase.start(dir);
  return {
    url: embedded.url,
    concurrent: false,
    drop: async () => {
      await embedded.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function admin(base: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl(base) });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
