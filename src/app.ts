import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { parseJson } from './common/json';
import { applyHttpTimeouts } from './common/http-timeouts';
import { createValidationPipe } from './common/validation.pipe';
import { AppConfig } from './config/app-config';
import { documentWebhookDelivery } from './webhook/webhook-delivery.route';

/** The body limit of every route but the webhook. */
export const API_BODY_LIMIT = 1024 * 1024;

/** Builds the application (not yet listening): main.ts, the end-to-end tests and the benchmarks share it. */
export async function createApp(): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: API_BODY_LIMIT,
    trustProxy: true,
    forceCloseConnections: 'idle',
  });
  const fastify = adapter.getInstance();
  // JSON with prototype-poisoning keys refused (the webhook route parses its own, after the
  // signature).
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (_request, body: Buffer, done) => {
      try {
        done(null, body.length === 0 ? undefined : parseJson(body));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  applyHttpTimeouts(fastify.server, app.get(AppConfig));
  app.useGlobalPipes(createValidationPipe());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Messenger feedback service')
      .setDescription(
        'Messenger webhook intake, conversations, Customer Feedback Template surveys and scores.',
      )
      .setVersion('1.0')
      .addBearerAuth()
      .build(),
  );
  documentWebhookDelivery(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  await fastify.ready();
  return app;
}
