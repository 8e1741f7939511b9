import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import type { Environment } from './config/environment';
import type { Clock } from './common/clock';
import { answerClientError } from './common/client-error';
import { OPENAPI_CONTRIBUTOR, OpenApiContributor } from './common/openapi-contributor';
import { parseJson } from './common/json';
import { applyOpenApiConventions } from './common/openapi-conventions';
import { ApplicationLogger } from './common/logging';
import { applyHttpTimeouts } from './common/http-timeouts';
import { RouteAuthentication, SESSION_COOKIE } from './common/route-auth';
import { serveDashboard } from './dashboard/dashboard-static';
import { SessionStore } from './dashboard/session.store';
import { createValidationPipe } from './common/validation.pipe';
import { documentDatabaseUnavailable } from './database/database-unavailable.openapi';

/** The body limit of every route but the webhook. */
const API_BODY_LIMIT = 1024 * 1024;
/** The longest path parameter: Messenger ids (mids above all) run far past Fastify's 100. */
export const MAX_PARAM_LENGTH = 1024;

/**
 * Builds the application (not yet listening): main.ts, the end-to-end tests and the benchmarks
 * share it. main.ts passes the environment it has validated; without it, it is read here. A test
 * may pass `clock` to drive time (test/test-app.ts).
 */
export async function createApp(
  parsed?: Environment,
  options: { clock?: Clock } = {},
): Promise<NestFastifyApplication> {
  const auth = new RouteAuthentication();
  const adapter = new FastifyAdapter({
    bodyLimit: API_BODY_LIMIT,
    trustProxy: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: auth.frameworkErrors,
    clientErrorHandler: answerClientError,
  });
  const fastify = adapter.getInstance();
  // Before any route exists, so that it covers every one of them.
  auth.attach(fastify);
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

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(parsed, options.clock),
    adapter,
    {
      bufferLogs: true,
      bodyParser: false,
    },
  );
  app.useLogger(new ApplicationLogger(app.get(Logger)));
  const config = app.get(AppConfig);
  auth.configure(config, app.get(SessionStore));
  await serveDashboard(fastify);
  applyHttpTimeouts(fastify.server, config);
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
      .addCookieAuth(
        SESSION_COOKIE,
        { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        'session',
      )
      .build(),
  );
  const contributors = app.get<OpenApiContributor>(OPENAPI_CONTRIBUTOR, {
    strict: false,
    each: true,
  });
  for (const contributor of contributors) contributor.describe(document);
  documentDatabaseUnavailable(document);
  applyOpenApiConventions(document, auth);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  await fastify.ready();
  return app;
}
