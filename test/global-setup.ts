import { Client } from 'pg';
import { migrate } from '../src/database/migrator';
import { adminUrl, databaseUrl, TEMPLATE_ENV } from './database-urls';

/**
 * With DATABASE_URL (as CI sets it) every test file gets a fresh database cloned from one migrated
 * template; without it, every test file starts its own embedded database (see test/app.ts).
 */
export default async function globalSetup(): Promise<void> {
  const base = process.env.DATABASE_URL;
  if (!base) return;
  const template = `mf_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl(base) });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  await migrate(databaseUrl(base, template));
  process.env[TEMPLATE_ENV] = template;
}
