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
  logger.log(`listening on http://${config.host}:${config.port} (OpenAPI at /docs)`);
  if (config.generatedSecretsFile) {
    logger.warn(
      `no MESSENGER_APP_SECRET / MESSENGER_VERIFY_TOKEN / API_TOKEN set: using the ones generated for this install, kept in ${config.generatedSecretsFile}`,
    );
  }
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
