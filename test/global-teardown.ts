import { Client } from 'pg';
import { adminUrl, TEMPLATE_ENV } from './database-urls';

export default async function globalTeardown(): Promise<void> {
  const base = process.env.DATABASE_URL;
  const template = process.env[TEMPLATE_ENV];
  if (!base || !template) return;
  const admin = new Client({ connectionString: adminUrl(base) });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
