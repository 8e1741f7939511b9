import { readEnvFile } from '../config/env-file';
import { ConfigurationError, parseEnvironment } from '../config/environment';
import { migrate } from './migrator';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL and exits. */
async function main(): Promise<void> {
  await readEnvFile();
  const env = parseEnvironment(process.env);
  if (!env.DATABASE_URL)
    throw new ConfigurationError('Missing configuration: DATABASE_URL is required for db:migrate');
  const applied = await migrate(env.DATABASE_URL, (line) => console.log(line));
  console.log(
    applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
