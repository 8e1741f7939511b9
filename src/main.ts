// First: OpenTelemetry patches http, fastify and pg as they load (nothing loads when tracing is off).
import { startTracing, stopTracing } from './telemetry/tracing';
startTracing();
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { createApp } from './app';
import { AppConfig } from './config/app-config';
import { readEnvFile } from './config/env-file';
import { ConfigurationError, Environment, parseEnvironment } from './config/environment';
import { startLine } from './config/start-line';
import { checkDatabase } from './database/database-check';
import { DataDirInUseError, lockDataDir } from './database/data-dir-lock';

/**
 * What can be wrong with the deployment is checked before anything starts, each failure one line:
 * the configuration, the embedded database's directory already in use, the database unreachable.
 * Returns the validated environment, which the application then uses rather than read it again.
 */
async function preflight(): Promise<Environment> {
  await readEnvFile();
  try {
    const env = parseEnvironment(process.env);
    // Before the install secrets are generated in DATA_DIR: they belong to the lock's owner too.
    if (env.DATABASE_URL === undefined) lockDataDir(resolve(env.DATA_DIR));
    else await checkDatabase(env.DATABASE_URL);
    return env;
  } catch (error) {
    if (error instanceof ConfigurationError || error instanceof DataDirInUseError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const app = await createApp(await preflight());
  const config = app.get(AppConfig);
  await app.listen({ port: config.port, host: config.host });
  const logger = new Logger('Bootstrap');
  // Graceful stop: in-flight requests finish, queued events are left stored for the next start,
  // the pool and the embedded database close. A second signal stops at once.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.log(`${signal}: shutting down`);
      app
        .close()
        .then(() => stopTracing())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error(`shutdown failed: ${String(error)}`);
            process.exit(1);
          },
        );
    });
  }
  logger.log(startLine(config));
  const generated = config.generatedSecrets;
  if (generated) {
    logger.warn(
      `${generated.names.join(', ')} not set: using values generated for this install, kept in ${generated.file}`,
    );
  }
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
