import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { loadEnvironment } from './config/app-config';
import { AppConfig } from './config/app-config';
import { ConfigurationError } from './config/environment';

async function bootstrap(): Promise<void> {
  // Fail before anything starts, with one line naming the variable.
  try {
    loadEnvironment(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp();
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
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
    });
  }
  logger.log(`listening on http://${config.host}:${config.port} (OpenAPI at /docs)`);
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
